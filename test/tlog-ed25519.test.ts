/**
 * Ed25519 through OpenSSL (the hot path) against @noble/ed25519 (the reference): identical signatures, and
 * verification that accepts nothing the reference's strict RFC 8032 branch refuses.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ed25519PublicKey,
  ed25519Sign,
  ed25519SignReference,
  ed25519Verify,
  ed25519VerifyReference,
} from '../src/tlog/index.js';
import { vectors } from './tlog-vectors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function toLE(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}
function fromLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(b[i] as number);
  return n;
}

describe('Ed25519 through OpenSSL', () => {
  it('signs the vectors log key exactly as the reference does', () => {
    const v = vectors.signed_notes;
    const seed = Buffer.from(v.log_key.ed25519_seed_hex, 'hex');
    expect(hex(ed25519PublicKey(seed))).toBe(v.log_key.public_key_hex);
    for (const cp of v.checkpoints) {
      const msg = new TextEncoder().encode(cp.body);
      expect(hex(ed25519Sign(seed, msg))).toBe(hex(ed25519SignReference(seed, msg)));
    }
  });

  it('gives the same signatures and verdicts as the reference on random keys, messages and corruptions', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (seed, msg, pos, delta) => {
        const pub = ed25519PublicKey(seed);
        const sig = ed25519Sign(seed, msg);
        expect(hex(sig)).toBe(hex(ed25519SignReference(seed, msg)));
        expect(ed25519Verify(sig, msg, pub)).toBe(true);
        expect(ed25519VerifyReference(sig, msg, pub)).toBe(true);
        const bad = Uint8Array.from(sig);
        bad[pos % 64] = ((bad[pos % 64] as number) + delta) % 256;
        expect(ed25519Verify(bad, msg, pub)).toBe(ed25519VerifyReference(bad, msg, pub));
        const badKey = Uint8Array.from(pub);
        badKey[pos % 32] = ((badKey[pos % 32] as number) + delta) % 256;
        expect(ed25519Verify(sig, msg, badKey)).toBe(false);
        expect(ed25519VerifyReference(sig, msg, badKey)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a malleated signature with S + L, as the reference does', () => {
    const seed = new Uint8Array(32).fill(7);
    const msg = new TextEncoder().encode('checkpoint');
    const sig = ed25519Sign(seed, msg);
    const s = fromLE(sig.subarray(32));
    const malleated = Uint8Array.from(sig);
    malleated.set(toLE(s + L), 32);
    expect(ed25519VerifyReference(malleated, msg, ed25519PublicKey(seed))).toBe(false);
    expect(ed25519Verify(malleated, msg, ed25519PublicKey(seed))).toBe(false);
  });

  it('refuses small-order and non-canonical public keys and non-canonical R, as the reference does', () => {
    const msg = new TextEncoder().encode('m');
    const identity = new Uint8Array(32);
    identity[0] = 1; // the neutral element (0, 1): small order
    const minusOne = new Uint8Array(32).fill(0xff);
    minusOne[0] = 0xec;
    minusOne[31] = 0x7f; // (0, -1): order 2
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[31] = 0x7f; // y = 2^255 - 1 >= p
    const signZero = Uint8Array.from(identity);
    signZero[31] = 0x80; // x = 0 with the sign bit set
    for (const key of [identity, minusOne, nonCanonical, signZero]) {
      for (const sig of [new Uint8Array(64), Uint8Array.from([...identity, ...new Uint8Array(32)])]) {
        expect(ed25519VerifyReference(sig, msg, key)).toBe(false);
        expect(ed25519Verify(sig, msg, key)).toBe(false);
      }
    }
    const seed = new Uint8Array(32).fill(9);
    const sig = ed25519Sign(seed, msg);
    const badR = Uint8Array.from(sig);
    badR.set(nonCanonical, 0);
    expect(ed25519VerifyReference(badR, msg, ed25519PublicKey(seed))).toBe(false);
    expect(ed25519Verify(badR, msg, ed25519PublicKey(seed))).toBe(false);
  });
});
