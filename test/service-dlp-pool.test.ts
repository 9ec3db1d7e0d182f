import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlpEngine, DlpStream, defaultPolicyFile, loadPolicy, loadRuleSet, shippedRulesDir } from '../src/dlp/index.js';
import { DlpPool } from '../src/service/dlp-pool.js';
import { subjectPseudonym } from '../src/subjects/index.js';

const key = new Uint8Array(32).fill(3);
const texts = [
  'Patient Jane Roe, MRN 48213377, was admitted with pneumonia.',
  'Card on file: 4111 1111 1111 1111, exp 07/27.',
  '{"tool":"crm.update","args":{"email":"li.wei@corp.example","note":"call back"}}',
  'Deployed version 4.17.29 at 2026-11-26T10:00:00Z; 12 pods healthy.',
  'SSN 702 - 261 - 742 as requested.',
];

describe('the DLP worker pool', () => {
  let pool: DlpPool;
  beforeAll(async () => {
    pool = new DlpPool({ rulesDirs: [shippedRulesDir()], policyFile: defaultPolicyFile(), pseudonymKey: key, timeBudgetMs: 5000, size: 2 });
    await pool.ready();
  }, 60_000);
  afterAll(async () => {
    await pool.close();
  });

  it('gives exactly what an engine in this thread gives, for many scans at once', async () => {
    const engine = new DlpEngine({ rules: loadRuleSet([shippedRulesDir()]), policy: loadPolicy(defaultPolicyFile()), pseudonymKey: key, timeBudgetMs: 5000 });
    const many = Array.from({ length: 40 }, (_, i) => texts[i % texts.length] as string);
    const results = await Promise.all(many.map((t) => pool.scan(t)));
    results.forEach((r, i) => expect(r).toEqual(engine.scan(many[i] as string)));
    expect(new Set(results.map((r) => r.decision))).toEqual(new Set(['redact', 'block', 'allow']));
  });

  it('runs stream filter steps: each extends the last, and the whole is what a stream in this thread releases', async () => {
    const engine = new DlpEngine({ rules: loadRuleSet([shippedRulesDir()]), policy: loadPolicy(defaultPolicyFile()), pseudonymKey: key, timeBudgetMs: 5000 });
    const text = `${'The shipment left the depot on time. '.repeat(40)}Reach li.wei@corp.example or SSN 536-22-1234. ${'All good. '.repeat(40)}`;
    const local = new DlpStream(engine, { minStep: 0 });
    let localOut = '';
    let released = '';
    for (let at = 0; at < text.length; at += 97) {
      const upTo = text.slice(0, Math.min(text.length, at + 97));
      localOut += local.push(text.slice(at, at + 97));
      const step = await pool.streamStep(upTo, released);
      expect(step.blocked).toBe(false);
      expect(step.released.startsWith(released)).toBe(true);
      released = step.released;
    }
    expect(released.length).toBeGreaterThan(1000);
    const end = await pool.streamFinish(text, released);
    localOut += local.end().text;
    expect(released + end.text).toBe(localOut);
    expect(released + end.text).toBe(engine.scan(text, { json: false }).output);
    expect(localOut).not.toContain('536-22-1234');
  });

  it('names the subjects of many payloads in one job: each scan has a scan\'s budget, not the whole job', async () => {
    const subjectKey = new Uint8Array(32).fill(9);
    const small = new DlpPool({ rulesDirs: [shippedRulesDir()], policyFile: defaultPolicyFile(), pseudonymKey: key, timeBudgetMs: 150, size: 1, subjectKey });
    await small.ready();
    try {
      const texts = Array.from({ length: 120 }, (_, i) => `${'Routine update on the shipment schedule and the depot. '.repeat(30)} Contact li.wei${i}@corp.example today.`);
      // 120 texts of ~1.7 KB take longer than 150 ms together on this machine; each takes a few ms.
      const lists = await small.subjectsOf(texts);
      expect(Array.isArray(lists), JSON.stringify(lists).slice(0, 200)).toBe(true);
      (lists as string[][]).forEach((l, i) => expect(l).toContain(subjectPseudonym(subjectKey, `li.wei${i}@corp.example`)));
    } finally {
      await small.close();
    }
  }, 60_000);

  it('passes the destination to the policy', async () => {
    const r = await pool.scan('Reach me at li.wei@corp.example', { destination: 'internal-tools' });
    expect(r.decision).not.toBe('block');
  });

  it('fails closed when the budget runs out, in the queue or in the scan', async () => {
    const tight = new DlpPool({ rulesDirs: [shippedRulesDir()], policyFile: defaultPolicyFile(), pseudonymKey: key, timeBudgetMs: 1, size: 1, nlp: false });
    await tight.ready();
    const big = 'Patient record 48213377 admitted. '.repeat(40_000);
    const results = await Promise.all([tight.scan(big), tight.scan(big), tight.scan('short')]);
    for (const r of results.slice(0, 2)) {
      expect(r).toMatchObject({ decision: 'block', output: null, error: { code: 'DLP_TIMEOUT' } });
    }
    await tight.close();
    expect(await tight.scan('after close')).toMatchObject({ decision: 'block', output: null });
  }, 60_000);
});
