/**
 * The deployment's key for keyed pseudonyms and fingerprints of detected values (HMAC-SHA-256), kept in
 * `<data dir>/dlp-pseudonym.secret` (mode 0600, created on first use). The same key gives the same token
 * for the same value across restarts; it never leaves the data directory and is never printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { VigilError } from '../errors.js';
import { randomBytes } from '../tlog/index.js';

export const PSEUDONYM_KEY_FILE = 'dlp-pseudonym.secret';
const KEY_BYTES = 32;

export function loadOrCreatePseudonymKey(dataDir: string): Uint8Array {
  return loadOrCreateSecretKey(dataDir, PSEUDONYM_KEY_FILE);
}

/** A 32-byte secret key kept as hex in `<dataDir>/<fileName>`, or undefined when the file does not exist. */
export function loadSecretKey(dataDir: string, fileName: string): Uint8Array | undefined {
  const file = path.join(dataDir, fileName);
  try {
    const hex = fs.readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new VigilError('KEY_INVALID', `${file} does not hold a 32-byte hex key`);
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (e instanceof VigilError) throw e;
    throw new VigilError('IO_ERROR', `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The key in `<dataDir>/<fileName>`, created (random, mode 0600) on first use. */
export function loadOrCreateSecretKey(dataDir: string, fileName: string): Uint8Array {
  const existing = loadSecretKey(dataDir, fileName);
  if (existing !== undefined) return existing;
  const file = path.join(dataDir, fileName);
  const key = randomBytes(KEY_BYTES);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': never overwrite a key another process created meanwhile.
    fs.writeFileSync(file, Buffer.from(key).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecretKey(dataDir, fileName);
    throw new VigilError('IO_ERROR', `${file} cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return key;
}
