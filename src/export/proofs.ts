/**
 * Inclusion proofs for many entries of one tree, base64 as the bag stores them. The same hashes as tlog's
 * RFC 6962 `inclusionProof` (tested): PATH(index, D[0:size]) walks the split points from the root; the
 * sibling of each step is MTH of a range that neighbouring entries share, so every range of 2 leaves or
 * more is computed (read from stored nodes, and encoded) once per export instead of once per entry. Each
 * hash is kept as bytes and base64: the bytes let the exporter check every proof without decoding it.
 */
import { encodeBase64, largestPowerOfTwoBelow, subtreeRoot, type NodeSource } from '../tlog/index.js';

const SHARED_FROM_WIDTH = 2;

export interface ProofHash {
  bytes: Uint8Array;
  base64: string;
}

export class ProofBuilder {
  readonly #shared = new Map<number, ProofHash>();

  constructor(
    private readonly source: NodeSource,
    readonly size: number,
  ) {}

  /** MTH(D[lo:hi]); shared ranges are kept. `hi` is `size` or `lo` plus a power of two. */
  #range(lo: number, hi: number): ProofHash {
    const width = hi - lo;
    if (width < SHARED_FROM_WIDTH) return hashOf(subtreeRoot(this.source, lo, hi));
    // The right edge ranges end at `size`; every other range is an aligned power of two.
    const key = hi === this.size ? -1 - lo : lo * 64 + Math.log2(width);
    let hash = this.#shared.get(key);
    if (hash === undefined) {
      if (this.#shared.size >= 2_000_000) this.#shared.clear();
      hash = hashOf(subtreeRoot(this.source, lo, hi));
      this.#shared.set(key, hash);
    }
    return hash;
  }

  /** PATH(index, D[0:size]), leaf side first. */
  proof(index: number): ProofHash[] {
    const rootSide: ProofHash[] = [];
    let lo = 0;
    let hi = this.size;
    while (hi - lo > 1) {
      const k = largestPowerOfTwoBelow(hi - lo);
      if (index < lo + k) {
        rootSide.push(this.#range(lo + k, hi));
        hi = lo + k;
      } else {
        rootSide.push(this.#range(lo, lo + k));
        lo += k;
      }
    }
    return rootSide.reverse();
  }
}

function hashOf(bytes: Uint8Array): ProofHash {
  return { bytes, base64: encodeBase64(bytes) };
}
