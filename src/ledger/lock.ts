/**
 * One writer per ledger. The ledger keeps its tree's frontier in memory, so a second process appending to
 * the same file would be refused at its first commit and leave the first one stuck; instead the second
 * one is refused at open, with a message that says who holds the ledger. The lock is a file created with
 * O_EXCL holding the owner's pid and host; a lock whose process is gone (a crash) is taken over.
 * Readers (verify, export, subject lookups) open the database read-only and take no lock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VigilError } from '../errors.js';

export const LOCK_FILE = 'ledger.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the ledger's write lock in `dataDir`; returns the function that releases it. */
export function acquireLedgerLock(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n${os.hostname()}\n`, { flag: 'wx', mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        fs.rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new VigilError('IO_ERROR', `cannot create ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let pid = NaN;
    let host = '';
    try {
      [pid, host] = ((lines: string[]) => [Number(lines[0]), lines[1] ?? ''] as const)(fs.readFileSync(file, 'utf8').split('\n'));
    } catch {
      continue; // removed meanwhile: try again
    }
    const sameHost = host === os.hostname();
    if (Number.isSafeInteger(pid) && pid > 0 && (!sameHost || alive(pid))) {
      throw new VigilError(
        'LEDGER_LOCKED',
        `the ledger in ${dataDir} is open for writing by process ${pid}${sameHost ? '' : ` on ${host}`} (a running "vigil serve"?): stop it, or use its HTTP API`,
        { pid },
      );
    }
    fs.rmSync(file, { force: true }); // its process is gone: a stale lock
  }
  throw new VigilError('LEDGER_LOCKED', `the ledger in ${dataDir} could not be locked for writing`);
}
