import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { digitReach, digitWindows, intersectWindows, patternShape, triggerPositions } from '../src/dlp/pattern-shape.js';
import { LiteralIndex, detect, type ScanView } from '../src/dlp/detect.js';
import { DlpEngine, defaultPolicyFile, loadPolicy, loadRuleSet, shippedRulesDir } from '../src/dlp/index.js';

describe('what a pattern needs in every match', () => {
  it('finds the trigger, the longest match and the reach of lookarounds and word boundaries', () => {
    expect(patternShape('\\b\\d{3}-\\d{2}-\\d{4}\\b', '')).toEqual({ trigger: { kind: 'digit', count: 9 }, maxLength: 11, reach: 1, literals: undefined });
    expect(patternShape('[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}\\.[a-z]{2,24}', '').trigger).toEqual({ kind: 'chars', chars: '@' });
    expect(patternShape('(?<!\\d)\\d{9}(?!\\d)', '')).toMatchObject({ trigger: { kind: 'digit', count: 9 }, maxLength: 9, reach: 2 });
    expect(patternShape('(?:ab|cd)\\d{2}|x\\d', 'i').trigger).toEqual({ kind: 'digit', count: 1 });
  });

  it('counts the digits every match holds, rounded down to a shared step', () => {
    expect(patternShape('\\d{3} ?\\d{3} ?\\d{4}', '').trigger).toEqual({ kind: 'digit', count: 9 }); // 10 digits
    expect(patternShape('[A-Z]{2}\\d{6}(?:\\d{2})?', '').trigger).toEqual({ kind: 'digit', count: 6 }); // the optional pair adds none
    expect(patternShape('(?:\\d{4}|\\d{2}-\\d{3})X', '').trigger).toEqual({ kind: 'digit', count: 4 }); // the fewer of two alternatives
    expect(patternShape('(?=\\d{9})[0-9A-Z]{9}[0-9]', '').trigger).toEqual({ kind: 'digit', count: 1 }); // a lookahead consumes nothing
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

describe('derived views scanned only near what they changed', () => {
  const ruleSet = loadRuleSet([shippedRulesDir()]);
  const engine = new DlpEngine({ rules: ruleSet, policy: loadPolicy(defaultPolicyFile()), pseudonymKey: new Uint8Array(32), nlp: false });
  const run = (text: string, windows: boolean): string[] =>
    engine
      .detectAll(text, ruleSet.rules, Date.now() + 60_000, { windows })
      .map((d) => `${d.rule.id}@${d.start}-${d.end}:${d.score}:${d.explanation.normalisation ?? ''}`)
      .sort();

  it('finds exactly what whole-text scans of every view find, on split digits and spelled emails in filler', () => {
    const piece = fc.oneof(
      fc.stringMatching(/^[0-9]{1,4}([ .-][0-9]{1,4}){0,4}$/),
      fc.constantFrom('jane dot doe at example dot org', 'ops [at] corp [dot] example', 'SSN ', 'IBAN ', 'order ', 'card ', 'tel. ', ' at ', ' dot '),
      fc.constantFrom('2026-11-15T12:34:56Z ', 'v1.2.3 ', 'we met at noon. ', 'Ticket #123456 ', '\n'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
        const text = parts.join(' ');
        expect(run(text, true)).toEqual(run(text, false));
      }),
      { numRuns: 300 },
    );
  });
});

describe('windows around digit-dense stretches', () => {
  // Brute force: every span of at most maxLength characters holding at least `count` digits must lie inside one window.
  const covered = (text: string, count: number, maxLength: number, windows: Array<[number, number]> | undefined): boolean => {
    if (windows === undefined) return true;
    for (let start = 0; start < text.length; start++) {
      let digits = 0;
      for (let end = start + 1; end <= Math.min(text.length, start + maxLength); end++) {
        if (/\d/.test(text[end - 1] as string)) digits++;
        if (digits >= count && !windows.some(([from, to]) => from <= start && end <= to)) return false;
      }
    }
    return true;
  };

  it('holds every span with enough digits, on random texts of digits, separators and letters', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9 a.-]{0,80}$/), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), (text, count, maxLength) => {
        const runs = triggerPositions(text, { kind: 'digit', count });
        const windows = digitWindows(runs, digitReach(runs, maxLength), text.length, count, maxLength);
        expect(covered(text, count, maxLength, windows)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves prose with short numbers out, and gives up past the coverage limit', () => {
    const prose = 'In 2024 we shipped 3 releases and closed 120 tickets; see page 42. '.repeat(20);
    const windows = (text: string, count: number, maxLength: number, limit?: number): Array<[number, number]> | undefined => {
      const runs = triggerPositions(text, { kind: 'digit', count });
      return digitWindows(runs, digitReach(runs, maxLength), text.length, count, maxLength, limit);
    };
    expect(windows(prose, 9, 16)).toEqual([]);
    expect(windows('order 123456789 shipped', 9, 16)).toEqual([[0, 23]]);
    const digits = '123456789 '.repeat(50);
    expect(windows(digits, 9, 16, digits.length / 2)).toBeUndefined();
  });

  it('intersects two window lists', () => {
    expect(intersectWindows([[0, 10], [20, 30]], [[5, 25], [28, 40]])).toEqual([[5, 10], [20, 25], [28, 30]]);
    expect(intersectWindows([[0, 10]], [])).toEqual([]);
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

