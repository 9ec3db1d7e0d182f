/**
 * Evidence export (`vigil export`):
 * 1. hipaa-audit bag of 100,000 entries, every one with its inclusion proof (folder, then .tar.gz), and the
 *    offline verification of that bag;
 * 2. gdpr-access bag of one data subject with 1,000 entries in a ledger of 1,000,000: the subject's entries
 *    found through the store's subject index (one SQL index lookup), payloads DLP-redacted.
 *
 *   npm run bench:export            (BENCH_ENTRIES=100000, BENCH_SUBJECT_LEDGER=1000000, BENCH_SUBJECT_ENTRIES=1000)
 *
 * The subject ledger is built once into bench/out/ledger-subject-<N>/ (git-ignored): N entries like the
 * verify fixture's (1 KiB binary payloads), of which every (N / subject entries)-th is a text or JSON entry
 * about one data subject, carrying the subject's keyed pseudonym in `subjects`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LedgerStore, loadKeys } from '../dist/ledger/index.js';
import { activeSigner, exportToPath, indexedSubjectLookup, shippedEngine, verifyBundle, writeBundle } from '../dist/export/index.js';
import { subjectPseudonym } from '../dist/subjects/index.js';
import { ensureBuiltLedger, ensureLedger, fillerEntry } from './fixture.js';
import { benchDir, envInt, machine, report } from './support.js';

const ENTRIES = envInt('BENCH_ENTRIES', 100_000);
const SUBJECT_LEDGER = envInt('BENCH_SUBJECT_LEDGER', 1_000_000);
const SUBJECT_ENTRIES = envInt('BENCH_SUBJECT_ENTRIES', 1000);
const IDENTIFIER = 'jane.doe@patients.example';
// The subject module's keyed pseudonym under a fixed index key, at append and at lookup time.
const INDEX_KEY = new Uint8Array(32).fill(42);
const pseudonym = (identifier: string): string => subjectPseudonym(INDEX_KEY, identifier);

function ensureSubjectLedger(entries: number, subjectEntries: number): Promise<{ dataDir: string }> {
  const every = Math.floor(entries / subjectEntries);
  const subjects = [pseudonym(IDENTIFIER)];
  return ensureBuiltLedger(`ledger-subject-${entries}-${subjectEntries}-v2`, entries, (ledger, i, payloads) => {
    if (i % every !== every >> 1) return fillerEntry(ledger, i, payloads);
    const k = Math.floor(i / every);
    const request = k % 2 === 0
      ? { kind: 'prompt', agent: 'care-bot', session: `s-${k}`, task: 'appointments', payload: `Hello, this is ${IDENTIFIER}, phone +1 415 555 0100. Can I move my appointment #${k} to Tuesday? My SSN is 536-22-1234.` }
      : { kind: 'tool_result', agent: 'care-bot', session: `s-${k - 1}`, task: 'appointments', payload: { patient: IDENTIFIER, appointment: k, slot: '2026-04-07T10:30', note: 'follow-up for hypertension' } };
    return ledger.append(request, { subjects });
  });
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

process.stdout.write(`export bench; ${machine()}\n`);
const out = benchDir('export');
try {
  // 1. 100,000 entries with proofs
  {
    const { dataDir } = await ensureLedger(ENTRIES);
    const store = LedgerStore.open(path.join(dataDir, 'ledger.db'), { readonly: true });
    const signer = activeSigner(dataDir, store);
    const vkey = (loadKeys(dataDir)[0] as { verifierKey: string }).verifierKey;
    let t0 = process.hrtime.bigint();
    const dir = path.join(out, 'audit');
    const summary = await writeBundle(store, dir, { profile: 'hipaa-audit', signer, exportedBy: 'bench' });
    const folder = seconds(t0);
    report('export hipaa-audit folder', { entries: summary.entries.total, seconds: folder, entries_per_s: Math.round(summary.entries.total / folder), mb: summary.bytes / 1e6, limit_s: 30 });
    t0 = process.hrtime.bigint();
    const archive = await exportToPath(store, path.join(out, 'audit.tar.gz'), { profile: 'hipaa-audit', signer, exportedBy: 'bench' });
    const tgz = seconds(t0);
    report('export hipaa-audit .tar.gz', { entries: archive.entries.total, seconds: tgz, archive_mb: fs.statSync(path.join(out, 'audit.tar.gz')).size / 1e6, limit_s: 30 });
    t0 = process.hrtime.bigint();
    const verified = verifyBundle(dir, vkey);
    report('verify that bag', { ok: String(verified.ok), entries: verified.size, seconds: seconds(t0) });
    store.close();
  }
  // 2. one subject's 1,000 entries among 1,000,000
  {
    const { dataDir } = await ensureSubjectLedger(SUBJECT_LEDGER, SUBJECT_ENTRIES);
    const store = LedgerStore.open(path.join(dataDir, 'ledger.db'), { readonly: true });
    if (typeof (store as { indexesForSubject?: unknown }).indexesForSubject !== 'function') throw new Error('LedgerStore.indexesForSubject has not landed: the subject bench needs the index');
    const signer = activeSigner(dataDir, store);
    const vkey = (loadKeys(dataDir)[0] as { verifierKey: string }).verifierKey;
    const subjects = indexedSubjectLookup(store, pseudonym);
    let t0 = process.hrtime.bigint();
    const found = subjects.indexesFor(IDENTIFIER).length;
    report('subject index lookup', { entries: found, ms: seconds(t0) * 1000 });
    t0 = process.hrtime.bigint();
    const dlp = shippedEngine();
    const engine = seconds(t0);
    t0 = process.hrtime.bigint();
    const dir = path.join(out, 'access');
    const summary = await writeBundle(store, dir, { profile: 'gdpr-access', filter: { subject: IDENTIFIER }, subjects, dlp, signer, exportedBy: 'bench' });
    const took = seconds(t0);
    report('export gdpr-access one subject', { ledger: store.size(), entries: summary.entries.selected, redacted: summary.payloads.redacted, seconds: took, with_engine_start_s: took + engine, limit_s: 5 });
    t0 = process.hrtime.bigint();
    const verified = verifyBundle(dir, vkey);
    report('verify that bag', { ok: String(verified.ok), entries: verified.size, seconds: seconds(t0) });
    store.close();
  }
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
