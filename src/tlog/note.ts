/**
 * C2SP signed-note (https://c2sp.org/signed-note@v1.0.0) with Ed25519 signatures (type 0x01), and
 * verification of Ed25519 cosignature/v1 witness signatures (type 0x04, https://c2sp.org/tlog-cosignature).
 *
 *   <text ending in \n>\n— <key name> <base64(key ID ‖ signature)>\n[more signature lines]
 *
 * Notes arrive from untrusted logs and witnesses, so parsing is strict: one accepted spelling per note.
 */

import { VigilError } from '../errors.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { ed25519PublicKey, ed25519Sign, ed25519Verify, ED25519_PUBLIC_KEY_LENGTH, sha256 } from './crypto.js';

export const SIGNATURE_TYPE_ED25519 = 0x01;
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

const KEY_ID_LENGTH = 4;
const SIGNATURE_LINE_PREFIX = '\u2014 '; // EM DASH, SPACE
// A cap on signature lines (the Go reference uses the same) so a hostile note cannot make us verify forever.
const MAX_SIGNATURES = 100;
const COSIGNATURE_TIMESTAMP_LENGTH = 8;
const ED25519_SIGNATURE_LENGTH = 64;

const utf8 = new TextEncoder();

export interface VerifierKey {
  name: string;
  keyId: Uint8Array;
  type: number;
  publicKey: Uint8Array;
  text: string;
}

export interface SignedNote {
  body: string;
  /** `raw` is the whole signature line, from the em dash to before its newline. */
  signatures: Array<{ name: string; keyId: Uint8Array; signature: Uint8Array; raw: string }>;
}

/**
 * Index of the first character signed-note text may not contain: ASCII controls other than \n (so no \r,
 * no \t, no DEL) and lone surrogates, which have no UTF-8 encoding. -1 when the text is clean.
 */
export function findForbiddenNoteChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) {
      return i;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
  }
  return -1;
}

/** Key names: non-empty, no Unicode spaces, no '+' (it delimits verifier keys), no control characters. */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name !== '' && !/[\s+]/u.test(name) && findForbiddenNoteChar(name) < 0;
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) {
    hex += b.toString(16).padStart(2, '0');
  }
  return hex;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Key ID = first 4 bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key). */
export function keyIdFor(name: string, type: number, publicKey: Uint8Array): Uint8Array {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) {
    throw new VigilError('INVALID_VERIFIER_KEY', `signature type must be one byte, got ${String(type)}`);
  }
  return sha256(concatBytes(utf8.encode(name), Uint8Array.of(0x0a, type), publicKey)).slice(0, KEY_ID_LENGTH);
}

/** `<name>+<8 lowercase hex key ID>+<base64(0x01 ‖ Ed25519 public key)>`. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) {
    throw new VigilError('INVALID_VERIFIER_KEY', 'a key name must be non-empty, without spaces or "+"');
  }
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new VigilError('INVALID_VERIFIER_KEY', `an Ed25519 public key must be ${ED25519_PUBLIC_KEY_LENGTH} bytes`);
  }
  const keyId = keyIdFor(name, SIGNATURE_TYPE_ED25519, publicKey);
  return `${name}+${toHex(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(SIGNATURE_TYPE_ED25519), publicKey))}`;
}

/**
 * Parses a verifier key string (often pasted by a user or fetched from a witness list). Split at the first
 * two '+' only: the base64 key may itself contain '+'.
 */
export function parseVerifierKey(text: string): VerifierKey {
  const invalid = (why: string): VigilError => new VigilError('INVALID_VERIFIER_KEY', `invalid verifier key: ${why}`);
  if (typeof text !== 'string') {
    throw invalid('not a string');
  }
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) {
    throw invalid('expected <name>+<key id>+<key>');
  }
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  if (!isValidKeyName(name)) {
    throw invalid('the name must be non-empty, without spaces or control characters');
  }
  if (!/^[0-9a-f]{8}$/.test(idHex)) {
    throw invalid('the key ID must be 8 lowercase hex digits');
  }
  let keyBytes: Uint8Array;
  try {
    keyBytes = decodeBase64(text.slice(second + 1), 'the key');
  } catch (e) {
    throw invalid(e instanceof Error ? e.message : 'the key is not canonical base64');
  }
  const type = keyBytes[0];
  if (type !== SIGNATURE_TYPE_ED25519 && type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
    const shown = type === undefined ? '(none)' : `0x${type.toString(16).padStart(2, '0')}`;
    throw invalid(`unsupported signature type ${shown}`);
  }
  const publicKey = keyBytes.slice(1);
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw invalid(`an Ed25519 public key must be ${ED25519_PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`);
  }
  const keyId = keyIdFor(name, type, publicKey);
  if (toHex(keyId) !== idHex) {
    throw invalid(`the key ID ${idHex} does not match the key (expected ${toHex(keyId)})`);
  }
  return { name, keyId, type, publicKey, text };
}

function assertNoteText(body: string): void {
  if (typeof body !== 'string' || body === '' || !body.endsWith('\n')) {
    throw new VigilError('INVALID_NOTE', 'a note text must be non-empty and end with a newline');
  }
  const bad = findForbiddenNoteChar(body);
  if (bad >= 0) {
    throw new VigilError(
      'INVALID_NOTE',
      `the note text contains a control character or lone surrogate at offset ${bad}`,
    );
  }
}

/** Signs note texts (checkpoint bodies) with an Ed25519 key, producing C2SP signed notes. */
export class NoteSigner {
  readonly name: string;
  readonly publicKey: Uint8Array;
  readonly keyId: Uint8Array;
  readonly #seed: Uint8Array;

  constructor(name: string, seed: Uint8Array) {
    if (!isValidKeyName(name)) {
      throw new VigilError('INVALID_VERIFIER_KEY', 'a key name must be non-empty, without spaces or "+"');
    }
    this.name = name;
    this.#seed = new Uint8Array(seed);
    this.publicKey = ed25519PublicKey(this.#seed);
    this.keyId = keyIdFor(name, SIGNATURE_TYPE_ED25519, this.publicKey);
  }

  get verifierKey(): string {
    return formatVerifierKey(this.name, this.publicKey);
  }

  /** Returns the whole note: body, blank line, one signature line. */
  sign(body: string): string {
    assertNoteText(body);
    const signature = ed25519Sign(this.#seed, utf8.encode(body));
    return `${body}\n${SIGNATURE_LINE_PREFIX}${this.name} ${encodeBase64(concatBytes(this.keyId, signature))}\n`;
  }
}

/** Parses an attacker-controlled signed note without verifying it. */
export function parseNote(text: string): SignedNote {
  const invalid = (why: string): VigilError => new VigilError('INVALID_NOTE', `malformed signed note: ${why}`);
  if (typeof text !== 'string') {
    throw invalid('not a string');
  }
  const bad = findForbiddenNoteChar(text);
  if (bad >= 0) {
    throw invalid(`control character or lone surrogate at offset ${bad} (only \\n line ends are allowed)`);
  }
  // The signature block starts after the last blank line; the text itself may contain blank lines.
  const split = text.lastIndexOf('\n\n');
  if (split < 0) {
    throw invalid('no blank line between the text and the signatures');
  }
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block === '') {
    throw invalid('no signature lines');
  }
  if (!block.endsWith('\n')) {
    throw invalid('the last signature line does not end with a newline');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) {
    throw invalid(`more than ${MAX_SIGNATURES} signatures`);
  }
  const signatures = lines.map((raw, i) => {
    if (!raw.startsWith(SIGNATURE_LINE_PREFIX)) {
      throw invalid(`signature line ${i + 1} does not start with an em dash (U+2014) and a space`);
    }
    const rest = raw.slice(SIGNATURE_LINE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    if (space < 0 || !isValidKeyName(name)) {
      throw invalid(`signature line ${i + 1} must be "— <key name> <base64>"`);
    }
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(rest.slice(space + 1), `signature ${i + 1}`);
    } catch (e) {
      throw invalid(e instanceof Error ? e.message : `signature ${i + 1} is not canonical base64`);
    }
    if (bytes.length < KEY_ID_LENGTH + 1) {
      throw invalid(`signature ${i + 1} is shorter than a key ID plus one byte`);
    }
    return { name, keyId: bytes.slice(0, KEY_ID_LENGTH), signature: bytes.slice(KEY_ID_LENGTH), raw };
  });
  return { body, signatures };
}

/** Reads the u64 big-endian timestamp at the start of a cosignature/v1 signature (after the key ID). */
function readTimestamp(bytes: Uint8Array): bigint {
  let t = 0n;
  for (let i = 0; i < COSIGNATURE_TIMESTAMP_LENGTH; i++) {
    t = (t << 8n) | BigInt(bytes[i] as number);
  }
  return t;
}

function verifySignature(key: VerifierKey, body: Uint8Array, signature: Uint8Array): boolean {
  if (key.type === SIGNATURE_TYPE_ED25519) {
    return ed25519Verify(signature, body, key.publicKey);
  }
  if (key.type === SIGNATURE_TYPE_COSIGNATURE_V1) {
    // cosignature/v1: timestamp (8) ‖ Ed25519 signature over "cosignature/v1\ntime <t>\n" ‖ body.
    if (signature.length !== COSIGNATURE_TIMESTAMP_LENGTH + ED25519_SIGNATURE_LENGTH) {
      return false;
    }
    const header = utf8.encode(`cosignature/v1\ntime ${readTimestamp(signature)}\n`);
    return ed25519Verify(signature.slice(COSIGNATURE_TIMESTAMP_LENGTH), concatBytes(header, body), key.publicKey);
  }
  return false;
}

/**
 * Verifies a note against trusted keys. Signatures by unknown keys (name + key ID) are ignored, as the
 * spec requires; a signature that claims a known key but does not verify rejects the whole note, and at
 * least one known key must have signed.
 */
export function verifyNote(text: string, keys: readonly VerifierKey[]): { body: string; verifiedBy: VerifierKey[] } {
  const note = parseNote(text);
  const message = utf8.encode(note.body);
  const verifiedBy: VerifierKey[] = [];
  for (const sig of note.signatures) {
    const claimed = keys.filter((k) => k.name === sig.name && bytesEqual(k.keyId, sig.keyId));
    if (claimed.length === 0) {
      continue;
    }
    const verifying = claimed.filter((k) => verifySignature(k, message, sig.signature));
    if (verifying.length === 0) {
      throw new VigilError(
        'INVALID_NOTE',
        `the signature by ${sig.name} (key ID ${toHex(sig.keyId)}) does not verify`,
      );
    }
    for (const key of verifying) {
      if (!verifiedBy.includes(key)) {
        verifiedBy.push(key);
      }
    }
  }
  if (verifiedBy.length === 0) {
    throw new VigilError('INVALID_NOTE', 'the note carries no signature from a known key');
  }
  return { body: note.body, verifiedBy };
}
