/**
 * Child process for test/ledger-crash-safety.test.ts: appends to the ledger in <dataDir> (argv[2]) forever,
 * keeping IN_FLIGHT appends outstanding, and prints each receipt as one JSON line on stdout as soon as its
 * promise resolved (that is, after its batch committed). The test kills it with SIGKILL mid-stream.
 */
import { Ledger } from '../../src/ledger/index.js';
import { parseAppendRequest } from '../../src/entry/index.js';

const IN_FLIGHT = 200;
const FILLER = 'lorem ipsum dolor sit amet '.repeat(12); // a payload of a few hundred bytes

const dataDir = process.argv[2];
if (dataDir === undefined) {
  process.stderr.write('usage: append-child.ts DATA_DIR\n');
  process.exit(2);
}

const ledger = Ledger.open({ dataDir, synchronous: 'FULL' });
if (!ledger.stat().appendable) {
  process.stderr.write(`ledger not appendable: ${ledger.stat().problem ?? ''}\n`);
  process.exit(3);
}

let next = 0;
let outstanding = 0;

function fail(e: unknown): never {
  process.stderr.write(`append failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}

function topUp(): void {
  while (outstanding < IN_FLIGHT) {
    const n = next++;
    outstanding++;
    const request = parseAppendRequest({
      kind: 'tool_call',
      agent: 'crash-child',
      session: `pid-${process.pid}`,
      meta: { n },
      payload: `${process.pid}/${n} ${FILLER}`,
    });
    ledger.append(request).then((receipt) => {
      outstanding--;
      process.stdout.write(JSON.stringify(receipt) + '\n');
      topUp();
    }, fail);
  }
}

topUp();
