/**
 * Tampering with real ledger files, the way an operator with write access to the SQLite file could (the
 * append-only triggers dropped first), must be caught by the pure verification engine with the right reason.
 * Every case runs through both engines; the parallel one must return exactly the serial one's report, with
 * chunks of one entry (every entry at a chunk boundary) and of eight (checkpoints inside chunks).
 */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { VerifyWorkerPool, verifyLedger, verifyLedgerParallel, type LedgerEvidence, type VerificationReport, type VerifyOptions } from '../src/audit/index.js';
import { Ledger, LedgerStore, DATABASE_FILE, storeEvidence, generateKey } from '../src/ledger/index.js';
import { decodeEntry, encodeEntry, parseAppendRequest } from '../src/entry/index.js';
import { NoteSigner, encodeBase64, formatCheckpoint, leafHash, randomBytes } from '../src/tlog/index.js';
import { newLedger, request, tempDataDir } from './support/ledger-fixture.js';

const SIZE = 20;

async function buildLedger(): Promise<{ dataDir: string; vkey: string; checkpointAt: (size: number) => string | undefined }> {
  const { ledger, dataDir, vkey } = newLedger({ maxBatch: 4, commitWindowMs: 0 });
  await Promise.all(Array.from({ length: SIZE }, (_, i) => ledger.append(parseAppendRequest(request(i)))));
  await ledger.close();
  const raw = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  const notes = new Map((raw.prepare('SELECT size, note FROM checkpoints').all() as Array<{ size: number; note: string }>).map((r) => [r.size, r.note]));
  raw.close();
  return { dataDir, vkey, checkpointAt: (size) => notes.get(size) };
}

/** Opens the file for tampering with every append-only trigger dropped. */
function tamper(dataDir: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string }>;
  for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
  fn(db);
  db.close();
}

type Engine = 'serial' | 'parallel';
const ENGINES: Array<{ engine: Engine }> = [{ engine: 'serial' }, { engine: 'parallel' }];

const pool = new VerifyWorkerPool(2);
afterAll(() => pool.close());

/** The engine's report; the parallel engine's must equal the serial engine's, whatever the chunk size. */
async function verifyWith(engine: Engine, evidence: LedgerEvidence, options: VerifyOptions): Promise<VerificationReport> {
  const serial = verifyLedger(evidence, options);
  if (engine === 'serial') return serial;
  let parallel: VerificationReport | undefined;
  for (const chunkSize of [1, 8]) {
    parallel = await verifyLedgerParallel(evidence, { ...options, pool, chunkSize });
    expect(parallel, `parallel engine, chunks of ${chunkSize}`).toEqual(serial);
  }
  return parallel as VerificationReport;
}

async function verifyFile(engine: Engine, dataDir: string, vkey: string, pinned?: string): Promise<VerificationReport> {
  const store = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return await verifyWith(engine, storeEvidence(store), { trustedKey: vkey, pinned });
  } finally {
    store.close();
  }
}

function leafOf(db: Database.Database, idx: number): Buffer {
  return (db.prepare('SELECT leaf FROM entries WHERE idx = ?').get(idx) as { leaf: Buffer }).leaf;
}

describe.each(ENGINES)('the $engine verification engine on an untouched ledger', ({ engine }) => {
  it('verifies every entry, checkpoint and payload and reports the figures', async () => {
    const { dataDir, vkey } = await buildLedger();
    const report = await verifyFile(engine, dataDir, vkey);
    expect(report.failure).toBeUndefined();
    expect(report).toMatchObject({ ok: true, size: SIZE, checkpointsVerified: 5, latestCheckpointSize: SIZE, signers: [vkey], payloads: { checked: true, present: SIZE, erased: 0 } });
  });
});

describe.each(ENGINES)('tampering with a ledger file is detected by the $engine engine', ({ engine }) => {
  it('a flipped byte inside an entry breaks the chain at the next entry', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => {
      const leaf = Buffer.from(leafOf(db, 5).toString('utf8').replace('"agent":"agent-a"', '"agent":"agent-b"'));
      db.prepare('UPDATE entries SET leaf = ? WHERE idx = 5').run(leaf);
    });
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'CHAIN_BROKEN', index: 6 });
  });

  it('a flipped byte in the last entry is caught by the checkpoint root', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => {
      const leaf = Buffer.from(leafOf(db, SIZE - 1).toString('utf8').replace('"agent":"agent-a"', '"agent":"agent-c"'));
      db.prepare('UPDATE entries SET leaf = ? WHERE idx = ?').run(leaf, SIZE - 1);
    });
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'CHECKPOINT_ROOT_MISMATCH', checkpointSize: SIZE });
  });

  it('a byte flip that breaks the JSON is reported as a malformed entry', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => {
      const leaf = Buffer.from(leafOf(db, 3));
      leaf[0] = 0x5b; // '{' becomes '['
      db.prepare('UPDATE entries SET leaf = ? WHERE idx = 3').run(leaf);
    });
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'ENTRY_MALFORMED', index: 3 });
  });

  it('a deleted entry is found at its position', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => db.prepare('DELETE FROM entries WHERE idx = 7').run());
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'INDEX_MISMATCH', index: 7 });
  });

  it('two swapped entries are found', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => {
      const a = leafOf(db, 3);
      const b = leafOf(db, 4);
      db.prepare('UPDATE entries SET leaf = ? WHERE idx = 3').run(b);
      db.prepare('UPDATE entries SET leaf = ? WHERE idx = 4').run(a);
    });
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'INDEX_MISMATCH', index: 3 });
  });

  it('an inserted entry with a recomputed chain is caught by the signed checkpoint', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => {
      // The forger inserts an entry at 10 and renumbers and re-chains everything after it, without the key.
      const entries = Array.from({ length: SIZE }, (_, i) => decodeEntry(leafOf(db, i)));
      const forged = { ...entries[9]!, agent: 'forged-agent' };
      const rewritten = [...entries.slice(0, 10), forged, ...entries.slice(10)];
      const payloads = db.prepare('SELECT idx, salt, body FROM payloads ORDER BY idx').all() as Array<{ idx: number; salt: Buffer; body: Buffer }>;
      const shifted = [...payloads.slice(0, 10), payloads[9]!, ...payloads.slice(10)];
      db.prepare('DELETE FROM entries').run();
      db.prepare('DELETE FROM payloads').run();
      shifted.forEach((p, i) => db.prepare('INSERT INTO payloads (idx, salt, body) VALUES (?, ?, ?)').run(i, p.salt, p.body));
      let prev: string | undefined;
      rewritten.forEach((e, i) => {
        const leaf = encodeEntry({ ...e, index: i, prev });
        db.prepare('INSERT INTO entries (idx, leaf) VALUES (?, ?)').run(i, leaf);
        prev = encodeBase64(leafHash(leaf));
      });
    });
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'CHECKPOINT_ROOT_MISMATCH', checkpointSize: 12 });
  });

  it('an entry appended behind the ledger is covered by no checkpoint', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => {
      const last = decodeEntry(leafOf(db, SIZE - 1));
      const leaf = encodeEntry({ ...last, index: SIZE, prev: encodeBase64(leafHash(leafOf(db, SIZE - 1))) });
      db.prepare('INSERT INTO entries (idx, leaf) VALUES (?, ?)').run(SIZE, leaf);
    });
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'UNCOVERED_ENTRIES', index: SIZE });
  });

  it('a truncated tail is caught by the checkpoints that covered it', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => db.prepare('DELETE FROM entries WHERE idx >= 15').run());
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'CHECKPOINT_BEYOND_LOG', index: 15 });
  });

  it('a tail truncated together with its checkpoints is caught by a pinned checkpoint', async () => {
    const { dataDir, vkey, checkpointAt } = await buildLedger();
    const pin = checkpointAt(SIZE) as string;
    tamper(dataDir, (db) => {
      db.prepare('DELETE FROM entries WHERE idx >= 12').run();
      db.prepare('DELETE FROM payloads WHERE idx >= 12').run();
      db.prepare('DELETE FROM checkpoints WHERE size > 12').run();
    });
    expect((await verifyFile(engine, dataDir, vkey)).ok).toBe(true); // without the pin this looks like a shorter, honest log
    expect((await verifyFile(engine, dataDir, vkey, pin)).failure).toMatchObject({ code: 'PIN_BEYOND_LOG' });
  });

  it('a replaced payload no longer opens its commitment', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => db.prepare('UPDATE payloads SET body = ? WHERE idx = 8').run(Buffer.from('payload number 9')));
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'PAYLOAD_MISMATCH', index: 8 });
  });

  it('a payload deleted without an erasure entry is reported missing', async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => db.prepare('DELETE FROM payloads WHERE idx = 2').run());
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'PAYLOAD_MISSING', index: 2 });
  });

  it("an entry whose prev points to another entry's hash breaks the chain", async () => {
    const { dataDir, vkey } = await buildLedger();
    tamper(dataDir, (db) => {
      const e = decodeEntry(leafOf(db, 9));
      db.prepare('UPDATE entries SET leaf = ? WHERE idx = 9').run(encodeEntry({ ...e, prev: encodeBase64(leafHash(leafOf(db, 7))) }));
    });
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'CHAIN_BROKEN', index: 9 });
  });

  it('a checkpoint signed by another key is rejected', async () => {
    const { dataDir, vkey, checkpointAt } = await buildLedger();
    const other = new NoteSigner('test.example/ledger', randomBytes(32));
    const body = (checkpointAt(8) as string).split('\n\n')[0] + '\n';
    tamper(dataDir, (db) => db.prepare('UPDATE checkpoints SET note = ? WHERE size = 8').run(other.sign(body)));
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'CHECKPOINT_SIGNATURE', checkpointSize: 8 });
  });

  it('a checkpoint with a wrong root or size, even signed with the real key, is rejected', async () => {
    const { dataDir, vkey } = await buildLedger();
    const keyFile = fs.readdirSync(path.join(dataDir, 'keys'))[0] as string;
    const seed = Buffer.from(JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', keyFile), 'utf8')).seed, 'base64');
    const real = new NoteSigner('test.example/ledger', seed);
    tamper(dataDir, (db) => {
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = 8').run(real.sign(formatCheckpoint({ origin: 'test.example/ledger', size: 8, rootHash: randomBytes(32), extensions: [] })));
    });
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'CHECKPOINT_ROOT_MISMATCH', checkpointSize: 8 });

    const second = await buildLedger();
    const keyFile2 = fs.readdirSync(path.join(second.dataDir, 'keys'))[0] as string;
    const seed2 = Buffer.from(JSON.parse(fs.readFileSync(path.join(second.dataDir, 'keys', keyFile2), 'utf8')).seed, 'base64');
    const real2 = new NoteSigner('test.example/ledger', seed2);
    const root8 = (second.checkpointAt(8) as string).split('\n')[2] as string;
    tamper(second.dataDir, (db) => {
      // Root of size 8, but claimed for size 9 (the row keyed 12 is replaced, so ordering is kept).
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = 12').run(real2.sign(`test.example/ledger\n9\n${root8}\n`));
    });
    expect((await verifyFile(engine, second.dataDir, second.vkey)).failure).toMatchObject({ code: 'CHECKPOINT_ROOT_MISMATCH', checkpointSize: 9 });
  });

  it('history rewritten and re-signed with the real key passes alone but fails against a pinned checkpoint', async () => {
    const { dataDir, vkey, checkpointAt } = await buildLedger();
    const pin = checkpointAt(SIZE) as string;
    // The operator rebuilds the whole file from altered entries with the same key.
    const rebuilt = tempDataDir();
    fs.cpSync(path.join(dataDir, 'keys'), path.join(rebuilt, 'keys'), { recursive: true });
    const forger = Ledger.open({ dataDir: rebuilt, commitWindowMs: 0 });
    for (let i = 0; i < SIZE; i++) await forger.append(parseAppendRequest(request(i, i === 4 ? { payload: 'rewritten' } : {})));
    await forger.close();
    const alone = await verifyFile(engine, rebuilt, vkey);
    expect(alone.ok).toBe(true);
    expect((await verifyFile(engine, rebuilt, vkey, pin)).failure).toMatchObject({ code: 'PIN_INCONSISTENT', checkpointSize: SIZE });
    // The untouched ledger is consistent with the same pin.
    expect(await verifyFile(engine, dataDir, vkey, pin)).toMatchObject({ ok: true, pin: { size: SIZE, consistent: true } });
  });

  it('a pinned checkpoint signed by an unknown key is refused', async () => {
    const { dataDir, vkey } = await buildLedger();
    const other = new NoteSigner('test.example/ledger', randomBytes(32));
    const fake = other.sign(formatCheckpoint({ origin: 'test.example/ledger', size: 3, rootHash: randomBytes(32), extensions: [] }));
    expect((await verifyFile(engine, dataDir, vkey, fake)).failure?.code).toMatch(/PIN_/);
  });

  it('a checkpoint signed by a key the chain never introduced fails, even if that key is in the data directory', async () => {
    const { ledger, dataDir, vkey } = newLedger({ commitWindowMs: 0 });
    await ledger.append(parseAppendRequest(request(0)));
    await ledger.close();
    const intruder = generateKey(dataDir, 'test.example/ledger');
    const raw = new Database(path.join(dataDir, DATABASE_FILE));
    // Make the intruder the active key without a key_rotation entry.
    raw.prepare('INSERT INTO signing_keys (since_index, vkey) VALUES (0, ?)').run(intruder.verifierKey);
    raw.close();
    const reopened = Ledger.open({ dataDir, commitWindowMs: 0 });
    await reopened.append(parseAppendRequest(request(1)));
    await reopened.close();
    expect((await verifyFile(engine, dataDir, vkey)).failure).toMatchObject({ code: 'CHECKPOINT_SIGNATURE', checkpointSize: 2 });
  });
});

describe.each(ENGINES)('property: any single-byte change in any leaf is detected by the $engine engine', ({ engine }) => {
  it('holds for random positions and values across all entries', async () => {
    const { dataDir, vkey } = await buildLedger();
    const store = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { readonly: true });
    const evidence = storeEvidence(store);
    const leaves = [...evidence.entries].map((e) => Uint8Array.from(e.leaf));
    const checkpoints = evidence.checkpoints;
    const payloads = [...(evidence.payloads ?? [])];
    store.close();
    const make = (ls: Uint8Array[]): LedgerEvidence => ({ entries: ls.map((leaf, index) => ({ index, leaf })), checkpoints, payloads });
    expect((await verifyWith(engine, make(leaves), { trustedKey: vkey })).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: SIZE - 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (entry, pos, delta) => {
        const copy = leaves.map((l) => l);
        const leaf = Uint8Array.from(copy[entry]!);
        const at = pos % leaf.length;
        leaf[at] = (leaf[at]! + delta) % 256;
        copy[entry] = leaf;
        const report = await verifyWith(engine, make(copy), { trustedKey: vkey });
        return report.ok === false && report.failure !== undefined;
      }),
      { numRuns: engine === 'serial' ? 500 : 100 },
    );
  });
});
