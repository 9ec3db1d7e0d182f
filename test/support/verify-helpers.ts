/**
 * Shared by the `vigil verify` tests: ledgers built with the real Ledger, tampering with the SQLite file the
 * way an operator with write access could (the append-only triggers dropped first), and running the command
 * either as a real process or in-process through `main(argv, io)` (same code, same output and exit code,
 * without a process start per case).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/main.js';
import type { VerifyIo } from '../../src/cli/verify/common.js';
import { Ledger, DATABASE_FILE, generateKey, type LedgerOptions } from '../../src/ledger/index.js';
import { parseAppendRequest } from '../../src/entry/index.js';
import { NoteSigner } from '../../src/tlog/index.js';
import { runVigil, type ProcessResult } from './vigil-process.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temp folder removed after all tests of the file (tests run concurrently). */
export function tempDir(prefix = 'vigil-verify-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export const SIZE = 20;
export const KEY_NAME = 'test.example/ledger';

export function request(i: number, extra: Record<string, unknown> = {}): ReturnType<typeof parseAppendRequest> {
  return parseAppendRequest({ kind: 'prompt', agent: 'agent-a', session: `s-${i % 3}`, payload: `payload number ${i}`, ...extra });
}

export interface Built {
  dataDir: string;
  file: string;
  vkey: string;
  /** the stored checkpoint note of this size */
  checkpointAt: (size: number) => string;
}

/** SIZE entries in batches of 4: checkpoints at sizes 4, 8, 12, 16, 20. */
export async function buildLedger(options: { dataDir?: string; entries?: number; ledger?: Partial<LedgerOptions>; then?: (ledger: Ledger) => Promise<unknown> } = {}): Promise<Built> {
  const dataDir = options.dataDir ?? tempDir();
  const vkey = generateKey(dataDir, KEY_NAME).verifierKey;
  const ledger = Ledger.open({ dataDir, commitWindowMs: 0, maxBatch: 4, ...options.ledger });
  try {
    await Promise.all(Array.from({ length: options.entries ?? SIZE }, (_, i) => ledger.append(request(i))));
    await options.then?.(ledger);
  } finally {
    await ledger.close();
  }
  return described(dataDir, vkey);
}

let pristine: Promise<Built> | undefined;

/**
 * A fresh copy of one untouched SIZE-entry ledger built once per test file (a copy of a closed ledger's
 * folder costs far less than building one: no writer thread, no signatures).
 */
export async function freshLedger(): Promise<Built> {
  pristine ??= buildLedger();
  const source = await pristine;
  const dataDir = tempDir();
  fs.cpSync(source.dataDir, dataDir, { recursive: true });
  return described(dataDir, source.vkey);
}

export function described(dataDir: string, vkey: string): Built {
  const file = path.join(dataDir, DATABASE_FILE);
  return {
    dataDir,
    file,
    vkey,
    checkpointAt: (size) => {
      const raw = new Database(file, { readonly: true });
      try {
        const row = raw.prepare('SELECT note FROM checkpoints WHERE size = ?').get(size) as { note: string } | undefined;
        if (!row) throw new Error(`no checkpoint of size ${size}`);
        return row.note;
      } finally {
        raw.close();
      }
    },
  };
}

/** Opens the file for tampering with every append-only trigger dropped (as an operator with file access could). */
export function tamper(file: string, fn: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string }>;
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    fn(db);
  } finally {
    db.close();
  }
}

export function leafOf(db: Database.Database, idx: number): Buffer {
  return (db.prepare('SELECT leaf FROM entries WHERE idx = ?').get(idx) as { leaf: Buffer }).leaf;
}

/** The data directory's first signing key, as a signer (to forge checkpoints "with the right key"). */
export function realSigner(dataDir: string): NoteSigner {
  const keyFile = fs.readdirSync(path.join(dataDir, 'keys'))[0] as string;
  const seed = Buffer.from((JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', keyFile), 'utf8')) as { seed: string }).seed, 'base64');
  return new NoteSigner(KEY_NAME, seed);
}

class Collector extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    done();
  }
}

/** `vigil …args` in this process (the CLI's own main, with its output captured). */
export async function vigilInProcess(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  const stdout = new Collector();
  const stderr = new Collector();
  const io: VerifyIo = { stdout, stderr, env: { ...process.env, VIGIL_TOKEN: '', ...env } };
  const code = await main(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** `vigil …args` as a real process. */
export function vigilProcess(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return runVigil(args, { env: { VIGIL_TOKEN: '', ...env } });
}

// The JSON document of `vigil verify --json` (field names are documented in the README).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type VerifyJson = any;

/** Runs `vigil verify … --json` in-process; the parsed JSON when the run reached a verdict. */
export async function verifyJson(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; json: VerifyJson; stderr: string }> {
  const r = await vigilInProcess(['verify', ...args, '--json'], env);
  let json: VerifyJson;
  try {
    json = r.stdout === '' ? undefined : JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON: ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}

/** size, mtime and sha-256 of every file in `dir` whose name starts with `prefix`. */
export function fingerprint(dir: string, prefix = 'ledger.db'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.startsWith(prefix)) continue;
    const file = path.join(dir, name);
    const st = fs.statSync(file, { bigint: true });
    out[name] = `${st.size} ${st.mtimeNs} ${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
  }
  return out;
}

export function expectOneErrorLine(stderr: string): void {
  if (!/^vigil: [^\n]+\n$/.test(stderr)) throw new Error(`expected one "vigil: " line on stderr, got ${JSON.stringify(stderr)}`);
}
