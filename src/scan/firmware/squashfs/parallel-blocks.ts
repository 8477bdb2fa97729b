// Decoding compressed blocks on worker threads behind a synchronous API. A job is a list of compressed
// blocks: their bytes are copied into a SharedArrayBuffer and the job is posted to every worker of the
// pool; the workers and the main thread then race for the blocks through a shared counter (Atomics.add),
// so whichever thread is free takes the next one and a slow or busy worker never holds a job up. Workers
// write what they decode into a shared output region (one slot of `max` bytes per block) and mark each
// block done with Atomics; the main thread, once no block is left to claim, blocks in Atomics.wait until
// the blocks the workers took are done.
//
// Nothing here decides what a block's error is: a block a worker could not decode is reported as failed
// (undefined) and the caller decodes it again on the main thread, which throws the very error the serial
// path would. A worker that stops making progress (dead, or stuck) does not hang the caller: after
// STALL_MS without a block finishing, the pool is marked broken, the blocks not done are left to the
// caller, and no further job is posted. Workers are unref'd (they never keep the process alive) and
// terminated by close().
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { decompress, type Codec } from '../compression/index.ts';

/** Control words of a job (Int32Array over a SharedArrayBuffer): next block to claim, blocks done, then one status per block. */
export const NEXT = 0;
export const DONE = 1;
export const STATUS = 2;
/** Status of a block: 0 pending, FAILED, or its decoded length + 1. */
export const FAILED = -1;

/** What a worker is sent. */
export interface JobMessage {
  codec: Codec;
  max: number;
  ctl: SharedArrayBuffer;
  input: SharedArrayBuffer;
  /** Block k's compressed bytes are input[inOffsets[k], inOffsets[k + 1]). */
  inOffsets: number[];
  /** Block k decodes into out[k * max, k * max + length). */
  out: SharedArrayBuffer;
}

const WORKER_URL = new URL('./block-worker.ts', import.meta.url);
/** Longest wait without any block finishing before the workers are given up on. */
const STALL_MS = 10_000;
/** Slice of one Atomics.wait (the stall clock is checked between slices). */
const WAIT_SLICE_MS = 1_000;

/**
 * Worker threads worth starting: one per core beyond the first, the main thread decoding too (measured on
 * 2 cores: one worker beats two, which leave the main thread sharing a core with them).
 */
export function defaultPoolSize(): number {
  return availableParallelism() - 1;
}

/** Blocks posted to the workers and not yet collected. */
export class BlockJob {
  private readonly pool: BlockPool;
  private readonly inputs: readonly Uint8Array[];
  private readonly message: JobMessage;
  private readonly ctl: Int32Array;
  private readonly results: (Uint8Array | undefined)[];
  private finished = false;

  constructor(pool: BlockPool, codec: Codec, max: number, inputs: readonly Uint8Array[]) {
    this.pool = pool;
    this.inputs = inputs;
    const inOffsets = [0];
    for (const input of inputs) inOffsets.push((inOffsets.at(-1) as number) + input.length);
    const input = new SharedArrayBuffer(inOffsets.at(-1) as number);
    const view = new Uint8Array(input);
    inputs.forEach((bytes, k) => view.set(bytes, inOffsets[k]));
    const ctl = new SharedArrayBuffer(4 * (STATUS + inputs.length));
    this.ctl = new Int32Array(ctl);
    this.message = { codec, max, ctl, input, inOffsets, out: new SharedArrayBuffer(max * inputs.length) };
    this.results = new Array<Uint8Array | undefined>(inputs.length).fill(undefined);
    pool.post(this, this.message);
  }

  /** Claims and decodes one block no thread has taken yet; false when none is left. */
  decodeOne(): boolean {
    const k = Atomics.add(this.ctl, NEXT, 1);
    if (k >= this.inputs.length) return false;
    try {
      const block = decompress(this.message.codec, this.inputs[k] as Uint8Array, this.message.max);
      this.results[k] = block;
      Atomics.store(this.ctl, STATUS + k, block.length + 1);
    } catch {
      Atomics.store(this.ctl, STATUS + k, FAILED);
    }
    Atomics.add(this.ctl, DONE, 1);
    return true;
  }

  /** Drops the job: no thread starts on its blocks from now on. */
  cancel(): void {
    Atomics.store(this.ctl, NEXT, this.inputs.length);
    this.pool.forget(this);
  }

  /**
   * Decodes on this thread the blocks no worker has taken, waits for the others, and returns each block's
   * bytes (views of shared memory: copy what must outlive the next job), or undefined for a block a worker
   * could not decode (or did not finish in time): decode that one again to learn why.
   */
  collect(): (Uint8Array | undefined)[] {
    if (this.finished) return this.results;
    this.finished = true;
    this.pool.forget(this);
    const max = this.message.max;
    const count = this.inputs.length;
    const ctl = this.ctl;
    while (this.decodeOne());
    let done = Atomics.load(ctl, DONE);
    let progressAt = performance.now();
    while (done < count) {
      // Rather than wait idle, decode a block of another job (fragments decoded ahead).
      if (!this.pool.helpOther()) Atomics.wait(ctl, DONE, done, WAIT_SLICE_MS);
      const now = Atomics.load(ctl, DONE);
      if (now !== done) {
        done = now;
        progressAt = performance.now();
      } else if (performance.now() - progressAt >= STALL_MS) {
        this.pool.markBroken();
        break;
      }
    }
    for (let k = 0; k < count; k++) {
      const status = Atomics.load(ctl, STATUS + k);
      if (status > 0 && this.results[k] === undefined) this.results[k] = new Uint8Array(this.message.out, k * max, status - 1);
    }
    return this.results;
  }
}

/** A pool of decoding worker threads, started when first needed. */
export class BlockPool {
  /** Worker threads (the main thread decodes too). */
  readonly size: number;
  private workers: Worker[] | undefined;
  private broken = false;
  /** Jobs posted and neither collected nor cancelled. */
  private readonly open = new Set<BlockJob>();

  constructor(size: number) {
    this.size = Math.max(0, Math.floor(size));
  }

  /** Whether jobs can be posted (false once closed, or after a worker failed or stalled). */
  get usable(): boolean {
    return !this.broken && this.size > 0;
  }

  /** Posts a job (from now on, workers may decode its blocks); undefined when the pool is not usable. */
  start(codec: Codec, max: number, inputs: readonly Uint8Array[]): BlockJob | undefined {
    if (!this.usable) return undefined;
    return new BlockJob(this, codec, max, inputs);
  }

  /** Decodes `inputs` across the pool and this thread (see BlockJob.collect); undefined when the pool is not usable. */
  decode(codec: Codec, max: number, inputs: readonly Uint8Array[]): (Uint8Array | undefined)[] | undefined {
    return this.start(codec, max, inputs)?.collect();
  }

  /** Starts the worker threads now (they load their code while this thread does something else). */
  warm(): void {
    if (this.usable) this.spawn();
  }

  /** @internal */
  post(job: BlockJob, message: JobMessage): void {
    this.open.add(job);
    if (this.broken) return;
    const workers = this.spawn();
    for (const worker of workers) worker.postMessage(message);
  }

  /** @internal */
  forget(job: BlockJob): void {
    this.open.delete(job);
  }

  /** @internal Decodes one unclaimed block of an open job on this thread; false when there is none. */
  helpOther(): boolean {
    for (const job of this.open) {
      if (job.decodeOne()) return true;
    }
    return false;
  }

  /** @internal */
  markBroken(): void {
    this.broken = true;
  }

  close(): void {
    this.broken = true;
    this.open.clear();
    const workers = this.workers ?? [];
    this.workers = [];
    for (const worker of workers) void worker.terminate();
  }

  private spawn(): Worker[] {
    if (this.workers) return this.workers;
    this.workers = [];
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(WORKER_URL);
      worker.unref();
      // A worker that fails leaves its blocks undone; collect() notices the stall and the caller decodes them.
      worker.on('error', () => this.markBroken());
      worker.on('exit', () => this.markBroken());
      this.workers.push(worker);
    }
    return this.workers;
  }
}
