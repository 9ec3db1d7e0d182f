/**
 * Every hash and signature primitive the log uses. This is the only file that imports @noble/* or
 * node:crypto, so swapping an implementation (or auditing which one runs) means reading one file.
 *
 * Hash shapes are RFC 6962 §2.1: leaf = SHA-256(0x00 ‖ leaf), node = SHA-256(0x01 ‖ left ‖ right).
 * Signatures are Ed25519 verified by the strict RFC 8032 rules (not ZIP-215).
 */

import { hash as nodeOneShotHash, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { sha256 as nobleSha256, sha512 } from '@noble/hashes/sha2.js';
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
 * OpenSSL-backed hasher for the hot path. Measured on Node 20 with ~350-byte leaves, one-shot
 * `crypto.hash` over a pooled Buffer (prefix copied in) beats `createHash().update().update()` by ~20%:
 * the Hash object costs more than copying a few hundred bytes. Pooled `allocUnsafe` matters too, since a
 * fresh off-heap Uint8Array allocation costs about as much as the hash itself.
 */
export const nodeHasher: Hasher = {
  sha256(data) {
    return toPlainBytes(nodeOneShotHash('sha256', data, 'buffer'));
  },
  leafHash(leaf) {
    const input = Buffer.allocUnsafe(leaf.length + 1);
    input[0] = LEAF_PREFIX;
    input.set(leaf, 1);
    return toPlainBytes(nodeOneShotHash('sha256', input, 'buffer'));
  },
  nodeHash(left, right) {
    const input = Buffer.allocUnsafe(left.length + right.length + 1);
    input[0] = NODE_PREFIX;
    input.set(left, 1);
    input.set(right, 1 + left.length);
    return toPlainBytes(nodeOneShotHash('sha256', input, 'buffer'));
  },
};

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
 * leafHash of the UTF-8 bytes of `text`, hashed straight from the string: U+0000 is the single byte 0x00
 * in UTF-8, so SHA-256 over "\u0000" + text is SHA-256(0x00 ‖ utf8(text)). Saves encoding the leaf twice
 * on the append path. `text` must be well-formed (no lone surrogates), as canonical JSON always is.
 */
export function leafHashOfText(text: string): Uint8Array {
  return toPlainBytes(nodeOneShotHash('sha256', '\u0000' + text, 'buffer'));
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

export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  requireSeed(seed);
  return ed.sign(message, seed);
}

/**
 * Strict RFC 8032 verification: non-canonical encodings, S ≥ L and small-order keys fail. Signature,
 * message and key are all attacker-controlled, so any malformed input yields false instead of throwing.
 */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (
    !(signature instanceof Uint8Array) ||
    !(message instanceof Uint8Array) ||
    !(publicKey instanceof Uint8Array) ||
    signature.length !== ED25519_SIGNATURE_LENGTH ||
    publicKey.length !== ED25519_PUBLIC_KEY_LENGTH
  ) {
    return false;
  }
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
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
