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
import { decodeEntry, encodeEntry } from '../src/entry/index.js';
import { NoteSigner, encodeBase64, formatCheckpoint, leafHash, randomBytes } from '../src/tlog/index.js';
import {
  KEY_NAME,
  SIZE,
  buildLedger,

  expectOneErrorLine,
  freshLedger,
  leafOf,
  realSigner,
  request,
  tamper,
  tempDir,
  verifyJson,
  vigilInProcess,
  vigilProcess,
  type Built,
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
      payloads: { checked: true, present: size - 1, erased: 1, by: 'size' },
      erasures: [{ index: 2, erasureIndex: SIZE }],
      failure: null,
    });
    // The service sends no salts: the output says what that means.
    expect(r.json.notes.join(' ')).toContain('payloads were checked against their entries\' sizes and erasures, not their commitments');
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
    expect(r.json).toMatchObject({ mode: 'range', range: { from: 1, to: 6 }, entriesChecked: 6, payloads: { checked: true, present: 5, erased: 1, by: 'size' }, erasures: [{ index: 2, erasureIndex: SIZE }] });
  });
});

describe('vigil verify --url on a file tampered with before the real service started on it', () => {
  it('a byte flipped in a leaf: CHAIN_BROKEN at the next entry, exit 1', async () => {
    const built = await freshLedger();
    tamper(built.file, (db) => {
      const leaf = Buffer.from(leafOf(db, 5));
      leaf[leaf.indexOf('agent-a') + 6] = 'b'.charCodeAt(0);
      db.prepare('UPDATE entries SET leaf = ? WHERE idx = 5').run(leaf);
    });
    const service = await serveReal(built.dataDir);
    const r = await verifyUrl({ url: service.url, token: service.auditor }, built.vkey);
    expect(r.code).toBe(1);
    expect(r.json.failure).toMatchObject({ code: 'CHAIN_BROKEN', index: 6 });
    await service.close();
  }, 120_000);
});

interface UrlCase {
  what: string;
  change: (built: Built) => void;
  extra?: string[];
  code: string;
  index?: number;
  checkpointSize?: number;
}

const URL_CASES: UrlCase[] = [
  {
    what: 'a byte flipped in a leaf',
    change: ({ file }) =>
      tamper(file, (db) => {
        const leaf = Buffer.from(leafOf(db, 5));
        leaf[leaf.indexOf('agent-a') + 6] = 'b'.charCodeAt(0);
        db.prepare('UPDATE entries SET leaf = ? WHERE idx = 5').run(leaf);
      }),
    code: 'CHAIN_BROKEN',
    index: 6,
  },
  { what: 'a deleted entry', change: ({ file }) => tamper(file, (db) => db.prepare('DELETE FROM entries WHERE idx = 7').run()), code: 'INDEX_MISMATCH', index: 7 },
  {
    what: 'two entries swapped',
    change: ({ file }) =>
      tamper(file, (db) => {
        const a = leafOf(db, 3);
        const b = leafOf(db, 4);
        db.prepare('UPDATE entries SET leaf = ? WHERE idx = 3').run(b);
        db.prepare('UPDATE entries SET leaf = ? WHERE idx = 4').run(a);
      }),
    code: 'INDEX_MISMATCH',
    index: 3,
  },
  {
    what: 'an inserted entry, the chain recomputed after it',
    change: ({ file }) =>
      tamper(file, (db) => {
        const entries = Array.from({ length: SIZE }, (_, i) => decodeEntry(leafOf(db, i)));
        const forged = { ...(entries[9] as ReturnType<typeof decodeEntry>), agent: 'forged-agent' };
        const rewritten = [...entries.slice(0, 10), forged, ...entries.slice(10)];
        db.prepare('DELETE FROM entries').run();
        let prev: string | undefined;
        rewritten.forEach((e, i) => {
          const leaf = encodeEntry({ ...e, index: i, prev });
          db.prepare('INSERT INTO entries (idx, leaf) VALUES (?, ?)').run(i, leaf);
          prev = encodeBase64(leafHash(leaf));
        });
      }),
    // Over HTTP only the latest checkpoint is published: it is the one whose root no longer matches.
    code: 'CHECKPOINT_ROOT_MISMATCH',
    checkpointSize: SIZE,
  },
  { what: 'a truncated tail', change: ({ file }) => tamper(file, (db) => db.prepare('DELETE FROM entries WHERE idx >= 15').run()), code: 'CHECKPOINT_BEYOND_LOG', index: 15 },
  {
    what: 'the checkpoint signed by another key',
    change: ({ file, checkpointAt }) => {
      const other = new NoteSigner(KEY_NAME, randomBytes(32));
      tamper(file, (db) => db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(other.sign((checkpointAt(SIZE).split('\n\n')[0] as string) + '\n'), SIZE));
    },
    code: 'CHECKPOINT_SIGNATURE',
    checkpointSize: SIZE,
  },
  {
    what: 'the checkpoint with a wrong root, signed with the right key',
    change: ({ file, dataDir }) => {
      const note = realSigner(dataDir).sign(formatCheckpoint({ origin: KEY_NAME, size: SIZE, rootHash: randomBytes(32), extensions: [] }));
      tamper(file, (db) => db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(note, SIZE));
    },
    code: 'CHECKPOINT_ROOT_MISMATCH',
    checkpointSize: SIZE,
  },
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
  { what: 'a payload deleted without an erasure entry (--payloads)', change: ({ file }) => tamper(file, (db) => db.prepare('DELETE FROM payloads WHERE idx = 2').run()), extra: ['--payloads'], code: 'PAYLOAD_MISSING', index: 2 },
  {
    what: 'an entry whose prev points elsewhere',
    change: ({ file }) =>
      tamper(file, (db) => {
        const e = decodeEntry(leafOf(db, 9));
        db.prepare('UPDATE entries SET leaf = ? WHERE idx = 9').run(encodeEntry({ ...e, prev: encodeBase64(leafHash(leafOf(db, 7))) }));
      }),
    code: 'CHAIN_BROKEN',
    index: 9,
  },
  {
    what: 'range mode: a byte flipped in a leaf of the range',
    change: ({ file }) =>
      tamper(file, (db) => {
        const leaf = Buffer.from(leafOf(db, 5));
        leaf[leaf.indexOf('agent-a') + 6] = 'b'.charCodeAt(0);
        db.prepare('UPDATE entries SET leaf = ? WHERE idx = 5').run(leaf);
      }),
    extra: ['--from', '2', '--to', '9'],
    code: 'INCLUSION_FAILED',
    index: 5,
  },
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
    const rebuiltDir = tempDir();
    fs.cpSync(path.join(original.dataDir, 'keys'), path.join(rebuiltDir, 'keys'), { recursive: true });
    const forger = Ledger.open({ dataDir: rebuiltDir, commitWindowMs: 0, maxBatch: 4 });
    for (let i = 0; i < SIZE; i++) await forger.append(request(i, i === 4 ? { payload: 'rewritten' } : {}));
    await forger.close();
    const served = await serveApp(rebuiltDir);
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
    let newKey = '';
    const built = await buildLedger({
      then: async (l) => {
        const next = generateKey(l.dataDir, KEY_NAME);
        newKey = next.verifierKey;
        await l.rotateKey(next, 'test');
        await l.append(request(100));
      },
    });
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

  it('payload commitments are checked over HTTP when the service sends the salt (Vigil-Payload-Salt): a same-size replacement is caught', async () => {
    const built = await freshLedger();
    // "payload number 8" -> "payload number 9": same size, so only the commitment can tell.
    tamper(built.file, (db) => db.prepare('UPDATE payloads SET body = ? WHERE idx = 8').run(Buffer.from('payload number 9')));
    const served = await serveApp(built.dataDir);
    const salts = new Database(built.file, { readonly: true });
    // A front that adds each payload's salt, as a service that sends salts would.
    const front = http.createServer((req, res) => {
      void (async () => {
        const upstream = await fetch(served.url + (req.url ?? '/'), { headers: { authorization: req.headers.authorization ?? '' } });
        const headers: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' };
        const m = /^\/v1\/entries\/(\d+)\/payload$/.exec(req.url ?? '');
        if (m && upstream.ok) headers['vigil-payload-salt'] = (salts.prepare('SELECT salt FROM payloads WHERE idx = ?').get(Number(m[1])) as { salt: Buffer }).salt.toString('base64');
        res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
      })().catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
      const withoutSalt = await verifyUrl(served, built.vkey, '--payloads');
      expect(withoutSalt.code).toBe(0); // the limit of a service that sends no salt, stated in the output
      expect(withoutSalt.json.payloads.by).toBe('size');
      const r = await verifyUrl({ url, token: served.token }, built.vkey, '--payloads');
      expect(r.code).toBe(1);
      expect(r.json.failure).toMatchObject({ code: 'PAYLOAD_MISMATCH', index: 8 });
    } finally {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      salts.close();
      await served.close();
    }
  });
});


