/**
 * One evidence export, off the service's event loop: opens the ledger database read-only, builds the bag in
 * a private temporary folder (DLP redaction included) and reports where it is. The main thread streams it.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { isVigilError } from '../errors.js';
import { DlpEngine, loadPolicy, loadRuleSet } from '../dlp/index.js';
import { activeSigner, buildBundle, indexedSubjectLookup } from '../export/index.js';
import { DATABASE_FILE, LedgerStore } from '../ledger/index.js';
import { subjectPseudonym } from '../subjects/index.js';
import type { ExportJob, ExportJobReply } from './exports.js';

const job = workerData as ExportJob;

async function run(): Promise<ExportJobReply> {
  const store = LedgerStore.open(path.join(job.dataDir, DATABASE_FILE), { readonly: true });
  try {
    const subjectKey = job.subjectKeyHex === undefined ? undefined : Uint8Array.from(Buffer.from(job.subjectKeyHex, 'hex'));
    const needsDlp = job.profile !== 'hipaa-audit' && !job.rawPayloads;
    const bundle = await buildBundle(store, {
      profile: job.profile,
      filter: job.filter,
      ...(job.filter.subject !== undefined && subjectKey !== undefined ? { subjects: indexedSubjectLookup(store, (id) => subjectPseudonym(subjectKey, id)) } : {}),
      rawPayloads: job.rawPayloads,
      ...(job.sinceCheckpoint === undefined ? {} : { sinceCheckpoint: job.sinceCheckpoint }),
      signer: activeSigner(job.dataDir, store),
      exportedBy: job.exportedBy,
      software: 'vigil',
      ...(needsDlp
        ? {
            dlp: new DlpEngine({
              rules: loadRuleSet(job.rulesDirs),
              policy: loadPolicy(job.policyFile),
              pseudonymKey: Uint8Array.from(Buffer.from(job.pseudonymKeyHex, 'hex')),
            }),
          }
        : {}),
    });
    return { ok: true, name: bundle.name, dir: bundle.dir, entries: bundle.summary.entries.total, checkpointSize: bundle.summary.checkpoint.size };
  } finally {
    store.close();
  }
}

run().then(
  (reply) => parentPort?.postMessage(reply),
  (e: unknown) => {
    const reply: ExportJobReply = isVigilError(e)
      ? { ok: false, code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: { ...e.details } }) }
      : { ok: false, code: 'INTERNAL', message: 'the export failed' };
    parentPort?.postMessage(reply);
  },
);
