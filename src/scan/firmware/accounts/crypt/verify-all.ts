// verifyAll(hashes, passwords): every hash of a firmware image against every candidate password, spread
// over a pool of worker threads (the work is CPU-bound: sha512crypt, bcrypt and scrypt cost milliseconds
// per try). The candidates of each hash are cut into chunks; chunks of all hashes share one queue, so one
// hash with an expensive scheme still keeps every thread busy. Verdicts do not depend on the threads:
// for each hash, the first candidate in list order that matches wins, as in the in-process verifyAllSync.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runChunk, type ChunkResult, type ChunkTask } from './chunk.ts';
import { identifyScheme, type Identification } from './identify.ts';
import type { CostLimits } from './types.ts';
import type { WorkerReply, WorkerRequest } from './verify-worker.ts';

export type HashOutcome = { status: 'match'; password: string } | { status: 'no-match' } | { status: 'unverifiable'; reason: string };

export interface HashVerdict {
  hash: string;
  identification: Identification;
  outcome: HashOutcome;
}

export interface VerifyAllOptions {
  /** Worker threads (default: os.availableParallelism(), at most one per chunk). */
  threads?: number;
  /** Candidates per unit of work (default 16). */
  chunkSize?: number;
  limits?: Partial<CostLimits>;
  /** false: act as if the libxcrypt binding were not built (default true: use it when built). */
  useXcrypt?: boolean;
}

interface Job {
  hash: string;
  chunks: ChunkTask[];
  results: (ChunkResult | undefined)[];
  /** Index of the first chunk that matched or could not verify: later chunks need not run. */
  decidedAt: number;
}

function chunksOf(hash: string, passwords: readonly string[], options: VerifyAllOptions): ChunkTask[] {
  const size = Math.max(1, Math.floor(options.chunkSize ?? 16));
  const chunks: ChunkTask[] = [];
  const base = { hash, limits: options.limits ?? {}, useXcrypt: options.useXcrypt ?? true };
  for (let start = 0; start < passwords.length; start += size)
    chunks.push({ ...base, passwords: passwords.slice(start, start + size), start });
  // With no candidates, one empty chunk still identifies the hash and says "no match".
  if (chunks.length === 0) chunks.push({ ...base, passwords: [], start: 0 });
  return chunks;
}

function newJob(hash: string, passwords: readonly string[], options: VerifyAllOptions): Job {
  const chunks = chunksOf(hash, passwords, options);
  return { hash, chunks, results: new Array(chunks.length).fill(undefined), decidedAt: Infinity };
}

function record(job: Job, index: number, result: ChunkResult): void {
  job.results[index] = result;
  if (result.kind !== 'none' && index < job.decidedAt) job.decidedAt = index;
}

function outcomeOf(job: Job, passwords: readonly string[]): HashOutcome {
  // The verdict of the first chunk, in order, that matched or could not verify; every chunk before it found nothing.
  for (const result of job.results) {
    if (result === undefined) throw new Error('verifyAll: a chunk has no result');
    if (result.kind === 'match') return { status: 'match', password: passwords[result.index]! };
    if (result.kind === 'unverifiable') return { status: 'unverifiable', reason: result.reason };
  }
  return { status: 'no-match' };
}

function verdicts(hashes: readonly string[], jobs: Map<string, Job>, passwords: readonly string[]): HashVerdict[] {
  const byHash = new Map<string, HashVerdict>();
  for (const [hash, job] of jobs) byHash.set(hash, { hash, identification: identifyScheme(hash), outcome: outcomeOf(job, passwords) });
  return hashes.map((hash) => byHash.get(hash)!);
}

/** verifyAll in the calling thread: the reference the threaded path must agree with. */
export function verifyAllSync(hashes: readonly string[], passwords: readonly string[], options: VerifyAllOptions = {}): HashVerdict[] {
  const jobs = new Map<string, Job>();
  for (const hash of new Set(hashes)) {
    const job = newJob(hash, passwords, options);
    for (let i = 0; i < job.chunks.length; i++) {
      if (i > job.decidedAt) {
        job.results[i] = { kind: 'none' }; // never consulted: an earlier chunk decided
        continue;
      }
      record(job, i, runChunk(job.chunks[i]!));
    }
    jobs.set(hash, job);
  }
  return verdicts(hashes, jobs, passwords);
}

const WORKER_URL = new URL('./verify-worker.ts', import.meta.url);

/** Every hash against every candidate password, on worker threads. */
export async function verifyAll(
  hashes: readonly string[],
  passwords: readonly string[],
  options: VerifyAllOptions = {},
): Promise<HashVerdict[]> {
  const jobs = new Map<string, Job>();
  const queue: { job: Job; index: number }[] = [];
  for (const hash of new Set(hashes)) {
    const job = newJob(hash, passwords, options);
    jobs.set(hash, job);
    job.chunks.forEach((_, index) => queue.push({ job, index }));
  }
  // Round-robin over hashes so that every hash gets its first chunk early.
  queue.sort((a, b) => a.index - b.index);
  const threads = Math.max(1, Math.min(Math.floor(options.threads ?? availableParallelism()), queue.length));
  if (queue.length === 0) return [];

  await new Promise<void>((resolve) => {
    interface Slot {
      worker: Worker;
      /** The chunk this worker is on. */
      current?: { job: Job; index: number };
    }
    const slots = new Set<Slot>();
    let nextId = 0;

    const finishIfDone = (): void => {
      if (queue.length > 0 || [...slots].some((slot) => slot.current)) return;
      for (const slot of slots) void slot.worker.terminate();
      slots.clear();
      resolve();
    };

    const retire = (slot: Slot): void => {
      slots.delete(slot);
      void slot.worker.terminate();
    };

    const dispatch = (slot: Slot): void => {
      let item = queue.shift();
      // Skip chunks after one that already decided their hash.
      while (item && item.index > item.job.decidedAt) {
        item.job.results[item.index] = { kind: 'none' };
        item = queue.shift();
      }
      slot.current = item;
      if (!item) {
        retire(slot);
        finishIfDone();
        return;
      }
      const request: WorkerRequest = { id: nextId++, task: item.job.chunks[item.index]! };
      slot.worker.postMessage(request);
    };

    const start = (): void => {
      const slot: Slot = { worker: new Worker(WORKER_URL) };
      slots.add(slot);
      slot.worker.on('message', (reply: WorkerReply) => {
        if (slot.current) record(slot.current.job, slot.current.index, reply.result);
        slot.current = undefined;
        dispatch(slot);
      });
      // A worker that dies takes its chunk with it: that hash is unverifiable, and a new worker takes its place.
      const fail = (reason: string): void => {
        if (!slots.has(slot)) return; // retired on purpose
        slots.delete(slot);
        if (slot.current) record(slot.current.job, slot.current.index, { kind: 'unverifiable', reason: `worker thread failed: ${reason}` });
        slot.current = undefined;
        if (queue.length > 0) start();
        else finishIfDone();
      };
      slot.worker.on('error', (error) => fail(error.message));
      slot.worker.on('exit', (code) => fail(`exited with code ${code}`));
      dispatch(slot);
    };

    for (let i = 0; i < threads; i++) start();
  });
  return verdicts(hashes, jobs, passwords);
}
