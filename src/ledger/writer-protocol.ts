/** Messages between the ledger (main thread) and its SQLite writer thread. Buffers are transferred, not copied. */
import type { Synchronous } from './store.js';

export interface OpenMessage {
  type: 'open';
  path: string;
  synchronous: Synchronous;
}

/**
 * A new batch's payloads, packed into one transferable buffer: the writer draws a salt for each, computes
 * the commitments, answers `digested`, and keeps payloads and salts until the batch's commit or discard.
 */
export interface DigestMessage {
  type: 'digest';
  seq: number;
  bodies: ArrayBuffer;
  /** payload i is bodies[bodyOffsets[i] .. bodyOffsets[i+1]) */
  bodyOffsets: Float64Array;
}

/** The batch will not be committed: forget its payloads. */
export interface DiscardMessage {
  type: 'discard';
  seq: number;
}

/** One built batch, packed into a few transferable buffers (cloning thousands of small arrays is slow). */
export interface CommitMessage {
  type: 'commit';
  seq: number;
  /** index of the first entry; the writer refuses a batch that does not start where the file ends */
  start: number;
  count: number;
  /** for each entry, the position in the digested batch of its payload and salt */
  taken: Uint32Array;
  /**
   * The leaves' bytes, each after a 0x00 byte (the main thread hashed 0x00 ‖ leaf in place, as RFC 6962's
   * leaf hash): leaf i is leaves[leafOffsets[i] + 1 .. leafOffsets[i + 1]).
   */
  leaves: ArrayBuffer;
  leafOffsets: Uint32Array;
  /** 32 bytes per node */
  nodes: ArrayBuffer;
  nodePositions: Float64Array;
  checkpoint: { size: number; note: string };
  erasures: Array<{ erasureIndex: number; indexes: number[] }>;
  signingKey?: { sinceIndex: number; vkey: string };
  /** rows of the data-subject index (the pseudonyms each entry's leaf names) */
  subjects?: Array<{ subject: string; idx: number }>;
}

export interface CloseMessage {
  type: 'close';
}

export type WriterRequest = OpenMessage | DigestMessage | DiscardMessage | CommitMessage | CloseMessage;

export type WriterReply =
  | { type: 'digested'; seq: number; commitments: string[] }
  | { type: 'committed'; seq: number }
  | { type: 'failed'; seq: number; code: string; message: string }
  | { type: 'closed' }
  | { type: 'fatal'; message: string };
