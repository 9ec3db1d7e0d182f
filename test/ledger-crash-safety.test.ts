/**
 * `kill -9` of a process in the middle of a stream of appends loses no entry whose receipt was returned, and
 * the ledger reopens and verifies. The appender is a real child process (test/support/append-child.ts) that
 * keeps ~200 appends in flight and prints each receipt once its promise resolved; the test kills it with
 * SIGKILL while it is streaming, twice on the same data directory, and checks every printed receipt.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkConsistency, checkInclusion, decodeBase64, encodeBase64, parseCheckpoint, parseVerifierKey, verifyNote, type Checkpoint } from '../src/tlog/index.js';
import { parseAppendRequest } from '../src/entry/index.js';
import { verifyLedger } from '../src/audit/index.js';
import { Ledger, generateKey, storeEvidence, type Receipt } from '../src/ledger/index.js';
import { tempDataDir } from './support/ledger-fixture.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = 'test/support/append-child.ts';
const KILL_AFTER = 3000;
const CHILD_TIMEOUT_MS = 20_000;

interface Run {
  /** every complete receipt line the child printed, in order */
  receipts: Receipt[];
  /** bytes after the last newline (a line cut by the kill), ignored */
  partial: string;
  signal: NodeJS.Signals | null;
  code: number | null;
}

/** Starts the appender on `dataDir`, SIGKILLs it once `killAfter` receipts arrived, and collects its output. */
function appendUntilKilled(dataDir: string, killAfter: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let lines = 0;
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child printed only ${lines} receipts in ${CHILD_TIMEOUT_MS} ms; stderr: ${err}`));
    }, CHILD_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      for (const c of chunk) if (c === '\n') lines++;
      if (!killed && lines >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!killed) {
        reject(new Error(`the child ended by itself (code ${String(code)}, signal ${String(signal)}) after ${lines} receipts; stderr: ${err}`));
        return;
      }
      const cut = out.lastIndexOf('\n');
      const complete = out.slice(0, cut + 1);
      const receipts = complete
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Receipt);
      resolve({ receipts, partial: out.slice(cut + 1), signal, code });
    });
  });
}

function sha256Leaf(leaf: Uint8Array): string {
  return createHash('sha256').update(Buffer.from([0])).update(leaf).digest('base64');
}

/** Reopens the ledger after a crash and checks every receipt ever printed against it. */
function checkAfterCrash(dataDir: string, vkey: string, receipts: readonly Receipt[]): Ledger {
  const ledger = Ledger.open({ dataDir });
  const stat = ledger.stat();
  expect(stat.problem).toBeUndefined();
  expect(stat.appendable).toBe(true);

  const key = parseVerifierKey(vkey);
  const stored = new Map([...ledger.storage.iterateCheckpoints()].map((c) => [c.size, c.note]));
  const latestNote = ledger.latestCheckpoint();
  if (latestNote === undefined) throw new Error('the reopened ledger has no checkpoint');
  const latest = parseCheckpoint(verifyNote(latestNote, [key]).body);
  expect(latest.size).toBe(ledger.size);

  const seenIndexes = new Set<number>();
  const checkedNotes = new Map<string, Checkpoint>();
  for (const r of receipts) {
    expect(seenIndexes.has(r.index), `index ${r.index} was receipted twice`).toBe(false);
    seenIndexes.add(r.index);
    // The entry is there, and it is the one the receipt names.
    expect(r.index).toBeLessThan(ledger.size);
    const leaf = ledger.readLeaf(r.index);
    expect(sha256Leaf(leaf), `leaf hash of entry ${r.index}`).toBe(r.leafHash);

    // The receipt's checkpoint is signed by the key and was kept by the ledger (or superseded consistently).
    let cp = checkedNotes.get(r.checkpoint);
    if (cp === undefined) {
      cp = parseCheckpoint(verifyNote(r.checkpoint, [key]).body);
      expect(cp.origin).toBe(ledger.origin);
      expect(cp.size).toBeLessThanOrEqual(latest.size);
      if (stored.get(cp.size) !== r.checkpoint) expect(latest.size, `no stored checkpoint matches size ${cp.size}`).toBeGreaterThan(cp.size);
      if (cp.size < latest.size) {
        const proof = ledger.consistencyProof(cp.size, latest.size);
        expect(checkConsistency(cp.size, latest.size, proof, cp.rootHash, latest.rootHash), `checkpoint ${cp.size} → ${latest.size}`).toEqual({ ok: true });
      } else {
        expect(encodeBase64(cp.rootHash)).toBe(encodeBase64(latest.rootHash));
      }
      checkedNotes.set(r.checkpoint, cp);
    }
    const proof = r.proof.map((p) => decodeBase64(p));
    expect(checkInclusion(decodeBase64(r.leafHash), r.index, cp.size, proof, cp.rootHash), `inclusion of entry ${r.index}`).toEqual({ ok: true });
  }

  const report = verifyLedger(storeEvidence(ledger.storage), { trustedKey: vkey });
  expect(report.failure).toBeUndefined();
  expect(report.ok).toBe(true);
  expect(report.size).toBe(ledger.size);
  return ledger;
}

describe('a kill -9 in the middle of a stream of appends', () => {
  it('loses no receipted entry, and the ledger reopens, verifies and accepts appends, after each of two kills', async () => {
    const dataDir = tempDataDir();
    const vkey = generateKey(dataDir, 'crash.example/ledger').verifierKey;
    const all: Receipt[] = [];

    for (let round = 1; round <= 2; round++) {
      const sizeBefore = all.length === 0 ? 0 : Math.max(...all.map((r) => r.index)) + 1;
      const run = await appendUntilKilled(dataDir, KILL_AFTER + Math.floor(Math.random() * 500));
      expect(run.signal).toBe('SIGKILL');
      expect(run.receipts.length).toBeGreaterThanOrEqual(KILL_AFTER);
      // The new process continued the same log: its receipts come after every earlier one.
      expect(Math.min(...run.receipts.map((r) => r.index))).toBeGreaterThanOrEqual(sizeBefore);
      all.push(...run.receipts);

      const ledger = checkAfterCrash(dataDir, vkey, all);
      const size = ledger.size;
      expect(size).toBeGreaterThanOrEqual(Math.max(...all.map((r) => r.index)) + 1);
      const after = await ledger.append(parseAppendRequest({ kind: 'prompt', agent: 'after-crash', payload: `round ${round}` }));
      expect(after.index).toBe(size);
      const cp = parseCheckpoint(verifyNote(after.checkpoint, [parseVerifierKey(vkey)]).body);
      expect(checkInclusion(decodeBase64(after.leafHash), after.index, cp.size, after.proof.map((p) => decodeBase64(p)), cp.rootHash)).toEqual({ ok: true });
      all.push(after);
      await ledger.close();
    }
    expect(all.length).toBeGreaterThanOrEqual(2 * KILL_AFTER + 2);
  });
});
