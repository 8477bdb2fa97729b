// A verifyAll worker thread: runs the chunks it is sent and posts each result back.
import { parentPort } from 'node:worker_threads';
import { runChunk, type ChunkTask } from './chunk.ts';

export interface WorkerRequest {
  id: number;
  task: ChunkTask;
}

export interface WorkerReply {
  id: number;
  result: ReturnType<typeof runChunk>;
}

parentPort?.on('message', (request: WorkerRequest) => {
  const reply: WorkerReply = { id: request.id, result: runChunk(request.task) };
  parentPort?.postMessage(reply);
});
