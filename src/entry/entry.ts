/**
 * Vigil's ledger entry, version 1. The leaf bytes of an entry are its RFC 8785 canonical JSON (UTF-8);
 * everything that verifies the ledger re-derives meaning from those bytes alone, so `decodeEntry` treats
 * them as attacker-controlled: it checks every field's type and form and rejects unknown fields.
 */
import { VigilError } from '../errors.js';
import { canonicalBytes, canonicalize, parseCanonicalJson, decodeBase64, type JsonValue } from '../tlog/index.js';

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
  const bytes = Buffer.from(encodeEntryText(entry), 'utf8');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `encodeEntry` as a (well-formed) string: the leaf bytes are exactly its UTF-8. */
export function encodeEntryText(entry: Entry): string {
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
  return text;
}

// RFC 8785 refuses lone surrogates. String.prototype.isWellFormed (ES2024, native since Node 20) is several
// times cheaper than a scan in JS; the lib typings here stop at ES2023, hence the cast.
function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}

function checkWellFormed(value: unknown, field: string): void {
  if (typeof value !== 'string' || !isWellFormed(value)) {
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

// A 32-byte hash in canonical padded base64 is 44 characters: 42 from the alphabet, then one whose two low
// bits are zero (43 characters carry 258 bits), then '='. Exactly the strings decodeBase64 accepts with a
// 32-byte result. A table lookup per character: a regular expression with {42} is several times slower.
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) BASE64_VALUE[c.charCodeAt(0)] = i;

function isHashBase64(s: string): boolean {
  if (s.length !== 44 || s.charCodeAt(43) !== 0x3d) return false;
  for (let i = 0; i < 42; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (BASE64_VALUE[c] as number) < 0) return false;
  }
  const last = s.charCodeAt(42);
  return last < 128 && ((BASE64_VALUE[last] as number) & 0x83) === 0;
}

function checkHash(value: unknown, path: string): void {
  if (typeof value === 'string' && isHashBase64(value)) return;
  // The slow route only explains the failure.
  if (typeof value !== 'string') fail(`${path} must be a base64 string`, path);
  const bytes = decodeBase64(value, path);
  if (bytes.length !== 32) fail(`${path} must be a 32-byte hash`, path);
}

// Stored entries come in runs sharing one timestamp (one commit batch): the last one that passed is kept.
// It starts as a valid timestamp, so that no other value can match it without having passed.
let lastGoodTimestamp = '1970-01-01T00:00:00.000Z';

function isTimestamp(value: unknown): boolean {
  if (value === lastGoodTimestamp) return true;
  if (typeof value !== 'string' || !TIMESTAMP_PATTERN.test(value) || Number.isNaN(Date.parse(value))) return false;
  lastGoodTimestamp = value;
  return true;
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
  if (!isTimestamp(value.ts)) fail('ts must be an RFC 3339 UTC timestamp with milliseconds', '$.ts');
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

// ignoreBOM keeps a leading U+FEFF so that it is refused, as parseCanonicalJson does.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes and validates leaf bytes. Throws VigilError (NOT_CANONICAL, INVALID_JSON or INVALID_INPUT).
 *
 * Parses once (fatal UTF-8 decoding, then JSON.parse), validates the fields, and then requires the text to be
 * exactly the re-encoding of what was parsed. The encoder is canonical by construction for a valid entry, so
 * the comparison refuses every non-canonical spelling, including the ones JSON.parse forgives: duplicate
 * member names (the last one wins, so the re-encoding is shorter), whitespace, escapes JCS does not use,
 * non-shortest numbers, -0, 1e400. Text equality is byte equality here, because the text came from a fatal
 * decoder and the encoding is a well-formed string. (A hand-written scanner of the entry's fixed member
 * sequence was measured slower than JSON.parse on this path.)
 *
 * Failures take the exact route of `parseCanonicalJson` to say what is wrong, so errors read as before (a
 * canonical-form problem is reported ahead of a schema problem).
 */
export function decodeEntry(leaf: Uint8Array): Entry {
  let text: string;
  let value: unknown;
  try {
    text = STRICT_UTF8.decode(leaf);
    value = JSON.parse(text);
  } catch {
    return validateEntry(parseCanonicalJson(leaf)); // throws INVALID_JSON with a position
  }
  let entry: Entry;
  try {
    entry = validateEntry(value);
  } catch (e) {
    parseCanonicalJson(leaf); // a canonical-form error, if any, is reported first
    throw e;
  }
  let encoded: string | undefined;
  try {
    encoded = text.indexOf('\\') < 0 ? unescapedEntryText(entry) : encodeEntryText(entry);
  } catch {
    encoded = undefined; // a lone surrogate escape, or a meta value JCS refuses (1e400, too deep): explained below
  }
  if (encoded !== text) {
    // Throws NOT_CANONICAL or INVALID_JSON; the second throw is for the unlikely case it does not.
    parseCanonicalJson(leaf);
    throw new VigilError('NOT_CANONICAL', 'the entry is not in RFC 8785 canonical form');
  }
  return entry;
}

/**
 * `encodeEntryText` for an entry parsed from a text without a single backslash. Such a text has no escape
 * sequences, so none of its strings holds a quote, a backslash, a control character (JSON.parse refuses them
 * raw) or a lone surrogate (the text came from a fatal UTF-8 decoder and every string lies between ASCII
 * quotes): for each of them JSON.stringify(s) is '"' + s + '"' and checkWellFormed passes. Same member order
 * and numbers as `encodeEntryText`; a test checks the two agree.
 */
function unescapedEntryText(entry: Entry): string {
  const p = entry.payload;
  let text = '{"agent":"' + entry.agent + '"';
  if (entry.credential !== undefined) text += ',"credential":"' + entry.credential + '"';
  text += ',"index":' + String(entry.index) + ',"kind":"' + entry.kind + '"';
  if (entry.meta !== undefined) text += ',"meta":' + canonicalize(entry.meta);
  text += ',"payload":{"commitment":"' + p.commitment + '","size":' + String(p.size) + ',"type":"' + p.type + '"}';
  if (entry.prev !== undefined) text += ',"prev":"' + entry.prev + '"';
  if (entry.session !== undefined) text += ',"session":"' + entry.session + '"';
  if (entry.subjects !== undefined) text += ',"subjects":' + canonicalize(entry.subjects);
  if (entry.task !== undefined) text += ',"task":"' + entry.task + '"';
  return text + ',"ts":"' + entry.ts + '","v":' + String(entry.v) + '}';
}
