/**
 * POST /v1/filter/stream through real HTTP: streamed text or SSE in, SSE out, the DLP steps in the worker
 * pool, one ledger record per response. A value split across chunks never leaks, and the released text
 * is exactly what /v1/filter releases for the whole text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/service/config.js';
import { startService, ADMIN_TOKEN_FILE, type RunningService } from '../src/service/server.js';
import { eventText } from '../src/service/filter-stream.js';

let dir: string;
let service: RunningService;
let agentToken: string;
let auditorToken: string;

interface StreamAnswer {
  status: number;
  type: string;
  events: Array<{ event: string; data: Record<string, unknown> }>;
  /** the released text: every `text` event, in order */
  released: string;
  body: string;
}

/** Opens a stream to the filter; `feed` writes the request body chunk by chunk and may wait on the answer. */
async function stream(
  query: string,
  feed: (write: (chunk: string) => void, answer: { events: StreamAnswer['events'] }) => Promise<void>,
  options: { type?: string; token?: string } = {},
): Promise<StreamAnswer> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const events: StreamAnswer['events'] = [];
  const request = fetch(`${service.url}/v1/filter/stream?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.token ?? agentToken}`, 'content-type': options.type ?? 'text/event-stream' },
    body,
    duplex: 'half',
  } as RequestInit);
  const feeding = feed((chunk) => controller.enqueue(encoder.encode(chunk)), { events }).then(() => controller.close());
  const res = await request;
  let text = '';
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event ?? 'message', data: JSON.parse(e.data) as Record<string, unknown> }) });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = (await reader?.read()) ?? { done: true, value: undefined };
    if (done) break;
    const piece = decoder.decode(value, { stream: true });
    text += piece;
    parser.feed(piece);
  }
  await feeding.catch(() => undefined);
  const released = events.filter((e) => e.event === 'text').map((e) => e.data.text as string).join('');
  return { status: res.status, type: res.headers.get('content-type') ?? '', events, released, body: text };
}

const sseChunk = (content: string): string => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function wholeFilter(content: string): Promise<{ decision: string; output: string | null }> {
  const res = await fetch(`${service.url}/v1/filter`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agent: 'stream-bot', content }),
  });
  return (await res.json()) as { decision: string; output: string | null };
}

async function mint(request: Record<string, unknown>, admin: string): Promise<string> {
  const res = await fetch(`${service.url}/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(request) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-stream-'));
  service = await startService({ ...defaultConfig(dir), port: 0, dlpWorkers: 1, bodyLimitBytes: 64 * 1024, logLevel: 'warn' });
  const admin = fs.readFileSync(path.join(dir, ADMIN_TOKEN_FILE), 'utf8').trim();
  agentToken = await mint({ scopes: ['agent'], agent: 'stream-bot' }, admin);
  auditorToken = await mint({ scopes: ['auditor'] }, admin);
}, 120_000);

afterAll(async () => {
  await service?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const prose = (words: number, seed: string): string => Array.from({ length: words }, (_, i) => `${seed}${i % 7 === 0 ? '.' : ''}`).join(' ');

describe('the streaming filter', () => {
  it('releases filtered text before the input ends, never a split value, and exactly what /v1/filter releases', async () => {
    const ssn = '536-22-1234';
    const email = 'jane.doe@corp.example';
    const head = `${prose(300, 'the order shipped')} Her SSN is ${ssn} and `;
    const tail = `you can mail ${email} for the rest. ${prose(200, 'thanks for waiting')}`;
    let releasedBeforeTail = '';
    const answer = await stream('agent=stream-bot&purpose=support', async (write, seen) => {
      write(': an SSE comment line is ignored\n\n');
      write(sseChunk('')); // a role chunk without text
      // The SSN split into single characters, each its own event; an event split between two writes.
      for (const c of head) write(sseChunk(c));
      const split = sseChunk(tail.slice(0, 40));
      write(split.slice(0, 9));
      await tick(5);
      write(split.slice(9));
      // Wait until something has been released: the filter does not wait for the end of the stream.
      for (let i = 0; i < 500 && !seen.events.some((e) => e.event === 'text'); i++) await tick(10);
      releasedBeforeTail = seen.events.filter((e) => e.event === 'text').map((e) => e.data.text as string).join('');
      for (const c of tail.slice(40)) write(sseChunk(c));
      write('data: [DONE]\n\n');
      write(sseChunk('ignored after DONE'));
    });
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^text\/event-stream/);
    expect(releasedBeforeTail.length).toBeGreaterThan(0);
    expect(answer.released.startsWith(releasedBeforeTail)).toBe(true);
    const whole = await wholeFilter(head + tail);
    expect(whole.decision).toBe('redact');
    expect(answer.released).toBe(whole.output);
    expect(answer.released).not.toContain(ssn);
    expect(answer.released).not.toContain(email);
    expect(answer.released).not.toContain('ignored after DONE');
    const end = answer.events.at(-1);
    expect(end?.event).toBe('end');
    expect(end?.data).toMatchObject({ decision: 'redact', released: (whole.output as string).length });
    const types = (end?.data.findings as Array<{ type: string }>).map((f) => f.type);
    expect(types).toEqual(expect.arrayContaining(['US_SSN', 'EMAIL_ADDRESS']));
    expect(JSON.stringify(end?.data)).not.toContain(ssn);

    // One record for the whole response: its original text, and its decision entry, both once.
    const receipt = end?.data.receipt as { index: number };
    const near = await fetch(`${service.url}/v1/entries?start=${Math.max(0, receipt.index - 4)}&limit=8`, { headers: { authorization: `Bearer ${auditorToken}` } });
    const entries = ((await near.json()) as { entries: Array<{ index: number; kind: string; meta?: Record<string, unknown> }> }).entries;
    const decision = entries.find((e) => e.index === receipt.index);
    expect(decision).toMatchObject({ kind: 'dlp_decision', meta: { stream: true, decision: 'redact', released: (whole.output as string).length } });
    const responses = entries.filter((e) => e.kind === 'response' && e.meta?.filter === decision?.meta?.filter);
    expect(responses).toHaveLength(1);
    const original = await fetch(`${service.url}/v1/entries/${responses[0]?.index}/payload`, { headers: { authorization: `Bearer ${auditorToken}` } });
    expect(await original.text()).toBe(head + tail);
  });

  it('takes a plain text stream split inside multi-byte characters', async () => {
    const text = `Grüße — 日本語 ${prose(80, 'ok')} call +1 415 555 0132 today`;
    const bytes = Buffer.from(text, 'utf8');
    const res = await fetch(`${service.url}/v1/filter/stream?agent=stream-bot`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'text/plain; charset=utf-8' },
      body: new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += 3) c.enqueue(bytes.subarray(i, i + 3));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    const body = await res.text();
    const released = [...body.matchAll(/^event: text\ndata: (.*)$/gm)].map((m) => (JSON.parse(m[1] as string) as { text: string }).text).join('');
    const whole = await wholeFilter(text);
    expect(released).toBe(whole.output);
    expect(released).toContain('Grüße — 日本語');
    expect(body).toMatch(/event: end\n/);
  });

  it('stops releasing at a secret and ends with a block; what went out before is filtered text without it', async () => {
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const before = prose(400, 'safe words');
    const answer = await stream('agent=stream-bot', async (write) => {
      for (let i = 0; i < before.length; i += 50) write(sseChunk(before.slice(i, i + 50)));
      write(sseChunk(` the key is ${key.slice(0, 7)}`));
      write(sseChunk(`${key.slice(7)} and more text after it `));
      write(sseChunk(prose(100, 'after')));
    });
    expect(answer.status).toBe(200);
    const end = answer.events.at(-1);
    expect(end).toMatchObject({ event: 'end', data: { decision: 'block' } });
    expect(answer.released).not.toContain(key.slice(0, 7));
    expect(before.startsWith(answer.released)).toBe(true);
    expect(answer.released).not.toContain('after');
  });

  it('refuses before streaming: 401 without a token, 403 for another agent, 400 naming a bad query field, 415 for other media', async () => {
    const url = `${service.url}/v1/filter/stream`;
    const noToken = await fetch(`${url}?agent=stream-bot`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const other = await fetch(`${url}?agent=other-bot`, { method: 'POST', headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'text/plain' }, body: 'hi' });
    expect(other.status).toBe(403);
    const unknown = await fetch(`${url}?agent=stream-bot&colour=red`, { method: 'POST', headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'text/plain' }, body: 'hi' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/^query/);
    const missing = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'text/plain' }, body: 'hi' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { details: { path: string } } }).error.details.path).toBe('query.agent');
    const json = await fetch(`${url}?agent=stream-bot`, { method: 'POST', headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('ends with an error event, and releases nothing more, when the stream grows past the size limit', async () => {
    const answer = await stream(
      'agent=stream-bot',
      async (write) => {
        for (let i = 0; i < 200; i++) write(`${prose(200, 'x')} `);
      },
      { type: 'text/plain' },
    );
    expect(answer.status).toBe(200);
    const last = answer.events.at(-1);
    expect(last).toMatchObject({ event: 'error', data: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect(answer.events.some((e) => e.event === 'end')).toBe(false);
  });
});

describe('reading input events', () => {
  it('takes text from OpenAI chat and completion chunks, Anthropic deltas and plain data, and ends at [DONE]', () => {
    expect(eventText('{"choices":[{"delta":{"content":"a"}}]}')).toBe('a');
    expect(eventText('{"choices":[{"delta":{"role":"assistant"}}]}')).toBe('');
    expect(eventText('{"choices":[{"text":"b"}]}')).toBe('b');
    expect(eventText('{"type":"content_block_delta","delta":{"type":"text_delta","text":"c"}}')).toBe('c');
    expect(eventText('plain words')).toBe('plain words');
    expect(eventText('{not json')).toBe('{not json');
    expect(eventText('[DONE]')).toBe('done');
  });
});
