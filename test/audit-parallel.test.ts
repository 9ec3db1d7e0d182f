/**
 * The parallel verification engine against the serial one on a ledger of a few thousand entries built with
 * the real Ledger: many checkpoints, a key rotation and erasures, spread over many chunks. The parallel
 * engine must return exactly the serial engine's report, name the first failure in index order even when a
 * worker finds a later one first, and leave no worker thread or open stream behind.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { VerifyWorkerPool, verifyLedger, verifyLedgerParallel, type LedgerEvidence, type VerificationReport } from '../src/audit/index.js';
import type { ChunkRequest, ChunkResult } from '../src/audit/parallel-protocol.js';
import { Ledger, LedgerStore, DATABASE_FILE, generateKey, storeEvidence } from '../src/ledger/index.js';
import { decodeEntry, encodeEntry, parseAppendRequest } from '../src/entry/index.js';
import { encodeBase64, leafHash } from '../src/tlog/index.js';
import { request } from './support/ledger-fixture.js';

const FIRST = 1300; // entries before the key rotation
const TOTAL = 3000;
const CHUNK = 256;

let base: string;
let vkey: string;
let nextKey: string;
let pinNote: string;
let erasureIndexes: number[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-audit-parallel-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  base = tempDir();
  const signer = generateKey(base, 'test.example/ledger');
  vkey = signer.verifierKey;
  const ledger = Ledger.open({ dataDir: base, commitWindowMs: 0, maxBatch: 97, maxQueue: 10_000 });
  const appendMany = async (from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, to - i) }, (_, k) => ledger.append(parseAppendRequest(request(i + k)))));
    }
  };
  await appendMany(0, 700);
  const erased = await ledger.erase({ indexes: [5, 300, 640], reason: 'data subject request', basis: 'GDPR Art. 17(1)(a)', actor: 'dpo' });
  await appendMany(ledger.size, FIRST);
  const next = generateKey(base, 'test.example/ledger');
  nextKey = next.verifierKey;
  await ledger.rotateKey(next);
  await appendMany(ledger.size, 2000);
  const erasedLater = await ledger.erase({ indexes: [1500, 1999], reason: 'retention', basis: 'GDPR Art. 5(1)(e)', actor: 'dpo' });
  await appendMany(ledger.size, TOTAL);
  await ledger.close();
  erasureIndexes = [...erased.erased, ...erasedLater.erased];
  const raw = new Database(path.join(base, DATABASE_FILE), { readonly: true });
  // A checkpoint from after the rotation and in the middle of a chunk, kept by an auditor earlier.
  pinNote = (raw.prepare('SELECT note FROM checkpoints WHERE size > 2100 AND size % ? != 0 ORDER BY size LIMIT 1').get(CHUNK) as { note: string }).note;
  raw.close();
}, 120_000);

afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function copyOfBase(): string {
  const dir = tempDir();
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

/** Opens the file for tampering with every append-only trigger dropped. */
function tamper(dataDir: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string }>;
  for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
  fn(db);
  db.close();
}

function replaceAgent(db: Database.Database, idx: number): void {
  const leaf = (db.prepare('SELECT leaf FROM entries WHERE idx = ?').get(idx) as { leaf: Buffer }).leaf;
  const changed = Buffer.from(leaf.toString('utf8').replace('"agent":"agent-a"', '"agent":"agent-z"'));
  expect(changed.equals(leaf)).toBe(false);
  db.prepare('UPDATE entries SET leaf = ? WHERE idx = ?').run(changed, idx);
}

async function bothEngines(dataDir: string, options: { payloads?: boolean; pinned?: string; trustedKey?: string; pool?: VerifyWorkerPool; maxInFlight?: number } = {}): Promise<{ serial: VerificationReport; parallel: VerificationReport }> {
  const store = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const evidence = storeEvidence(store, { payloads: options.payloads });
    const common = { trustedKey: options.trustedKey ?? vkey, pinned: options.pinned };
    const serial = verifyLedger(evidence, common);
    const parallel = await verifyLedgerParallel(evidence, { ...common, chunkSize: CHUNK, workers: 2, pool: options.pool, maxInFlight: options.maxInFlight });
    return { serial, parallel };
  } finally {
    store.close();
  }
}

describe('the parallel verification engine on a ledger with checkpoints, a key rotation and erasures', () => {
  it('returns the serial engine\'s report, with payloads, without payloads and with a pinned checkpoint', async () => {
    const withPayloads = await bothEngines(base);
    expect(withPayloads.serial.failure).toBeUndefined();
    expect(withPayloads.serial).toMatchObject({ ok: true, size: TOTAL, signers: [vkey, nextKey], payloads: { checked: true, erased: erasureIndexes.length } });
    expect(withPayloads.serial.checkpointsVerified).toBeGreaterThan(TOTAL / 97);
    expect(withPayloads.serial.erasures.map((e) => e.index)).toEqual(erasureIndexes);
    expect(withPayloads.parallel).toEqual(withPayloads.serial);

    const withoutPayloads = await bothEngines(base, { payloads: false });
    expect(withoutPayloads.serial).toMatchObject({ ok: true, payloads: { checked: false } });
    expect(withoutPayloads.parallel).toEqual(withoutPayloads.serial);

    const pinned = await bothEngines(base, { pinned: pinNote, maxInFlight: 1 });
    expect(pinned.serial).toMatchObject({ ok: true, pin: { consistent: true } });
    expect(pinned.parallel).toEqual(pinned.serial);
  });

  it('reports progress at the same counts as the serial engine', async () => {
    const store = LedgerStore.open(path.join(base, DATABASE_FILE), { readonly: true });
    try {
      const serial: number[] = [];
      const parallel: number[] = [];
      verifyLedger(storeEvidence(store), { trustedKey: vkey, progressEvery: 500, onProgress: (n) => serial.push(n) });
      await verifyLedgerParallel(storeEvidence(store), { trustedKey: vkey, progressEvery: 500, onProgress: (n) => parallel.push(n), chunkSize: CHUNK, workers: 2 });
      expect(serial).toEqual([500, 1000, 1500, 2000, 2500, 3000]);
      expect(parallel).toEqual(serial);
    } finally {
      store.close();
    }
  });

  it('fails like the serial engine for a verifier that holds only the rotated-to key', async () => {
    const { serial, parallel } = await bothEngines(base, { trustedKey: nextKey });
    expect(serial.failure).toMatchObject({ code: 'CHECKPOINT_SIGNATURE' });
    expect(parallel).toEqual(serial);
  });

  it('reports a corruption in a late chunk at its own index, as the serial engine does', async () => {
    const dir = copyOfBase();
    tamper(dir, (db) => replaceAgent(db, 2800));
    const { serial, parallel } = await bothEngines(dir);
    expect(serial.failure).toMatchObject({ code: 'CHAIN_BROKEN', index: 2801 });
    expect(parallel).toEqual(serial);
  });

  it('reports the earlier of two corruptions even when the worker with the later one answers first', async () => {
    const dir = copyOfBase();
    tamper(dir, (db) => {
      replaceAgent(db, 2800);
      replaceAgent(db, 300);
    });
    // Replies for the first chunks are held back, so the late chunk's failure reaches the main thread first.
    const arrivals: Array<{ start: number; failed: boolean }> = [];
    class EarlyChunksLate extends VerifyWorkerPool {
      override async submit(req: ChunkRequest): Promise<ChunkResult> {
        const start = req.start;
        const result = await super.submit(req);
        if (start < 4 * CHUNK) await new Promise((resolve) => setTimeout(resolve, 400));
        arrivals.push({ start, failed: result.failure !== undefined });
        return result;
      }
    }
    const pool = new EarlyChunksLate(2);
    try {
      const { serial, parallel } = await bothEngines(dir, { pool, maxInFlight: 64 });
      expect(serial.failure).toMatchObject({ code: 'CHAIN_BROKEN', index: 301 });
      expect(parallel).toEqual(serial);
    } finally {
      await pool.close();
    }
    const late = arrivals.findIndex((a) => a.start === Math.floor(2800 / CHUNK) * CHUNK);
    const early = arrivals.findIndex((a) => a.start === CHUNK);
    expect(arrivals[late]?.failed).toBe(true);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(early === -1 || late < early).toBe(true);
  });

  it('checks the timestamp and the chain across a chunk boundary', async () => {
    const store = LedgerStore.open(path.join(base, DATABASE_FILE), { readonly: true });
    const evidence = storeEvidence(store);
    const leaves = [...evidence.entries].map((e) => Uint8Array.from(e.leaf));
    const checkpoints = evidence.checkpoints;
    store.close();
    // Entry 2 * CHUNK (the first of a chunk) gets an earlier timestamp; everything after it is re-chained.
    const rewritten: Uint8Array[] = leaves.slice();
    let prev = encodeBase64(leafHash(leaves[2 * CHUNK - 1]!));
    for (let i = 2 * CHUNK; i < 3 * CHUNK; i++) {
      const e = decodeEntry(leaves[i]!);
      const leaf = encodeEntry({ ...e, prev, ts: i === 2 * CHUNK ? '2000-01-01T00:00:00.000Z' : e.ts });
      rewritten[i] = leaf;
      prev = encodeBase64(leafHash(leaf));
    }
    const make = (ls: Uint8Array[]): LedgerEvidence => ({ entries: ls.map((leaf, index) => ({ index, leaf })), checkpoints });
    const serial = verifyLedger(make(rewritten), { trustedKey: vkey });
    expect(serial.failure).toMatchObject({ code: 'TIMESTAMP_REGRESSION', index: 2 * CHUNK });
    expect(await verifyLedgerParallel(make(rewritten), { trustedKey: vkey, chunkSize: CHUNK, workers: 2 })).toEqual(serial);

    // A broken link exactly at a chunk boundary: the first entry of a chunk names the wrong predecessor.
    const unlinked: Uint8Array[] = leaves.slice();
    unlinked[3 * CHUNK] = encodeEntry({ ...decodeEntry(leaves[3 * CHUNK]!), prev: encodeBase64(leafHash(leaves[0]!)) });
    const serial2 = verifyLedger(make(unlinked), { trustedKey: vkey });
    expect(serial2.failure).toMatchObject({ code: 'CHAIN_BROKEN', index: 3 * CHUNK });
    expect(await verifyLedgerParallel(make(unlinked), { trustedKey: vkey, chunkSize: CHUNK, workers: 2 })).toEqual(serial2);
  });
});

describe('the parallel verification engine cleans up', () => {
  function threadsOf(spy: { mock: { contexts: unknown[] } }): Worker[] {
    return [...new Set(spy.mock.contexts as Worker[])];
  }

  it('terminates its workers after a success and after a failure', async () => {
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    const ok = await bothEngines(base, { payloads: false });
    expect(ok.parallel.ok).toBe(true);
    const dir = copyOfBase();
    tamper(dir, (db) => replaceAgent(db, 10));
    const failed = await bothEngines(dir, { payloads: false });
    expect(failed.parallel.failure).toMatchObject({ code: 'CHAIN_BROKEN', index: 11 });
    const workers = threadsOf(posted);
    expect(workers.length).toBe(4);
    expect(workers.map((w) => w.threadId)).toEqual([-1, -1, -1, -1]);
  });

  it('passes on an exception from the evidence, after terminating its workers and closing both streams', async () => {
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    const store = LedgerStore.open(path.join(base, DATABASE_FILE), { readonly: true });
    const closed: string[] = [];
    try {
      const real = storeEvidence(store);
      const broken = new Error('disk I/O error');
      const evidence: LedgerEvidence = {
        checkpoints: real.checkpoints,
        entries: {
          [Symbol.iterator]() {
            const inner = real.entries[Symbol.iterator]();
            let n = 0;
            return {
              next() {
                if (n++ === 2 * CHUNK + 5) {
                  inner.return?.(); // a failing cursor is finalized; the caller owes it nothing
                  throw broken;
                }
                return inner.next();
              },
              return() {
                closed.push('entries');
                return inner.return?.() ?? { done: true, value: undefined };
              },
            };
          },
        },
        payloads: {
          [Symbol.iterator]() {
            const inner = (real.payloads as Iterable<{ index: number; salt: Uint8Array; body: Uint8Array }>)[Symbol.iterator]();
            return {
              next: () => inner.next(),
              return() {
                closed.push('payloads');
                return inner.return?.() ?? { done: true, value: undefined };
              },
            };
          },
        },
      };
      expect(() => verifyLedger(evidence, { trustedKey: vkey })).toThrow(broken);
      closed.length = 0;
      await expect(verifyLedgerParallel(evidence, { trustedKey: vkey, chunkSize: CHUNK, workers: 2 })).rejects.toBe(broken);
      // The entries iterator threw by itself, so only the payload stream is owed a return().
      expect(closed).toEqual(['payloads']);
    } finally {
      store.close();
    }
    const workers = threadsOf(posted);
    expect(workers.length).toBe(2);
    expect(workers.every((w) => w.threadId === -1)).toBe(true);
  });

  it('closes the entry stream when it stops at a failure', async () => {
    const store = LedgerStore.open(path.join(base, DATABASE_FILE), { readonly: true });
    try {
      const real = storeEvidence(store, { payloads: false });
      let returned = 0;
      const evidence: LedgerEvidence = {
        checkpoints: real.checkpoints,
        entries: {
          [Symbol.iterator]() {
            const inner = real.entries[Symbol.iterator]();
            let n = 0;
            return {
              next() {
                const step = inner.next();
                // Entry 40 claims to be entry 41: the walk stops there, long before the end.
                return n++ === 40 && !step.done ? { done: false, value: { ...step.value, index: 41 } } : step;
              },
              return() {
                returned++;
                return inner.return?.() ?? { done: true, value: undefined };
              },
            };
          },
        },
      };
      const serial = verifyLedger(evidence, { trustedKey: vkey });
      expect(serial.failure).toMatchObject({ code: 'INDEX_MISMATCH', index: 40 });
      expect(returned).toBe(1);
      expect(await verifyLedgerParallel(evidence, { trustedKey: vkey, chunkSize: 16, workers: 2 })).toEqual(serial);
      expect(returned).toBe(2);
    } finally {
      store.close();
    }
  });
});
