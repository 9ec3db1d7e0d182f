/**
 * The ledger: append-only entries, an RFC 6962 Merkle tree over their leaf bytes, and a signed C2SP checkpoint
 * for every commit batch.
 *
 * Contract (after tessera's): `append` resolves with a receipt only once the entry, the tree nodes it
 * completed and the signed checkpoint that first includes it are committed in one SQLite transaction; with
 * synchronous=FULL that means on stable storage. It MUST NOT resolve for an entry that is not on disk; when
 * the commit fails, every caller in the batch gets LEDGER_COMMIT_FAILED and nothing of the batch is stored.
 *
 * Group commit: appends arriving within `commitWindowMs`, or up to `maxBatch` of them, share one transaction
 * and one checkpoint signature. Three stages on two threads: the writer thread (writer-worker.ts) draws the
 * batch's salts and computes its payload commitments (hashing every payload byte, the one step that does
 * not depend on the entries before it); the main thread then encodes, hashes and signs the batch and builds
 * its receipts; the writer runs its SQLite transaction and fsync. While one batch commits the next is built
 * on top of it and the one after is digested; if a commit fails, that batch and every batch in flight
 * after it are failed and the in-memory tree rewinds to what is on disk. The queue is bounded
 * (`maxQueue`); past it an append fails at once with LEDGER_BUSY (pushback) instead of growing memory
 * without limit.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ERROR_CATALOGUE, VigilError, type VigilErrorCode } from '../errors.js';
import {
  CompactRange,
  consistencyProof,
  encodeBase64,
  formatCheckpoint,
  frontierPositions,
  inclusionProof,
  leafHash,
  subtreeRoot,
  parseCheckpoint,
  parseVerifierKey,
  verifyNote,
  constantTimeEqual,
  type NodeSource,
  type NoteSigner,
  type JsonValue,
} from '../tlog/index.js';
import {
  ENTRY_VERSION,
  decodeEntry,
  encodeEntryText,
  payloadBytes,
  type AppendRequest,
  type Entry,
  type JsonObject,
  type PayloadBytes,
} from '../entry/index.js';
import { LedgerStore, nodePosition, storedNodeSource, type StoredPayload, type Synchronous } from './store.js';
import { loadKeys } from './keys.js';
import { launchWorker } from './worker-launch.js';
import { LeafBuffer } from './leaf-buffer.js';
import { acquireLedgerLock } from './lock.js';
import type { CommitMessage, WriterReply, WriterRequest } from './writer-protocol.js';

/**
 * Inclusion proofs for every entry of one commit batch against the batch's tree. Neighbouring entries share
 * most of their path, so each node's base64 form is computed once, and so is the right-edge partial
 * subtree of each level.
 */
const SHARED_FROM = 6;
const SHARED_WIDTH = 2 ** SHARED_FROM;

class BatchProofs {
  private readonly encoded = new Map<number, string>();
  private readonly partial = new Map<number, string>();
  private readonly upper = new Map<number, string[]>();

  constructor(
    private readonly source: NodeSource,
    private readonly size: number,
  ) {}

  /**
   * Same hashes as inclusionPath(index, size) (tested). Entries in one aligned block of 2^SHARED_FROM
   * leaves have the same path above that level, so that part is built once per block and shared.
   */
  proof(index: number): string[] {
    const block = Math.floor(index / SHARED_WIDTH);
    let upper = this.upper.get(block);
    if (upper === undefined) {
      upper = this.steps(index, SHARED_FROM, Infinity);
      this.upper.set(block, upper);
    }
    const lower = this.steps(index, 0, SHARED_FROM);
    return upper.length === 0 ? lower : lower.concat(upper);
  }

  private steps(index: number, fromLevel: number, toLevel: number): string[] {
    const size = this.size;
    const out: string[] = [];
    let width = 2 ** fromLevel;
    for (let level = fromLevel; level < toLevel && Math.floor((size - 1) / width) > 0; level++, width *= 2) {
      const p = Math.floor(index / width);
      if (p % 2 === 1) {
        out.push(this.complete(level, p - 1));
      } else {
        const start = (p + 1) * width;
        if (start >= size) continue;
        out.push(start + width > size ? this.partialAt(level, start) : this.complete(level, p + 1));
      }
    }
    return out;
  }

  private complete(level: number, index: number): string {
    const pos = nodePosition(level, index);
    let hash = this.encoded.get(pos);
    if (hash === undefined) {
      hash = encodeBase64(this.source.node(level, index));
      this.encoded.set(pos, hash);
    }
    return hash;
  }

  private partialAt(level: number, start: number): string {
    let hash = this.partial.get(level);
    if (hash === undefined) {
      hash = encodeBase64(subtreeRoot(this.source, start, this.size));
      this.partial.set(level, hash);
    }
    return hash;
  }
}

/** Default commit window: long enough to gather concurrent appends, short against a caller's latency. */
export const DEFAULT_COMMIT_WINDOW_MS = 2;
/** Default largest commit batch: one transaction and one signature for up to this many entries. */
export const DEFAULT_MAX_BATCH = 1000;
/** Default bound of the append queue; past it appends fail fast with LEDGER_BUSY. */
export const DEFAULT_MAX_QUEUE = 100_000;
/** Default largest payload accepted by the ledger itself (the service sets its own, smaller, body limit). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Largest number of payloads one erasure entry may remove (its meta lists them). */
export const MAX_ERASURE_INDEXES = 10_000;
export const DATABASE_FILE = 'ledger.db';

export interface LedgerOptions {
  /** Folder holding ledger.db and keys/. */
  dataDir: string;
  /** Checkpoint origin line for a new ledger; defaults to the signing key's name. Fixed once created. */
  origin?: string;
  synchronous?: Synchronous;
  commitWindowMs?: number;
  maxBatch?: number;
  maxQueue?: number;
  maxPayloadBytes?: number;
  /** Clock in ms since the epoch; the ledger, never the caller, sets `ts`. */
  now?: () => number;
  /** Told of every committed batch: its entries and the time from leaving the queue to durable (metrics). */
  onBatchCommitted?: (entries: number, seconds: number) => void;
}

/** Proof that an entry is in the ledger: the shape is a contract shared with the HTTP service. */
export interface Receipt {
  index: number;
  /** base64 SHA-256(0x00 ‖ leaf bytes) */
  leafHash: string;
  /** the signed checkpoint note that first includes the entry */
  checkpoint: string;
  /** inclusion proof from the entry to that checkpoint's tree, base64 hashes, leaf side first */
  proof: string[];
}

export interface AppendContext {
  /** id of the credential the caller authenticated with, written into the entry */
  credential?: string;
  /** keyed pseudonyms of the data subjects the entry concerns (src/subjects): written into the leaf and the subject index */
  subjects?: string[];
}

export interface ErasureRequest {
  indexes: number[];
  /** why, in words that name no person: the erasure entry is permanent */
  reason: string;
  /** legal basis, e.g. "GDPR Art. 17(1)(a)" */
  basis: string;
  /** who asked for it */
  actor: string;
  /** the pseudonyms of the data subjects it was for (so that their index finds the erasure too) */
  subjects?: string[];
}

export interface ErasureReceipt extends Receipt {
  erased: number[];
}

export interface LedgerStat {
  size: number;
  root: string;
  origin: string;
  verifierKey: string | undefined;
  checkpoint: string | undefined;
  appendable: boolean;
  problem: string | undefined;
}

interface Pending {
  kind: string;
  agent: string;
  session: string | undefined;
  task: string | undefined;
  credential: string | undefined;
  subjects: string[] | undefined;
  meta: JsonObject | undefined;
  payload: PayloadBytes;
  erase?: ErasureRequest;
  rotateTo?: NoteSigner;
  resolve: (r: ErasureReceipt) => void;
  reject: (e: unknown) => void;
}

/** Subject pseudonyms as a leaf holds them: distinct and sorted (one canonical leaf per set), none if empty. */
function subjectList(subjects: readonly string[] | undefined): string[] | undefined {
  return subjects === undefined || subjects.length === 0 ? undefined : [...new Set(subjects)].sort();
}

/** Batches in flight at once: one committing, one being built on top of it, one being digested. */
export const PIPELINE_DEPTH = 4;

interface TreeState {
  range: CompactRange;
  lastLeafHash: Uint8Array | undefined;
  lastTs: number;
  /** the signed checkpoint of this state */
  note: string | undefined;
  /** the key that signs the next checkpoint */
  signer: NoteSigner | undefined;
}

/** A batch whose payloads are with the writer, waiting for their commitments. */
interface DigestingBatch {
  seq: number;
  state: 'digesting';
  items: Pending[];
  /** when the batch left the queue (process.hrtime.bigint) */
  startedAt: bigint;
}

/** A batch built and signed, waiting for its commit. */
interface CommittingBatch {
  seq: number;
  state: 'committing';
  answers: Array<{ item: Pending; receipt: ErasureReceipt }>;
  after: TreeState;
  startedAt: bigint;
}

type InFlightBatch = DigestingBatch | CommittingBatch;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Packs byte strings into one transferable buffer plus offsets. */
function pack(parts: readonly Uint8Array[]): { bodies: ArrayBuffer; bodyOffsets: Float64Array } {
  const bodyOffsets = new Float64Array(parts.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    bodyOffsets[i] = total;
    total += p.length;
  });
  bodyOffsets[parts.length] = total;
  return { bodies: concat(parts).buffer as ArrayBuffer, bodyOffsets };
}

function checkPositiveInt(name: string, v: number | undefined, dflt: number, min: number): number {
  const value = v ?? dflt;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new VigilError('CONFIG_INVALID', `${name} must be an integer ≥ ${min}, got ${String(v)}`, { path: name });
  }
  return value;
}

export class Ledger {
  readonly origin: string;
  readonly dataDir: string;
  private readonly store: LedgerStore;
  /** What is committed on disk: receipts, stat() and proofs speak of this. */
  private committed: TreeState;
  /** What the next batch builds on: `committed` plus the batches in flight to the writer. */
  private head: TreeState;
  private readonly inFlight: InFlightBatch[] = [];
  private nextSeq = 1;
  private writer: Worker | undefined;
  private writerClosed: (() => void) | undefined;
  private problem: VigilError | undefined;
  private readonly queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  private readonly synchronous: Synchronous;
  private readonly commitWindowMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly maxPayloadBytes: number;
  private readonly now: () => number;
  private readonly onBatchCommitted: ((entries: number, seconds: number) => void) | undefined;
  /** releases the write lock (lock.ts) */
  private readonly unlock: () => void;

  private constructor(store: LedgerStore, options: LedgerOptions, origin: string, signer: NoteSigner | undefined, unlock: () => void) {
    this.store = store;
    this.unlock = unlock;
    this.storedNodes = storedNodeSource(store);
    this.dataDir = options.dataDir;
    this.origin = origin;
    this.synchronous = options.synchronous ?? 'FULL';
    this.commitWindowMs = checkPositiveInt('commitWindowMs', options.commitWindowMs, DEFAULT_COMMIT_WINDOW_MS, 0);
    this.maxBatch = checkPositiveInt('maxBatch', options.maxBatch, DEFAULT_MAX_BATCH, 1);
    this.maxQueue = checkPositiveInt('maxQueue', options.maxQueue, DEFAULT_MAX_QUEUE, 1);
    this.maxPayloadBytes = checkPositiveInt('maxPayloadBytes', options.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES, 0);
    this.onBatchCommitted = options.onBatchCommitted;
    this.now = options.now ?? Date.now;
    this.committed = { range: CompactRange.empty(), lastLeafHash: undefined, lastTs: 0, note: undefined, signer };
    this.head = this.committed;
  }

  /**
   * Opens (or creates) the ledger in `options.dataDir`. A new ledger needs a key in <dataDir>/keys (see
   * `generateKey`). An existing one is checked at its tail: the stored tree must reproduce the latest
   * checkpoint's root and size, and that checkpoint's signature must verify. If not, the ledger opens for
   * reading but refuses every append with LEDGER_INCONSISTENT.
   */
  static open(options: LedgerOptions): Ledger {
    fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const unlock = acquireLedgerLock(options.dataDir);
    let store: LedgerStore;
    try {
      store = LedgerStore.open(path.join(options.dataDir, DATABASE_FILE), { synchronous: options.synchronous ?? 'FULL' });
    } catch (e) {
      unlock();
      throw e;
    }
    try {
      const keys = loadKeys(options.dataDir);
      let origin = store.getMeta('origin');
      let signer: NoteSigner | undefined;
      if (origin === undefined) {
        if (keys.length === 0) {
          throw new VigilError('KEY_MISSING', `no signing key in ${path.join(options.dataDir, 'keys')}; run "vigil keys generate" first`);
        }
        if (keys.length > 1) {
          throw new VigilError('KEY_INVALID', `a new ledger needs exactly one key in ${path.join(options.dataDir, 'keys')}, found ${keys.length}`);
        }
        signer = keys[0] as NoteSigner;
        origin = options.origin ?? signer.name;
        if (origin.length === 0 || origin.trim() !== origin || /[\n\r\t]/.test(origin)) {
          throw new VigilError('CONFIG_INVALID', 'origin must be one non-empty line without surrounding spaces', { path: 'origin' });
        }
        store.initMeta({ origin, format: 'vigil-ledger/1' }, signer.verifierKey);
      } else {
        if (options.origin !== undefined && options.origin !== origin) {
          throw new VigilError('CONFIG_INVALID', `this ledger's origin is "${origin}", not "${options.origin}"; the origin cannot change`, { path: 'origin' });
        }
        const history = store.signingKeys();
        const active = history[history.length - 1]?.vkey;
        signer = keys.find((k) => k.verifierKey === active);
      }
      const ledger = new Ledger(store, options, origin, signer, unlock);
      ledger.loadTail();
      return ledger;
    } catch (e) {
      store.close();
      unlock();
      throw e;
    }
  }

  /** Restores the frontier and checks it against the latest checkpoint (the cheap tail check). */
  private loadTail(): void {
    const size = this.store.size();
    const frontier = [];
    for (const { level, index } of frontierPositions(size)) {
      const hash = level === 0 ? this.leafHashAt(index) : this.store.readNode(nodePosition(level, index));
      if (!hash) {
        this.problem = new VigilError('LEDGER_INCONSISTENT', `tree node (level ${level}, index ${index}) is missing for size ${size}`);
        return;
      }
      frontier.push({ level, index, hash });
    }
    this.committed.range = CompactRange.fromFrontier(size, frontier);
    if (size > 0) {
      const leaf = this.store.readLeaf(size - 1) as Uint8Array;
      this.committed.lastLeafHash = leafHash(leaf);
      try {
        const last = decodeEntry(leaf);
        if (last.index !== size - 1) throw new VigilError('LEDGER_INCONSISTENT', `entry ${size - 1} says it is entry ${last.index}`);
        this.committed.lastTs = Date.parse(last.ts);
      } catch (e) {
        this.problem = new VigilError('LEDGER_INCONSISTENT', `entry ${size - 1} is not a valid entry: ${(e as Error).message}`);
        return;
      }
    }
    const latest = this.store.latestCheckpoint();
    if (!latest) {
      if (size > 0) this.problem = new VigilError('LEDGER_INCONSISTENT', `${size} entries but no checkpoint`);
      return;
    }
    this.committed.note = latest.note;
    try {
      const keys = this.store.signingKeys().map((k) => parseVerifierKey(k.vkey));
      const { body } = verifyNote(latest.note, keys);
      const cp = parseCheckpoint(body);
      if (cp.origin !== this.origin) throw new Error(`checkpoint origin "${cp.origin}" is not the ledger's "${this.origin}"`);
      if (cp.size !== size) throw new Error(`the latest checkpoint is for size ${cp.size} but the ledger holds ${size} entries`);
      if (!constantTimeEqual(cp.rootHash, this.committed.range.root())) throw new Error(`the stored tree's root does not match the checkpoint at size ${size}`);
    } catch (e) {
      this.problem = new VigilError('LEDGER_INCONSISTENT', `tail check failed: ${(e as Error).message}; appends are refused until the ledger is verified and repaired`);
    }
  }

  private leafHashAt(index: number): Uint8Array | undefined {
    const leaf = this.store.readLeaf(index);
    return leaf ? leafHash(leaf) : undefined;
  }

  /** Hashes of complete subtrees read from storage: O(1) rows each (the same source `vigil verify --db` uses). */
  private readonly storedNodes: NodeSource;

  get size(): number {
    return this.committed.range.size;
  }

  get verifierKey(): string | undefined {
    return this.committed.signer?.verifierKey;
  }

  /** The latest signed checkpoint note, or undefined for an empty ledger. */
  latestCheckpoint(): string | undefined {
    return this.committed.note;
  }

  stat(): LedgerStat {
    return {
      size: this.size,
      root: encodeBase64(this.committed.range.root()),
      origin: this.origin,
      verifierKey: this.committed.signer?.verifierKey,
      checkpoint: this.committed.note,
      appendable: !this.closed && this.problem === undefined && this.committed.signer !== undefined,
      problem: this.problem?.message ?? (this.closed ? 'the ledger is closed' : this.committed.signer ? undefined : 'the active signing key is not in the data directory'),
    };
  }

  /** Records a caller's request (already validated with parseAppendRequest). */
  append(request: AppendRequest, context: AppendContext = {}): Promise<Receipt> {
    return this.enqueue({
      kind: request.kind,
      agent: request.agent,
      session: request.session,
      task: request.task,
      credential: context.credential,
      subjects: subjectList(context.subjects),
      meta: request.meta as JsonObject | undefined,
      payload: payloadBytes(request.payload as JsonValue),
    });
  }

  /** Records an entry of any kind with raw payload bytes (for Vigil's own parts, e.g. DLP decisions). */
  record(fields: { kind: string; agent: string; session?: string; task?: string; meta?: JsonObject }, payload: PayloadBytes, context: AppendContext = {}): Promise<Receipt> {
    return this.enqueue({
      kind: fields.kind,
      agent: fields.agent,
      session: fields.session,
      task: fields.task,
      credential: context.credential,
      subjects: subjectList(context.subjects),
      meta: fields.meta,
      payload,
    });
  }

  /**
   * Deletes the payloads (and salts) of `indexes` and appends an erasure entry saying which, when, why and
   * on what legal basis, in one transaction. Entries, checkpoints and proofs are untouched and still verify.
   * Payloads already erased are skipped; the receipt lists the indexes actually erased.
   */
  erase(request: ErasureRequest): Promise<ErasureReceipt> {
    const { indexes, reason, basis, actor } = request;
    if (!Array.isArray(indexes) || indexes.length === 0 || indexes.length > MAX_ERASURE_INDEXES) {
      return Promise.reject(new VigilError('ERASURE_INVALID', `indexes must list 1 to ${MAX_ERASURE_INDEXES} entries`, { path: 'indexes' }));
    }
    for (const i of indexes) {
      if (!Number.isSafeInteger(i) || i < 0) return Promise.reject(new VigilError('ERASURE_INVALID', `index ${String(i)} is not an entry index`, { path: 'indexes' }));
    }
    for (const [k, v] of Object.entries({ reason, basis, actor })) {
      if (typeof v !== 'string' || v.length === 0 || v.length > 1000) {
        return Promise.reject(new VigilError('ERASURE_INVALID', `${k} must be a non-empty string of at most 1000 characters`, { path: k }));
      }
    }
    return this.enqueue({
      kind: 'erasure',
      agent: 'vigil',
      session: undefined,
      task: undefined,
      credential: undefined,
      subjects: subjectList(request.subjects),
      meta: undefined,
      payload: payloadBytes(''),
      erase: { indexes: [...new Set(indexes)].sort((a, b) => a - b), reason, basis, actor },
    });
  }

  /**
   * Appends a key_rotation entry naming `next`'s verifier key. The batch that holds it is signed by the
   * current key; only after that commit does `next` sign anything, so a verifier that starts from the first
   * key can follow the chain of keys.
   */
  rotateKey(next: NoteSigner, actor = 'vigil'): Promise<Receipt> {
    if (!this.head.signer) return Promise.reject(new VigilError('KEY_MISSING', 'the active signing key is not in the data directory'));
    return this.enqueue({
      kind: 'key_rotation',
      agent: actor,
      session: undefined,
      task: undefined,
      credential: undefined,
      subjects: undefined,
      meta: undefined, // set when the batch is built: `previous` is the key in force at that point
      payload: payloadBytes(''),
      rotateTo: next,
    });
  }

  /**
   * The error an append would fail with right now (closed, a failed commit, no signing key), if any: for
   * callers that do costly work before appending (e.g. a DLP scan) and should not do it for nothing.
   */
  appendBlocker(): VigilError | undefined {
    if (this.closed) return new VigilError('LEDGER_CLOSED', 'the ledger is closed');
    if (this.problem) return this.problem;
    if (!this.head.signer) return new VigilError('KEY_MISSING', 'the active signing key is not in the data directory');
    return undefined;
  }

  private enqueue(item: Omit<Pending, 'resolve' | 'reject'>): Promise<ErasureReceipt> {
    const blocker = this.appendBlocker();
    if (blocker) return Promise.reject(blocker);
    if (item.payload.bytes.length > this.maxPayloadBytes) {
      return Promise.reject(new VigilError('PAYLOAD_TOO_LARGE', `payload of ${item.payload.bytes.length} bytes exceeds ${this.maxPayloadBytes}`, { path: '$.payload' }));
    }
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new VigilError('LEDGER_BUSY', `append queue is full (${this.maxQueue} pending); retry later`));
    }
    // The item object is the caller's fresh literal: completing it in place saves a copy per append.
    const pending = item as Pending;
    const promise = new Promise<ErasureReceipt>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
    this.queue.push(pending);
    this.schedule();
    return promise;
  }

  private schedule(): void {
    if (this.closed && this.queue.length === 0) return;
    if (this.queue.length >= this.maxBatch) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.flush();
      });
    } else if (!this.timer && !this.immediate) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.commitWindowMs);
    }
  }

  /** Takes the next batch off the queue and sends its payloads to the writer, if the pipeline has room. */
  private flush(): void {
    if (this.queue.length === 0 || this.inFlight.length >= PIPELINE_DEPTH) return;
    // An erasure reads which payloads are still stored: it waits until nothing is in flight.
    const take = Math.min(this.maxBatch, this.queue.length);
    if (this.inFlight.length > 0 && this.queue.slice(0, take).some((it) => it.erase)) return;
    const items = this.queue.splice(0, take);
    const seq = this.nextSeq++;
    const { bodies, bodyOffsets } = pack(items.map((it) => it.payload.bytes));
    this.inFlight.push({ seq, state: 'digesting', items, startedAt: process.hrtime.bigint() });
    const writer = this.writerFor();
    writer.ref();
    writer.postMessage({ type: 'digest', seq, bodies, bodyOffsets } satisfies WriterRequest, [bodies]);
    if (this.queue.length > 0) this.schedule();
  }

  /** Drops a batch that will not be committed, here and in the writer (which holds its payloads). */
  private discard(batch: DigestingBatch): void {
    const at = this.inFlight.indexOf(batch);
    if (at >= 0) this.inFlight.splice(at, 1);
    this.writer?.postMessage({ type: 'discard', seq: batch.seq } satisfies WriterRequest);
    this.afterBatch();
  }

  private writerFor(): Worker {
    if (this.writer) return this.writer;
    const writer = launchWorker(new URL('./writer-worker.js', import.meta.url));
    writer.on('message', (m: WriterReply) => this.onWriterReply(m));
    writer.on('error', (e) => this.onWriterGone(new VigilError('LEDGER_COMMIT_FAILED', `the ledger writer stopped: ${e.message}`, undefined, { cause: e })));
    writer.on('exit', (code) => {
      if (this.writer === writer) this.onWriterGone(new VigilError('LEDGER_COMMIT_FAILED', `the ledger writer exited (code ${code})`));
    });
    writer.postMessage({ type: 'open', path: this.store.path, synchronous: this.synchronous } satisfies WriterRequest);
    this.writer = writer;
    return writer;
  }

  /**
   * Builds a digested batch on top of `head`: entries (with the commitments the writer computed), tree
   * nodes, signed checkpoint and receipts; then sends it to be committed.
   */
  private prepare(batch: DigestingBatch, commitments: string[]): void {
    const items = batch.items;
    const base = this.head;
    const signer = base.signer;
    if (this.problem || !signer || commitments.length !== items.length) {
      const err = this.problem ?? (signer ? new VigilError('LEDGER_COMMIT_FAILED', 'the writer returned the wrong number of payload commitments') : new VigilError('KEY_MISSING', 'the active signing key is not in the data directory'));
      for (const it of items) it.reject(err);
      this.discard(batch);
      return;
    }
    const range = base.range.clone();
    const start = range.size;
    let prev = base.lastLeafHash;
    let prevB64 = prev ? encodeBase64(prev) : undefined;
    const tsMs = Math.max(this.now(), base.lastTs);
    const ts = new Date(tsMs).toISOString();
    const memo = new Map<number, Uint8Array>();
    for (const n of range.frontier()) memo.set(nodePosition(n.level, n.index), n.hash);
    const leaves = new LeafBuffer(items.length * 512);
    // positions in the batch of the items that became entries (an item can be refused while building)
    const taken: number[] = [];
    const nodeHashes: Uint8Array[] = [];
    const nodePositions: number[] = [];
    const erasures: CommitMessage['erasures'] = [];
    const subjects: NonNullable<CommitMessage['subjects']> = [];
    let signingKey: CommitMessage['signingKey'];
    const accepted: Array<{ item: Pending; index: number; leafHash: string; erased: number[] }> = [];
    let nextSigner = signer;

    for (let position = 0; position < items.length; position++) {
      const item = items[position] as Pending;
      const index = range.size;
      let meta = item.meta;
      let erased: number[] = [];
      if (item.erase) {
        const checked = this.checkErasure(item.erase, start);
        if (checked instanceof VigilError) {
          item.reject(checked);
          continue;
        }
        erased = checked;
        meta = { indexes: erased, reason: item.erase.reason, basis: item.erase.basis, actor: item.erase.actor };
        erasures.push({ erasureIndex: index, indexes: erased });
      }
      if (item.rotateTo) meta = { previous: nextSigner.verifierKey, vkey: item.rotateTo.verifierKey };
      const entry: Entry = {
        v: ENTRY_VERSION,
        index,
        ts,
        kind: item.kind,
        agent: item.agent,
        session: item.session,
        task: item.task,
        credential: item.credential,
        payload: {
          commitment: commitments[position] as string,
          size: item.payload.bytes.length,
          type: item.payload.type,
        },
        meta,
        subjects: item.subjects,
        prev: prevB64,
      };
      let leaf: string;
      try {
        leaf = encodeEntryText(entry);
      } catch (e) {
        item.reject(e);
        continue;
      }
      const { hash, base64: hashB64 } = leaves.add(leaf);
      memo.set(nodePosition(0, index), hash);
      for (const n of range.appendOwned(hash)) {
        const pos = nodePosition(n.level, n.index);
        memo.set(pos, n.hash);
        nodeHashes.push(n.hash);
        nodePositions.push(pos);
      }
      taken.push(position);
      for (const subject of new Set(item.subjects ?? [])) subjects.push({ subject, idx: index });
      if (item.rotateTo) {
        nextSigner = item.rotateTo;
        signingKey = { sinceIndex: index, vkey: item.rotateTo.verifierKey };
      }
      prevB64 = hashB64;
      accepted.push({ item, index, leafHash: prevB64, erased });
      prev = hash;
    }
    if (accepted.length === 0) {
      this.discard(batch);
      return;
    }

    const size = range.size;
    const note = signer.sign(formatCheckpoint({ origin: this.origin, size, rootHash: range.root(), extensions: [] }));
    const source: NodeSource = { node: (level, index) => memo.get(nodePosition(level, index)) ?? this.storedNodes.node(level, index) };
    const proofs = new BatchProofs(source, size);
    const answers: CommittingBatch['answers'] = [];
    for (const a of accepted) {
      try {
        const receipt: Receipt = { index: a.index, leafHash: a.leafHash, checkpoint: note, proof: proofs.proof(a.index) };
        // Only an erasure's receipt says which payloads went; every other receipt keeps the contract's shape.
        answers.push({ item: a.item, receipt: a.item.erase ? { ...receipt, erased: a.erased } : (receipt as ErasureReceipt) });
      } catch (e) {
        // A receipt that cannot be built fails the whole batch before anything is written.
        for (const b of accepted) b.item.reject(e);
        this.discard(batch);
        return;
      }
    }
    const after: TreeState = { range, lastLeafHash: prev, lastTs: tsMs, note, signer: nextSigner };
    const seq = batch.seq;
    const message: CommitMessage = {
      type: 'commit',
      seq,
      start,
      count: accepted.length,
      taken: Uint32Array.from(taken),
      ...leaves.finish(),
      nodes: concat(nodeHashes).buffer as ArrayBuffer,
      nodePositions: Float64Array.from(nodePositions),
      checkpoint: { size, note },
      erasures,
      signingKey,
      ...(subjects.length > 0 ? { subjects } : {}),
    };
    const committing: CommittingBatch = { seq, state: 'committing', answers, after, startedAt: batch.startedAt };
    this.inFlight[this.inFlight.indexOf(batch)] = committing;
    this.head = after;
    // The writer takes messages in order: send the next full batch to be digested before this one is
    // committed, or building it would wait for the whole commit.
    if (this.queue.length >= this.maxBatch) this.flush();
    this.writerFor().postMessage(message, [message.leaves, message.nodes]);
  }

  private onWriterReply(m: WriterReply): void {
    if (m.type === 'closed') {
      this.writerClosed?.();
      return;
    }
    if (m.type === 'fatal') {
      this.onWriterGone(new VigilError('LEDGER_COMMIT_FAILED', `the ledger writer could not open the file: ${m.message}`));
      return;
    }
    // A reply for a batch that is no longer in flight was already failed with an earlier one.
    const batch = this.inFlight.find((b) => b.seq === m.seq);
    if (!batch) return;
    if (m.type === 'digested') {
      // Digests come back in the order the batches were sent, so batches are built in order too.
      if (batch.state === 'digesting') this.prepare(batch, m.commitments);
      return;
    }
    if (m.type === 'committed') {
      if (batch !== this.inFlight[0] || batch.state !== 'committing') return;
      this.inFlight.shift();
      // Committed: only now do the receipts go out and does the committed state move on.
      this.committed = batch.after;
      for (const a of batch.answers) a.item.resolve(a.receipt);
      this.onBatchCommitted?.(batch.answers.length, Number(process.hrtime.bigint() - batch.startedAt) / 1e9);
    } else {
      this.failInFlight(new VigilError(m.code in ERROR_CATALOGUE ? (m.code as VigilErrorCode) : 'LEDGER_COMMIT_FAILED', m.message));
    }
    this.afterBatch();
  }

  /** After a batch left the pipeline: let the writer idle when nothing is in flight, and go on with the queue. */
  private afterBatch(): void {
    if (this.inFlight.length === 0) {
      this.writer?.unref();
      this.drained?.();
    }
    if (this.queue.length > 0) this.schedule();
  }

  /**
   * Fails every batch in flight (later ones were built on the failed one, or would be built on a tree that
   * is rewinding) and rewinds to what is on disk.
   */
  private failInFlight(error: VigilError): void {
    const failed = this.inFlight.splice(0);
    this.head = this.committed;
    failed.forEach((batch, i) => {
      const err = i === 0 ? error : new VigilError('LEDGER_COMMIT_FAILED', `not recorded: an earlier commit failed (${error.message})`);
      if (batch.state === 'committing') {
        for (const a of batch.answers) a.item.reject(err);
      } else {
        for (const item of batch.items) item.reject(err);
        this.writer?.postMessage({ type: 'discard', seq: batch.seq } satisfies WriterRequest);
      }
    });
  }

  private onWriterGone(error: VigilError): void {
    this.writer = undefined;
    this.problem ??= error;
    this.failInFlight(error);
    for (const it of this.queue.splice(0)) it.reject(error);
    this.drained?.();
    this.writerClosed?.();
  }

  private drained: (() => void) | undefined;

  /** The indexes an erasure will remove, or the reason it cannot run. Already-erased payloads are skipped. */
  private checkErasure(req: ErasureRequest, size: number): number[] | VigilError {
    const result: number[] = [];
    for (const idx of req.indexes) {
      if (idx >= size) return new VigilError('ERASURE_INVALID', `entry ${idx} does not exist (ledger size ${size})`, { index: idx });
      const state = this.store.readPayload(idx).state;
      if (state === 'present') result.push(idx);
    }
    if (result.length === 0) return new VigilError('ERASURE_INVALID', 'every listed payload is already erased', { path: 'indexes' });
    return result;
  }

  /** Inclusion proof for entry `index` in the tree of size `treeSize` (≤ the ledger's size). */
  inclusionProof(index: number, treeSize: number): Uint8Array[] {
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize || treeSize > this.size) {
      throw new VigilError('INVALID_PROOF_REQUEST', `need 0 ≤ index < size ≤ ${this.size}, got index ${index}, size ${treeSize}`);
    }
    return inclusionProof(this.storedNodes, index, treeSize);
  }

  /** Consistency proof between tree sizes m and n (0 < m ≤ n ≤ the ledger's size). */
  consistencyProof(m: number, n: number): Uint8Array[] {
    if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 1 || m > n || n > this.size) {
      throw new VigilError('INVALID_PROOF_REQUEST', `need 0 < from ≤ to ≤ ${this.size}, got from ${m}, to ${n}`);
    }
    return consistencyProof(this.storedNodes, m, n);
  }

  /** Exact leaf bytes of entry `index`. */
  readLeaf(index: number): Uint8Array {
    const leaf = this.store.readLeaf(index);
    if (!leaf) throw new VigilError('NOT_FOUND', `no entry ${index}`, { index });
    return leaf;
  }

  readPayload(index: number): StoredPayload {
    return this.store.readPayload(index);
  }

  /** Committed entries whose `subjects` name this pseudonym, ascending (the subject index, not a scan). */
  entriesForSubject(pseudonym: string): number[] {
    const size = this.size;
    return this.store.indexesForSubject(pseudonym).filter((i) => i < size);
  }

  /** The read side of the store, for verification and export. */
  get storage(): LedgerStore {
    return this.store;
  }

  /** Commits everything still queued, waits for the writer, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    while (this.queue.length > 0 || this.inFlight.length > 0) {
      const drained = new Promise<void>((resolve) => (this.drained = resolve));
      this.flush();
      if (this.inFlight.length === 0 && this.queue.length > 0) continue; // nothing could be sent: all rejected
      await drained;
    }
    this.drained = undefined;
    try {
      const writer = this.writer;
      if (writer) {
        const closed = new Promise<void>((resolve) => (this.writerClosed = resolve));
        writer.ref(); // keep the process alive until the writer has closed the file
        writer.postMessage({ type: 'close' } satisfies WriterRequest);
        await closed;
        this.writer = undefined;
        await writer.terminate();
      }
      this.store.close();
    } finally {
      this.unlock();
    }
  }
}
