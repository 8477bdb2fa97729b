// Verdict values and how they combine into clause, overall and PSTI verdicts.
export const VERDICTS = ['PASS', 'FAIL', 'NOT APPLICABLE', 'NOT ASSESSED'] as const;
export type Verdict = (typeof VERDICTS)[number];

// The worst verdict wins: one failure fails the clause; one open item leaves it not assessed.
const RANK: Record<Verdict, number> = { 'NOT APPLICABLE': 0, PASS: 1, 'NOT ASSESSED': 2, FAIL: 3 };

export function worstOf(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'NOT APPLICABLE';
  for (const verdict of verdicts) if (RANK[verdict] > RANK[worst]) worst = verdict;
  return worst;
}

export type VerdictCounts = Record<Verdict, number>;

export function countVerdicts(verdicts: Iterable<Verdict>): VerdictCounts {
  const counts: VerdictCounts = { PASS: 0, FAIL: 0, 'NOT APPLICABLE': 0, 'NOT ASSESSED': 0 };
  for (const verdict of verdicts) counts[verdict]++;
  return counts;
}
