// "Did you mean …?": the candidate with the smallest edit distance; ties go to the one sharing the
// longest prefix, so "5.13-2" suggests "5.13-1" rather than "5.1-2".
import { distance } from 'fastest-levenshtein';

export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  let bestPrefix = -1;
  for (const candidate of candidates) {
    const score = distance(word, candidate);
    const prefix = commonPrefix(word, candidate);
    if (score < bestScore || (score === bestScore && prefix > bestPrefix)) {
      best = candidate;
      bestScore = score;
      bestPrefix = prefix;
    }
  }
  return best;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const best = nearest(word, candidates);
  return best === undefined ? '' : `; did you mean "${best}"?`;
}
