import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inclusionPath, inclusionProof, subtreeRoot, leafHash, nodeHash, type NodeSource } from '../src/tlog/index.js';

/** Complete subtree hashes of a tree of `n` synthetic leaves, computed directly. */
function memorySource(n: number): NodeSource {
  const levels: Uint8Array[][] = [Array.from({ length: n }, (_, i) => leafHash(Uint8Array.of(i & 0xff, i >> 8)))];
  while ((levels[levels.length - 1] as Uint8Array[]).length > 1) {
    const below = levels[levels.length - 1] as Uint8Array[];
    const above: Uint8Array[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) {
      above.push(nodeHash(below[i] as Uint8Array, below[i + 1] as Uint8Array));
    }
    levels.push(above);
  }
  return { node: (level, index) => levels[level]?.[index] ?? (() => { throw new Error(`no node (${level}, ${index})`); })() };
}

describe('inclusion paths as tree positions', () => {
  it('name exactly the hashes of the RFC 6962 recursive PATH, for every index of every size up to 300', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (size, seed) => {
        const index = seed % size;
        const source = memorySource(size);
        const fromPath = inclusionPath(index, size).map((step) =>
          step.partial ? subtreeRoot(source, step.index * 2 ** step.level, size) : source.node(step.level, step.index),
        );
        expect(fromPath.map((h) => Buffer.from(h).toString('hex'))).toEqual(inclusionProof(source, index, size).map((h) => Buffer.from(h).toString('hex')));
      }),
      { numRuns: 400 },
    );
  });

  it('refuses an index outside the tree', () => {
    expect(() => inclusionPath(5, 5)).toThrow(expect.objectContaining({ code: 'INVALID_PROOF_REQUEST' }));
    expect(() => inclusionPath(-1, 5)).toThrow(expect.objectContaining({ code: 'INVALID_PROOF_REQUEST' }));
  });
});
