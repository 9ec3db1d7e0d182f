/**
 * `vigil scan` and `vigil rules test` as a user runs them: real processes, the shipped rule packs and
 * policy, a temporary data directory (the pseudonym key lands there).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVigil } from './support/vigil-process.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-scan-test-'));
  made.push(dir);
  return dir;
}

describe('vigil scan', () => {
  it('--format json prints the result object as one JSON line; exit 0 when redacted', async () => {
    const dataDir = tempDir();
    const r = await runVigil(['--data-dir', dataDir, 'scan', '--format', 'json'], { input: 'Contact jane.doe@corp.example for details.' });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] as string) as { decision: string; output: string; findings: Array<{ type: string; start: number; end: number }> };
    expect(result.decision).toBe('redact');
    expect(result.output).toBe('Contact [EMAIL_ADDRESS] for details.');
    expect(result.findings[0]).toMatchObject({ type: 'EMAIL_ADDRESS', start: 8, end: 29 });
    expect(r.stdout).not.toContain('jane.doe');
    expect(fs.statSync(path.join(dataDir, 'dlp-pseudonym.secret')).mode & 0o777).toBe(0o600);
  });

  it('exits 3 with output null when the policy blocks (a card number)', async () => {
    const r = await runVigil(['--data-dir', tempDir(), 'scan', '--format', 'json'], { input: 'pay with 4111 1111 1111 1111 please' });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'block', output: null });
  });

  it('--format jsonl answers every line in order, in one process', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'cases.jsonl');
    const cases = Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, text: i % 2 ? `mail user${i}@corp.example` : `nothing here ${i}` }));
    fs.writeFileSync(input, cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
    const r = await runVigil(['--data-dir', dir, 'scan', '--format', 'jsonl', '--input', input]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; decision: string; output: string });
    expect(out.map((o) => o.id)).toEqual(cases.map((c) => c.id));
    expect(out[1]).toMatchObject({ decision: 'redact', output: 'mail [EMAIL_ADDRESS]' });
    expect(out[0]).toMatchObject({ decision: 'allow', output: 'nothing here 0' });
  });

  it('refuses a bad jsonl line with its line number, exit 2, and one plain line on stderr', async () => {
    const r = await runVigil(['--data-dir', tempDir(), 'scan', '--format', 'jsonl'], { input: '{"id":"a","text":"x"}\n{"id":"b","text":\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vigil: line 2: .*lines before it were printed\n$/);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('prints the released text on stdout and a table of findings on stderr by default', async () => {
    const r = await runVigil(['--data-dir', tempDir(), 'scan'], { input: 'Mail jane@corp.example now' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Mail [EMAIL_ADDRESS] now');
    expect(r.stderr).toMatch(/decision: redact; 1 finding/);
    expect(r.stderr).toMatch(/5-22\s+EMAIL_ADDRESS\s+redact/);
    expect(r.stderr).not.toContain('jane@');
  });

  it('uses a user rule folder and a user policy', async () => {
    const dir = tempDir();
    const rules = path.join(dir, 'rules');
    fs.mkdirSync(rules);
    fs.writeFileSync(
      path.join(rules, 'acme.yaml'),
      `pack: acme\nrules:\n  - id: acme.employee-id\n    entity: EMPLOYEE_ID\n    category: custom\n    score: 0.8\n    patterns:\n      - name: emp\n        regex: '\\bEMP-\\d{6}\\b'\n    examples:\n      match: ['badge EMP-123456']\n      nomatch: ['EMP-12345']\n`,
    );
    const policy = path.join(dir, 'policy.yaml');
    fs.writeFileSync(policy, 'version: 1\nmin_score: 0.5\ndefault_action: redact\nentities:\n  EMPLOYEE_ID: block\n');
    const r = await runVigil(['--data-dir', dir, 'scan', '--format', 'json', '--rules', rules, '--policy', policy], { input: 'owner EMP-004211' });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'block', findings: [{ type: 'EMPLOYEE_ID', rule: 'acme.employee-id' }] });
    const t = await runVigil(['rules', 'test', '--rules', rules, '--only-user']);
    expect(t.code, t.stdout).toBe(0);
    expect(t.stdout).toMatch(/rules: 1, examples: 2, passed: 2, failed: 0/);
  });

  it('refuses a bad policy file naming the file and the field', async () => {
    const dir = tempDir();
    const policy = path.join(dir, 'p.yaml');
    fs.writeFileSync(policy, 'version: 1\nmin_score: 2\ndefault_action: redact\n');
    const r = await runVigil(['--data-dir', dir, 'scan', '--policy', policy], { input: 'x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vigil: .*p\.yaml: min_score: /);
  });
});

describe('vigil rules test', () => {
  it('runs every example of every shipped rule, and all pass', async () => {
    const r = await runVigil(['rules', 'test']);
    const m = /rules: (\d+), examples: (\d+), passed: (\d+), failed: 0\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const [rules, examples, passed] = (m as RegExpExecArray).slice(1).map(Number) as [number, number, number];
    // Every shipped pack is there (a pack that failed to load would fail the command, not shrink it).
    expect(rules).toBeGreaterThanOrEqual(90);
    expect(passed).toBe(examples);
    expect(r.stdout).not.toMatch(/^WARN/m);
    expect(r.code, r.stdout).toBe(0);
  });
});
