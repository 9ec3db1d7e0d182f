/**
 * The `vigil` command as a user runs it: a real process (`node --import tsx src/cli/run.ts …`), its stdout,
 * stderr and exit code, and the files it leaves in a temporary data directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { checkInclusion, decodeBase64, encodeBase64, leafHash, parseCheckpoint, parseVerifierKey, verifyNote } from '../src/tlog/index.js';
import { Ledger, generateKey, type Receipt } from '../src/ledger/index.js';
import { runVigil, type ProcessResult } from './support/vigil-process.js';

// The tests run concurrently (each spawns processes), so temp folders are removed after all of them.
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-test-'));
  made.push(dir);
  return dir;
}

type Result = ProcessResult;
const vigil = runVigil;

/** Runs `vigil --data-dir <dir> …args` and expects exit code 0. */
async function ok(dataDir: string, args: string[], input?: string): Promise<Result> {
  const r = await vigil(['--data-dir', dataDir, ...args], input === undefined ? {} : { input });
  expect(r.code, `vigil ${args.join(' ')} failed: ${r.stderr}`).toBe(0);
  return r;
}

function keyFiles(dataDir: string): string[] {
  return fs.readdirSync(path.join(dataDir, 'keys')).sort();
}

function seedOf(dataDir: string, file: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', file), 'utf8')) as { seed: string }).seed;
}

function receiptsOf(stdout: string): Receipt[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Receipt);
}

/** The receipt's checkpoint verifies with `vkey` and its inclusion proof leads to that checkpoint's root. */
function expectReceiptVerifies(r: Receipt, vkey: string): void {
  const cp = parseCheckpoint(verifyNote(r.checkpoint, [parseVerifierKey(vkey)]).body);
  const proof = r.proof.map((p) => decodeBase64(p));
  expect(checkInclusion(decodeBase64(r.leafHash), r.index, cp.size, proof, cp.rootHash)).toEqual({ ok: true });
}

function expectOneErrorLine(stderr: string): void {
  expect(stderr).toMatch(/^vigil: [^\n]+\n$/);
}

function line(i: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ kind: 'prompt', agent: 'cli-test', session: 's-1', payload: `confidential payload ${i}`, ...extra });
}

/** A data directory holding a key named example.org/test (made in-process, to spare a spawn). */
function withKey(): { dataDir: string; vkey: string } {
  const dataDir = tempDataDir();
  return { dataDir, vkey: generateKey(dataDir, 'example.org/test').verifierKey };
}

describe.concurrent('vigil keys', () => {
  it('generate writes one 0600 key file named after the key id and never prints the seed', async () => {
    const dataDir = tempDataDir();
    const r = await ok(dataDir, ['keys', 'generate', '--name', 'example.org/test']);
    const files = keyFiles(dataDir);
    expect(files).toHaveLength(1);
    const file = files[0] as string;
    expect(file).toMatch(/^[0-9a-f]{8}\.key$/);
    expect(fs.statSync(path.join(dataDir, 'keys', file)).mode & 0o777).toBe(0o600);
    const seed = seedOf(dataDir, file);
    expect(seed.length).toBeGreaterThan(40);
    expect(r.stdout).not.toContain(seed);
    expect(r.stderr).not.toContain(seed);
    // What it does print is the public verifier key, whose key id names the file.
    const printed = /verifier key: (\S+)/.exec(r.stdout)?.[1];
    expect(printed).toBeDefined();
    const key = parseVerifierKey(printed as string);
    expect(key.name).toBe('example.org/test');
    expect(`${Buffer.from(key.keyId).toString('hex')}.key`).toBe(file);
  });

  it('generate refuses a second key with exit code 2 and one "vigil: " line on stderr', async () => {
    const { dataDir } = withKey();
    const before = keyFiles(dataDir);
    const r = await vigil(['--data-dir', dataDir, 'keys', 'generate', '--name', 'example.org/other']);
    expect(r.code).toBe(2);
    expectOneErrorLine(r.stderr);
    expect(r.stdout).toBe('');
    expect(keyFiles(dataDir)).toEqual(before);
  });

  it('show prints exactly the verifier key of the key file and a newline, before and after the ledger exists', async () => {
    const dataDir = tempDataDir();
    await ok(dataDir, ['keys', 'generate', '--name', 'example.org/test']);
    const file = keyFiles(dataDir)[0] as string;
    const before = await ok(dataDir, ['keys', 'show']);
    expect(before.stdout).toMatch(/^\S+\n$/);
    expect(before.stderr).toBe('');
    const vkey = before.stdout.slice(0, -1);
    const key = parseVerifierKey(vkey);
    expect(key.text).toBe(vkey);
    expect(key.name).toBe('example.org/test');
    expect(`${Buffer.from(key.keyId).toString('hex')}.key`).toBe(file);
    expect(before.stdout).not.toContain(seedOf(dataDir, file));

    await ok(dataDir, ['ledger', 'append'], line(0) + '\n');
    const after = await ok(dataDir, ['keys', 'show']);
    expect(after.stdout).toBe(before.stdout);
  });

  it('rotate prints a receipt signed by the old key, after which show prints a new key that signs later appends', async () => {
    const { dataDir, vkey: oldKey } = withKey();
    await ok(dataDir, ['ledger', 'append'], [line(0), line(1), line(2)].join('\n') + '\n');

    const rotated = await ok(dataDir, ['keys', 'rotate']);
    const [rotation, ...rest] = receiptsOf(rotated.stdout);
    expect(rest).toHaveLength(0);
    if (rotation === undefined) throw new Error('keys rotate printed no receipt');
    expect(rotation.index).toBe(3);
    expectReceiptVerifies(rotation, oldKey);
    expect(keyFiles(dataDir)).toHaveLength(2);

    const newKey = (await ok(dataDir, ['keys', 'show'])).stdout.trim();
    expect(newKey).not.toBe(oldKey);
    expect(parseVerifierKey(newKey).name).toBe('example.org/test');
    expect(rotated.stderr).toContain(newKey);
    for (const f of keyFiles(dataDir)) {
      const seed = seedOf(dataDir, f);
      expect(rotated.stdout).not.toContain(seed);
      expect(rotated.stderr).not.toContain(seed);
    }

    const appended = receiptsOf((await ok(dataDir, ['ledger', 'append'], line(4) + '\n')).stdout);
    expect(appended.map((r) => r.index)).toEqual([4]);
    expectReceiptVerifies(appended[0] as Receipt, newKey);
    expect(() => verifyNote((appended[0] as Receipt).checkpoint, [parseVerifierKey(oldKey)])).toThrow();
  });
});

describe.concurrent('vigil ledger', () => {
  it('append records three JSON lines from stdin and prints three receipts that verify with the shown key', async () => {
    const { dataDir } = withKey();
    const r = await ok(dataDir, ['ledger', 'append'], [line(0), line(1), line(2)].join('\n') + '\n');
    const vkey = (await ok(dataDir, ['keys', 'show'])).stdout.trim();
    const receipts = receiptsOf(r.stdout);
    expect(receipts.map((x) => x.index)).toEqual([0, 1, 2]);
    for (const x of receipts) expectReceiptVerifies(x, vkey);
    expect(r.stderr).not.toContain('confidential payload');

    const ledger = Ledger.open({ dataDir });
    try {
      expect(ledger.size).toBe(3);
      for (const x of receipts) expect(encodeBase64(leafHash(ledger.readLeaf(x.index)))).toBe(x.leafHash);
      const stored = ledger.readPayload(1);
      if (stored.state !== 'present') throw new Error('payload 1 should be stored');
      expect(new TextDecoder().decode(stored.body)).toBe('confidential payload 1');
    } finally {
      await ledger.close();
    }
  });

  it.each([
    // The parser points at the bad escape, right at the start of the payload's secret text.
    { what: 'invalid JSON', bad: '{"kind":"prompt","agent":"cli-test","payload":"\\qsecret-4111-1111"}' },
    { what: 'an unknown field', bad: '{"kind":"prompt","agent":"cli-test","payload":"secret-4111-1111","extra":1}' },
  ])('append stops at a line with $what: exit 2, one stderr line naming it, earlier lines recorded and later ones not', async ({ bad }) => {
    const { dataDir, vkey } = withKey();
    const input = [line(0), line(1), bad, line(3), line(4)].join('\n') + '\n';
    const r = await vigil(['--data-dir', dataDir, 'ledger', 'append'], { input });
    expect(r.code).toBe(2);
    expectOneErrorLine(r.stderr);
    expect(r.stderr).toMatch(/^vigil: line 3\b/);
    expect(r.stderr).not.toContain('secret');
    expect(r.stderr).not.toContain('confidential');
    const receipts = receiptsOf(r.stdout);
    expect(receipts.map((x) => x.index)).toEqual([0, 1]);
    for (const x of receipts) expectReceiptVerifies(x, vkey);

    const stat = JSON.parse((await ok(dataDir, ['ledger', 'stat', '--json'])).stdout) as { size: number };
    expect(stat.size).toBe(2);
  });

  it('stat reports size and root as text and as JSON, matching the latest receipt', async () => {
    const { dataDir, vkey } = withKey();
    const receipts = receiptsOf((await ok(dataDir, ['ledger', 'append'], [line(0), line(1), line(2)].join('\n') + '\n')).stdout);
    const last = receipts[receipts.length - 1] as Receipt;
    const root = encodeBase64(parseCheckpoint(verifyNote(last.checkpoint, [parseVerifierKey(vkey)]).body).rootHash);

    const text = await ok(dataDir, ['ledger', 'stat']);
    expect(text.stdout).toMatch(/^size: +3$/m);
    expect(text.stdout).toMatch(new RegExp(`^root: +${root.replace(/[+/]/g, '\\$&')}$`, 'm'));
    expect(text.stdout).toMatch(/^appendable: +yes$/m);

    const json = JSON.parse((await ok(dataDir, ['ledger', 'stat', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ size: 3, root, origin: 'example.org/test', verifierKey: vkey, appendable: true, checkpoint: last.checkpoint });
  });
});

describe.concurrent('where the data directory comes from', () => {
  it('VIGIL_DATA_DIR is used when there is no --data-dir', async () => {
    const dataDir = tempDataDir();
    const env = { VIGIL_DATA_DIR: dataDir };
    const gen = await vigil(['keys', 'generate', '--name', 'example.org/env'], { env });
    expect(gen.code, gen.stderr).toBe(0);
    expect(keyFiles(dataDir)).toHaveLength(1);
    const appended = await vigil(['ledger', 'append'], { env, input: line(0) + '\n' });
    expect(appended.code, appended.stderr).toBe(0);
    expect(receiptsOf(appended.stdout).map((r) => r.index)).toEqual([0]);
    const stat = await vigil(['ledger', 'stat', '--json'], { env });
    expect(JSON.parse(stat.stdout)).toMatchObject({ size: 1, origin: 'example.org/env' });
  });

  it('--origin names a new ledger, and a different origin on an existing ledger is refused', async () => {
    const { dataDir } = withKey();
    await ok(dataDir, ['--origin', 'ledger.example.org/agents', 'ledger', 'append'], line(0) + '\n');
    const stat = await ok(dataDir, ['ledger', 'stat', '--json']);
    expect(JSON.parse(stat.stdout)).toMatchObject({ size: 1, origin: 'ledger.example.org/agents' });
    expect(JSON.parse(stat.stdout).checkpoint.startsWith('ledger.example.org/agents\n1\n')).toBe(true);
    const other = await vigil(['--data-dir', dataDir, '--origin', 'other.example.org/x', 'ledger', 'stat']);
    expect(other.code).toBe(2);
    expectOneErrorLine(other.stderr);
    expect(other.stderr).toMatch(/origin cannot change/);
  });

  it('--data-dir is honoured after the subcommand too', async () => {
    const { dataDir } = withKey();
    await ok(dataDir, ['ledger', 'append'], [line(0), line(1)].join('\n') + '\n');
    const r = await vigil(['ledger', 'stat', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^size: +2$/m);
    expect(r.stdout).toMatch(/^origin: +example\.org\/test$/m);
  });
});

describe.concurrent('other commands', () => {
  it('tokens create prints a token once, list shows it without its secret, revoke ends it', async () => {
    const dataDir = tempDataDir();
    const created = await vigil(['--data-dir', dataDir, 'tokens', 'create', '--scopes', 'agent,auditor', '--agent', 'bot', '--ttl', '600', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const minted = JSON.parse(created.stdout) as { id: string; token: string; scopes: string[]; agent: string };
    expect(minted).toMatchObject({ scopes: ['agent', 'auditor'], agent: 'bot' });
    const secret = minted.token.slice(`vigil_${minted.id}_`.length);
    const listed = await vigil(['--data-dir', dataDir, 'tokens', 'list']);
    expect(listed.stdout).toContain(minted.id);
    expect(listed.stdout).not.toContain(secret);
    expect((await vigil(['--data-dir', dataDir, 'tokens', 'revoke', minted.id])).code).toBe(0);
    expect((await vigil(['--data-dir', dataDir, 'tokens', 'list'])).stdout).toContain('revoked=');
    const bad = await vigil(['--data-dir', dataDir, 'tokens', 'create', '--scopes', 'root']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect((await vigil(['--data-dir', dataDir, 'tokens', 'revoke', '0000000000000000'])).code).toBe(2);
  });

  it('an unknown command exits with code 2 and says so on stderr', async () => {
    const r = await vigil(['--data-dir', tempDataDir(), 'frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('frobnicate');
  });
});
