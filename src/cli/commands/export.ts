/**
 * `vigil export`: an evidence bag (RFC 8493 BagIt) for a regulator's question, as a folder or a .tar.gz.
 * Reads the ledger file read-only (a running service may keep appending: the bag is cut at the latest
 * checkpoint) and signs the bag with the ledger's active key from the data directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { VigilError } from '../../errors.js';
import { DATABASE_FILE, LedgerStore } from '../../ledger/index.js';
import { DlpEngine, defaultPolicyFile, loadOrCreatePseudonymKey, loadPolicy, loadRuleSet, shippedRulesDir } from '../../dlp/index.js';
import { PROFILE_NAMES, activeSigner, exportToPath, indexedSubjectLookup, type SubjectLookup } from '../../export/index.js';
import { loadSubjectKey, subjectPseudonym } from '../../subjects/index.js';
import { globalOptions } from '../options.js';

interface ExportCliOptions {
  profile: string;
  out: string;
  from?: string;
  to?: string;
  agent?: string;
  session?: string;
  task?: string;
  subject?: string;
  kind?: string[];
  rawPayloads?: boolean;
  sinceCheckpoint?: string;
  exportedBy?: string;
  rules?: string[];
  policy?: string;
  json?: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];
}

/** The lookup through the ledger's subject index: the identifier's keyed pseudonym, then one index query. */
function subjectLookup(dataDir: string, store: LedgerStore): SubjectLookup {
  const key = loadSubjectKey(dataDir);
  if (!key) throw new VigilError('KEY_MISSING', `no subject index key in ${dataDir}: nothing was indexed by data subject`);
  return indexedSubjectLookup(store, (identifier) => {
    try {
      return subjectPseudonym(key, identifier);
    } catch {
      throw new VigilError('INVALID_INPUT', '--subject needs at least one letter or digit', { path: 'subject' });
    }
  });
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write an evidence bag (BagIt, RFC 8493) for a GDPR or HIPAA question; PATH ending in .tar.gz gives an archive')
    .addOption(new Option('--profile <profile>', 'what the bag answers').choices([...PROFILE_NAMES]).makeOptionMandatory())
    .requiredOption('--out <path>', 'where to write the bag (a new folder, or a .tar.gz)')
    .option('--from <time>', 'entries at or after this RFC 3339 time or date')
    .option('--to <time>', 'entries before this RFC 3339 time or date (exclusive)')
    .option('--agent <agent>', 'only this agent')
    .option('--session <session>', 'only this session')
    .option('--task <task>', 'only this task')
    .option('--subject <identifier>', "only entries about this data subject (through the subject index); never written into the bag")
    .option('--kind <kind>', 'only these entry kinds (repeatable, or comma-separated)', collect)
    .option('--raw-payloads', 'unredacted payloads: only for gdpr-access, the data subject\'s own copy; said so in bag-info.txt')
    .option('--since-checkpoint <file>', "a previous export's data/checkpoint.txt: the bag proves this ledger extends it")
    .option('--exported-by <name>', 'who exports (default: the OS user name)')
    .option('--rules <dir>', 'also load the rule packs in this folder for redaction (repeatable)', (v: string, p: string[] | undefined) => [...(p ?? []), v])
    .option('--policy <file>', 'DLP policy for redaction (default: data/policy/default.yaml)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: ExportCliOptions, cmd: Command) => {
      const { dataDir } = globalOptions(cmd);
      const dbFile = path.join(dataDir, DATABASE_FILE);
      if (!fs.existsSync(dbFile)) throw new VigilError('IO_ERROR', `no ledger at ${dbFile}`);
      let since: string | undefined;
      if (opts.sinceCheckpoint !== undefined) {
        try {
          since = fs.readFileSync(opts.sinceCheckpoint, 'utf8');
        } catch (e) {
          throw new VigilError('IO_ERROR', `cannot read ${opts.sinceCheckpoint}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
        }
      }
      const store = LedgerStore.open(dbFile, { readonly: true });
      try {
        const signer = activeSigner(dataDir, store);
        const subjects = opts.subject === undefined ? undefined : subjectLookup(dataDir, store);
        const needsDlp = !opts.rawPayloads && opts.profile !== 'hipaa-audit';
        const dlp = needsDlp
          ? new DlpEngine({ rules: loadRuleSet([shippedRulesDir(), ...(opts.rules ?? [])]), policy: loadPolicy(opts.policy ?? defaultPolicyFile()), pseudonymKey: loadOrCreatePseudonymKey(dataDir) })
          : undefined;
        let exportedBy = opts.exportedBy;
        if (exportedBy === undefined) {
          try {
            exportedBy = os.userInfo().username;
          } catch {
            exportedBy = 'unknown';
          }
        }
        const summary = await exportToPath(store, opts.out, {
          profile: opts.profile,
          filter: {
            ...(opts.from !== undefined ? { from: opts.from } : {}),
            ...(opts.to !== undefined ? { to: opts.to } : {}),
            ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
            ...(opts.session !== undefined ? { session: opts.session } : {}),
            ...(opts.task !== undefined ? { task: opts.task } : {}),
            ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
            ...(opts.kind !== undefined ? { kinds: opts.kind } : {}),
          },
          ...(subjects ? { subjects } : {}),
          ...(dlp ? { dlp } : {}),
          rawPayloads: opts.rawPayloads === true,
          ...(since !== undefined ? { sinceCheckpoint: since } : {}),
          signer,
          exportedBy,
          software: 'vigil',
        });
        if (opts.json) {
          process.stdout.write(JSON.stringify({ out: opts.out, ...summary }) + '\n');
        } else {
          const e = summary.entries;
          process.stdout.write(
            `exported ${e.total} entries (${e.selected} selected, ${e.linked} linked, ${e.context} context) at checkpoint ${summary.checkpoint.size} to ${opts.out}\n` +
              `payloads: ${summary.payloads.included} included, ${summary.payloads.erased} erased, ${summary.payloads.withheld} withheld\n` +
              `verify with: ${summary.verifyCommand}\n`,
          );
        }
      } finally {
        store.close();
      }
    });
}
