/**
 * Erasure by data subject and retention: payloads and salts go, an erasure entry says why and on what
 * basis, and the ledger still verifies with those payloads reported erased. Both are idempotent. The CLI
 * commands as a privacy officer runs them (real processes on a real data directory).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyLedger } from '../src/audit/index.js';
import { decodeEntry, parseAppendRequest } from '../src/entry/index.js';
import { Ledger, generateKey, storeEvidence } from '../src/ledger/index.js';
import { addPeriod, eraseSubject, loadRetentionPolicy, runRetention, defaultRetentionPolicyFile } from '../src/privacy/index.js';
import { loadOrCreateSubjectKey, subjectPseudonym } from '../src/subjects/index.js';
import { newLedger, request } from './support/ledger-fixture.js';
import { runVigil } from './support/vigil-process.js';

const DAY = 86_400_000;
const order = { reason: 'data subject request DSR-2026-114', basis: 'GDPR Art. 17(1)(a)', actor: 'privacy-officer' };

describe('erasure by data subject', () => {
  it("erases the subject's payloads, records why, still verifies, and does nothing the second time", async () => {
    const { ledger, dataDir, vkey } = newLedger();
    const key = loadOrCreateSubjectKey(dataDir);
    const jane = subjectPseudonym(key, 'jane.roe@example.com');
    const other = subjectPseudonym(key, 'li.wei@example.com');
    for (let i = 0; i < 10; i++) await ledger.append(parseAppendRequest(request(i)), { subjects: i % 2 === 0 ? [jane] : [other] });
    const outcome = await eraseSubject(ledger, key, 'JANE.ROE@example.com', order);
    expect(outcome.matched).toEqual([0, 2, 4, 6, 8]);
    expect(outcome.erased).toEqual([0, 2, 4, 6, 8]);
    expect(outcome.receipts).toHaveLength(1);
    const erasure = decodeEntry(ledger.readLeaf(outcome.receipts[0]?.index as number));
    expect(erasure).toMatchObject({ kind: 'erasure', subjects: [jane], meta: { indexes: [0, 2, 4, 6, 8], ...order } });
    expect(JSON.stringify(erasure)).not.toContain('jane');
    expect(ledger.readPayload(2)).toEqual({ state: 'erased', erasureIndex: 10 });
    expect(ledger.readPayload(3).state).toBe('present');
    const report = verifyLedger(storeEvidence(ledger.storage), { trustedKey: vkey });
    expect(report.ok).toBe(true);
    expect(report.payloads.erased).toBe(5);
    const again = await eraseSubject(ledger, key, 'jane.roe@example.com', order);
    expect(again).toMatchObject({ erased: [], receipts: [] });
    expect(again.matched).toEqual([0, 2, 4, 6, 8, 10]); // the erasure entry names the subject too
    expect(ledger.size).toBe(11);
    await ledger.close();
  });

  it('refuses a reason, basis or actor that carries the identifier (the erasure entry is permanent)', async () => {
    const { ledger, dataDir } = newLedger();
    const key = loadOrCreateSubjectKey(dataDir);
    await expect(eraseSubject(ledger, key, '536-22-1234', { ...order, reason: 'request about SSN 536 22 1234' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { path: 'reason' } });
    await expect(eraseSubject(ledger, key, 'Jane Roe', { ...order, actor: 'jane roe herself' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { path: 'actor' } });
    await ledger.close();
  });
});

describe('retention', () => {
  it('erases payloads past the longest period that applies to them, and only those, once', async () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    let clock = now - 3 * 365 * DAY;
    const { ledger, vkey } = newLedger({ now: () => clock });
    const policy = loadRetentionPolicy();
    const at = async (ms: number, fields: Record<string, unknown>): Promise<number> => {
      clock = ms;
      return (await ledger.append(parseAppendRequest({ agent: 'care-bot', payload: 'x', kind: 'prompt', ...fields }))).index;
    };
    const threeYears = now - 3 * 365 * DAY;
    const sevenMonths = now - 212 * DAY;
    const oldPrompt = await at(threeYears, {});
    // A filtered response with health data, and its decision: six years for both.
    const healthResponse = await at(threeYears, { kind: 'response', meta: { filter: 'f-1' } });
    const healthDecision = await at(threeYears, { kind: 'dlp_decision', meta: { filter: 'f-1' }, payload: { findings: [{ type: 'HEALTH_CONDITION', category: 'health' }] } });
    const plainResponse = await at(threeYears, { kind: 'response', meta: { filter: 'f-2' } });
    const plainDecision = await at(threeYears, { kind: 'dlp_decision', meta: { filter: 'f-2' }, payload: { findings: [] } });
    const recentPrompt = await at(sevenMonths, {});
    const recentDecision = await at(sevenMonths, { kind: 'dlp_decision', meta: { filter: 'f-3' }, payload: { findings: [] } });
    const freshPrompt = await at(now - 10 * DAY, {});

    const dry = await runRetention(ledger, policy, now, { dryRun: true });
    expect(dry.erased).toEqual([oldPrompt, plainResponse, plainDecision, recentPrompt]);
    expect(ledger.readPayload(oldPrompt).state).toBe('present');
    const sizeBefore = ledger.size;

    const run = await runRetention(ledger, policy, now);
    expect(run.erased).toEqual([oldPrompt, plainResponse, plainDecision, recentPrompt]);
    for (const kept of [healthResponse, healthDecision, recentDecision, freshPrompt]) expect(ledger.readPayload(kept).state).toBe('present');
    const erasure = decodeEntry(ledger.readLeaf(run.receipts[0]?.index as number));
    expect(erasure.meta).toMatchObject({ actor: 'vigil retention', basis: policy.basis, reason: expect.stringContaining(policy.name) });
    expect(ledger.size).toBe(sizeBefore + 1);

    const second = await runRetention(ledger, policy, now);
    expect(second.erased).toEqual([]);
    expect(ledger.size).toBe(sizeBefore + 1);
    expect(verifyLedger(storeEvidence(ledger.storage), { trustedKey: vkey }).ok).toBe(true);
    await ledger.close();
  });

  it('adds periods on the calendar, and rejects a policy naming where it is wrong', () => {
    const jan31 = Date.parse('2026-01-31T00:00:00Z');
    expect(new Date(addPeriod(jan31, { text: 'P1M', years: 0, months: 1, days: 0 })).toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(new Date(addPeriod(jan31, { text: 'P6Y', years: 6, months: 0, days: 0 })).toISOString()).toBe('2032-01-31T00:00:00.000Z');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-retention-'));
    const file = path.join(dir, 'p.yaml');
    fs.writeFileSync(file, fs.readFileSync(defaultRetentionPolicyFile(), 'utf8').replace('health: P6Y', 'health: six years'));
    expect(() => loadRetentionPolicy(file)).toThrow(/\$\.categories\.health: must be an ISO 8601 duration/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('the privacy commands', () => {
  it('find a subject, erase them, and run retention from the command line; a second writer is refused', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-privacy-cli-'));
    try {
      generateKey(dataDir, 'example.org/privacy');
      const key = loadOrCreateSubjectKey(dataDir);
      const ledger = Ledger.open({ dataDir, commitWindowMs: 1 });
      for (let i = 0; i < 4; i++) await ledger.append(parseAppendRequest(request(i)), { subjects: [subjectPseudonym(key, i < 2 ? '+1 415 555 0132' : 'someone@example.com')] });
      // While a writer holds the ledger, the CLI's erase is refused with one plain line.
      const locked = await runVigil(['--data-dir', dataDir, 'erase', '--subject', '415-555-0132', '--reason', 'r', '--basis', 'b']);
      expect(locked.code, locked.stderr).toBe(3);
      expect(locked.stderr).toMatch(/^vigil: the ledger in .* is open for writing by process \d+/);
      await ledger.close();

      const found = await runVigil(['--data-dir', dataDir, 'subjects', 'find', '(415) 555-0132', '--json']);
      expect(found.code).toBe(0);
      const rows = found.stdout.trim().split('\n').map((l) => JSON.parse(l) as { index: number; payload: string });
      expect(rows.map((r) => r.index)).toEqual([0, 1]);
      expect(rows.every((r) => r.payload === 'present')).toBe(true);

      const erased = await runVigil(['--data-dir', dataDir, 'erase', '--subject', '415.555.0132', '--reason', 'DSR-7', '--basis', 'GDPR Art. 17(1)(a)', '--json']);
      expect(erased.code, erased.stderr).toBe(0);
      expect(JSON.parse(erased.stdout)).toEqual({ matched: [0, 1], erased: [0, 1], erasureEntries: [4] });
      const after = await runVigil(['--data-dir', dataDir, 'subjects', 'find', '4155550132']);
      expect(after.stdout).toContain('payload erased by 4');

      const retention = await runVigil(['--data-dir', dataDir, 'retention', 'run', '--dry-run', '--json']);
      expect(retention.code, retention.stderr).toBe(0);
      expect(JSON.parse(retention.stdout)).toMatchObject({ policy: 'default-retention', erased: [], dryRun: true });
      const bad = await runVigil(['--data-dir', dataDir, 'subjects', 'find', '--', '---']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^vigil: [^\n]+\n$/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
