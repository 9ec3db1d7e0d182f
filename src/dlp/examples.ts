/**
 * `vigil rules test`: every embedded example of every rule, run through the same detection path as a scan
 * (normalisation and views included) with that rule alone. A `match` example passes when the rule reports
 * at least once at or above the reporting score; a `nomatch` example passes when it does not.
 */
import type { DlpEngine } from './engine.js';
import type { CompiledRule } from './rules.js';

/** The score from which an example counts as reported (the default policy's minimum). */
export const EXAMPLE_REPORT_SCORE = 0.5;

export interface ExampleFailure {
  rule: string;
  file: string;
  kind: 'match' | 'nomatch';
  /** 1-based position in the rule's list */
  example: number;
  text: string;
  /** the best score the rule reached on the text (0 when nothing matched) */
  score: number;
}

export interface ExampleSummary {
  rules: number;
  examples: number;
  passed: number;
  failures: ExampleFailure[];
  /** rules without a match or without a nomatch example */
  untested: string[];
}

export function runRuleExamples(engine: DlpEngine, rules: readonly CompiledRule[] = engine.rules.rules): ExampleSummary {
  const summary: ExampleSummary = { rules: rules.length, examples: 0, passed: 0, failures: [], untested: [] };
  for (const rule of rules) {
    if (rule.examples.match.length === 0 || rule.examples.nomatch.length === 0) summary.untested.push(rule.id);
    for (const kind of ['match', 'nomatch'] as const) {
      rule.examples[kind].forEach((text, i) => {
        summary.examples++;
        const best = engine.detectAll(text, [rule], Date.now() + 10_000).reduce((max, d) => Math.max(max, d.score), 0);
        const reported = best >= EXAMPLE_REPORT_SCORE;
        if (reported === (kind === 'match')) summary.passed++;
        else summary.failures.push({ rule: rule.id, file: rule.file, kind, example: i + 1, text, score: best });
      });
    }
  }
  return summary;
}
