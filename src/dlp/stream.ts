/**
 * The stream filter for LLM output: chunks in, filtered text out as early as it is safe, and at the end
 * the decision and findings of the whole text. Contract:
 * - when the whole text is not blocked, the released pieces concatenated equal the whole-text result's
 *   output exactly (`engine.scan(whole, { json: false })`: a stream is filtered as text);
 * - nothing is ever released that the whole-text result would rewrite: a value split across chunks never
 *   leaks. If the text turns out blocked, release stops; what was released before is filtered text.
 *
 * How: the text so far is scanned whole (the engine's own scan, so the rendering is the same), and text is
 * released up to a cut that no later input can change:
 * - `holdback` characters before the end stay back (covers bounded matches and context windows after a
 *   match; it is raised to the largest context window of the rules), and so does the trailing run of
 *   non-space characters with `holdback` before it (a token such as a JWT or a base64 blob may still grow);
 * - an opened PEM block ("-----BEGIN") without its "-----END" stays back from its start;
 * - a rule gated by keywords could still be switched on by a keyword that has not arrived: whatever such a
 *   rule would report without its keywords stays back until it arrives or the stream ends;
 * - the cut never falls inside a finding.
 * Re-scanning the whole text on every chunk would be quadratic: a scan runs only when the text has grown
 * by `minStep` characters and by a quarter since the last one (so the total work stays linear), and at
 * the end. If the released text ever failed to be a prefix of the final output (a bug), the stream fails
 * closed: block, nothing more released.
 *
 * The release logic is in two pure functions, `streamStep` and `streamFinish`: given the text so far and
 * what was released, they say what may be released now. `DlpStream` drives them in one thread; the HTTP
 * service keeps the text on its event loop and runs the steps in its DLP worker pool.
 */
import { findWord } from './detect.js';
import { renderOutput, type DlpEngine, type FailedScanResult, type ScanOptions } from './engine.js';
import { normalise } from './normalize.js';
import type { ScanResult } from './types.js';

export const DEFAULT_HOLDBACK = 256;
export const DEFAULT_MIN_STEP = 256;
const GROWTH = 1.25;

export interface StreamOptions {
  destination?: string;
  holdback?: number;
  /** scan at most every this many new characters (0: on every chunk, for tests) */
  minStep?: number;
}

export interface StreamEnd {
  /** the last released piece ('' when blocked) */
  text: string;
  /** the whole text's result (output null when blocked) */
  result: ScanResult | FailedScanResult;
}

export interface StepOptions {
  destination?: string | undefined;
  holdback?: number | undefined;
  /** the scan's time budget (ms); the engine's default otherwise */
  timeBudgetMs?: number | undefined;
}

/** What a step decided: everything released so far (a prefix of the final output), or a block. */
export interface StepResult {
  released: string;
  blocked: boolean;
  /** set when the step failed (scan error, overrun or lost track): the stream is blocked */
  error?: FailedScanResult['error'];
}

/** The holdback a stream uses with this engine: at least the widest context window of its rules, plus margin. */
export function streamHoldback(engine: DlpEngine, requested = DEFAULT_HOLDBACK): number {
  const widest = engine.rules.rules.reduce((max, r) => Math.max(max, r.context?.window ?? 0), 0);
  return Math.max(requested, widest + 64);
}

function scanOptions(options: StepOptions): ScanOptions {
  const o: ScanOptions = { json: false };
  if (options.destination !== undefined) o.destination = options.destination;
  if (options.timeBudgetMs !== undefined) o.timeBudgetMs = options.timeBudgetMs;
  return o;
}

const LOST_TRACK: FailedScanResult['error'] = { code: 'DLP_FAILED', message: 'the stream filter lost track of the whole-text result' };

/**
 * One release step over `text` (everything received so far) when `released` has already gone out: the new
 * `released` (it extends the old one) or a block. Never throws: a failure blocks the stream.
 */
export function streamStep(engine: DlpEngine, text: string, released: string, options: StepOptions = {}): StepResult {
  try {
    const result = engine.scan(text, scanOptions(options));
    if (result.decision === 'block' || result.output === null) {
      return 'error' in result ? { released, blocked: true, error: (result as FailedScanResult).error } : { released, blocked: true };
    }
    let cut = releaseCut(engine, text, streamHoldback(engine, options.holdback));
    // Never inside a finding: move the cut back to its start (repeat: starts can chain back).
    for (let moved = true; moved; ) {
      moved = false;
      for (const f of result.findings) {
        if (f.start < cut && cut < f.end) {
          cut = f.start;
          moved = true;
        }
      }
    }
    if (cut <= 0) return { released, blocked: false };
    const prefix = renderOutput(text.slice(0, cut), result.findings.filter((f) => f.end <= cut));
    if (!prefix.startsWith(released)) return { released, blocked: true, error: LOST_TRACK };
    return { released: prefix.length > released.length ? prefix : released, blocked: false };
  } catch {
    return { released, blocked: true, error: { code: 'DLP_FAILED', message: 'the scan failed' } };
  }
}

/** The end of a stream: the whole text's result and the last piece to release ('' when blocked). */
export function streamFinish(engine: DlpEngine, text: string, released: string, options: StepOptions = {}): StreamEnd {
  let result: ScanResult | FailedScanResult;
  try {
    result = engine.scan(text, scanOptions(options));
  } catch {
    result = { decision: 'block', output: null, findings: [], error: { code: 'DLP_FAILED', message: 'the scan failed' } };
  }
  if (result.decision === 'block' || result.output === null) return { text: '', result };
  if (!result.output.startsWith(released)) return { text: '', result: { decision: 'block', output: null, findings: [], error: LOST_TRACK } };
  return { text: result.output.slice(released.length), result };
}

/**
 * When the next step is due: only once the text has grown by `minStep` characters and by a quarter since
 * the last step, so that re-scanning the whole text stays linear in total.
 */
export function stepDue(length: number, scannedAt: number, minStep: number): boolean {
  return length - scannedAt >= minStep && length >= scannedAt * GROWTH;
}

/** The stream filter in one thread (the CLI and the tests); the service runs the same steps in its workers. */
export class DlpStream {
  readonly #engine: DlpEngine;
  readonly #options: StepOptions;
  readonly #minStep: number;
  #text = '';
  #released = '';
  #scannedAt = 0;
  #blocked = false;
  #ended = false;

  constructor(engine: DlpEngine, options: StreamOptions = {}) {
    this.#engine = engine;
    this.#options = { destination: options.destination, holdback: options.holdback };
    this.#minStep = options.minStep ?? DEFAULT_MIN_STEP;
  }

  /**
   * Whether release has stopped because the text so far is blocked (or a scan failed). The end decides
   * from the whole text: if later text lowered the blocking finding's score, the rest is released then.
   */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** Everything released so far. */
  get released(): string {
    return this.#released;
  }

  /** Adds a chunk; returns the text that can be released now ('' if none). */
  push(chunk: string): string {
    if (this.#ended) throw new Error('the stream has ended');
    this.#text += chunk;
    if (this.#blocked || !stepDue(this.#text.length, this.#scannedAt, this.#minStep)) return '';
    this.#scannedAt = this.#text.length;
    const step = streamStep(this.#engine, this.#text, this.#released, this.#options);
    // Fail closed: once blocked, nothing more is released; end() decides from the whole text.
    if (step.blocked) this.#blocked = true;
    const piece = step.released.slice(this.#released.length);
    this.#released = step.released;
    return piece;
  }

  /** Ends the stream: the rest of the released text and the whole text's result. */
  end(): StreamEnd {
    if (this.#ended) throw new Error('the stream has ended');
    this.#ended = true;
    const end = streamFinish(this.#engine, this.#text, this.#released, this.#options);
    if (end.result.output === null) this.#blocked = true;
    else this.#released = end.result.output;
    return end;
  }
}

/** The furthest point of `text` that no later input can change (before findings are considered). */
function releaseCut(engine: DlpEngine, text: string, holdback: number): number {
  const n = text.length;
  let cut = n - holdback;
  let tokenStart = n;
  while (tokenStart > 0 && !/\s/.test(text[tokenStart - 1] as string)) tokenStart--;
  cut = Math.min(cut, tokenStart - holdback);
  const begin = text.lastIndexOf('-----BEGIN');
  if (begin >= 0 && text.indexOf('-----END', begin) < 0) cut = Math.min(cut, begin);
  // Keyword-gated rules whose keywords have not arrived: hold back what they would report.
  const lower = normalise(text).text.toLowerCase();
  const waiting = engine.rules.rules.filter((r) => r.keywords !== undefined && findWord(lower, r.keywords) === undefined);
  if (waiting.length > 0 && cut > 0) {
    for (const d of engine.detectAll(text, waiting, Date.now() + 10_000, { ignoreKeywords: true })) cut = Math.min(cut, d.start);
  }
  return Math.max(0, cut);
}
