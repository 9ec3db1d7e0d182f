/**
 * RFC 8785 JSON Canonicalization Scheme, and the two parsers the ledger needs around it:
 *
 * - `parseStrictJson` takes attacker-controlled JSON text and accepts only I-JSON (RFC 7493): valid UTF-8,
 *   unique member names, no lone surrogates, no number that overflows a double. `JSON.parse` silently
 *   keeps the last duplicate and turns 1e400 into Infinity, which would let two parties read one entry
 *   differently. The syntax is left to momoa (ESLint's JSON parser), which gives every node its line and
 *   column; one walk over its tree then builds the value and applies I-JSON's extra rules.
 * - `parseCanonicalJson` is the verifier's fast path over stored leaves: `JSON.parse`, then the text must be
 *   exactly what the `canonicalize` package writes for the value.
 *
 * Error messages say where (line and column) and what, and never quote the input: it may be a secret or
 * personal data inside a payload.
 */

import { parse as parseJsonAst } from '@humanwhocodes/momoa';
import type { Location, StringNode, ValueNode } from '@humanwhocodes/momoa';
import serializeCanonical from 'canonicalize';
import { VigilError } from '../errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Deeper nesting is refused (RFC 8259 §9 allows a limit) so that no input can exhaust the call stack. */
export const MAX_JSON_DEPTH = 512;

// ignoreBOM keeps a leading U+FEFF in the text, so it is rejected instead of being silently dropped:
// dropping it would let two different byte strings decode to the same accepted text.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LENIENT_UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });
const UTF8 = new TextEncoder();

// With the u flag a surrogate range matches only surrogates that are not half of a pair.
const LONE_SURROGATE = /\p{Cs}/u;
// eslint-disable-next-line no-control-regex -- JSON forbids raw U+0000..U+001F inside strings
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

type PathSegment = string | number;

// ---------------------------------------------------------------------------------------------------------
// canonicalize

/**
 * Serialises a JS value as RFC 8785 canonical JSON. The `canonicalize` package does the serialisation;
 * the walk first refuses what it would silently coerce (undefined → null or dropped, toJSON objects,
 * bigint → TypeError without a path), so a caller's bug cannot turn into a signed, misleading entry.
 */
export function canonicalize(value: JsonValue): string {
  assertJsonValue(value, [], new Set());
  const text = serializeCanonical(value);
  if (text === undefined) {
    throw new VigilError('INVALID_INPUT', 'the value has no JSON form', { path: '$' });
  }
  return text;
}

export function canonicalBytes(value: JsonValue): Uint8Array {
  return UTF8.encode(canonicalize(value));
}

/** `path` holds the segments down to `value` (its length is the depth); it is formatted only on failure. */
function assertJsonValue(value: unknown, path: PathSegment[], ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (findLoneSurrogate(value) >= 0) {
        throw invalidValue(path, 'a string contains a lone UTF-16 surrogate');
      }
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw invalidValue(path, `${String(value)} is not a JSON number`);
      }
      return;
    case 'boolean':
      return;
    case 'object':
      break;
    default:
      throw invalidValue(path, `a ${typeof value} is not a JSON value`);
  }
  if (value === null) {
    return;
  }
  if (path.length >= MAX_JSON_DEPTH) {
    throw invalidValue(path, `nesting is deeper than ${MAX_JSON_DEPTH}`);
  }
  if (ancestors.has(value)) {
    throw invalidValue(path, 'the value contains a reference cycle');
  }
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      assertJsonValue(value[i], path, ancestors);
      path.pop();
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw invalidValue(path, 'only plain objects and arrays are JSON values');
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      path.push(key);
      if (findLoneSurrogate(key) >= 0) {
        throw invalidValue(path, 'a member name contains a lone UTF-16 surrogate');
      }
      assertJsonValue(record[key], path, ancestors);
      path.pop();
    }
  }
  ancestors.delete(value);
}

function invalidValue(segments: readonly PathSegment[], what: string): VigilError {
  const path = formatPath(segments);
  return new VigilError('INVALID_INPUT', `cannot canonicalize ${path}: ${what}`, { path });
}

// ---------------------------------------------------------------------------------------------------------
// parseCanonicalJson

/**
 * Parses bytes that must already be RFC 8785 canonical; anything else throws. This is the verifier's hot
 * path over stored leaves: fatal UTF-8 decoding, `JSON.parse`, and the text must equal the canonical
 * serialisation of what was parsed. That comparison refuses everything `JSON.parse` forgives (duplicate
 * names lose a member, 1e400 becomes Infinity which `canonicalize` refuses, escaped lone surrogates are
 * refused too), and `canonicalize` refuses nesting deeper than MAX_JSON_DEPTH. Only a miss takes the slow,
 * exact route, which explains the failure: INVALID_JSON for input that is not I-JSON at all,
 * NOT_CANONICAL for valid JSON written in another form.
 */
export function parseCanonicalJson(bytes: Uint8Array): JsonValue {
  const text = decodeUtf8(bytes);
  const value = canonicalValueOf(text);
  return value === undefined ? explainNonCanonical(text) : value;
}

/** Whether `text` is exactly the RFC 8785 serialisation of the value it denotes. */
export function isCanonicalJsonText(text: string): boolean {
  return canonicalValueOf(text) !== undefined;
}

function canonicalValueOf(text: string): JsonValue | undefined {
  try {
    const value = JSON.parse(text) as JsonValue;
    return canonicalize(value) === text ? value : undefined;
  } catch {
    return undefined; // not JSON, or a value canonicalize refuses: explained by the slow route
  }
}

function explainNonCanonical(text: string): JsonValue {
  // Throws INVALID_JSON, with a position, when the text is not I-JSON at all.
  const value = parseStrictJson(text);
  const canonical = canonicalize(value);
  if (canonical === text) {
    return value; // unreachable while JSON.parse and the strict parser agree on I-JSON
  }
  const at = firstDifference(text, canonical);
  const { line, column } = lineAndColumn(text, at);
  throw new VigilError(
    'NOT_CANONICAL',
    `the JSON is valid but not RFC 8785 canonical: first difference at line ${line}, column ${column} (offset ${at})`,
    { line, column, offset: at },
  );
}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) {
    i++;
  }
  return i;
}

// ---------------------------------------------------------------------------------------------------------
// parseStrictJson

/** Parses attacker-controlled JSON text as strict I-JSON; errors say where and what. Linear time. */
export function parseStrictJson(input: string | Uint8Array): JsonValue {
  const text = strictText(input);
  // Most input is valid: the fast route accepts it or hands it on; only the exact route refuses and explains.
  const value = acceptValidJson(text);
  return value === undefined ? parseStrictText(text) : value;
}

/**
 * The exact route alone (momoa's tree, I-JSON's rules applied node by node): what parseStrictJson accepts
 * and refuses is defined by it, and the fast route must agree with it (property-tested).
 */
export function parseStrictJsonExact(input: string | Uint8Array): JsonValue {
  return parseStrictText(strictText(input));
}

function strictText(input: string | Uint8Array): string {
  if (typeof input !== 'string') {
    return decodeUtf8(input);
  }
  // A raw lone surrogate can only come from a JS string (the fatal decoder never yields one).
  const lone = findLoneSurrogate(input);
  if (lone >= 0) {
    throw invalidJson('a lone UTF-16 surrogate', locate(input, lone));
  }
  return input;
}

// An escape that may denote half a surrogate pair (\uD800-\uDFFF); an escaped backslash before "u" only
// makes a false alarm, which costs a closer look, never a miss.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The fast route: `JSON.parse` (native), then what it forgives and I-JSON does not is looked for. It
 * returns the value only when the exact route would return the same value; for anything else (a syntax
 * error, a duplicate name, an escaped lone surrogate, a number that overflows, nesting past the limit) it
 * returns undefined and the exact route decides and explains. JSON.parse never yields undefined.
 */
function acceptValidJson(text: string): JsonValue | undefined {
  // Nesting first: the walk below recurses, and the exact route refuses deep input with its position.
  const members = countMemberNames(text);
  if (members < 0) {
    return undefined;
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  // JSON.parse keeps only the last of duplicate names: fewer members in the value than names in the text.
  const found = checkParsedValue(value, SURROGATE_ESCAPE.test(text));
  return found === members ? value : undefined;
}

/**
 * Member names in `text` (one ':' outside strings each, once JSON.parse has accepted it), or -1 when
 * nesting goes deeper than MAX_JSON_DEPTH or a string does not end. Strings are skipped with indexOf, so
 * long string values cost a native search, not a character loop.
 */
function countMemberNames(text: string): number {
  let members = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // The closing quote is the next one preceded by an even run of backslashes.
      let q = text.indexOf('"', i + 1);
      for (;;) {
        if (q < 0) {
          return -1;
        }
        let b = q - 1;
        while (text.charCodeAt(b) === 0x5c /* \ */) b--;
        if ((q - 1 - b) % 2 === 0) break;
        q = text.indexOf('"', q + 1);
      }
      i = q;
    } else if (c === 0x3a /* : */) {
      members++;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > MAX_JSON_DEPTH) {
        return -1;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return members;
}

/**
 * Members of every object in a value from JSON.parse, or -1 when it holds what I-JSON refuses: a number
 * that overflowed to ±Infinity, or (when the text has a surrogate escape) a string or name with a lone
 * surrogate. Depth is bounded by countMemberNames.
 */
function checkParsedValue(value: JsonValue, surrogates: boolean): number {
  if (typeof value === 'string') {
    return surrogates && findLoneSurrogate(value) >= 0 ? -1 : 0;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? 0 : -1;
  }
  if (value === null || typeof value !== 'object') {
    return 0;
  }
  let members = 0;
  if (Array.isArray(value)) {
    for (const element of value) {
      const m = checkParsedValue(element, surrogates);
      if (m < 0) return -1;
      members += m;
    }
    return members;
  }
  for (const key of Object.keys(value)) {
    if (surrogates && findLoneSurrogate(key) >= 0) return -1;
    const m = checkParsedValue(value[key] as JsonValue, surrogates);
    if (m < 0) return -1;
    members += m + 1;
  }
  return members;
}

/** The exact route: momoa's tree, then I-JSON's rules node by node, with positions in every error. */
function parseStrictText(text: string): JsonValue {
  checkNestingDepth(text);
  let document;
  try {
    document = parseJsonAst(text, { mode: 'json' });
  } catch (e) {
    throw syntaxError(text, e);
  }
  return new TreeReader(text).read(document.body);
}

/**
 * momoa's recursive descent runs out of stack a few thousand levels down, so nesting is measured first:
 * one linear scan counting brackets outside strings. Up to the first syntax error it sees the same strings
 * as momoa, so momoa never recurses deeper than this allows.
 */
function checkNestingDepth(text: string): void {
  if (text.length <= MAX_JSON_DEPTH) {
    return; // too short to nest that deep
  }
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > MAX_JSON_DEPTH) {
        throw invalidJson(`nesting is deeper than ${MAX_JSON_DEPTH}`, locate(text, i));
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
}

/** Builds the JS value from momoa's tree, refusing what JSON allows but I-JSON does not. */
class TreeReader {
  // Segments of the JSON path to the node being read, for error details.
  private readonly path: PathSegment[] = [];

  constructor(private readonly text: string) {}

  read(node: ValueNode): JsonValue {
    switch (node.type) {
      case 'Object': {
        const object: JsonObject = {};
        for (const member of node.members) {
          const key = this.readString(member.name as StringNode);
          this.path.push(key);
          if (Object.hasOwn(object, key)) {
            throw this.fail('duplicate member name', member.name.loc.start);
          }
          const value = this.read(member.value);
          this.path.pop();
          if (key === '__proto__') {
            // Plain assignment would set the prototype instead of creating a member.
            Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
          } else {
            object[key] = value;
          }
        }
        return object;
      }
      case 'Array': {
        const array: JsonValue[] = [];
        for (const element of node.elements) {
          this.path.push(array.length);
          array.push(this.read(element.value));
          this.path.pop();
        }
        return array;
      }
      case 'String':
        return this.readString(node);
      case 'Number':
        if (!Number.isFinite(node.value)) {
          throw this.fail('the number overflows an IEEE-754 double', node.loc.start);
        }
        return node.value;
      case 'Boolean':
        return node.value;
      case 'Null':
        return null;
      default:
        throw this.fail('expected a JSON value', node.loc.start); // NaN and Infinity exist only in JSON5 mode
    }
  }

  private readString(node: StringNode): string {
    const value = node.value;
    // momoa lets raw control characters through; any in the token also appear in the value, so the raw
    // token text is searched only when the value has one (escaped ones like \n are fine).
    if (CONTROL_CHARACTER.test(value)) {
      const { start, end } = node.loc;
      const at = this.text.slice(start.offset, end.offset).search(CONTROL_CHARACTER);
      if (at >= 0) {
        // The first control character precedes any line break in the token, so it is on the token's line.
        const where = { line: start.line, column: start.column + at, offset: start.offset + at };
        throw this.fail('a raw control character in a string (it must be escaped)', where);
      }
    }
    // Raw lone surrogates were refused up front; this catches escaped ones (\ud800 alone).
    if (findLoneSurrogate(value) >= 0) {
      throw this.fail('a string contains a lone UTF-16 surrogate escape', node.loc.start);
    }
    return value;
  }

  private fail(what: string, at: Location): VigilError {
    return invalidJson(what, at, formatPath(this.path));
  }
}

function invalidJson(what: string, at: Location, path?: string): VigilError {
  const { line, column, offset } = at;
  const details = path === undefined ? { line, column, offset } : { line, column, offset, path };
  return new VigilError('INVALID_JSON', `${what} at line ${line}, column ${column}`, details);
}

const TOKEN_NAMES: Readonly<Record<string, string>> = {
  LBrace: "'{'",
  RBrace: "'}'",
  LBracket: "'['",
  RBracket: "']'",
  Comma: "','",
  Colon: "':'",
  String: 'string',
  Number: 'number',
  Boolean: 'literal',
  Null: 'literal',
};

/**
 * Rewrites one of momoa's errors. Its messages quote the input (an unexpected word, an escape), so only
 * their fixed prefix is read, to say what kind of error it was; the position comes from its fields.
 */
function syntaxError(text: string, e: unknown): unknown {
  const located = e as Partial<Location> | undefined;
  if (!(e instanceof Error) || typeof located?.line !== 'number' || typeof located.column !== 'number') {
    return e; // not a syntax error but a bug: let it surface as it is
  }
  const offset = typeof located.offset === 'number' ? located.offset : 0;
  const token = /^Unexpected token (\w+) found/.exec(e.message)?.[1];
  let what: string;
  if (token !== undefined) {
    what = `unexpected ${TOKEN_NAMES[token] ?? 'token'}`;
  } else if (e.message.startsWith('Unexpected end of input')) {
    what = 'unexpected end of input';
  } else if (e.message.startsWith('Unexpected identifier')) {
    what = 'unexpected word (the only literals are true, false and null)';
  } else if (e.message.startsWith('Invalid') || isInvalidEscape(text, offset, e.message)) {
    what = 'invalid escape sequence in a string';
  } else {
    what = 'unexpected character';
  }
  return invalidJson(what, { line: located.line, column: located.column, offset });
}

/**
 * momoa reports a bad escape at its backslash, with the character after it as the unexpected one; a stray
 * backslash outside a string is reported at itself, as the unexpected character.
 */
function isInvalidEscape(text: string, offset: number, message: string): boolean {
  return text.charCodeAt(offset) === 0x5c /* \ */ && !message.startsWith("Unexpected character '\\'");
}

// ---------------------------------------------------------------------------------------------------------
// helpers

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw new VigilError('INVALID_JSON', `the input is not valid UTF-8 (byte offset ${offset})`, { offset });
  }
}

/**
 * Byte offset of the first ill-formed sequence (only called once the fatal decoder has refused): the
 * lenient decoder writes U+FFFD for it, and the text before that U+FFFD decoded cleanly, so its UTF-8
 * length is the offset. A U+FFFD that was in the input as EF BF BD is skipped.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const text = LENIENT_UTF8.decode(bytes);
  let offset = 0;
  let from = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) {
    offset += UTF8.encode(text.slice(from, i)).length;
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) {
      return offset;
    }
    offset += 3;
    from = i + 1;
  }
  return bytes.length;
}

/** Index of the first unpaired UTF-16 surrogate in `s`, or -1. Such strings have no UTF-8 form. */
export function findLoneSurrogate(s: string): number {
  return s.search(LONE_SURROGATE);
}

function locate(text: string, offset: number): Location {
  return { ...lineAndColumn(text, offset), offset };
}

/** 1-based line and column of a UTF-16 offset; CR LF, CR and LF each end a line, as momoa counts them. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const lineBreak = /\r\n?|\n/g;
  for (let m = lineBreak.exec(text); m !== null && m.index < offset; m = lineBreak.exec(text)) {
    line++;
    lineStart = m.index + m[0].length;
  }
  return { line, column: offset - lineStart + 1 };
}

function formatPath(segments: readonly PathSegment[]): string {
  let path = '$';
  for (const segment of segments) {
    path += typeof segment === 'number' ? `[${segment}]` : formatPathKey(segment);
  }
  return path;
}

function formatPathKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
