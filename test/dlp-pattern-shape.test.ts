import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { patternShape } from '../src/dlp/pattern-shape.js';
import { LiteralIndex, detect, type ScanView } from '../src/dlp/detect.js';
import { loadRuleSet, shippedRulesDir } from '../src/dlp/index.js';

describe('what a pattern needs in every match', () => {
  it('finds the trigger, the longest match and the reach of lookarounds and word boundaries', () => {
    expect(patternShape('\\b\\d{3}-\\d{2}-\\d{4}\\b', '')).toEqual({ trigger: { kind: 'digit' }, maxLength: 11, reach: 1 });
    expect(patternShape('[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}\\.[a-z]{2,24}', '').trigger).toEqual({ kind: 'chars', chars: '@' });
    expect(patternShape('(?<!\\d)\\d{9}(?!\\d)', '')).toMatchObject({ trigger: { kind: 'digit' }, maxLength: 9, reach: 2 });
    expect(patternShape('(?:ab|cd)\\d{2}|x\\d', 'i').trigger).toEqual({ kind: 'digit' });
  });

  it('gives no trigger where a window could change the result or the analysis is unsure', () => {
    expect(patternShape('\\d+x', '').trigger).toBeUndefined(); // unbounded
    expect(patternShape('^\\d{3}', '').trigger).toBeUndefined(); // ^ is the start of the whole text
    expect(patternShape('\\d{3}$', '').trigger).toBeUndefined();
    expect(patternShape('(\\d)\\1', '').trigger).toBeUndefined(); // back-reference
    expect(patternShape('\\d?[a-z]{3}', '').trigger).toBeUndefined(); // the digit is optional
    expect(patternShape('(?=\\d)[a-z0-9]{4}', '').trigger).toBeUndefined(); // only a lookahead needs it
    expect(patternShape('(', '').trigger).toBeUndefined();
  });
});

describe('scanning windows around triggers', () => {
  const rules = loadRuleSet([shippedRulesDir()]).rules;
  const view = (text: string): ScanView => ({ text, label: undefined, toOriginal: (start, end) => ({ start, end }) });
  const run = (text: string, windows: boolean): string[] =>
    detect(view(text), text.toLowerCase(), rules, Date.now() + 60_000, { windows })
      .map((d) => `${d.rule.id}@${d.start}-${d.end}:${d.score}`)
      .sort();

  it('finds exactly what a whole-text scan finds, on every rule example and their concatenations', () => {
    const examples = rules.flatMap((r) => [...r.examples.match, ...r.examples.nomatch]);
    for (const text of examples) expect(run(text, true)).toEqual(run(text, false));
    for (let i = 0; i + 3 < examples.length; i += 3) {
      const text = examples.slice(i, i + 4).join(i % 2 ? '\n' : ' ');
      expect(run(text, true)).toEqual(run(text, false));
    }
  });

  it('finds exactly what a whole-text scan finds on random mixes of examples, digits, punctuation and words', () => {
    const examples = rules.flatMap((r) => r.examples.match);
    const piece = fc.oneof(
      fc.constantFrom(...examples),
      fc.stringMatching(/^[0-9 @._=/-]{0,12}$/),
      fc.constantFrom(' ', '\n', ', ', ': ', 'card ', 'SSN ', 'mrn ', 'password=', '"', '{', '}'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(run(text, true)).toEqual(run(text, false));
      }),
      { numRuns: 300 },
    );
  });
});

describe('finding every prefilter literal in one pass', () => {
  const rules = loadRuleSet([shippedRulesDir()]).rules;
  const literals = [...new Set(rules.flatMap((r) => [...(r.keywords ?? []), ...r.patterns.flatMap((p) => p.shape.literals ?? [])]))];
  const index = new LiteralIndex(rules);

  it('reports a literal exactly when the text contains it, overlapping and nested occurrences included', () => {
    const piece = fc.oneof(fc.constantFrom(...literals), fc.constantFrom(...literals).map((l) => l.slice(1)), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (parts) => {
        const lower = parts.join('').toLowerCase();
        const found = index.found(lower);
        for (const l of literals) expect(found.has(l), l).toBe(lower.includes(l));
      }),
      { numRuns: 300 },
    );
  });
});

