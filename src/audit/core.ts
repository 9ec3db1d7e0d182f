/**
 * What both verification engines share, so that they cannot drift apart: the failure type, the per-entry
 * checks with their messages, and `Walk`, the state that follows a log in index order (checkpoints and
 * their signatures through key rotations, the pin, erasures, payload bookkeeping, the final conclusions).
 * The serial engine (verify.ts) calls these entry by entry; the parallel one (parallel.ts) runs the
 * per-entry checks in workers (verify-worker.ts) and replays their results into one Walk in index order.
 * Pure: no storage, no network.
 */
import { parseCheckpoint, parseNote, parseVerifierKey, verifyNote, constantTimeEqual, sha256Base64, type VerifierKey } from '../tlog/index.js';
import { decodeEntry, SALT_BYTES, type Entry } from '../entry/index.js';

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

export class Failure extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(failure.message);
  }
}

export function failWith(code: VerifyFailureCode, message: string, where: { index?: number; checkpointSize?: number } = {}): never {
  throw new Failure({ code, message, ...where });
}

export interface ParsedCheckpoint {
  note: string;
  size: number;
  origin: string;
  root: Uint8Array;
}

export function parseCheckpointNote(note: string): ParsedCheckpoint {
  try {
    const body = parseNote(note).body;
    const cp = parseCheckpoint(body);
    return { note, size: cp.size, origin: cp.origin, root: cp.rootHash };
  } catch (e) {
    return failWith('CHECKPOINT_MALFORMED', `a stored checkpoint is malformed: ${(e as Error).message}`);
  }
}

export function newReport(options: VerifyOptions, payloadsChecked: boolean, emptyRoot: string): VerificationReport {
  return {
    ok: false,
    size: 0,
    root: emptyRoot,
    origin: options.origin,
    checkpointsVerified: 0,
    latestCheckpointSize: 0,
    signers: [],
    firstTimestamp: undefined,
    lastTimestamp: undefined,
    payloads: { checked: payloadsChecked, present: 0, erased: 0 },
    erasures: [],
    pin: undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Per-entry checks, in the order both engines apply them to entry `position`:
// decode → index → chain (prev) → timestamp → [leaf hash appended] → key rotation / erasure → payload.

export function decodeAt(leaf: Uint8Array, position: number): Entry {
  try {
    return decodeEntry(leaf);
  } catch (e) {
    return failWith('ENTRY_MALFORMED', `entry ${position}: ${(e as Error).message}`, { index: position });
  }
}

export function failIndex(position: number, entryIndex: number): never {
  return failWith('INDEX_MISMATCH', `position ${position} holds entry ${entryIndex}: an entry was removed, inserted or moved`, { index: position });
}

export function failChain(position: number): never {
  return failWith('CHAIN_BROKEN', `entry ${position}: prev does not match the leaf hash of entry ${position - 1}: one of the two was altered`, { index: position });
}

export function failTimestamp(position: number, ts: string): never {
  return failWith('TIMESTAMP_REGRESSION', `entry ${position}: timestamp ${ts} is earlier than the previous entry's`, { index: position });
}

export interface Rotation {
  index: number;
  previous: string;
  next: VerifierKey;
}

/** The key a key_rotation entry introduces (and the one it retires). */
export function rotationAt(entry: Entry, position: number): Rotation {
  const next = entry.meta?.vkey;
  const previous = entry.meta?.previous;
  let key: VerifierKey;
  try {
    if (typeof next !== 'string' || typeof previous !== 'string') throw new Error('meta.vkey and meta.previous are required');
    key = parseVerifierKey(next);
  } catch (e) {
    failWith('KEY_ROTATION_INVALID', `key_rotation entry ${position}: ${(e as Error).message}`, { index: position });
  }
  return { index: position, previous: previous as string, next: key };
}

/** The payload indexes an erasure entry names: all earlier entries. */
export function erasureAt(entry: Entry, position: number): number[] {
  const indexes = entry.meta?.indexes;
  if (!Array.isArray(indexes) || !indexes.every((i) => Number.isSafeInteger(i) && (i as number) >= 0 && (i as number) < position)) {
    failWith('ERASURE_INVALID', `erasure entry ${position} must list indexes of earlier entries`, { index: position });
  }
  return indexes as number[];
}

/**
 * True when a stored payload opens the entry's commitment: the size matches, the salt is 32 bytes, and
 * SHA-256(salt ‖ body) is the commitment. `saltAndBody` holds the two concatenated. The commitment was
 * checked by decodeEntry to be a canonical base64 32-byte hash, so comparing the base64 texts is comparing
 * the digests (a verifier has nothing to hide by timing here).
 */
export function payloadOpens(entry: Entry, saltLength: number, bodyLength: number, saltAndBody: Uint8Array): boolean {
  return bodyLength === entry.payload.size && saltLength === SALT_BYTES && sha256Base64(saltAndBody) === entry.payload.commitment;
}

export function failPayload(position: number): never {
  return failWith('PAYLOAD_MISMATCH', `entry ${position}: the stored payload does not match the entry's commitment: it was replaced or altered`, { index: position });
}

// ---------------------------------------------------------------------------------------------------------

/** A signature check done ahead of time (by a worker), valid only for the key it was made with. */
export interface PresignedCheck {
  key: string;
  ok: boolean;
}

/**
 * The in-order state of a verification beyond the entries themselves. The caller walks the entries and
 * calls `checkpointsAt(size)` after each entry (or only where `eventAt(size)` says something happens),
 * `addRotation` / `addErasure` for system entries, and `conclude` at the end.
 */
export class Walk {
  readonly checkpoints: ParsedCheckpoint[];
  readonly pin: ParsedCheckpoint | undefined;
  /** index in `checkpoints` of the next checkpoint to check */
  cpi = 0;
  origin: string | undefined;
  active: VerifierKey;
  readonly known: Map<string, VerifierKey>;
  readonly rotations: Rotation[] = [];
  rotationsHead = 0;
  readonly erasedBy = new Map<number, number>();
  readonly absent: number[] = [];
  readonly presentButErasable: number[] = [];
  /** Signature checks done ahead of time, by index in `checkpoints`. */
  readonly presigned = new Map<number, PresignedCheck>();

  constructor(
    checkpointNotes: Iterable<string>,
    options: VerifyOptions,
    trusted: VerifierKey,
    readonly report: VerificationReport,
  ) {
    this.checkpoints = [...checkpointNotes].map(parseCheckpointNote).sort((a, b) => a.size - b.size);
    this.origin = options.origin ?? this.checkpoints[0]?.origin;
    report.origin = this.origin;
    this.active = trusted;
    this.known = new Map([[trusted.text, trusted]]);
    let pin: ParsedCheckpoint | undefined;
    if (options.pinned !== undefined) {
      try {
        pin = parseCheckpointNote(options.pinned);
      } catch {
        failWith('PIN_MALFORMED', 'the pinned checkpoint is not a checkpoint note');
      }
    }
    this.pin = pin;
  }

  /** True when a checkpoint or the pin has this size, i.e. `checkpointsAt(size)` needs the root. */
  eventAt(size: number): boolean {
    return (this.cpi < this.checkpoints.length && (this.checkpoints[this.cpi] as ParsedCheckpoint).size === size) || this.pin?.size === size;
  }

  /** Checks every checkpoint of this size, then the pin if it has this size. `root` is the tree's root at `size`. */
  checkpointsAt(size: number, root: Uint8Array): void {
    const report = this.report;
    while (this.cpi < this.checkpoints.length && (this.checkpoints[this.cpi] as ParsedCheckpoint).size === size) {
      const cp = this.checkpoints[this.cpi] as ParsedCheckpoint;
      this.origin ??= cp.origin;
      if (cp.origin !== this.origin) {
        failWith('CHECKPOINT_ORIGIN', `checkpoint at size ${size} is for origin "${cp.origin}", not "${this.origin}"`, { checkpointSize: size });
      }
      const active = this.active;
      if (!this.#signedBy(this.cpi, cp, active)) {
        failWith(
          'CHECKPOINT_SIGNATURE',
          `checkpoint at size ${size} is not signed by ${active.name} (${Buffer.from(active.keyId).toString('hex')}), the key in force at that point of the log`,
          { checkpointSize: size },
        );
      }
      if (!constantTimeEqual(cp.root, root)) {
        failWith('CHECKPOINT_ROOT_MISMATCH', `the entries do not reproduce the root of the checkpoint at size ${size}: an entry at or below index ${size - 1} was altered, removed or inserted`, { checkpointSize: size, index: size - 1 });
      }
      if (!report.signers.includes(active.text)) report.signers.push(active.text);
      report.checkpointsVerified++;
      report.latestCheckpointSize = size;
      this.cpi++;
      // Key rotations covered by this checkpoint, signed by the key they retire, take effect now.
      while (this.rotationsHead < this.rotations.length && (this.rotations[this.rotationsHead] as Rotation).index < size) {
        const r = this.rotations[this.rotationsHead++] as Rotation;
        if (r.previous !== this.active.text) {
          failWith('KEY_ROTATION_INVALID', `key_rotation entry ${r.index} retires ${r.previous}, but the key in force is ${this.active.text}`, { index: r.index });
        }
        this.active = r.next;
        this.known.set(r.next.text, r.next);
      }
    }
    const pin = this.pin;
    if (pin && pin.size === size) {
      const consistent = constantTimeEqual(pin.root, root);
      report.pin = { size, consistent };
      if (!consistent) {
        failWith('PIN_INCONSISTENT', `this log's root at size ${size} differs from the pinned checkpoint: history before index ${size} was rewritten`, { checkpointSize: size });
      }
    }
  }

  #signedBy(cpi: number, cp: ParsedCheckpoint, key: VerifierKey): boolean {
    const done = this.presigned.get(cpi);
    if (done !== undefined && done.key === key.text) return done.ok;
    try {
      verifyNote(cp.note, [key]);
      return true;
    } catch {
      return false;
    }
  }

  addRotation(rotation: Rotation): void {
    this.rotations.push(rotation);
  }

  addErasure(position: number, indexes: readonly number[]): void {
    for (const i of indexes) if (!this.erasedBy.has(i)) this.erasedBy.set(i, position);
  }

  /** After the last entry: `size` entries were walked, the last with timestamp `lastTs` ('' when none). */
  conclude(size: number, lastTs: string, payloadsChecked: boolean): void {
    const report = this.report;
    const checkpoints = this.checkpoints;
    const pin = this.pin;
    report.lastTimestamp = lastTs || undefined;
    if (this.cpi < checkpoints.length) {
      const cp = checkpoints[this.cpi] as ParsedCheckpoint;
      failWith('CHECKPOINT_BEYOND_LOG', `a checkpoint covers ${cp.size} entries but the log holds ${size}: entries from index ${size} on were removed`, { checkpointSize: cp.size, index: size });
    }
    if (size > 0 && checkpoints.length === 0) failWith('NO_CHECKPOINT', `the log holds ${size} entries and no signed checkpoint`);
    if (size > report.latestCheckpointSize) {
      failWith('UNCOVERED_ENTRIES', `entries ${report.latestCheckpointSize} to ${size - 1} are covered by no signed checkpoint: they were added outside the ledger`, { index: report.latestCheckpointSize });
    }
    if (pin && pin.size > size) {
      failWith('PIN_BEYOND_LOG', `the pinned checkpoint covers ${pin.size} entries but the log holds ${size}: history was truncated or rewritten`, { checkpointSize: pin.size });
    }
    if (pin) {
      try {
        verifyNote(pin.note, [...this.known.values()]);
      } catch {
        failWith('PIN_MALFORMED', 'the pinned checkpoint is not signed by the trusted key or a key the log rotated to', { checkpointSize: pin.size });
      }
    }
    if (payloadsChecked) {
      for (const i of this.absent) {
        const by = this.erasedBy.get(i);
        if (by === undefined) failWith('PAYLOAD_MISSING', `entry ${i}: its payload is gone and no erasure entry names it`, { index: i });
        report.erasures.push({ index: i, erasureIndex: by });
      }
      for (const i of this.presentButErasable) {
        const by = this.erasedBy.get(i);
        if (by !== undefined) failWith('PAYLOAD_NOT_ERASED', `entry ${i}: erasure entry ${by} says its payload was erased, but it is still stored`, { index: i });
      }
      report.payloads.erased = this.absent.length;
    } else {
      for (const [i, by] of this.erasedBy) report.erasures.push({ index: i, erasureIndex: by });
    }
  }
}
