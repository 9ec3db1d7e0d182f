/**
 * Inclusion and consistency proofs from stored subtree hashes at 1,000,000 entries: p50/p99/max latency of
 * one proof, read from the SQLite file (never recomputing the tree).
 *
 *   BENCH_ENTRIES=1000000 BENCH_PROOFS=20000 npm run bench:proofs
 */
import { Ledger } from '../dist/ledger/index.js';
import { ensureLedger } from './fixture.js';
import { envInt, machine, percentile, report } from './support.js';

const ENTRIES = envInt('BENCH_ENTRIES', 1_000_000);
const PROOFS = envInt('BENCH_PROOFS', 20_000);
const { dataDir } = await ensureLedger(ENTRIES);
const ledger = Ledger.open({ dataDir });
const n = ledger.size;
process.stdout.write(`proof bench: tree of ${n}, ${PROOFS} proofs each; ${machine()}\n`);

let seed = 42;
const rand = (max: number): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % max;
};

function measure(name: string, fn: () => Uint8Array[]): void {
  for (let i = 0; i < 500; i++) fn(); // warm up
  const times: number[] = [];
  let hashes = 0;
  for (let i = 0; i < PROOFS; i++) {
    const t0 = process.hrtime.bigint();
    hashes += fn().length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  report(name, { p50_ms: times[Math.floor(times.length / 2)] as number, p99_ms: percentile(times, 99), max_ms: times[times.length - 1] as number, mean_hashes: hashes / PROOFS });
}

measure('inclusion proof', () => {
  const size = n - rand(1000);
  return ledger.inclusionProof(rand(size), size);
});
measure('consistency proof', () => {
  const m = 1 + rand(n - 1);
  return ledger.consistencyProof(m, m + rand(n - m + 1));
});
await ledger.close();
