/**
 * The linear-time guarantee for rule patterns. Patterns run on V8's backtracking engine (an order of
 * magnitude faster here than the pure-JS RE2 port or V8's experimental linear engine, measured), so every
 * pattern must be proven to search in linear time before it is used: recheck's automaton checker decides
 * the worst-case matching complexity of a JavaScript regular expression as `exec` uses it (trying every
 * start position; e.g. `\d+x` is reported quadratic). Only "safe" (constant or linear) verdicts from the
 * automaton method are accepted: a fuzzing verdict is evidence, not a proof, and "unknown" is a refusal.
 */
import { checkSync } from 'recheck';

export type RegexVerdict = { safe: true } | { safe: false; reason: string };

const verdicts = new Map<string, RegexVerdict>();

/** Whether searching with `source`/`flags` provably takes linear time. Cached per pattern. */
export function checkLinearTime(source: string, flags: string): RegexVerdict {
  const key = `${flags}/${source}`;
  const cached = verdicts.get(key);
  if (cached) return cached;
  let verdict: RegexVerdict;
  try {
    const d = checkSync(source, flags, { checker: 'automaton', timeout: 10_000 });
    if (d.status === 'safe' && d.checker === 'automaton' && !d.complexity.isFuzz) {
      verdict = { safe: true };
    } else if (d.status === 'vulnerable') {
      verdict = { safe: false, reason: `the pattern can take ${d.complexity.summary} time (e.g. on ${JSON.stringify(d.attack.pattern)}); bound its repetitions` };
    } else if (d.status === 'unknown') {
      verdict = { safe: false, reason: `its matching time could not be proven linear (${d.error.kind})` };
    } else {
      verdict = { safe: false, reason: 'its matching time could not be proven linear by the automaton method' };
    }
  } catch (e) {
    verdict = { safe: false, reason: `its matching time could not be checked: ${(e as Error).message}` };
  }
  verdicts.set(key, verdict);
  return verdict;
}
