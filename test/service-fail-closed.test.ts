/**
 * Fail closed through HTTP: when the DLP stage runs out of time or the ledger cannot commit, the caller gets
 * a 503 with no output and no receipt, never the raw text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/service/config.js';
import { startService, type RunningService } from '../src/service/server.js';

let dir: string;
let service: RunningService;
let agent: string;

async function post(route: string, body: unknown): Promise<{ status: number; body: { error?: { code: string }; output?: unknown; receipt?: unknown } }> {
  const res = await fetch(`${service.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-failclosed-'));
  service = await startService({ ...defaultConfig(dir), port: 0, dlpWorkers: 1, dlpTimeBudgetMs: 1, bodyLimitBytes: 4 * 1024 * 1024 }, { logger: pino({ level: 'silent' }) });
  agent = service.tokens.mint({ scopes: ['agent'] }).token;
}, 120_000);

afterAll(async () => {
  await service?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('fail closed', () => {
  it('answers 503 with no output when the DLP scan runs out of its budget', async () => {
    const secret = 'SSN 536-22-1234';
    const content = `${'Patient record 48213377 admitted on 2026-11-26; follow-up pending. '.repeat(30_000)}${secret}`;
    const r = await post('/v1/filter', { agent: 'a', content });
    expect(r.status).toBe(503);
    expect(r.body.error?.code).toBe('DLP_TIMEOUT');
    expect(r.body.output).toBeUndefined();
    expect(r.body.receipt).toBeUndefined();
    expect(JSON.stringify(r.body)).not.toContain('536-22-1234');
  });

  it('ends a stream with an error event and no decision or receipt when its scans run out of their budget', async () => {
    const secret = 'SSN 536-22-1234';
    const content = `${'Patient record 48213377 admitted on 2026-11-26; follow-up pending. '.repeat(30_000)}${secret}`;
    const res = await fetch(`${service.url}/v1/filter/stream?agent=a`, { method: 'POST', headers: { authorization: `Bearer ${agent}`, 'content-type': 'text/plain' }, body: content });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toMatch(/event: error\ndata: \{"error":\{"code":"DLP_TIMEOUT"/);
    expect(body).not.toContain('event: end');
    expect(body).not.toContain('receipt');
    expect(body).not.toContain('536-22-1234');
  });

  it('records no event whose payload could not be scanned for data subjects in time', async () => {
    const before = service.ledger.size;
    const payload = 'Patient record 48213377 admitted on 2026-11-26; follow-up pending. '.repeat(10_000);
    const r = await post('/v1/events', { kind: 'tool_result', agent: 'a', payload });
    expect(r.status).toBe(503);
    expect(r.body.error?.code).toBe('DLP_TIMEOUT');
    expect(r.body.receipt).toBeUndefined();
    expect(service.ledger.size).toBe(before);
  });

  it('answers 503 and hands out no receipt when the ledger cannot commit', async () => {
    await service.ledger.close();
    const event = await post('/v1/events', { kind: 'prompt', agent: 'a', payload: 'hello' });
    expect(event.status).toBe(503);
    expect(event.body.receipt).toBeUndefined();
    expect(event.body.error?.code).toMatch(/^LEDGER_/);
    const filtered = await post('/v1/filter', { agent: 'a', content: 'nothing to see' });
    expect(filtered.status).toBe(503);
    expect(filtered.body.output).toBeUndefined();
    expect(filtered.body.error?.code).toMatch(/^LEDGER_/);
    // The streaming filter refuses before it starts: an unrecorded stream must not be released.
    const stream = await fetch(`${service.url}/v1/filter/stream?agent=a`, { method: 'POST', headers: { authorization: `Bearer ${agent}`, 'content-type': 'text/plain' }, body: 'nothing to see' });
    expect(stream.status).toBe(503);
    expect(((await stream.json()) as { error: { code: string } }).error.code).toBe('NOT_READY');
  });
});
