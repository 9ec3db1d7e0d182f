import path from 'node:path';
import type { Command } from 'commander';

/** Default runtime folder, relative to the working directory; git-ignored. */
export const DEFAULT_DATA_DIR = path.join('data', 'local');

export interface GlobalOptions {
  dataDir: string;
  /** checkpoint origin for a new ledger (an existing ledger's origin cannot change) */
  origin: string | undefined;
}

/** --data-dir, else VIGIL_DATA_DIR, else data/local/; --origin, else VIGIL_ORIGIN, else the key name. */
export function globalOptions(command: Command): GlobalOptions {
  const opts = command.optsWithGlobals<{ dataDir?: string; origin?: string }>();
  return {
    dataDir: path.resolve(opts.dataDir ?? process.env.VIGIL_DATA_DIR ?? DEFAULT_DATA_DIR),
    origin: opts.origin ?? (process.env.VIGIL_ORIGIN || undefined),
  };
}
