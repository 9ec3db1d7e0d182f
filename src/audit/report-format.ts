/**
 * What `vigil verify` says, for people and for machines, whatever the evidence came from (a ledger file, a
 * running service, later an evidence bundle): one result shape (`AuditResult`), every failure code with one
 * line saying what it means, the text summary, the JSON document (field names are a contract, documented
 * in the README) and the exit codes. Pure: no I/O.
 */
import type { VerificationReport, VerifyFailureCode } from './core.js';

/** Exit codes of `vigil verify`. */
export const EXIT_VERIFIED = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The engine's failure codes, and those of the checks around it (range mode, what a service serves). */
export type AuditFailureCode =
  | VerifyFailureCode
  /** range mode: an entry's leaf hash is not in the tree the latest checkpoint signs */
  | 'INCLUSION_FAILED'
  /** --url: the fields a service decoded for an entry disagree with the leaf bytes it sent */
  | 'ENTRY_FIELDS_MISMATCH';

/** One line per failure code: what it means for the log. */
export const FAILURE_MEANINGS: Readonly<Record<AuditFailureCode, string>> = {
  ENTRY_MALFORMED: 'the bytes stored for this entry are not a valid Vigil entry: they were altered, or written by something other than the ledger',
  INDEX_MISMATCH: 'an entry was removed, inserted or moved at this point',
  CHAIN_BROKEN: 'an entry was removed, inserted or reordered before this point, or this entry or the one before it was altered',
  TIMESTAMP_REGRESSION: 'entries were reordered, or a timestamp was altered',
  CHECKPOINT_MALFORMED: 'a stored checkpoint is not a valid signed checkpoint note',
  CHECKPOINT_SIGNATURE: 'a checkpoint is not signed by the key in force at that point: it was forged, or signed by a key the log never introduced',
  CHECKPOINT_ORIGIN: 'a checkpoint belongs to another log',
  CHECKPOINT_ROOT_MISMATCH: 'the entries are not the ones the signed checkpoint covers: an entry at or before this point was altered, removed or inserted',
  CHECKPOINT_BEYOND_LOG: 'entries that a signed checkpoint covers are missing: the log was truncated',
  NO_CHECKPOINT: 'nothing in the log is signed, so nothing in it can be trusted',
  UNCOVERED_ENTRIES: 'entries were added after the last signed checkpoint, outside the ledger',
  KEY_ROTATION_INVALID: 'a key rotation entry is malformed, or retires a key that was not in force: the chain of signing keys is broken',
  ERASURE_INVALID: 'an erasure entry is malformed: it must list earlier entries',
  PAYLOAD_MISMATCH: 'a payload was replaced or altered after it was recorded',
  PAYLOAD_MISSING: 'a payload was deleted without an erasure entry that records it',
  PAYLOAD_NOT_ERASED: 'an erasure entry says this payload was erased, but it is still there',
  PIN_MALFORMED: 'the pinned checkpoint is not a checkpoint note signed by the trusted key or a key the log rotated to',
  PIN_BEYOND_LOG: 'the log is shorter than the checkpoint you pinned: history was truncated or rewritten',
  PIN_INCONSISTENT: 'the log does not extend the checkpoint you pinned: history before it was rewritten, even if it was signed again',
  INCLUSION_FAILED: 'the entry is not part of the tree the latest checkpoint signs: it was altered, or the log was rewritten after that checkpoint',
  ENTRY_FIELDS_MISMATCH: 'the service misreports entries: its decoded fields disagree with the leaf bytes it serves (the leaf bytes are what was verified)',
};

export interface AuditFailure {
  code: AuditFailureCode;
  /** the first bad entry index, when the problem concerns an entry */
  index?: number;
  /** the checkpoint's tree size, when the problem concerns a checkpoint */
  checkpointSize?: number;
  /** what is wrong, in one sentence */
  message: string;
}

export type AuditSource = { type: 'db'; path: string } | { type: 'url'; url: string } | { type: 'bundle'; path: string };

export interface PinOutcome {
  file: string;
  /** tree size of the pinned checkpoint read from the file (undefined on first use) */
  size: number | undefined;
  /** whether this log extends it (undefined when not checked: first use, or verification stopped earlier) */
  consistent: boolean | undefined;
  /** the file did not exist and --update-pin was given: trust on first use */
  firstUse: boolean;
  /** the file now pins this tree size (--update-pin after a successful verification) */
  updatedTo: number | undefined;
}

/** The outcome of one `vigil verify` run. */
export interface AuditResult {
  ok: boolean;
  source: AuditSource;
  /** full: the whole log; range: entries from..to against the latest checkpoint */
  mode: 'full' | 'range';
  range: { from: number; to: number } | undefined;
  /** entries checked (in full mode: those before the first failure) */
  entriesChecked: number;
  /** size of the latest signed tree verified (range mode: of the latest checkpoint) */
  treeSize: number;
  /** base64 Merkle root over the entries checked (range mode: the latest checkpoint's root) */
  root: string;
  origin: string | undefined;
  checkpoints: { verified: number; latestSize: number };
  /** verifier keys that signed checkpoints, in order of first use */
  signers: string[];
  firstTimestamp: string | undefined;
  lastTimestamp: string | undefined;
  payloads: {
    checked: boolean;
    present: number;
    erased: number;
    /** how present payloads were checked: against the commitment, or (a service that sends no salt) the size */
    by: 'commitment' | 'size' | undefined;
  };
  /** erased payloads and the erasure entries that removed them */
  erasures: Array<{ index: number; erasureIndex: number }>;
  pin: PinOutcome | undefined;
  failure: AuditFailure | undefined;
  /** anything else the auditor should know (limits of the mode, a writer active during the read) */
  notes: string[];
}

/** The shape of a full verification from the engine's report. */
export function fromEngineReport(report: VerificationReport, source: AuditSource): AuditResult {
  return {
    ok: report.ok,
    source,
    mode: 'full',
    range: undefined,
    entriesChecked: report.size,
    treeSize: report.latestCheckpointSize,
    root: report.root,
    origin: report.origin,
    checkpoints: { verified: report.checkpointsVerified, latestSize: report.latestCheckpointSize },
    signers: [...report.signers],
    firstTimestamp: report.firstTimestamp,
    lastTimestamp: report.lastTimestamp,
    payloads: { checked: report.payloads.checked, present: report.payloads.present, erased: report.payloads.erased, by: report.payloads.checked ? 'commitment' : undefined },
    erasures: [...report.erasures],
    pin: report.pin === undefined ? undefined : { file: '', size: report.pin.size, consistent: report.pin.consistent, firstUse: false, updatedTo: undefined },
    failure: report.failure === undefined ? undefined : { ...report.failure },
    notes: [],
  };
}

export function meaningOf(code: AuditFailureCode): string {
  return FAILURE_MEANINGS[code];
}

function sourceText(source: AuditSource): string {
  return source.type === 'url' ? source.url : source.path;
}

/** "entry 12", "checkpoint at size 20" or "" for where a failure shows first. */
function where(failure: AuditFailure): string {
  if (failure.index !== undefined) return `entry ${failure.index}`;
  if (failure.checkpointSize !== undefined) return `checkpoint at size ${failure.checkpointSize}`;
  return '';
}

/** The summary for people: a few aligned lines, the failure explained first when there is one. */
export function formatText(result: AuditResult): string {
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`${(label + ':').padEnd(13)}${value}`);
  };
  const f = result.failure;
  if (f) {
    lines.push(`FAILED: ${f.message}`);
    row('first bad', where(f) || '(the log as a whole)');
    row('code', f.code);
    row('meaning', meaningOf(f.code));
  } else {
    lines.push(`verified: ${result.mode === 'range' ? `entries ${result.range?.from} to ${result.range?.to} of` : 'the whole log of'} ${sourceText(result.source)}`);
  }
  row('source', `${sourceText(result.source)}${result.source.type === 'db' ? ' (read only)' : ''}`);
  if (result.mode === 'range' && result.range) {
    row('entries', `${result.entriesChecked} checked of ${result.range.from} to ${result.range.to}, each by its inclusion proof in the latest checkpoint`);
  } else {
    row('entries', `${result.entriesChecked} checked${f ? ' (up to the first failure)' : ''}`);
  }
  row('tree size', String(result.treeSize));
  if (result.root !== '') row('root', result.root);
  if (result.origin !== undefined) row('origin', result.origin);
  if (result.mode === 'range') row('checkpoints', result.checkpoints.verified > 0 ? `the latest (size ${result.checkpoints.latestSize}), signed by the given key` : 'none verified');
  else row('checkpoints', `${result.checkpoints.verified} verified, the latest at size ${result.checkpoints.latestSize}`);
  result.signers.forEach((s, i) => lines.push(`${(i === 0 ? 'signers:' : '').padEnd(13)}${s}`));
  if (result.signers.length === 0) row('signers', '(none)');
  if (result.firstTimestamp !== undefined) row('time range', `${result.firstTimestamp} to ${result.lastTimestamp ?? result.firstTimestamp}`);
  if (result.payloads.checked) {
    const erased = result.erasures.length === 0 ? '' : ` (${result.erasures.slice(0, 5).map((e) => `entry ${e.index} by erasure entry ${e.erasureIndex}`).join(', ')}${result.erasures.length > 5 ? ', …' : ''})`;
    const by = result.payloads.by === 'size' ? '; checked by size only' : '';
    row('payloads', `${result.payloads.present} present, ${result.payloads.erased} erased${erased}${by}`);
  } else {
    row('payloads', 'not checked');
  }
  const pin = result.pin;
  if (pin) {
    let text: string;
    if (pin.firstUse) text = `first use: ${pin.file} did not exist; this log is trusted as it is now (trust on first use)`;
    else if (pin.consistent === true) text = `extends the checkpoint pinned in ${pin.file} (size ${pin.size})`;
    else if (pin.consistent === false) text = `does NOT extend the checkpoint pinned in ${pin.file} (size ${pin.size})`;
    else text = `${pin.file} (size ${pin.size ?? '?'}) not checked`;
    if (pin.updatedTo !== undefined) text += `; ${pin.file} now pins size ${pin.updatedTo}`;
    row('pin', text);
  }
  for (const note of result.notes) row('note', note);
  row('result', f ? `FAILED (${f.code})` : 'verified');
  return lines.join('\n') + '\n';
}

/**
 * The JSON document of `--json`. Stable field names (README, "vigil verify"): absent values are null,
 * never missing.
 */
export function toJson(result: AuditResult): Record<string, unknown> {
  const f = result.failure;
  return {
    ok: result.ok,
    result: result.ok ? 'verified' : 'failed',
    source: result.source,
    mode: result.mode,
    range: result.range ?? null,
    entriesChecked: result.entriesChecked,
    treeSize: result.treeSize,
    root: result.root,
    origin: result.origin ?? null,
    checkpoints: result.checkpoints,
    signers: result.signers,
    timeRange: { first: result.firstTimestamp ?? null, last: result.lastTimestamp ?? null },
    payloads: { checked: result.payloads.checked, present: result.payloads.present, erased: result.payloads.erased, by: result.payloads.by ?? null },
    erasures: result.erasures,
    pin: result.pin === undefined ? null : { file: result.pin.file, size: result.pin.size ?? null, consistent: result.pin.consistent ?? null, firstUse: result.pin.firstUse, updatedTo: result.pin.updatedTo ?? null },
    failure: f === undefined ? null : { code: f.code, index: f.index ?? null, checkpointSize: f.checkpointSize ?? null, message: f.message, meaning: meaningOf(f.code) },
    notes: result.notes,
  };
}
