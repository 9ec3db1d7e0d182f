/** Shared bits of the benchmarks: temp folders, sizes from the environment, percentiles, a result line. */
import fs from 'node:fs';
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
