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
 */
import {
  CompactRange,
  EMPTY_ROOT,
  constantTimeEqual,
  encodeBase64,
  leafHash,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  verifyNote,
  decodeBase64,
  type VerifierKey,
} from '../tlog/index.js';
import { decodeEntry, openCommitment, type Entry } from '../entry/index.js';

export type VerifyFailureCode =
  | 'ENTRY_MALFORMED'
  | 'INDEX_MISMATCH'
  | 'CHAIN_BROKEN'
  | 'TIMESTAMP_REGRESSION'
  | 'CHECKPOINT_MALFORMED'
  | 'CHECKPOINT_SIGNATURE'
  | 'CHECKPOINT_ORIGIN'
  | 'CHECKPOINT_ROOT_MISMATCH'
  | 'CHECKPOINT_BEYOND_LOG'
  | 'NO_CHECKPOINT'
  | 'UNCOVERED_ENTRIES'
  | 'KEY_ROTATION_INVALID'
  | 'ERASURE_INVALID'
  | 'PAYLOAD_MISMATCH'
  | 'PAYLOAD_MISSING'
  | 'PAYLOAD_NOT_ERASED'
  | 'PIN_MALFORMED'
  | 'PIN_BEYOND_LOG'
  | 'PIN_INCONSISTENT';

export interface VerifyFailure {
  code: VerifyFailureCode;
  /** the first entry index where the problem shows, when it concerns an entry */
  index?: number;
  /** the checkpoint's tree size, when it concerns a checkpoint */
  checkpointSize?: number;
  /** what is wrong, in one sentence */
  message: string;
}

/** A payload as storage holds it, in index order. Entries with no row here are treated as gone. */
export interface PayloadEvidence {
  index: number;
  salt: Uint8Array;
  body: Uint8Array;
}

/** What the engine reads. Every field is untrusted. */
export interface LedgerEvidence {
  /** Leaf bytes in storage order; position i must hold entry i. */
  entries: Iterable<{ index: number; leaf: Uint8Array }>;
  /** Signed checkpoint notes, any order. */
  checkpoints: Iterable<string>;
  /** Stored payloads in index order; omit to skip payload checks (e.g. an export without payloads). */
  payloads?: Iterable<PayloadEvidence>;
}

export interface VerifyOptions {
  /** The verifier key the auditor trusts: the ledger's first signing key. */
  trustedKey: string;
  /** Expected checkpoint origin; defaults to the origin of the first checkpoint. */
  origin?: string;
  /** A checkpoint note the auditor saved earlier: this log must extend it. */
  pinned?: string;
  /** Called every `progressEvery` entries with the count so far. */
  onProgress?: (entries: number) => void;
  progressEvery?: number;
}

export interface VerificationReport {
  ok: boolean;
  failure?: VerifyFailure;
  /** entries checked */
  size: number;
  /** base64 Merkle root over the entries checked */
  root: string;
  origin: string | undefined;
  checkpointsVerified: number;
  latestCheckpointSize: number;
  /** verifier keys that signed checkpoints, in order of first use */
  signers: string[];
  firstTimestamp: string | undefined;
  lastTimestamp: string | undefined;
  payloads: { checked: boolean; present: number; erased: number };
  /** payload index → index of the erasure entry that removed it */
  erasures: Array<{ index: number; erasureIndex: number }>;
  pin: { size: number; consistent: boolean } | undefined;
}

interface ParsedCheckpoint {
  note: string;
  size: number;
  origin: string;
  root: Uint8Array;
}

class Failure extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(failure.message);
  }
}

function failWith(code: VerifyFailureCode, message: string, where: { index?: number; checkpointSize?: number } = {}): never {
  throw new Failure({ code, message, ...where });
}

function parseCheckpointNote(note: string): ParsedCheckpoint {
  try {
    const body = parseNote(note).body;
    const cp = parseCheckpoint(body);
    return { note, size: cp.size, origin: cp.origin, root: cp.rootHash };
  } catch (e) {
    return failWith('CHECKPOINT_MALFORMED', `a stored checkpoint is malformed: ${(e as Error).message}`);
  }
}

/** Verifies a whole ledger. Never throws for bad evidence: problems come back as `failure`. */
export function verifyLedger(evidence: LedgerEvidence, options: VerifyOptions): VerificationReport {
  // A malformed trusted key is the caller's usage error (it throws), not a verification result.
  const trusted = parseVerifierKey(options.trustedKey);
  const report: VerificationReport = {
    ok: false,
    size: 0,
    root: encodeBase64(EMPTY_ROOT),
    origin: options.origin,
    checkpointsVerified: 0,
    latestCheckpointSize: 0,
    signers: [],
    firstTimestamp: undefined,
    lastTimestamp: undefined,
    payloads: { checked: evidence.payloads !== undefined, present: 0, erased: 0 },
    erasures: [],
    pin: undefined,
  };
  const range = CompactRange.empty();
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

function run(evidence: LedgerEvidence, options: VerifyOptions, trusted: VerifierKey, report: VerificationReport, range: CompactRange): void {
  const checkpoints = [...evidence.checkpoints].map(parseCheckpointNote).sort((a, b) => a.size - b.size);
  let origin = options.origin ?? checkpoints[0]?.origin;
  report.origin = origin;
  let active = trusted;
  const known = new Map<string, VerifierKey>([[trusted.text, trusted]]);
  const rotations: Array<{ index: number; previous: string; next: VerifierKey }> = [];
  const erasedBy = new Map<number, number>();
  const absent: number[] = [];
  const presentButErasable: number[] = [];

  let pin: ParsedCheckpoint | undefined;
  if (options.pinned !== undefined) {
    try {
      pin = parseCheckpointNote(options.pinned);
    } catch {
      failWith('PIN_MALFORMED', 'the pinned checkpoint is not a checkpoint note');
    }
  }

  let cpi = 0;
  const checkCheckpointsAt = (size: number): void => {
    while (cpi < checkpoints.length && (checkpoints[cpi] as ParsedCheckpoint).size === size) {
      const cp = checkpoints[cpi] as ParsedCheckpoint;
      origin ??= cp.origin;
      if (cp.origin !== origin) {
        failWith('CHECKPOINT_ORIGIN', `checkpoint at size ${size} is for origin "${cp.origin}", not "${origin}"`, { checkpointSize: size });
      }
      try {
        verifyNote(cp.note, [active]);
      } catch {
        failWith(
          'CHECKPOINT_SIGNATURE',
          `checkpoint at size ${size} is not signed by ${active.name} (${Buffer.from(active.keyId).toString('hex')}), the key in force at that point of the log`,
          { checkpointSize: size },
        );
      }
      if (!constantTimeEqual(cp.root, range.root())) {
        failWith('CHECKPOINT_ROOT_MISMATCH', `the entries do not reproduce the root of the checkpoint at size ${size}: an entry at or below index ${size - 1} was altered, removed or inserted`, { checkpointSize: size, index: size - 1 });
      }
      if (!report.signers.includes(active.text)) report.signers.push(active.text);
      report.checkpointsVerified++;
      report.latestCheckpointSize = size;
      cpi++;
      // Key rotations covered by this checkpoint, signed by the key they retire, take effect now.
      while (rotations.length > 0 && (rotations[0] as { index: number }).index < size) {
        const r = rotations.shift() as (typeof rotations)[number];
        if (r.previous !== active.text) {
          failWith('KEY_ROTATION_INVALID', `key_rotation entry ${r.index} retires ${r.previous}, but the key in force is ${active.text}`, { index: r.index });
        }
        active = r.next;
        known.set(r.next.text, r.next);
      }
    }
    if (pin && pin.size === size) {
      const consistent = constantTimeEqual(pin.root, range.root());
      report.pin = { size, consistent };
      if (!consistent) {
        failWith('PIN_INCONSISTENT', `this log's root at size ${size} differs from the pinned checkpoint: history before index ${size} was rewritten`, { checkpointSize: size });
      }
    }
  };

  checkCheckpointsAt(0);
  const payloadIt = evidence.payloads?.[Symbol.iterator]();
  try {
    walkAndConclude();
  } finally {
    // Stop the payload stream too when the walk ends early (a database cursor must not stay open).
    payloadIt?.return?.();
  }

  function walkAndConclude(): void {
  let nextPayload = payloadIt?.next();
  let prevHash: string | undefined;
  let prevTs = '';
  const every = options.progressEvery ?? 65536;

  let position = 0;
  for (const row of evidence.entries) {
    let entry: Entry;
    try {
      entry = decodeEntry(row.leaf);
    } catch (e) {
      failWith('ENTRY_MALFORMED', `entry ${position}: ${(e as Error).message}`, { index: position });
    }
    if (entry.index !== position || row.index !== position) {
      failWith('INDEX_MISMATCH', `position ${position} holds entry ${entry.index}: an entry was removed, inserted or moved`, { index: position });
    }
    if (entry.prev !== prevHash) {
      failWith('CHAIN_BROKEN', `entry ${position}: prev does not match the leaf hash of entry ${position - 1}: one of the two was altered`, { index: position });
    }
    if (entry.ts < prevTs) failWith('TIMESTAMP_REGRESSION', `entry ${position}: timestamp ${entry.ts} is earlier than the previous entry's`, { index: position });
    prevTs = entry.ts;
    report.firstTimestamp ??= entry.ts;
    const hash = leafHash(row.leaf);
    prevHash = encodeBase64(hash);
    range.append(hash);

    if (entry.kind === 'key_rotation') {
      const next = entry.meta?.vkey;
      const previous = entry.meta?.previous;
      let key: VerifierKey;
      try {
        if (typeof next !== 'string' || typeof previous !== 'string') throw new Error('meta.vkey and meta.previous are required');
        key = parseVerifierKey(next);
      } catch (e) {
        failWith('KEY_ROTATION_INVALID', `key_rotation entry ${position}: ${(e as Error).message}`, { index: position });
      }
      rotations.push({ index: position, previous: previous as string, next: key });
    } else if (entry.kind === 'erasure') {
      const indexes = entry.meta?.indexes;
      if (!Array.isArray(indexes) || !indexes.every((i) => Number.isSafeInteger(i) && (i as number) >= 0 && (i as number) < position)) {
        failWith('ERASURE_INVALID', `erasure entry ${position} must list indexes of earlier entries`, { index: position });
      }
      for (const i of indexes as number[]) if (!erasedBy.has(i)) erasedBy.set(i, position);
    }

    if (payloadIt) {
      while (nextPayload && !nextPayload.done && nextPayload.value.index < position) nextPayload = payloadIt.next();
      if (nextPayload && !nextPayload.done && nextPayload.value.index === position) {
        const p = nextPayload.value;
        let commitment: Uint8Array;
        try {
          commitment = decodeBase64(entry.payload.commitment);
        } catch {
          commitment = new Uint8Array(0);
        }
        if (p.body.length !== entry.payload.size || !openCommitment(commitment, p.salt, p.body)) {
          failWith('PAYLOAD_MISMATCH', `entry ${position}: the stored payload does not match the entry's commitment: it was replaced or altered`, { index: position });
        }
        presentButErasable.push(position);
        report.payloads.present++;
        nextPayload = payloadIt.next();
      } else {
        absent.push(position);
      }
    }
    position++;
    checkCheckpointsAt(position);
    if (options.onProgress && position % every === 0) options.onProgress(position);
  }
  report.lastTimestamp = prevTs || undefined;

  if (cpi < checkpoints.length) {
    const cp = checkpoints[cpi] as ParsedCheckpoint;
    failWith('CHECKPOINT_BEYOND_LOG', `a checkpoint covers ${cp.size} entries but the log holds ${position}: entries from index ${position} on were removed`, { checkpointSize: cp.size, index: position });
  }
  if (position > 0 && checkpoints.length === 0) failWith('NO_CHECKPOINT', `the log holds ${position} entries and no signed checkpoint`);
  if (position > report.latestCheckpointSize) {
    failWith('UNCOVERED_ENTRIES', `entries ${report.latestCheckpointSize} to ${position - 1} are covered by no signed checkpoint: they were added outside the ledger`, { index: report.latestCheckpointSize });
  }
  if (pin && pin.size > position) {
    failWith('PIN_BEYOND_LOG', `the pinned checkpoint covers ${pin.size} entries but the log holds ${position}: history was truncated or rewritten`, { checkpointSize: pin.size });
  }
  if (pin) {
    try {
      verifyNote(pin.note, [...known.values()]);
    } catch {
      failWith('PIN_MALFORMED', 'the pinned checkpoint is not signed by the trusted key or a key the log rotated to', { checkpointSize: pin.size });
    }
  }
  if (payloadIt) {
    for (const i of absent) {
      const by = erasedBy.get(i);
      if (by === undefined) failWith('PAYLOAD_MISSING', `entry ${i}: its payload is gone and no erasure entry names it`, { index: i });
      report.erasures.push({ index: i, erasureIndex: by });
    }
    for (const i of presentButErasable) {
      const by = erasedBy.get(i);
      if (by !== undefined) failWith('PAYLOAD_NOT_ERASED', `entry ${i}: erasure entry ${by} says its payload was erased, but it is still stored`, { index: i });
    }
    report.payloads.erased = absent.length;
  } else {
    for (const [i, by] of erasedBy) report.erasures.push({ index: i, erasureIndex: by });
  }
  }
}
