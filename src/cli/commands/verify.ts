/**
 * `vigil verify`: the auditor's command. One source: a ledger file (--db, read-only, never written), a
 * running service through its API (--url), or an evidence bag (--bundle, a folder or .tar.gz); the key the
 * auditor trusts (--key, a verifier key string or a file holding one); optionally a pinned checkpoint the
 * log must extend (--pin, --update-pin) and a range to spot-check against the latest checkpoint
 * (--from/--to). Output: a summary for people, or JSON (--json); exit 0 verified, 1 verification failed,
 * 2 usage or I/O error (one plain line on stderr).
 */
import { Command } from 'commander';
import { VigilError, isVigilError } from '../../errors.js';
import { EXIT_USAGE, type AuditResult } from '../../audit/index.js';
import { Progress, printResult, processIo, readPin, readVerifierKey, setVerdict, writePinAtomically, type VerifyIo } from '../verify/common.js';
import { checkpointSize, verifyLedgerFile, type SourceOutcome } from '../verify/db.js';
import { verifyService } from '../verify/http.js';

interface VerifyFlags {
  db?: string;
  url?: string;
  bundle?: string;
  key: string;
  token?: string;
  payloads?: boolean;
  pin?: string;
  updatePin?: boolean;
  from?: string;
  to?: string;
  json?: boolean;
  workers?: string;
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new VigilError('INVALID_INPUT', `${flag} takes a non-negative integer, got "${value}"`, { path: flag });
  return Number(value);
}

/** Runs one verification as the flags say; prints the result and returns the exit code (0 or 1). Usage and I/O problems throw. */
export async function runVerify(flags: VerifyFlags, io: VerifyIo): Promise<number> {
  const given = [flags.db, flags.url, flags.bundle].filter((s) => s !== undefined).length;
  if (given !== 1) throw new VigilError('INVALID_INPUT', 'give exactly one of --db FILE, --url URL or --bundle PATH');
  if (flags.bundle !== undefined) {
    if (flags.from !== undefined || flags.to !== undefined || flags.token !== undefined || flags.payloads || flags.updatePin) {
      throw new VigilError('INVALID_INPUT', '--bundle takes --key, --pin (an earlier checkpoint the bag must prove it extends) and --json only');
    }
    const trusted = readVerifierKey(flags.key);
    const pinned = flags.pin === undefined ? undefined : readPin(flags.pin, false).note;
    const { verifyBundleCommand } = await import('../verify/bundle.js');
    return verifyBundleCommand(io, flags.bundle, trusted, pinned, flags.json === true);
  }
  const from = count(flags.from, '--from');
  const to = count(flags.to, '--to');
  const workers = count(flags.workers, '--workers');
  if (flags.updatePin && flags.pin === undefined) throw new VigilError('INVALID_INPUT', '--update-pin needs --pin FILE');
  if (flags.db !== undefined && (flags.token !== undefined || flags.payloads)) {
    throw new VigilError('INVALID_INPUT', '--token and --payloads are for --url (--db checks every stored payload)');
  }
  const trustedKey = readVerifierKey(flags.key);
  const pin = flags.pin === undefined ? undefined : readPin(flags.pin, flags.updatePin === true);
  const range = from !== undefined || to !== undefined ? { from, to } : undefined;
  const json = flags.json === true;
  const progress = new Progress(io, json);
  let outcome: SourceOutcome;
  try {
    if (flags.db !== undefined) {
      outcome = await verifyLedgerFile({ file: flags.db, trustedKey, pinned: pin?.note, range, workers, progress });
    } else {
      const token = flags.token ?? (io.env.VIGIL_TOKEN || undefined);
      outcome = await verifyService({ url: flags.url as string, token, trustedKey, pinned: pin?.note, range, payloads: flags.payloads === true, workers, progress });
    }
  } finally {
    progress.stop();
  }
  const { result, latest } = outcome;
  if (pin) applyPin(result, pin, flags.updatePin === true, latest);
  return printResult(io, result, json);
}

/** Says what became of the pin; with --update-pin and a verified log, stores its latest checkpoint. */
function applyPin(result: AuditResult, pin: { file: string; note: string | undefined; firstUse: boolean }, update: boolean, latest: string | undefined): void {
  const checked = result.pin;
  const pinnedSize = pin.note === undefined ? undefined : checkpointSize(pin.note);
  const failedOnPin = result.failure?.code.startsWith('PIN_') === true;
  result.pin = {
    file: pin.file,
    size: pinnedSize !== undefined && pinnedSize >= 0 ? pinnedSize : undefined,
    consistent: pin.firstUse ? undefined : failedOnPin ? false : checked?.consistent,
    firstUse: pin.firstUse,
    updatedTo: undefined,
  };
  if (update && result.ok && latest !== undefined) {
    writePinAtomically(pin.file, latest);
    result.pin.updatedTo = checkpointSize(latest);
  }
}

export function verifyCommand(io?: VerifyIo): Command {
  return new Command('verify')
    .description('verify a ledger as an auditor: a ledger file (--db), a running service (--url) or an evidence bundle (--bundle); exit 0 verified, 1 failed, 2 usage or I/O error')
    .option('--db <file>', 'the ledger database file (ledger.db); read only, never written, safe on a live ledger')
    .option('--url <url>', 'a running Vigil service, verified through its API only')
    .option('--bundle <path>', 'an evidence bag from vigil export (a folder or a .tar.gz), checked offline')
    .requiredOption('--key <vkey>', 'the verifier key you trust (<name>+<key id>+<base64 key>), or a file holding it')
    .option('--token <token>', '--url: an auditor token for the entries and payloads (env VIGIL_TOKEN)')
    .option('--payloads', '--url: fetch every payload and check it against its entry (410: must be named by an erasure entry)')
    .option('--pin <file>', 'a checkpoint note saved earlier: the log must extend it')
    .option('--update-pin', 'after a successful verification, store the latest verified checkpoint in the --pin file (created on first use)')
    .option('--from <n>', 'range mode: first entry to check against the latest checkpoint (default 0)')
    .option('--to <m>', 'range mode: last entry to check, inclusive (default: the last one the latest checkpoint covers)')
    .option('--json', 'machine-readable result on stdout (field names in the README)')
    .option('--workers <n>', '--db/--url full verification: 0 for one thread, n for n worker threads (default: by size)')
    .action(async (flags: VerifyFlags) => {
      const out = io ?? processIo();
      let code: number;
      try {
        code = await runVerify(flags, out);
      } catch (e) {
        // Everything that stops a verification before its verdict is a usage or I/O error: exit code 2.
        if (isVigilError(e) && e.exitCode === EXIT_USAGE) throw e;
        throw new VigilError('IO_ERROR', isVigilError(e) ? e.message : `verification stopped: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
      }
      if (io) setVerdict(io, code);
      else process.exitCode = code;
    });
}
