import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { parseAppendRequest } from '../src/entry/index.js';
import { Ledger, DATABASE_FILE, LedgerStore } from '../src/ledger/index.js';
import { newLedger, request } from './support/ledger-fixture.js';

async function ledgerWith(n: number): Promise<{ ledger: Ledger; dataDir: string; raw: Database.Database }> {
  const { ledger, dataDir } = newLedger();
  await Promise.all(Array.from({ length: n }, (_, i) => ledger.append(parseAppendRequest(request(i)))));
  return { ledger, dataDir, raw: new Database(path.join(dataDir, DATABASE_FILE)) };
}

describe('the append-only store', () => {
  it('aborts any UPDATE or DELETE of entries, tree nodes, checkpoints and key history', async () => {
    const { ledger, raw } = await ledgerWith(4);
    for (const sql of [
      "UPDATE entries SET leaf = x'00' WHERE idx = 0",
      'DELETE FROM entries WHERE idx = 3',
      "UPDATE nodes SET hash = x'00'",
      'DELETE FROM nodes',
      "UPDATE checkpoints SET note = 'x'",
      'DELETE FROM checkpoints',
      'DELETE FROM signing_keys',
      "UPDATE payloads SET body = x'00' WHERE idx = 0",
      "UPDATE meta SET value = 'other' WHERE key = 'origin'",
    ]) {
      expect(() => raw.prepare(sql).run(), sql).toThrow(/LEDGER_APPEND_ONLY/);
    }
    expect((raw.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n).toBe(4);
    raw.close();
    await ledger.close();
  });

  it('refuses to delete a payload that no erasure entry names', async () => {
    const { ledger, raw } = await ledgerWith(2);
    expect(() => raw.prepare('DELETE FROM payloads WHERE idx = 1').run()).toThrow(/only by an erasure entry/);
    raw.close();
    await ledger.close();
  });

  it('sets synchronous explicitly on open: FULL by default, NORMAL on request', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.close();
    const full = LedgerStore.open(path.join(dataDir, DATABASE_FILE));
    expect(full.synchronousMode()).toBe('FULL');
    full.close();
    const normal = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { synchronous: 'NORMAL' });
    expect(normal.synchronousMode()).toBe('NORMAL');
    normal.close();
  });
});

describe('reopening a ledger (tail check)', () => {
  it('reopens a healthy ledger and continues the chain', async () => {
    const { ledger, dataDir, raw } = await ledgerWith(5);
    raw.close();
    await ledger.close();
    const again = Ledger.open({ dataDir });
    expect(again.stat()).toMatchObject({ size: 5, appendable: true });
    const r = await again.append(parseAppendRequest(request(5)));
    expect(r.index).toBe(5);
    await again.close();
  });

  it('refuses appends when the stored tree does not match the latest checkpoint', async () => {
    const { ledger, dataDir, raw } = await ledgerWith(6);
    await ledger.close();
    raw.exec('DROP TRIGGER nodes_no_update');
    raw.prepare('UPDATE nodes SET hash = randomblob(32) WHERE pos = (SELECT MAX(pos) FROM nodes)').run();
    raw.close();
    const again = Ledger.open({ dataDir });
    expect(again.stat().appendable).toBe(false);
    expect(again.stat().problem).toMatch(/tail check failed/);
    await expect(again.append(parseAppendRequest(request(9)))).rejects.toMatchObject({ code: 'LEDGER_INCONSISTENT' });
    await again.close();
  });

  it('refuses appends when entries were added behind the latest checkpoint', async () => {
    const { ledger, dataDir, raw } = await ledgerWith(3);
    await ledger.close();
    const leaf = raw.prepare('SELECT leaf FROM entries WHERE idx = 2').get() as { leaf: Buffer };
    raw.prepare('INSERT INTO entries (idx, leaf) VALUES (3, ?)').run(leaf.leaf);
    raw.close();
    const again = Ledger.open({ dataDir });
    expect(again.stat().appendable).toBe(false);
    await expect(again.append(parseAppendRequest(request(9)))).rejects.toMatchObject({ code: 'LEDGER_INCONSISTENT' });
    await again.close();
  });
});

describe('the ledger file', () => {
  it('is created with 16 KiB pages in WAL mode', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.close();
    const raw = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
    expect(raw.pragma('page_size', { simple: true })).toBe(16384);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });
});

describe('file permissions', () => {
  it('creates the database and its WAL readable by the owner only', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.append(parseAppendRequest(request(0)));
    for (const f of [DATABASE_FILE, `${DATABASE_FILE}-wal`]) {
      expect(fs.statSync(path.join(dataDir, f)).mode & 0o777, f).toBe(0o600);
    }
    await ledger.close();
  });
});

describe('streaming leaves to the verifier', () => {
  it('returns every stored leaf byte for byte, in chunks, whatever bytes they hold', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.close();
    const raw = new Database(path.join(dataDir, DATABASE_FILE));
    raw.exec('DROP TRIGGER entries_no_delete');
    const stored: Buffer[] = [];
    for (let i = 0; i < 2500; i++) {
      const leaf = Buffer.from(Array.from({ length: 1 + ((i * 37) % 301) }, (_, j) => (i * 31 + j * 7) % 256)); // NULs, invalid UTF-8
      stored.push(leaf);
      raw.prepare('INSERT INTO entries (idx, leaf) VALUES (?, ?)').run(i, leaf);
    }
    raw.close();
    const store = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { readonly: true });
    const read = [...store.iterateLeavesChunked(1000)];
    expect(read.map((r) => r.index)).toEqual(stored.map((_, i) => i));
    read.forEach((r, i) => expect(Buffer.from(r.leaf).equals(stored[i] as Buffer), `leaf ${i}`).toBe(true));
    store.close();
  });

  it('shows gaps and extra rows exactly as stored', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.close();
    const raw = new Database(path.join(dataDir, DATABASE_FILE));
    raw.exec('DROP TRIGGER entries_no_delete');
    for (let i = 0; i < 30; i++) raw.prepare('INSERT INTO entries (idx, leaf) VALUES (?, ?)').run(i, Buffer.from([i]));
    raw.prepare('DELETE FROM entries WHERE idx IN (3, 11, 12)').run();
    raw.prepare('INSERT INTO entries (idx, leaf) VALUES (35, ?)').run(Buffer.from([35]));
    raw.close();
    const store = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { readonly: true });
    const read = [...store.iterateLeavesChunked(8)];
    const expected = [...Array.from({ length: 30 }, (_, i) => i).filter((i) => ![3, 11, 12].includes(i)), 35];
    expect(read.map((r) => r.index)).toEqual(expected);
    for (const r of read) expect([...r.leaf]).toEqual([r.index]);
    store.close();
  });
});

describe('streaming payloads to the verifier', () => {
  it('returns every stored salt and body byte for byte, empty bodies and gaps included', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.close();
    const raw = new Database(path.join(dataDir, DATABASE_FILE));
    const stored = new Map<number, { salt: Buffer; body: Buffer }>();
    for (let i = 0; i < 2100; i++) {
      if (i % 500 === 7) continue; // gaps: erased payloads
      const salt = Buffer.from(Array.from({ length: 32 }, (_, j) => (i + j * 13) % 256));
      const body = Buffer.from(Array.from({ length: i % 11 === 0 ? 0 : 1 + ((i * 53) % 700) }, (_, j) => (i * 17 + j * 3) % 256));
      stored.set(i, { salt, body });
      raw.prepare('INSERT INTO payloads (idx, salt, body) VALUES (?, ?, ?)').run(i, salt, body);
    }
    raw.close();
    const store = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { readonly: true });
    const read = [...store.iteratePayloadsChunked(256)];
    expect(read.map((r) => r.index)).toEqual([...stored.keys()]);
    for (const r of read) {
      const s = stored.get(r.index)!;
      expect(Buffer.from(r.salt).equals(s.salt), `salt ${r.index}`).toBe(true);
      expect(Buffer.from(r.body).equals(s.body), `body ${r.index}`).toBe(true);
    }
    store.close();
  });
});
