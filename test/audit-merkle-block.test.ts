/**
 * The verifier's lean tree hashing (src/tlog/merkle-block.ts) must compute exactly the RFC 6962 hashes of
 * crypto.ts and merkle.ts: leaf hashes, roots of every size, and the frontier of every prefix of a block.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CompactRange,
  EMPTY_ROOT,
  LeanRange,
  SubtreeBuilder,
  encodeBase64,
  leafHash,
  leafHashBase64OfPrefixed,
  merkleRoot,
  nobleHasher,
  rootFromFrontier,
  sha256Base64,
  splitHashes,
} from '../src/tlog/index.js';

function prefixed(leaf: Uint8Array): Uint8Array {
  const out = new Uint8Array(leaf.length + 1);
  out.set(leaf, 1);
  return out;
}

const leavesArb = fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 70 });

describe('lean leaf hashing', () => {
  it('gives the leaf hash of crypto.ts and of the independent noble implementation, as base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (leaf) => {
        const b64 = leafHashBase64OfPrefixed(prefixed(leaf));
        return b64 === encodeBase64(leafHash(leaf)) && b64 === encodeBase64(nobleHasher.leafHash(leaf)) && sha256Base64(leaf) === encodeBase64(nobleHasher.sha256(leaf));
      }),
    );
  });

  it('refuses bytes without the leaf prefix', () => {
    expect(() => leafHashBase64OfPrefixed(Uint8Array.of(1, 2, 3))).toThrow(/0x00/);
  });
});

describe('LeanRange', () => {
  it('has the root and frontier of CompactRange after every append', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const lean = new LeanRange();
        const compact = CompactRange.empty();
        expect(lean.root()).toEqual(EMPTY_ROOT);
        leaves.forEach((leaf, i) => {
          const hash = leafHash(leaf);
          if (i % 2 === 0) lean.append(hash);
          else lean.appendBase64(encodeBase64(hash));
          compact.append(hash);
          expect(lean.size).toBe(compact.size);
          expect(lean.root()).toEqual(compact.root());
          expect(lean.nodes()).toEqual(compact.frontier().map((n) => n.hash));
        });
        expect(lean.root()).toEqual(merkleRoot(leaves.map((l) => leafHash(l))));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a hash that is not 32 bytes', () => {
    const lean = new LeanRange();
    expect(() => lean.append(new Uint8Array(31))).toThrow();
    expect(() => lean.appendBase64('AAAA')).toThrow();
    expect(lean.size).toBe(0);
  });
});

describe('SubtreeBuilder', () => {
  it('gives the frontier of every prefix of a block and the root of a full block, as CompactRange does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 64, maxLength: 64 }), fc.nat(), (levels, pool, pick) => {
        const builder = new SubtreeBuilder(levels);
        const n = pick % (builder.capacity + 1);
        const leaves = pool.slice(0, n);
        // A previous block's leftovers must not leak into this one.
        for (let i = 0; i < builder.capacity; i++) builder.setLeafBase64(i, encodeBase64(leafHash(Uint8Array.of(i, 0xee))));
        builder.build(builder.capacity);
        leaves.forEach((leaf, i) => builder.setLeafBase64(i, leafHashBase64OfPrefixed(prefixed(leaf))));
        builder.build(n);
        const compact = CompactRange.empty();
        expect(splitHashes(builder.prefixFrontier(0))).toEqual([]);
        leaves.forEach((leaf, i) => {
          compact.append(leafHash(leaf));
          const frontier = splitHashes(builder.prefixFrontier(i + 1));
          expect(frontier).toEqual(compact.frontier().map((node) => node.hash));
          expect(rootFromFrontier(frontier)).toEqual(compact.root());
        });
        if (n === builder.capacity) expect(builder.root()).toEqual(merkleRoot(leaves.map((l) => leafHash(l))));
        else expect(() => builder.root()).toThrow();
        expect(() => builder.prefixFrontier(n + 1)).toThrow();
      }),
      { numRuns: 80 },
    );
  });

  it('composes with the frontier of the blocks before it into the root of the whole tree', () => {
    const leaves = Array.from({ length: 3 * 16 + 5 }, (_, i) => Uint8Array.of(i, i >> 8, 7));
    const builder = new SubtreeBuilder(4);
    const blocks = new LeanRange();
    const compact = CompactRange.empty();
    for (let start = 0; start < leaves.length; start += 16) {
      const block = leaves.slice(start, start + 16);
      block.forEach((leaf, i) => builder.setLeafBase64(i, encodeBase64(leafHash(leaf))));
      builder.build(block.length);
      for (let m = 1; m <= block.length; m++) {
        compact.append(leafHash(block[m - 1] as Uint8Array));
        expect(rootFromFrontier([...blocks.nodes(), ...splitHashes(builder.prefixFrontier(m))])).toEqual(compact.root());
      }
      if (block.length === 16) blocks.append(builder.root());
    }
  });

  it('refuses a block size beyond 2^24 leaves and leaves outside the block', () => {
    expect(() => new SubtreeBuilder(25)).toThrow();
    expect(() => new SubtreeBuilder(-1)).toThrow();
    const builder = new SubtreeBuilder(2);
    expect(() => builder.setLeafBase64(4, encodeBase64(EMPTY_ROOT))).toThrow();
    expect(() => builder.build(5)).toThrow();
  });
});
