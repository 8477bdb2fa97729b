// A parallel-blocks worker thread: decodes the blocks of the jobs it is sent, racing the other workers and
// the main thread for them (see parallel-blocks.ts for the shared layout). Nothing is posted back: results
// go to the job's shared output, completion to its control words.
import { parentPort } from 'node:worker_threads';
import { decompress } from '../compression/index.ts';
import { DONE, FAILED, NEXT, STATUS, type JobMessage } from './parallel-blocks.ts';

function run(job: JobMessage): void {
  const ctl = new Int32Array(job.ctl);
  const count = job.inOffsets.length - 1;
  for (;;) {
    const k = Atomics.add(ctl, NEXT, 1);
    if (k >= count) return;
    let status = FAILED;
    try {
      // A private copy: the decoders (node:zlib among them) are not meant to read shared memory.
      const input = new Uint8Array(job.input, job.inOffsets[k], (job.inOffsets[k + 1] as number) - (job.inOffsets[k] as number)).slice();
      const block = decompress(job.codec, input, job.max);
      new Uint8Array(job.out, k * job.max, job.max).set(block);
      status = block.length + 1;
    } catch {
      // The main thread decodes a failed block again, for the very error the serial path reports.
    }
    Atomics.store(ctl, STATUS + k, status);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}

parentPort?.on('message', (job: JobMessage) => run(job));
