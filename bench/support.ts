/** Shared bits of the benchmarks: temp folders, sizes from the environment, percentiles, a result line. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function benchDir(name: string): string {
  const base = process.env.BENCH_DIR ?? os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, `vigil-bench-${name}-`));
  return dir;
}

export function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function dirSize(dir: string): number {
  let total = 0;
  for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, f.name);
    total += f.isDirectory() ? dirSize(p) : fs.statSync(p).size;
  }
  return total;
}

export function report(name: string, figures: Record<string, string | number>): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(3)) : v}`);
  process.stdout.write(`[${name}] ${parts.join(' ')}\n`);
}

export function machine(): string {
  return `${os.cpus().length} cpu ${os.cpus()[0]?.model ?? '?'}, node ${process.version}`;
}

/** A `vigil serve` of the compiled build, started for a bench (one DLP worker, log level warn). */
export interface BenchService {
  child: ChildProcess;
  url: string;
  /** the admin token minted on first start */
  admin: string;
  /** mints a token with these scopes (one hour) */
  mint(scopes: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchService(dataDir: string, options: { nodeArgs?: string[]; bin?: string } = {}): Promise<BenchService> {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bin ?? 'bin/vigil.js', '--data-dir', dataDir, 'serve', '--port', String(port)], {
    env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', VIGIL_DLP_WORKERS: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Never leave the service running behind a failed bench.
  process.on('exit', () => child.kill('SIGKILL'));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error('the service did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const admin = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  return {
    child,
    url,
    admin,
    mint: async (scopes) => {
      const minted = await fetch(`${url}/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ scopes, ttlSeconds: 3600 }) });
      return ((await minted.json()) as { token: string }).token;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    },
  };
}
