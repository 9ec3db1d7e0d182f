/**
 * A view of the text with the separators inside long digit runs removed: "1 29 07 67 0667", "76.10.07.42.93.3"
 * and "5 4 5 4 9 2 9 9 3" are identifiers split to slip past patterns written for their usual grouping.
 * In the view they read "12907670667", "76100742933", "545492993", which the plain-digit rules (with their
 * validators and context words) can judge. The map leads back to the original span, separators included.
 */
import type { NormalisedText } from './normalize.js';

// A digit, then 7 to 40 more, each after at most one separator: bounded, so linear in the text.
const SPLIT_RUN = /\d(?:[ ./-]?\d){7,40}/g;

/** The view, or undefined when no run of 8 or more digits has separators in it. */
export function digitsJoinedView(text: string): NormalisedText | undefined {
  const removed: number[] = [];
  SPLIT_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SPLIT_RUN.exec(text)) !== null) {
    for (let i = 1; i < m[0].length; i++) {
      const c = m[0].charCodeAt(i);
      if (c < 48 || c > 57) removed.push(m.index + i);
    }
  }
  if (removed.length === 0) return undefined;
  const n = text.length - removed.length;
  const map = new Uint32Array(n + 1);
  const mapEnd = new Uint32Array(n + 1);
  let out = '';
  let at = 0; // position in the view
  let r = 0; // next removed position
  let from = 0; // start of the pending kept slice of the original
  for (let i = 0; i < text.length; i++) {
    if (r < removed.length && removed[r] === i) {
      out += text.slice(from, i);
      from = i + 1;
      r++;
      // The removed separator belongs to the digit before it, so a span ending there covers it.
      if (at > 0) mapEnd[at - 1] = i + 1;
      continue;
    }
    map[at] = i;
    mapEnd[at] = i + 1;
    at++;
  }
  out += text.slice(from);
  map[n] = text.length;
  mapEnd[n] = text.length;
  return { text: out, map, mapEnd, changes: ['separators removed from digit runs'] };
}
