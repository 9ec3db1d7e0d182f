/**
 * The worker thread of the parallel verification engine: receives chunks (parallel-protocol.ts), checks
 * them with chunk-check.ts and sends the results back, transferring the chunk's buffers for reuse.
 */
import { parentPort } from 'node:worker_threads';
import { verifyChunk } from './chunk-check.js';
import type { ChunkRequest, WorkerReply } from './parallel-protocol.js';

const port = parentPort;
if (port) {
  port.on('message', (req: ChunkRequest) => {
    let reply: WorkerReply;
    try {
      reply = { ok: true, result: verifyChunk(req) };
    } catch (e) {
      reply = { ok: false, id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    port.postMessage(reply, reply.ok ? [reply.result.data, reply.result.offsets] : []);
  });
}
