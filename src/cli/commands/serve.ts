import { Command } from 'commander';
import { DEFAULT_DATA_DIR } from '../options.js';

const ABOUT = `Vigil keeps AI agents honest at runtime.

  1. A tamper-evident audit ledger: every prompt, tool call, tool result and response is
     hash-chained into an RFC 6962 Merkle tree and covered by Ed25519-signed C2SP checkpoints.
  2. A DLP output filter (coming): regulated data is redacted or blocked before release.

The HTTP service is not built yet. Try the ledger from the command line:

  npx vigil keys generate --name example.org/my-ledger
  echo '{"kind":"prompt","agent":"demo","payload":"hello"}' | npx vigil ledger append
  npx vigil ledger stat
  npx vigil keys show

Data lives in ${DEFAULT_DATA_DIR}/ unless --data-dir or VIGIL_DATA_DIR says otherwise.
`;

export function serveCommand(): Command {
  return new Command('serve').description('run the service (not built yet: prints how to try the ledger)').action(() => {
    process.stdout.write(ABOUT);
  });
}
