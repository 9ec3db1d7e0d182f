/**
 * Messages between the parallel engine (parallel.ts) and its workers (verify-worker.ts).
 *
 * A chunk is `count` consecutive entries starting at `start`, a multiple of the chunk capacity 2^levels, so
 * that a full chunk is one complete subtree of the log's Merkle tree. Its bytes travel in one transferred
 * ArrayBuffer (and come back in the result to be reused):
 *
 *   data     entry i's leaf as 0x00 ‖ leaf (the leaf-hash input, hashed in place), and its payload as salt ‖ body
 *   offsets  5 × u32 per entry: leaf start (at the 0x00), leaf end, payload start (or PAYLOAD_ABSENT /
 *            PAYLOAD_UNUSABLE), salt length, payload end
 */
import type { VerifyFailure } from './core.js';

/** No stored payload for this entry. */
export const PAYLOAD_ABSENT = 0xffffffff;
/** A stored payload whose salt or body is not a byte array: it cannot open any commitment. */
export const PAYLOAD_UNUSABLE = 0xfffffffe;
export const OFFSET_FIELDS = 5;

export interface ChunkRequest {
  id: number;
  start: number;
  count: number;
  levels: number;
  data: ArrayBuffer;
  offsets: ArrayBuffer;
  /** whether payload checks run (evidence.payloads given) */
  payloads: boolean;
  /** first position in the chunk (relative) whose storage row had the wrong index, or -1 */
  rowMismatchAt: number;
  /** a failure the main thread already knows for the entry at `forcedAt` (relative; -1 for none) */
  forcedAt: number;
  forced: VerifyFailure | undefined;
  /** relative prefix sizes (1 … count) whose tree frontier the main thread needs */
  sizes: number[];
  /** checkpoints ending inside the chunk, to check ahead of time against `key` */
  notes: Array<{ cp: number; size: number; note: string }>;
  key: string;
}

export interface ChunkFailure {
  failure: VerifyFailure;
  /** relative position of the failing entry */
  at: number;
  /** leaves of the chunk in the tree at the failure (relative) */
  rangeSize: number;
}

export interface ChunkResult {
  id: number;
  data: ArrayBuffer;
  offsets: ArrayBuffer;
  failure: ChunkFailure | undefined;
  /** the first entry passed decoding and its index check; its prev and ts are for the main thread to check */
  hasFirst: boolean;
  firstPrev: string | undefined;
  firstTs: string;
  /** base64 leaf hash and timestamp of the last entry checked */
  lastHash: string | undefined;
  lastTs: string;
  rotations: Array<{ index: number; previous: string; vkey: string }>;
  erasures: Array<{ index: number; indexes: number[] }>;
  /** relative prefix size → its frontier inside the chunk, concatenated 32-byte hashes */
  frontiers: Array<{ size: number; nodes: Uint8Array }>;
  signatures: Array<{ cp: number; key: string; ok: boolean }>;
}

export type WorkerReply = { ok: true; result: ChunkResult } | { ok: false; id: number; error: string };
