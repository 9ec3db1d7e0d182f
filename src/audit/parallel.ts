/**
 * The parallel verification engine: the same verification as `verifyLedger` (verify.ts), with the per-entry
 * work spread over worker threads, and the same report for the same evidence (same failure code, index and
 * checkpoint size, same counts and root).
 *
 * The main thread reads the evidence (a synchronous iterator, e.g. a database cursor) and packs entries into
 * chunks of 2^k consecutive entries aligned on multiples of 2^k, so that a full chunk is one complete
 * subtree of the log's Merkle tree. Each chunk travels to a worker in one transferred buffer. The worker
 * (chunk-check.ts) decodes and checks every entry in the serial engine's order, hashes the leaves, checks the
 * chain inside the chunk, builds the chunk's subtree and returns the frontier of every prefix the main
 * thread asked for (where a checkpoint or the pin ends inside the chunk), plus ahead-of-time signature
 * checks of those checkpoints against the key in force when the chunk left.
 *
 * Results are replayed into one `Walk` (core.ts) strictly in chunk order: the first entry's prev and
 * timestamp against the previous chunk, then checkpoints (a root is the frontier of the full chunks before,
 * folded with the prefix frontier inside the chunk: O(log n) hashes), key rotations, erasures and payload
 * bookkeeping, exactly as the serial engine interleaves them. A failure a worker finds in a later chunk waits
 * until every earlier chunk has been replayed, so the first failure in index order wins. At most
 * `maxInFlight` chunks and `maxInFlightBytes` of chunk data are out at once (back-pressure on the reader,
 * bounded memory); workers are terminated on every path.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EMPTY_ROOT, LeanRange, MAX_BLOCK_LEVELS, encodeBase64, parseVerifierKey, rootFromFrontier, splitHashes, type VerifierKey } from '../tlog/index.js';
import { Failure, Walk, failChain, failTimestamp, newReport, type LedgerEvidence, type PayloadEvidence, type VerificationReport, type VerifyFailure, type VerifyOptions } from './core.js';
import { OFFSET_FIELDS, PAYLOAD_ABSENT, PAYLOAD_UNUSABLE, type ChunkRequest, type ChunkResult, type WorkerReply } from './parallel-protocol.js';

export interface ParallelVerifyOptions extends VerifyOptions {
  /** Worker threads; default `os.availableParallelism()`. Ignored when `pool` is given. */
  workers?: number;
  /**
   * Workers to use, kept by the caller across verifications (the caller closes it). Without one, the
   * verification starts its own workers and terminates them before it returns, on every path.
   */
  pool?: VerifyWorkerPool;
  /** Entries per chunk, a power of two (default 4096). */
  chunkSize?: number;
  /** Chunks out to workers at once; default 16 per worker (reading runs ahead while workers start). */
  maxInFlight?: number;
  /** Bytes of chunk data (leaves and payloads) out to workers at once; default 64 MiB. */
  maxInFlightBytes?: number;
}

const DEFAULT_CHUNK = 4096;

/**
 * Verifies a whole ledger with worker threads. Resolves to exactly the report `verifyLedger` returns for the
 * same evidence; rejects only for usage errors (a malformed trusted key or option) or when reading the
 * evidence throws.
 */
export async function verifyLedgerParallel(evidence: LedgerEvidence, options: ParallelVerifyOptions): Promise<VerificationReport> {
  const trusted = parseVerifierKey(options.trustedKey);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const levels = Math.log2(chunkSize);
  if (!Number.isInteger(levels) || levels < 0 || levels > MAX_BLOCK_LEVELS) {
    throw new RangeError(`chunkSize must be a power of two from 1 to 2^${MAX_BLOCK_LEVELS}, got ${String(chunkSize)}`);
  }
  const workers = options.pool?.size ?? options.workers ?? availableParallelism();
  if (!Number.isSafeInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${String(workers)}`);
  const maxInFlight = options.maxInFlight ?? 16 * workers;
  if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${String(maxInFlight)}`);
  const maxInFlightBytes = options.maxInFlightBytes ?? 64 * 1024 * 1024;
  if (!(maxInFlightBytes > 0)) throw new RangeError(`maxInFlightBytes must be positive, got ${String(maxInFlightBytes)}`);

  const report = newReport(options, evidence.payloads !== undefined, encodeBase64(EMPTY_ROOT));
  const pool = options.pool ?? new VerifyWorkerPool(workers);
  const run = new ParallelRun(evidence, options, trusted, report, levels, pool, { chunks: maxInFlight, bytes: maxInFlightBytes });
  try {
    await run.run();
    report.ok = true;
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    report.failure = e.failure;
  } finally {
    try {
      run.close();
    } finally {
      if (pool !== options.pool) await pool.close();
    }
  }
  report.size = run.rangeSize;
  report.root = encodeBase64(run.rootAt(run.rangeSize));
  return report;
}

/** The worker script next to this module: compiled JS in dist/, or the TS source run through tsx. */
function startWorker(): Worker {
  const js = new URL('./verify-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  const ts = new URL('./verify-worker.ts', import.meta.url);
  // Node 20 does not apply `--import tsx` to a worker (tsx registers its hooks on the main thread only), so
  // the worker registers them itself through tsx's API before importing the TS source.
  const tsxApi = new URL('./esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx')));
  const boot = `import(${JSON.stringify(tsxApi.href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ts.href)}); });`;
  return new Worker(boot, { eval: true });
}

interface Waiting {
  resolve: (r: ChunkResult) => void;
  reject: (e: Error) => void;
  worker: Worker;
}

/**
 * Worker threads that check chunks. Started on first use; `close()` terminates them. One pool can serve
 * several verifications, one after the other or at once.
 */
export class VerifyWorkerPool {
  readonly size: number;
  readonly #workers: Worker[] = [];
  readonly #waiting = new Map<number, Waiting>();
  #ticket = 0;
  #closed = false;

  constructor(size: number = availableParallelism()) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`a pool needs a positive integer number of workers, got ${String(size)}`);
    this.size = size;
  }

  /** Checks one chunk in a worker (round robin). The request's buffers are transferred, and come back in the result. */
  submit(request: ChunkRequest): Promise<ChunkResult> {
    if (this.#closed) return Promise.reject(new Error('the verification worker pool is closed'));
    if (this.#workers.length === 0) {
      for (let i = 0; i < this.size; i++) this.#workers.push(this.#listen(startWorker()));
    }
    const ticket = this.#ticket++;
    const worker = this.#workers[ticket % this.size] as Worker;
    const reply = new Promise<ChunkResult>((resolve, reject) => {
      this.#waiting.set(ticket, { resolve, reject, worker });
    });
    worker.postMessage({ ...request, id: ticket }, [request.data, request.offsets]);
    return reply;
  }

  /** Terminates the workers; chunks still out are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
    for (const w of this.#waiting.values()) w.reject(new Error('the verification worker pool was closed'));
    this.#waiting.clear();
  }

  #listen(worker: Worker): Worker {
    worker.on('message', (reply: WorkerReply) => {
      const ticket = reply.ok ? reply.result.id : reply.id;
      const waiting = this.#waiting.get(ticket);
      if (!waiting) return;
      this.#waiting.delete(ticket);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new Error(`a verification worker failed: ${reply.error}`));
    });
    const failAll = (error: Error): void => {
      for (const [ticket, waiting] of this.#waiting) {
        if (waiting.worker !== worker) continue;
        this.#waiting.delete(ticket);
        waiting.reject(error);
      }
    };
    worker.on('error', (e) => failAll(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => failAll(new Error(`a verification worker exited (code ${code})`)));
    return worker;
  }
}

interface Chunk {
  id: number;
  start: number;
  count: number;
  /** positions with a stored payload / without one, ascending */
  present: number[];
  absent: number[];
  /** sizes where the replay has something to do (checkpoint, pin, progress), ascending, unique */
  events: number[];
  /** relative position where reading the evidence threw, or -1: that entry never completes */
  stopAt: number;
  /** bytes of leaves and payloads */
  bytes: number;
}

const NO_LEAF = new Uint8Array(0);
// Chunk buffers kept for reuse once a worker hands them back.
const POOLED_BUFFERS = 8;

class ParallelRun {
  /** leaves in the tree at the current point of the replay (the report's size) */
  rangeSize = 0;
  readonly #evidence: LedgerEvidence;
  readonly #options: ParallelVerifyOptions;
  readonly #trusted: VerifierKey;
  readonly #report: VerificationReport;
  readonly #levels: number;
  readonly #capacity: number;
  readonly #pool: VerifyWorkerPool;
  readonly #maxInFlight: { chunks: number; bytes: number };
  #walk: Walk | undefined;

  #entries: Iterator<{ index: number; leaf: Uint8Array }> | undefined;
  #entriesOver = false; // exhausted or threw: no return() owed
  #payloads: Iterator<PayloadEvidence> | undefined;
  #nextPayload: IteratorResult<PayloadEvidence> | undefined;
  #inputDone = false;
  #readError: { error: unknown } | undefined;
  #position = 0;
  #dispatchCpi = 0;
  #nextId = 0;

  readonly #dataPool: ArrayBuffer[] = [];
  readonly #offsetPool: ArrayBuffer[] = [];
  #dataEstimate = 1 << 20;

  // The tree: full chunks as one range over their roots, plus the prefix frontiers of the chunk in replay.
  readonly #full = new LeanRange();
  #fullSize = 0;
  #partial: { start: number; frontiers: Map<number, Uint8Array> } | undefined;
  #prevHash: string | undefined;
  #prevTs = '';

  constructor(evidence: LedgerEvidence, options: ParallelVerifyOptions, trusted: VerifierKey, report: VerificationReport, levels: number, pool: VerifyWorkerPool, maxInFlight: { chunks: number; bytes: number }) {
    this.#evidence = evidence;
    this.#options = options;
    this.#trusted = trusted;
    this.#report = report;
    this.#levels = levels;
    this.#capacity = 2 ** levels;
    this.#pool = pool;
    this.#maxInFlight = maxInFlight;
  }

  rootAt(size: number): Uint8Array {
    if (size === this.#fullSize) return this.#full.root();
    const inChunk = this.#partial?.frontiers.get(size - this.#partial.start);
    if (this.#partial === undefined || inChunk === undefined) throw new Error(`internal error: no tree frontier for size ${size}`);
    return rootFromFrontier([...this.#full.nodes(), ...splitHashes(inChunk)]);
  }

  async run(): Promise<void> {
    const walk = new Walk(this.#evidence.checkpoints, this.#options, this.#trusted, this.#report);
    this.#walk = walk;
    walk.checkpointsAt(0, EMPTY_ROOT);
    while (this.#dispatchCpi < walk.checkpoints.length && (walk.checkpoints[this.#dispatchCpi]?.size ?? 1) <= 0) this.#dispatchCpi++;
    this.#payloads = this.#evidence.payloads?.[Symbol.iterator]();
    this.#nextPayload = this.#payloads?.next();
    this.#entries = this.#evidence.entries[Symbol.iterator]();

    const queue: Array<{ chunk: Chunk; reply: Promise<ChunkResult> }> = [];
    let bytes = 0;
    for (;;) {
      while (!this.#inputDone && queue.length < this.#maxInFlight.chunks && bytes < this.#maxInFlight.bytes) {
        const packed = this.#pack();
        if (!packed) continue;
        bytes += packed.chunk.bytes;
        queue.push({ chunk: packed.chunk, reply: this.#dispatch(packed.request) });
      }
      const head = queue.shift();
      if (!head) break;
      bytes -= head.chunk.bytes;
      this.#replay(head.chunk, await head.reply);
    }
    if (this.#readError) throw this.#readError.error;
    walk.conclude(this.#position, this.#prevTs, this.#payloads !== undefined);
  }

  /** Closes the evidence streams (a database cursor must not stay open when the walk ends early). */
  close(): void {
    try {
      if (!this.#entriesOver) this.#entries?.return?.();
    } finally {
      this.#payloads?.return?.();
    }
  }

  /** Reads up to one chunk of entries (and their payloads) into a request; undefined when there are none. */
  #pack(): { chunk: Chunk; request: ChunkRequest } | undefined {
    const capacity = this.#capacity;
    const start = this.#position;
    const entries = this.#entries as Iterator<{ index: number; leaf: Uint8Array }>;
    const payloads = this.#payloads;
    const offsetsBuffer = this.#offsetPool.pop() ?? new ArrayBuffer(OFFSET_FIELDS * 4 * capacity);
    const offsets = new Uint32Array(offsetsBuffer);
    let data = new Uint8Array(this.#dataPool.pop() ?? new ArrayBuffer(this.#dataEstimate));
    const present: number[] = [];
    const absent: number[] = [];
    let rowMismatchAt = -1;
    let forcedAt = -1;
    let forced: VerifyFailure | undefined;
    let stopAt = -1;
    let used = 0;
    let count = 0;

    const reserve = (bytes: number): void => {
      if (used + bytes <= data.length) return;
      if (used + bytes > 0xfffffff0) throw new RangeError('a chunk of entries and payloads exceeds 4 GiB; use a smaller chunkSize');
      const bigger = new Uint8Array(new ArrayBuffer(Math.min(0xfffffff0, Math.max(2 * data.length, used + bytes))));
      bigger.set(data.subarray(0, used));
      data = bigger;
    };

    while (count < capacity) {
      let step: IteratorResult<{ index: number; leaf: Uint8Array }>;
      try {
        step = entries.next();
      } catch (error) {
        this.#readError = { error };
        this.#entriesOver = true;
        this.#inputDone = true;
        break;
      }
      if (step.done) {
        this.#entriesOver = true;
        this.#inputDone = true;
        break;
      }
      const row = step.value;
      const position = start + count;
      const o = OFFSET_FIELDS * count;
      if (rowMismatchAt < 0 && row.index !== position) rowMismatchAt = count;
      let leaf = row.leaf;
      if (!(leaf instanceof Uint8Array)) {
        if (forcedAt < 0) {
          forcedAt = count;
          forced = { code: 'ENTRY_MALFORMED', message: `entry ${position}: the leaf is not a byte array`, index: position };
        }
        leaf = NO_LEAF;
      }
      reserve(leaf.length + 1);
      data[used] = 0x00;
      data.set(leaf, used + 1);
      offsets[o] = used;
      offsets[o + 1] = used + 1 + leaf.length;
      offsets[o + 2] = PAYLOAD_ABSENT;
      used += 1 + leaf.length;
      count++;

      if (payloads) {
        // The serial engine's merge: skip stored payloads of earlier indexes, take the one of this index.
        try {
          let next = this.#nextPayload;
          while (next && !next.done && next.value.index < position) next = this.#nextPayload = payloads.next();
          if (next && !next.done && next.value.index === position) {
            const { salt, body } = next.value;
            if (salt instanceof Uint8Array && body instanceof Uint8Array) {
              reserve(salt.length + body.length);
              data.set(salt, used);
              data.set(body, used + salt.length);
              offsets[o + 2] = used;
              offsets[o + 3] = salt.length;
              offsets[o + 4] = used + salt.length + body.length;
              used += salt.length + body.length;
            } else {
              offsets[o + 2] = PAYLOAD_UNUSABLE;
            }
            present.push(position);
            this.#nextPayload = payloads.next();
          } else {
            absent.push(position);
          }
        } catch (error) {
          // The serial engine would throw at this entry's payload step: nothing after it completes.
          this.#readError = { error };
          this.#inputDone = true;
          stopAt = count - 1;
          break;
        }
      }
    }
    if (count === 0) {
      this.#offsetPool.push(offsetsBuffer);
      this.#dataPool.push(data.buffer as ArrayBuffer);
      return undefined;
    }
    this.#dataEstimate = Math.max(this.#dataEstimate, Math.ceil(used * 1.25));
    this.#position = start + count;

    // Checkpoints (and the pin) ending inside the chunk: their prefix frontiers, and signatures to check early.
    const walk = this.#walk as Walk;
    const end = start + count;
    const sizes = new Set<number>();
    const notes: ChunkRequest['notes'] = [];
    while (this.#dispatchCpi < walk.checkpoints.length) {
      const cp = walk.checkpoints[this.#dispatchCpi];
      if (cp === undefined || cp.size > end) break;
      sizes.add(cp.size);
      notes.push({ cp: this.#dispatchCpi, size: cp.size, note: cp.note });
      this.#dispatchCpi++;
    }
    const pin = walk.pin;
    if (pin && pin.size > start && pin.size <= end) sizes.add(pin.size);
    const events = new Set(sizes);
    const every = this.#options.progressEvery ?? 65536;
    if (this.#options.onProgress) {
      if (Number.isSafeInteger(every) && every > 0) {
        for (let s = Math.ceil((start + 1) / every) * every; s <= end; s += every) events.add(s);
      } else {
        for (let s = start + 1; s <= end; s++) if (s % every === 0) events.add(s);
      }
    }

    const id = this.#nextId++;
    const chunk: Chunk = { id, start, count, present, absent, events: [...events].sort((a, b) => a - b), stopAt, bytes: used };
    const request: ChunkRequest = {
      id,
      start,
      count,
      levels: this.#levels,
      data: data.buffer as ArrayBuffer,
      offsets: offsetsBuffer,
      payloads: payloads !== undefined,
      rowMismatchAt,
      forcedAt,
      forced,
      sizes: [...sizes].map((s) => s - start),
      notes,
      key: walk.active.text,
    };
    return { chunk, request };
  }

  #dispatch(request: ChunkRequest): Promise<ChunkResult> {
    const reply = this.#pool.submit(request);
    reply.catch(() => undefined); // a chunk abandoned after an earlier failure must not be an unhandled rejection
    return reply;
  }

  /** Replays one chunk's result into the walk, in the serial engine's order. Throws the first Failure. */
  #replay(chunk: Chunk, result: ChunkResult): void {
    const walk = this.#walk as Walk;
    const report = this.#report;
    const { start } = chunk;
    if (this.#dataPool.length < POOLED_BUFFERS) this.#dataPool.push(result.data);
    if (this.#offsetPool.length < POOLED_BUFFERS) this.#offsetPool.push(result.offsets);
    this.#partial = { start, frontiers: new Map(result.frontiers.map((f) => [f.size, f.nodes])) };
    for (const s of result.signatures) walk.presigned.set(s.cp, { key: s.key, ok: s.ok });

    const failure = result.failure;
    this.rangeSize = start;
    // The first entry: decoding and index (checked by the worker), then prev and timestamp against the log before.
    if (failure && failure.at === 0 && !result.hasFirst) throw new Failure(failure.failure);
    if (result.firstPrev !== this.#prevHash) failChain(start);
    if (result.firstTs < this.#prevTs) failTimestamp(start, result.firstTs);
    report.firstTimestamp ??= result.firstTs;

    // Entries before `completed` (relative) passed every per-entry check.
    let completed = failure ? failure.at : chunk.count;
    const stopped = chunk.stopAt >= 0 && chunk.stopAt < completed;
    if (stopped) completed = chunk.stopAt;
    const end = start + completed;
    for (const r of result.rotations) if (r.index < end) walk.addRotation({ index: r.index, previous: r.previous, next: parseVerifierKey(r.vkey) });
    for (const e of result.erasures) if (e.index < end) walk.addErasure(e.index, e.indexes);

    let p = 0;
    let a = 0;
    const settle = (upTo: number): void => {
      for (; p < chunk.present.length && (chunk.present[p] as number) < upTo; p++) {
        walk.presentButErasable.push(chunk.present[p] as number);
        report.payloads.present++;
      }
      for (; a < chunk.absent.length && (chunk.absent[a] as number) < upTo; a++) walk.absent.push(chunk.absent[a] as number);
    };
    const onProgress = this.#options.onProgress;
    const every = this.#options.progressEvery ?? 65536;
    for (const size of chunk.events) {
      if (size > end) break;
      settle(size);
      this.rangeSize = size;
      if (walk.eventAt(size)) walk.checkpointsAt(size, this.rootAt(size));
      if (onProgress && size % every === 0) onProgress(size);
    }
    if (failure) {
      settle(start + failure.at);
      this.rangeSize = start + failure.rangeSize;
      throw new Failure(failure.failure);
    }
    if (stopped) throw (this.#readError as { error: unknown }).error;
    settle(start + chunk.count);
    this.rangeSize = start + chunk.count;
    this.#prevHash = result.lastHash;
    this.#prevTs = result.lastTs;
    if (chunk.count === this.#capacity) {
      const root = this.#partial.frontiers.get(chunk.count);
      if (root === undefined) throw new Error('internal error: a full chunk came back without its root');
      this.#full.append(root);
      this.#fullSize += chunk.count;
      this.#partial = undefined;
    }
  }
}
