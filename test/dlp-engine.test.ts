import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DlpEngine, compilePolicy, loadRuleSet, type Policy, type RuleSet } from '../src/dlp/index.js';
import { isVigilError } from '../src/errors.js';

function packDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-rules-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const PACK = `
pack: t
rules:
  - id: t.card
    entity: CREDIT_CARD
    category: financial
    regulations: [PCI]
    patterns:
      - name: digits
        regex: '\\b(?:\\d[ -]?){12,18}\\d\\b'
    validator: luhn
  - id: t.email
    entity: EMAIL_ADDRESS
    category: contact
    patterns:
      - name: email
        regex: '[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,8}\\.[A-Za-z]{2,24}'
  - id: t.aws
    entity: AWS_ACCESS_KEY
    category: secret
    regulations: [SECRET]
    patterns:
      - name: akia
        regex: '\\bAKIA[0-9A-Z]{16}\\b'
        score: 0.9
  - id: t.url
    entity: URL
    category: network
    patterns:
      - name: url
        regex: 'https?://[A-Za-z0-9.-]{1,253}(?:/[A-Za-z0-9._~%/?=&-]{0,200})?'
  - id: t.mrn
    entity: MEDICAL_RECORD_NUMBER
    category: health
    score: 0.2
    patterns:
      - name: mrn
        regex: '\\b\\d{7,8}\\b'
    context:
      window: 24
      raise: { words: [mrn, medical record], by: 0.5 }
      lower: { words: [order], by: 0.3 }
  - id: t.codename
    entity: PROJECT_CODENAME
    category: custom
    terms: [Project Bluebird, Nightjar]
allow:
  - value: privacy@example.com
    entities: [EMAIL_ADDRESS]
`;

const POLICY: Policy = compilePolicy(
  {
    version: 1,
    min_score: 0.5,
    default_action: 'redact',
    categories: { secret: 'block' },
    entities: { URL: 'allow' },
    destinations: { internal: { entities: { CREDIT_CARD: 'mask', EMAIL_ADDRESS: 'pseudonymise' } } },
  },
  'test',
);

function engine(rules: RuleSet = loadRuleSet([packDir({ 't.yaml': PACK })]), options: { timeBudgetMs?: number } = {}): DlpEngine {
  return new DlpEngine({ rules, policy: POLICY, pseudonymKey: new Uint8Array(32).fill(7), ...options });
}

describe('loading rule packs', () => {
  const base = (rule: string): string => `pack: bad\nrules:\n${rule}`;
  const cases: Array<[string, string, RegExp]> = [
    ['a pattern that does not compile', base(`  - id: bad.r\n    entity: X_Y\n    category: custom\n    patterns:\n      - name: p\n        regex: '(unclosed'\n`), /bad\.yaml: rule bad\.r: pattern "p" does not compile/],
    ['an unknown validator', base(`  - id: bad.r\n    entity: X_Y\n    category: custom\n    patterns:\n      - name: p\n        regex: 'x{1,3}'\n    validator: crc99\n`), /rule bad\.r: unknown validator "crc99"/],
    ['an unknown field', base(`  - id: bad.r\n    entity: X_Y\n    category: custom\n    keyword: [x]\n    patterns:\n      - name: p\n        regex: 'x{1,3}'\n`), /rule bad\.r: .*keyword/],
    ['a pattern that can take super-linear time', base(`  - id: bad.r\n    entity: X_Y\n    category: custom\n    patterns:\n      - name: p\n        regex: '\\d+x'\n`), /rule bad\.r: pattern "p" is refused: the pattern can take 2nd degree polynomial time/],
    ['an exponential pattern', base(`  - id: bad.r\n    entity: X_Y\n    category: custom\n    patterns:\n      - name: p\n        regex: '(a+)+b'\n`), /rule bad\.r: pattern "p" is refused: .*exponential/],
    ['a rule id outside its pack', base(`  - id: other.r\n    entity: X_Y\n    category: custom\n    patterns:\n      - name: p\n        regex: 'x{1,3}'\n`), /rule other\.r: a rule id must start with its pack's name/],
    ['YAML that does not parse', 'pack: [unclosed\n', /bad\.yaml: is not valid YAML/],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what}, naming the file, the rule and the reason`, () => {
      const dir = packDir({ 'bad.yaml': text });
      let error: unknown;
      try {
        loadRuleSet([dir]);
      } catch (e) {
        error = e;
      }
      expect(isVigilError(error, 'RULES_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('refuses the same rule id in two folders', () => {
    const a = packDir({ 'a.yaml': `pack: a\nrules:\n  - id: a.r\n    entity: X_Y\n    category: custom\n    terms: [x]\n` });
    const b = packDir({ 'b.yaml': `pack: a\nrules: []\n` });
    expect(() => loadRuleSet([a, b])).toThrow(/pack "a" is already defined/);
  });
});

describe('scanning text', () => {
  it('redacts with a [TYPE] label and reports UTF-16 spans of the original, never the value', () => {
    const text = 'Write to jane.doe@corp.example today';
    const r = engine().scan(text);
    expect(r.decision).toBe('redact');
    expect(r.output).toBe('Write to [EMAIL_ADDRESS] today');
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(text.slice(f.start, f.end)).toBe('jane.doe@corp.example');
    expect(f).toMatchObject({ type: 'EMAIL_ADDRESS', rule: 't.email', action: 'redact', score: 0.5 });
    expect(JSON.stringify(r.findings)).not.toContain('jane.doe');
  });

  it('keeps offsets right after astral characters (UTF-16 code units)', () => {
    const text = '😀😀 mail jane@corp.example';
    const f = engine().scan(text).findings[0]!;
    expect(text.slice(f.start, f.end)).toBe('jane@corp.example');
  });

  it('drops numbers that fail their validator and explains the ones that pass', () => {
    const r = engine().scan('bad 4111 1111 1111 1112, good 4111 1111 1111 1111', { destination: 'internal' });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.explanation).toMatchObject({ rule: 't.card', pattern: 'digits', baseScore: 0.5, validator: { name: 'luhn', passed: true } });
    expect(r.output).toBe('bad 4111 1111 1111 1112, good 4111 11** **** 1111');
  });

  it('blocks the whole output when a finding says block', () => {
    const r = engine().scan('key AKIAIOSFODNN7EXAMPLE and mail a@b.example');
    expect(r).toMatchObject({ decision: 'block', output: null });
    expect(r.findings.map((f) => f.type).sort()).toEqual(['AWS_ACCESS_KEY', 'EMAIL_ADDRESS']);
  });

  it('pseudonymises to the same token for the same value, and a different one for another', () => {
    const e = engine();
    const a = e.scan('from Jane@Corp.example', { destination: 'internal' }).output;
    const b = e.scan('to jane@corp.example', { destination: 'internal' }).output;
    const c = e.scan('to john@corp.example', { destination: 'internal' }).output;
    const token = (s: string | null): string => /\[EMAIL_ADDRESS:([0-9a-f]{12})\]/.exec(s ?? '')?.[1] ?? 'none';
    expect(token(a)).toBe(token(b));
    expect(token(a)).not.toBe(token(c));
    expect(token(a)).not.toBe('none');
  });

  it('raises and lowers scores from context words before and after the match', () => {
    const e = engine();
    expect(e.scan('the number 1234567 is here').findings).toHaveLength(0);
    const raised = e.scan('MRN: 1234567').findings[0]!;
    expect(raised.score).toBe(0.7);
    expect(raised.explanation.context).toEqual([{ word: 'mrn', by: 0.5 }]);
    expect(e.scan('1234567 (medical record)').findings).toHaveLength(1);
    expect(e.scan('MRN order 1234567').findings).toHaveLength(0);
  });

  it('reads context at the right place after characters whose lowercase is longer (İ)', () => {
    const r = engine().scan(`${'İ'.repeat(40)} MRN: 1234567`);
    expect(r.findings.map((f) => f.type)).toEqual(['MEDICAL_RECORD_NUMBER']);
  });

  it('finds deny-list terms on word boundaries, case-insensitively, and honours allow lists', () => {
    const r = engine().scan('project  bluebird ships; nightjars fly; mail privacy@example.com or ops@example.com');
    expect(r.findings.map((f) => f.type)).toEqual(['PROJECT_CODENAME', 'EMAIL_ADDRESS']);
    expect(r.output).toBe('[PROJECT_CODENAME] ships; nightjars fly; mail privacy@example.com or [EMAIL_ADDRESS]');
  });

  it('compiles deny-list terms with hyphens and other punctuation', () => {
    const pack = `pack: h\nrules:\n  - id: h.t\n    entity: CODENAME\n    category: custom\n    terms: [Blue-Bird, "A/B (beta)"]\n`;
    const r = engine(loadRuleSet([packDir({ 'h.yaml': pack })])).scan('ship blue-bird and a/b (beta) today');
    expect(r.output).toBe('ship [CODENAME] and [CODENAME] today');
  });

  it('finds spelled-out emails, but not a second, made-up one next to a real address', () => {
    const e = engine();
    expect(e.scan('write to jane dot doe at corp dot example please').output).toBe('write to [EMAIL_ADDRESS] please');
    const text = 'reach Jane at jane.doe@corp.example today';
    const r = e.scan(text);
    expect(r.findings.filter((f) => f.type === 'EMAIL_ADDRESS').map((f) => text.slice(f.start, f.end))).toEqual(['jane.doe@corp.example']);
  });

  it('reads a base64 token after its label, and redacts the whole token', () => {
    const token = Buffer.from('id 1234567 ok').toString('base64');
    expect(engine().scan(`mrn_b64: ${token} end`).output).toBe('mrn_b64: [MEDICAL_RECORD_NUMBER] end');
    expect(engine().scan(`qty_b64: ${token} end`).decision).toBe('allow');
  });

  it('reads short base64 tokens too, with the words after them as context', () => {
    const token = Buffer.from('1234567').toString('base64').replace(/=+$/, ''); // 10 characters: below the minimum
    const padded = Buffer.from('n 1234567').toString('base64'); // 12 characters
    expect(padded.length).toBe(12);
    expect(engine().scan(`value ${padded} is the MRN`).output).toBe('value [MEDICAL_RECORD_NUMBER] is the MRN');
    expect(engine().scan(`value ${padded} is the order`).decision).toBe('allow');
    expect(engine().scan(`value ${token} is the MRN`).decision).toBe('allow');
  });

  it('never lets an allowed finding shield a stricter one inside it', () => {
    const r = engine().scan('see https://host.example/?k=AKIAIOSFODNN7EXAMPLE');
    expect(r.decision).toBe('block');
    expect(r.findings.map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
  });

  it('resolves overlapping findings the same way every time: longest first', () => {
    const pack = `pack: o\nrules:\n  - id: o.short\n    entity: SHORT\n    category: custom\n    score: 0.9\n    patterns:\n      - name: p\n        regex: 'abc'\n  - id: o.long\n    entity: LONG\n    category: custom\n    score: 0.6\n    patterns:\n      - name: p\n        regex: 'abcdef'\n`;
    const e = engine(loadRuleSet([packDir({ 'o.yaml': pack })]));
    for (let i = 0; i < 3; i++) expect(e.scan('xx abcdef yy').output).toBe('xx [LONG] yy');
  });

  it('fails closed: a scan past its time budget is a block with no output', () => {
    const r = engine(undefined, { timeBudgetMs: -1 }).scan('jane@corp.example');
    expect(r).toMatchObject({ decision: 'block', output: null, findings: [], error: { code: 'DLP_TIMEOUT' } });
  });

  it('fails closed on an engine error', () => {
    const r = engine().scan(42 as unknown as string);
    expect(r).toMatchObject({ decision: 'block', output: null, error: { code: 'DLP_FAILED' } });
  });

  it('grows the winning label over a partly overlapping finding, so no part of either value stays visible', () => {
    const pack = `pack: g\nrules:\n  - id: g.a\n    entity: AAA\n    category: custom\n    patterns:\n      - name: p\n        regex: 'abcdef'\n  - id: g.b\n    entity: BBB\n    category: custom\n    patterns:\n      - name: p\n        regex: 'efgh'\n`;
    const r = engine(loadRuleSet([packDir({ 'g.yaml': pack })])).scan('xx abcdefgh yy');
    expect(r.output).toBe('xx [AAA] yy');
    expect(r.findings).toMatchObject([{ type: 'AAA', start: 3, end: 11 }]);
  });
});

describe('scanning markdown tables', () => {
  it('gives every body cell its column header as context, however far below it is', () => {
    const rows = Array.from({ length: 12 }, (_, i) => `| item ${i} | ${1000000 + i * 7919} | ok |`).join('\n');
    const text = `Records:\n\n| Name | MRN | Status |\n|---|---|---|\n${rows}\n\nThe number 2345678 outside is left alone.`;
    const r = engine().scan(text);
    expect(r.findings.filter((f) => f.type === 'MEDICAL_RECORD_NUMBER')).toHaveLength(12);
    expect(r.output).toContain('| item 11 | [MEDICAL_RECORD_NUMBER] | ok |');
    expect(r.output).toContain('The number 2345678 outside is left alone.');
  });
});

describe('scanning JSON', () => {
  it('redacts inside string values and returns valid JSON of the same shape and formatting', () => {
    const text = '{\n  "user": {"email": "jane@corp.example", "n": 4},\n  "tags": ["x", "mail ops@corp.example"]\n}';
    const r = engine().scan(text);
    expect(r.decision).toBe('redact');
    expect(r.output).toBe('{\n  "user": {"email": "[EMAIL_ADDRESS]", "n": 4},\n  "tags": ["x", "mail [EMAIL_ADDRESS]"]\n}');
    expect(JSON.parse(r.output as string)).toEqual({ user: { email: '[EMAIL_ADDRESS]', n: 4 }, tags: ['x', 'mail [EMAIL_ADDRESS]'] });
    expect(r.findings.map((f) => text.slice(f.start, f.end))).toEqual(['jane@corp.example', 'ops@corp.example']);
  });

  it('uses the member name as context', () => {
    const e = engine();
    expect(e.scan('{"mrn": "1234567"}').output).toBe('{"mrn": "[MEDICAL_RECORD_NUMBER]"}');
    expect(e.scan('{"qty": "1234567"}').decision).toBe('allow');
    expect(e.scan('{"qty": "1234567"}', { json: false }).decision).toBe('allow');
  });

  it('replaces a whole string value written with escapes, and a number value by a JSON string', () => {
    const e = engine();
    const escaped = e.scan('{"note": "mail \\u006aane@corp.example"}');
    expect(escaped.output).toBe('{"note": "[EMAIL_ADDRESS]"}');
    const masked = e.scan('{"card": 4111111111111111, "ok": true}', { destination: 'internal' });
    expect(masked.output).toBe('{"card": "411111******1111", "ok": true}');
    expect(JSON.parse(masked.output as string)).toEqual({ card: '411111******1111', ok: true });
  });

  it('scans text that only looks like JSON as plain text', () => {
    expect(engine().scan('{ not json, mail jane@corp.example').output).toBe('{ not json, mail [EMAIL_ADDRESS]');
  });
});

