/**
 * Full verification of a 1,000,000-entry ledger file: every leaf decoded and hashed, the chain, the Merkle
 * root at every checkpoint, every checkpoint signature; then again with every payload opened against its
 * commitment.
 *
 *   BENCH_ENTRIES=1000000 npm run bench:verify
 */
import path from 'node:path';
import { verifyLedger } from '../src/audit/index.js';
import { LedgerStore, storeEvidence, DATABASE_FILE } from '../src/ledger/index.js';
import { ensureLedger } from './fixture.js';
import { envInt, machine, report } from './support.js';

const ENTRIES = envInt('BENCH_ENTRIES', 1_000_000);
const { dataDir, vkey } = await ensureLedger(ENTRIES);
process.stdout.write(`verify bench: ${ENTRIES} entries; ${machine()}\n`);

for (const payloads of [false, true]) {
  const store = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { readonly: true });
  const t0 = process.hrtime.bigint();
  const result = verifyLedger(storeEvidence(store, { payloads }), { trustedKey: vkey });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  store.close();
  if (!result.ok) throw new Error(`verification failed: ${result.failure?.message}`);
  report(payloads ? 'verify with payloads' : 'verify entries+tree+checkpoints', {
    entries: result.size,
    checkpoints: result.checkpointsVerified,
    seconds,
    entries_per_s: Math.round(result.size / seconds),
  });
}
