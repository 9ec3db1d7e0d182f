/**
 * `vigil verify` as an auditor runs it, end to end: the compiled CLI (bin/vigil.js, dist/) in its own
 * process, process start, reading, verification and output included.
 *   (a) --db on the 1,000,000-entry fixture (bench/fixture.ts): every leaf, the chain, the tree at every
 *       checkpoint, every signature, every payload commitment (target ≤ 4 s);
 *   (b) --url against `vigil serve` (its own process) on a copy of the 100,000-entry fixture: entries
 *       fetched through GET /v1/entries (1000 per page) and verified, in entries/s; with
 *       BENCH_URL_PAYLOADS=1 also every payload through GET /v1/entries/:index/payload.
 *
 *   npm run bench:verify-cli
 *
 * BENCH_ENTRIES (1,000,000) sizes (a), BENCH_URL_ENTRIES (100,000) sizes (b), BENCH_ROUNDS (3) runs each
 * case that many times and reports the fastest and the median; the load average before each case is
 * printed (this VM's speed varies, and other work on it shows there).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureLedger } from './fixture.js';
import { benchDir, envInt, machine, report, startBenchService } from './support.js';

const ENTRIES = envInt('BENCH_ENTRIES', 1_000_000);
const URL_ENTRIES = envInt('BENCH_URL_ENTRIES', 100_000);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const TARGET_SECONDS = 4;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function vigil(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['bin/vigil.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
  });
}

/** Runs `args` ROUNDS times; every run must verify. */
async function rounds(args: string[], env: Record<string, string> = {}): Promise<{ best: Run; median: number; load: number; json: { entriesChecked: number; checkpoints: { verified: number } } }> {
  const load = os.loadavg()[0] as number;
  const runs: Run[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const run = await vigil(args, env);
    if (run.code !== 0) throw new Error(`vigil ${args.join(' ')} exited with ${run.code}:\n${run.stdout}\n${run.stderr}`);
    runs.push(run);
  }
  const times = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { best, median: times[Math.floor((times.length - 1) / 2)] as number, load, json: JSON.parse(best.stdout) };
}

process.stdout.write(`verify-cli bench: ${machine()}; ${ROUNDS} rounds per case\n`);

// (a) --db on the big fixture.
{
  const { dataDir, vkey } = await ensureLedger(ENTRIES);
  const file = path.join(dataDir, 'ledger.db');
  const r = await rounds(['verify', '--db', file, '--key', vkey, '--json']);
  report('verify --db end to end', {
    entries: r.json.entriesChecked,
    checkpoints: r.json.checkpoints.verified,
    seconds: r.best.seconds,
    median_seconds: r.median,
    entries_per_s: Math.round(r.json.entriesChecked / r.best.seconds),
    [`within_${TARGET_SECONDS}s`]: r.best.seconds <= TARGET_SECONDS ? 'yes' : 'no',
    load_before: r.load.toFixed(2),
  });
}

// (b) --url against a service on a copy of the smaller fixture.
{
  const { dataDir: source, vkey } = await ensureLedger(URL_ENTRIES);
  const dir = benchDir('verify-url');
  fs.mkdirSync(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
  for (const f of fs.readdirSync(path.join(source, 'keys'))) fs.copyFileSync(path.join(source, 'keys', f), path.join(dir, 'keys', f));
  for (const f of ['ledger.db', 'ledger.db-wal']) if (fs.existsSync(path.join(source, f))) fs.copyFileSync(path.join(source, f), path.join(dir, f));
  const service = await startBenchService(dir);
  const { url } = service;
  try {
    const token = await service.mint(['auditor']);
    const r = await rounds(['verify', '--url', url, '--key', vkey, '--json'], { VIGIL_TOKEN: token });
    report('verify --url end to end', {
      entries: r.json.entriesChecked,
      seconds: r.best.seconds,
      median_seconds: r.median,
      entries_per_s: Math.round(r.json.entriesChecked / r.best.seconds),
      load_before: r.load.toFixed(2),
    });
    if (process.env.BENCH_URL_PAYLOADS === '1') {
      const p = await rounds(['verify', '--url', url, '--key', vkey, '--payloads', '--json'], { VIGIL_TOKEN: token });
      report('verify --url --payloads end to end', {
        entries: p.json.entriesChecked,
        seconds: p.best.seconds,
        median_seconds: p.median,
        entries_per_s: Math.round(p.json.entriesChecked / p.best.seconds),
        load_before: p.load.toFixed(2),
      });
    }
  } finally {
    await service.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
