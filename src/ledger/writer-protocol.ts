/** Messages between the ledger (main thread) and its SQLite writer thread. Buffers are transferred, not copied. */
import type { Synchronous } from './store.js';

export interface OpenMessage {
  type: 'open';
  path: string;
  synchronous: Synchronous;
}

/** One commit batch, packed into a few transferable buffers (cloning thousands of small arrays is slow). */
export interface CommitMessage {
  type: 'commit';
  seq: number;
  /** index of the first entry; the writer refuses a batch that does not start where the file ends */
  start: number;
  count: number;
  /**
   * The leaves as canonical JSON text, concatenated (one string clones as one copy; a thousand strings cost
   * a thousand), with each leaf's length in UTF-16 code units. The leaf bytes are their UTF-8, encoded on
   * the writer.
   */
  leaves: string;
  leafLengths: Uint32Array;
  bodies: ArrayBuffer;
  bodyOffsets: Float64Array;
  /** 32 bytes per entry */
  salts: ArrayBuffer;
  /** 32 bytes per node */
  nodes: ArrayBuffer;
  nodePositions: Float64Array;
  checkpoint: { size: number; note: string };
  erasures: Array<{ erasureIndex: number; indexes: number[] }>;
  signingKey?: { sinceIndex: number; vkey: string };
}

export interface CloseMessage {
  type: 'close';
}

export type WriterRequest = OpenMessage | CommitMessage | CloseMessage;

export type WriterReply =
  | { type: 'committed'; seq: number }
  | { type: 'failed'; seq: number; code: string; message: string }
  | { type: 'closed' }
  | { type: 'fatal'; message: string };
