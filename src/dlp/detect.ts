/**
 * The pattern detector: runs compiled rules over one view of the text (the normalised text, or a
 * derived view such as spelled-out emails) and returns detections with their spans in the ORIGINAL text
 * and the explanation of their score (rules/README.md, "Scoring").
 */
import { VigilError } from '../errors.js';
import { MAX_WINDOWED_LENGTH, digitReach, digitWindows, intersectWindows, toRuns, triggerPositions, triggerWindows, windowSize, type DigitReach, type PatternShape, type Runs } from './pattern-shape.js';
import { VALIDATED_SCORE, escapeRegex, type CompiledPattern, type CompiledRule, type ContextWords } from './rules.js';
import type { Explanation } from './types.js';

/** A text the detectors scan, with the way back to the original's offsets. */
export interface ScanView {
  text: string;
  /** maps a span of `text` to the span of the original it came from */
  toOriginal(start: number, end: number): { start: number; end: number };
  /** what this view changed, for explanations; undefined for the plain normalised text without changes */
  label: string | undefined;
}

export interface Detection {
  rule: CompiledRule;
  /** span in the original text */
  start: number;
  end: number;
  score: number;
  /** the matched value as the detector saw it (for allow lists and fingerprints; never logged or returned) */
  value: string;
  explanation: Explanation;
}

/** Thrown when the scan's time budget runs out: the engine fails closed. */
export class DlpDeadlineExceeded extends VigilError {
  constructor() {
    super('DLP_TIMEOUT', 'the DLP scan exceeded its time budget');
  }
}

/**
 * `text` lowercased with every index kept: context windows and keywords are read at the match's offsets in
 * this string. String.prototype.toLowerCase changes the length for a few characters ("İ" becomes two
 * code units); those are left as they are.
 */
export function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (const c of text) {
    const l = c.toLowerCase();
    out += l.length === c.length ? l : c;
  }
  return out;
}

/** Letters and digits. '_' is not one: context words must be found in snake_case keys ("ca_passport", "vat_id"). */
function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127;
}

/** The first of `words` that occurs in `hay` on word boundaries (hay and words lowercased). */
export function findWord(hay: string, words: readonly string[]): string | undefined {
  for (const word of words) {
    let at = hay.indexOf(word);
    while (at >= 0) {
      const before = at === 0 ? 32 : hay.charCodeAt(at - 1);
      const after = at + word.length >= hay.length ? 32 : hay.charCodeAt(at + word.length);
      // A boundary is only required where the word itself starts or ends with a word character.
      const startOk = !isWordChar(word.charCodeAt(0)) || !isWordChar(before);
      const endOk = !isWordChar(word.charCodeAt(word.length - 1)) || !isWordChar(after);
      if (startOk && endOk) return word;
      at = hay.indexOf(word, at + 1);
    }
  }
  return undefined;
}

function adjust(window: string, words: ContextWords | undefined, sign: 1 | -1, out: Explanation['context']): number {
  if (!words) return 0;
  const word = findWord(window, words.words);
  if (word === undefined) return 0;
  out.push({ word, by: sign * words.by });
  return sign * words.by;
}

/**
 * Which of the literals a rule set's prefilters look for (patterns' required literals and rules' keywords)
 * occur in a text, found in one pass instead of one pass per literal: a single alternation of them all,
 * longest first, restarted one character after each hit so that overlapping occurrences are seen; a
 * literal inside a longer one found at the same place is marked found too.
 */
export class LiteralIndex {
  readonly #regex: RegExp | undefined;
  readonly #literals: string[];

  constructor(rules: readonly CompiledRule[]) {
    const all = new Set<string>();
    for (const r of rules) {
      for (const k of r.keywords ?? []) all.add(k);
      for (const p of r.patterns) for (const l of p.shape.literals ?? []) all.add(l);
    }
    this.#literals = [...all].sort((a, b) => b.length - a.length);
    this.#regex = this.#literals.length > 0 ? new RegExp(this.#literals.map(escapeRegex).join('|'), 'g') : undefined;
  }

  /**
   * The literals present in `lower` (a lowercased text), or only in those that overlap `spans` of it
   * (for a derived view: elsewhere it reads as the text it came from, whose literals are known).
   */
  found(lower: string, spans?: ReadonlyArray<readonly [number, number]>): Set<string> {
    const hits = new Set<string>();
    const regex = this.#regex;
    if (!regex) return hits;
    const longest = this.#literals[0]?.length ?? 0;
    const slices = spans === undefined ? [[0, lower.length] as [number, number]] : (triggerWindows(toRuns(spans), lower.length, longest) ?? [[0, lower.length]]);
    for (const [from, to] of slices) {
      const subject = from === 0 && to === lower.length ? lower : lower.slice(from, to);
      regex.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = regex.exec(subject)) !== null) {
        hits.add(m[0]);
        regex.lastIndex = m.index + 1;
      }
    }
    // A shorter literal hidden inside a longer hit at the same position.
    if (hits.size > 0) for (const l of this.#literals) if (!hits.has(l) && [...hits].some((h) => h.length > l.length && h.includes(l))) hits.add(l);
    return hits;
  }
}

const literalIndexes = new WeakMap<readonly CompiledRule[], LiteralIndex>();

function literalIndexFor(rules: readonly CompiledRule[]): LiteralIndex {
  let index = literalIndexes.get(rules);
  if (index === undefined) {
    index = new LiteralIndex(rules);
    literalIndexes.set(rules, index);
  }
  return index;
}

const DEADLINE_CHECK_EVERY = 256;

/** Whether matches are short enough, and lookarounds near enough, for windows to find them all. */
function windowable(shape: PatternShape): boolean {
  return Number.isFinite(shape.maxLength) && shape.maxLength <= MAX_WINDOWED_LENGTH && Number.isFinite(shape.reach);
}
/** Above this share of the text covered by windows, a pattern scans the whole text. */
const WHOLE_SCAN_COVERAGE = 0.5;

/** Tests compare the prefilters with plain whole-text scanning through `windows: false`. */
export interface DetectOptions {
  ignoreKeywords?: boolean;
  /**
   * use the prefilters of pattern-shape.ts (default true): skip a pattern whose required literals are
   * all absent, and scan only windows around a pattern's trigger characters
   */
  windows?: boolean;
  /**
   * spans of the view where it differs from the text it was derived from: only matches overlapping one
   * are wanted (the rest were found in that text already), and bounded patterns scan only near them
   */
  regions?: ReadonlyArray<readonly [number, number]>;
  /**
   * the prefilter literals present in the text this view derives from (see {@link presentLiterals}):
   * with `regions`, only the text near them is searched for more
   */
  present?: ReadonlySet<string>;
}

/** Which prefilter literals of `rules` (or of any rule set containing them) occur in `lower`. */
export function presentLiterals(rules: readonly CompiledRule[], lower: string): Set<string> {
  return literalIndexFor(rules).found(lower);
}

/**
 * Runs `rules` over `view`. `lower` is view.text lowercased (computed once per view by the caller).
 * Throws DlpDeadlineExceeded past `deadline` (a Date.now() value). `ignoreKeywords` runs keyword-gated
 * rules even when none of their keywords is in the text (the stream filter asks what they could report).
 */
export function detect(view: ScanView, lower: string, rules: readonly CompiledRule[], deadline: number, options: DetectOptions = {}): Detection[] {
  const out: Detection[] = [];
  const text = view.text;
  const windowsOf = new Map<string, Array<[number, number]> | undefined>();
  const positionsOf = new Map<string, Runs>();
  const reachOf = new Map<number, DigitReach>();
  const regions = options.regions === undefined ? undefined : toRuns(options.regions);
  let present: ReadonlySet<string>;
  if (options.present === undefined) present = literalIndexFor(rules).found(lower);
  else if (options.regions === undefined) present = options.present;
  else present = new Set([...options.present, ...literalIndexFor(rules).found(lower, options.regions)]);
  const hasLiteral = (literal: string): boolean => present.has(literal);
  let steps = 0;

  // The windows a pattern of this shape must scan, shared by patterns of the same trigger and window size;
  // undefined: the whole text.
  const windowsFor = (shape: PatternShape): Array<[number, number]> | undefined => {
    if (!windowable(shape)) return undefined;
    const size = windowSize(shape.maxLength);
    const trigger = shape.trigger;
    const triggerKey = trigger === undefined ? '' : trigger.kind === 'digit' ? `\u0000digit:${trigger.count}` : trigger.chars;
    const key = `${triggerKey}:${size}`;
    if (windowsOf.has(key)) return windowsOf.get(key);
    // Where the windows would cover most of the text, one scan of the whole text is cheaper.
    const limit = WHOLE_SCAN_COVERAGE * text.length;
    let windows: Array<[number, number]> | undefined;
    if (trigger !== undefined) {
      const positionKey = trigger.kind === 'digit' ? '\u0000digit' : trigger.chars;
      let positions = positionsOf.get(positionKey);
      if (positions === undefined) {
        positions = triggerPositions(text, trigger);
        positionsOf.set(positionKey, positions);
      }
      if (trigger.kind === 'digit') {
        let reach = reachOf.get(size);
        if (reach === undefined) {
          reach = digitReach(positions, size);
          reachOf.set(size, reach);
        }
        windows = digitWindows(positions, reach, text.length, trigger.count, size, limit);
      } else {
        windows = triggerWindows(positions, text.length, size, limit);
      }
    }
    if (regions !== undefined) {
      const near = triggerWindows(regions, text.length, size, limit);
      windows = windows === undefined || near === undefined ? (windows ?? near) : intersectWindows(windows, near);
    }
    windowsOf.set(key, windows);
    return windows;
  };

  const handle = (rule: CompiledRule, pattern: CompiledPattern, m: RegExpExecArray, offset: number): void => {
    let start = offset + m.index;
    let end = start + m[0].length;
    if (pattern.group !== undefined) {
      const span = m.indices?.[pattern.group];
      if (!span) return; // the group did not take part in this match
      [start, end] = [offset + span[0], offset + span[1]];
      if (end <= start) return;
    }
    const value = text.slice(start, end);
    const explanation: Explanation = { rule: rule.id, pattern: pattern.name, baseScore: pattern.score, context: [] };
    if (view.label !== undefined) explanation.normalisation = view.label;
    let score = pattern.score;
    if (rule.validator) {
      const passed = rule.validator.check(value, rule.validator.options);
      explanation.validator = { name: rule.validator.name, passed };
      if (!passed) return;
      score = Math.max(score, VALIDATED_SCORE);
    }
    if (rule.context) {
      const w = rule.context.window;
      const around = `${lower.slice(Math.max(0, start - w), start)} \u0000 ${lower.slice(end, end + w)}`;
      score += adjust(around, rule.context.raise, 1, explanation.context);
      score += adjust(around, rule.context.lower, -1, explanation.context);
    }
    score = Math.min(1, Math.max(0, score));
    const original = view.toOriginal(start, end);
    out.push({ rule, start: original.start, end: original.end, score: Math.round(score * 1000) / 1000, value, explanation });
  };

  const scan = (rule: CompiledRule, pattern: CompiledPattern, subject: string, offset: number, from: number, to: number): void => {
    const regex = pattern.regex;
    regex.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = regex.exec(subject)) !== null) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      if (++steps % DEADLINE_CHECK_EVERY === 0 && Date.now() > deadline) throw new DlpDeadlineExceeded();
      const at = offset + m.index;
      // In a window, only matches inside it (its margin is context for lookarounds, not for matches).
      if (at < from || at + m[0].length > to) continue;
      handle(rule, pattern, m, offset);
    }
  };

  for (const rule of rules) {
    if (Date.now() > deadline) throw new DlpDeadlineExceeded();
    if (!options.ignoreKeywords && rule.keywords) {
      // Only keywords somewhere in the text need the word-boundary check.
      const candidates = rule.keywords.filter(hasLiteral);
      if (candidates.length === 0 || findWord(lower, candidates) === undefined) continue;
    }
    for (const pattern of rule.patterns) {
      const shape = pattern.shape;
      if (options.windows !== false && shape.literals !== undefined && !shape.literals.some((l) => hasLiteral(l))) continue;
      const windows = options.windows === false ? undefined : windowsFor(shape);
      if (windows === undefined) {
        scan(rule, pattern, text, 0, 0, text.length);
        continue;
      }
      for (const [from, to] of windows) {
        const sliceStart = Math.max(0, from - shape.reach - 1);
        const sliceEnd = Math.min(text.length, to + shape.reach + 1);
        scan(rule, pattern, text.slice(sliceStart, sliceEnd), sliceStart, from, to);
      }
    }
  }
  return out;
}
