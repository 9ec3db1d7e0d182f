import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  EMPTY_ROOT,
  leafHash,
  nobleHasher,
  nodeHash,
  nodeHasher,
  randomBytes,
  sha256,
} from '../src/tlog/index.js';
import { isVigilError } from '../src/errors.js';
import { fromHex, toHex, vectors } from './tlog-vectors.js';

const { rfc6962_tree: rfcTree, random1000, signed_notes: notes } = vectors;
const allLeaves = [...rfcTree.leaves, ...random1000.leaves].map(fromHex);

describe('hashers', () => {
  it('computes the RFC 6962 leaf hashes of the published 8-leaf tree', () => {
    expect(rfcTree.leaves.map((l) => toHex(leafHash(fromHex(l))))).toEqual(rfcTree.leaf_hashes);
  });

  it('gives identical bytes from the noble and node hashers for every vector leaf', () => {
    for (const leaf of allLeaves) {
      expect(toHex(nodeHasher.leafHash(leaf))).toBe(toHex(nobleHasher.leafHash(leaf)));
      expect(toHex(nodeHasher.sha256(leaf))).toBe(toHex(nobleHasher.sha256(leaf)));
    }
  });

  it('gives identical node hashes from the noble and node hashers for every adjacent vector leaf pair', () => {
    const hashes = allLeaves.map((l) => nobleHasher.leafHash(l));
    for (let i = 0; i + 1 < hashes.length; i++) {
      const left = hashes[i] as Uint8Array;
      const right = hashes[i + 1] as Uint8Array;
      expect(toHex(nodeHasher.nodeHash(left, right))).toBe(toHex(nobleHasher.nodeHash(left, right)));
    }
  });

  it('domain-separates leaves from nodes (0x00 and 0x01 prefixes)', () => {
    const left = leafHash(new Uint8Array([1]));
    const right = leafHash(new Uint8Array([2]));
    const concatenated = new Uint8Array([...left, ...right]);
    expect(toHex(nodeHash(left, right))).not.toBe(toHex(leafHash(concatenated)));
    expect(toHex(nodeHash(left, right))).toBe(toHex(sha256(new Uint8Array([1, ...concatenated]))));
  });

  it('hashes the empty string to the published empty-tree root', () => {
    expect(toHex(sha256(new Uint8Array(0)))).toBe(rfcTree.roots[0]);
    expect(toHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('returns plain Uint8Arrays rather than Node Buffers', () => {
    const digest = leafHash(new Uint8Array([7]));
    expect(digest.constructor).toBe(Uint8Array);
    expect(digest.length).toBe(32);
  });

  it('hashes leaves larger than the Buffer pool the same way as the reference', () => {
    const big = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff);
    expect(toHex(nodeHasher.leafHash(big))).toBe(toHex(nobleHasher.leafHash(big)));
  });
});

describe('Ed25519', () => {
  const seed = fromHex(notes.log_key.ed25519_seed_hex);

  it('derives the vectors public key from the vectors seed', () => {
    expect(toHex(ed25519PublicKey(seed))).toBe(notes.log_key.public_key_hex);
  });

  it('verifies its own signature and rejects it over another message', () => {
    const message = new TextEncoder().encode('hello');
    const signature = ed25519Sign(seed, message);
    const publicKey = ed25519PublicKey(seed);
    expect(ed25519Verify(signature, message, publicKey)).toBe(true);
    expect(ed25519Verify(signature, new TextEncoder().encode('hellO'), publicKey)).toBe(false);
  });

  it('returns false instead of throwing on malformed signatures and keys', () => {
    const message = new Uint8Array([1, 2, 3]);
    const publicKey = ed25519PublicKey(seed);
    const signature = ed25519Sign(seed, message);
    expect(ed25519Verify(signature.slice(0, 63), message, publicKey)).toBe(false);
    expect(ed25519Verify(signature, message, publicKey.slice(0, 31))).toBe(false);
    expect(ed25519Verify(signature, message, new Uint8Array(32).fill(0xff))).toBe(false);
    expect(ed25519Verify(new Uint8Array(64).fill(0xff), message, publicKey)).toBe(false);
  });

  it('rejects a signature whose S is not reduced mod L (strict RFC 8032)', () => {
    const message = new Uint8Array([9]);
    const signature = ed25519Sign(seed, message);
    // S + L encodes the same scalar class but is a second spelling of the signature: malleability.
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i] as number);
    let t = s + L;
    const malleated = signature.slice();
    for (let i = 32; i < 64; i++) {
      malleated[i] = Number(t & 0xffn);
      t >>= 8n;
    }
    expect(ed25519Verify(signature, message, ed25519PublicKey(seed))).toBe(true);
    expect(ed25519Verify(malleated, message, ed25519PublicKey(seed))).toBe(false);
  });

  it('rejects the small-order identity key that ZIP-215 verification would accept', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1; // the neutral point: any message "verifies" with R = identity, S = 0 under ZIP-215
    const signature = new Uint8Array(64);
    signature.set(identity, 0);
    expect(ed25519Verify(signature, new Uint8Array([1]), identity)).toBe(false);
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => ed25519PublicKey(new Uint8Array(31))).toThrow(/32 bytes/);
    try {
      ed25519Sign(new Uint8Array(33), new Uint8Array(0));
      expect.unreachable('a 33-byte seed must be refused');
    } catch (e) {
      expect(isVigilError(e, 'INVALID_INPUT')).toBe(true);
    }
  });
});

describe('byte helpers', () => {
  it('compares equal digests as equal and any one-bit difference as unequal', () => {
    const a = sha256(new Uint8Array([1]));
    const b = a.slice();
    expect(constantTimeEqual(a, b)).toBe(true);
    b[31] = (b[31] as number) ^ 1;
    expect(constantTimeEqual(a, b)).toBe(false);
  });

  it('treats digests of different lengths as unequal without throwing', () => {
    const a = sha256(new Uint8Array([1]));
    expect(constantTimeEqual(a, a.slice(0, 31))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('returns the requested number of random bytes, different each call', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect(a.length).toBe(32);
    expect(a.constructor).toBe(Uint8Array);
    expect(toHex(a)).not.toBe(toHex(b));
    expect(randomBytes(0).length).toBe(0);
    expect(() => randomBytes(-1)).toThrow();
  });
});

describe('leafHashOfText', () => {
  it('equals leafHash of the UTF-8 bytes for ASCII, multi-byte and astral text', async () => {
    const { leafHash, leafHashOfText } = await import('../src/tlog/index.js');
    for (const text of ['', '{"a":1}', 'péché € 😂 \u2028', 'x'.repeat(5000)]) {
      expect(Buffer.from(leafHashOfText(text)).toString('hex')).toBe(Buffer.from(leafHash(new TextEncoder().encode(text))).toString('hex'));
    }
  });
});
