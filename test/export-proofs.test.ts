import { describe, expect, it } from 'vitest';
import { ProofBuilder } from '../src/export/proofs.js';
import { encodeBase64, inclusionProof, leafHash, merkleRoot, type NodeSource } from '../src/tlog/index.js';

function memorySource(count: number): NodeSource {
  const leaves = Array.from({ length: count }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`)));
  return { node: (level, index) => merkleRoot(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level)) };
}

describe('ProofBuilder', () => {
  it.each([1, 2, 3, 7, 8, 9, 31, 64, 100, 257])('gives the same proofs as RFC 6962 PATH for every index of a tree of %i', (size) => {
    const source = memorySource(size);
    const builder = new ProofBuilder(source, size);
    for (let i = 0; i < size; i++) expect(builder.proof(i).map((h) => h.base64)).toEqual(inclusionProof(source, i, size).map(encodeBase64));
  });
});
