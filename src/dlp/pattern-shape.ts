/**
 * What a pattern needs in every match, read from its syntax tree (regjsparser, Babel's parser): a
 * "trigger" character that every match contains (a digit, or one of a few punctuation characters such as
 * '@'), the longest match it can make, and how far its lookarounds and word boundaries look. The detector
 * uses it to run a pattern only over windows of the text around its triggers instead of over the whole text:
 * most patterns are identifiers made of digits, and most agent text is words.
 *
 * Soundness: a match contains a trigger at position p and is at most `maxLength` long, so it lies inside
 * [p - maxLength, p + maxLength]; scanning that window plus `reach` characters of margin on each side
 * finds exactly the matches a scan of the whole text finds there. Anything the analysis does not fully
 * understand gives no trigger, and the pattern is scanned over the whole text.
 */
import regjsparser, { type AstNode as AnyAstNode, type RootNode as AnyRootNode } from 'regjsparser';

// regjsparser is a CommonJS module: Node's ESM loader gives its exports as the default import only.
const { parse } = regjsparser;

// The parser's node types with the features rules use (lookbehind, named groups, \p{…}).
type Features = { lookbehind: true; namedGroups: true; unicodePropertyEscape: true };
type AstNode = AnyAstNode<Features>;
type RootNode = AnyRootNode<Features>;

/** Windows closer than this are merged into one. */
export const MERGE_GAP = 256;

/** Windows are used only for patterns whose matches are at most this long. */
export const MAX_WINDOWED_LENGTH = 512;

/**
 * `digit`: every match holds at least `count` ASCII digits; `chars`: every match holds one of `chars`.
 */
export type Trigger = { kind: 'digit'; count: number } | { kind: 'chars'; chars: string };

export interface PatternShape {
  trigger: Trigger | undefined;
  maxLength: number;
  /** characters a lookaround or word boundary may look beyond a match */
  reach: number;
  /**
   * lowercased literals of which every match contains one: a text whose lowercased form holds none of
   * them cannot match, and the pattern is skipped
   */
  literals: string[] | undefined;
}

interface Need {
  min: number;
  max: number;
  digit: boolean;
  /** how many ASCII digits every match holds at least */
  digits: number;
  /** sets of characters: a match contains at least one character of each set */
  chars: string[];
  reach: number;
  /** the node matches exactly this literal text (lowercased), when it does */
  exact: string | undefined;
  /** lowercased literals of which every match contains at least one (undefined: none known) */
  literals: string[] | undefined;
}

const NOTHING: Need = { min: 0, max: 0, digit: false, digits: 0, chars: [], reach: 0, exact: '', literals: undefined };
const UNKNOWN: Need = { min: 0, max: Infinity, digit: false, digits: 0, chars: [], reach: Infinity, exact: undefined, literals: undefined };
/** Literal sets are kept only while small (checking a literal costs a pass over the text). */
const MAX_LITERALS = 16;
/** Shorter literals are too common in text to skip anything. */
const MIN_LITERAL_LENGTH = 3;

/** The better of two literal requirements: the one whose shortest literal is longest (rarer in text). */
function betterLiterals(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  const score = (l: string[] | undefined): number => (l === undefined ? -1 : Math.min(...l.map((x) => x.length)) - l.length / 100);
  return score(b) > score(a) ? b : a;
}

function usable(literals: string[] | undefined): string[] | undefined {
  if (literals === undefined || literals.length === 0 || literals.length > MAX_LITERALS) return undefined;
  return literals.every((l) => l.length >= MIN_LITERAL_LENGTH) ? literals : undefined;
}
// Rare enough in prose to be worth a window; letters never (case folding under 'i' reaches other scripts).
const TRIGGER_CHARS = new Set(['@', '_', '=', '/', '$', '#', '+', '%', '&', '~', '|', '\\', '^', '*', '<', '>', '[', ']', '{', '}', '(', ')']);

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function oneChar(min: number, max: number): Need {
  return { min, max, digit: false, digits: 0, chars: [], reach: 0, exact: undefined, literals: undefined };
}

function sequence(parts: Need[]): Need {
  // Runs of exact parts concatenate into longer literals ("pass" + "word" is "password").
  let literals: string[] | undefined;
  let run = '';
  let exact: string | undefined = '';
  for (const p of parts) {
    if (p.exact !== undefined) {
      run += p.exact;
      if (exact !== undefined) exact += p.exact;
    } else {
      literals = betterLiterals(literals, usable([run]));
      run = '';
      exact = undefined;
      literals = betterLiterals(literals, usable(p.literals));
    }
  }
  literals = betterLiterals(literals, usable([run]));
  const base = parts.reduce(
    (acc, p) => ({ ...acc, min: acc.min + p.min, max: acc.max + p.max, digit: acc.digit || p.digit, digits: acc.digits + p.digits, chars: [...acc.chars, ...p.chars], reach: Math.max(acc.reach, p.reach) }),
    NOTHING,
  );
  return { ...base, exact, literals };
}

function alternatives(parts: Need[]): Need {
  const first = parts[0] ?? NOTHING;
  const charsEveryWhere = parts.every((p) => p.chars.length > 0) ? [[...new Set(parts.map((p) => p.chars[0] as string).join(''))].join('')] : [];
  // Every alternative must bring its own literal (or be one): the union is required.
  const each = parts.map((p) => (p.exact !== undefined && p.exact.length >= MIN_LITERAL_LENGTH ? [p.exact] : usable(p.literals)));
  const literals = each.every((l) => l !== undefined) ? usable([...new Set(each.flat() as string[])]) : undefined;
  return {
    min: Math.min(...parts.map((p) => p.min)),
    max: Math.max(...parts.map((p) => p.max)),
    digit: parts.every((p) => p.digit),
    digits: Math.min(...parts.map((p) => p.digits)),
    chars: charsEveryWhere,
    reach: Math.max(first.reach, ...parts.map((p) => p.reach)),
    exact: undefined,
    literals,
  };
}

function classNeed(node: Extract<AstNode, { type: 'characterClass' }>): Need {
  // Two UTF-16 units: under the 'u' flag one class item can match an astral character.
  const base = oneChar(1, 2);
  if (node.negative || node.kind !== 'union') return base;
  let allDigits = node.body.length > 0;
  let literal = '';
  for (const item of node.body) {
    if (item.type === 'characterClassEscape') {
      allDigits &&= item.value === 'd';
      literal = '\u0000';
    } else if (item.type === 'characterClassRange') {
      allDigits &&= isDigitCode(item.min.codePoint) && isDigitCode(item.max.codePoint);
      literal = '\u0000';
    } else if (item.type === 'value') {
      allDigits &&= isDigitCode(item.codePoint);
      literal += String.fromCodePoint(item.codePoint);
    } else {
      return base;
    }
  }
  if (allDigits) return { ...base, digit: true, digits: 1 };
  const usable = !literal.includes('\u0000') && [...literal].every((c) => TRIGGER_CHARS.has(c));
  return usable ? { ...base, chars: [literal] } : base;
}

function need(node: AstNode | RootNode): Need {
  switch (node.type) {
    case 'value': {
      const c = String.fromCodePoint(node.codePoint);
      const units = c.length;
      if (isDigitCode(node.codePoint)) return { ...oneChar(units, units), digit: true, digits: 1, exact: c };
      return { ...oneChar(units, units), chars: TRIGGER_CHARS.has(c) ? [c] : [], exact: c.toLowerCase() };
    }
    case 'characterClassEscape':
      return node.value === 'd' ? { ...oneChar(1, 1), digit: true, digits: 1 } : oneChar(1, 2);
    case 'characterClass':
      return classNeed(node);
    case 'dot':
    case 'unicodePropertyEscape':
      return oneChar(1, 2);
    case 'anchor':
      // A word boundary looks one character to each side; ^ and $ mean the start and end of the whole
      // text, which a window is not: no window for such a pattern.
      return node.kind === 'boundary' || node.kind === 'not-boundary' ? { ...NOTHING, exact: undefined, reach: 1 } : UNKNOWN;
    case 'alternative':
      return sequence(node.body.map(need));
    case 'disjunction':
      return alternatives(node.body.map(need));
    case 'group': {
      const body = sequence(node.body.map(need));
      if (node.behavior === 'normal' || node.behavior === 'ignore') return body;
      // Lookarounds consume nothing and promise nothing about the match itself.
      return { ...NOTHING, exact: undefined, reach: Math.max(body.max, body.reach) + 1 };
    }
    case 'quantifier': {
      const body = need(node.body[0]);
      const max = node.max === undefined ? Infinity : node.max * body.max;
      if (node.min === 0) return { min: 0, max, digit: false, digits: 0, chars: [], reach: body.reach, exact: undefined, literals: undefined };
      const exact = node.min === node.max && body.exact !== undefined ? body.exact.repeat(node.min) : undefined;
      return { ...body, min: node.min * body.min, max, digits: node.min * body.digits, exact, literals: exact === undefined ? body.literals : undefined };
    }
    default:
      return UNKNOWN; // back-references and anything else: no window
  }
}

/**
 * Digit counts are rounded down to a few steps (a weaker need, so still sound): patterns that share a
 * step and a window size share their windows, computed once per text.
 */
const DIGIT_COUNT_STEPS = [16, 12, 9, 6, 4, 2, 1];

function digitCountBucket(digits: number): number {
  return DIGIT_COUNT_STEPS.find((step) => step <= digits) ?? 1;
}

/** The shape of `source` compiled with `flags` (rules use '', 'i' or 'iu'). */
export function patternShape(source: string, flags: string): PatternShape {
  let root: RootNode;
  try {
    root = parse(source, flags, { lookbehind: true, namedGroups: true, unicodePropertyEscape: true });
  } catch {
    return { trigger: undefined, maxLength: Infinity, reach: Infinity, literals: undefined };
  }
  const n = need(root);
  const bounded = Number.isFinite(n.max) && n.max <= MAX_WINDOWED_LENGTH && Number.isFinite(n.reach);
  let trigger: Trigger | undefined;
  if (bounded) {
    const rare = n.chars.filter((set) => set.length <= 3).sort((a, b) => a.length - b.length)[0];
    if (rare !== undefined) trigger = { kind: 'chars', chars: rare };
    else if (n.digit) trigger = { kind: 'digit', count: digitCountBucket(n.digits) };
  }
  const literals = n.exact !== undefined && n.exact.length >= MIN_LITERAL_LENGTH ? [n.exact] : usable(n.literals);
  return { trigger, maxLength: n.max, reach: n.reach, literals };
}

/** Runs of consecutive trigger characters, flat: run k is [runs[2k], runs[2k + 1]). */
export type Runs = Int32Array;

/** Runs of consecutive trigger characters in `text`, ascending (a number is one run, not one per digit). */
export function triggerPositions(text: string, trigger: Trigger): Runs {
  // A character-class run is a bounded, linear search, and native scanning beats a loop in JS here.
  const chars = trigger.kind === 'digit' ? '0-9' : [...trigger.chars].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  const regex = new RegExp(`[${chars}]+`, 'g');
  let runs = new Int32Array(64);
  let count = 0;
  let m: RegExpExecArray | null;
  while ((m = regex.exec(text)) !== null) {
    if (count + 2 > runs.length) {
      const grown = new Int32Array(runs.length * 2);
      grown.set(runs);
      runs = grown;
    }
    runs[count++] = m.index;
    runs[count++] = m.index + m[0].length;
  }
  return runs.subarray(0, count);
}

/** The flat form of a list of spans. */
export function toRuns(spans: ReadonlyArray<readonly [number, number]>): Runs {
  const runs = new Int32Array(spans.length * 2);
  spans.forEach(([start, end], k) => {
    runs[2 * k] = start;
    runs[2 * k + 1] = end;
  });
  return runs;
}

/** Window sizes are rounded up to a power of two, so that patterns of similar length share windows (larger windows lose nothing). */
export function windowSize(maxLength: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, maxLength)));
}

/**
 * The windows of a text of `length` that can hold a match of a pattern whose trigger characters form
 * `runs` and whose matches are at most `maxLength` long: merged [start - maxLength, end + maxLength],
 * clipped.
 */
export function triggerWindows(runs: Runs, length: number, maxLength: number, limit = Infinity): Array<[number, number]> | undefined {
  const windows = new WindowList(limit);
  for (let k = 0; k < runs.length; k += 2) {
    if (!windows.add(Math.max(0, (runs[k] as number) - maxLength), Math.min(length, (runs[k + 1] as number) + maxLength))) return undefined;
  }
  return windows.list;
}

/**
 * Ascending windows, built left to right; close windows are merged (a short gap costs less than another
 * scan). Once they cover more than `limit` characters, building stops: the caller scans the whole text.
 */
class WindowList {
  // flat [start, end] pairs while building: cheaper than a tuple per window in the hot loops
  readonly #flat: number[] = [];
  #covered = 0;

  constructor(private readonly limit: number) {}

  /** Adds [start, end); false once the windows cover more than the limit. */
  add(start: number, end: number): boolean {
    const flat = this.#flat;
    const n = flat.length;
    if (n > 0 && start <= (flat[n - 1] as number) + MERGE_GAP) {
      const lastEnd = flat[n - 1] as number;
      if (end > lastEnd) {
        this.#covered += end - lastEnd;
        flat[n - 1] = end;
      }
    } else {
      flat.push(start, end);
      this.#covered += end - start;
    }
    return this.#covered <= this.limit;
  }

  get list(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let k = 0; k < this.#flat.length; k += 2) out.push([this.#flat[k] as number, this.#flat[k + 1] as number]);
    return out;
  }
}

/**
 * For each digit run i of a text, how many digits runs i, i+1, … hold while they start close enough to
 * run i's end for one match of at most `maxLength` characters to take in a digit of each (their start
 * minus run i's end, plus one, under `maxLength`); and the largest of these. Computed once per text and
 * window size, shared by every digit count.
 */
export interface DigitReach {
  perRun: Int32Array;
  max: number;
}

export function digitReach(runs: Runs, maxLength: number): DigitReach {
  const n = runs.length;
  const perRun = new Int32Array(n / 2);
  let max = 0;
  let j = 0; // flat index of the run after the last one summed
  let sum = 0; // digits in runs i..j-1
  for (let i = 0; i < n; i += 2) {
    const endI = runs[i + 1] as number;
    while (j < n && (runs[j] as number) - endI + 1 < maxLength) {
      sum += (runs[j + 1] as number) - (runs[j] as number);
      j += 2;
    }
    perRun[i / 2] = sum;
    if (sum > max) max = sum;
    sum -= endI - (runs[i] as number); // run i always got summed: it starts before it ends
  }
  return { perRun, max };
}

/**
 * The windows that can hold a match of at most `maxLength` characters with at least `count` digits. Say
 * the match's first digit lies in run i: its digits lie in runs that start close enough to run i (see
 * {@link digitReach}), so they number at most `reach.perRun[i]`, and the match lies inside
 * [runs[i].start - maxLength + 1, runs[i].end + maxLength - 1). Digit-dense stretches (numbers,
 * timestamps) get windows; prose with a year or a short number in it gets none for a nine-digit
 * identifier. Undefined once the windows cover more than `limit` characters.
 */
export function digitWindows(runs: Runs, reach: DigitReach, length: number, count: number, maxLength: number, limit = Infinity): Array<[number, number]> | undefined {
  const windows = new WindowList(limit);
  if (reach.max < count) return windows.list;
  const { perRun } = reach;
  for (let k = 0; k < perRun.length; k++) {
    if ((perRun[k] as number) < count) continue;
    if (!windows.add(Math.max(0, (runs[2 * k] as number) - maxLength + 1), Math.min(length, (runs[2 * k + 1] as number) + maxLength - 1))) return undefined;
  }
  return windows.list;
}

/** The parts common to two ascending lists of disjoint windows. */
export function intersectWindows(a: ReadonlyArray<readonly [number, number]>, b: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [aStart, aEnd] = a[i] as readonly [number, number];
    const [bStart, bEnd] = b[j] as readonly [number, number];
    const start = Math.max(aStart, bStart);
    const end = Math.min(aEnd, bEnd);
    if (start < end) out.push([start, end]);
    if (aEnd < bEnd) i++;
    else j++;
  }
  return out;
}
