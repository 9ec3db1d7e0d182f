/**
 * `vigil verify --url`: a running service verified through its API only, as an outside auditor does.
 *
 * Two kinds of servers, both real HTTP on a free port of this process:
 * - the real service (`startService`: DLP workers, config, tokens, the ledger) for what the service itself
 *   decides: tokens and scopes, payloads and erasures, pins while it keeps recording, a tampered file it was
 *   started on;
 * - for the table of tamper cases, one server per tampered ledger built from the service's own Express app
 *   (`createApp`: the real routes, authentication, Ledger and token store) without the DLP worker pool,
 *   which no route an auditor reads touches: starting twelve DLP pools would cost a minute.
 * Every tampering must fail with exit code 1 and the reason --db gives.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/service/config.js';
import { startService, type RunningService } from '../src/service/server.js';
import { createApp } from '../src/service/app.js';
import type { DlpPool } from '../src/service/dlp-pool.js';
import { ServiceMetrics } from '../src/service/metrics.js';
import { TokenStore } from '../src/service/tokens.js';
import { Ledger, generateKey } from '../src/ledger/index.js';
import {
  KEY_NAME,
  SIZE,
  buildLedger,
  buildRotatedLedger,
  expectOneErrorLine,
  flipAgentByte,
  freshLedger,
  realSigner,
  request,
  rewrittenLedger,
  tamper,
  tamperCases,
  tempDir,
  verifyJson,
  vigilInProcess,
  vigilProcess,
  type Built,
  type TamperCase,
} from './support/verify-helpers.js';

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  // A failed assertion must not leave a server running.
  for (const close of closers.splice(0)) await close().catch(() => undefined);
});

interface Served {
  url: string;
  /** an auditor token */
  token: string;
  close: () => Promise<void>;
}

/** The service's Express app over the ledger in `dataDir`, without DLP workers; an auditor token minted for it. */
async function serveApp(dataDir: string): Promise<Served> {
  const ledger = Ledger.open({ dataDir });
  const tokens = new TokenStore(dataDir);
  const token = tokens.mint({ scopes: ['auditor'], ttlSeconds: 600 }).token;
  const app = createApp({
    ledger,
    dlp: {} as DlpPool,
    tokens,
    metrics: new ServiceMetrics(),
    logger: pino({ level: 'silent' }),
    policyName: 'default',
    bodyLimitBytes: 1 << 20,
    dlpReady: () => true,
  });
  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ledger.close();
    tokens.close();
  };
  closers.push(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token, close };
}

/** The real service on a data directory (an existing ledger, or none). */
async function serveReal(dataDir: string): Promise<RunningService & { auditor: string; agent: string }> {
  const service = await startService({ ...defaultConfig(dataDir), port: 0, dlpWorkers: 1, logLevel: 'silent' }, { logger: pino({ level: 'silent' }) });
  closers.push(() => service.close());
  const auditor = service.tokens.mint({ scopes: ['auditor'], ttlSeconds: 600 }).token;
  const agent = service.tokens.mint({ scopes: ['agent'], ttlSeconds: 600 }).token;
  return { ...service, auditor, agent };
}

async function verifyUrl(served: { url: string; token?: string }, vkey: string, ...extra: string[]): ReturnType<typeof verifyJson> {
  return verifyJson(['--url', served.url, '--key', vkey, ...(served.token === undefined ? [] : ['--token', served.token]), ...extra]);
}

async function record(service: RunningService & { agent: string }, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${service.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service.agent}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'tool_call', agent: 'url-test', payload: { call: i } }),
    });
    expect(r.status).toBe(201);
  }
}

describe('vigil verify --url against the real service', () => {
  let built: Built;
  let service: RunningService & { auditor: string; agent: string };

  beforeAll(async () => {
    // A ledger with an erased payload, then served and recorded into by the real service.
    built = await buildLedger({ then: (l) => l.erase({ indexes: [2], reason: 'data subject request', basis: 'GDPR Art. 17(1)(a)', actor: 'dpo' }) });
    service = await serveReal(built.dataDir);
    await record(service, 3);
  }, 120_000);

  it('verifies every entry through the API: exit 0, the same figures as the file, payloads over HTTP with --payloads', async () => {
    const r = await verifyUrl({ url: service.url, token: service.auditor }, built.vkey, '--payloads');
    expect(r.code, JSON.stringify(r.json)).toBe(0);
    const size = service.ledger.size;
    expect(r.json).toMatchObject({
      ok: true,
      source: { type: 'url', url: service.url },
      mode: 'full',
      entriesChecked: size,
      treeSize: size,
      checkpoints: { verified: 1, latestSize: size },
      signers: [built.vkey],
      payloads: { checked: true, present: size - 1, erased: 1, by: 'commitment' },
      erasures: [{ index: 2, erasureIndex: SIZE }],
      failure: null,
    });
    // The root is the one the service's checkpoint signs.
    const checkpoint = await (await fetch(`${service.url}/v1/checkpoint`)).text();
    expect(checkpoint.split('\n')[2]).toBe(r.json.root);
  });

  it('as a real process, with the token from VIGIL_TOKEN: exit 0, nothing on stderr', async () => {
    const r = await vigilProcess(['verify', '--url', service.url, '--key', built.vkey, '--json'], { VIGIL_TOKEN: service.auditor });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, entriesChecked: service.ledger.size });
  });

  it.each([
    { what: 'no token', token: undefined, says: /401 UNAUTHENTICATED.*give an auditor token with --token or VIGIL_TOKEN/ },
    { what: 'a wrong token', token: `vigil_0000000000000000_${'A'.repeat(43)}`, says: /the service refused the token \(401/ },
    { what: 'a token without the auditor scope', token: 'agent', says: /403 FORBIDDEN.*needs the auditor scope/ },
  ])('$what: exit 2 and one plain line', async ({ token, says }) => {
    const r = await vigilInProcess(['verify', '--url', service.url, '--key', built.vkey, ...(token === undefined ? [] : ['--token', token === 'agent' ? service.agent : token])]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneErrorLine(r.stderr);
    expect(r.stderr).toMatch(says);
  });

  it('a service that cannot be reached: exit 2 and one plain line', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await vigilInProcess(['verify', '--url', `http://127.0.0.1:${port}`, '--key', built.vkey]);
    expect(r.code).toBe(2);
    expectOneErrorLine(r.stderr);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    const bad = await vigilInProcess(['verify', '--url', 'ftp://example.org', '--key', built.vkey]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an http or https URL/);
  });

  it('--update-pin pins the served checkpoint on first use; after more recording the log still extends it', async () => {
    const pinFile = path.join(tempDir(), 'service.pin');
    const first = await verifyUrl({ url: service.url, token: service.auditor }, built.vkey, '--pin', pinFile, '--update-pin');
    expect(first.code).toBe(0);
    expect(first.json.pin).toMatchObject({ firstUse: true, updatedTo: first.json.treeSize });
    expect(fs.readFileSync(pinFile, 'utf8')).toBe(await (await fetch(`${service.url}/v1/checkpoint`)).text());
    await record(service, 2);
    const later = await verifyUrl({ url: service.url, token: service.auditor }, built.vkey, '--pin', pinFile, '--update-pin');
    expect(later.code).toBe(0);
    expect(later.json.pin).toMatchObject({ firstUse: false, size: first.json.treeSize, consistent: true, updatedTo: first.json.treeSize + 2 });
    // Range mode checks the pin with a consistency proof from the service.
    const range = await verifyUrl({ url: service.url, token: service.auditor }, built.vkey, '--from', '0', '--to', '4', '--pin', pinFile);
    expect(range.code).toBe(0);
    expect(range.json.pin).toMatchObject({ consistent: true });
  });

  it('range mode fetches inclusion proofs; with --payloads it checks the payloads of the range', async () => {
    const r = await verifyUrl({ url: service.url, token: service.auditor }, built.vkey, '--from', '1', '--to', '6', '--payloads');
    expect(r.code, JSON.stringify(r.json.failure)).toBe(0);
    expect(r.json).toMatchObject({ mode: 'range', range: { from: 1, to: 6 }, entriesChecked: 6, payloads: { checked: true, present: 5, erased: 1, by: 'commitment' }, erasures: [{ index: 2, erasureIndex: SIZE }] });
  });
});

describe('vigil verify --url on a file tampered with before the real service started on it', () => {
  it('a byte flipped in a leaf: CHAIN_BROKEN at the next entry, exit 1', async () => {
    const built = await freshLedger();
    flipAgentByte(built.file, 5);
    const service = await serveReal(built.dataDir);
    const r = await verifyUrl({ url: service.url, token: service.auditor }, built.vkey);
    expect(r.code).toBe(1);
    expect(r.json.failure).toMatchObject({ code: 'CHAIN_BROKEN', index: 6 });
    await service.close();
  }, 120_000);
});

/** The shared cases as they are over HTTP (checkpoint cases on the latest checkpoint, the only one published), and those only --url has. */
const URL_CASES: TamperCase[] = [
  ...tamperCases(SIZE).map(({ url, ...shared }) => ({ ...shared, ...url })),
  {
    what: 'the checkpoint with a wrong size, signed with the right key',
    change: ({ file, dataDir, checkpointAt }) => {
      const root = checkpointAt(SIZE).split('\n')[2] as string;
      tamper(file, (db) => db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(realSigner(dataDir).sign(`${KEY_NAME}\n19\n${root}\n`), SIZE));
    },
    code: 'CHECKPOINT_ROOT_MISMATCH',
    checkpointSize: 19,
  },
  {
    what: 'a replaced payload (--payloads)',
    change: ({ file }) => tamper(file, (db) => db.prepare('UPDATE payloads SET body = ? WHERE idx = 8').run(Buffer.from('a replaced payload, longer than the original'))),
    extra: ['--payloads'],
    code: 'PAYLOAD_MISMATCH',
    index: 8,
  },
  { what: 'range mode: a byte flipped in a leaf of the range', change: ({ file }) => flipAgentByte(file, 5), extra: ['--from', '2', '--to', '9'], code: 'INCLUSION_FAILED', index: 5 },
];

describe.concurrent('vigil verify --url detects tampering: exit 1 and the right reason', () => {
  it.each(URL_CASES)('$what: $code', async ({ change, extra, code, index, checkpointSize }) => {
    const built = await freshLedger();
    change(built);
    const served = await serveApp(built.dataDir);
    try {
      const r = await verifyUrl(served, built.vkey, ...(extra ?? []));
      expect(r.code, r.stderr).toBe(1);
      expect(r.json.ok).toBe(false);
      expect(r.json.failure).toMatchObject({ code });
      if (index !== undefined) expect(r.json.failure.index).toBe(index);
      if (checkpointSize !== undefined) expect(r.json.failure.checkpointSize).toBe(checkpointSize);
    } finally {
      await served.close();
    }
  });

  it('history rewritten and signed again with the right key: passes alone, fails against the pin', async () => {
    const original = await freshLedger();
    const pinFile = path.join(tempDir(), 'pin.note');
    fs.writeFileSync(pinFile, original.checkpointAt(SIZE));
    const rebuilt = await rewrittenLedger(original, SIZE, 4);
    const served = await serveApp(rebuilt.dataDir);
    try {
      expect((await verifyUrl(served, original.vkey)).code).toBe(0);
      const pinned = await verifyUrl(served, original.vkey, '--pin', pinFile);
      expect(pinned.code).toBe(1);
      expect(pinned.json.failure).toMatchObject({ code: 'PIN_INCONSISTENT', checkpointSize: SIZE });
      const range = await verifyUrl(served, original.vkey, '--from', '10', '--to', '12', '--pin', pinFile);
      expect(range.code).toBe(1);
      expect(range.json.failure).toMatchObject({ code: 'PIN_INCONSISTENT' });
    } finally {
      await served.close();
    }
  });

  it('a checkpoint signed by a key the chain never introduced fails', async () => {
    const built = await freshLedger();
    const intruder = generateKey(built.dataDir, KEY_NAME);
    const raw = new Database(built.file);
    raw.prepare('INSERT INTO signing_keys (since_index, vkey) VALUES (?, ?)').run(SIZE, intruder.verifierKey);
    raw.close();
    const ledger = Ledger.open({ dataDir: built.dataDir, commitWindowMs: 0 });
    await ledger.append(request(100));
    await ledger.close();
    const served = await serveApp(built.dataDir);
    try {
      const r = await verifyUrl(served, built.vkey);
      expect(r.code).toBe(1);
      expect(r.json.failure).toMatchObject({ code: 'CHECKPOINT_SIGNATURE', checkpointSize: SIZE + 1 });
    } finally {
      await served.close();
    }
  });

  it('a log that rotated its key cannot be followed over HTTP (it says why); a range check with the current key passes', async () => {
    const { built, newKey } = await buildRotatedLedger(1);
    const served = await serveApp(built.dataDir);
    try {
      const full = await verifyUrl(served, built.vkey);
      expect(full.code).toBe(1);
      expect(full.json.failure.code).toBe('CHECKPOINT_SIGNATURE');
      expect(full.json.notes.join(' ')).toContain('over HTTP the chain of keys cannot be followed from the first key');
      const range = await verifyUrl(served, newKey, '--from', '0', '--to', String(SIZE + 1));
      expect(range.code, JSON.stringify(range.json.failure)).toBe(0);
    } finally {
      await served.close();
    }
  });

  it('payload commitments are checked over HTTP with the salt the service sends; without it, only sizes, and the output says so', async () => {
    const built = await freshLedger();
    // "payload number 8" -> "payload number 9": same size, so only the commitment can tell.
    tamper(built.file, (db) => db.prepare('UPDATE payloads SET body = ? WHERE idx = 8').run(Buffer.from('payload number 9')));
    const served = await serveApp(built.dataDir);
    // A front that drops the salt header, as a service that sends no salts would.
    const front = http.createServer((req, res) => {
      void (async () => {
        const upstream = await fetch(served.url + (req.url ?? '/'), { headers: { authorization: req.headers.authorization ?? '' } });
        const headers: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' };
        res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
      })().catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const r = await verifyUrl(served, built.vkey, '--payloads');
      expect(r.code).toBe(1);
      expect(r.json.failure).toMatchObject({ code: 'PAYLOAD_MISMATCH', index: 8 });
      const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
      const withoutSalt = await verifyUrl({ url, token: served.token }, built.vkey, '--payloads');
      expect(withoutSalt.code).toBe(0); // the limit of a service that sends no salt, stated in the output
      expect(withoutSalt.json.payloads.by).toBe('size');
      expect(withoutSalt.json.notes.join(' ')).toContain("payloads were checked against their entries' sizes and erasures, not their commitments");
    } finally {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await served.close();
    }
  });
});


