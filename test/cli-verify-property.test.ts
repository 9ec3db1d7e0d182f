/**
 * Properties of `vigil verify --db` and of the file reader under it (LedgerFileReader, which reads the
 * SQLite file format without SQLite so that verification never writes):
 * - any single-byte change anywhere in the entries' leaf bytes of a ledger file is detected (exit 1);
 * - the reader returns exactly what SQLite returns, on random ledgers (payloads small and spilling over
 *   several overflow pages, erasures, data still in the WAL beside a live writer) and on a copy with 4 KiB
 *   pages in rollback-journal mode (deeper b-trees);
 * - on a file with corrupted pages it either reads or fails with IO_ERROR: never another error, never a hang.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Ledger, LedgerFileReader, LedgerStore, DATABASE_FILE, fileEvidence, generateKey } from '../src/ledger/index.js';
import { parseAppendRequest } from '../src/entry/index.js';
import { isVigilError } from '../src/errors.js';
import { verifyLedger } from '../src/audit/index.js';
import { EMPTY_ROOT, encodeBase64 } from '../src/tlog/index.js';
import { KEY_NAME, freshLedger, tamper, tempDir, verifyJson } from './support/verify-helpers.js';

describe('property: any single-byte change in the leaf bytes of a ledger file is detected by vigil verify --db', () => {
  it('holds for random entries, positions and values', async () => {
    const pristine = await freshLedger();
    const leaves = (() => {
      const db = new Database(pristine.file, { readonly: true });
      const rows = db.prepare('SELECT idx, leaf FROM entries ORDER BY idx').all() as Array<{ idx: number; leaf: Buffer }>;
      db.close();
      return rows;
    })();
    const work = tempDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: leaves.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (entry, pos, delta) => {
        const dir = path.join(work, String(run++));
        fs.cpSync(pristine.dataDir, dir, { recursive: true });
        const file = path.join(dir, DATABASE_FILE);
        tamper(file, (db) => {
          const leaf = Buffer.from((leaves[entry] as { leaf: Buffer }).leaf);
          const at = pos % leaf.length;
          leaf[at] = ((leaf[at] as number) + delta) % 256;
          db.prepare('UPDATE entries SET leaf = ? WHERE idx = ?').run(leaf, entry);
        });
        const r = await verifyJson(['--db', file, '--key', pristine.vkey]);
        fs.rmSync(dir, { recursive: true, force: true });
        return r.code === 1 && r.json.ok === false && typeof r.json.failure?.code === 'string';
      }),
      { numRuns: 30 },
    );
  });
});

/** Everything the verifier reads, through SQLite and through the file reader. */
function readBoth(file: string): { sqlite: unknown; reader: unknown } {
  const store = LedgerStore.open(file, { readonly: true });
  const reader = LedgerFileReader.open(file);
  try {
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    const size = store.size();
    const sqlite = {
      size,
      leaves: [...store.iterateLeavesChunked()].map((e) => [e.index, hex(e.leaf)]),
      payloads: [...store.iteratePayloadsChunked()].map((p) => [p.index, hex(p.salt), hex(p.body)]),
      checkpoints: [...store.iterateCheckpoints()],
      latest: store.latestCheckpoint(),
      points: Array.from({ length: size + 2 }, (_, i) => [store.readLeaf(i) && hex(store.readLeaf(i) as Uint8Array), JSON.stringify(store.readPayload(i)), store.readNode(i) && hex(store.readNode(i) as Uint8Array)]),
    };
    const fromReader = {
      size: reader.size(),
      leaves: [...reader.iterateLeaves()].map((e) => [e.index, hex(e.leaf)]),
      payloads: [...reader.iteratePayloads()].map((p) => [p.index, hex(p.salt), hex(p.body)]),
      checkpoints: reader.checkpoints(),
      latest: reader.latestCheckpoint(),
      points: Array.from({ length: size + 2 }, (_, i) => [reader.readLeaf(i) && hex(reader.readLeaf(i) as Uint8Array), JSON.stringify(reader.readPayload(i)), reader.readNode(i) && hex(reader.readNode(i) as Uint8Array)]),
    };
    return { sqlite, reader: fromReader };
  } finally {
    reader.close();
    store.close();
  }
}

describe('property: the file reader reads exactly what SQLite reads', () => {
  it('on random ledgers, closed and beside a live writer (data in the WAL)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 15_000, max: 70_000 })), { minLength: 0, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.integer({ min: 1, max: 9 }),
        async (sizes, erase, batch) => {
          const dataDir = tempDir();
          generateKey(dataDir, KEY_NAME);
          const ledger = Ledger.open({ dataDir, commitWindowMs: 0, maxBatch: batch });
          const file = path.join(dataDir, DATABASE_FILE);
          try {
            await Promise.all(sizes.map((n, i) => ledger.append(parseAppendRequest({ kind: 'tool_result', agent: 'a', payload: 'x'.repeat(n) + String(i) }))));
            const indexes = [...new Set(erase.filter(() => sizes.length > 0).map((e) => e % sizes.length))];
            if (indexes.length > 0) await ledger.erase({ indexes, reason: 'r', basis: 'b', actor: 'x' });
            const live = readBoth(file);
            expect(live.reader).toEqual(live.sqlite);
          } finally {
            await ledger.close();
          }
          const closed = readBoth(file);
          expect(closed.reader).toEqual(closed.sqlite);
          return true;
        },
      ),
      { numRuns: 6 },
    );
  });

  it('on a copy with 4 KiB pages in rollback-journal mode, and the verification agrees', async () => {
    const dataDir = tempDir();
    const vkey = generateKey(dataDir, KEY_NAME).verifierKey;
    const ledger = Ledger.open({ dataDir, commitWindowMs: 0, maxBatch: 50 });
    await Promise.all(Array.from({ length: 2500 }, (_, i) => ledger.append(parseAppendRequest({ kind: 'prompt', agent: 'a', payload: i % 250 === 0 ? 'y'.repeat(9000) : `p${i}` }))));
    await ledger.close();
    const copy = path.join(tempDir(), 'small-pages.db');
    const out = new Database(copy);
    out.pragma('page_size = 4096');
    out.pragma('journal_mode = DELETE');
    out.exec(`ATTACH '${path.join(dataDir, DATABASE_FILE)}' AS src`);
    const tables = out.prepare("SELECT name, sql FROM src.sqlite_master WHERE type = 'table'").all() as Array<{ name: string; sql: string }>;
    for (const t of tables) {
      out.exec(t.sql);
      out.exec(`INSERT INTO main.${t.name} SELECT * FROM src.${t.name}`);
    }
    out.exec('DETACH src');
    out.close();
    const both = readBoth(copy);
    expect(both.reader).toEqual(both.sqlite);
    const reader = LedgerFileReader.open(copy);
    try {
      expect(reader.pageSize).toBe(4096);
      expect(verifyLedger(fileEvidence(reader), { trustedKey: vkey })).toMatchObject({ ok: true, size: 2500 });
    } finally {
      reader.close();
    }
  });
});

describe('property: a file with corrupted pages is read or refused with IO_ERROR, never anything else', () => {
  it('holds for random bytes written at random places', async () => {
    const pristine = await freshLedger();
    const original = fs.readFileSync(pristine.file);
    const file = path.join(tempDir(), 'corrupt.db');
    // The roots of the true log at each size it signed: whatever verifies must be one of them.
    const roots = new Map<number, string>([[0, encodeBase64(EMPTY_ROOT)]]);
    for (const size of [4, 8, 12, 16, 20]) roots.set(size, pristine.checkpointAt(size).split('\n')[2] as string);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: original.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 8 })), { minLength: 1, maxLength: 6 }), async (writes) => {
        const bytes = Buffer.from(original);
        for (const [at, data] of writes) bytes.set(data.subarray(0, bytes.length - at), at);
        fs.writeFileSync(file, bytes);
        try {
          const reader = LedgerFileReader.open(file);
          try {
            const report = verifyLedger(fileEvidence(reader), { trustedKey: pristine.vkey });
            // A change outside what the verifier reads may leave the log verified, but only ever the true log (or a prefix of it).
            if (report.ok) expect(report.root).toBe(roots.get(report.size));
            reader.size();
            reader.latestCheckpoint();
            for (let i = 0; i < 22; i++) {
              reader.readLeaf(i);
              reader.readPayload(i);
              reader.readNode(i);
            }
          } finally {
            reader.close();
          }
        } catch (e) {
          if (!isVigilError(e, 'IO_ERROR')) throw e;
        }
        return true;
      }),
      { numRuns: 150 },
    );
  });
});
