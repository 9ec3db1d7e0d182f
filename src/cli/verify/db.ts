/**
 * `vigil verify --db FILE`: the ledger file read through LedgerFileReader (read-only file descriptors, no
 * SQLite, nothing ever written or created next to the file), checked by the verification engine: the
 * parallel engine for large ledgers (the same report as the serial one), or, with --from/--to, a range
 * against the latest checkpoint with inclusion proofs computed from the stored tree (tlog's inclusionProof
 * over storedNodeSource, as the ledger computes them).
 *
 * A writer working on the file while it is read may tear what is read; that can only make verification
 * fail. When a failure coincides with a change of the file, the file is read again (up to ATTEMPTS times).
 */
import { availableParallelism } from 'node:os';
import { VigilError, isVigilError } from '../../errors.js';
import { LedgerFileReader, fileEvidence, storedNodeSource } from '../../ledger/index.js';
import { consistencyProof, inclusionProof, parseCheckpoint, parseNote } from '../../tlog/index.js';
import { ProofUnavailable, fromEngineReport, verifyLedger, verifyLedgerParallel, verifyRange, type AuditResult, type RangeEvidence } from '../../audit/index.js';
import { rangeCheckOptions, type Progress } from './common.js';

/** From this many entries on, full verification runs on worker threads (when the machine has more than one core). */
export const PARALLEL_MIN_ENTRIES = 65_536;
/** Reads of a file that keeps changing under a failing verification, before the failure is reported as it is. */
const ATTEMPTS = 3;

export interface FileVerifyOptions {
  file: string;
  trustedKey: string;
  pinned: string | undefined;
  /** entries from..to (inclusive) against the latest checkpoint; undefined: the whole log */
  range: { from: number | undefined; to: number | undefined } | undefined;
  /** 0: the serial engine; n: the parallel engine with n workers; undefined: by size */
  workers: number | undefined;
  progress: Progress;
}

export interface SourceOutcome {
  result: AuditResult;
  /** the latest checkpoint this run verified (what --update-pin stores) */
  latest: string | undefined;
}

export async function verifyLedgerFile(options: FileVerifyOptions): Promise<SourceOutcome> {
  for (let attempt = 1; ; attempt++) {
    const reader = LedgerFileReader.open(options.file);
    let outcome: SourceOutcome;
    let changed: boolean;
    try {
      outcome = options.range ? await verifyFileRange(reader, options) : await verifyWholeFile(reader, options);
      changed = reader.changed();
    } catch (e) {
      changed = reader.changed();
      if (changed && attempt < ATTEMPTS) continue;
      throw e;
    } finally {
      reader.close();
    }
    if (outcome.result.ok || !changed) return outcome;
    if (attempt >= ATTEMPTS) {
      outcome.result.notes.push(`the ledger file changed while it was read (a writer is working on it) in each of ${ATTEMPTS} attempts; this failure may come from reading during a write: run again to confirm`);
      return outcome;
    }
  }
}

async function verifyWholeFile(reader: LedgerFileReader, options: FileVerifyOptions): Promise<SourceOutcome> {
  const size = reader.size();
  const evidence = fileEvidence(reader);
  const cores = availableParallelism();
  const workers = options.workers ?? (size >= PARALLEL_MIN_ENTRIES && cores > 1 ? cores : 0);
  options.progress.stage('verifying', size);
  const engineOptions = { trustedKey: options.trustedKey, pinned: options.pinned, onProgress: (n: number) => options.progress.update(n), progressEvery: 8192 };
  const report = workers > 0 ? await verifyLedgerParallel(evidence, { ...engineOptions, workers }) : verifyLedger(evidence, engineOptions);
  const result = fromEngineReport(report, { type: 'db', path: options.file });
  let latest: string | undefined;
  if (report.ok) latest = evidence.checkpoints.find((note) => checkpointSize(note) === report.latestCheckpointSize);
  return { result, latest };
}

async function verifyFileRange(reader: LedgerFileReader, options: FileVerifyOptions): Promise<SourceOutcome> {
  const latest = reader.latestCheckpoint();
  if (latest === undefined && reader.size() === 0) throw new VigilError('INVALID_INPUT', `${options.file} holds an empty ledger: there is no range to check`);
  const nodes = storedNodeSource(reader);
  const proof = (make: () => Uint8Array[]): Promise<Uint8Array[]> => {
    try {
      return Promise.resolve(make());
    } catch (e) {
      // The stored tree cannot give this proof (a node is missing or malformed): the entry cannot be proven.
      if (isVigilError(e) && e.code !== 'IO_ERROR') return Promise.reject(new ProofUnavailable(e.message));
      return Promise.reject(e);
    }
  };
  const evidence: RangeEvidence = {
    checkpoint: latest?.note,
    entries: (from) => reader.iterateLeaves(from),
    inclusionProof: (index, size) => proof(() => inclusionProof(nodes, index, size)),
    consistencyProof: (from, to) => proof(() => consistencyProof(nodes, from, to)),
    leaf: (index) => Promise.resolve(reader.readLeaf(index)),
    payload: (index) => {
      const p = reader.readPayload(index);
      if (p.state === 'present') return Promise.resolve({ state: 'present', salt: p.salt, body: p.body });
      if (p.state === 'erased') return Promise.resolve({ state: 'erased', erasureIndex: p.erasureIndex });
      return Promise.resolve({ state: 'missing' });
    },
  };
  const result = await verifyRange(evidence, rangeCheckOptions(options), { type: 'db', path: options.file });
  return { result, latest: result.ok ? latest?.note : undefined };
}

/** The tree size a checkpoint note states, or -1 when it is not a checkpoint. */
export function checkpointSize(note: string): number {
  try {
    return parseCheckpoint(parseNote(note).body).size;
  } catch {
    return -1;
  }
}
