/**
 * One writer per ledger: a second open for writing is refused with a message naming the holder; closing
 * releases the lock, and a lock left by a process that is gone is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAppendRequest } from '../src/entry/index.js';
import { LOCK_FILE, Ledger, LedgerStore, DATABASE_FILE } from '../src/ledger/index.js';
import { newLedger, request } from './support/ledger-fixture.js';

describe('the ledger write lock', () => {
  it('refuses a second writer while the first is open, and lets readers in', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.append(parseAppendRequest(request(0)));
    expect(() => Ledger.open({ dataDir })).toThrow(expect.objectContaining({ code: 'LEDGER_LOCKED', message: expect.stringContaining(`process ${process.pid}`) }));
    const reader = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { readonly: true });
    expect(reader.size()).toBe(1);
    reader.close();
    await ledger.close();
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    const again = Ledger.open({ dataDir });
    expect(again.size).toBe(1);
    await again.close();
  });

  it('takes over a lock whose process is gone', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.close();
    // A pid that cannot be running: above the kernel's pid_max.
    fs.writeFileSync(path.join(dataDir, LOCK_FILE), `${2 ** 22 + 1}\n${os.hostname()}\n`);
    const again = Ledger.open({ dataDir });
    await again.close();
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('releases the lock when opening fails', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-lock-'));
    expect(() => Ledger.open({ dataDir })).toThrow(expect.objectContaining({ code: 'KEY_MISSING' }));
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
