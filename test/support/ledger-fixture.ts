import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { Ledger, generateKey, type LedgerOptions } from '../../src/ledger/index.js';

const made: string[] = [];

/** A fresh data directory under the OS temp folder, removed after the test. */
export function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-test-'));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new ledger with its own key, in a temp directory. */
export function newLedger(options: Partial<LedgerOptions> = {}, keyName = 'test.example/ledger'): { ledger: Ledger; dataDir: string; vkey: string } {
  const dataDir = options.dataDir ?? tempDataDir();
  const signer = generateKey(dataDir, keyName);
  const ledger = Ledger.open({ commitWindowMs: 1, ...options, dataDir });
  return { ledger, dataDir, vkey: signer.verifierKey };
}

export function request(i: number, extra: Record<string, unknown> = {}): { kind: string; agent: string; session: string; payload: string } {
  return { kind: 'prompt', agent: 'agent-a', session: `s-${i % 3}`, payload: `payload number ${i}`, ...extra };
}
