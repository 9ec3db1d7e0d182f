/**
 * The ledger's writer thread: it owns the only connection that writes ledger.db and commits one batch per
 * message, in order. Running the SQLite transaction and its fsync here lets the main thread hash, encode
 * and sign the next batch at the same time (two cores, two stages).
 *
 * Contract: it answers `committed` for a batch only after the transaction committed; a batch that does not
 * start where the file ends (because an earlier one failed) is refused, so nothing is ever written on top
 * of a batch that is not there.
 */
import { parentPort } from 'node:worker_threads';
import { VigilError } from '../errors.js';
import { LedgerStore, type BatchWrite } from './store.js';
import type { CommitMessage, WriterReply, WriterRequest } from './writer-protocol.js';

const port = parentPort;
if (!port) throw new Error('writer-worker must run as a worker thread');

let store: LedgerStore | undefined;
let committedSize = 0;

function reply(message: WriterReply): void {
  (port as NonNullable<typeof port>).postMessage(message);
}

function unpack(m: CommitMessage): BatchWrite {
  const bodies = new Uint8Array(m.bodies);
  const salts = new Uint8Array(m.salts);
  const nodes = new Uint8Array(m.nodes);
  const write: BatchWrite = { entries: [], payloads: [], nodes: [], checkpoint: m.checkpoint, erasures: m.erasures, signingKey: m.signingKey };
  let at = 0;
  for (let i = 0; i < m.count; i++) {
    const idx = m.start + i;
    const end = at + (m.leafLengths[i] as number);
    write.entries.push({ idx, leaf: Buffer.from(m.leaves.slice(at, end), 'utf8') });
    at = end;
    write.payloads.push({ idx, salt: salts.subarray(i * 32, i * 32 + 32), body: bodies.subarray(m.bodyOffsets[i], m.bodyOffsets[i + 1]) });
  }
  for (let i = 0; i < m.nodePositions.length; i++) {
    write.nodes.push({ pos: m.nodePositions[i] as number, hash: nodes.subarray(i * 32, i * 32 + 32) });
  }
  return write;
}

port.on('message', (m: WriterRequest) => {
  switch (m.type) {
    case 'open':
      try {
        store = LedgerStore.open(m.path, { synchronous: m.synchronous });
        committedSize = store.size();
      } catch (e) {
        reply({ type: 'fatal', message: e instanceof Error ? e.message : String(e) });
      }
      return;
    case 'commit': {
      if (!store) {
        reply({ type: 'failed', seq: m.seq, code: 'LEDGER_COMMIT_FAILED', message: 'the ledger file is not open' });
        return;
      }
      if (m.start !== committedSize) {
        reply({ type: 'failed', seq: m.seq, code: 'LEDGER_COMMIT_FAILED', message: `batch starts at ${m.start} but the ledger ends at ${committedSize}: an earlier batch failed` });
        return;
      }
      try {
        store.commitBatch(unpack(m));
        committedSize = m.start + m.count;
        reply({ type: 'committed', seq: m.seq });
      } catch (e) {
        const code = e instanceof VigilError ? e.code : 'LEDGER_COMMIT_FAILED';
        reply({ type: 'failed', seq: m.seq, code, message: e instanceof Error ? e.message : String(e) });
      }
      return;
    }
    case 'close':
      store?.close();
      store = undefined;
      reply({ type: 'closed' });
      return;
  }
});
