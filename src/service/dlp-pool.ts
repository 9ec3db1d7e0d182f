/**
 * DLP scans off the event loop: a fixed pool of worker threads, each with its own engine, fed from one
 * queue. Fail closed: a scan that is not answered within its budget (queue time included) resolves as a
 * block with DLP_TIMEOUT, and a worker that stops answering is replaced; nothing is ever released without
 * a scan's own verdict.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { launchWorker } from '../ledger/worker-launch.js';
import type { FailedScanResult, ScanResult, StepResult, StreamEnd } from '../dlp/index.js';

export interface DlpWorkerData {
  rulesDirs: string[];
  policyFile: string;
  pseudonymKeyHex: string;
  timeBudgetMs: number;
  nlp: boolean;
  /** the subject-index key (hex); with it, scans also give the pseudonyms of the subjects they found */
  subjectKeyHex?: string;
}

export interface ScanRequest {
  id: number;
  text: string;
  destination?: string;
  /** what is left of the scan's budget when the worker gets it (ms) */
  budgetMs: number;
  /** a step of a stream filter (dlp/stream.ts) over `text`, the text received so far */
  stream?: { released: string; final: boolean };
  /** only the subjects of each of these texts (recorded payloads), not a filter decision */
  subjectTexts?: string[];
}

/**
 * A scan's result, a stream step's or a stream end's, or subject lists (whichever the request asked for).
 * `subjects` are the pseudonyms of the data subjects the scanned text names, when the pool has the key.
 */
export type ScanReply =
  | { id: number; result: ScanResult | FailedScanResult; subjects?: string[] }
  | { id: number; step: StepResult }
  | { id: number; end: StreamEnd; subjects?: string[] }
  | { id: number; subjectLists: string[][] }
  | { id: number; failed: FailedScanResult };

/** A scan's result with the subjects it found ([] without a subject key or when the scan failed). */
export interface SubjectScan {
  result: ScanResult | FailedScanResult;
  subjects: string[];
}

export interface DlpPoolOptions {
  rulesDirs: string[];
  policyFile: string;
  pseudonymKey: Uint8Array;
  /** a scan's budget, queue time included (ms) */
  timeBudgetMs: number;
  /** worker threads (default: the cores minus one, at least one) */
  size?: number;
  nlp?: boolean;
  /** how long past its budget a worker may stay silent before it is replaced (ms) */
  graceMs?: number;
  /** the subject-index key: scans then also give subject pseudonyms (src/subjects) */
  subjectKey?: Uint8Array;
}

interface Job {
  request: ScanRequest;
  deadline: number;
  /** the worker's answer */
  settle: (reply: ScanReply) => void;
  /** no answer: a timeout or a failure (fail closed) */
  fail: (r: FailedScanResult) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | undefined;
  watchdog: NodeJS.Timeout | undefined;
}

/** The most time one subject-index job (all the payloads of one request) may take, queue time included (ms). */
export const SUBJECT_JOB_MAX_MS = 30_000;

export function timeoutResult(): FailedScanResult {
  return { decision: 'block', output: null, findings: [], error: { code: 'DLP_TIMEOUT', message: 'the scan exceeded its time budget' } };
}

function failedResult(): FailedScanResult {
  return { decision: 'block', output: null, findings: [], error: { code: 'DLP_FAILED', message: 'the scan failed' } };
}

export class DlpPool {
  readonly #options: Required<Omit<DlpPoolOptions, 'pseudonymKey' | 'subjectKey'>> & Pick<DlpPoolOptions, 'pseudonymKey' | 'subjectKey'>;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  /** replaced workers (a metric: each one was a scan that ran past its budget) */
  replacedWorkers = 0;

  constructor(options: DlpPoolOptions) {
    this.#options = {
      size: Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1),
      nlp: true,
      graceMs: 1000,
      ...options,
    };
    for (let i = 0; i < this.#options.size; i++) this.#slots.push(this.#spawn());
  }

  /** Resolves when every worker has built its engine (rules compiled, lexicons loaded). */
  async ready(): Promise<void> {
    while (this.#slots.some((s) => !s.ready)) await new Promise((r) => setTimeout(r, 10));
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Scans one text; never rejects (a failure or an overrun is a block). */
  async scan(text: string, options: { destination?: string | undefined } = {}): Promise<ScanResult | FailedScanResult> {
    return (await this.scanWithSubjects(text, options)).result;
  }

  /** Scans one text and names the subjects it found; never rejects (a failure or an overrun is a block). */
  scanWithSubjects(text: string, options: { destination?: string | undefined } = {}): Promise<SubjectScan> {
    return this.#submit(
      { text, destination: options.destination },
      (reply) => ('result' in reply ? { result: reply.result, subjects: reply.subjects ?? [] } : { result: failedResult(), subjects: [] }),
      (r) => ({ result: r, subjects: [] }),
    );
  }

  /**
   * The subjects named in each of `texts` (recorded payloads): one job for all of them. Never rejects: a
   * failure or an overrun comes back as a FailedScanResult, and the caller records nothing.
   */
  subjectsOf(texts: string[]): Promise<string[][] | FailedScanResult> {
    // Each text gets a scan's budget (a batch of 500 events is 500 scans), up to SUBJECT_JOB_MAX_MS in all.
    const budgetMs = Math.min(this.#options.timeBudgetMs * Math.max(1, texts.length), Math.max(this.#options.timeBudgetMs, SUBJECT_JOB_MAX_MS));
    return this.#submit(
      { text: '', subjectTexts: texts, budgetMs },
      (reply) => ('subjectLists' in reply ? reply.subjectLists : 'failed' in reply ? reply.failed : failedResult()),
      (r) => r,
    );
  }

  /**
   * A release step of a stream filter: `text` is everything received so far, `released` what has gone
   * out. The worker holds no state between steps, so a replaced worker loses nothing. Never rejects: a
   * failure or an overrun blocks the stream.
   */
  streamStep(text: string, released: string, options: { destination?: string | undefined } = {}): Promise<StepResult> {
    return this.#submit(
      { text, destination: options.destination, stream: { released, final: false } },
      (reply) => ('step' in reply ? reply.step : { released, blocked: true, error: failedResult().error }),
      (r) => ({ released, blocked: true, error: r.error }),
    );
  }

  /**
   * The end of a stream filter: the whole text's result, the last piece to release and the subjects the
   * whole text names. Never rejects.
   */
  streamFinish(text: string, released: string, options: { destination?: string | undefined } = {}): Promise<StreamEnd & { subjects: string[] }> {
    return this.#submit(
      { text, destination: options.destination, stream: { released, final: true } },
      (reply) => ('end' in reply ? { ...reply.end, subjects: reply.subjects ?? [] } : { text: '', result: failedResult(), subjects: [] }),
      (r) => ({ text: '', result: r, subjects: [] }),
    );
  }

  #submit<T>(
    what: { text: string; destination?: string | undefined; stream?: ScanRequest['stream']; subjectTexts?: string[]; budgetMs?: number },
    fromReply: (reply: ScanReply) => T,
    fromFailure: (r: FailedScanResult) => T,
  ): Promise<T> {
    if (this.#closed) return Promise.resolve(fromFailure(failedResult()));
    return new Promise((resolve) => {
      const budgetMs = what.budgetMs ?? this.#options.timeBudgetMs;
      const request: ScanRequest = { id: this.#nextId++, text: what.text, budgetMs };
      if (what.destination !== undefined) request.destination = what.destination;
      if (what.stream !== undefined) request.stream = what.stream;
      if (what.subjectTexts !== undefined) request.subjectTexts = what.subjectTexts;
      this.#queue.push({
        request,
        deadline: Date.now() + budgetMs,
        settle: (reply) => resolve(fromReply(reply)),
        fail: (r) => resolve(fromFailure(r)),
      });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.fail(failedResult());
    await Promise.all(
      this.#slots.map(async (s) => {
        if (s.watchdog) clearTimeout(s.watchdog);
        s.job?.fail(failedResult());
        s.job = undefined;
        await s.worker.terminate();
      }),
    );
  }

  #spawn(): Slot {
    const o = this.#options;
    const workerData: DlpWorkerData = {
      rulesDirs: o.rulesDirs,
      policyFile: o.policyFile,
      pseudonymKeyHex: Buffer.from(o.pseudonymKey).toString('hex'),
      timeBudgetMs: o.timeBudgetMs,
      nlp: o.nlp,
      ...(o.subjectKey === undefined ? {} : { subjectKeyHex: Buffer.from(o.subjectKey).toString('hex') }),
    };
    const slot: Slot = { worker: launchWorker(new URL('./dlp-worker.js', import.meta.url), { workerData }), ready: false, job: undefined, watchdog: undefined };
    slot.worker.on('message', (m: ScanReply | { ready: true }) => {
      if ('ready' in m) {
        slot.ready = true;
        this.#dispatch();
        return;
      }
      const job = slot.job;
      if (job === undefined || job.request.id !== m.id) return; // a reply to a job already timed out
      if (slot.watchdog) clearTimeout(slot.watchdog);
      slot.job = undefined;
      slot.watchdog = undefined;
      job.settle(m);
      this.#dispatch();
    });
    slot.worker.on('error', () => this.#replace(slot, failedResult()));
    slot.worker.on('exit', () => {
      if (!this.#closed && this.#slots.includes(slot)) this.#replace(slot, failedResult());
    });
    return slot;
  }

  /** Ends a slot's job with `result`, terminates its worker and starts a fresh one in its place. */
  #replace(slot: Slot, result: FailedScanResult): void {
    const at = this.#slots.indexOf(slot);
    if (at < 0 || this.#closed) return;
    if (slot.watchdog) clearTimeout(slot.watchdog);
    slot.job?.fail(result);
    slot.job = undefined;
    this.#slots.splice(at, 1);
    void slot.worker.terminate();
    this.replacedWorkers++;
    this.#slots.push(this.#spawn());
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (!slot.ready || slot.job !== undefined) continue;
      let job = this.#queue.shift();
      // Jobs whose budget ran out while they waited are answered without a scan: fail closed.
      while (job !== undefined && Date.now() >= job.deadline) {
        job.fail(timeoutResult());
        job = this.#queue.shift();
      }
      if (job === undefined) return;
      slot.job = job;
      job.request.budgetMs = Math.max(1, job.deadline - Date.now());
      const wait = job.request.budgetMs + this.#options.graceMs;
      slot.watchdog = setTimeout(() => this.#replace(slot, timeoutResult()), wait);
      slot.worker.postMessage(job.request);
    }
  }
}
