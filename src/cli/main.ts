/**
 * The `vigil` command. Errors reach the user as one plain line on stderr and the exit code from the error
 * catalogue (2 usage or input, 3 ledger state); never a stack trace, never a payload or a secret.
 */
import { Command, CommanderError } from 'commander';
import { isVigilError } from '../errors.js';
import type { VerifyIo } from './verify/common.js';

/**
 * The commands and the modules that define them, in help order. A module is loaded only when its command
 * runs (all of them for help or an unknown command): the service and the DLP engine take seconds to load,
 * and `vigil verify` or `vigil keys` need neither.
 */
const COMMANDS: ReadonlyArray<{ names: readonly string[]; load: (io: VerifyIo | undefined) => Promise<Command[]> }> = [
  { names: ['serve'], load: async () => [(await import('./commands/serve.js')).serveCommand()] },
  { names: ['keys'], load: async () => [(await import('./commands/keys.js')).keysCommand()] },
  { names: ['tokens'], load: async () => [(await import('./commands/tokens.js')).tokensCommand()] },
  { names: ['ledger'], load: async () => [(await import('./commands/ledger.js')).ledgerCommand()] },
  {
    names: ['scan', 'rules'],
    load: async () => {
      const m = await import('./commands/scan.js');
      return [m.scanCommand(), m.rulesCommand()];
    },
  },
  { names: ['export'], load: async () => [(await import('./commands/export.js')).exportCommand()] },
  {
    names: ['subjects', 'erase', 'retention'],
    load: async () => {
      const m = await import('./commands/privacy.js');
      return [m.subjectsCommand(), m.eraseCommand(), m.retentionCommand()];
    },
  },
  { names: ['verify'], load: async (io) => [(await import('./commands/verify.js')).verifyCommand(io)] },
];

/** Global options that take a value (so the value is not mistaken for the command's name). */
const GLOBAL_WITH_VALUE = new Set(['--data-dir', '--origin']);

/** The command `argv` names: its first word that is neither an option nor a global option's value. */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (GLOBAL_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * The program with the commands `argv` needs (every command when `argv` is not given or names none that
 * exists); `io` (in-process runs, e.g. tests) receives what `vigil verify` and commander print.
 */
export async function buildProgram(io?: VerifyIo, argv?: readonly string[]): Promise<Command> {
  const program = new Command('vigil')
    .description('tamper-evident audit ledger and DLP filter for AI agents')
    .option('--data-dir <dir>', 'folder with the ledger database and signing keys (env VIGIL_DATA_DIR, default data/local/)')
    .option('--origin <origin>', 'checkpoint origin line of a new ledger (env VIGIL_ORIGIN, default the key name)')
    .exitOverride()
    .showHelpAfterError(false);
  const name = argv === undefined ? undefined : commandName(argv);
  const only = COMMANDS.filter((c) => name !== undefined && c.names.includes(name));
  for (const group of only.length > 0 ? only : COMMANDS) for (const command of await group.load(io)) program.addCommand(command);
  const output = io === undefined ? undefined : { writeOut: (s: string) => void io.stdout.write(s), writeErr: (s: string) => void io.stderr.write(s) };
  for (const c of program.commands) {
    c.exitOverride();
    if (output) c.configureOutput(output);
    for (const sub of c.commands) sub.exitOverride();
  }
  if (output) program.configureOutput(output);
  return program;
}

/**
 * Runs the CLI on `argv` and returns the exit code. With `io`, `vigil verify` runs in-process against it (its
 * output, its one-line errors and its verdict), so tests can run many verifications concurrently.
 */
export async function main(argv: string[], io?: VerifyIo): Promise<number> {
  const stderr = io?.stderr ?? process.stderr;
  try {
    const program = await buildProgram(io, argv);
    await program.parseAsync(argv, { from: 'user' });
    const verdict = io === undefined ? undefined : (await import('./verify/common.js')).verdictOf(io);
    if (verdict !== undefined) return verdict;
    // A command that finished with a verdict (e.g. scan: 3 when blocked) sets process.exitCode.
    const code = process.exitCode;
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message (or the help text).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isVigilError(e)) {
      stderr.write(`vigil: ${e.message}\n`);
      return e.exitCode;
    }
    stderr.write(`vigil: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
