/**
 * RFC 6962 PATH(index, D[0:size]) expressed as tree positions instead of hashes, so that a caller holding
 * the nodes in memory (the ledger answering a whole commit batch of receipts) can assemble many proofs by
 * lookup, with the one right-edge partial subtree per level computed once.
 *
 * Walking up from the leaf, at level l the path node is p = index >> l. Its sibling is p ^ 1:
 * - a left sibling (p odd) is always a complete subtree;
 * - a right sibling starting at or beyond `size` does not exist (the node is carried up unchanged);
 * - a right sibling that ends beyond `size` is the partial subtree MTH(D[(p+1)·2^l : size]).
 * This yields exactly the hashes of RFC 6962's recursive definition, leaf side first (tested against it).
 */
import { VigilError } from '../errors.js';

export interface PathStep {
  level: number;
  /** index of the subtree at `level`; for a partial step, the subtree starting at index·2^level */
  index: number;
  /** true: MTH of leaves [index·2^level, size), not a complete subtree */
  partial: boolean;
}

export function inclusionPath(index: number, size: number): PathStep[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new VigilError('INVALID_PROOF_REQUEST', `an inclusion proof needs 0 <= index < size, got index ${String(index)} and size ${String(size)}`);
  }
  const steps: PathStep[] = [];
  let width = 1;
  for (let level = 0; Math.floor((size - 1) / width) > 0; level++, width *= 2) {
    const p = Math.floor(index / width);
    if (p % 2 === 1) {
      steps.push({ level, index: p - 1, partial: false });
    } else {
      const start = (p + 1) * width;
      if (start >= size) continue;
      steps.push({ level, index: p + 1, partial: start + width > size });
    }
  }
  return steps;
}
