/**
 * The stream filter against the whole-text result, with the shipped rule packs and the default policy:
 * at every split point of every rule example, and chunk by chunk for longer texts.
 */
import { describe, expect, it } from 'vitest';
import { DlpEngine, DlpStream, defaultPolicyFile, loadPolicy, loadRuleSet, shippedRulesDir, type ScanResult } from '../src/dlp/index.js';

const engine = new DlpEngine({ rules: loadRuleSet([shippedRulesDir()]), policy: loadPolicy(defaultPolicyFile()), pseudonymKey: new Uint8Array(32).fill(1) });

/** Streams `chunks`, checking after every push that nothing released goes beyond the whole-text result. */
function stream(chunks: string[], whole: ScanResult, options: { minStep?: number; holdback?: number } = {}): { released: string; final: ScanResult } {
  const s = new DlpStream(engine, { minStep: 0, ...options });
  let released = '';
  for (const c of chunks) {
    released += s.push(c);
    checkNoLeak(released, whole);
  }
  const end = s.end();
  released += end.text;
  checkNoLeak(released, whole);
  return { released, final: end.result };
}

function checkNoLeak(released: string, whole: ScanResult): void {
  if (whole.output !== null) {
    expect(whole.output.startsWith(released), `released text is not a prefix of the whole-text output:\n${released}\n---\n${whole.output}`).toBe(true);
  }
}

const examples = engine.rules.rules.flatMap((r) => [...r.examples.match, ...r.examples.nomatch]);

describe('the stream filter', () => {
  it('releases exactly the whole-text output at every split point of every rule example, and never a value it redacts', () => {
    let checked = 0;
    for (const text of examples) {
      const whole = engine.scan(text, { json: false });
      for (let at = 0; at <= text.length; at++) {
        const { released, final } = stream([text.slice(0, at), text.slice(at)], whole, { holdback: 8 });
        expect(final.decision).toBe(whole.decision);
        if (whole.output === null) {
          for (const f of whole.findings) expect(released).not.toContain(text.slice(f.start, f.end));
        } else {
          expect(released).toBe(whole.output);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  }, 600_000);

  it('releases text early, long before the end, and still ends with the whole-text output (chunk by chunk)', () => {
    const parts = [
      'Here is the summary you asked for. ',
      'The customer, reachable at jane.doe@corp.example, called about invoice 4471. ',
      'Their card on file is 4111 1111 1111 1111 — please do not share it. '.replace(/4111 1111 1111 1111/, '5500 0000 0000 0004'),
      'Next steps: ship the replacement, then close the ticket. '.repeat(20),
    ];
    const text = parts.join('');
    const whole = engine.scan(text, { json: false });
    const s = new DlpStream(engine, { minStep: 0 });
    let released = '';
    let releasedBeforeEnd = 0;
    for (const ch of text.match(/.{1,7}/gs) ?? []) {
      released += s.push(ch);
      releasedBeforeEnd = released.length;
    }
    const end = s.end();
    released += end.text;
    expect(end.result.decision).toBe(whole.decision);
    if (whole.output !== null) expect(released).toBe(whole.output);
    else expect(releasedBeforeEnd).toBeLessThan(text.indexOf('5500'));
  });

  it('holds back a value split across chunks until it is complete, then releases it redacted', () => {
    const s = new DlpStream(engine, { minStep: 0, holdback: 8 });
    let released = s.push('Contact: jane.d');
    released += s.push('oe@corp.exa');
    expect(released).not.toContain('jane');
    released += s.push('mple. ' + 'Thanks and have a good day. '.repeat(10));
    expect(released.startsWith('Contact: [EMAIL_ADDRESS]. Thanks')).toBe(true);
    released += s.end().text;
    expect(released).toBe(engine.scan('Contact: jane.doe@corp.example. ' + 'Thanks and have a good day. '.repeat(10), { json: false }).output);
  });

  it('stops releasing when a secret arrives and ends blocked, having released only text before it', () => {
    const s = new DlpStream(engine, { minStep: 0, holdback: 8 });
    let released = s.push('All good so far. '.repeat(10));
    released += s.push('key: AKIAIOSFODNN7EXAMPLE');
    released += s.push(' and more text after it. '.repeat(10));
    const end = s.end();
    expect(end.result).toMatchObject({ decision: 'block', output: null });
    expect(end.text).toBe('');
    expect(released).not.toContain('AKIA');
    expect(s.blocked).toBe(true);
  });

  it('holds back an open PEM block until its end line arrives', () => {
    const s = new DlpStream(engine, { minStep: 0, holdback: 8 });
    let released = s.push('Here:\n-----BEGIN RSA PRIVATE KEY-----\n');
    for (let i = 0; i < 20; i++) released += s.push('MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n');
    expect(released).not.toContain('BEGIN');
    released += s.push('-----END RSA PRIVATE KEY-----\nDone.');
    const end = s.end();
    expect(end.result.decision).toBe('block');
    expect(released + end.text).not.toContain('MIIE');
  });
});
