/**
 * The pure verification engine. It imports no storage and no network code: the CLI, the service and the
 * evidence export hand it what they read, and it trusts none of it. Everything is recomputed from leaf bytes
 * and checked against checkpoints signed by keys that chain back to the one key the auditor holds.
 *
 * One pass, in index order: decode every leaf (canonical JSON, v1 schema), check its index and the hash
 * chain (`prev`), grow the Merkle tree, and whenever the tree reaches a checkpoint's size, check that
 * checkpoint's signature and root. Payloads, where present, must open their commitments; a payload that is
 * gone must be named by an erasure entry. A pinned checkpoint kept from earlier must be a prefix of this log.
 * The report names the first failure with its index and a typed code.
 *
 * This is the serial engine; parallel.ts spreads the per-entry work over worker threads and returns the
 * same report. The checks and their order live in core.ts, shared by both.
 */
import { Buffer } from 'node:buffer';
import { EMPTY_ROOT, LEAF_HASH_PREFIX, LeanRange, encodeBase64, parseVerifierKey, sha256Base64, type VerifierKey } from '../tlog/index.js';
import {
  Failure,
  Walk,
  decodeAt,
  erasureAt,
  failChain,
  failIndex,
  failPayload,
  failTimestamp,
  failWith,
  newReport,
  payloadOpens,
  rotationAt,
  type LedgerEvidence,
  type PayloadEvidence,
  type VerificationReport,
  type VerifyOptions,
} from './core.js';

export type { LedgerEvidence, PayloadEvidence, VerificationReport, VerifyFailure, VerifyFailureCode, VerifyOptions } from './core.js';

/** Verifies a whole ledger. Never throws for bad evidence: problems come back as `failure`. */
export function verifyLedger(evidence: LedgerEvidence, options: VerifyOptions): VerificationReport {
  // A malformed trusted key is the caller's usage error (it throws), not a verification result.
  const trusted = parseVerifierKey(options.trustedKey);
  const report = newReport(options, evidence.payloads !== undefined, encodeBase64(EMPTY_ROOT));
  const range = new LeanRange();
  try {
    run(evidence, options, trusted, report, range);
    report.ok = true;
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    report.failure = e.failure;
  }
  report.size = range.size;
  report.root = encodeBase64(range.root());
  return report;
}

/** A reusable buffer that grows: 0x00 ‖ leaf for the leaf hash, salt ‖ body for a commitment. */
class Scratch {
  #buffer = Buffer.allocUnsafeSlow(4096);

  /** prefix byte (or none when prefix < 0) ‖ a ‖ b, as a view valid until the next call */
  fill(prefix: number, a: Uint8Array, b?: Uint8Array): Uint8Array {
    const start = prefix < 0 ? 0 : 1;
    const length = start + a.length + (b === undefined ? 0 : b.length);
    if (length > this.#buffer.length) this.#buffer = Buffer.allocUnsafeSlow(Math.max(length, 2 * this.#buffer.length));
    const buffer = this.#buffer;
    if (start === 1) buffer[0] = prefix;
    buffer.set(a, start);
    if (b !== undefined) buffer.set(b, start + a.length);
    return buffer.subarray(0, length);
  }
}

function run(evidence: LedgerEvidence, options: VerifyOptions, trusted: VerifierKey, report: VerificationReport, range: LeanRange): void {
  const walk = new Walk(evidence.checkpoints, options, trusted, report);
  walk.checkpointsAt(0, EMPTY_ROOT);
  const payloadIt = evidence.payloads?.[Symbol.iterator]();
  try {
    walkEntries(evidence, options, report, range, walk, payloadIt);
  } finally {
    // Stop the payload stream too when the walk ends early (a database cursor must not stay open).
    payloadIt?.return?.();
  }
}

function walkEntries(
  evidence: LedgerEvidence,
  options: VerifyOptions,
  report: VerificationReport,
  range: LeanRange,
  walk: Walk,
  payloadIt: Iterator<PayloadEvidence> | undefined,
): void {
  const scratch = new Scratch();
  let nextPayload = payloadIt?.next();
  let prevHash: string | undefined;
  let prevTs = '';
  const every = options.progressEvery ?? 65536;
  const onProgress = options.onProgress;

  let position = 0;
  for (const row of evidence.entries) {
    if (!(row.leaf instanceof Uint8Array)) failWith('ENTRY_MALFORMED', `entry ${position}: the leaf is not a byte array`, { index: position });
    const entry = decodeAt(row.leaf, position);
    if (entry.index !== position || row.index !== position) failIndex(position, entry.index);
    if (entry.prev !== prevHash) failChain(position);
    if (entry.ts < prevTs) failTimestamp(position, entry.ts);
    prevTs = entry.ts;
    report.firstTimestamp ??= entry.ts;
    prevHash = sha256Base64(scratch.fill(LEAF_HASH_PREFIX, row.leaf));
    range.appendBase64(prevHash);

    if (entry.kind === 'key_rotation') walk.addRotation(rotationAt(entry, position));
    else if (entry.kind === 'erasure') walk.addErasure(position, erasureAt(entry, position));

    if (payloadIt) {
      while (nextPayload && !nextPayload.done && nextPayload.value.index < position) nextPayload = payloadIt.next();
      if (nextPayload && !nextPayload.done && nextPayload.value.index === position) {
        const p = nextPayload.value;
        const usable = p.salt instanceof Uint8Array && p.body instanceof Uint8Array;
        if (!usable || !payloadOpens(entry, p.salt.length, p.body.length, scratch.fill(-1, p.salt, p.body))) failPayload(position);
        walk.presentButErasable.push(position);
        report.payloads.present++;
        nextPayload = payloadIt.next();
      } else {
        walk.absent.push(position);
      }
    }
    position++;
    if (walk.eventAt(position)) walk.checkpointsAt(position, range.root());
    if (onProgress && position % every === 0) onProgress(position);
  }
  walk.conclude(position, prevTs, payloadIt !== undefined);
}
