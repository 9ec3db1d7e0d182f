import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { VigilError } from '../../errors.js';
import { DATABASE_FILE, Ledger, defaultKeyName, generateKey, loadKeys } from '../../ledger/index.js';
import { globalOptions } from '../options.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description('signing keys: generate, show, rotate');

  keys
    .command('generate')
    .description('create the ledger signing key (file mode 0600; the secret is never printed)')
    .option('--name <name>', 'key name, also the default checkpoint origin')
    .action((opts: { name?: string }, cmd: Command) => {
      const { dataDir } = globalOptions(cmd);
      if (loadKeys(dataDir).length > 0) {
        throw new VigilError('KEY_EXISTS', `a signing key already exists in ${path.join(dataDir, 'keys')}; use "vigil keys rotate" to replace it`);
      }
      const signer = generateKey(dataDir, opts.name ?? defaultKeyName());
      process.stdout.write(`generated signing key "${signer.name}"\nverifier key: ${signer.verifierKey}\n`);
    });

  keys
    .command('show')
    .description('print the active verifier key string, on one line')
    .action((_opts: unknown, cmd: Command) => {
      const { dataDir } = globalOptions(cmd);
      if (fs.existsSync(path.join(dataDir, DATABASE_FILE))) {
        const ledger = Ledger.open({ dataDir, origin: globalOptions(cmd).origin });
        const vkey = ledger.verifierKey;
        void ledger.close();
        if (!vkey) throw new VigilError('KEY_MISSING', `the ledger's active signing key is not in ${path.join(dataDir, 'keys')}`);
        process.stdout.write(vkey + '\n');
        return;
      }
      const all = loadKeys(dataDir);
      if (all.length !== 1) throw new VigilError('KEY_MISSING', `no signing key in ${path.join(dataDir, 'keys')}; run "vigil keys generate"`);
      process.stdout.write((all[0] as (typeof all)[number]).verifierKey + '\n');
    });

  keys
    .command('rotate')
    .description('make a new signing key; a key_rotation entry signed by the old key introduces it')
    .option('--name <name>', 'name of the new key (default: the current key name)')
    .action(async (opts: { name?: string }, cmd: Command) => {
      const { dataDir, origin } = globalOptions(cmd);
      const ledger = Ledger.open({ dataDir, origin });
      try {
        const current = ledger.stat();
        if (!current.verifierKey) throw new VigilError('KEY_MISSING', 'the active signing key is not in the data directory');
        const name = opts.name ?? current.verifierKey.split('+')[0] ?? defaultKeyName();
        const next = generateKey(dataDir, name);
        try {
          const receipt = await ledger.rotateKey(next, 'vigil-cli');
          process.stdout.write(JSON.stringify(receipt) + '\n');
          process.stderr.write(`new verifier key: ${next.verifierKey}\n`);
        } catch (e) {
          // The key never signed anything: remove it so the data directory holds no orphan key.
          fs.rmSync(path.join(dataDir, 'keys', `${Buffer.from(next.keyId).toString('hex')}.key`), { force: true });
          throw e;
        }
      } finally {
        await ledger.close();
      }
    });
  return keys;
}
