import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry } from '../src/entry/index.js';
import { checkInclusion, decodeBase64, leafHash, parseCheckpoint, parseNote, verifyConsistency, verifyNote, parseVerifierKey } from '../src/tlog/index.js';
import { indexedSubjectLookup, shippedEngine, verifyBundle, writeBundle, type ExportOptions } from '../src/export/index.js';
import type { DlpEngine } from '../src/dlp/index.js';
import { ALICE, BOB, START, buildFixture, pseudonym, scanningLookup, scratch, type ExportFixture } from './support/export-fixture.js';

let fx: ExportFixture;
let out: { dir: string; dispose(): void };
let engine: DlpEngine;
let n = 0;

beforeAll(async () => {
  fx = await buildFixture();
  out = scratch();
  engine = shippedEngine();
});
afterAll(async () => {
  await fx.dispose();
  out.dispose();
});

async function bag(options: Partial<ExportOptions> & { profile: string }): Promise<string> {
  const dir = path.join(out.dir, `bag-${++n}`);
  await writeBundle(fx.ledger.storage, dir, { signer: fx.signer, exportedBy: 'auditor@test', dlp: engine, subjects: scanningLookup(fx.ledger.storage), ...options });
  return dir;
}

interface Line {
  index: number;
  role: string;
  leafHash: string;
  leaf: string;
  entry: Record<string, unknown>;
  payload: Record<string, unknown>;
}

function entries(dir: string): Line[] {
  return fs.readFileSync(path.join(dir, 'data/entries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
}

function read(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8');
}

/** Every file of a bag, recursively, relative. */
function files(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(dir, path.posix.join(rel, d.name)) : [path.posix.join(rel, d.name)])).sort();
}

describe('vigil export: the bag', () => {
  it('hipaa-audit: BagIt layout, exact leaf bytes, inclusion proofs against the signed checkpoint, key history', async () => {
    const dir = await bag({ profile: 'hipaa-audit' });
    expect(files(dir)).toEqual([
      'bag-info.txt', 'bagit.txt',
      'data/checkpoint.txt', 'data/disclosures.csv', 'data/dlp-summary.csv', 'data/entries.jsonl', 'data/erasures.csv', 'data/keys.txt', 'data/proofs.json', 'data/report.html',
      'manifest-sha512.txt', 'tagmanifest-sha512.txt', 'tagmanifest-sha512.txt.sig',
    ]);
    expect(read(dir, 'bagit.txt')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    const lines = entries(dir);
    const size = fx.ledger.size;
    expect(lines.map((l) => l.index)).toEqual(Array.from({ length: size }, (_, i) => i));
    const note = read(dir, 'data/checkpoint.txt');
    const cp = parseCheckpoint(parseNote(note).body);
    expect(cp.size).toBe(size);
    // signed by the key in force (the rotated one), which the first key leads to
    expect(() => verifyNote(note, [parseVerifierKey(fx.signer.verifierKey)])).not.toThrow();
    const proofs = JSON.parse(read(dir, 'data/proofs.json')) as { inclusion: Array<{ index: number; proof: string[] }>; keyChain: Array<{ index: number }> };
    for (const [k, line] of lines.entries()) {
      const leaf = decodeBase64(line.leaf);
      expect(Buffer.from(leaf).equals(Buffer.from(fx.ledger.readLeaf(line.index)))).toBe(true);
      expect(line.entry).toEqual(JSON.parse(Buffer.from(leaf).toString('utf8')));
      const p = proofs.inclusion[k] as { index: number; proof: string[] };
      expect(p.index).toBe(line.index);
      expect(checkInclusion(leafHash(leaf), line.index, size, p.proof.map((h) => decodeBase64(h)), cp.rootHash)).toEqual({ ok: true });
      expect(line.payload.state === 'omitted' || line.payload.state === 'erased').toBe(true);
    }
    expect(proofs.keyChain.map((l) => l.index)).toEqual([fx.idx.rotation]);
    expect(read(dir, 'data/keys.txt')).toContain(`initial ${fx.firstKey}\nrotation ${fx.idx.rotation} ${fx.signer.verifierKey}\n`);
    const info = read(dir, 'bag-info.txt');
    expect(info).toMatch(/^Vigil-Profile: hipaa-audit$/m);
    expect(info).toMatch(new RegExp(`^Vigil-Entries: ${size}$`, 'm'));
    expect(info).toMatch(/^Vigil-Exported-By: auditor@test$/m);
    expect(info).toMatch(/^Payload-Oxum: \d+\.8$/m);
    const report = verifyBundle(dir, fx.firstKey);
    expect(report.failure).toBeUndefined();
    expect(report).toMatchObject({ ok: true, size, profile: 'hipaa-audit', checkpoint: { size }, signers: [fx.firstKey, fx.signer.verifierKey], manifestSignedBy: fx.signer.verifierKey });
    expect(report.erasures).toEqual([{ index: fx.idx.alicePrompt, erasureIndex: fx.idx.erasure }]);
    // an auditor holding only the later key verifies the bag as well
    expect(verifyBundle(dir, fx.signer.verifierKey).ok).toBe(true);
    const csv = read(dir, 'data/erasures.csv').split('\r\n');
    expect(csv[0]).toBe('erasure_index,erased_at,basis,reason,actor,payloads_erased,exported_entries_erased');
    expect(csv[1]).toContain(`${fx.idx.erasure},`);
    expect(csv[1]).toContain('GDPR Art. 17(1)(a),data subject request #7,privacy-officer,1,' + fx.idx.alicePrompt);
  });

  it('gdpr-access: only the subject\'s entries (with the decisions of their responses), payloads DLP-redacted, the erased one reported', async () => {
    const dir = await bag({ profile: 'gdpr-access', filter: { subject: ALICE } });
    const lines = entries(dir);
    const aliceIndexes = scanningLookup(fx.ledger.storage).indexesFor(ALICE);
    const selected = lines.filter((l) => l.role === 'selected').map((l) => l.index);
    expect(selected).toEqual(aliceIndexes);
    for (const l of lines.filter((x) => x.role === 'selected')) expect((l.entry.subjects as string[]).includes(pseudonym(ALICE))).toBe(true);
    expect(lines.filter((l) => l.role === 'linked').map((l) => l.index)).toEqual([fx.idx.aliceDecision]);
    expect(lines.filter((l) => l.role === 'context').map((l) => l.index)).toEqual([fx.idx.erasure, fx.idx.rotation]);
    expect(lines.some((l) => l.index === fx.idx.bobResponse)).toBe(false);
    const erased = lines.find((l) => l.index === fx.idx.alicePrompt) as Line;
    expect(erased.payload).toEqual({ state: 'erased', erasureIndex: fx.idx.erasure });
    const response = lines.find((l) => l.index === fx.idx.aliceResponse) as Line;
    expect(response.payload).toMatchObject({ state: 'included', file: `payloads/${fx.idx.aliceResponse}.txt`, transform: 'dlp-redacted' });
    expect(response.payload.salt).toBeUndefined();
    const text = read(dir, `data/payloads/${fx.idx.aliceResponse}.txt`);
    expect(text).not.toContain('536-22-1234');
    expect(text).not.toContain(ALICE);
    const toolCall = JSON.parse(read(dir, `data/payloads/${lines.find((l) => l.entry.kind === 'tool_call')?.index}.json`)) as { tool: string; email: string };
    expect(toolCall.tool).toBe('crm.lookup');
    expect(toolCall.email).not.toBe(ALICE);
    // the identifier is written nowhere in the bag
    for (const f of files(dir)) expect(read(dir, f)).not.toContain(ALICE);
    const info = read(dir, 'bag-info.txt');
    expect(info).toMatch(/^Vigil-Payload-Transform: DLP-redacted by policy/m);
    expect(info).toMatch(/^Vigil-Scope-data-subject: one subject/m);
    const report = verifyBundle(dir, fx.firstKey);
    expect(report.failure).toBeUndefined();
    expect(report.entries).toEqual({ selected: aliceIndexes.length, linked: 1, context: 2 });
    expect(report.payloads).toMatchObject({ erased: 1, present: 5 });
    expect(report.payloads.redacted).toBeGreaterThanOrEqual(2);
    const disclosures = read(dir, 'data/disclosures.csv').split('\r\n');
    expect(disclosures).toHaveLength(3);
    expect(disclosures[1]).toContain(',customer-email,contact: EMAIL_ADDRESS (redact); identifier: US_SSN (redact),');
    expect(disclosures[1]).toContain(',support,redact,support-bot,');
  });

  it('gdpr-access finds the subject through the store\'s subject index as through a scan', async () => {
    const store = fx.ledger.storage;
    const indexed = indexedSubjectLookup(store, pseudonym);
    expect(indexed.indexesFor(ALICE)).toEqual(scanningLookup(store).indexesFor(ALICE));
    expect(indexed.indexesFor(BOB)).toEqual(scanningLookup(store).indexesFor(BOB));
    const dir = await bag({ profile: 'gdpr-access', filter: { subject: BOB }, subjects: indexed });
    expect(entries(dir).filter((l) => l.role !== 'context').map((l) => l.index)).toEqual([fx.idx.bobResponse, fx.idx.bobDecision, fx.ledger.size - 1]);
    expect(verifyBundle(dir, fx.firstKey).ok).toBe(true);
  });

  it('gdpr-access --raw-payloads: the content as stored, with salts, opened against the commitments', async () => {
    const dir = await bag({ profile: 'gdpr-access', filter: { subject: ALICE }, rawPayloads: true });
    const response = entries(dir).find((l) => l.index === fx.idx.aliceResponse) as Line;
    expect(response.payload).toMatchObject({ state: 'included', transform: 'raw' });
    expect(typeof response.payload.salt).toBe('string');
    expect(read(dir, `data/payloads/${fx.idx.aliceResponse}.txt`)).toBe(`Dear ${ALICE}, your SSN 536-22-1234 is on file.`);
    expect(read(dir, 'bag-info.txt')).toMatch(/^Vigil-Payload-Transform: RAW: unredacted content \(--raw-payloads\)/m);
    const report = verifyBundle(dir, fx.firstKey);
    expect(report.failure).toBeUndefined();
    expect(report.payloads.verified).toBe(report.payloads.present);
    expect(report.payloads.redacted).toBe(0);
  });

  it('refuses raw payloads for a profile that does not need them, and gdpr-access without a subject', async () => {
    await expect(bag({ profile: 'hipaa-audit', rawPayloads: true })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(bag({ profile: 'gdpr-access' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(bag({ profile: 'nope' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(bag({ profile: 'hipaa-audit', filter: { from: 'yesterday' } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('hipaa-disclosures: date, recipient, description of PHI and purpose of every released response; DLP summary by category and action', async () => {
    const dir = await bag({ profile: 'hipaa-disclosures' });
    const lines = entries(dir);
    expect(new Set(lines.filter((l) => l.role === 'selected').map((l) => l.entry.kind))).toEqual(new Set(['response', 'dlp_decision']));
    // decision records are in, redacted; responses themselves are not
    const decision = lines.find((l) => l.index === fx.idx.bobDecision) as Line;
    expect(decision.payload).toMatchObject({ state: 'included', file: `payloads/${fx.idx.bobDecision}.json` });
    expect((lines.find((l) => l.index === fx.idx.bobResponse) as Line).payload).toEqual({ state: 'omitted' });
    const rows = read(dir, 'data/disclosures.csv').trim().split('\r\n');
    expect(rows[0]).toBe('date,recipient,description_of_data,purpose,decision,agent,session,task,decision_index,response_index,policy');
    expect(rows).toHaveLength(3); // the blocked response went nowhere
    const bob = rows.find((r) => r.includes('referral-partner')) as string;
    expect(bob).toContain('health: MEDICAL_CONDITION (redact), MEDICAL_RECORD_NUMBER (redact)');
    expect(bob).toContain(',treatment,redact,triage-bot,s-3,t-triage,');
    expect(bob.startsWith(new Date(START).toISOString().slice(0, 10))).toBe(true);
    expect(bob.endsWith(`,${fx.idx.bobDecision},${fx.idx.bobResponse},default`)).toBe(true);
    const summary = read(dir, 'data/dlp-summary.csv');
    expect(summary).toContain('finding,health,MEDICAL_RECORD_NUMBER,redact,1\r\n');
    expect(summary).toContain('finding,secret,AWS_ACCESS_KEY,block,1\r\n');
    expect(summary).toContain('decision,,,block,1\r\n');
    expect(summary).toContain('decision,,,redact,2\r\n');
    expect(verifyBundle(dir, fx.firstKey).ok).toBe(true);
  });

  it('gdpr-records: processing by purpose and recipients in the report', async () => {
    const dir = await bag({ profile: 'gdpr-records' });
    const html = read(dir, 'data/report.html');
    expect(html).toContain('GDPR Art. 30');
    expect(html).toContain('<td>treatment</td><td class="n">4</td>');
    expect(html).toContain('<td>support</td><td class="n">2</td>');
    expect(html).toContain('referral-partner');
    expect(html).not.toMatch(/<script|src=|href="http/i);
    expect(verifyBundle(dir, fx.firstKey).ok).toBe(true);
  });

  it('filters by time, agent, session, task and kind', async () => {
    const all = Array.from({ length: fx.ledger.size }, (_, i) => decodeEntry(fx.ledger.readLeaf(i)));
    const from = new Date(START + 3 * 60_000).toISOString();
    const to = new Date(START + 8 * 60_000).toISOString();
    const cases: Array<[ExportOptions['filter'], (e: (typeof all)[number]) => boolean]> = [
      [{ from, to }, (e) => e.ts >= from && e.ts < to],
      [{ agent: 'triage-bot' }, (e) => e.agent === 'triage-bot'],
      [{ session: 's-2', kinds: ['prompt', 'tool_call'] }, (e) => e.session === 's-2' && (e.kind === 'prompt' || e.kind === 'tool_call')],
      [{ task: 't-triage', from: '2026-03-01' }, (e) => e.task === 't-triage'],
    ];
    for (const [filter, keep] of cases) {
      const dir = await bag({ profile: 'hipaa-audit', filter });
      const selected = entries(dir).filter((l) => l.role === 'selected').map((l) => l.index);
      expect(selected).toEqual(all.filter(keep).map((e) => e.index));
      expect(selected.length).toBeGreaterThan(0);
      expect(verifyBundle(dir, fx.firstKey).ok).toBe(true);
    }
  });

  it('--since-checkpoint: proves the ledger extends a previous export\'s checkpoint', async () => {
    const first = await bag({ profile: 'hipaa-audit', filter: { agent: 'triage-bot' } });
    const earlier = read(first, 'data/checkpoint.txt');
    await fx.ledger.append({ kind: 'prompt', agent: 'support-bot', payload: 'later' });
    const dir = await bag({ profile: 'hipaa-audit', filter: { agent: 'triage-bot' }, sinceCheckpoint: earlier });
    const proofs = JSON.parse(read(dir, 'data/proofs.json')) as { consistency: { note: string; size: number; proof: string[] } };
    const a = parseCheckpoint(parseNote(earlier).body);
    const b = parseCheckpoint(parseNote(read(dir, 'data/checkpoint.txt')).body);
    expect(b.size).toBe(a.size + 1);
    expect(verifyConsistency(a.size, b.size, proofs.consistency.proof.map((h) => decodeBase64(h)), a.rootHash, b.rootHash)).toBe(true);
    const report = verifyBundle(dir, fx.firstKey, { previousCheckpoint: earlier });
    expect(report.failure).toBeUndefined();
    expect(report.consistency).toEqual({ fromSize: a.size, consistent: true });
    expect(read(dir, 'data/report.html')).toContain(`consistent with the earlier checkpoint of size ${a.size}`);
    // pinned to another checkpoint: the bag does not prove that one
    const other = fx.ledger.latestCheckpoint() as string;
    expect(verifyBundle(dir, fx.firstKey, { previousCheckpoint: other }).failure?.code).toBe('CONSISTENCY_INVALID');
    expect(verifyBundle(first, fx.firstKey, { previousCheckpoint: earlier }).failure?.code).toBe('CONSISTENCY_INVALID');
    // a checkpoint from another ledger is refused at export
    await expect(bag({ profile: 'hipaa-audit', sinceCheckpoint: earlier.replace(/^test/, 'other') })).rejects.toMatchObject({ code: 'INVALID_CHECKPOINT' });
  });

  it('an unrelated key verifies nothing', async () => {
    const dir = await bag({ profile: 'hipaa-audit', filter: { agent: 'triage-bot' } });
    const stranger = 'stranger.example/log+' + (await import('../src/tlog/index.js')).keyIdFor('stranger.example/log', 1, new Uint8Array(32).fill(7)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '') + '+' + Buffer.concat([Buffer.of(1), Buffer.alloc(32, 7)]).toString('base64');
    const report = verifyBundle(dir, stranger);
    expect(report.ok).toBe(false);
    // the first thing the stranger's key cannot vouch for is the checkpoint that introduced the second key
    expect(report.failure?.code).toBe('KEY_CHAIN_INVALID');
    expect(report.failure?.index).toBe(fx.idx.rotation);
  });
});
