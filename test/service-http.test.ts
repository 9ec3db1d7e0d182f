/**
 * The HTTP service as a platform team and an auditor meet it: a real server on a free port, a real SQLite
 * file in a temporary data directory, real DLP workers, real signatures. Access boundaries, event
 * recording, the filter, proofs, robustness and logs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/service/config.js';
import { startService, ADMIN_TOKEN_FILE, type RunningService } from '../src/service/server.js';
import { buildRoutes } from '../src/service/app.js';
import { openApiPath } from '../src/service/openapi.js';
import { loadSubjectKey, subjectPseudonym } from '../src/subjects/index.js';
import { decodeBase64, parseCheckpoint, parseVerifierKey, verifyConsistency, verifyInclusion, verifyNote } from '../src/tlog/index.js';

let dir: string;
let service: RunningService;
let admin: string;
/** a checkpoint saved early on, as an auditor would keep one */
let earlyCheckpoint = '';
const logLines: string[] = [];

// Response bodies are read field by field in the assertions; their schemas are tested through the OpenAPI document.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(method: string, route: string, options: { token?: string; body?: unknown; raw?: string; type?: string } = {}): Promise<{ status: number; json: any; text: string; type: string }> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.type ?? 'application/json';
  const res = await fetch(`${service.url}${route}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
}

async function mint(request: Record<string, unknown>): Promise<{ id: string; token: string }> {
  const r = await call('POST', '/v1/tokens', { token: admin, body: request });
  expect(r.status).toBe(201);
  return r.json as { id: string; token: string };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-http-'));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  service = await startService({ ...defaultConfig(dir), port: 0, dlpWorkers: 1, bodyLimitBytes: 64 * 1024, logLevel: 'info' }, { logger: pino({ level: 'info' }, sink) });
  admin = fs.readFileSync(path.join(dir, ADMIN_TOKEN_FILE), 'utf8').trim();
  expect(service.firstAdminToken).toBe(admin);
  expect(fs.statSync(path.join(dir, ADMIN_TOKEN_FILE)).mode & 0o777).toBe(0o600);
}, 120_000);

afterAll(async () => {
  await service?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const event = (agent: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ kind: 'prompt', agent, payload: 'hello', ...extra });

describe('access: every call authenticated, least privilege', () => {
  it('answers 401 without a token, with a malformed one and with an unknown one', async () => {
    for (const token of [undefined, 'nonsense', `vigil_0000000000000000_${'A'.repeat(43)}`]) {
      const r = await call('POST', '/v1/events', { token, body: event('a') });
      expect(r.status).toBe(401);
      expect(r.json.error).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(typeof r.json.error.message).toBe('string');
    }
  });

  it('answers 403 for the wrong scope, another agent and a task outside the token', async () => {
    const auditor = await mint({ scopes: ['auditor'] });
    expect((await call('POST', '/v1/events', { token: auditor.token, body: event('a') })).json.error.code).toBe('FORBIDDEN');
    const agent = await mint({ scopes: ['agent'], agent: 'billing-bot', task: 'refunds', ttlSeconds: 600 });
    expect((await call('GET', '/v1/entries', { token: agent.token })).status).toBe(403);
    const other = await call('POST', '/v1/events', { token: agent.token, body: event('other-bot', { task: 'refunds' }) });
    expect(other.status).toBe(403);
    expect(other.json.error.code).toBe('FORBIDDEN');
    const task = await call('POST', '/v1/events', { token: agent.token, body: event('billing-bot', { task: 'payroll' }) });
    expect(task.status).toBe(403);
    const ok = await call('POST', '/v1/events', { token: agent.token, body: event('billing-bot', { task: 'refunds' }) });
    expect(ok.status).toBe(201);
    expect((await call('POST', '/v1/tokens', { token: agent.token, body: { scopes: ['admin'] } })).status).toBe(403);
  });

  it('answers 401 once a token has expired or been revoked, and records minting and revoking', async () => {
    const short = await mint({ scopes: ['agent'], ttlSeconds: 1 });
    expect((await call('POST', '/v1/events', { token: short.token, body: event('a') })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await call('POST', '/v1/events', { token: short.token, body: event('a') });
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe('TOKEN_EXPIRED');
    const t = await mint({ scopes: ['agent'] });
    expect((await call('DELETE', `/v1/tokens/${t.id}`, { token: admin })).status).toBe(204);
    const revoked = await call('POST', '/v1/events', { token: t.token, body: event('a') });
    expect(revoked.status).toBe(401);
    expect(revoked.json.error.code).toBe('TOKEN_REVOKED');
    const auditor = await mint({ scopes: ['auditor'] });
    const entries = (await call('GET', `/v1/entries?start=0&limit=1000`, { token: auditor.token })).json.entries as Array<{ kind: string; meta?: { action?: string; token?: string } }>;
    const access = entries.filter((e) => e.kind === 'access');
    expect(access.some((e) => e.meta?.action === 'token_minted' && e.meta.token === t.id)).toBe(true);
    expect(access.some((e) => e.meta?.action === 'token_revoked' && e.meta.token === t.id)).toBe(true);
  });
});

describe('recording events', () => {
  it('records one event and writes the token id as its credential', async () => {
    const agent = await mint({ scopes: ['agent'], agent: 'rec-bot' });
    const r = await call('POST', '/v1/events', { token: agent.token, body: { kind: 'tool_call', agent: 'rec-bot', session: 's1', meta: { tool: 'search' }, payload: { q: 'x' } } });
    expect(r.status).toBe(201);
    const auditor = await mint({ scopes: ['auditor'] });
    const page = await call('GET', `/v1/entries?start=${r.json.receipt.index}&limit=1`, { token: auditor.token });
    expect(page.json.entries[0]).toMatchObject({ index: r.json.receipt.index, kind: 'tool_call', agent: 'rec-bot', session: 's1', credential: agent.id });
    const payload = await call('GET', `/v1/entries/${r.json.receipt.index}/payload`, { token: auditor.token });
    expect(payload.text).toBe('{"q":"x"}');
    earlyCheckpoint = (await call('GET', '/v1/checkpoint')).text;
  });

  it('indexes the data subjects a recorded payload or a filtered response names, as pseudonyms only', async () => {
    const agent = await mint({ scopes: ['agent'] });
    const auditor = await mint({ scopes: ['auditor'] });
    const key = loadSubjectKey(dir) as Uint8Array;
    expect(key).toBeDefined();
    const email = 'maria.lopez@clinic.example';
    const one = await call('POST', '/v1/events', { token: agent.token, body: event('idx-bot', { kind: 'tool_result', payload: { patient: 'Maria Lopez', contact: email, phone: '415-555-0188' } }) });
    const batch = await call('POST', '/v1/events/batch', { token: agent.token, body: [event('idx-bot', { payload: 'nothing personal here' }), event('idx-bot', { payload: `write to ${email}` })] });
    const filtered = await call('POST', '/v1/filter', { token: agent.token, body: { agent: 'idx-bot', content: `Sent to ${email}.` } });
    const indexes = [one.json.receipt.index, ...batch.json.receipts.map((r: { index: number }) => r.index), filtered.json.receipt.index];
    const entries = await Promise.all(indexes.map(async (i) => (await call('GET', `/v1/entries?start=${i}&limit=1`, { token: auditor.token })).json.entries[0] as { subjects?: string[]; leaf: string }));
    const mail = subjectPseudonym(key, email);
    expect(entries[0]?.subjects).toEqual(expect.arrayContaining([mail, subjectPseudonym(key, '(415) 555-0188')]));
    expect(entries[1]?.subjects).toBeUndefined();
    expect(entries[2]?.subjects).toEqual([mail]);
    expect(entries[3]?.subjects).toEqual([mail]); // the decision entry names the subject too
    for (const e of entries) expect(Buffer.from(e.leaf, 'base64').toString('utf8')).not.toContain('maria');
    expect(service.ledger.entriesForSubject(mail)).toEqual(expect.arrayContaining([indexes[0], indexes[2], indexes[3]]));
  });

  it('records a batch in order, as a JSON array or NDJSON, and records nothing when one event is invalid', async () => {
    const agent = await mint({ scopes: ['agent'] });
    const events = [event('b1'), event('b2', { kind: 'response' }), event('b3', { kind: 'tool_result' })];
    const r = await call('POST', '/v1/events/batch', { token: agent.token, body: events });
    expect(r.status).toBe(201);
    const indexes = (r.json.receipts as Array<{ index: number }>).map((x) => x.index);
    expect(indexes).toEqual([indexes[0], (indexes[0] as number) + 1, (indexes[0] as number) + 2]);
    const nd = await call('POST', '/v1/events/batch', { token: agent.token, raw: events.map((e) => JSON.stringify(e)).join('\n'), type: 'application/x-ndjson' });
    expect(nd.status).toBe(201);
    expect(nd.json.receipts).toHaveLength(3);
    const before = service.ledger.size;
    const bad = await call('POST', '/v1/events/batch', { token: agent.token, body: [event('ok'), { ...event('bad'), kind: 'erasure' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('$[1].kind');
    expect(service.ledger.size).toBe(before);
  });
});

describe('the outbound filter', () => {
  it('redacts, records the original and the decision (without raw values), and returns the receipt', async () => {
    const agent = await mint({ scopes: ['agent'], agent: 'support-bot' });
    const ssn = '536-22-1234';
    const r = await call('POST', '/v1/filter', { token: agent.token, body: { agent: 'support-bot', content: `Your SSN is ${ssn}.`, purpose: 'support' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ decision: 'redact', output: 'Your SSN is [US_SSN].' });
    expect(r.json.findings[0]).toMatchObject({ type: 'US_SSN', rule: 'national-us.ssn', action: 'redact' });
    const auditor = await mint({ scopes: ['auditor'] });
    const decision = await call('GET', `/v1/entries/${r.json.receipt.index}/payload`, { token: auditor.token });
    expect(decision.text).not.toContain(ssn);
    const parsed = JSON.parse(decision.text) as { filter: string; decision: string; purpose: string };
    expect(parsed).toMatchObject({ decision: 'redact', purpose: 'support' });
    // The original response is the entry with the same filter id (appended in the same commit).
    const near = await call('GET', `/v1/entries?start=${Math.max(0, r.json.receipt.index - 5)}&limit=10`, { token: auditor.token });
    const response = (near.json.entries as Array<{ index: number; kind: string; meta?: { filter?: string } }>).find((e) => e.kind === 'response' && e.meta?.filter === parsed.filter);
    expect(response).toBeDefined();
    const original = await call('GET', `/v1/entries/${response?.index}/payload`, { token: auditor.token });
    expect(original.text).toBe(`Your SSN is ${ssn}.`);
  });

  it('blocks with output null, and keeps JSON content JSON', async () => {
    const agent = await mint({ scopes: ['agent'] });
    const blocked = await call('POST', '/v1/filter', { token: agent.token, body: { agent: 'x', content: 'key AKIAIOSFODNN7EXAMPLE' } });
    expect(blocked.status).toBe(200);
    expect(blocked.json).toMatchObject({ decision: 'block', output: null });
    const json = await call('POST', '/v1/filter', { token: agent.token, body: { agent: 'x', content: { note: 'mail jane.doe@corp.example', n: 3 } } });
    expect(json.json.output).toEqual({ note: 'mail [EMAIL_ADDRESS]', n: 3 });
    const policy = await call('POST', '/v1/filter', { token: agent.token, body: { agent: 'x', content: 'hi', policy: 'no-such-policy' } });
    expect(policy.status).toBe(400);
  });
});

describe('proofs for an outside auditor', () => {
  it('serves a signed checkpoint and inclusion and consistency proofs that verify', async () => {
    const cp = await call('GET', '/v1/checkpoint');
    expect(cp.type).toContain('text/plain');
    const key = parseVerifierKey(service.ledger.verifierKey as string);
    const checkpoint = parseCheckpoint(verifyNote(cp.text, [key]).body);
    const size = checkpoint.size;
    const incl = await call('GET', `/v1/proof/inclusion?index=${size - 1}&size=${size}`);
    expect(incl.json).toMatchObject({ index: size - 1, treeSize: size });
    expect(verifyInclusion(decodeBase64(incl.json.leafHash), size - 1, size, (incl.json.proof as string[]).map((p) => decodeBase64(p)), checkpoint.rootHash)).toBe(true);
    // The log grew since the auditor saved a checkpoint: the consistency proof shows it only grew.
    const early = parseCheckpoint(verifyNote(earlyCheckpoint, [key]).body);
    expect(early.size).toBeLessThan(size);
    const cons = await call('GET', `/v1/proof/consistency?from=${early.size}&to=${size}`);
    expect(cons.json).toMatchObject({ from: early.size, to: size });
    const proof = (cons.json.proof as string[]).map((p) => decodeBase64(p));
    expect(verifyConsistency(early.size, size, proof, early.rootHash, checkpoint.rootHash)).toBe(true);
    expect(verifyConsistency(early.size, size, proof, checkpoint.rootHash, checkpoint.rootHash)).toBe(false);
    const bad = await call('GET', `/v1/proof/inclusion?index=${size + 5}&size=${size}`);
    expect(bad.status).toBe(400);
    expect((await call('GET', '/v1/proof/inclusion?index=abc')).status).toBe(400);
  });

  it('answers 410 for an erased payload and says which entry erased it', async () => {
    const agent = await mint({ scopes: ['agent'] });
    const r = await call('POST', '/v1/events', { token: agent.token, body: event('erase-me') });
    const erasure = await service.ledger.erase({ indexes: [r.json.receipt.index], reason: 'test', basis: 'GDPR Art. 17(1)(a)', actor: 'test' });
    const auditor = await mint({ scopes: ['auditor'] });
    const gone = await call('GET', `/v1/entries/${r.json.receipt.index}/payload`, { token: auditor.token });
    expect(gone.status).toBe(410);
    expect(gone.json.error).toMatchObject({ code: 'PAYLOAD_ERASED', details: { erasureIndex: erasure.index } });
  });
});

describe('robustness', () => {
  it('answers 413 for a body over the limit, 400 naming where for malformed JSON, unknown fields and deep nesting', async () => {
    const agent = await mint({ scopes: ['agent'] });
    const big = await call('POST', '/v1/events', { token: agent.token, body: event('a', { payload: 'x'.repeat(70 * 1024) }) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    const malformed = await call('POST', '/v1/events', { token: agent.token, raw: '{"kind": "prompt",\n "agent": }' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toMatch(/line 2, column \d+/);
    const unknown = await call('POST', '/v1/events', { token: agent.token, body: { ...event('a'), surprise: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('INVALID_INPUT');
    const deep = await call('POST', '/v1/events', { token: agent.token, raw: `{"kind":"prompt","agent":"a","payload":${'['.repeat(5000)}${']'.repeat(5000)}}` });
    expect(deep.status).toBe(400);
    expect(deep.json.error.message).toContain('nesting');
    expect((await call('GET', '/no/such/route')).status).toBe(404);
    expect((await call('GET', '/healthz')).json).toEqual({ status: 'ok' });
    expect((await call('GET', '/readyz')).status).toBe(200);
  });
});

describe('the API description and metrics', () => {
  it('lists every route in the OpenAPI document, and nothing else', async () => {
    const doc = (await call('GET', '/v1/openapi.json')).json as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort();
    const mounted = buildRoutes({} as never).map((r) => `${r.method} ${openApiPath(r.path)}`).sort();
    expect(documented).toEqual(mounted);
    for (const line of mounted) {
      // Each documented route is mounted: a call reaches it, not the fallback for unknown routes.
      const [method, p] = line.split(' ') as [string, string];
      const probe = await call(method.toUpperCase(), p.replace(/\{[^}]+\}/g, '0'));
      expect(probe.json?.error?.message, line).not.toBe('no such route');
    }
  });

  it('exports Prometheus metrics with bounded labels', async () => {
    const m = await call('GET', '/metrics');
    expect(m.text).toMatch(/vigil_http_requests_total\{route="\/v1\/events",method="POST",status="201"\} \d+/);
    expect(m.text).toMatch(/vigil_dlp_decisions_total\{decision="redact"\} \d+/);
    expect(m.text).toContain('vigil_http_request_duration_seconds_bucket');
    // The ledger's own group commits: as many entries as the ledger holds were committed in some batch.
    const committed = Number(/^vigil_ledger_commit_batch_entries_sum (\d+)$/m.exec(m.text)?.[1]);
    expect(committed).toBe(service.ledger.size);
    expect(Number(/^vigil_ledger_commit_seconds_count (\d+)$/m.exec(m.text)?.[1])).toBeGreaterThan(0);
    expect(m.text).toMatch(/^vigil_append_request_entries_count \d+$/m);
  });
});

describe('logs', () => {
  it('never carry payloads, content, finding values, tokens or authorization headers', async () => {
    const secrets = ['536-22-1234', 'AKIAIOSFODNN7EXAMPLE', 'jane.doe@corp.example', 'hunter2-Secret!'];
    const agent = await mint({ scopes: ['agent'] });
    for (const s of secrets) {
      await call('POST', '/v1/events', { token: agent.token, body: event('log-bot', { payload: s, meta: { note: s } }) });
      await call('POST', '/v1/events/batch', { token: agent.token, body: [event('log-bot', { payload: s })] });
      await call('POST', '/v1/filter', { token: agent.token, body: { agent: 'log-bot', content: `value ${s}` } });
      await call('POST', '/v1/filter/stream?agent=log-bot', { token: agent.token, raw: `data: {"choices":[{"delta":{"content":"value ${s}"}}]}\n\n`, type: 'text/event-stream' });
      await call('POST', '/v1/events', { token: agent.token, raw: `{"kind":"prompt","agent":"log-bot","payload":"${s}",}` });
      await call('GET', `/v1/proof/inclusion?index=${s}`);
    }
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of [...secrets, admin, agent.token, agent.token.slice('vigil_'.length + 17) /* the secret part (base64url may hold '_') */]) expect(logs).not.toContain(s);
    expect(logs.toLowerCase()).not.toContain('authorization');
  });
});
