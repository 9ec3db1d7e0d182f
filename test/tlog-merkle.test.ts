import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkConsistency,
  checkInclusion,
  CompactRange,
  consistencyProof,
  consistencyProofLength,
  EMPTY_ROOT,
  frontierPositions,
  inclusionProof,
  inclusionProofLength,
  largestPowerOfTwoBelow,
  leafHash,
  merkleRoot,
  nodeHash,
  subtreeRoot,
  verifyConsistency,
  verifyInclusion,
} from '../src/tlog/index.js';
import type { NodeSource, ProofFailure } from '../src/tlog/index.js';
import { isVigilError } from '../src/errors.js';
import { fromHex, MemoryNodeSource, toHex, vectors } from './tlog-vectors.js';
import type { TreeVectors } from './tlog-vectors.js';

/** Appends every leaf hash to a CompactRange, storing each completed node, as a ledger would. */
function buildTree(leafHashes: readonly Uint8Array[]): MemoryNodeSource {
  const source = new MemoryNodeSource();
  const range = CompactRange.empty();
  leafHashes.forEach((hash, i) => {
    source.set(0, i, hash);
    for (const node of range.append(hash)) {
      source.set(node.level, node.index, node.hash);
    }
  });
  return source;
}

function expectProofRequestError(fn: () => unknown): void {
  try {
    fn();
    expect.unreachable('the proof request must be refused');
  } catch (e) {
    expect(isVigilError(e, 'INVALID_PROOF_REQUEST')).toBe(true);
  }
}

function flipByte(proof: readonly Uint8Array[], element: number, byte: number, bit: number): Uint8Array[] {
  return proof.map((hash, i) => {
    if (i !== element) return hash;
    const flipped = hash.slice();
    flipped[byte] = (flipped[byte] as number) ^ (1 << bit);
    return flipped;
  });
}

const trees: Array<[string, TreeVectors]> = [
  ['the RFC 6962 8-leaf tree', vectors.rfc6962_tree],
  ['the random 1000-leaf tree', vectors.random1000],
];

describe.each(trees)('%s', (_name, tree) => {
  const leafHashes = tree.leaves.map((leaf) => leafHash(fromHex(leaf)));
  const source = buildTree(leafHashes);
  const maxProofReads = (size: number): number => 2 * Math.ceil(Math.log2(size + 1)) + 2;

  it('hashes every leaf to the hash the proofs name', () => {
    if (tree.leaf_hashes) {
      expect(leafHashes.map(toHex)).toEqual(tree.leaf_hashes);
    }
    for (const c of tree.inclusion) {
      expect(toHex(leafHashes[c.index] as Uint8Array)).toBe(c.leaf_hash);
    }
  });

  it('computes every root with merkleRoot over the prefix', () => {
    tree.roots.forEach((root, size) => {
      expect(toHex(merkleRoot(leafHashes.slice(0, size)))).toBe(root);
    });
  });

  it('computes every root incrementally with a CompactRange', () => {
    const range = CompactRange.empty();
    tree.roots.forEach((root, size) => {
      expect(range.size).toBe(size);
      expect(toHex(range.root())).toBe(root);
      const next = leafHashes[size];
      if (next) range.append(next);
    });
  });

  it('computes every root from stored complete nodes with subtreeRoot', () => {
    tree.roots.forEach((root, size) => {
      expect(toHex(subtreeRoot(source, 0, size))).toBe(root);
    });
  });

  it('rebuilds a CompactRange from its frontier at every size with the same root', () => {
    const range = CompactRange.empty();
    tree.roots.forEach((root, size) => {
      const frontier = range.frontier();
      expect(frontier.map(({ level, index }) => ({ level, index }))).toEqual(frontierPositions(size));
      const rebuilt = CompactRange.fromFrontier(size, frontier);
      expect(toHex(rebuilt.root())).toBe(root);
      const next = leafHashes[size];
      if (next) {
        range.append(next);
        rebuilt.append(next);
        expect(toHex(rebuilt.root())).toBe(toHex(range.root()));
      }
    });
  });

  it('generates every listed inclusion proof from stored nodes and verifies it', () => {
    for (const c of tree.inclusion) {
      source.reads = 0;
      const proof = inclusionProof(source, c.index, c.size);
      expect(source.reads).toBeLessThanOrEqual(maxProofReads(c.size));
      expect(proof.map(toHex)).toEqual(c.proof);
      expect(checkInclusion(fromHex(c.leaf_hash), c.index, c.size, c.proof.map(fromHex), fromHex(c.root))).toEqual({
        ok: true,
      });
    }
  });

  it('generates every listed consistency proof from stored nodes and verifies it', () => {
    for (const c of tree.consistency) {
      source.reads = 0;
      const proof = consistencyProof(source, c.m, c.n);
      expect(source.reads).toBeLessThanOrEqual(maxProofReads(c.n));
      expect(proof.map(toHex)).toEqual(c.proof);
      expect(checkConsistency(c.m, c.n, c.proof.map(fromHex), fromHex(c.root_m), fromHex(c.root_n))).toEqual({
        ok: true,
      });
    }
  });
});

describe('merkle negative vectors', () => {
  const expectedReason = (desc: string): ProofFailure | undefined => {
    if (/31-byte|truncated to 31/.test(desc)) return 'BAD_HASH_LENGTH';
    if (/index (==|>) size/.test(desc)) return 'INDEX_OUT_OF_RANGE';
    if (/m == 0|m == n == 0|m > n/.test(desc)) return 'SIZE_OUT_OF_RANGE';
    return undefined;
  };

  it('accepts or rejects every inclusion case as the vectors say', () => {
    for (const c of vectors.merkle_negative.inclusion) {
      const result = checkInclusion(fromHex(c.leaf_hash), c.index, c.size, c.proof.map(fromHex), fromHex(c.root));
      expect({ desc: c.desc, ok: result.ok }).toEqual({ desc: c.desc, ok: c.valid });
      const reason = expectedReason(c.desc);
      if (reason && !result.ok) expect({ desc: c.desc, reason: result.reason }).toEqual({ desc: c.desc, reason });
      expect(verifyInclusion(fromHex(c.leaf_hash), c.index, c.size, c.proof.map(fromHex), fromHex(c.root))).toBe(
        c.valid,
      );
    }
  });

  it('accepts or rejects every consistency case as the vectors say', () => {
    for (const c of vectors.merkle_negative.consistency) {
      const args = [c.m, c.n, c.proof.map(fromHex), fromHex(c.root_m), fromHex(c.root_n)] as const;
      const result = checkConsistency(...args);
      expect({ desc: c.desc, ok: result.ok }).toEqual({ desc: c.desc, ok: c.valid });
      const reason = expectedReason(c.desc);
      if (reason && !result.ok) expect({ desc: c.desc, reason: result.reason }).toEqual({ desc: c.desc, reason });
      expect(verifyConsistency(...args)).toBe(c.valid);
    }
  });

  it('reports a truncated or padded proof as the wrong length, not a root mismatch', () => {
    const c = vectors.random1000.inclusion.find((v) => v.proof.length > 2);
    if (!c) throw new Error('vectors need an inclusion proof with at least 3 hashes');
    const proof = c.proof.map(fromHex);
    const check = (p: Uint8Array[]) => checkInclusion(fromHex(c.leaf_hash), c.index, c.size, p, fromHex(c.root));
    expect(check(proof.slice(0, -1))).toEqual({ ok: false, reason: 'WRONG_PROOF_LENGTH' });
    expect(check([...proof, new Uint8Array(32)])).toEqual({ ok: false, reason: 'WRONG_PROOF_LENGTH' });
    expect(check(flipByte(proof, 0, 0, 0))).toEqual({ ok: false, reason: 'ROOT_MISMATCH' });
  });

  it('rejects sizes and indexes that are not safe non-negative integers', () => {
    const h = new Uint8Array(32);
    expect(checkInclusion(h, 0.5, 2, [h], h)).toEqual({ ok: false, reason: 'NOT_SAFE_INTEGER' });
    expect(checkInclusion(h, 0, 2 ** 53, [h], h)).toEqual({ ok: false, reason: 'NOT_SAFE_INTEGER' });
    expect(checkInclusion(h, Number.NaN, 2, [h], h)).toEqual({ ok: false, reason: 'NOT_SAFE_INTEGER' });
    expect(checkInclusion(h, -1, 2, [h], h)).toEqual({ ok: false, reason: 'INDEX_OUT_OF_RANGE' });
    expect(checkConsistency(1, Number.POSITIVE_INFINITY, [h], h, h)).toEqual({ ok: false, reason: 'NOT_SAFE_INTEGER' });
    expect(checkConsistency(-1, 2, [h], h, h)).toEqual({ ok: false, reason: 'SIZE_OUT_OF_RANGE' });
  });

  it('rejects a proof element that is not a byte array', () => {
    const h = new Uint8Array(32);
    const notBytes = 'x'.repeat(32) as unknown as Uint8Array;
    expect(checkInclusion(h, 0, 2, [notBytes], h)).toEqual({ ok: false, reason: 'BAD_HASH_LENGTH' });
  });
});

describe('proof generation requests', () => {
  const source = buildTree(vectors.rfc6962_tree.leaf_hashes?.map(fromHex) ?? []);

  it('refuses an inclusion proof for an index at or beyond the size', () => {
    expectProofRequestError(() => inclusionProof(source, 8, 8));
    expectProofRequestError(() => inclusionProof(source, 0, 0));
    expectProofRequestError(() => inclusionProof(source, -1, 8));
    expectProofRequestError(() => inclusionProof(source, 1.5, 8));
  });

  it('refuses a consistency proof from size 0 or to a smaller tree', () => {
    expectProofRequestError(() => consistencyProof(source, 0, 8));
    expectProofRequestError(() => consistencyProof(source, 5, 4));
    expectProofRequestError(() => consistencyProof(source, 1, 2 ** 53));
  });

  it('predicts the length of every listed proof and refuses to predict impossible ones', () => {
    for (const c of vectors.random1000.inclusion) expect(inclusionProofLength(c.index, c.size)).toBe(c.proof.length);
    for (const c of vectors.random1000.consistency) expect(consistencyProofLength(c.m, c.n)).toBe(c.proof.length);
    expectProofRequestError(() => inclusionProofLength(0, 0));
    expectProofRequestError(() => inclusionProofLength(5, 5));
    expectProofRequestError(() => consistencyProofLength(0, 5));
    expectProofRequestError(() => consistencyProofLength(6, 5));
    expectProofRequestError(() => consistencyProofLength(1, 2 ** 53));
  });

  it('returns an empty consistency proof when m equals n', () => {
    expect(consistencyProof(source, 5, 5)).toEqual([]);
  });

  it('refuses a subtree range whose start is not aligned', () => {
    expectProofRequestError(() => subtreeRoot(source, 1, 3));
    expectProofRequestError(() => subtreeRoot(source, 3, 2));
    expect(toHex(subtreeRoot(source, 4, 7))).toBe(toHex(merkleRoot([4, 5, 6].map((i) => source.node(0, i)))));
  });

  it('gives the empty-tree root for an empty range', () => {
    expect(toHex(subtreeRoot(source, 0, 0))).toBe(toHex(EMPTY_ROOT));
  });
});

describe('compact range', () => {
  const hashes = vectors.random1000.leaves.slice(0, 64).map((l) => leafHash(fromHex(l)));

  it('reports the nodes each append completes, lowest level first', () => {
    const range = CompactRange.empty();
    for (let i = 0; i < 7; i++) range.append(hashes[i] as Uint8Array);
    const completed = range.append(hashes[7] as Uint8Array);
    expect(completed.map(({ level, index }) => ({ level, index }))).toEqual([
      { level: 1, index: 3 },
      { level: 2, index: 1 },
      { level: 3, index: 0 },
    ]);
    expect(toHex(completed[2]?.hash ?? new Uint8Array(0))).toBe(toHex(merkleRoot(hashes.slice(0, 8))));
    expect(range.append(hashes[8] as Uint8Array)).toEqual([]);
  });

  it('lists frontier positions largest first, one per set bit of the size', () => {
    expect(frontierPositions(0)).toEqual([]);
    expect(frontierPositions(13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    const huge = frontierPositions(Number.MAX_SAFE_INTEGER);
    expect(huge).toHaveLength(53);
    expect(huge[0]).toEqual({ level: 52, index: 0 });
    expect(huge[52]).toEqual({ level: 0, index: Number.MAX_SAFE_INTEGER - 1 });
  });

  it('refuses a frontier with a node at the wrong position, a missing node or a short hash', () => {
    const range = CompactRange.empty();
    for (let i = 0; i < 13; i++) range.append(hashes[i] as Uint8Array);
    const frontier = range.frontier();
    const refuse = (size: number, nodes: typeof frontier) => {
      try {
        CompactRange.fromFrontier(size, nodes);
        expect.unreachable('the frontier must be refused');
      } catch (e) {
        expect(isVigilError(e, 'INVALID_INPUT')).toBe(true);
      }
    };
    refuse(12, frontier);
    refuse(13, frontier.slice(1));
    refuse(13, frontier.map((n, i) => (i === 1 ? { ...n, index: 3 } : n)));
    refuse(13, frontier.map((n, i) => (i === 0 ? { ...n, hash: n.hash.slice(1) } : n)));
    refuse(13, [...frontier].reverse());
    expect(toHex(CompactRange.fromFrontier(13, frontier).root())).toBe(toHex(range.root()));
  });

  it('keeps a clone independent of the original', () => {
    const range = CompactRange.empty();
    range.append(hashes[0] as Uint8Array);
    const clone = range.clone();
    clone.append(hashes[1] as Uint8Array);
    expect(range.size).toBe(1);
    expect(clone.size).toBe(2);
    expect(toHex(range.root())).toBe(toHex(hashes[0] as Uint8Array));
    expect(toHex(clone.root())).toBe(toHex(merkleRoot(hashes.slice(0, 2))));
  });

  it('is not corrupted when the caller reuses its leaf-hash buffer', () => {
    const range = CompactRange.empty();
    const buffer = (hashes[0] as Uint8Array).slice();
    range.append(buffer);
    buffer.fill(0);
    expect(toHex(range.root())).toBe(toHex(hashes[0] as Uint8Array));
  });

  it('refuses a leaf hash that is not 32 bytes', () => {
    expect(() => CompactRange.empty().append(new Uint8Array(31))).toThrow(/32-byte/);
  });
});

describe('largestPowerOfTwoBelow', () => {
  it('returns the largest power of two strictly below n, including beyond 32 bits', () => {
    expect(largestPowerOfTwoBelow(2)).toBe(1);
    expect(largestPowerOfTwoBelow(3)).toBe(2);
    expect(largestPowerOfTwoBelow(8)).toBe(4);
    expect(largestPowerOfTwoBelow(9)).toBe(8);
    expect(largestPowerOfTwoBelow(2 ** 40)).toBe(2 ** 39);
    expect(largestPowerOfTwoBelow(2 ** 40 + 1)).toBe(2 ** 40);
    expect(largestPowerOfTwoBelow(Number.MAX_SAFE_INTEGER)).toBe(2 ** 52);
  });

  it('refuses n below 2 and unsafe n', () => {
    expect(() => largestPowerOfTwoBelow(1)).toThrow();
    expect(() => largestPowerOfTwoBelow(2 ** 53)).toThrow();
  });
});

describe('trees beyond 32-bit sizes', () => {
  // A consistent synthetic tree: even leaves hash to A, odd ones to B, so every node at level >= 1 is the
  // same hash per level and any node of a 2^53-leaf tree costs one lookup. Enough to check that
  // generation and verification agree where 32-bit bit operations would silently break.
  const leafA = leafHash(new Uint8Array([0xa]));
  const leafB = leafHash(new Uint8Array([0xb]));
  const levels: Uint8Array[] = [nodeHash(leafA, leafB)];
  for (let level = 2; level <= 53; level++) {
    const below = levels[levels.length - 1] as Uint8Array;
    levels.push(nodeHash(below, below));
  }
  const synthetic: NodeSource = {
    node: (level, index) => (level === 0 ? (index % 2 === 0 ? leafA : leafB) : (levels[level - 1] as Uint8Array)),
  };

  it('verifies proofs generated for indexes and sizes above 2^32', () => {
    const cases: Array<[number, number]> = [
      [2 ** 40 + 12345, 2 ** 41 + 3],
      [Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER],
      [2 ** 33, 2 ** 33 + 1],
    ];
    for (const [index, size] of cases) {
      const root = subtreeRoot(synthetic, 0, size);
      const proof = inclusionProof(synthetic, index, size);
      expect(checkInclusion(synthetic.node(0, index), index, size, proof, root)).toEqual({ ok: true });
      expect(checkInclusion(synthetic.node(0, index), index - 1, size, proof, root).ok).toBe(false);
    }
  });

  it('verifies consistency proofs between sizes above 2^32', () => {
    const cases: Array<[number, number]> = [
      [2 ** 35 + 7, 2 ** 36 + 5],
      [2 ** 32, Number.MAX_SAFE_INTEGER],
      [2 ** 40 - 1, 2 ** 40],
    ];
    for (const [m, n] of cases) {
      const proof = consistencyProof(synthetic, m, n);
      const rootM = subtreeRoot(synthetic, 0, m);
      const rootN = subtreeRoot(synthetic, 0, n);
      expect(checkConsistency(m, n, proof, rootM, rootN)).toEqual({ ok: true });
      expect(checkConsistency(m, n, proof, rootN, rootM).ok).toBe(false);
    }
  });
});

describe('proof properties on random trees', () => {
  const allLeafHashes = vectors.random1000.leaves.map((l) => leafHash(fromHex(l)));
  const treeSize = fc.integer({ min: 1, max: 300 });
  const sources = new Map<number, { source: MemoryNodeSource; roots: Uint8Array[] }>();
  const treeOf = (size: number) => {
    let tree = sources.get(size);
    if (!tree) {
      const leaves = allLeafHashes.slice(0, size);
      const range = CompactRange.empty();
      const roots = [range.root()];
      for (const h of leaves) {
        range.append(h);
        roots.push(range.root());
      }
      tree = { source: buildTree(leaves), roots };
      sources.set(size, tree);
    }
    return tree;
  };

  it('verifies every generated inclusion proof and rejects it after any single bit flip', () => {
    fc.assert(
      fc.property(treeSize, fc.nat(), fc.nat(), fc.nat({ max: 31 }), fc.nat({ max: 7 }), (size, i, e, byte, bit) => {
        const { source, roots } = treeOf(size);
        const index = i % size;
        const root = roots[size] as Uint8Array;
        const leaf = allLeafHashes[index] as Uint8Array;
        const proof = inclusionProof(source, index, size);
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
        if (proof.length > 0) {
          expect(verifyInclusion(leaf, index, size, flipByte(proof, e % proof.length, byte, bit), root)).toBe(false);
        }
        expect(verifyInclusion(flipByte([leaf], 0, byte, bit)[0] as Uint8Array, index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, flipByte([root], 0, byte, bit)[0] as Uint8Array)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('verifies every generated consistency proof and rejects it after any single bit flip', () => {
    fc.assert(
      fc.property(treeSize, fc.nat(), fc.nat(), fc.nat({ max: 31 }), fc.nat({ max: 7 }), (n, mSeed, e, byte, bit) => {
        const { source, roots } = treeOf(n);
        const m = 1 + (mSeed % n);
        const rootM = roots[m] as Uint8Array;
        const rootN = roots[n] as Uint8Array;
        const proof = consistencyProof(source, m, n);
        expect(verifyConsistency(m, n, proof, rootM, rootN)).toBe(true);
        if (proof.length > 0) {
          expect(verifyConsistency(m, n, flipByte(proof, e % proof.length, byte, bit), rootM, rootN)).toBe(false);
        }
        expect(verifyConsistency(m, n, proof, flipByte([rootM], 0, byte, bit)[0] as Uint8Array, rootN)).toBe(false);
        expect(verifyConsistency(m, n, proof, rootM, flipByte([rootN], 0, byte, bit)[0] as Uint8Array)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('generates proofs no verifier accepts for a neighbouring size or index', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.nat(), (size, i) => {
        const { source, roots } = treeOf(size);
        const index = i % size;
        const proof = inclusionProof(source, index, size);
        const leaf = allLeafHashes[index] as Uint8Array;
        const root = roots[size] as Uint8Array;
        expect(verifyInclusion(leaf, index, size - 1, proof, roots[size - 1] as Uint8Array)).toBe(false);
        if (index + 1 < size) expect(verifyInclusion(leaf, index + 1, size, proof, root)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
