/**
 * A view of the text with the separators inside split identifiers removed: "1 29 07 67 0667",
 * "76.10.07.42.93.3", "702 - 261 - 742", "4449_72_809" and "M . Y42 . 201 . 8D" are identifiers split to slip
 * past patterns written for their usual grouping. In the view they read "12907670667", "76100742933",
 * "702261742", "444972809", "MY422018D", which the rules (with their validators and context words) can
 * judge. The map leads back to the original span, separators included.
 */
import type { NormalisedText } from './normalize.js';

// A digit, then 7 to 40 more, each after at most one separator: bounded, so linear in the text.
const SPLIT_RUN = /\d(?:[ ./-]?\d){7,40}/g;

// Short letter-or-digit groups joined by a separator of punctuation with blanks around it ("702 - 261",
// "M . Y42"), an underscore or a blank: each group and separator is bounded and separators hold no
// letters or digits, so each start position costs a bounded amount of work.
const SPLIT_CHAIN = /(?<![A-Za-z0-9])[A-Za-z0-9]{1,5}(?:(?:[ \t]{0,2}[-./_][ \t]{0,2}|[ \t])[A-Za-z0-9]{1,5}){2,11}(?![A-Za-z0-9])/g;

/**
 * A joined segment is read as one identifier only with enough groups and digits (fewer when letters are
 * part of it, as in "AB 12 34 56 C"), and a digit in most of its groups.
 */
const SEGMENT_MIN_GROUPS = 3;
const SEGMENT_MIN_DIGITS = 8;
const SEGMENT_MIN_DIGITS_WITH_LETTERS = 6;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (isDigit(s.charCodeAt(i))) n++;
  return n;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Whether `text[from, to)` is one punctuation character with the same blanks on both sides ("-", " . "). */
function symmetricPunctuation(text: string, from: number, to: number): boolean {
  let lead = 0;
  while (from + lead < to && isBlank(text.charCodeAt(from + lead))) lead++;
  let trail = 0;
  while (to - 1 - trail > from + lead && isBlank(text.charCodeAt(to - 1 - trail))) trail++;
  return lead === trail && to - from - lead - trail === 1;
}

/**
 * Flags in `drop` the separators of the chain `text[start, end)` that the view removes: a separator with
 * punctuation and the same blanks on both sides joins any two groups ("OSE - I99", "MB.65"; not "no. 702",
 * a sentence's full stop), a single blank only two groups with digits ("555 0100", not "Call 555") or two
 * single characters ("O S 6 3"); then a run of groups so joined is kept only when it looks like one
 * identifier written in parts (enough groups and digits, most groups with a digit), not a date or words.
 */
function markChain(text: string, start: number, end: number, drop: Uint8Array): void {
  const seps: number[] = []; // the current segment's separators, flat [from, to) pairs
  let groups = 0;
  let digits = 0;
  let letters = 0;
  let withDigit = 0;
  const flush = (): void => {
    const minDigits = letters > 0 ? SEGMENT_MIN_DIGITS_WITH_LETTERS : SEGMENT_MIN_DIGITS;
    if (groups >= SEGMENT_MIN_GROUPS && digits >= minDigits && withDigit * 2 > groups) {
      for (let k = 0; k < seps.length; k += 2) drop.fill(1, seps[k], seps[k + 1]);
    }
    seps.length = 0;
    groups = digits = letters = withDigit = 0;
  };
  let i = start;
  let sepStart = -1;
  let previousLength = 0;
  let previousDigits = 0;
  while (i < end) {
    const groupStart = i;
    let groupDigits = 0;
    while (i < end && isAlnum(text.charCodeAt(i))) {
      if (isDigit(text.charCodeAt(i))) groupDigits++;
      i++;
    }
    const length = i - groupStart;
    if (sepStart >= 0) {
      const blank = groupStart - sepStart === 1 && isBlank(text.charCodeAt(sepStart));
      const joins = symmetricPunctuation(text, sepStart, groupStart) || (blank && previousDigits > 0 && groupDigits > 0) || (blank && previousLength === 1 && length === 1);
      if (joins) seps.push(sepStart, groupStart);
      else flush();
    }
    groups++;
    digits += groupDigits;
    letters += length - groupDigits;
    if (groupDigits > 0) withDigit++;
    previousLength = length;
    previousDigits = groupDigits;
    sepStart = i;
    while (i < end && !isAlnum(text.charCodeAt(i))) i++;
  }
  flush();
}

/** The positions of `text` that the view drops, flagged; undefined when there are none to look at. */
function separatorsToDrop(text: string): Uint8Array | undefined {
  let drop: Uint8Array | undefined;
  SPLIT_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SPLIT_RUN.exec(text)) !== null) {
    drop ??= new Uint8Array(text.length);
    for (let i = 1; i < m[0].length; i++) if (!isDigit(m[0].charCodeAt(i))) drop[m.index + i] = 1;
  }
  SPLIT_CHAIN.lastIndex = 0;
  while ((m = SPLIT_CHAIN.exec(text)) !== null) {
    // Most chains are words in prose: too few digits for any segment of them to qualify.
    if (digitCount(m[0]) < SEGMENT_MIN_DIGITS_WITH_LETTERS) continue;
    drop ??= new Uint8Array(text.length);
    markChain(text, m.index, m.index + m[0].length, drop);
  }
  return drop;
}

/** The view, or undefined when no split identifier was found. */
export function digitsJoinedView(text: string): NormalisedText | undefined {
  const drop = separatorsToDrop(text);
  if (drop === undefined) return undefined;
  let dropped = 0;
  for (let i = 0; i < drop.length; i++) dropped += drop[i] as number;
  if (dropped === 0) return undefined;
  const n = text.length - dropped;
  const map = new Uint32Array(n + 1);
  const mapEnd = new Uint32Array(n + 1);
  // The kept UTF-16 code units, decoded once: many small slices concatenated cost far more on long texts.
  const units = new Uint16Array(n);
  let at = 0; // position in the view
  for (let i = 0; i < text.length; i++) {
    if (drop[i] === 1) {
      // The removed separator belongs to the character before it, so a span ending there covers it.
      if (at > 0) mapEnd[at - 1] = i + 1;
      continue;
    }
    units[at] = text.charCodeAt(i);
    map[at] = i;
    mapEnd[at] = i + 1;
    at++;
  }
  const out = Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('utf16le');
  map[n] = text.length;
  mapEnd[n] = text.length;
  return { text: out, map, mapEnd, changes: ['separators removed from digit runs'] };
}
