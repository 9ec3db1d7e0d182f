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
import { decodeEntry, encodeEntry, parseAppendRequest } from '../../src/entry/index.js';
import { NoteSigner, encodeBase64, formatCheckpoint, leafHash, randomBytes } from '../../src/tlog/index.js';
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

/** agent-a -> agent-`letter` in entry `idx`: one byte changed, still a well-formed entry. */
export function flipAgentByte(file: string, idx: number, letter = 'b'): void {
  tamper(file, (db) => {
    const leaf = Buffer.from(leafOf(db, idx));
    leaf[leaf.indexOf('agent-a') + 6] = letter.charCodeAt(0);
    db.prepare('UPDATE entries SET leaf = ? WHERE idx = ?').run(leaf, idx);
  });
}

/** A SIZE-entry ledger whose key was then rotated (a key_rotation entry), and `after` entries signed with the new key. */
export async function buildRotatedLedger(after: number): Promise<{ built: Built; newKey: string }> {
  let newKey = '';
  const built = await buildLedger({
    then: async (l) => {
      const next = generateKey(l.dataDir, KEY_NAME);
      newKey = next.verifierKey;
      await l.rotateKey(next, 'test');
      await Promise.all(Array.from({ length: after }, (_, i) => l.append(request(100 + i))));
    },
  });
  return { built, newKey };
}

/** History rewritten and signed again with the right key: `entries` entries written anew with `from`'s keys, entry `altered` with another payload. */
export async function rewrittenLedger(from: Built, entries: number, altered: number): Promise<Built> {
  const dataDir = tempDir();
  fs.cpSync(path.join(from.dataDir, 'keys'), path.join(dataDir, 'keys'), { recursive: true });
  const forger = Ledger.open({ dataDir, commitWindowMs: 0, maxBatch: 4 });
  try {
    for (let i = 0; i < entries; i++) await forger.append(request(i, i === altered ? { payload: 'rewritten' } : {}));
  } finally {
    await forger.close();
  }
  return described(dataDir, from.vkey);
}

/** A way of tampering with a fresh ledger (freshLedger) and the failure `vigil verify` must report for it. */
export interface TamperCase {
  what: string;
  change: (built: Built) => void;
  /** more `vigil verify` arguments (--payloads, a range) */
  extra?: string[];
  code: string;
  index?: number;
  checkpointSize?: number;
  /** what differs when the ledger is read over HTTP (`--url`), where only the latest checkpoint is published and payloads are checked only with --payloads */
  url?: Partial<Omit<TamperCase, 'change' | 'url'>>;
}

/**
 * The tamper cases `--db` and `--url` share. `size` is the size of the stored checkpoint the checkpoint cases
 * forge: any from a file; over HTTP the latest (SIZE), the only one published.
 */
export function tamperCases(size: number): TamperCase[] {
  return [
    { what: 'a byte flipped in a leaf', change: ({ file }) => flipAgentByte(file, 5), code: 'CHAIN_BROKEN', index: 6 },
    { what: 'a deleted entry', change: ({ file }) => tamper(file, (db) => db.prepare('DELETE FROM entries WHERE idx = 7').run()), code: 'INDEX_MISMATCH', index: 7 },
    {
      what: 'two entries swapped',
      change: ({ file }) =>
        tamper(file, (db) => {
          const a = leafOf(db, 3);
          const b = leafOf(db, 4);
          db.prepare('UPDATE entries SET leaf = ? WHERE idx = 3').run(b);
          db.prepare('UPDATE entries SET leaf = ? WHERE idx = 4').run(a);
        }),
      code: 'INDEX_MISMATCH',
      index: 3,
    },
    {
      what: 'an inserted entry, the chain recomputed after it',
      change: ({ file }) =>
        tamper(file, (db) => {
          const entries = Array.from({ length: SIZE }, (_, i) => decodeEntry(leafOf(db, i)));
          const forged = { ...(entries[9] as ReturnType<typeof decodeEntry>), agent: 'forged-agent' };
          const rewritten = [...entries.slice(0, 10), forged, ...entries.slice(10)];
          const payloads = db.prepare('SELECT idx, salt, body FROM payloads ORDER BY idx').all() as Array<{ idx: number; salt: Buffer; body: Buffer }>;
          const shifted = [...payloads.slice(0, 10), payloads[9] as (typeof payloads)[number], ...payloads.slice(10)];
          db.prepare('DELETE FROM payloads').run();
          shifted.forEach((p, i) => db.prepare('INSERT INTO payloads (idx, salt, body) VALUES (?, ?, ?)').run(i, p.salt, p.body));
          db.prepare('DELETE FROM entries').run();
          let prev: string | undefined;
          rewritten.forEach((e, i) => {
            const leaf = encodeEntry({ ...e, index: i, prev });
            db.prepare('INSERT INTO entries (idx, leaf) VALUES (?, ?)').run(i, leaf);
            prev = encodeBase64(leafHash(leaf));
          });
        }),
      code: 'CHECKPOINT_ROOT_MISMATCH',
      // A file has the checkpoint at 12, the first after the insertion; over HTTP only the latest is published.
      checkpointSize: 12,
      url: { checkpointSize: SIZE },
    },
    { what: 'a truncated tail', change: ({ file }) => tamper(file, (db) => db.prepare('DELETE FROM entries WHERE idx >= 15').run()), code: 'CHECKPOINT_BEYOND_LOG', index: 15 },
    {
      what: `the checkpoint at size ${size} signed by another key`,
      change: ({ file, checkpointAt }) => {
        const other = new NoteSigner(KEY_NAME, randomBytes(32));
        const body = (checkpointAt(size).split('\n\n')[0] as string) + '\n';
        tamper(file, (db) => db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(other.sign(body), size));
      },
      code: 'CHECKPOINT_SIGNATURE',
      checkpointSize: size,
    },
    {
      what: `the checkpoint at size ${size} with a wrong root, signed with the right key`,
      change: ({ file, dataDir }) => {
        const note = realSigner(dataDir).sign(formatCheckpoint({ origin: KEY_NAME, size, rootHash: randomBytes(32), extensions: [] }));
        tamper(file, (db) => db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(note, size));
      },
      code: 'CHECKPOINT_ROOT_MISMATCH',
      checkpointSize: size,
    },
    {
      what: 'a payload deleted without an erasure entry',
      change: ({ file }) => tamper(file, (db) => db.prepare('DELETE FROM payloads WHERE idx = 2').run()),
      code: 'PAYLOAD_MISSING',
      index: 2,
      url: { what: 'a payload deleted without an erasure entry (--payloads)', extra: ['--payloads'] },
    },
    {
      what: 'an entry whose prev points elsewhere',
      change: ({ file }) =>
        tamper(file, (db) => {
          const e = decodeEntry(leafOf(db, 9));
          db.prepare('UPDATE entries SET leaf = ? WHERE idx = 9').run(encodeEntry({ ...e, prev: encodeBase64(leafHash(leafOf(db, 7))) }));
        }),
      code: 'CHAIN_BROKEN',
      index: 9,
    },
  ];
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
