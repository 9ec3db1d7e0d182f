/**
 * Every hash and signature primitive the log uses. This is the only file that imports @noble/* or
 * node:crypto, so swapping an implementation (or auditing which one runs) means reading one file.
 *
 * Hash shapes are RFC 6962 §2.1: leaf = SHA-256(0x00 ‖ leaf), node = SHA-256(0x01 ‖ left ‖ right).
 * Signatures are Ed25519 verified by the strict RFC 8032 rules (not ZIP-215).
 */

import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  hash as nodeOneShotHash,
  randomBytes as nodeRandomBytes,
  sign as nodeSign,
  timingSafeEqual,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import * as ed from '@noble/ed25519';
import { sha256 as nobleSha256, sha512 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { VigilError } from '../errors.js';

// @noble/ed25519 v3 ships without a synchronous SHA-512; the sync sign/verify API needs one wired in.
ed.hashes.sha512 = sha512;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
/** Every tree hash is a SHA-256 digest. */
export const HASH_LENGTH = 32;

export interface Hasher {
  sha256(data: Uint8Array): Uint8Array;
  leafHash(leaf: Uint8Array): Uint8Array;
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array;
}

/** Pure-JS reference hasher: slower, but independent of OpenSSL, so tests can cross-check the two. */
export const nobleHasher: Hasher = {
  sha256(data) {
    return nobleSha256(data);
  },
  leafHash(leaf) {
    return nobleSha256.create().update(Uint8Array.of(LEAF_PREFIX)).update(leaf).digest();
  },
  nodeHash(left, right) {
    return nobleSha256.create().update(Uint8Array.of(NODE_PREFIX)).update(left).update(right).digest();
  },
};

// A Buffer digest is re-wrapped as a plain Uint8Array so that callers never meet Buffer's surprises
// (`slice` returning a view, `toString` decoding UTF-8); the wrap is a view, not a copy.
function toPlainBytes(digest: Buffer): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/**
 * OpenSSL-backed hasher for the hot path. Measured on Node 20: a Buffer digest from `crypto.hash` costs
 * ~1.8 µs for a 65-byte input, most of it allocating a fresh off-heap ArrayBuffer (which also loads the
 * garbage collector); the same digest as a latin1 string turned into bytes by `Buffer.from`, which carves
 * small buffers out of Node's shared pool, costs ~1.1 µs. Inputs are built the same way (pooled
 * `allocUnsafe`, prefix copied in): one-shot hashing beats `createHash().update()` by ~20%.
 */
export const nodeHasher: Hasher = {
  sha256(data) {
    return digestBytes(nodeOneShotHash('sha256', data, 'binary'));
  },
  leafHash(leaf) {
    const input = Buffer.allocUnsafe(leaf.length + 1);
    input[0] = LEAF_PREFIX;
    input.set(leaf, 1);
    return digestBytes(nodeOneShotHash('sha256', input, 'binary'));
  },
  nodeHash(left, right) {
    const input = Buffer.allocUnsafe(left.length + right.length + 1);
    input[0] = NODE_PREFIX;
    input.set(left, 1);
    input.set(right, 1 + left.length);
    return digestBytes(nodeOneShotHash('sha256', input, 'binary'));
  },
};

/** A digest given as a latin1 string (one char per byte), as a plain Uint8Array view of pooled memory. */
function digestBytes(latin1: string): Uint8Array {
  return toPlainBytes(Buffer.from(latin1, 'latin1'));
}

export function sha256(data: Uint8Array): Uint8Array {
  return nodeHasher.sha256(data);
}

export function leafHash(leaf: Uint8Array): Uint8Array {
  return nodeHasher.leafHash(leaf);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return nodeHasher.nodeHash(left, right);
}

/**
 * HMAC-SHA-256 (RFC 2104) as lowercase hex: keyed pseudonyms and fingerprints of detected values, so that
 * the same value gets the same token within a deployment and nobody without the key can confirm a guess.
 */
export function hmacSha256Hex(key: Uint8Array, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/**
 * Keccak-256 (the original Keccak padding, not FIPS 202 SHA3-256), as Ethereum uses it; the DLP's EIP-55
 * address checksum needs it (src/dlp/validators.ts).
 */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/**
 * SHA-256 with the digest as a string ('base64', or 'binary' = latin1, one char per byte). Node allocates a
 * fresh off-heap Buffer for every Buffer digest, which costs about twice a small hash; tree code that writes
 * digests into preallocated buffers uses this instead (src/tlog/merkle-block.ts).
 */
export function sha256String(data: Uint8Array, encoding: 'base64' | 'binary'): string {
  return nodeOneShotHash('sha256', data, encoding);
}

/**
 * leafHash of the UTF-8 bytes of `text`, hashed straight from the string: U+0000 is the single byte 0x00
 * in UTF-8, so SHA-256 over "\u0000" + text is SHA-256(0x00 ‖ utf8(text)). Saves encoding the leaf twice
 * on the append path. `text` must be well-formed (no lone surrogates), as canonical JSON always is.
 */
export function leafHashOfText(text: string): Uint8Array {
  return digestBytes(nodeOneShotHash('sha256', '\u0000' + text, 'binary'));
}

/**
 * SHA-256 of bytes that already hold the 0x00 leaf prefix (0x00 ‖ leaf), as both bytes and base64 (the
 * append path needs both): one hash, no Buffer digest.
 */
export function leafHashOfPrefixedWithBase64(prefixed: Uint8Array): { hash: Uint8Array; base64: string } {
  if (prefixed[0] !== LEAF_PREFIX) throw new VigilError('INVALID_INPUT', 'a prefixed leaf must start with 0x00');
  const base64 = nodeOneShotHash('sha256', prefixed, 'base64');
  return { hash: toPlainBytes(Buffer.from(base64, 'base64')), base64 };
}

export const ED25519_SEED_LENGTH = 32;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

function requireSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_LENGTH) {
    throw new VigilError('INVALID_INPUT', `an Ed25519 seed must be ${ED25519_SEED_LENGTH} bytes`);
  }
}

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  requireSeed(seed);
  return ed.getPublicKey(seed);
}

// ---------------------------------------------------------------------------------------------------------
// Ed25519. @noble/ed25519 is the reference; OpenSSL (node:crypto) runs the hot paths (a checkpoint signature
// per commit batch, a verification per checkpoint), ~15x faster here. Signing is deterministic, so both
// give identical bytes (tested on the vectors). Verification through OpenSSL is wrapped in the checks that
// make it at least as strict as noble's RFC 8032 branch (tested against it): canonical encodings of R and
// A, S < L, no small-order key. OpenSSL then checks the cofactorless equation, which accepts a subset of
// what the cofactored one does, so nothing noble's strict branch refuses is accepted.

// DER prefixes wrapping a raw 32-byte Ed25519 seed (PKCS#8) or public key (SPKI), RFC 8410.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const privateKeys = new WeakMap<Uint8Array, KeyObject>();
const publicKeys = new Map<string, KeyObject | null>();
const MAX_CACHED_PUBLIC_KEYS = 1024;

function privateKeyFor(seed: Uint8Array): KeyObject {
  let key = privateKeys.get(seed);
  if (!key) {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    privateKeys.set(seed, key);
  }
  return key;
}

export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  requireSeed(seed);
  const sig = nodeSign(null, message, privateKeyFor(seed));
  return new Uint8Array(sig.buffer, sig.byteOffset, sig.byteLength);
}

/** The reference signer (noble), kept for tests that check OpenSSL gives the same bytes. */
export function ed25519SignReference(seed: Uint8Array, message: Uint8Array): Uint8Array {
  requireSeed(seed);
  return ed.sign(message, seed);
}

// L, the order of the base point, little-endian: a valid S is below it.
const ORDER_LE = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

function isBelowOrder(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = s[i] as number;
    const b = ORDER_LE[i] as number;
    if (a !== b) return a < b;
  }
  return false;
}

/**
 * A strict (RFC 8032 5.1.3) point encoding: y < p, and not the sign bit set with x = 0 (y = 1 or y = p - 1).
 * Whether y is on the curve at all is left to the decoder.
 */
function isCanonicalPointEncoding(b: Uint8Array): boolean {
  const top = (b[31] as number) & 0x7f;
  const sign = ((b[31] as number) & 0x80) !== 0;
  let highAllOnes = top === 0x7f;
  for (let i = 30; i >= 1 && highAllOnes; i--) if (b[i] !== 0xff) highAllOnes = false;
  if (highAllOnes && (b[0] as number) >= 0xed) return false; // y >= p = 2^255 - 19
  if (sign) {
    let restZero = top === 0;
    for (let i = 30; i >= 1 && restZero; i--) if (b[i] !== 0) restZero = false;
    if (restZero && b[0] === 1) return false; // y = 1: x = 0
    if (highAllOnes && b[0] === 0xec) return false; // y = p - 1: x = 0
  }
  return true;
}

/** The OpenSSL key for a strict public key, or null when noble's strict branch would refuse the key. */
function publicKeyFor(publicKey: Uint8Array): KeyObject | null {
  const id = Buffer.from(publicKey).toString('hex');
  let key = publicKeys.get(id);
  if (key === undefined) {
    key = null;
    try {
      if (isCanonicalPointEncoding(publicKey) && !ed.Point.fromBytes(publicKey, false).isSmallOrder()) {
        key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
      }
    } catch {
      key = null;
    }
    if (publicKeys.size >= MAX_CACHED_PUBLIC_KEYS) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

/**
 * Strict RFC 8032 verification: non-canonical encodings, S ≥ L and small-order keys fail. Signature,
 * message and key are all attacker-controlled, so any malformed input yields false instead of throwing.
 */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!wellFormedSignatureInput(signature, message, publicKey)) return false;
  if (!isBelowOrder(signature.subarray(32, 64)) || !isCanonicalPointEncoding(signature.subarray(0, 32))) return false;
  const key = publicKeyFor(publicKey);
  if (!key) return false;
  try {
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** The reference verifier: @noble/ed25519's strict RFC 8032 branch (`zip215: false`). */
export function ed25519VerifyReference(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!wellFormedSignatureInput(signature, message, publicKey)) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function wellFormedSignatureInput(signature: unknown, message: unknown, publicKey: unknown): signature is Uint8Array {
  return (
    signature instanceof Uint8Array &&
    message instanceof Uint8Array &&
    publicKey instanceof Uint8Array &&
    signature.length === ED25519_SIGNATURE_LENGTH &&
    publicKey.length === ED25519_PUBLIC_KEY_LENGTH
  );
}

export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new VigilError('INVALID_INPUT', 'randomBytes needs a non-negative integer length');
  }
  const bytes = nodeRandomBytes(n);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Compares digests without leaking, through timing, how many leading bytes an attacker got right. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  return timingSafeEqual(a, b);
}
