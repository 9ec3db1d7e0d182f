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
