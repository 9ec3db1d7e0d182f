/**
 * Signing keys on disk. A key file holds an Ed25519 seed; it is written with mode 0600, refused when others
 * can read it, and never printed or logged: only its verifier key string (public) ever leaves this module.
 *
 * Layout: <dataDir>/keys/<keyid>.key, JSON {"version":1,"name":…,"seed":base64}. Several keys live side by
 * side after a rotation; the ledger database says which one is active.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { VigilError } from '../errors.js';
import { NoteSigner, decodeBase64, encodeBase64, randomBytes } from '../tlog/index.js';

export const KEYS_DIR = 'keys';
const KEY_NAME_PATTERN = /^[^\s+]+$/;

const keyFileSchema = z.strictObject({ version: z.literal(1), name: z.string().regex(KEY_NAME_PATTERN), seed: z.string() });

export function validateKeyName(name: string): void {
  if (!KEY_NAME_PATTERN.test(name) || name.length > 200) {
    throw new VigilError('INVALID_INPUT', `key name "${name}" must be 1 to 200 characters with no spaces and no "+"`, { path: 'name' });
  }
}

/** A default key name that is unique to this ledger: the C2SP convention is a schemaless URL-like origin. */
export function defaultKeyName(): string {
  return `vigil.local/ledger-${Buffer.from(randomBytes(4)).toString('hex')}`;
}

function keysDir(dataDir: string): string {
  return path.join(dataDir, KEYS_DIR);
}

function keyFileName(signer: NoteSigner): string {
  return `${Buffer.from(signer.keyId).toString('hex')}.key`;
}

/** Creates a new key file (mode 0600) and returns its signer. Refuses to overwrite. */
export function generateKey(dataDir: string, name: string): NoteSigner {
  validateKeyName(name);
  const seed = randomBytes(32);
  const signer = new NoteSigner(name, seed);
  const dir = keysDir(dataDir);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, keyFileName(signer));
    const body = JSON.stringify({ version: 1, name, seed: encodeBase64(seed) }) + '\n';
    // 'wx': fail if it exists; mode applies at creation, chmod guards against a permissive umask.
    fs.writeFileSync(file, body, { mode: 0o600, flag: 'wx' });
    fs.chmodSync(file, 0o600);
  } catch (e) {
    throw new VigilError('IO_ERROR', `cannot write a key file in ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, undefined, { cause: e });
  }
  return signer;
}

function loadKeyFile(file: string): NoteSigner {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw new VigilError('KEY_INVALID', `key file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof VigilError) throw e;
    throw new VigilError('IO_ERROR', `cannot read key file ${file}`, undefined, { cause: e });
  }
  let parsed: z.infer<typeof keyFileSchema>;
  try {
    parsed = keyFileSchema.parse(JSON.parse(text));
  } catch {
    // The message must not echo the file's content: it holds the secret seed.
    throw new VigilError('KEY_INVALID', `key file ${file} is not a Vigil key file`);
  }
  const seed = decodeBase64(parsed.seed, 'seed');
  if (seed.length !== 32) throw new VigilError('KEY_INVALID', `key file ${file} does not hold a 32-byte seed`);
  return new NoteSigner(parsed.name, seed);
}

/** Every key file in the data directory, in file-name order. */
export function loadKeys(dataDir: string): NoteSigner[] {
  const dir = keysDir(dataDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.key'))
    .sort()
    .map((f) => loadKeyFile(path.join(dir, f)));
}

/** The key whose verifier string is `vkey`, or undefined. */
export function findKey(dataDir: string, vkey: string): NoteSigner | undefined {
  return loadKeys(dataDir).find((k) => k.verifierKey === vkey);
}
