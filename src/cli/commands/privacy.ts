/**
 * The privacy officer's commands: `vigil subjects find`, `vigil erase --subject`, `vigil retention run`.
 * They work on the data directory itself: finding reads the database read-only; erasing and retention take
 * the ledger's write lock, so with a running service use its admin API (POST /v1/erasures) instead.
 */
import path from 'node:path';
import { Command } from 'commander';
import { VigilError } from '../../errors.js';
import { decodeEntry } from '../../entry/index.js';
import { DATABASE_FILE, Ledger, LedgerStore } from '../../ledger/index.js';
import { eraseSubject, loadRetentionPolicy, runRetention, type ErasureOutcome } from '../../privacy/index.js';
import { loadSubjectKey, subjectPseudonym } from '../../subjects/index.js';
import { globalOptions } from '../options.js';

function subjectKeyOf(dataDir: string): Uint8Array {
  const key = loadSubjectKey(dataDir);
  if (key === undefined) throw new VigilError('KEY_MISSING', `no subject-index key in ${dataDir}: nothing has been indexed there`);
  return key;
}

function pseudonymOf(key: Uint8Array, identifier: string): string {
  try {
    return subjectPseudonym(key, identifier);
  } catch {
    throw new VigilError('INVALID_INPUT', 'the identifier needs at least one letter or digit', { path: 'identifier' });
  }
}

function printErasure(outcome: ErasureOutcome | { erased: number[]; receipts: ErasureOutcome['receipts'] }, json: boolean, what: string): void {
  if (json) {
    process.stdout.write(JSON.stringify({ ...('matched' in outcome ? { matched: outcome.matched } : {}), erased: outcome.erased, erasureEntries: outcome.receipts.map((r) => r.index) }) + '\n');
    return;
  }
  if (outcome.erased.length === 0) {
    process.stdout.write(`${what}: nothing left to erase${'matched' in outcome ? ` (${outcome.matched.length} entries found, their payloads already gone)` : ''}\n`);
    return;
  }
  process.stdout.write(`${what}: erased ${outcome.erased.length} payloads; erasure entr${outcome.receipts.length === 1 ? 'y' : 'ies'} ${outcome.receipts.map((r) => r.index).join(', ')}\n`);
}

export function subjectsCommand(): Command {
  const subjects = new Command('subjects').description('the data-subject index (keyed pseudonyms of identifiers found in payloads)');
  subjects
    .command('find')
    .description("list the entries that concern a person (found through the index; the identifier is never stored)")
    .argument('<identifier>', 'an e-mail address, phone number, national id, MRN or name')
    .option('--json', 'one JSON object per line')
    .action((identifier: string, opts: { json?: boolean }, cmd: Command) => {
      const { dataDir } = globalOptions(cmd);
      const pseudonym = pseudonymOf(subjectKeyOf(dataDir), identifier);
      const store = LedgerStore.open(path.join(dataDir, DATABASE_FILE), { readonly: true });
      try {
        const size = store.size();
        const found = store.indexesForSubject(pseudonym).filter((i) => i < size);
        for (const index of found) {
          const entry = decodeEntry(store.readLeaf(index) as Uint8Array);
          const payload = store.readPayload(index);
          const state = payload.state === 'erased' ? `erased by ${payload.erasureIndex}` : payload.state;
          const row = { index, ts: entry.ts, kind: entry.kind, agent: entry.agent, session: entry.session ?? null, task: entry.task ?? null, payload: state };
          if (opts.json) process.stdout.write(JSON.stringify(row) + '\n');
          else process.stdout.write(`${index}\t${entry.ts}\t${entry.kind}\t${entry.agent}${entry.session ? `\tsession=${entry.session}` : ''}${entry.task ? `\ttask=${entry.task}` : ''}\tpayload ${state}\n`);
        }
        if (!opts.json) process.stderr.write(`${found.length} entr${found.length === 1 ? 'y' : 'ies'}\n`);
      } finally {
        store.close();
      }
    });
  return subjects;
}

export function eraseCommand(): Command {
  return new Command('erase')
    .description("erase a data subject's payloads (GDPR Art. 17): an erasure entry records who, when, why, the basis and which entries")
    .requiredOption('--subject <identifier>', 'the identifier the index was built from (e-mail, phone, national id, MRN, name)')
    .requiredOption('--reason <text>', 'why, in words that name no person (the erasure entry is permanent)')
    .requiredOption('--basis <text>', 'legal basis, e.g. "GDPR Art. 17(1)(a)"')
    .option('--actor <who>', 'who asked for it', process.env.USER ?? 'privacy-officer')
    .option('--json', 'machine-readable output')
    .action(async (opts: { subject: string; reason: string; basis: string; actor: string; json?: boolean }, cmd: Command) => {
      const { dataDir } = globalOptions(cmd);
      const key = subjectKeyOf(dataDir);
      const ledger = Ledger.open({ dataDir });
      try {
        const outcome = await eraseSubject(ledger, key, opts.subject, { reason: opts.reason, basis: opts.basis, actor: opts.actor });
        printErasure(outcome, opts.json === true, 'subject');
      } finally {
        await ledger.close();
      }
    });
}

export function retentionCommand(): Command {
  const retention = new Command('retention').description('erase payloads whose retention period has passed');
  retention
    .command('run')
    .description('apply the retention policy now (idempotent: safe to run from cron)')
    .option('--policy <file>', 'retention policy YAML (default: data/policy/retention.yaml)')
    .option('--dry-run', 'say what would be erased, erase nothing')
    .option('--json', 'machine-readable output')
    .action(async (opts: { policy?: string; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const { dataDir } = globalOptions(cmd);
      const policy = loadRetentionPolicy(opts.policy);
      const ledger = Ledger.open({ dataDir });
      try {
        const outcome = await runRetention(ledger, policy, Date.now(), { dryRun: opts.dryRun === true });
        if (opts.json) {
          process.stdout.write(JSON.stringify({ policy: outcome.policy, examined: outcome.examined, expired: outcome.expired.length, erased: outcome.erased, erasureEntries: outcome.receipts.map((r) => r.index), dryRun: opts.dryRun === true }) + '\n');
        } else if (opts.dryRun) {
          process.stdout.write(`policy ${outcome.policy}: ${outcome.erased.length} payloads would be erased (${outcome.expired.length} expired, ${outcome.examined} entries examined)\n`);
        } else {
          printErasure(outcome, false, `policy ${outcome.policy}`);
        }
      } finally {
        await ledger.close();
      }
    });
  return retention;
}
