/**
 * The RFC 6962 §2.1 Merkle tree (re-specified in RFC 9162 §2.1): roots, the right frontier for appends,
 * proof generation from stored complete subtrees, and proof verification (RFC 9162 §2.1.3.2, §2.1.4.2).
 *
 * Sizes and indexes are JS numbers. Every one must be a safe non-negative integer, so arithmetic here
 * uses division and `%` rather than bit operators (which truncate to 32 bits).
 */

import { VigilError } from '../errors.js';
import { constantTimeEqual, HASH_LENGTH, nodeHash, sha256 } from './crypto.js';

/** MTH({}) = SHA-256 of the empty string. Treat as read-only; functions return copies of it. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** A complete, aligned subtree covering leaves [index·2^level, (index+1)·2^level); level 0 is a leaf hash. */
export interface TreeNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

/** Hashes of complete aligned subtrees, backed by a database or a memory map. */
export interface NodeSource {
  node(level: number, index: number): Uint8Array;
}

export type ProofFailure =
  | 'INDEX_OUT_OF_RANGE'
  | 'SIZE_OUT_OF_RANGE'
  | 'BAD_HASH_LENGTH'
  | 'WRONG_PROOF_LENGTH'
  | 'ROOT_MISMATCH'
  | 'NOT_SAFE_INTEGER';

export type ProofCheck = { ok: true } | { ok: false; reason: ProofFailure };

// Sizes: a tree can hold at most 2^53 - 1 leaves here, so levels run 0..52.
const MAX_LEVEL = 52;

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_LENGTH;
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && x % 2 === 0) {
    x /= 2;
  }
  return x === 1;
}

function copyHash(h: Uint8Array): Uint8Array {
  return new Uint8Array(h);
}

function requireHash(h: unknown, what: string): Uint8Array {
  if (!isHash(h)) {
    throw new VigilError('INVALID_INPUT', `${what} must be a ${HASH_LENGTH}-byte hash`);
  }
  return h;
}

/** Largest power of two strictly less than n (n ≥ 2): the split point k of RFC 6962's MTH. */
export function largestPowerOfTwoBelow(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) {
    throw new VigilError('INVALID_INPUT', `largestPowerOfTwoBelow needs a safe integer n >= 2, got ${String(n)}`);
  }
  let k = 1;
  while (k * 2 < n) {
    k *= 2;
  }
  return k;
}

/**
 * MTH over leaf hashes. Pairing level by level and carrying an odd last node up unchanged builds the
 * same left-complete tree as RFC 6962's recursive split, in O(n) hashes and without recursion.
 */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) {
    return copyHash(EMPTY_ROOT);
  }
  let level: Uint8Array[] = leafHashes.map((h, i) => requireHash(h, `leaf hash ${i}`));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    }
    if (isOdd(level.length)) {
      next.push(level[level.length - 1] as Uint8Array);
    }
    level = next;
  }
  return copyHash(level[0] as Uint8Array);
}

/** Positions of the frontier nodes of a tree of `size` leaves: one per set bit of size, largest first. */
export function frontierPositions(size: number): Array<{ level: number; index: number }> {
  if (!isCount(size)) {
    throw new VigilError('INVALID_INPUT', `tree size must be a safe non-negative integer, got ${String(size)}`);
  }
  const positions: Array<{ level: number; index: number }> = [];
  let start = 0;
  for (let level = MAX_LEVEL; level >= 0; level--) {
    const width = 2 ** level;
    if (isOdd(Math.floor(size / width))) {
      positions.push({ level, index: start / width });
      start += width;
    }
  }
  return positions;
}

/** Folds complete subtree hashes (left to right) into MTH: H(n0, H(n1, … H(nk-1, nk))). */
function foldFromRight(hashes: readonly Uint8Array[]): Uint8Array {
  let acc = hashes[hashes.length - 1];
  if (acc === undefined) {
    return copyHash(EMPTY_ROOT);
  }
  for (let i = hashes.length - 2; i >= 0; i--) {
    acc = nodeHash(hashes[i] as Uint8Array, acc);
  }
  return acc;
}

/**
 * The right frontier of a tree: the roots of the complete subtrees that a tree of `size` leaves splits
 * into. Enough to append leaves and compute the root without reading the rest of the tree.
 */
export class CompactRange {
  #size: number;
  // Largest (leftmost) first, matching frontierPositions(size).
  readonly #nodes: TreeNode[];

  private constructor(size: number, nodes: TreeNode[]) {
    this.#size = size;
    this.#nodes = nodes;
  }

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** Rebuilds a range from stored nodes, refusing any set that is not exactly the frontier of `size`. */
  static fromFrontier(size: number, frontier: readonly TreeNode[]): CompactRange {
    const positions = frontierPositions(size);
    if (frontier.length !== positions.length) {
      throw new VigilError(
        'INVALID_INPUT',
        `a tree of size ${size} has ${positions.length} frontier nodes, got ${frontier.length}`,
      );
    }
    const nodes = positions.map((position, i): TreeNode => {
      const node = frontier[i] as TreeNode;
      if (node.level !== position.level || node.index !== position.index) {
        throw new VigilError(
          'INVALID_INPUT',
          `frontier node ${i} of a tree of size ${size} must be (level ${position.level}, index ${position.index}), ` +
            `got (level ${node.level}, index ${node.index})`,
        );
      }
      return { level: node.level, index: node.index, hash: copyHash(requireHash(node.hash, `frontier node ${i}`)) };
    });
    return new CompactRange(size, nodes);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash; returns the subtrees (level ≥ 1) this completed, lowest level first. */
  append(leafHash: Uint8Array): TreeNode[] {
    requireHash(leafHash, 'leaf hash');
    return this.appendOwned(copyHash(leafHash));
  }

  /**
   * `append` for a hash the caller hands over and will not modify (a fresh digest): saves the defensive
   * copy on the append hot path.
   */
  appendOwned(leafHash: Uint8Array): TreeNode[] {
    requireHash(leafHash, 'leaf hash');
    if (this.#size >= Number.MAX_SAFE_INTEGER) {
      throw new VigilError('INVALID_INPUT', 'the tree is full (2^53 - 1 leaves)');
    }
    const completed: TreeNode[] = [];
    let hash = leafHash;
    let level = 0;
    // At each level the new node's index equals the remaining bits of size; an odd index is a right child
    // whose left sibling is the last frontier node.
    let index = this.#size;
    while (isOdd(index)) {
      const left = this.#nodes.pop();
      if (left === undefined) {
        throw new VigilError('INVALID_INPUT', 'compact range frontier is inconsistent with its size');
      }
      hash = nodeHash(left.hash, hash);
      level++;
      index = (index - 1) / 2;
      completed.push({ level, index, hash });
    }
    this.#nodes.push({ level, index, hash });
    this.#size++;
    return completed;
  }

  root(): Uint8Array {
    return foldFromRight(this.#nodes.map((n) => n.hash));
  }

  frontier(): TreeNode[] {
    return this.#nodes.map((n) => ({ level: n.level, index: n.index, hash: copyHash(n.hash) }));
  }

  clone(): CompactRange {
    // Hashes are never mutated in place, so sharing them between clones is safe.
    return new CompactRange(
      this.#size,
      this.#nodes.map((n) => ({ ...n })),
    );
  }
}

function readNode(source: NodeSource, level: number, index: number): Uint8Array {
  const hash = source.node(level, index);
  if (!isHash(hash)) {
    throw new VigilError(
      'INVALID_INPUT',
      `the node source returned a malformed hash for (level ${level}, index ${index})`,
    );
  }
  return hash;
}

/**
 * MTH of leaves [start, end), read as the complete aligned subtrees it splits into (one per set bit of
 * end - start, largest first), so O(log n) reads. `start` must be a multiple of the largest such subtree,
 * which is always true of the ranges RFC 6962's recursion produces.
 */
export function subtreeRoot(source: NodeSource, start: number, end: number): Uint8Array {
  if (!isCount(start) || !isCount(end) || end < start) {
    throw new VigilError('INVALID_PROOF_REQUEST', `invalid leaf range [${String(start)}, ${String(end)})`);
  }
  const count = end - start;
  if (count === 0) {
    return copyHash(EMPTY_ROOT);
  }
  let width = 1;
  let level = 0;
  while (width * 2 <= count) {
    width *= 2;
    level++;
  }
  if (start % width !== 0) {
    throw new VigilError(
      'INVALID_PROOF_REQUEST',
      `leaf range [${start}, ${end}) is not aligned: ${start} is not a multiple of ${width}`,
    );
  }
  const hashes: Uint8Array[] = [];
  let position = start;
  for (; level >= 0; level--, width /= 2) {
    if (end - position >= width) {
      hashes.push(readNode(source, level, position / width));
      position += width;
    }
  }
  return foldFromRight(hashes);
}

/** RFC 6962 §2.1.1 PATH(index, D[0:size]), leaf side first. */
export function inclusionProof(source: NodeSource, index: number, size: number): Uint8Array[] {
  if (!isCount(index) || !isCount(size) || index >= size) {
    throw new VigilError(
      'INVALID_PROOF_REQUEST',
      `an inclusion proof needs 0 <= index < size, got index ${String(index)} and size ${String(size)}`,
    );
  }
  const rootSide: Uint8Array[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      rootSide.push(subtreeRoot(source, lo + k, hi));
      hi = lo + k;
    } else {
      rootSide.push(subtreeRoot(source, lo, lo + k));
      lo += k;
    }
  }
  return rootSide.reverse();
}

/** RFC 6962 §2.1.2 PROOF(m, D[0:n]) via SUBPROOF; m == n gives []. */
export function consistencyProof(source: NodeSource, m: number, n: number): Uint8Array[] {
  if (!isCount(m) || !isCount(n) || m === 0 || m > n) {
    throw new VigilError(
      'INVALID_PROOF_REQUEST',
      `a consistency proof needs 0 < m <= n, got m ${String(m)} and n ${String(n)}`,
    );
  }
  const rootSide: Uint8Array[] = [];
  let lo = 0;
  let hi = n;
  // SUBPROOF's flag b: true while D[lo:hi] is still a prefix that the old tree (size m) had as its own root.
  let wholeOldTree = true;
  while (hi !== m) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (m - lo <= k) {
      rootSide.push(subtreeRoot(source, lo + k, hi));
      hi = lo + k;
    } else {
      rootSide.push(subtreeRoot(source, lo, lo + k));
      lo += k;
      wholeOldTree = false;
    }
  }
  if (!wholeOldTree) {
    rootSide.push(subtreeRoot(source, lo, hi));
  }
  return rootSide.reverse();
}

/** Number of hashes in a valid inclusion proof: the iterations RFC 9162 §2.1.3.2 runs before sn hits 0. */
export function inclusionProofLength(index: number, size: number): number {
  if (!isCount(index) || !isCount(size) || index >= size) {
    throw new VigilError(
      'INVALID_PROOF_REQUEST',
      `no inclusion proof exists for index ${String(index)} of size ${String(size)}`,
    );
  }
  let fn = index;
  let sn = size - 1;
  let length = 0;
  while (sn !== 0) {
    length++;
    if (!isOdd(fn) && fn === sn) {
      while (!isOdd(fn) && fn !== 0) {
        fn /= 2;
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return length;
}

/** Number of hashes in a valid consistency proof from m to n (0 < m <= n), per RFC 9162 §2.1.4.2. */
export function consistencyProofLength(m: number, n: number): number {
  if (!isCount(m) || !isCount(n) || m === 0 || m > n) {
    throw new VigilError('INVALID_PROOF_REQUEST', `no consistency proof exists from size ${String(m)} to ${String(n)}`);
  }
  if (m === n) {
    return 0;
  }
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = (fn - 1) / 2;
    sn = half(sn);
  }
  // proof[0] seeds both running hashes unless m is a power of two, when the old root does.
  let length = isPowerOfTwo(m) ? 0 : 1;
  while (sn !== 0) {
    length++;
    if (!isOdd(fn) && fn === sn) {
      while (!isOdd(fn) && fn !== 0) {
        fn /= 2;
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return length;
}

function fail(reason: ProofFailure): ProofCheck {
  return { ok: false, reason };
}

/**
 * RFC 9162 §2.1.3.2. Every argument may be attacker-controlled (a proof from an untrusted log, a size from
 * a forged checkpoint), so shapes are checked before any hashing and the final comparison is constant time.
 */
export function checkInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): ProofCheck {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size)) {
    return fail('NOT_SAFE_INTEGER');
  }
  if (size < 0) {
    return fail('SIZE_OUT_OF_RANGE');
  }
  if (index < 0 || index >= size) {
    return fail('INDEX_OUT_OF_RANGE');
  }
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) {
    return fail('BAD_HASH_LENGTH');
  }
  if (proof.length !== inclusionProofLength(index, size)) {
    return fail('WRONG_PROOF_LENGTH');
  }
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) {
      return fail('WRONG_PROOF_LENGTH');
    }
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn /= 2;
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) {
    return fail('WRONG_PROOF_LENGTH');
  }
  return constantTimeEqual(r, root) ? { ok: true } : fail('ROOT_MISMATCH');
}

/**
 * RFC 9162 §2.1.4.2. m == n needs an empty proof and equal roots; m == 0 is refused because a proof
 * from the empty tree is undefined (any tree would be "consistent" with it).
 */
export function checkConsistency(
  m: number,
  n: number,
  proof: readonly Uint8Array[],
  rootM: Uint8Array,
  rootN: Uint8Array,
): ProofCheck {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n)) {
    return fail('NOT_SAFE_INTEGER');
  }
  if (m <= 0 || m > n) {
    return fail('SIZE_OUT_OF_RANGE');
  }
  if (!isHash(rootM) || !isHash(rootN) || !Array.isArray(proof) || !proof.every(isHash)) {
    return fail('BAD_HASH_LENGTH');
  }
  if (m === n) {
    if (proof.length !== 0) {
      return fail('WRONG_PROOF_LENGTH');
    }
    return constantTimeEqual(rootM, rootN) ? { ok: true } : fail('ROOT_MISMATCH');
  }
  if (proof.length !== consistencyProofLength(m, n)) {
    return fail('WRONG_PROOF_LENGTH');
  }
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : proof;
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = (fn - 1) / 2;
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) {
      return fail('WRONG_PROOF_LENGTH');
    }
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn /= 2;
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) {
    return fail('WRONG_PROOF_LENGTH');
  }
  // Both comparisons always run, so timing does not reveal which root differed.
  const oldMatches = constantTimeEqual(fr, rootM);
  const newMatches = constantTimeEqual(sr, rootN);
  return oldMatches && newMatches ? { ok: true } : fail('ROOT_MISMATCH');
}

export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  return checkInclusion(leafHash, index, size, proof, root).ok;
}

export function verifyConsistency(
  m: number,
  n: number,
  proof: readonly Uint8Array[],
  rootM: Uint8Array,
  rootN: Uint8Array,
): boolean {
  return checkConsistency(m, n, proof, rootM, rootN).ok;
}
