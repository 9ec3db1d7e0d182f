/**
 * `vigil serve` as an operator runs it: a real process on a free port, SIGTERM for a graceful stop, and a
 * restart on the same data directory that resumes where the ledger stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/vigil-process.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-serve-'));
const children: ChildProcess[] = [];
afterAll(() => {
  // A failed assertion must not leave a server running.
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function serve(): Promise<Served> {
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_DLP_WORKERS: '1' };
  delete env.VIGIL_DATA_DIR;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', '--data-dir', dir, 'serve', '--port', '0'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (c: string) => {
      out += c;
      const m = /"url":"(http:\/\/[^"]+)".*"msg":"vigil is listening"/.exec(out);
      if (m) resolve({ child, url: m[1] as string, stdout: () => out, exited });
    });
    void exited.then((code) => reject(new Error(`vigil serve exited with ${code} before listening:\n${out}`)));
  });
}

describe('vigil serve', () => {
  it('starts on the embedded default, stops gracefully on SIGTERM and resumes after a restart', async () => {
    const first = await serve();
    expect(first.stdout()).toContain('first start: admin token');
    const admin = fs.readFileSync(path.join(dir, 'admin.token'), 'utf8').trim();
    expect(first.stdout()).toContain(admin);
    expect(await (await fetch(`${first.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const minted = await fetch(`${first.url}/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ scopes: ['agent'] }) });
    const agent = ((await minted.json()) as { token: string }).token;
    const receipts = await Promise.all(
      [1, 2, 3].map(async (n) => {
        const r = await fetch(`${first.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'prompt', agent: 'a', payload: `p${n}` }) });
        return ((await r.json()) as { receipt: { index: number } }).receipt.index;
      }),
    );
    const sizeBefore = Math.max(...receipts) + 1;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain('vigil stopped');

    const second = await serve();
    expect(second.stdout()).not.toContain('first start');
    const ready = (await (await fetch(`${second.url}/readyz`)).json()) as { treeSize: number };
    expect(ready.treeSize).toBe(sizeBefore);
    const checkpoint = await (await fetch(`${second.url}/v1/checkpoint`)).text();
    expect(checkpoint.split('\n')[1]).toBe(String(sizeBefore));
    // The agent token minted before the restart still works.
    const again = await fetch(`${second.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'prompt', agent: 'a', payload: 'after' }) });
    expect(((await again.json()) as { receipt: { index: number } }).receipt.index).toBe(sizeBefore);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 120_000);
});
