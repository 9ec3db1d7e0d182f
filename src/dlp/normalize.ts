/**
 * Evasion-resistant normalisation for the DLP detectors, with an exact offset map back to the original text.
 *
 * Detectors scan a normalised *view* of the agent's output; findings are then reported and redacted in
 * the ORIGINAL text through the view's offset map. Three views exist:
 *
 * - {@link normalise}: removes invisible format characters (zero-width, soft hyphen, bidi controls), folds
 *   full-width ASCII and every Unicode decimal digit to ASCII, folds NFKC compatibility characters that
 *   become ASCII (mathematical alphanumerics, ligatures, odd spaces) and folds Cyrillic/Greek look-alike
 *   letters, but only inside mixed-script words so genuine Russian or Greek text is left alone.
 * - {@link spelledEmailView}: rewrites `john dot doe at example dot com`, `john [at] example [dot] com`, …
 *   to `john.doe@example.com` when, and only when, the result has the shape of an email address.
 * - {@link base64Candidates}: base64 tokens that decode to printable text, to be scanned decoded and
 *   reported over the whole token.
 *
 * Digits split by spaces or punctuation are deliberately NOT joined here: detector patterns allow
 * separators and validators strip them. Spaces are never removed.
 *
 * Offsets are JavaScript string indices (UTF-16 code units). Map conventions (all views):
 * - every unit of the view comes from one original character or run: `map[i]` is where it starts and
 *   `mapEnd[i]` where it ends (exclusive). Unchanged units map 1:1 (`mapEnd[i] = map[i] + 1`);
 * - one original character becoming several units (`™` → `TM`, `𝐚` is two units → `a`): every produced
 *   unit maps to the whole original character, so a span never splits it;
 * - a run becoming one unit (` dot ` → `.`): the unit maps to the whole run;
 * - removed characters produce no unit: they fall inside a mapped span when they sit between its first
 *   and last unit, and outside it when they lead or trail it;
 * - `map[text.length] = mapEnd[text.length] = original.length`.
 *
 * Every function is linear in its input, never throws on any string (lone surrogates included) and
 * keeps lone surrogates as they are.
 */

/** A normalised view of a text and the way back to the text it was made from. */
export interface NormalisedText {
  /** the normalised text the detectors scan */
  text: string;
  /** for each UTF-16 index i of `text` (and text.length), the index in the original it comes from */
  map: Uint32Array;
  /**
   * for each UTF-16 index i of `text` (and text.length), the end (exclusive) in the original of the
   * character or run that `text[i]` comes from: what {@link toOriginalSpan} uses for a span's end
   */
  mapEnd: Uint32Array;
  /** what was changed, for explanations: e.g. ['zero-width removed', 'full-width folded'] */
  changes: string[];
}

// ---------------------------------------------------------------------------------------------------
// Output builder shared by the views
// ---------------------------------------------------------------------------------------------------

/** Builds a view left to right: unchanged source ranges are copied as slices, changes are emitted with their source span. */
class ViewBuilder {
  private readonly parts: string[] = [];
  private map: Uint32Array;
  private mapEnd: Uint32Array;
  private len = 0;
  /** pending unchanged source range, copied as one slice (cheaper than one string per character) */
  private runStart = 0;
  private runEnd = 0;
  private readonly changes = new Set<string>();

  constructor(private readonly source: string) {
    this.map = new Uint32Array(source.length + 1);
    this.mapEnd = new Uint32Array(source.length + 1);
  }

  /** Keeps source units [from, to) unchanged. */
  keep(from: number, to: number): void {
    if (from !== this.runEnd) {
      this.flush();
      this.runStart = from;
    }
    this.runEnd = to;
    this.reserve(to - from);
    for (let k = from; k < to; k++) {
      this.map[this.len] = k;
      this.mapEnd[this.len] = k + 1;
      this.len++;
    }
  }

  /** Replaces source units [from, to) by `replacement` ('' removes them); `change` names it for explanations. */
  replace(replacement: string, from: number, to: number, change: string): void {
    this.flush();
    this.changes.add(change);
    if (replacement === '') return;
    this.parts.push(replacement);
    this.reserve(replacement.length);
    for (let k = 0; k < replacement.length; k++) {
      this.map[this.len] = from;
      this.mapEnd[this.len] = to;
      this.len++;
    }
  }

  finish(): NormalisedText {
    this.flush();
    const n = this.source.length;
    if (this.changes.size === 0) {
      // nothing changed: hand back the original string itself (and the identity map built by keep())
      return { text: this.source, map: this.trimmed(this.map, n), mapEnd: this.trimmed(this.mapEnd, n), changes: [] };
    }
    this.reserve(1);
    return {
      text: this.parts.join(''),
      map: this.trimmed(this.map, n),
      mapEnd: this.trimmed(this.mapEnd, n),
      changes: [...this.changes],
    };
  }

  private trimmed(a: Uint32Array, sourceLength: number): Uint32Array {
    const out = a.length === this.len + 1 ? a : a.slice(0, this.len + 1);
    out[this.len] = sourceLength;
    return out;
  }

  private flush(): void {
    if (this.runEnd > this.runStart) this.parts.push(this.source.slice(this.runStart, this.runEnd));
    this.runStart = this.runEnd = 0;
  }

  /** Room for `extra` more units plus the final sentinel; doubling keeps appends amortised O(1). */
  private reserve(extra: number): void {
    const need = this.len + extra + 1;
    if (need <= this.map.length) return;
    const cap = Math.max(need, this.map.length * 2);
    const map = new Uint32Array(cap);
    map.set(this.map.subarray(0, this.len));
    const mapEnd = new Uint32Array(cap);
    mapEnd.set(this.mapEnd.subarray(0, this.len));
    this.map = map;
    this.mapEnd = mapEnd;
  }
}

// ---------------------------------------------------------------------------------------------------
// normalise
// ---------------------------------------------------------------------------------------------------

const CHANGE = {
  zeroWidth: 'zero-width removed',
  softHyphen: 'soft hyphen removed',
  bidi: 'bidi control removed',
  variationSelector: 'variation selector removed',
  fullWidth: 'full-width folded',
  digits: 'digits folded',
  compatibility: 'compatibility characters folded',
  confusables: 'look-alike letters folded',
} as const;

/** Invisible characters removed before scanning, each with the change it is reported as. */
function invisibleChange(cp: number): string | undefined {
  if ((cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff || cp === 0x180e) return CHANGE.zeroWidth;
  // invisible operators (function application, invisible times/separator/plus): zero-width too
  if (cp >= 0x2061 && cp <= 0x2064) return CHANGE.zeroWidth;
  // combining grapheme joiner: invisible, attaches to nothing visible
  if (cp === 0x034f) return CHANGE.zeroWidth;
  if (cp === 0x00ad) return CHANGE.softHyphen;
  // embeddings/overrides/isolates, plus the LRM/RLM/ALM marks, which are just as invisible
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x200e || cp === 0x200f || cp === 0x061c) {
    return CHANGE.bidi;
  }
  // VS1–VS16 render nothing on their own and would split a run of digits
  if (cp >= 0xfe00 && cp <= 0xfe0f) return CHANGE.variationSelector;
  return undefined;
}

/**
 * Cyrillic and Greek letters (plus IPA ɡ) that look like a Latin letter; NFKC leaves them alone.
 * Folded only inside a mixed-script word (see {@link normalise}).
 */
const CONFUSABLES: ReadonlyMap<number, string> = new Map(
  (
    [
      // Cyrillic lower case
      ['а', 'a'], ['е', 'e'], ['о', 'o'], ['р', 'p'], ['с', 'c'], ['у', 'y'], ['х', 'x'], ['і', 'i'], ['ј', 'j'],
      ['ѕ', 's'], ['ԁ', 'd'], ['һ', 'h'], ['ԛ', 'q'], ['ԝ', 'w'], ['ӏ', 'l'], ['ү', 'y'],
      // Cyrillic upper case
      ['А', 'A'], ['В', 'B'], ['Е', 'E'], ['К', 'K'], ['М', 'M'], ['Н', 'H'], ['О', 'O'], ['Р', 'P'], ['С', 'C'],
      ['Т', 'T'], ['Х', 'X'], ['У', 'Y'], ['І', 'I'], ['Ј', 'J'], ['Ѕ', 'S'], ['Ӏ', 'I'], ['Ԛ', 'Q'], ['Ԝ', 'W'],
      ['Ү', 'Y'], ['Һ', 'H'],
      // Greek upper case
      ['Α', 'A'], ['Β', 'B'], ['Ε', 'E'], ['Ζ', 'Z'], ['Η', 'H'], ['Ι', 'I'], ['Κ', 'K'], ['Μ', 'M'], ['Ν', 'N'],
      ['Ο', 'O'], ['Ρ', 'P'], ['Τ', 'T'], ['Υ', 'Y'], ['Χ', 'X'], ['Ϲ', 'C'], ['Ϳ', 'J'],
      // Greek lower case
      ['ο', 'o'], ['ν', 'v'], ['α', 'a'], ['ι', 'i'], ['κ', 'k'], ['ρ', 'p'], ['υ', 'u'], ['χ', 'x'], ['ϲ', 'c'], ['ϳ', 'j'],
      // Latin IPA script g
      ['ɡ', 'g'],
    ] as const
  ).map(([from, to]) => [from.codePointAt(0) ?? 0, to]),
);

/** What normalisation does with one code point. */
interface CharInfo {
  /** replacement regardless of context; '' removes the character; undefined keeps it (or folds a confusable) */
  fold: string | undefined;
  /** how `fold` is reported */
  change: string | undefined;
  /** part of a word for the mixed-script rule (letters, marks, digits, email/domain punctuation, invisibles) */
  word: boolean;
  /** a Latin letter or a digit (after folding): makes its word mixed-script when it also holds confusables */
  anchor: boolean;
  /** the Latin look-alike of a Cyrillic/Greek letter */
  confusable: string | undefined;
}

const WORD_CHAR = /^[\p{L}\p{M}\p{Nd}]$/u;
const LATIN = /^\p{Script=Latin}$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const ASCII_ONLY = /^\p{ASCII}+$/u;

/** ASCII word characters: letters, digits and the punctuation that holds emails and domains together. */
function asciiWord(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    c === 0x2e || c === 0x2d || c === 0x5f || c === 0x40 || c === 0x2b // . - _ @ +
  );
}

function asciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

const ASCII_INFO: readonly CharInfo[] = Array.from({ length: 128 }, (_, c) => ({
  fold: undefined,
  change: undefined,
  word: asciiWord(c),
  anchor: asciiAlnum(c),
  confusable: undefined,
}));

/** A folded ASCII result counts as the ASCII it became, so a second pass over the view agrees on words. */
function foldedInfo(fold: string, change: string): CharInfo {
  let word = true;
  let anchor = false;
  for (let k = 0; k < fold.length; k++) {
    const c = fold.charCodeAt(k);
    if (!asciiWord(c)) word = false;
    if (asciiAlnum(c)) anchor = true;
  }
  return { fold, change, word, anchor, confusable: undefined };
}

/**
 * Value of a Unicode decimal digit. Unicode guarantees that Nd characters come in contiguous runs of
 * ten, 0 to 9, so the value is the distance from the start of the contiguous Nd block, modulo 10.
 */
function digitValue(cp: number): number {
  let start = cp;
  // the longest block of adjacent runs is the 50 mathematical digits; 200 is a safe, constant bound
  for (let k = 0; k < 200 && start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1)); k++) start--;
  return (cp - start) % 10;
}

function classifyUncached(cp: number): CharInfo {
  const invisible = invisibleChange(cp);
  if (invisible !== undefined) {
    // invisible characters are transparent inside a word: "p\u200Bаypal" is still one word
    return { fold: '', change: invisible, word: true, anchor: false, confusable: undefined };
  }
  if (cp >= 0xff01 && cp <= 0xff5e) return foldedInfo(String.fromCharCode(cp - 0xfee0), CHANGE.fullWidth);
  if (cp === 0x3000) return foldedInfo(' ', CHANGE.fullWidth);
  // lone surrogates are their own "code point" here: fromCodePoint and the u-flag regexes accept them
  const ch = String.fromCodePoint(cp);
  if (DECIMAL_DIGIT.test(ch)) return foldedInfo(String(digitValue(cp)), CHANGE.digits);
  const nfkc = ch.normalize('NFKC');
  if (nfkc !== ch && ASCII_ONLY.test(nfkc)) return foldedInfo(nfkc, CHANGE.compatibility);
  const confusable = CONFUSABLES.get(cp);
  if (confusable !== undefined) return { fold: undefined, change: undefined, word: true, anchor: false, confusable };
  return PLAIN[(WORD_CHAR.test(ch) ? 2 : 0) + (LATIN.test(ch) ? 1 : 0)] as CharInfo;
}

/** Shared infos for characters kept as they are (most of them), indexed by word * 2 + anchor. */
const PLAIN: readonly CharInfo[] = [0, 1, 2, 3].map((k) => ({
  fold: undefined,
  change: undefined,
  word: k >= 2,
  anchor: k % 2 === 1,
  confusable: undefined,
}));

/** Classifications of non-ASCII code points; bounded so a text of a million distinct characters cannot grow it without limit. */
const cache = new Map<number, CharInfo>();
const CACHE_LIMIT = 1 << 16;

function classify(cp: number): CharInfo {
  if (cp < 0x80) return ASCII_INFO[cp] as CharInfo;
  let info = cache.get(cp);
  if (info === undefined) {
    info = classifyUncached(cp);
    if (cache.size < CACHE_LIMIT) cache.set(cp, info);
  }
  return info;
}

/** The code point at `i`: a valid surrogate pair combined, a lone surrogate as itself. */
function codePointAt(s: string, i: number): number {
  return s.codePointAt(i) ?? 0;
}

/**
 * Normalises `original` for scanning (see the module comment for what is folded and the map conventions).
 *
 * Look-alike Cyrillic/Greek letters are folded only inside a word that also holds a Latin letter or a
 * digit: "pаypal.com" (Cyrillic а) becomes "paypal.com" but "привет" is left alone. A word is a run of
 * letters, marks, digits, invisible characters and `. - _ @ +` (so a domain or email address is one word).
 */
export function normalise(original: string): NormalisedText {
  const text = typeof original === 'string' ? original : '';
  // Printable ASCII (and tab, line feed, carriage return) holds nothing to remove or fold: every invisible
  // character, full-width form, other digit and look-alike letter is outside it. One native test
  // replaces the walk over most agent output.
  if (!NOT_PLAIN_ASCII.test(text)) return identity(text);
  const out = new ViewBuilder(text);
  const n = text.length;
  let i = 0;
  while (i < n) {
    const cp = codePointAt(text, i);
    const info = classify(cp);
    if (!info.word) {
      emit(out, info, i, cp > 0xffff ? 2 : 1, false);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    // two passes over the word (find whether it is mixed-script, then emit): each character is visited twice at most
    let j = i;
    let mixed = false;
    while (j < n) {
      const c = codePointAt(text, j);
      const inf = classify(c);
      if (!inf.word) break;
      if (inf.anchor) mixed = true;
      j += c > 0xffff ? 2 : 1;
    }
    while (i < j) {
      const c = codePointAt(text, i);
      const w = c > 0xffff ? 2 : 1;
      emit(out, classify(c), i, w, mixed);
      i += w;
    }
  }
  return out.finish();
}

const NOT_PLAIN_ASCII = /[^\t\n\r\x20-\x7e]/;

function identity(text: string): NormalisedText {
  const n = text.length;
  const map = new Uint32Array(n + 1);
  const mapEnd = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) {
    map[i] = i;
    mapEnd[i] = i + 1;
  }
  map[n] = n;
  mapEnd[n] = n;
  return { text, map, mapEnd, changes: [] };
}

function emit(out: ViewBuilder, info: CharInfo, at: number, width: number, foldConfusable: boolean): void {
  if (info.fold !== undefined) out.replace(info.fold, at, at + width, info.change ?? CHANGE.compatibility);
  else if (foldConfusable && info.confusable !== undefined) out.replace(info.confusable, at, at + width, CHANGE.confusables);
  else out.keep(at, at + width);
}

// ---------------------------------------------------------------------------------------------------
// toOriginalSpan
// ---------------------------------------------------------------------------------------------------

/**
 * Maps a span [start, end) of a view back to the text the view was made from: start → `map[start]`,
 * end → `mapEnd[end - 1]` (the end of the original character or run the span's last unit comes from).
 * Out-of-range or reversed arguments are clamped; an empty span maps to an empty span. For a view of a
 * view (e.g. {@link spelledEmailView} of a {@link normalise}d text) map twice, innermost view first.
 */
export function toOriginalSpan(n: NormalisedText, start: number, end: number): { start: number; end: number } {
  const len = n.text.length;
  const s = clampIndex(start, len);
  const e = Math.max(s, clampIndex(end, len));
  const from = n.map[s] ?? 0;
  if (e === s) return { start: from, end: from };
  return { start: from, end: n.mapEnd[e - 1] ?? from };
}

/**
 * The spans of a view where it is not a plain copy of its source: [i, i + 2) around each index i whose
 * character was rewritten or after which source characters were dropped. A span of the view that overlaps
 * none of them reads exactly as in the source. Ascending, merged.
 */
export function editedRegions(n: NormalisedText): Array<[number, number]> {
  const regions: Array<[number, number]> = [];
  const length = n.text.length;
  for (let i = 0; i < length; i++) {
    const from = n.map[i] as number;
    if (n.mapEnd[i] === from + 1 && n.map[i + 1] === from + 1) continue;
    const last = regions[regions.length - 1];
    if (last !== undefined && last[1] >= i) last[1] = Math.min(length, i + 2);
    else regions.push([i, Math.min(length, i + 2)]);
  }
  return regions;
}

function clampIndex(x: number, len: number): number {
  if (!(x > 0)) return 0; // also NaN
  return x >= len ? len : Math.floor(x);
}

// ---------------------------------------------------------------------------------------------------
// spelledEmailView
// ---------------------------------------------------------------------------------------------------

interface Separator {
  kind: 'at' | 'dot';
  start: number;
  end: number;
  /** false for a literal '@' (nothing to rewrite) */
  spelled: boolean;
}

/** Characters of an email local part or domain label (the common subset of RFC 5322's atext). */
function emailChar(c: number): boolean {
  return asciiAlnum(c) || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d; // _ % + -
}

/** Horizontal blanks around a spelled separator; bounded so a failed parse costs O(1). */
const MAX_BLANKS = 4;

function skipBlanks(s: string, i: number): number {
  let j = i;
  while (j < s.length && j - i < MAX_BLANKS && (s.charCodeAt(j) === 0x20 || s.charCodeAt(j) === 0x09)) j++;
  return j;
}

/** Reads "at", "dot", "@" or "." (case-insensitive) at `i`. */
function readKeyword(s: string, i: number): { kind: 'at' | 'dot'; end: number } | undefined {
  const c = s.charCodeAt(i);
  if (c === 0x40) return { kind: 'at', end: i + 1 };
  if (c === 0x2e) return { kind: 'dot', end: i + 1 };
  const word3 = s.slice(i, i + 3).toLowerCase();
  if (word3 === 'dot') return { kind: 'dot', end: i + 3 };
  if (word3.startsWith('at')) return { kind: 'at', end: i + 2 };
  return undefined;
}

const OPEN = '[({<';
const CLOSE = '])}>';

/**
 * Parses a separator right after a word: a literal '@', " at " / " dot " (blanks required on both
 * sides) or a bracketed "[at]", "(dot)", "{at}", "<dot>", "[@]", "[.]" with optional blanks around.
 * Reads O(1) characters.
 */
function parseSeparator(s: string, i: number): Separator | undefined {
  if (s.charCodeAt(i) === 0x40) return { kind: 'at', start: i, end: i + 1, spelled: false };
  const j = skipBlanks(s, i);
  if (j < s.length && OPEN.includes(s.charAt(j))) {
    const kw = readKeyword(s, skipBlanks(s, j + 1));
    if (kw === undefined) return undefined;
    const close = skipBlanks(s, kw.end);
    if (close >= s.length || !CLOSE.includes(s.charAt(close))) return undefined;
    return { kind: kw.kind, start: i, end: skipBlanks(s, close + 1), spelled: true };
  }
  if (j === i) return undefined;
  const kw = readKeyword(s, j);
  // bare "@"/"." with blanks around is not an evasion we rewrite; "at"/"dot" must be followed by a blank ("atom" is a word)
  if (kw === undefined || kw.end - j < 2) return undefined;
  const end = skipBlanks(s, kw.end);
  if (end === kw.end) return undefined;
  return { kind: kw.kind, start: i, end, spelled: true };
}

/** Reads a word: email characters with single inner dots ("john.doe", "example.com"); returns its end. */
function readWord(s: string, i: number): number {
  let j = i;
  for (;;) {
    while (j < s.length && emailChar(s.charCodeAt(j))) j++;
    if (j + 1 < s.length && s.charCodeAt(j) === 0x2e && emailChar(s.charCodeAt(j + 1))) j++;
    else return j;
  }
}

/**
 * Words that precede a bare " at " in ordinary prose ("look at example dot com", "contact me at …"):
 * such a single-word "local part" is not taken for an email. Bracketed forms are deliberate and exempt.
 */
const PROSE_BEFORE_AT = new Set([
  'me', 'us', 'you', 'him', 'her', 'them', 'it', 'we', 'i', 'they', 'he', 'she', 'this', 'that', 'look', 'looking',
  'looked', 'meet', 'be', 'is', 'are', 'was', 'were', 'am', 'here', 'there', 'find', 'found', 'visit', 'available',
  'online', 'located', 'arrive', 'arrived', 'stay', 'live', 'lives', 'work', 'works', 'working', 'hosted', 'posted',
  'published', 'go', 'come', 'see', 'check', 'up', 'out', 'not', 'only', 'now', 'sign', 'signed', 'log', 'logged',
]);

const DOMAIN_WORD = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/; // inner classes exclude '.', so matching is linear
const TLD = /^[A-Za-z]{2,63}$/;

/**
 * What every rewrite needs somewhere in the text (see parseSeparator): " at "/" dot " after a blank or a
 * bracketed separator. Most texts have neither, and the word-by-word walk is skipped.
 */
const SPELLED_SEPARATOR = /[ \t](?:at|dot)[ \t]|[[({<][ \t]*(?:at|dot|@|\.)[ \t]*[\])}>]/i;

/**
 * A view of `text` in which spelled email separators are rewritten: each "at"/"dot" separator with its
 * blanks and brackets becomes '@' or '.' (mapped to the whole separator). Rewrites happen only between
 * two word-like tokens and only when the result is email-shaped — `local@label.tld`, TLD alphabetic —
 * so "meet at noon" is left alone. Returns undefined when nothing was rewritten.
 */
export function spelledEmailView(text: string): NormalisedText | undefined {
  if (typeof text !== 'string' || !SPELLED_SEPARATOR.test(text)) return undefined;
  const rewrites: Separator[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!emailChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    // a chain: word (separator word)*, read once, left to right
    const words: Array<{ start: number; end: number }> = [];
    const seps: Separator[] = [];
    let pos = i;
    for (;;) {
      const end = readWord(text, pos);
      words.push({ start: pos, end });
      pos = end;
      const sep = parseSeparator(text, end);
      if (sep === undefined || sep.end >= n || !emailChar(text.charCodeAt(sep.end))) break;
      seps.push(sep);
      pos = sep.end;
    }
    collectEmailRewrites(text, words, seps, rewrites);
    i = pos;
  }
  if (rewrites.length === 0) return undefined;
  const out = new ViewBuilder(text);
  let at = 0;
  for (const r of rewrites) {
    out.keep(at, r.start);
    out.replace(r.kind === 'at' ? '@' : '.', r.start, r.end, 'spelled email separators rewritten');
    at = r.end;
  }
  out.keep(at, n);
  return out.finish();
}

/**
 * For a chain w0 s0 w1 s1 … : every "at" separator between a local part (the words back to the previous
 * "at") and a domain (the words up to the next "at") that make an email gets rewritten, with the spelled
 * dots of both parts. Appends to `rewrites` in text order. Linear in the chain's length.
 */
function collectEmailRewrites(
  text: string,
  words: ReadonlyArray<{ start: number; end: number }>,
  seps: readonly Separator[],
  rewrites: Separator[],
): void {
  // segment k = words between the (k-1)-th and k-th "at" separators
  const segStarts: number[] = [0];
  const atSeps: number[] = [];
  seps.forEach((s, k) => {
    if (s.kind === 'at') {
      atSeps.push(k);
      segStarts.push(k + 1);
    }
  });
  if (atSeps.length === 0) return;
  const rewrite = new Set<number>(); // separator indexes, collected then emitted in order
  for (let a = 0; a < atSeps.length; a++) {
    const atIndex = atSeps[a] as number;
    const localFirst = segStarts[a] as number;
    const domainFirst = atIndex + 1;
    const domainLast = a + 1 < atSeps.length ? (atSeps[a + 1] as number) : words.length - 1;
    if (!isDomain(text, words, seps, domainFirst, domainLast)) continue;
    const at = seps[atIndex] as Separator;
    const local = words[localFirst] as { start: number; end: number };
    if (!/[A-Za-z0-9]/.test(text.slice(local.start, local.end))) continue;
    if (at.spelled && !isBracketed(text, at) && localFirst === atIndex && PROSE_BEFORE_AT.has(text.slice(local.start, local.end).toLowerCase())) {
      continue;
    }
    let spelled = at.spelled;
    for (let k = localFirst; k < domainLast; k++) if ((seps[k] as Separator).spelled) spelled = true;
    if (!spelled) continue;
    for (let k = localFirst; k < domainLast; k++) if ((seps[k] as Separator).spelled) rewrite.add(k);
  }
  for (let k = 0; k < seps.length; k++) if (rewrite.has(k)) rewrites.push(seps[k] as Separator);
}

function isBracketed(text: string, sep: Separator): boolean {
  for (let k = sep.start; k < sep.end; k++) if (OPEN.includes(text.charAt(k))) return true;
  return false;
}

/** Words first..last joined by "dot" separators form label(.label)+ with an alphabetic TLD. */
function isDomain(
  text: string,
  words: ReadonlyArray<{ start: number; end: number }>,
  seps: readonly Separator[],
  first: number,
  last: number,
): boolean {
  let labels = 0;
  for (let k = first; k <= last; k++) {
    const w = words[k];
    if (w === undefined) return false;
    if (k < last && (seps[k] as Separator).kind !== 'dot') return false;
    const word = text.slice(w.start, w.end);
    if (!DOMAIN_WORD.test(word)) return false;
    labels += word.split('.').length;
  }
  const lastWord = words[last];
  if (lastWord === undefined || labels < 2) return false;
  const tail = text.slice(lastWord.start, lastWord.end);
  return TLD.test(tail.slice(tail.lastIndexOf('.') + 1));
}

// ---------------------------------------------------------------------------------------------------
// base64Candidates
// ---------------------------------------------------------------------------------------------------

const BASE64_MIN_LENGTH = 12;
const BASE64_MAX_LENGTH = 64 * 1024;
const BASE64_MAX_CANDIDATES = 64;
const PRINTABLE_RATIO = 0.9;

// not fatal: invalid bytes become U+FFFD and count as unprintable (a thrown error per token would be slow)
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A run of base64 characters (either alphabet) that can reach BASE64_MIN_LENGTH with its '=' padding. */
const BASE64_RUN = new RegExp(`[A-Za-z0-9+/_-]{${BASE64_MIN_LENGTH - 2},}=*`);

/**
 * Tokens of standard or URL-safe base64 in `text` that decode to printable UTF-8 text, with their spans
 * in `text` and the decoded text: scan `decoded`, report `[start, end)`. A token is a maximal run of one
 * alphabet plus up to two '=' of padding, at least 12 and at most 64 KiB characters, with valid padding
 * (padded to a multiple of 4, or unpadded with a length that is not 1 mod 4), decoding to UTF-8 of which
 * at least 90% of the code points are printable (invalid bytes count as unprintable). At most 64 candidates, in text order.
 */
export function base64Candidates(text: string): Array<{ start: number; end: number; decoded: string }> {
  const found: Array<{ start: number; end: number; decoded: string }> = [];
  if (typeof text !== 'string') return found;
  // Maximal runs of the union of both alphabets, found natively; runs shorter than the minimum never match.
  const runs = new RegExp(BASE64_RUN.source, 'g');
  let m: RegExpExecArray | null;
  while ((m = runs.exec(text)) !== null && found.length < BASE64_MAX_CANDIDATES) {
    const token = m[0];
    const body = token.replace(/=+$/, '').length;
    const pad = token.length - body;
    const standard = /[+/]/.test(token);
    const urlSafe = /[-_]/.test(token);
    if (standard && urlSafe) continue;
    if (token.length < BASE64_MIN_LENGTH || token.length > BASE64_MAX_LENGTH) continue;
    if (pad > 2 || (pad > 0 && token.length % 4 !== 0) || (pad === 0 && body % 4 === 1)) continue;
    const decoded = decodePrintable(token.slice(0, body), urlSafe);
    if (decoded !== undefined) found.push({ start: m.index, end: m.index + token.length, decoded });
  }
  return found;
}

function decodePrintable(body: string, urlSafe: boolean): string | undefined {
  const decoded = utf8.decode(Buffer.from(body, urlSafe ? 'base64url' : 'base64'));
  let total = 0;
  let printable = 0;
  for (const ch of decoded) {
    total++;
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c !== 0xfffd)) printable++;
  }
  return total > 0 && printable >= PRINTABLE_RATIO * total ? decoded : undefined;
}
