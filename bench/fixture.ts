/**
 * A ledger of N entries with 1 KiB payloads, built once and kept in bench/out/ (git-ignored) so that the
 * verify and proof benches do not each spend a minute building it. Built with the real Ledger.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Ledger, generateKey, loadKeys, type Receipt } from '../dist/ledger/index.js';

/** A filler entry: 1 KiB of random bytes, kinds and agents in turn. */
export function fillerEntry(ledger: Ledger, i: number, payloads: readonly Uint8Array[]): Promise<Receipt> {
  return ledger.record({ kind: i % 2 ? 'response' : 'prompt', agent: `agent-${i % 7}`, session: `s-${i % 101}` }, { bytes: payloads[i % payloads.length] as Uint8Array, type: 'application/octet-stream' });
}

/**
 * The ledger in bench/out/<name>/ of `entries` entries, each appended by `entryAt` (filler entries by
 * default); built once, marked COMPLETE, reused by later runs. Returns its data directory and first key.
 */
export async function ensureBuiltLedger(
  name: string,
  entries: number,
  entryAt: (ledger: Ledger, i: number, payloads: readonly Uint8Array[]) => Promise<Receipt> = fillerEntry,
): Promise<{ dataDir: string; vkey: string }> {
  const dataDir = path.resolve('bench', 'out', name);
  const done = path.join(dataDir, 'COMPLETE');
  if (fs.existsSync(done)) return { dataDir, vkey: (loadKeys(dataDir)[0] as { verifierKey: string }).verifierKey };
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const signer = generateKey(dataDir, 'bench.example/ledger');
  const ledger = Ledger.open({ dataDir, synchronous: 'NORMAL', maxBatch: 1000, maxQueue: 10_000 });
  const payloads = Array.from({ length: 1024 }, () => new Uint8Array(randomBytes(1024)));
  const inFlight: Array<Promise<Receipt>> = [];
  process.stderr.write(`building a ${entries}-entry ledger in ${dataDir} …\n`);
  for (let i = 0; i < entries; i++) {
    inFlight.push(entryAt(ledger, i, payloads));
    if (inFlight.length >= 4000) await Promise.all(inFlight.splice(0, 1000));
  }
  await Promise.all(inFlight);
  ledger.storage.checkpointWal();
  await ledger.close();
  fs.writeFileSync(done, `${entries}\n`);
  return { dataDir, vkey: signer.verifierKey };
}

export function ensureLedger(entries: number): Promise<{ dataDir: string; vkey: string }> {
  return ensureBuiltLedger(`ledger-${entries}`, entries);
}
