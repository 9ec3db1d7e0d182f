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
 */
import { findWord } from './detect.js';
import { renderOutput, type DlpEngine, type FailedScanResult } from './engine.js';
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

export class DlpStream {
  readonly #engine: DlpEngine;
  readonly #destination: string | undefined;
  readonly #holdback: number;
  readonly #minStep: number;
  #text = '';
  #released = '';
  #scannedAt = 0;
  #blocked = false;
  #ended = false;

  constructor(engine: DlpEngine, options: StreamOptions = {}) {
    this.#engine = engine;
    this.#destination = options.destination;
    const widest = engine.rules.rules.reduce((max, r) => Math.max(max, r.context?.window ?? 0), 0);
    this.#holdback = Math.max(options.holdback ?? DEFAULT_HOLDBACK, widest + 64);
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
    if (this.#blocked) return '';
    const n = this.#text.length;
    if (n - this.#scannedAt < this.#minStep || n < this.#scannedAt * GROWTH) return '';
    this.#scannedAt = n;
    try {
      return this.#releaseUpTo(this.#text);
    } catch {
      // Fail closed: nothing more is released; end() reports the block.
      this.#blocked = true;
      return '';
    }
  }

  /** Ends the stream: the rest of the released text and the whole text's result. */
  end(): StreamEnd {
    if (this.#ended) throw new Error('the stream has ended');
    this.#ended = true;
    const result = this.#scan(this.#text);
    if (result.decision === 'block' || result.output === null) {
      this.#blocked = true;
      return { text: '', result };
    }
    if (!result.output.startsWith(this.#released)) return { text: '', result: this.#inconsistent() };
    const rest = result.output.slice(this.#released.length);
    this.#released = result.output;
    return { text: rest, result };
  }

  #scan(text: string): ScanResult | FailedScanResult {
    return this.#engine.scan(text, { json: false, ...(this.#destination === undefined ? {} : { destination: this.#destination }) });
  }

  #inconsistent(): FailedScanResult {
    this.#blocked = true;
    return { decision: 'block', output: null, findings: [], error: { code: 'DLP_FAILED', message: 'the stream filter lost track of the whole-text result' } };
  }

  #releaseUpTo(text: string): string {
    const result = this.#scan(text);
    if (result.decision === 'block' || result.output === null) {
      this.#blocked = true;
      return '';
    }
    let cut = this.#cut(text);
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
    if (cut <= 0) return '';
    const prefix = renderOutput(text.slice(0, cut), result.findings.filter((f) => f.end <= cut));
    if (!prefix.startsWith(this.#released)) {
      this.#inconsistent();
      return '';
    }
    const piece = prefix.slice(this.#released.length);
    this.#released = prefix;
    return piece;
  }

  /** The furthest point of `text` that no later input can change (before findings are considered). */
  #cut(text: string): number {
    const n = text.length;
    let cut = n - this.#holdback;
    let tokenStart = n;
    while (tokenStart > 0 && !/\s/.test(text[tokenStart - 1] as string)) tokenStart--;
    cut = Math.min(cut, tokenStart - this.#holdback);
    const begin = text.lastIndexOf('-----BEGIN');
    if (begin >= 0 && text.indexOf('-----END', begin) < 0) cut = Math.min(cut, begin);
    // Keyword-gated rules whose keywords have not arrived: hold back what they would report.
    const lower = normalise(text).text.toLowerCase();
    const waiting = this.#engine.rules.rules.filter((r) => r.keywords !== undefined && findWord(lower, r.keywords) === undefined);
    if (waiting.length > 0 && cut > 0) {
      for (const d of this.#engine.detectAll(text, waiting, Date.now() + 10_000, { ignoreKeywords: true })) cut = Math.min(cut, d.start);
    }
    return Math.max(0, cut);
  }
}
