/**
 * Sustained batched appends of 1 KiB payloads (default 1,000,000 entries) with synchronous=FULL and NORMAL,
 * against a plain better-sqlite3 insert of the same payload bytes in the same batch sizes, in the same run.
 * Also reports the bytes on disk per entry beyond the payload.
 *
 *   BENCH_ENTRIES=1000000 BENCH_BATCH=1000 BENCH_ROUNDS=3 npm run bench:append
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Ledger, generateKey, DATABASE_FILE, type Synchronous, type Receipt } from '../dist/ledger/index.js';
import { benchDir, envInt, machine, report } from './support.js';

const ENTRIES = envInt('BENCH_ENTRIES', 1_000_000);
const BATCH = envInt('BENCH_BATCH', 1000);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const PAYLOAD_BYTES = 1024;
const IN_FLIGHT = BATCH * 4;

// A pool of distinct 1 KiB payloads, reused round-robin (generating 1 GB of randomness is not the point).
const payloads = Array.from({ length: 4096 }, () => new Uint8Array(randomBytes(PAYLOAD_BYTES)));

async function ledgerRun(sync: Synchronous): Promise<{ rate: number; seconds: number; bytesPerEntry: number; batches: number }> {
  const dir = benchDir(`append-${sync}`);
  generateKey(dir, 'bench.example/ledger');
  const ledger = Ledger.open({ dataDir: dir, synchronous: sync, maxBatch: BATCH, commitWindowMs: 2, maxQueue: IN_FLIGHT * 2 });
  const inFlight: Array<Promise<Receipt>> = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ENTRIES; i++) {
    inFlight.push(ledger.record({ kind: 'tool_result', agent: 'bench-agent', session: `s-${i % 97}` }, { bytes: payloads[i % payloads.length] as Uint8Array, type: 'application/octet-stream' }));
    if (inFlight.length >= IN_FLIGHT) await Promise.all(inFlight.splice(0, BATCH));
  }
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const batches = [...ledger.storage.iterateCheckpoints()].length;
  ledger.storage.checkpointWal();
  await ledger.close();
  const db = fs.statSync(path.join(dir, DATABASE_FILE)).size;
  const bytesPerEntry = db / ENTRIES - PAYLOAD_BYTES;
  fs.rmSync(dir, { recursive: true, force: true });
  return { rate: ENTRIES / seconds, seconds, bytesPerEntry, batches };
}

function plainRun(sync: Synchronous): { rate: number; seconds: number } {
  const dir = benchDir(`plain-${sync}`);
  const db = new Database(path.join(dir, 'plain.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync}`);
  db.exec('CREATE TABLE t (idx INTEGER PRIMARY KEY, body BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO t (idx, body) VALUES (?, ?)');
  const tx = db.transaction((start: number, n: number) => {
    for (let i = start; i < start + n; i++) insert.run(i, payloads[i % payloads.length]);
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ENTRIES; i += BATCH) tx(i, Math.min(BATCH, ENTRIES - i));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { rate: ENTRIES / seconds, seconds };
}

process.stdout.write(`append bench: ${ENTRIES} entries, ${PAYLOAD_BYTES} B payloads, batches of ${BATCH}, ${ROUNDS} round(s); ${machine()}\n`);
// This VM's speed drifts by a quarter from one minute to the next, so each round runs the plain insert and
// the ledger back to back and the ratio is taken per round; the medians are reported with every round's
// figures.
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
for (const sync of ['FULL', 'NORMAL'] as const) {
  const rounds: Array<{ plain: number; vigil: number; ratio: number; seconds: number; batches: number; bytesPerEntry: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const plain = plainRun(sync);
    const vigil = await ledgerRun(sync);
    rounds.push({ plain: plain.rate, vigil: vigil.rate, ratio: vigil.rate / plain.rate, seconds: vigil.seconds, batches: vigil.batches, bytesPerEntry: vigil.bytesPerEntry });
  }
  const last = rounds[rounds.length - 1] as (typeof rounds)[number];
  report(`append ${sync}`, {
    entries_per_s: Math.round(median(rounds.map((r) => r.vigil))),
    plain_sqlite_entries_per_s: Math.round(median(rounds.map((r) => r.plain))),
    ratio: median(rounds.map((r) => r.ratio)),
    rounds: rounds.map((r) => `${Math.round(r.vigil)}/${Math.round(r.plain)}=${r.ratio.toFixed(3)}`).join(','),
    commits: last.batches,
    bytes_on_disk_per_entry_beyond_payload: Math.round(last.bytesPerEntry),
  });
}
