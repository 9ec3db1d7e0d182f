/**
 * The `vigil` command. Errors reach the user as one plain line on stderr and the exit code from the error
 * catalogue (2 usage or input, 3 ledger state); never a stack trace, never a payload or a secret.
 */
import { Command, CommanderError } from 'commander';
import { isVigilError } from '../errors.js';
import { keysCommand } from './commands/keys.js';
import { ledgerCommand } from './commands/ledger.js';
import { serveCommand } from './commands/serve.js';
import { tokensCommand } from './commands/tokens.js';
import { rulesCommand, scanCommand } from './commands/scan.js';

export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('tamper-evident audit ledger and DLP filter for AI agents')
    .option('--data-dir <dir>', 'folder with the ledger database and signing keys (env VIGIL_DATA_DIR, default data/local/)')
    .option('--origin <origin>', 'checkpoint origin line of a new ledger (env VIGIL_ORIGIN, default the key name)')
    .exitOverride()
    .showHelpAfterError(false);
  program.addCommand(serveCommand());
  program.addCommand(keysCommand());
  program.addCommand(tokensCommand());
  program.addCommand(ledgerCommand());
  program.addCommand(scanCommand());
  program.addCommand(rulesCommand());
  for (const c of program.commands) {
    c.exitOverride();
    for (const sub of c.commands) sub.exitOverride();
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command that finished with a verdict (e.g. scan: 3 when blocked) sets process.exitCode.
    const code = process.exitCode;
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message (or the help text).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isVigilError(e)) {
      process.stderr.write(`vigil: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`vigil: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
