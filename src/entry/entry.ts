/**
 * Vigil's ledger entry, version 1. The leaf bytes of an entry are its RFC 8785 canonical JSON (UTF-8);
 * everything that verifies the ledger re-derives meaning from those bytes alone, so `decodeEntry` treats
 * them as attacker-controlled: it checks every field's type and form and rejects unknown fields.
 */
import { VigilError } from '../errors.js';
import { canonicalBytes, canonicalize, findLoneSurrogate, parseCanonicalJson, decodeBase64, type JsonValue } from '../tlog/index.js';

export const ENTRY_VERSION = 1;

/** Kinds Vigil itself writes or that callers record. The set is open: any kind matching KIND_PATTERN is allowed. */
export const ENTRY_KINDS = [
  'prompt',
  'tool_call',
  'tool_result',
  'response',
  'dlp_decision',
  'erasure',
  'key_rotation',
] as const;
/** Kinds only the ledger itself may write; callers cannot forge them. */
export const SYSTEM_KINDS: ReadonlySet<string> = new Set(['erasure', 'key_rotation']);

export const KIND_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
/** RFC 3339 UTC with exactly three fractional digits, as the ledger writes it. */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const MAX_NAME_LENGTH = 256;

export type JsonObject = { [key: string]: JsonValue };

export interface PayloadCommitment {
  /** base64 of SHA-256(salt ‖ payload bytes); the salt is kept apart so erasure leaves nothing to guess against. */
  commitment: string;
  /** payload size in bytes */
  size: number;
  /** media type of the payload bytes */
  type: string;
}

export interface Entry {
  v: 1;
  index: number;
  ts: string;
  kind: string;
  agent: string;
  session?: string;
  task?: string;
  credential?: string;
  payload: PayloadCommitment;
  meta?: JsonObject;
  subjects?: string[];
  /** base64 of the previous entry's leaf hash; absent at index 0 */
  prev?: string;
}

const ENTRY_FIELDS: ReadonlySet<string> = new Set([
  'v', 'index', 'ts', 'kind', 'agent', 'session', 'task', 'credential', 'payload', 'meta', 'subjects', 'prev',
]);
const PAYLOAD_FIELDS: ReadonlySet<string> = new Set(['commitment', 'size', 'type']);

/**
 * The exact leaf bytes of an entry: RFC 8785 canonical JSON. Written out directly in the canonical member
 * order (UTF-16 order of the fixed field names) because this runs for every append; `meta` alone goes
 * through the general canonicalizer. JSON.stringify of a well-formed string is exactly RFC 8785's string
 * form, and every number here is a safe integer. Undefined fields are left out, never written as null.
 * A test checks the bytes against the general canonicalizer on random entries.
 */
export function encodeEntry(entry: Entry): Uint8Array {
  checkWellFormed(entry.agent, 'agent');
  checkWellFormed(entry.kind, 'kind');
  checkWellFormed(entry.ts, 'ts');
  checkWellFormed(entry.payload.type, 'payload.type');
  checkWellFormed(entry.payload.commitment, 'payload.commitment');
  if (entry.session !== undefined) checkWellFormed(entry.session, 'session');
  if (entry.task !== undefined) checkWellFormed(entry.task, 'task');
  if (entry.credential !== undefined) checkWellFormed(entry.credential, 'credential');
  if (entry.prev !== undefined) checkWellFormed(entry.prev, 'prev');
  if (!Number.isSafeInteger(entry.index) || !Number.isSafeInteger(entry.payload.size)) {
    throw new VigilError('INVALID_INPUT', 'index and payload.size must be safe integers', { path: '$.index' });
  }
  const p = entry.payload;
  let text = '{"agent":' + JSON.stringify(entry.agent);
  if (entry.credential !== undefined) text += ',"credential":' + JSON.stringify(entry.credential);
  text += ',"index":' + String(entry.index) + ',"kind":' + JSON.stringify(entry.kind);
  if (entry.meta !== undefined) text += ',"meta":' + canonicalize(entry.meta);
  text += ',"payload":{"commitment":' + JSON.stringify(p.commitment) + ',"size":' + String(p.size) + ',"type":' + JSON.stringify(p.type) + '}';
  if (entry.prev !== undefined) text += ',"prev":' + JSON.stringify(entry.prev);
  if (entry.session !== undefined) text += ',"session":' + JSON.stringify(entry.session);
  if (entry.subjects !== undefined) text += ',"subjects":' + canonicalize(entry.subjects);
  if (entry.task !== undefined) text += ',"task":' + JSON.stringify(entry.task);
  text += ',"ts":' + JSON.stringify(entry.ts) + ',"v":' + String(entry.v) + '}';
  const bytes = Buffer.from(text, 'utf8');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// RFC 8785 refuses lone surrogates; the fast path skips the scan for the common all-ASCII string.
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;

function checkWellFormed(value: unknown, field: string): void {
  if (typeof value !== 'string' || (NON_ASCII.test(value) && findLoneSurrogate(value) >= 0)) {
    throw new VigilError('INVALID_INPUT', `${field} must be a well-formed string`, { path: `$.${field}` });
  }
}

/** The same bytes through the general RFC 8785 canonicalizer: the reference `encodeEntry` is tested against. */
export function encodeEntryGeneric(entry: Entry): Uint8Array {
  const obj: JsonObject = {
    v: entry.v,
    index: entry.index,
    ts: entry.ts,
    kind: entry.kind,
    agent: entry.agent,
    payload: { commitment: entry.payload.commitment, size: entry.payload.size, type: entry.payload.type },
  };
  if (entry.session !== undefined) obj.session = entry.session;
  if (entry.task !== undefined) obj.task = entry.task;
  if (entry.credential !== undefined) obj.credential = entry.credential;
  if (entry.meta !== undefined) obj.meta = entry.meta;
  if (entry.subjects !== undefined) obj.subjects = entry.subjects;
  if (entry.prev !== undefined) obj.prev = entry.prev;
  return canonicalBytes(obj);
}

function fail(message: string, path: string): never {
  throw new VigilError('INVALID_INPUT', message, { path });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkName(value: unknown, path: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH) {
    fail(`${path} must be a string of 1 to ${MAX_NAME_LENGTH} characters`, path);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) fail(`${path} must not contain control characters`, path);
}

function checkHash(value: unknown, path: string): void {
  if (typeof value !== 'string') fail(`${path} must be a base64 string`, path);
  const bytes = decodeBase64(value, path);
  if (bytes.length !== 32) fail(`${path} must be a 32-byte hash`, path);
}

/**
 * Checks that a decoded object is a well-formed version-1 entry. Untrusted input: every field is checked,
 * and unknown fields are refused so that nothing can hide in the leaf unseen by verifiers.
 */
export function validateEntry(value: unknown): Entry {
  if (!isPlainObject(value)) fail('an entry must be a JSON object', '$');
  for (const key of Object.keys(value)) if (!ENTRY_FIELDS.has(key)) fail(`unknown field ${key}`, `$.${key}`);
  if (value.v !== ENTRY_VERSION) fail('v must be 1', '$.v');
  if (!Number.isSafeInteger(value.index) || (value.index as number) < 0) fail('index must be a non-negative integer', '$.index');
  if (typeof value.ts !== 'string' || !TIMESTAMP_PATTERN.test(value.ts) || Number.isNaN(Date.parse(value.ts))) {
    fail('ts must be an RFC 3339 UTC timestamp with milliseconds', '$.ts');
  }
  if (typeof value.kind !== 'string' || !KIND_PATTERN.test(value.kind)) fail('kind must match ' + KIND_PATTERN.source, '$.kind');
  checkName(value.agent, '$.agent', true);
  checkName(value.session, '$.session', false);
  checkName(value.task, '$.task', false);
  checkName(value.credential, '$.credential', false);
  const p = value.payload;
  if (!isPlainObject(p)) fail('payload must be an object', '$.payload');
  for (const key of Object.keys(p)) if (!PAYLOAD_FIELDS.has(key)) fail(`unknown field ${key}`, `$.payload.${key}`);
  checkHash(p.commitment, '$.payload.commitment');
  if (!Number.isSafeInteger(p.size) || (p.size as number) < 0) fail('payload.size must be a non-negative integer', '$.payload.size');
  if (typeof p.type !== 'string' || p.type.length === 0 || p.type.length > 255) fail('payload.type must be a media type', '$.payload.type');
  if (value.meta !== undefined && !isPlainObject(value.meta)) fail('meta must be an object', '$.meta');
  if (value.subjects !== undefined) {
    if (!Array.isArray(value.subjects) || !value.subjects.every((s) => typeof s === 'string')) {
      fail('subjects must be an array of strings', '$.subjects');
    }
  }
  if (value.index === 0) {
    if (value.prev !== undefined) fail('prev must be absent at index 0', '$.prev');
  } else {
    checkHash(value.prev, '$.prev');
  }
  return value as unknown as Entry;
}

/** Decodes and validates leaf bytes. Throws VigilError (NOT_CANONICAL, INVALID_JSON or INVALID_INPUT). */
export function decodeEntry(leaf: Uint8Array): Entry {
  return validateEntry(parseCanonicalJson(leaf));
}
