/**
 * Single append latency: one caller, awaiting each receipt before the next append, so each append waits
 * for its own commit window, transaction, fsync (synchronous=FULL) and checkpoint signature.
 *
 *   BENCH_APPENDS=2000 npm run bench:latency
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Ledger, generateKey } from '../dist/ledger/index.js';
import { benchDir, envInt, machine, percentile, report } from './support.js';

const APPENDS = envInt('BENCH_APPENDS', 2000);
const payload = new Uint8Array(randomBytes(1024));
process.stdout.write(`latency bench: ${APPENDS} sequential appends of 1 KiB; ${machine()}\n`);

for (const commitWindowMs of [2, 0]) {
  const dir = benchDir('latency');
  generateKey(dir, 'bench.example/ledger');
  const ledger = Ledger.open({ dataDir: dir, synchronous: 'FULL', commitWindowMs });
  const times: number[] = [];
  // Warm-up: the first append starts the writer thread; that one-off cost is not a per-append latency.
  for (let i = 0; i < 20; i++) await ledger.record({ kind: 'prompt', agent: 'latency-agent' }, { bytes: payload, type: 'application/octet-stream' });
  for (let i = 0; i < APPENDS; i++) {
    const t0 = process.hrtime.bigint();
    await ledger.record({ kind: 'prompt', agent: 'latency-agent' }, { bytes: payload, type: 'application/octet-stream' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await ledger.close();
  fs.rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  report(`single append FULL window=${commitWindowMs}ms`, { p50_ms: percentile(times, 50), p99_ms: percentile(times, 99), max_ms: times[times.length - 1] as number });
}
