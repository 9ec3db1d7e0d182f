/**
 * Operators that rewrite the original text for the findings the policy acted on (Presidio's anonymizer):
 * redact to a `[TYPE]` label, mask (card numbers keep at most the first six and last four digits, PCI DSS
 * 3.4.1), or pseudonymise to a keyed token that is the same for the same value within a deployment. This
 * module never detects anything and never decides anything.
 */
import type { Action } from './types.js';

export interface Replacement {
  start: number;
  end: number;
  type: string;
  action: Action;
  /** the keyed token for pseudonymise */
  token?: string;
  /** write the replacement as a JSON string (it replaces a JSON number) */
  quote?: boolean;
}

const DIGIT = /[0-9]/;
const ALNUM = /[\p{L}\p{N}]/u;

/** Card numbers: keep the first six and the last four digits, every other digit becomes '*', separators stay. */
export function maskCard(value: string): string {
  const digits = [...value].filter((c) => DIGIT.test(c)).length;
  let seen = 0;
  let out = '';
  for (const c of value) {
    if (!DIGIT.test(c)) {
      out += c;
      continue;
    }
    seen++;
    out += seen <= 6 || seen > digits - 4 ? c : '*';
  }
  return out;
}

/** Anything else: keep the last four letters or digits when at least ten are there, mask the rest. */
export function maskGeneric(value: string): string {
  const chars = [...value];
  const alnum = chars.filter((c) => ALNUM.test(c)).length;
  const keep = alnum >= 10 ? 4 : 0;
  let seen = 0;
  return chars
    .map((c) => {
      if (!ALNUM.test(c)) return c;
      seen++;
      return seen > alnum - keep ? c : '*';
    })
    .join('');
}

function render(text: string, r: Replacement): string {
  switch (r.action) {
    case 'redact':
      return `[${r.type}]`;
    case 'mask':
      return r.type === 'CREDIT_CARD' ? maskCard(text.slice(r.start, r.end)) : maskGeneric(text.slice(r.start, r.end));
    case 'pseudonymise':
      return `[${r.type}:${r.token ?? 'pseudonym'}]`;
    case 'allow':
      return text.slice(r.start, r.end);
    case 'block':
      // A blocked output is never rendered; a label is the safe fallback if a caller does.
      return `[${r.type}]`;
  }
}

/** Applies non-overlapping replacements (any order) to `text`. */
export function applyReplacements(text: string, replacements: readonly Replacement[]): string {
  const sorted = [...replacements].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const r of sorted) {
    if (r.start < at) throw new RangeError('replacements overlap');
    const rendered = render(text, r);
    out += text.slice(at, r.start) + (r.quote ? JSON.stringify(rendered) : rendered);
    at = r.end;
  }
  return out + text.slice(at);
}
