/**
 * The privacy officer's and the auditor's routes through real HTTP: erasure by data subject (admin), evidence
 * exports streamed as .tar.gz (auditor) that verify offline, and the payload salt that lets an auditor check
 * a payload against its commitment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry } from '../src/entry/index.js';
import { verifyBundleAt } from '../src/export/index.js';
import { defaultConfig } from '../src/service/config.js';
import { startService, ADMIN_TOKEN_FILE, type RunningService } from '../src/service/server.js';
import { sha256Base64 } from '../src/tlog/index.js';

let dir: string;
let service: RunningService;
let admin: string;
let agent: string;
let auditor: string;
const email = 'rosa.parks@patients.example';

async function post(route: string, token: string, body: unknown): Promise<Response> {
  return fetch(`${service.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function mint(request: Record<string, unknown>): Promise<string> {
  return ((await (await post('/v1/tokens', admin, request)).json()) as { token: string }).token;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-privacy-http-'));
  service = await startService({ ...defaultConfig(dir), port: 0, dlpWorkers: 1, logLevel: 'silent' });
  admin = fs.readFileSync(path.join(dir, ADMIN_TOKEN_FILE), 'utf8').trim();
  agent = await mint({ scopes: ['agent'] });
  auditor = await mint({ scopes: ['auditor'] });
  for (let i = 0; i < 3; i++) await post('/v1/events', agent, { kind: 'tool_result', agent: 'care-bot', session: `s${i}`, payload: { note: `appointment ${i} confirmed for ${email}` } });
  await post('/v1/events', agent, { kind: 'prompt', agent: 'care-bot', payload: 'what is the weather' });
  await post('/v1/filter', agent, { agent: 'care-bot', content: `Reminder sent to ${email}.`, destination: 'email-gateway', purpose: 'appointment reminders' });
}, 120_000);

afterAll(async () => {
  await service?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('payloads for auditors', () => {
  it('come with their salt, so they can be checked against their commitment', async () => {
    const res = await fetch(`${service.url}/v1/entries/0/payload`, { headers: { authorization: `Bearer ${auditor}` } });
    const body = new Uint8Array(await res.arrayBuffer());
    const salt = Buffer.from(res.headers.get('vigil-payload-salt') ?? '', 'base64');
    expect(salt.length).toBe(32);
    const entry = decodeEntry(service.ledger.readLeaf(0));
    expect(sha256Base64(new Uint8Array([...salt, ...body]))).toBe(entry.payload.commitment);
  });
});

describe('POST /v1/exports', () => {
  it("streams a gdpr-access bag of one subject's entries that verifies offline, and records the export without the identifier", async () => {
    const res = await post('/v1/exports', auditor, { profile: 'gdpr-access', subject: email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/gzip/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="vigil-export-gdpr-access-.*\.tar\.gz"$/);
    const file = path.join(dir, 'bag.tar.gz');
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const report = await verifyBundleAt(file, service.ledger.stat().verifierKey as string);
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    // three events, the filtered response and its decision name the subject; the weather prompt does not
    expect(report.entries.selected).toBe(5);
    const last = decodeEntry(service.ledger.readLeaf(service.ledger.size - 1));
    expect(last).toMatchObject({ kind: 'access', meta: { action: 'export', profile: 'gdpr-access', subject: true } });
    expect(JSON.stringify(last)).not.toContain('rosa');
  });

  it('refuses agents (403), bad profiles (400 naming the field), and a narrowed token asking for another agent (403)', async () => {
    expect((await post('/v1/exports', agent, { profile: 'hipaa-audit' })).status).toBe(403);
    const bad = await post('/v1/exports', auditor, { profile: 'everything' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { path: string } } }).error.details.path).toBe('$.profile');
    const narrow = await mint({ scopes: ['auditor'], agent: 'care-bot' });
    expect((await post('/v1/exports', narrow, { profile: 'hipaa-audit', agent: 'other-bot' })).status).toBe(403);
    const missing = await post('/v1/exports', auditor, { profile: 'gdpr-access' });
    expect(missing.status).toBe(400);
  });
});

describe('POST /v1/erasures', () => {
  it("erases a subject's payloads for an admin only; the payloads answer 410 and the ledger records why", async () => {
    expect((await post('/v1/erasures', auditor, { subject: email, reason: 'DSR-1', basis: 'GDPR Art. 17(1)(a)' })).status).toBe(403);
    const both = await post('/v1/erasures', admin, { subject: email, indexes: [0], reason: 'DSR-1', basis: 'GDPR Art. 17(1)(a)' });
    expect(both.status).toBe(400);
    const res = await post('/v1/erasures', admin, { subject: email, reason: 'DSR-1', basis: 'GDPR Art. 17(1)(a)' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { matched: number[]; erased: number[]; erasureEntries: Array<{ index: number }> };
    expect(body.erased).toHaveLength(5);
    const erasureIndex = body.erasureEntries[0]?.index as number;
    const gone = await fetch(`${service.url}/v1/entries/${body.erased[0]}/payload`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { error: { details: { erasureIndex: number } } }).error.details.erasureIndex).toBe(erasureIndex);
    expect(decodeEntry(service.ledger.readLeaf(erasureIndex)).meta).toMatchObject({ reason: 'DSR-1', basis: 'GDPR Art. 17(1)(a)', actor: expect.stringMatching(/^token /) });
    const again = await post('/v1/erasures', admin, { subject: email, reason: 'DSR-1', basis: 'GDPR Art. 17(1)(a)' });
    expect(((await again.json()) as { erased: number[] }).erased).toEqual([]);
  });
});
