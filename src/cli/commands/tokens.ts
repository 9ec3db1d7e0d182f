import { Command } from 'commander';
import { VigilError } from '../../errors.js';
import { SCOPES, TokenStore, type Scope } from '../../service/tokens.js';
import { globalOptions } from '../options.js';

function parseScopes(list: string): Scope[] {
  const scopes = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = scopes.filter((s) => !SCOPES.includes(s as Scope));
  if (scopes.length === 0 || unknown.length > 0) throw new VigilError('INVALID_INPUT', `--scopes takes a comma-separated list of ${SCOPES.join(', ')}`, { path: 'scopes' });
  return scopes as Scope[];
}

/** `vigil tokens create|list|revoke`: the service's bearer tokens, managed on the data directory itself. */
export function tokensCommand(): Command {
  const tokens = new Command('tokens').description('create, list and revoke the service bearer tokens (tokens.db in the data directory)');

  tokens
    .command('create')
    .description('mint a token and print it once (only its hash is stored)')
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`)
    .option('--agent <agent>', 'the only agent the token may act for')
    .option('--task <task>', 'the only task the token may act for (needs --agent)')
    .option('--ttl <seconds>', 'lifetime in seconds (default 3600)')
    .option('--json', 'print the token and its grant as JSON')
    .action((opts: { scopes: string; agent?: string; task?: string; ttl?: string; json?: boolean }, cmd: Command) => {
      const ttl = opts.ttl === undefined ? undefined : /^\d+$/.test(opts.ttl) ? Number(opts.ttl) : Number.NaN;
      const store = new TokenStore(globalOptions(cmd).dataDir);
      try {
        const minted = store.mint({ scopes: parseScopes(opts.scopes), agent: opts.agent, task: opts.task, ttlSeconds: ttl });
        if (opts.json) process.stdout.write(JSON.stringify({ id: minted.id, token: minted.token, scopes: minted.scopes, agent: minted.agent ?? null, task: minted.task ?? null, expiresAt: minted.expiresAt ?? null }) + '\n');
        else process.stdout.write(`${minted.token}\n`);
        process.stderr.write(`token ${minted.id}: ${minted.scopes.join(',')}${minted.agent ? ` for agent ${minted.agent}` : ''}${minted.task ? `, task ${minted.task}` : ''}, expires ${minted.expiresAt ?? 'never'}\n`);
      } finally {
        store.close();
      }
    });

  tokens
    .command('list')
    .description('list tokens (ids, scopes, agent, task, expiry, revocation; never secrets)')
    .option('--json', 'one JSON object per line')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const store = new TokenStore(globalOptions(cmd).dataDir);
      try {
        for (const t of store.list()) {
          if (opts.json) process.stdout.write(JSON.stringify(t) + '\n');
          else process.stdout.write(`${t.id}  ${t.scopes.join(',').padEnd(20)}  agent=${t.agent ?? '*'}  task=${t.task ?? '*'}  expires=${t.expiresAt ?? 'never'}${t.revokedAt ? `  revoked=${t.revokedAt}` : ''}\n`);
        }
      } finally {
        store.close();
      }
    });

  tokens
    .command('revoke')
    .description('revoke a token by id: the next call with it fails')
    .argument('<id>', 'the token id (the part after vigil_)')
    .action((id: string, _opts: unknown, cmd: Command) => {
      const store = new TokenStore(globalOptions(cmd).dataDir);
      try {
        if (store.get(id) === undefined) throw new VigilError('NOT_FOUND', `no token ${id}`);
        if (!store.revoke(id)) process.stderr.write(`token ${id} was already revoked\n`);
        else process.stderr.write(`token ${id} revoked\n`);
      } finally {
        store.close();
      }
    });
  return tokens;
}
