// One unit of work for verifyAll: a run of candidate passwords against one hash, shared by the in-process
// path and the worker threads so that both come to the same verdicts.
import { identifyScheme } from './identify.ts';
import { verifyIdentified } from './verify.ts';
import { CannotVerify, DEFAULT_LIMITS, type CostLimits } from './types.ts';

export interface ChunkTask {
  hash: string;
  /** The candidates, in order; `start` is the index of the first in the whole list. */
  passwords: readonly string[];
  start: number;
  limits: Partial<CostLimits>;
  /** false: act as if the libxcrypt binding were not built. */
  useXcrypt: boolean;
}

/** The first candidate that matches, the first that cannot be verified, or none of them. */
export type ChunkResult = { kind: 'match'; index: number } | { kind: 'unverifiable'; reason: string } | { kind: 'none' };

export function runChunk(task: ChunkTask): ChunkResult {
  const limits = { ...DEFAULT_LIMITS, ...task.limits };
  const identification = identifyScheme(task.hash);
  for (let i = 0; i < task.passwords.length; i++) {
    let result;
    try {
      result = verifyIdentified(task.passwords[i]!, task.hash, identification, limits, task.useXcrypt ? undefined : null);
    } catch (error) {
      const reason =
        error instanceof CannotVerify ? error.message : `internal error: ${error instanceof Error ? error.message : String(error)}`;
      return { kind: 'unverifiable', reason };
    }
    if (result === 'match') return { kind: 'match', index: task.start + i };
    if (result !== 'no-match') return { kind: 'unverifiable', reason: result.unverifiable };
  }
  return { kind: 'none' };
}
