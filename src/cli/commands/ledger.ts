import readline from 'node:readline';
import { Command } from 'commander';
import { VigilError, isVigilError } from '../../errors.js';
import { Ledger, type Receipt } from '../../ledger/index.js';
import { parseAppendRequest } from '../../entry/index.js';
import { parseStrictJson } from '../../tlog/index.js';
import { globalOptions } from '../options.js';

/** Appends in flight at once from stdin: enough to fill commit batches, bounded to keep memory flat. */
const MAX_IN_FLIGHT = 4096;

/** Input lines are single-line JSON: the parser's "line 1, column N" is just "column N" of that line. */
function withinLine(message: string): string {
  return message.replace(/ at line 1, column (\d+)/, ' at column $1');
}

export function ledgerCommand(): Command {
  const ledger = new Command('ledger').description('append to and inspect the ledger');

  ledger
    .command('append')
    .description('read JSON lines {kind, agent, session?, task?, meta?, payload} from stdin; print one receipt per line')
    .action(async (_opts: unknown, cmd: Command) => {
      const { dataDir, origin } = globalOptions(cmd);
      const l = Ledger.open({ dataDir, origin });
      const inFlight: Array<Promise<Receipt>> = [];
      let failure: unknown;
      const drainOne = async (): Promise<void> => {
        const receipt = await (inFlight.shift() as Promise<Receipt>);
        process.stdout.write(JSON.stringify(receipt) + '\n');
      };
      try {
        const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
        let line = 0;
        for await (const text of rl) {
          line++;
          if (text.trim() === '') continue;
          let request;
          try {
            request = parseAppendRequest(parseStrictJson(text));
          } catch (e) {
            const msg = withinLine(e instanceof Error ? e.message : String(e));
            failure = new VigilError(isVigilError(e) ? e.code : 'INVALID_INPUT', `line ${line}: ${msg}; lines before it were recorded, none after`, { line });
            break;
          }
          const p = l.append(request);
          p.catch(() => undefined); // awaited in order below
          inFlight.push(p);
          if (inFlight.length >= MAX_IN_FLIGHT) await drainOne();
        }
        rl.close();
        while (inFlight.length > 0) await drainOne();
      } finally {
        await l.close();
      }
      if (failure) throw failure;
    });

  ledger
    .command('stat')
    .description('size, root and latest checkpoint')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { dataDir, origin } = globalOptions(cmd);
      const l = Ledger.open({ dataDir, origin });
      const s = l.stat();
      await l.close();
      if (opts.json) {
        process.stdout.write(JSON.stringify(s) + '\n');
        return;
      }
      const lines = [
        `origin:     ${s.origin}`,
        `size:       ${s.size}`,
        `root:       ${s.root}`,
        `key:        ${s.verifierKey ?? '(active key not in this data directory)'}`,
        `appendable: ${s.appendable ? 'yes' : `no: ${s.problem ?? ''}`}`,
        'checkpoint:',
        ...(s.checkpoint ?? '(none yet)\n').replace(/\n$/, '').split('\n').map((x) => '  ' + x),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
  return ledger;
}
