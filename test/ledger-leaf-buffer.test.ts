import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CompactRange, encodeBase64, leafHash, nobleHasher } from '../src/tlog/index.js';
import { LeafBuffer } from '../src/ledger/leaf-buffer.js';

const encoder = new TextEncoder();

describe('a batch of leaves encoded once for hashing and for the writer', () => {
  it('holds each leaf as its exact UTF-8 after a 0x00 byte, and hashes it as RFC 6962 leaf hash', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { minLength: 1, maxLength: 40 }), (texts) => {
        const buffer = new LeafBuffer(16); // tiny estimate: the buffer has to grow
        const hashes = texts.map((t) => buffer.add(t));
        const { leaves, leafOffsets } = buffer.finish();
        const bytes = new Uint8Array(leaves);
        expect(leafOffsets.length).toBe(texts.length + 1);
        texts.forEach((text, i) => {
          const start = leafOffsets[i] as number;
          expect(bytes[start]).toBe(0x00);
          const leaf = bytes.subarray(start + 1, leafOffsets[i + 1]);
          expect(leaf).toEqual(encoder.encode(text));
          const reference = nobleHasher.leafHash(encoder.encode(text));
          expect(hashes[i]?.hash).toEqual(reference);
          expect(hashes[i]?.base64).toBe(encodeBase64(reference));
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('appending a hash the caller hands over', () => {
  it('builds the same tree as the copying append, and refuses what is not a 32-byte hash', () => {
    const copying = CompactRange.empty();
    const owning = CompactRange.empty();
    for (let i = 0; i < 100; i++) {
      const h = leafHash(encoder.encode(`leaf ${i}`));
      expect(owning.appendOwned(new Uint8Array(h))).toEqual(copying.append(h));
      expect(owning.root()).toEqual(copying.root());
    }
    expect(() => owning.appendOwned(new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
