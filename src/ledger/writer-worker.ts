/**
 * The ledger's writer thread: it owns the only connection that writes ledger.db and commits one batch per
 * message, in order. Running the SQLite transaction and its fsync here lets the main thread hash, encode
 * and sign the next batch at the same time. It also draws each new batch's salts and computes its payload
 * commitments (`digest`), which moves the hashing of every payload byte off the main thread; payloads and
 * salts stay here until their batch is committed or discarded.
 *
 * Contract: it answers `committed` for a batch only after the transaction committed; a batch that does not
 * start where the file ends (because an earlier one failed) is refused, so nothing is ever written on top
 * of a batch that is not there.
 */
import { parentPort } from 'node:worker_threads';
import { VigilError } from '../errors.js';
import { randomBytes } from '../tlog/index.js';
import { SALT_BYTES, payloadCommitmentBase64 } from '../entry/index.js';
import { LedgerStore, type BatchWrite } from './store.js';
import type { CommitMessage, DigestMessage, WriterReply, WriterRequest } from './writer-protocol.js';

const port = parentPort;
if (!port) throw new Error('writer-worker must run as a worker thread');

let store: LedgerStore | undefined;
let committedSize = 0;

interface Digested {
  bodies: Uint8Array;
  bodyOffsets: Float64Array;
  salts: Uint8Array;
}
/** Payloads and salts of batches digested and not yet committed or discarded, by batch. */
const digested = new Map<number, Digested>();

function digest(m: DigestMessage): string[] {
  const bodies = new Uint8Array(m.bodies);
  const count = m.bodyOffsets.length - 1;
  const salts = randomBytes(SALT_BYTES * count);
  const commitments: string[] = [];
  for (let i = 0; i < count; i++) {
    const salt = salts.subarray(i * SALT_BYTES, (i + 1) * SALT_BYTES);
    commitments.push(payloadCommitmentBase64(salt, bodies.subarray(m.bodyOffsets[i], m.bodyOffsets[i + 1])));
  }
  digested.set(m.seq, { bodies, bodyOffsets: m.bodyOffsets, salts });
  return commitments;
}

function reply(message: WriterReply): void {
  (port as NonNullable<typeof port>).postMessage(message);
}

function unpack(m: CommitMessage, payloads: Digested): BatchWrite {
  const { bodies, bodyOffsets, salts } = payloads;
  const nodes = new Uint8Array(m.nodes);
  const leaves = new Uint8Array(m.leaves);
  const write: BatchWrite = { entries: [], payloads: [], nodes: [], checkpoint: m.checkpoint, erasures: m.erasures, signingKey: m.signingKey, subjects: m.subjects };
  for (let i = 0; i < m.count; i++) {
    const idx = m.start + i;
    write.entries.push({ idx, leaf: leaves.subarray((m.leafOffsets[i] as number) + 1, m.leafOffsets[i + 1]) });
    const p = m.taken[i] as number;
    write.payloads.push({ idx, salt: salts.subarray(p * SALT_BYTES, (p + 1) * SALT_BYTES), body: bodies.subarray(bodyOffsets[p], bodyOffsets[p + 1]) });
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
    case 'digest':
      try {
        reply({ type: 'digested', seq: m.seq, commitments: digest(m) });
      } catch (e) {
        reply({ type: 'failed', seq: m.seq, code: 'LEDGER_COMMIT_FAILED', message: e instanceof Error ? e.message : String(e) });
      }
      return;
    case 'discard':
      digested.delete(m.seq);
      return;
    case 'commit': {
      const payloads = digested.get(m.seq);
      digested.delete(m.seq);
      if (!payloads) {
        reply({ type: 'failed', seq: m.seq, code: 'LEDGER_COMMIT_FAILED', message: `batch ${m.seq} was never digested` });
        return;
      }
      if (!store) {
        reply({ type: 'failed', seq: m.seq, code: 'LEDGER_COMMIT_FAILED', message: 'the ledger file is not open' });
        return;
      }
      if (m.start !== committedSize) {
        reply({ type: 'failed', seq: m.seq, code: 'LEDGER_COMMIT_FAILED', message: `batch starts at ${m.start} but the ledger ends at ${committedSize}: an earlier batch failed` });
        return;
      }
      try {
        store.commitBatch(unpack(m, payloads));
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
