import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import {
  checkInclusion,
  checkConsistency,
  decodeBase64,
  leafHash,
  merkleRoot,
  parseCheckpoint,
  parseVerifierKey,
  verifyNote,
  encodeBase64,
} from '../src/tlog/index.js';
import { decodeEntry, openCommitment, parseAppendRequest } from '../src/entry/index.js';
import { isVigilError } from '../src/errors.js';
import { Ledger, DATABASE_FILE, type Receipt } from '../src/ledger/index.js';
import { newLedger, request } from './support/ledger-fixture.js';

function checkReceipt(receipt: Receipt, vkey: string, leaf: Uint8Array): void {
  const { body } = verifyNote(receipt.checkpoint, [parseVerifierKey(vkey)]);
  const cp = parseCheckpoint(body);
  expect(encodeBase64(leafHash(leaf))).toBe(receipt.leafHash);
  const result = checkInclusion(decodeBase64(receipt.leafHash), receipt.index, cp.size, receipt.proof.map((p) => decodeBase64(p)), cp.rootHash);
  expect(result).toEqual({ ok: true });
}

describe('appending to the ledger', () => {
  it('returns receipts whose inclusion proofs verify against the signed checkpoint', async () => {
    const { ledger, vkey } = newLedger();
    const receipts = await Promise.all(Array.from({ length: 37 }, (_, i) => ledger.append(parseAppendRequest(request(i)))));
    for (const r of receipts) checkReceipt(r, vkey, ledger.readLeaf(r.index));
    // A later single append still gets a valid receipt against a larger tree.
    const late = await ledger.append(parseAppendRequest(request(99)));
    expect(late.index).toBe(37);
    checkReceipt(late, vkey, ledger.readLeaf(37));
    await ledger.close();
  });

  it('writes entries as canonical JSON with the index, a ledger timestamp and the hash chain', async () => {
    let clock = Date.parse('2026-01-02T03:04:05.678Z');
    const { ledger } = newLedger({ now: () => clock });
    const first = await ledger.append(parseAppendRequest({ kind: 'tool_call', agent: 'a1', task: 't9', meta: { tool: 'search' }, payload: { q: 'x' } }), { credential: 'tok-1' });
    clock -= 5000; // the clock steps back: timestamps must not
    const second = await ledger.append(parseAppendRequest(request(1)));
    const e0 = decodeEntry(ledger.readLeaf(0));
    const e1 = decodeEntry(ledger.readLeaf(1));
    expect(e0).toMatchObject({ v: 1, index: 0, ts: '2026-01-02T03:04:05.678Z', kind: 'tool_call', agent: 'a1', task: 't9', credential: 'tok-1', meta: { tool: 'search' } });
    expect(e0.prev).toBeUndefined();
    expect(e0.payload).toMatchObject({ size: 9, type: 'application/json' });
    expect(e1.prev).toBe(first.leafHash);
    expect(e1.ts).toBe('2026-01-02T03:04:05.678Z');
    expect(second.index).toBe(1);
    const text = new TextDecoder().decode(ledger.readLeaf(0));
    expect(text.startsWith('{"agent":"a1","credential":"tok-1","index":0,"kind":"tool_call","meta":{"tool":"search"},"payload":{"commitment":"')).toBe(true);
    await ledger.close();
  });

  it('stores the payload apart from the entry, and salt and payload open the commitment', async () => {
    const { ledger } = newLedger();
    await ledger.append(parseAppendRequest({ kind: 'response', agent: 'a', payload: 'the answer is 42' }));
    const entry = decodeEntry(ledger.readLeaf(0));
    expect(new TextDecoder().decode(ledger.readLeaf(0))).not.toContain('the answer');
    const stored = ledger.readPayload(0);
    if (stored.state !== 'present') throw new Error('payload should be present');
    expect(new TextDecoder().decode(stored.body)).toBe('the answer is 42');
    expect(stored.salt.length).toBe(32);
    expect(openCommitment(decodeBase64(entry.payload.commitment), stored.salt, stored.body)).toBe(true);
    expect(openCommitment(decodeBase64(entry.payload.commitment), stored.salt, new TextEncoder().encode('the answer is 43'))).toBe(false);
    await ledger.close();
  });

  it('groups concurrent appends into one transaction with one checkpoint', async () => {
    const { ledger } = newLedger({ commitWindowMs: 20, maxBatch: 1000 });
    const receipts = await Promise.all(Array.from({ length: 200 }, (_, i) => ledger.append(parseAppendRequest(request(i)))));
    expect(new Set(receipts.map((r) => r.checkpoint)).size).toBe(1);
    expect([...ledger.storage.iterateCheckpoints()].length).toBe(1);
    await ledger.close();
  });

  it('splits a burst larger than maxBatch into several commits, each with its own checkpoint', async () => {
    const { ledger } = newLedger({ commitWindowMs: 50, maxBatch: 16 });
    const receipts = await Promise.all(Array.from({ length: 40 }, (_, i) => ledger.append(parseAppendRequest(request(i)))));
    const sizes = [...ledger.storage.iterateCheckpoints()].map((c) => c.size);
    expect(sizes).toEqual([16, 32, 40]);
    expect(parseCheckpoint(verifyNote(receipts[20]!.checkpoint, [parseVerifierKey(ledger.verifierKey!)]).body).size).toBe(32);
    await ledger.close();
  });

  it('fails fast with LEDGER_BUSY when the append queue is full, and records the rest', async () => {
    const { ledger } = newLedger({ commitWindowMs: 50, maxQueue: 10, maxBatch: 100 });
    const results = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => ledger.append(parseAppendRequest(request(i)))));
    const busy = results.filter((r) => r.status === 'rejected');
    expect(busy).toHaveLength(5);
    for (const b of busy) expect(isVigilError((b as PromiseRejectedResult).reason, 'LEDGER_BUSY')).toBe(true);
    expect(ledger.size).toBe(10);
    await ledger.close();
  });

  it('gives no receipt when the commit fails, and records nothing of the batch', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.append(parseAppendRequest(request(0)));
    // Another writer takes index 1 behind the ledger's back: the next commit must fail as a whole.
    const raw = new Database(path.join(dataDir, DATABASE_FILE));
    raw.prepare('INSERT INTO payloads (idx, salt, body) VALUES (1, x\'00\', x\'00\')').run();
    const attempts = await Promise.allSettled([ledger.append(parseAppendRequest(request(1))), ledger.append(parseAppendRequest(request(2)))]);
    for (const a of attempts) {
      expect(a.status).toBe('rejected');
      expect(isVigilError((a as PromiseRejectedResult).reason, 'LEDGER_COMMIT_FAILED')).toBe(true);
    }
    expect((raw.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n).toBe(1);
    expect((raw.prepare('SELECT COUNT(*) AS n FROM checkpoints').get() as { n: number }).n).toBe(1);
    expect(ledger.size).toBe(1);
    raw.close();
    await ledger.close();
  });

  it('rejects a payload larger than the configured limit before queuing it', async () => {
    const { ledger } = newLedger({ maxPayloadBytes: 10 });
    await expect(ledger.append(parseAppendRequest({ kind: 'prompt', agent: 'a', payload: 'x'.repeat(11) }))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(ledger.size).toBe(0);
    await ledger.close();
  });

  it('keeps the last entries queued at close: close commits them before returning', async () => {
    const { ledger, dataDir } = newLedger({ commitWindowMs: 10_000 });
    const pending = Promise.all(Array.from({ length: 5 }, (_, i) => ledger.append(parseAppendRequest(request(i)))));
    await ledger.close();
    const receipts = await pending;
    expect(receipts.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    const again = Ledger.open({ dataDir });
    expect(again.size).toBe(5);
    expect(again.stat().appendable).toBe(true);
    await again.close();
  });
});

describe('proofs from stored subtree hashes', () => {
  it('match the tree recomputed from every leaf, for every index and size up to 70', async () => {
    const { ledger } = newLedger({ maxBatch: 7, commitWindowMs: 0 });
    for (let i = 0; i < 70; i++) await ledger.append(parseAppendRequest(request(i)));
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(ledger.readLeaf(i)));
    const roots = Array.from({ length: 71 }, (_, n) => merkleRoot(leaves.slice(0, n)));
    for (let n = 1; n <= 70; n++) {
      for (let i = 0; i < n; i++) {
        expect(checkInclusion(leaves[i]!, i, n, ledger.inclusionProof(i, n), roots[n]!)).toEqual({ ok: true });
      }
      for (let m = 1; m <= n; m++) {
        expect(checkConsistency(m, n, ledger.consistencyProof(m, n), roots[m]!, roots[n]!)).toEqual({ ok: true });
      }
    }
    await ledger.close();
  });

  it('refuses proofs outside the tree with INVALID_PROOF_REQUEST', async () => {
    const { ledger } = newLedger();
    await ledger.append(parseAppendRequest(request(0)));
    expect(() => ledger.inclusionProof(1, 1)).toThrow(expect.objectContaining({ code: 'INVALID_PROOF_REQUEST' }));
    expect(() => ledger.inclusionProof(0, 2)).toThrow(expect.objectContaining({ code: 'INVALID_PROOF_REQUEST' }));
    expect(() => ledger.consistencyProof(0, 1)).toThrow(expect.objectContaining({ code: 'INVALID_PROOF_REQUEST' }));
    await ledger.close();
  });
});

describe('recovering from a failed commit', () => {
  it('rewinds to what is on disk, so the next append after the cause is removed takes the failed index', async () => {
    const { ledger, dataDir, vkey } = newLedger();
    await ledger.append(parseAppendRequest(request(0)));
    const raw = new Database(path.join(dataDir, DATABASE_FILE));
    raw.prepare("INSERT INTO payloads (idx, salt, body) VALUES (1, x'00', x'00')").run();
    await expect(ledger.append(parseAppendRequest(request(1)))).rejects.toMatchObject({ code: 'LEDGER_COMMIT_FAILED' });
    raw.exec('DROP TRIGGER payloads_delete_only_erased');
    raw.prepare('DELETE FROM payloads WHERE idx = 1').run();
    raw.close();
    const r = await ledger.append(parseAppendRequest(request(2)));
    expect(r.index).toBe(1);
    checkReceipt(r, vkey, ledger.readLeaf(1));
    expect(decodeEntry(ledger.readLeaf(1)).prev).toBe(encodeBase64(leafHash(ledger.readLeaf(0))));
    await ledger.close();
  });
});

describe('the pipeline: payloads digested on the writer, batches built on the main thread, then committed', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('gives every entry its own payload when an item in the middle of a batch is refused while it is built', async () => {
    const { ledger } = newLedger({ commitWindowMs: 50 });
    const agents = ['a0', 'a1', 'bad \ud800', 'a3', 'a4'];
    const settled = await Promise.allSettled(agents.map((agent, i) => ledger.record({ kind: 'prompt', agent }, { bytes: bytes(`payload ${i}`), type: 'text/plain' })));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(isVigilError((settled[2] as PromiseRejectedResult).reason, 'INVALID_INPUT')).toBe(true);
    const indexes = settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<Receipt>).value.index);
    expect(indexes).toEqual([0, 1, 2, 3]);
    // Entry k holds the commitment of the payload stored at k, and that payload is the k-th accepted one.
    const expected = ['payload 0', 'payload 1', 'payload 3', 'payload 4'];
    for (let k = 0; k < 4; k++) {
      const entry = decodeEntry(ledger.readLeaf(k));
      const stored = ledger.readPayload(k);
      if (stored.state !== 'present') throw new Error('payload missing');
      expect(new TextDecoder().decode(stored.body)).toBe(expected[k]);
      expect(entry.agent).toBe(agents[k < 2 ? k : k + 1]);
      expect(openCommitment(decodeBase64(entry.payload.commitment), stored.salt, stored.body)).toBe(true);
    }
    await ledger.close();
  });

  it('drops a batch whose every item is refused, and goes on with the next one', async () => {
    const { ledger, vkey } = newLedger();
    await expect(ledger.record({ kind: 'prompt', agent: '\udc00' }, { bytes: bytes('x'), type: 'text/plain' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const r = await ledger.append(parseAppendRequest(request(1)));
    expect(r.index).toBe(0);
    checkReceipt(r, vkey, ledger.readLeaf(0));
    await ledger.close();
  });

  it('fails the batches in flight behind a failed commit, whatever their stage, and records the next ones', async () => {
    const { ledger, dataDir, vkey } = newLedger({ maxBatch: 1 });
    await ledger.append(parseAppendRequest(request(0)));
    const raw = new Database(path.join(dataDir, DATABASE_FILE));
    raw.prepare("INSERT INTO payloads (idx, salt, body) VALUES (1, x'00', x'00')").run();
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => ledger.append(parseAppendRequest(request(i + 1)))));
    const failed = attempts.filter((a) => a.status === 'rejected');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const a of failed) expect(isVigilError((a as PromiseRejectedResult).reason, 'LEDGER_COMMIT_FAILED')).toBe(true);
    // Whatever was not failed was committed after the rewind, on top of entry 0 and in order.
    const recorded = attempts.filter((a) => a.status === 'fulfilled').map((a) => (a as PromiseFulfilledResult<Receipt>).value);
    raw.exec('DROP TRIGGER payloads_delete_only_erased');
    raw.prepare('DELETE FROM payloads WHERE idx = 1 AND length(salt) = 1').run();
    raw.close();
    expect(recorded.every((r) => r.index >= 1)).toBe(true);
    const r = await ledger.append(parseAppendRequest(request(99)));
    expect(r.index).toBe(ledger.size - 1);
    for (let i = 1; i < ledger.size; i++) expect(decodeEntry(ledger.readLeaf(i)).prev).toBe(encodeBase64(leafHash(ledger.readLeaf(i - 1))));
    checkReceipt(r, vkey, ledger.readLeaf(r.index));
    await ledger.close();
  });
});

describe('payload commitments', () => {
  it('the base64 commitment written into entries equals base64 of SHA-256(salt ‖ payload)', async () => {
    const { payloadCommitment, payloadCommitmentBase64 } = await import('../src/entry/index.js');
    const salt = new Uint8Array(32).fill(3);
    for (const body of [new Uint8Array(0), new TextEncoder().encode('hello'), new Uint8Array(5000).fill(9)]) {
      expect(payloadCommitmentBase64(salt, body)).toBe(encodeBase64(payloadCommitment(salt, body)));
    }
  });
});
