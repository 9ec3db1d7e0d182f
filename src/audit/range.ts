/**
 * Spot checks of a range of a large log: every entry from `from` to `to` is proven to be in the tree the
 * latest checkpoint signs (RFC 9162 inclusion proofs, checked with tlog's `checkInclusion`), the hash chain
 * (`prev`), indexes and timestamps hold inside the range, payloads present in the range open their
 * commitments (or, when the source cannot give salts, have the committed size) and payloads gone are named
 * by an erasure entry, itself proven to be in the tree when it lies outside the range. A pinned checkpoint
 * must be a prefix of the latest one (RFC 9162 consistency proof).
 *
 * The latest checkpoint must be signed by the key the auditor gives: without the whole log there is no
 * chain of key_rotation entries to follow, so a checkpoint signed by any other key is refused
 * (CHECKPOINT_SIGNATURE, saying so). Pure: the evidence comes through the callbacks of `RangeEvidence`
 * (a ledger file or a service), and nothing of it is trusted.
 */
import { checkConsistency, checkInclusion, constantTimeEqual, decodeBase64, encodeBase64, leafHash, parseVerifierKey, verifyNote } from '../tlog/index.js';
import { VigilError } from '../errors.js';
import type { Entry } from '../entry/index.js';
import { Failure, decodeAt, erasureAt, failChain, failIndex, failPayload, failTimestamp, parseCheckpointNote, payloadOpens, type ParsedCheckpoint } from './core.js';
import type { AuditFailure, AuditFailureCode, AuditResult, AuditSource } from './report-format.js';

/** A payload as a source holds it. `salt` is absent when the source does not give salts (a service). */
export type SourcePayload =
  | { state: 'present'; body: Uint8Array; salt?: Uint8Array }
  /** gone; `erasureIndex` is the erasure entry the source says removed it (a claim, checked) */
  | { state: 'erased'; erasureIndex?: number }
  | { state: 'missing' };

/** The source cannot produce a proof (a node is missing, the service refuses): the entry cannot be proven. */
export class ProofUnavailable extends Error {}

export interface RangeEvidence {
  /** the latest signed checkpoint note; undefined when the log has none */
  checkpoint: string | undefined;
  /** entries from index `from` on, in order, as the source holds them (the verifier stops after `to`) */
  entries(from: number, to: number): AsyncIterable<{ index: number; leaf: unknown }> | Iterable<{ index: number; leaf: unknown }>;
  /** RFC 9162 inclusion proof of entry `index` in the tree of `size` (throws ProofUnavailable) */
  inclusionProof(index: number, size: number): Promise<Uint8Array[]>;
  /** RFC 9162 consistency proof from tree size `from` to `to` (throws ProofUnavailable) */
  consistencyProof(from: number, to: number): Promise<Uint8Array[]>;
  /** the leaf bytes of one entry (an erasure entry outside the range), undefined when there is none */
  leaf(index: number): Promise<Uint8Array | undefined>;
  /** the payload of one entry; omit to skip payload checks */
  payload?: (index: number) => Promise<SourcePayload>;
}

export interface RangeOptions {
  trustedKey: string;
  /** first entry index (default 0) */
  from?: number;
  /** last entry index, inclusive (default: the last entry of the latest checkpoint) */
  to?: number;
  /** a checkpoint note saved earlier: the latest checkpoint must extend it */
  pinned?: string;
  /** requests (proofs, payloads) kept in flight ahead of the entry being checked; default 16 */
  prefetch?: number;
  onProgress?: (checked: number, total: number) => void;
}

/** A failure with an audit code (the engine's core failures are converted to this). */
export class AuditFailureError extends Error {
  constructor(readonly failure: AuditFailure) {
    super(failure.message);
  }
}

export function auditFail(code: AuditFailureCode, message: string, where: { index?: number; checkpointSize?: number } = {}): never {
  throw new AuditFailureError({ code, message, ...where });
}

/** The failure carried by an error from the engine's checks or from auditFail; undefined for anything else. */
export function auditFailureOf(e: unknown): AuditFailure | undefined {
  if (e instanceof AuditFailureError) return e.failure;
  if (e instanceof Failure) return { ...e.failure };
  return undefined;
}

/**
 * Whether a present payload matches its entry: the commitment when the salt is known, else (a source that
 * does not give salts) the committed size.
 */
export function payloadMatches(entry: Entry, payload: { body: Uint8Array; salt?: Uint8Array }): boolean {
  if (!(payload.body instanceof Uint8Array)) return false;
  if (payload.salt === undefined) return payload.body.length === entry.payload.size;
  if (!(payload.salt instanceof Uint8Array)) return false;
  const both = new Uint8Array(payload.salt.length + payload.body.length);
  both.set(payload.salt);
  both.set(payload.body, payload.salt.length);
  return payloadOpens(entry, payload.salt.length, payload.body.length, both);
}

/** Keeps up to `depth` requests in flight ahead of the position being checked. */
class Ahead<T> {
  readonly #pending = new Map<number, Promise<T>>();
  #next: number;
  constructor(
    from: number,
    private readonly to: number,
    private readonly depth: number,
    private readonly request: (i: number) => Promise<T>,
  ) {
    this.#next = from;
  }

  take(i: number): Promise<T> {
    while (this.#next <= this.to && this.#next < i + this.depth) {
      const p = this.request(this.#next);
      p.catch(() => undefined); // awaited when its turn comes; must not be an unhandled rejection before
      this.#pending.set(this.#next, p);
      this.#next++;
    }
    const p = this.#pending.get(i) ?? this.request(i);
    this.#pending.delete(i);
    return p;
  }
}

/** Verifies entries `from`..`to` against the latest checkpoint. Usage errors (bad key, range outside the log) throw. */
export async function verifyRange(evidence: RangeEvidence, options: RangeOptions, source: AuditSource): Promise<AuditResult> {
  const trusted = parseVerifierKey(options.trustedKey);
  const result: AuditResult = {
    ok: false,
    source,
    mode: 'range',
    range: undefined,
    entriesChecked: 0,
    treeSize: 0,
    root: '',
    origin: undefined,
    checkpoints: { verified: 0, latestSize: 0 },
    signers: [],
    firstTimestamp: undefined,
    lastTimestamp: undefined,
    payloads: { checked: evidence.payload !== undefined, present: 0, erased: 0, by: undefined },
    erasures: [],
    pin: undefined,
    failure: undefined,
    notes: [],
  };
  try {
    await run(evidence, options, trusted, result);
    result.ok = true;
  } catch (e) {
    const failure = auditFailureOf(e);
    if (failure === undefined) throw e;
    result.failure = failure;
  }
  return result;
}

async function run(evidence: RangeEvidence, options: RangeOptions, trusted: ReturnType<typeof parseVerifierKey>, result: AuditResult): Promise<void> {
  if (evidence.checkpoint === undefined) auditFail('NO_CHECKPOINT', 'the log has no signed checkpoint to check a range against');
  const cp = parseCheckpointNote(evidence.checkpoint);
  const size = cp.size;
  result.treeSize = size;
  result.root = encodeBase64(cp.root);
  result.origin = cp.origin;
  result.checkpoints.latestSize = size;
  try {
    verifyNote(cp.note, [trusted]);
  } catch {
    auditFail(
      'CHECKPOINT_SIGNATURE',
      `the latest checkpoint (size ${size}) is not signed by ${trusted.name} (${Buffer.from(trusted.keyId).toString('hex')}); range mode checks entries against the latest checkpoint with the given key only and cannot follow key rotations: verify the whole log, or give the key that signs the latest checkpoint`,
      { checkpointSize: size },
    );
  }
  result.checkpoints.verified = 1;
  result.signers = [trusted.text];

  const from = options.from ?? 0;
  const to = options.to ?? size - 1;
  if (size === 0) throw new VigilError('INVALID_INPUT', 'the latest checkpoint covers no entries: there is no range to check');
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to || to >= size) {
    throw new VigilError('INVALID_INPUT', `--from and --to must satisfy 0 ≤ from ≤ to ≤ ${size - 1} (the entries of the latest checkpoint), got ${from} to ${to}`);
  }
  result.range = { from, to };

  if (options.pinned !== undefined) await checkPin(evidence, options.pinned, cp, trusted, result);

  const depth = Math.max(1, options.prefetch ?? 16);
  const proofs = new Ahead(from, to, depth, (i) => evidence.inclusionProof(i, size));
  const payloads = evidence.payload ? new Ahead(from, to, depth, evidence.payload) : undefined;
  const total = to - from + 1;
  const erasedBy = new Map<number, number>();
  const absent: Array<{ index: number; claim: number | undefined }> = [];
  const presentButErasable: number[] = [];
  let sizeOnly = false;
  let prevHash: string | undefined;
  let prevTs = '';
  let position = from;
  for await (const row of evidence.entries(from, to)) {
    if (position > to) break;
    const leaf = row.leaf;
    if (!(leaf instanceof Uint8Array)) auditFail('ENTRY_MALFORMED', `entry ${position}: the leaf is not a byte array`, { index: position });
    const entry = decodeAt(leaf, position);
    if (entry.index !== position || row.index !== position) failIndex(position, row.index !== position ? row.index : entry.index);
    if (position > from && entry.prev !== prevHash) failChain(position);
    if (entry.ts < prevTs) failTimestamp(position, entry.ts);
    prevTs = entry.ts;
    result.firstTimestamp ??= entry.ts;
    result.lastTimestamp = entry.ts;
    const hash = leafHash(leaf);
    let proof: Uint8Array[];
    try {
      proof = await proofs.take(position);
    } catch (e) {
      if (!(e instanceof ProofUnavailable)) throw e;
      auditFail('INCLUSION_FAILED', `entry ${position}: no inclusion proof in the tree of checkpoint ${size} can be had (${e.message})`, { index: position });
    }
    const check = checkInclusion(hash, position, size, proof, cp.root);
    if (!check.ok && !(check.reason === 'ROOT_MISMATCH' && (await provenWithRecordedSibling(evidence, entry, position, size, hash, proof, cp.root)))) {
      const why = check.reason === 'ROOT_MISMATCH' ? '' : ` (the proof is malformed: ${check.reason})`;
      auditFail('INCLUSION_FAILED', `entry ${position}: leaf hash does not match the tree at checkpoint ${size}${why}`, { index: position });
    }
    prevHash = encodeBase64(hash);
    if (entry.kind === 'erasure') for (const i of erasureAt(entry, position)) if (!erasedBy.has(i)) erasedBy.set(i, position);
    if (payloads) {
      const payload = await payloads.take(position);
      if (payload.state === 'present') {
        if (payload.salt === undefined) sizeOnly = true;
        if (!payloadMatches(entry, payload)) failPayload(position);
        presentButErasable.push(position);
        result.payloads.present++;
      } else {
        absent.push({ index: position, claim: payload.state === 'erased' ? payload.erasureIndex : undefined });
      }
    }
    position++;
    result.entriesChecked++;
    if (options.onProgress && (result.entriesChecked % 256 === 0 || position > to)) options.onProgress(result.entriesChecked, total);
  }
  if (position <= to) {
    auditFail('CHECKPOINT_BEYOND_LOG', `the latest checkpoint covers ${size} entries but the log ends before entry ${position}: entries from index ${position} on were removed`, { index: position, checkpointSize: size });
  }
  if (payloads) {
    result.payloads.by = sizeOnly ? 'size' : 'commitment';
    for (const { index, claim } of absent) {
      let by = erasedBy.get(index);
      if (by === undefined && claim !== undefined && (claim < from || claim > to) && Number.isSafeInteger(claim) && claim > index && claim < size) {
        if (await erasureOutsideNames(evidence, claim, index, size, cp.root)) by = claim;
      }
      if (by === undefined) auditFail('PAYLOAD_MISSING', `entry ${index}: its payload is gone and no erasure entry names it`, { index });
      result.erasures.push({ index, erasureIndex: by });
    }
    for (const i of presentButErasable) {
      const by = erasedBy.get(i);
      if (by !== undefined) auditFail('PAYLOAD_NOT_ERASED', `entry ${i}: erasure entry ${by} says its payload was erased, but it is still stored`, { index: i });
    }
    result.payloads.erased = absent.length;
  }
}

/**
 * An inclusion proof carries the leaf hash of the entry's neighbour in the tree (its level-0 sibling), which
 * the source computes from the neighbour's stored bytes: when those were altered, the proof of an intact
 * entry fails too, and the failure would be blamed on the wrong entry. The log itself records the true hash
 * of every entry in its successor's `prev`; when that record differs from the proof's sibling hash, the
 * proof is tried again with it. A proof that then leads to the signed root proves the entry is in the tree
 * (whatever a proof's hashes came from), and the altered neighbour fails in its own turn.
 */
async function provenWithRecordedSibling(evidence: RangeEvidence, entry: Entry, position: number, size: number, hash: Uint8Array, proof: Uint8Array[], root: Uint8Array): Promise<boolean> {
  const sibling = position % 2 === 0 ? position + 1 : position - 1;
  if (sibling >= size || proof.length === 0) return false;
  let recorded: string | undefined;
  if (sibling + 1 === position) {
    recorded = entry.prev;
  } else if (sibling + 1 < size) {
    const next = await evidence.leaf(sibling + 1);
    if (!(next instanceof Uint8Array)) return false;
    try {
      recorded = decodeAt(next, sibling + 1).prev;
    } catch {
      return false;
    }
  }
  if (recorded === undefined || recorded === encodeBase64(proof[0] as Uint8Array)) return false;
  let siblingHash: Uint8Array;
  try {
    siblingHash = decodeBase64(recorded, 'prev');
  } catch {
    return false;
  }
  return checkInclusion(hash, position, size, [siblingHash, ...proof.slice(1)], root).ok;
}

/** Whether entry `claim` (outside the range) is in the signed tree and is an erasure entry naming `index`. */
async function erasureOutsideNames(evidence: RangeEvidence, claim: number, index: number, size: number, root: Uint8Array): Promise<boolean> {
  const leaf = await evidence.leaf(claim);
  if (!(leaf instanceof Uint8Array)) return false;
  let proof: Uint8Array[];
  try {
    proof = await evidence.inclusionProof(claim, size);
  } catch (e) {
    if (e instanceof ProofUnavailable) return false;
    throw e;
  }
  if (!checkInclusion(leafHash(leaf), claim, size, proof, root).ok) return false;
  try {
    const entry = decodeAt(leaf, claim);
    return entry.index === claim && entry.kind === 'erasure' && erasureAt(entry, claim).includes(index);
  } catch {
    return false;
  }
}

async function checkPin(evidence: RangeEvidence, pinned: string, cp: ParsedCheckpoint, trusted: ReturnType<typeof parseVerifierKey>, result: AuditResult): Promise<void> {
  let pin: ParsedCheckpoint;
  try {
    pin = parseCheckpointNote(pinned);
  } catch {
    auditFail('PIN_MALFORMED', 'the pinned checkpoint is not a checkpoint note');
  }
  const outcome = { file: '', size: pin.size, consistent: undefined as boolean | undefined, firstUse: false, updatedTo: undefined };
  result.pin = outcome;
  try {
    verifyNote(pin.note, [trusted]);
  } catch {
    auditFail('PIN_MALFORMED', 'the pinned checkpoint is not signed by the given key (range mode does not follow key rotations)', { checkpointSize: pin.size });
  }
  outcome.consistent = false;
  if (pin.origin !== cp.origin) auditFail('PIN_INCONSISTENT', `the pinned checkpoint is for origin "${pin.origin}", this log is "${cp.origin}"`, { checkpointSize: pin.size });
  if (pin.size > cp.size) {
    auditFail('PIN_BEYOND_LOG', `the pinned checkpoint covers ${pin.size} entries but the latest checkpoint only ${cp.size}: history was truncated or rewritten`, { checkpointSize: pin.size });
  }
  const inconsistent = (why = ''): never =>
    auditFail('PIN_INCONSISTENT', `the latest checkpoint (size ${cp.size}) does not extend the pinned checkpoint (size ${pin.size}): history before index ${pin.size} was rewritten${why}`, { checkpointSize: pin.size });
  if (pin.size === cp.size) {
    if (!constantTimeEqual(pin.root, cp.root)) inconsistent();
  } else if (pin.size > 0) {
    let proof: Uint8Array[];
    try {
      proof = await evidence.consistencyProof(pin.size, cp.size);
    } catch (e) {
      if (!(e instanceof ProofUnavailable)) throw e;
      return inconsistent(` (no consistency proof can be had: ${e.message})`);
    }
    if (!checkConsistency(pin.size, cp.size, proof, pin.root, cp.root).ok) inconsistent();
  }
  outcome.consistent = true;
}
