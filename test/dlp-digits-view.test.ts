import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { digitsJoinedView } from '../src/dlp/digits-view.js';
import { toOriginalSpan } from '../src/dlp/normalize.js';
import { DlpEngine, defaultPolicyFile, loadPolicy, loadRuleSet, shippedRulesDir } from '../src/dlp/index.js';

describe('the view with separators removed from long digit runs', () => {
  it('joins split digits and maps a span back over the separators', () => {
    const text = 'ABN on file is 1 29 07 67 0667, thanks';
    const v = digitsJoinedView(text);
    expect(v?.text).toBe('ABN on file is 12907670667, thanks');
    const start = v!.text.indexOf('1290');
    const span = toOriginalSpan(v!, start, start + 11);
    expect(text.slice(span.start, span.end)).toBe('1 29 07 67 0667');
  });

  it('joins identifiers split into short groups by spaced punctuation, underscores or single blanks', () => {
    const joined = (text: string): string | undefined => digitsJoinedView(text)?.text;
    expect(joined('SSN 702 - 261 - 742.')).toBe('SSN 702261742.');
    expect(joined('| 4449_72_809 |')).toBe('| 444972809 |');
    expect(joined('NINO is M . Y42 . 201 . 8D.')).toBe('NINO is MY422018D.');
    expect(joined('DEA MB.65.28.06.6')).toBe('DEA MB6528066');
    expect(joined('passport O S 6 3 7 8 4 5 on file')).toBe('passport OS637845 on file');
  });

  it('does not join words, sentences, short versions or dates into identifiers', () => {
    const joined = (text: string): string | undefined => digitsJoinedView(text)?.text;
    expect(joined('Social security no. 702 - 261 - 742')).toBe('Social security no. 702261742'); // the full stop stays
    expect(joined('Call 555 0100 or 555 0199 today')).toBeUndefined();
    expect(joined('in 2024 we had 3 of 12 items 456')).toBeUndefined();
    expect(joined('version 1.2.3 - 4.5.6 build 7')).toBeUndefined();
    expect(joined('a b c d e f and ticket_id_12_34')).toBeUndefined();
  });

  it('leaves short runs and text without split digit runs alone', () => {
    expect(digitsJoinedView('call 555-0100 at 10:30 on 2026-11-26')).toBeDefined(); // 2026-11-26 is 8 digits
    expect(digitsJoinedView('version 1.2.3, port 8080, pid 4411')).toBeUndefined();
  });

  it('keeps a map that is monotonic and within bounds for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: fc.constantFrom('1', '2', ' ', '.', '-', '/', '_', 'a', 'B') }), (text) => {
        const v = digitsJoinedView(text);
        if (!v) return;
        expect(v.map.length).toBe(v.text.length + 1);
        for (let i = 1; i < v.map.length; i++) expect(v.map[i]!).toBeGreaterThanOrEqual(v.map[i - 1]!);
        expect(v.map[v.text.length]).toBe(text.length);
        for (let i = 0; i < v.text.length; i++) expect(text[v.map[i]!]).toBe(v.text[i]);
      }),
      { numRuns: 300 },
    );
  });

  it('lets the engine redact an identifier split to dodge its usual grouping', () => {
    const engine = new DlpEngine({ rules: loadRuleSet([shippedRulesDir()]), policy: loadPolicy(defaultPolicyFile()), pseudonymKey: new Uint8Array(32), nlp: false });
    const r = engine.scan('The ABN on file is 1 29 07 67 0667.');
    expect(r.output).toBe('The ABN on file is [AU_ABN].');
  });
});
