/**
 * The pattern detector: runs compiled rules over one view of the text (the normalised text, or a
 * derived view such as spelled-out emails) and returns detections with their spans in the ORIGINAL text
 * and the explanation of their score (rules/README.md, "Scoring").
 */
import { VigilError } from '../errors.js';
import { VALIDATED_SCORE, type CompiledRule, type ContextWords } from './rules.js';
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

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code > 127;
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

const DEADLINE_CHECK_EVERY = 256;

/**
 * Runs `rules` over `view`. `lower` is view.text lowercased (computed once per view by the caller).
 * Throws DlpDeadlineExceeded past `deadline` (a Date.now() value). `ignoreKeywords` runs keyword-gated
 * rules even when none of their keywords is in the text (the stream filter asks what they could report).
 */
export function detect(view: ScanView, lower: string, rules: readonly CompiledRule[], deadline: number, ignoreKeywords = false): Detection[] {
  const out: Detection[] = [];
  const text = view.text;
  let steps = 0;
  for (const rule of rules) {
    if (Date.now() > deadline) throw new DlpDeadlineExceeded();
    if (!ignoreKeywords && rule.keywords && findWord(lower, rule.keywords) === undefined) continue;
    for (const pattern of rule.patterns) {
      const regex = pattern.regex;
      regex.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = regex.exec(text)) !== null) {
        if (m[0].length === 0) {
          regex.lastIndex++;
          continue;
        }
        if (++steps % DEADLINE_CHECK_EVERY === 0 && Date.now() > deadline) throw new DlpDeadlineExceeded();
        let start = m.index;
        let end = m.index + m[0].length;
        if (pattern.group !== undefined) {
          const span = m.indices?.[pattern.group];
          if (!span) continue; // the group did not take part in this match
          [start, end] = span;
          if (end <= start) continue;
        }
        const value = text.slice(start, end);
        const explanation: Explanation = { rule: rule.id, pattern: pattern.name, baseScore: pattern.score, context: [] };
        if (view.label !== undefined) explanation.normalisation = view.label;
        let score = pattern.score;
        if (rule.validator) {
          const passed = rule.validator.check(value, rule.validator.options);
          explanation.validator = { name: rule.validator.name, passed };
          if (!passed) continue;
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
      }
    }
  }
  return out;
}
