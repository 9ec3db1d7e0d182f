/**
 * A small ledger for the export tests: several kinds, agents, sessions and tasks; filtered responses with
 * their DLP decisions (one blocked); entries about two data subjects (their `subjects` set directly); an
 * erased payload with its erasure entry; a key rotation in the middle. Timestamps advance one minute per
 * commit so that time filters can be tested.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ledger, LedgerStore, generateKey, type AppendContext } from '../../src/ledger/index.js';
import { decodeEntry, parseAppendRequest } from '../../src/entry/index.js';
import type { NoteSigner } from '../../src/tlog/index.js';
import type { SubjectLookup } from '../../src/export/index.js';

export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.org';
/** Test stand-in for the subject module's keyed pseudonym. */
export const pseudonym = (identifier: string): string => `subj-${Buffer.from(identifier).toString('hex').slice(0, 16)}`;
export const START = Date.parse('2026-03-01T09:00:00.000Z');

export interface ExportFixture {
  dataDir: string;
  ledger: Ledger;
  firstKey: string;
  signer: NoteSigner;
  /** closes the ledger and removes its folder */
  dispose(): Promise<void>;
  /** indexes by role in the story */
  idx: {
    alicePrompt: number;
    aliceResponse: number;
    aliceDecision: number;
    bobResponse: number;
    bobDecision: number;
    blockedResponse: number;
    blockedDecision: number;
    erasure: number;
    rotation: number;
    aliceLate: number;
  };
}

export async function buildFixture(): Promise<ExportFixture> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-export-test-'));
  const first = generateKey(dataDir, 'test.example/ledger');
  let clock = START;
  const ledger = Ledger.open({ dataDir, commitWindowMs: 1, now: () => clock });
  const tick = (): void => {
    clock += 60_000;
  };
  const append = async (req: Record<string, unknown>, ctx: AppendContext = {}): Promise<number> => {
    const r = await ledger.append(parseAppendRequest(req), ctx);
    tick();
    return r.index;
  };
  const filtered = async (who: { agent: string; session?: string; task?: string }, content: string, decision: string, findings: Array<{ type: string; category: string; action: string }>, destination: string, purpose: string, ctx: AppendContext = {}): Promise<[number, number]> => {
    const filter = randomUUID();
    const payload = {
      filter,
      decision,
      findings: findings.map((f, k) => ({ ...f, start: k, end: k + 1, score: 0.9, rule: `rule.${f.type.toLowerCase()}`, fingerprint: null })),
      policy: 'default',
      destination,
      purpose,
    };
    const [a, b] = await Promise.all([
      ledger.append(parseAppendRequest({ kind: 'response', ...who, meta: { filter }, payload: content }), ctx),
      ledger.append(parseAppendRequest({ kind: 'dlp_decision', ...who, meta: { filter, decision }, payload }), {}),
    ]);
    tick();
    return [a.index, b.index];
  };
  const alice = { subjects: [pseudonym(ALICE)] };
  const bob = { subjects: [pseudonym(BOB)] };

  await append({ kind: 'prompt', agent: 'support-bot', session: 's-1', task: 't-billing', payload: 'What is my balance?' });
  const alicePrompt = await append({ kind: 'prompt', agent: 'support-bot', session: 's-2', task: 't-billing', payload: `Hi, I am ${ALICE}, SSN 536-22-1234.` }, alice);
  await append({ kind: 'tool_call', agent: 'support-bot', session: 's-2', task: 't-billing', payload: { tool: 'crm.lookup', email: ALICE } }, alice);
  await append({ kind: 'tool_result', agent: 'support-bot', session: 's-2', task: 't-billing', payload: { balance: 12.5, note: 'patient diabetes follow-up' } }, alice);
  const [aliceResponse, aliceDecision] = await filtered(
    { agent: 'support-bot', session: 's-2', task: 't-billing' },
    `Dear ${ALICE}, your SSN 536-22-1234 is on file.`,
    'redact',
    [{ type: 'US_SSN', category: 'identifier', action: 'redact' }, { type: 'EMAIL_ADDRESS', category: 'contact', action: 'redact' }],
    'customer-email',
    'support',
    alice,
  );
  await append({ kind: 'prompt', agent: 'triage-bot', session: 's-3', task: 't-triage', payload: 'Patient reports chest pain' });
  const [bobResponse, bobDecision] = await filtered(
    { agent: 'triage-bot', session: 's-3', task: 't-triage' },
    `Forwarding to ${BOB}: MRN 12345678, diagnosis hypertension.`,
    'redact',
    [{ type: 'MEDICAL_RECORD_NUMBER', category: 'health', action: 'redact' }, { type: 'MEDICAL_CONDITION', category: 'health', action: 'redact' }],
    'referral-partner',
    'treatment',
    bob,
  );
  const [blockedResponse, blockedDecision] = await filtered(
    { agent: 'triage-bot', session: 's-3', task: 't-triage' },
    'AWS key AKIAIOSFODNN7EXAMPLE',
    'block',
    [{ type: 'AWS_ACCESS_KEY', category: 'secret', action: 'block' }],
    'external',
    'treatment',
  );
  const erasure = (await ledger.erase({ indexes: [alicePrompt], reason: 'data subject request #7', basis: 'GDPR Art. 17(1)(a)', actor: 'privacy-officer' })).index;
  tick();
  const next = generateKey(dataDir, 'test.example/ledger');
  const rotation = (await ledger.rotateKey(next)).index;
  tick();
  await append({ kind: 'prompt', agent: 'support-bot', session: 's-4', task: 't-billing', payload: 'Thanks!' });
  const aliceLate = await append({ kind: 'prompt', agent: 'support-bot', session: 's-4', task: 't-billing', payload: `Please mail ${ALICE} a copy.` }, alice);
  await append({ kind: 'tool_call', agent: 'triage-bot', session: 's-5', task: 't-triage', payload: { tool: 'ehr.read' } }, bob);
  return {
    dataDir,
    ledger,
    firstKey: first.verifierKey,
    signer: next,
    dispose: async () => {
      await ledger.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    idx: { alicePrompt, aliceResponse, aliceDecision, bobResponse, bobDecision, blockedResponse, blockedDecision, erasure, rotation, aliceLate },
  };
}

/** The tests' subject lookup: a scan of the decoded entries (the real path uses the store's index). */
export function scanningLookup(store: LedgerStore): SubjectLookup {
  return {
    indexesFor(identifier: string): number[] {
      const p = pseudonym(identifier);
      const out: number[] = [];
      for (const { index, leaf } of store.iterateLeavesChunked()) if (decodeEntry(leaf).subjects?.includes(p)) out.push(index);
      return out;
    },
  };
}

/** A fresh temporary folder for bags, and its removal. */
export function scratch(): { dir: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bag-test-'));
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
