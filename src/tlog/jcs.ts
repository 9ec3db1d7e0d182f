/**
 * RFC 8785 JSON Canonicalization Scheme, and the two parsers the ledger needs around it:
 *
 * - `parseStrictJson` takes attacker-controlled JSON text and accepts only I-JSON (RFC 7493): valid UTF-8,
 *   unique member names, no lone surrogates, no number that overflows a double. `JSON.parse` silently
 *   keeps the last duplicate and turns 1e400 into Infinity, which would let two parties read one entry
 *   differently, so this is a hand-written linear-time parser that says where the input is wrong.
 * - `parseCanonicalJson` is the verifier's fast path over stored leaves: it accepts exactly the texts that
 *   are already canonical, checking the form and building the value in one pass.
 */

import serializeCanonical from 'canonicalize';
import { VigilError } from '../errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Deeper nesting is refused (RFC 8259 §9 allows a limit) so that no input can exhaust the call stack. */
export const MAX_JSON_DEPTH = 512;

// ignoreBOM keeps a leading U+FEFF in the text, so it is rejected instead of being silently dropped:
// dropping it would let two different byte strings decode to the same accepted text.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------------------
// canonicalize

/**
 * Serialises a JS value as RFC 8785 canonical JSON. The `canonicalize` package does the serialisation;
 * the walk first refuses what it would silently coerce (undefined → null or dropped, toJSON objects,
 * bigint → TypeError without a path), so a caller's bug cannot turn into a signed, misleading entry.
 */
export function canonicalize(value: JsonValue): string {
  assertJsonValue(value, '$', 0, new Set());
  const text = serializeCanonical(value);
  if (text === undefined) {
    throw new VigilError('INVALID_INPUT', 'the value has no JSON form', { path: '$' });
  }
  return text;
}

export function canonicalBytes(value: JsonValue): Uint8Array {
  return UTF8.encode(canonicalize(value));
}

function assertJsonValue(value: unknown, path: string, depth: number, ancestors: Set<object>): void {
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
  if (depth >= MAX_JSON_DEPTH) {
    throw invalidValue(path, `nesting is deeper than ${MAX_JSON_DEPTH}`);
  }
  if (ancestors.has(value)) {
    throw invalidValue(path, 'the value contains a reference cycle');
  }
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      assertJsonValue(value[i], `${path}[${i}]`, depth + 1, ancestors);
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw invalidValue(path, 'only plain objects and arrays are JSON values');
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const memberPath = `${path}${formatPathKey(key)}`;
      if (findLoneSurrogate(key) >= 0) {
        throw invalidValue(memberPath, 'a member name contains a lone UTF-16 surrogate');
      }
      assertJsonValue(record[key], memberPath, depth + 1, ancestors);
    }
  }
  ancestors.delete(value);
}

function invalidValue(path: string, what: string): VigilError {
  return new VigilError('INVALID_INPUT', `cannot canonicalize ${path}: ${what}`, { path });
}

// ---------------------------------------------------------------------------------------------------------
// parseCanonicalJson

/**
 * Parses bytes that must already be RFC 8785 canonical; anything else throws. This is the verifier's hot
 * path over stored leaves, so it is a single pass that checks canonical form while it builds the value
 * (measured faster than JSON.parse followed by a separate check). Only a miss takes the slow, exact
 * route, which also explains the failure: INVALID_JSON for input that is not I-JSON at all,
 * NOT_CANONICAL for valid JSON written in another form.
 */
export function parseCanonicalJson(bytes: Uint8Array): JsonValue {
  const text = decodeUtf8(bytes);
  const value = new CanonicalParser(text).parseDocument();
  return value === NOT_CANONICAL_TEXT ? explainNonCanonical(text) : value;
}

/**
 * Whether `text` is exactly the RFC 8785 serialisation of the value it denotes, by the fast parser alone.
 * (parseCanonicalJson additionally double-checks a "no" with the reference serialiser before refusing.)
 */
export function isCanonicalJsonText(text: string): boolean {
  return findLoneSurrogate(text) < 0 && new CanonicalParser(text).parseDocument() !== NOT_CANONICAL_TEXT;
}

const NOT_CANONICAL_TEXT: unique symbol = Symbol('not canonical');
type Parsed<T> = T | typeof NOT_CANONICAL_TEXT;

/**
 * Accepts exactly the texts RFC 8785 would output: no whitespace, member names in strictly ascending
 * UTF-16 order (so no duplicates), numbers in ECMAScript shortest form, strings escaped only where JCS
 * escapes. It works on UTF-16 text decoded with a fatal decoder, so raw lone surrogates cannot occur,
 * and escaped ones are never canonical (JCS only escapes control characters). A false "no" costs only
 * the slow route; a false "yes" would be a bug, which the property tests hunt for against the reference.
 */
class CanonicalParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): Parsed<JsonValue> {
    const value = this.parseValue(0);
    return this.pos === this.text.length ? value : NOT_CANONICAL_TEXT;
  }

  private parseValue(depth: number): Parsed<JsonValue> {
    switch (this.text.charCodeAt(this.pos)) {
      case Char.Quote:
        return this.parseString();
      case Char.OpenBrace:
        return depth < MAX_JSON_DEPTH ? this.parseObject(depth) : NOT_CANONICAL_TEXT;
      case Char.OpenBracket:
        return depth < MAX_JSON_DEPTH ? this.parseArray(depth) : NOT_CANONICAL_TEXT;
      case 0x74: // t
        return this.parseLiteral('true', true);
      case 0x66: // f
        return this.parseLiteral('false', false);
      case 0x6e: // n
        return this.parseLiteral('null', null);
      default:
        return this.parseNumber();
    }
  }

  private parseObject(depth: number): Parsed<JsonObject> {
    const text = this.text;
    const object: JsonObject = {};
    this.pos++;
    if (text.charCodeAt(this.pos) === Char.CloseBrace) {
      this.pos++;
      return object;
    }
    let previousKey: string | undefined;
    for (;;) {
      if (text.charCodeAt(this.pos) !== Char.Quote) {
        return NOT_CANONICAL_TEXT;
      }
      const key = this.parseString();
      // JS `<` on strings compares UTF-16 code units, which is exactly RFC 8785 §3.2.3 order.
      if (key === NOT_CANONICAL_TEXT || (previousKey !== undefined && !(previousKey < key))) {
        return NOT_CANONICAL_TEXT;
      }
      previousKey = key;
      if (text.charCodeAt(this.pos) !== Char.Colon) {
        return NOT_CANONICAL_TEXT;
      }
      this.pos++;
      const member = this.parseValue(depth + 1);
      if (member === NOT_CANONICAL_TEXT) {
        return NOT_CANONICAL_TEXT;
      }
      if (key === '__proto__') {
        // Plain assignment would set the prototype instead of creating a member.
        Object.defineProperty(object, key, { value: member, writable: true, enumerable: true, configurable: true });
      } else {
        object[key] = member;
      }
      const c = text.charCodeAt(this.pos++);
      if (c === Char.CloseBrace) {
        return object;
      }
      if (c !== Char.Comma) {
        return NOT_CANONICAL_TEXT;
      }
    }
  }

  private parseArray(depth: number): Parsed<JsonValue[]> {
    const text = this.text;
    const array: JsonValue[] = [];
    this.pos++;
    if (text.charCodeAt(this.pos) === Char.CloseBracket) {
      this.pos++;
      return array;
    }
    for (;;) {
      const item = this.parseValue(depth + 1);
      if (item === NOT_CANONICAL_TEXT) {
        return NOT_CANONICAL_TEXT;
      }
      array.push(item);
      const c = text.charCodeAt(this.pos++);
      if (c === Char.CloseBracket) {
        return array;
      }
      if (c !== Char.Comma) {
        return NOT_CANONICAL_TEXT;
      }
    }
  }

  private parseString(): Parsed<string> {
    const text = this.text;
    const start = this.pos;
    let pos = start + 1;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === Char.Quote) {
        break;
      }
      if (c === Char.Backslash) {
        const length = canonicalEscapeLength(text, pos);
        if (length === 0) {
          return NOT_CANONICAL_TEXT;
        }
        escaped = true;
        pos += length;
      } else if (c < Char.Space || Number.isNaN(c)) {
        return NOT_CANONICAL_TEXT; // raw control character, or no closing quote
      } else {
        pos++;
      }
    }
    this.pos = pos + 1;
    // Escapes are rare in stored entries (control characters, quote, backslash): let the engine decode them.
    return escaped ? (JSON.parse(text.slice(start, pos + 1)) as string) : text.slice(start + 1, pos);
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): Parsed<T> {
    if (!this.text.startsWith(word, this.pos)) {
      return NOT_CANONICAL_TEXT;
    }
    this.pos += word.length;
    return value;
  }

  private parseNumber(): Parsed<number> {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === Char.Minus) {
      pos++;
    }
    const intStart = pos;
    if (text.charCodeAt(pos) === Char.Zero) {
      pos++;
    } else {
      while (isDigit(text.charCodeAt(pos))) pos++;
    }
    const intDigits = pos - intStart;
    if (intDigits === 0) {
      return NOT_CANONICAL_TEXT;
    }
    let plainInteger = true;
    if (text.charCodeAt(pos) === Char.Dot) {
      plainInteger = false;
      pos++;
      const fractionStart = pos;
      while (isDigit(text.charCodeAt(pos))) pos++;
      if (pos === fractionStart) {
        return NOT_CANONICAL_TEXT;
      }
    }
    const e = text.charCodeAt(pos);
    if (e === Char.LowerE || e === Char.UpperE) {
      plainInteger = false;
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === Char.Plus || sign === Char.Minus) {
        pos++;
      }
      const exponentStart = pos;
      while (isDigit(text.charCodeAt(pos))) pos++;
      if (pos === exponentStart) {
        return NOT_CANONICAL_TEXT;
      }
    }
    this.pos = pos;
    const literal = text.slice(start, pos);
    // JSON's number grammar is a subset of Number()'s, and both round to nearest, as JSON.parse does.
    const value = Number(literal);
    // Up to 15 digits is exact and prints back unchanged, except "-0" (canonical zero has no sign).
    if (plainInteger && intDigits <= 15) {
      return Object.is(value, -0) ? NOT_CANONICAL_TEXT : value;
    }
    // Otherwise canonical iff the text is what ECMAScript's Number::toString prints for its value.
    return String(value) === literal ? value : NOT_CANONICAL_TEXT;
  }
}

/**
 * Length of the escape at `at` if JCS would write it (\" \\ \b \f \n \r \t, or \u00xx in lowercase hex
 * for other control characters), else 0. `\/`, `\u0041`, uppercase hex and any escaped surrogate are
 * valid JSON but never canonical.
 */
function canonicalEscapeLength(text: string, at: number): number {
  switch (text.charCodeAt(at + 1)) {
    case Char.Quote:
    case Char.Backslash:
    case 0x62: // b
    case 0x66: // f
    case 0x6e: // n
    case 0x72: // r
    case 0x74: // t
      return 2;
    case Char.LowerU: {
      if (text.charCodeAt(at + 2) !== Char.Zero || text.charCodeAt(at + 3) !== Char.Zero) {
        return 0;
      }
      const high = text.charCodeAt(at + 4);
      const low = hexDigitValue(text.charCodeAt(at + 5));
      if ((high !== Char.Zero && high !== 0x31) || low < 0 || isUpperHex(text.charCodeAt(at + 5))) {
        return 0;
      }
      const unit = (high - Char.Zero) * 16 + low;
      // These five have short forms, which JCS uses instead.
      const hasShortForm = unit === 0x08 || unit === 0x09 || unit === 0x0a || unit === 0x0c || unit === 0x0d;
      return hasShortForm ? 0 : 6;
    }
    default:
      return 0;
  }
}

function isUpperHex(c: number): boolean {
  return c >= 0x41 && c <= 0x46;
}

function explainNonCanonical(text: string): JsonValue {
  // Throws INVALID_JSON, with a position, when the text is not I-JSON at all.
  const value = parseStrictJson(text);
  const canonical = serializeCanonical(value);
  if (canonical === text) {
    return value; // canonical after all: only reachable if the fast scanner is too strict
  }
  const at = firstDifference(text, canonical ?? '');
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
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  return new StrictParser(text).parseDocument();
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    const offset = findInvalidUtf8(bytes);
    throw new VigilError('INVALID_JSON', `the input is not valid UTF-8 (byte offset ${offset})`, { offset });
  }
}

const enum Char {
  Tab = 0x09,
  LineFeed = 0x0a,
  CarriageReturn = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Slash = 0x2f,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  UpperE = 0x45,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  LowerE = 0x65,
  OpenBrace = 0x7b,
  LowerU = 0x75,
  CloseBrace = 0x7d,
}

class StrictParser {
  private pos = 0;
  // Segments of the JSON path to the value being parsed, for error messages.
  private readonly path: Array<string | number> = [];

  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) {
      this.fail('unexpected data after the JSON value');
    }
    return value;
  }

  private parseValue(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case Char.OpenBrace:
        return this.parseObject(depth);
      case Char.OpenBracket:
        return this.parseArray(depth);
      case Char.Quote:
        return this.parseString();
      case 0x74: // t
        return this.parseLiteral('true', true);
      case 0x66: // f
        return this.parseLiteral('false', false);
      case 0x6e: // n
        return this.parseLiteral('null', null);
      default:
        if (c === Char.Minus || (c >= Char.Zero && c <= Char.Nine)) {
          return this.parseNumber();
        }
        return this.fail(Number.isNaN(c) ? 'unexpected end of input, expected a value' : 'expected a value');
    }
  }

  private parseObject(depth: number): JsonObject {
    this.enterContainer(depth);
    const object: JsonObject = {};
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === Char.CloseBrace) {
      this.pos++;
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== Char.Quote) {
        this.fail('expected a member name in double quotes');
      }
      const keyAt = this.pos;
      const key = this.parseString();
      if (Object.hasOwn(object, key)) {
        this.path.push(key);
        this.fail(`duplicate member name ${JSON.stringify(key)}`, keyAt);
      }
      this.skipWhitespace();
      this.expect(Char.Colon, "expected ':' after a member name");
      this.skipWhitespace();
      this.path.push(key);
      const member = this.parseValue(depth + 1);
      this.path.pop();
      if (key === '__proto__') {
        // Plain assignment would set the prototype instead of creating a member.
        Object.defineProperty(object, key, { value: member, writable: true, enumerable: true, configurable: true });
      } else {
        object[key] = member;
      }
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === Char.CloseBrace) {
        return object;
      }
      if (c !== Char.Comma) {
        this.fail("expected ',' or '}' after an object member", this.pos - 1);
      }
    }
  }

  private parseArray(depth: number): JsonValue[] {
    this.enterContainer(depth);
    const array: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === Char.CloseBracket) {
      this.pos++;
      return array;
    }
    for (;;) {
      this.skipWhitespace();
      this.path.push(array.length);
      array.push(this.parseValue(depth + 1));
      this.path.pop();
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === Char.CloseBracket) {
        return array;
      }
      if (c !== Char.Comma) {
        this.fail("expected ',' or ']' after an array element", this.pos - 1);
      }
    }
  }

  private enterContainer(depth: number): void {
    if (depth >= MAX_JSON_DEPTH) {
      this.fail(`nesting is deeper than ${MAX_JSON_DEPTH}`);
    }
    this.pos++;
  }

  private parseString(): string {
    const text = this.text;
    const start = this.pos;
    let pos = start + 1;
    let chunkStart = pos;
    let out = '';
    let sawEscapedSurrogate = false;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === Char.Quote) {
        break;
      }
      if (c === Char.Backslash) {
        out += text.slice(chunkStart, pos);
        const unit = this.decodeEscape(pos);
        out += String.fromCharCode(unit);
        sawEscapedSurrogate ||= isSurrogate(unit);
        pos += text.charCodeAt(pos + 1) === Char.LowerU ? 6 : 2; // \uXXXX or \x
        chunkStart = pos;
        continue;
      }
      if (c < Char.Space || Number.isNaN(c)) {
        this.pos = pos;
        this.fail(Number.isNaN(c) ? 'unterminated string' : 'raw control character in a string (must be escaped)', pos);
      }
      if (isSurrogate(c)) {
        // Raw surrogates (only possible when the input is a JS string) must pair up in the text itself.
        const next = text.charCodeAt(pos + 1);
        if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) {
          this.fail('a lone UTF-16 surrogate in a string', pos);
        }
        pos++;
      }
      pos++;
    }
    out += text.slice(chunkStart, pos);
    this.pos = pos + 1;
    // Escaped surrogates must pair up in the decoded value (\ud83d\ude00 is one character).
    if (sawEscapedSurrogate && findLoneSurrogate(out) >= 0) {
      this.fail('a string contains a lone UTF-16 surrogate escape', start);
    }
    return out;
  }

  /** Decodes the escape starting at the backslash at `at`; returns one UTF-16 code unit. */
  private decodeEscape(at: number): number {
    const c = this.text.charCodeAt(at + 1);
    switch (c) {
      case Char.Quote:
        return Char.Quote;
      case Char.Backslash:
        return Char.Backslash;
      case Char.Slash:
        return Char.Slash;
      case 0x62: // b
        return 0x08;
      case 0x66: // f
        return 0x0c;
      case 0x6e: // n
        return Char.LineFeed;
      case 0x72: // r
        return Char.CarriageReturn;
      case 0x74: // t
        return Char.Tab;
      case Char.LowerU: {
        let unit = 0;
        for (let i = at + 2; i < at + 6; i++) {
          const digit = hexDigitValue(this.text.charCodeAt(i));
          if (digit < 0) {
            this.fail('\\u must be followed by four hex digits', at);
          }
          unit = unit * 16 + digit;
        }
        return unit;
      }
      default:
        return this.fail('invalid escape sequence in a string', at);
    }
  }

  private parseNumber(): number {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === Char.Minus) {
      pos++;
    }
    // Integer part: a single 0, or digits not starting with 0 (a following digit is then a syntax error).
    if (text.charCodeAt(pos) === Char.Zero) {
      pos++;
    } else if (isDigit(text.charCodeAt(pos))) {
      while (isDigit(text.charCodeAt(pos))) pos++;
    } else {
      this.fail('a number needs digits', pos);
    }
    if (text.charCodeAt(pos) === Char.Dot) {
      pos++;
      if (!isDigit(text.charCodeAt(pos))) {
        this.fail('a fraction needs digits after the decimal point', pos);
      }
      while (isDigit(text.charCodeAt(pos))) pos++;
    }
    const e = text.charCodeAt(pos);
    if (e === Char.LowerE || e === Char.UpperE) {
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === Char.Plus || sign === Char.Minus) {
        pos++;
      }
      if (!isDigit(text.charCodeAt(pos))) {
        this.fail('an exponent needs digits', pos);
      }
      while (isDigit(text.charCodeAt(pos))) pos++;
    }
    // The grammar above is JSON's, so Number() reads it exactly as JSON.parse would (round to nearest).
    const value = Number(text.slice(start, pos));
    if (!Number.isFinite(value)) {
      this.fail('the number overflows an IEEE-754 double', start);
    }
    this.pos = pos;
    return value;
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) {
      this.fail('expected a value');
    }
    this.pos += word.length;
    return value;
  }

  private expect(char: number, message: string): void {
    if (this.text.charCodeAt(this.pos) !== char) {
      this.fail(message);
    }
    this.pos++;
  }

  private skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === Char.Space || c === Char.LineFeed || c === Char.CarriageReturn || c === Char.Tab) {
        pos++;
      } else {
        break;
      }
    }
    this.pos = pos;
  }

  private fail(what: string, at: number = this.pos): never {
    const { line, column } = lineAndColumn(this.text, at);
    const path = formatPath(this.path);
    const found = at < this.text.length ? ` near ${JSON.stringify(this.text.slice(at, at + 12))}` : '';
    throw new VigilError('INVALID_JSON', `${what} at line ${line}, column ${column} (${path})${found}`, {
      line,
      column,
      offset: at,
      path,
    });
  }
}

function isDigit(c: number): boolean {
  return c >= Char.Zero && c <= Char.Nine;
}

function isSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdfff;
}

function hexDigitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** Index of the first unpaired UTF-16 surrogate in `s`, or -1. Such strings have no UTF-8 form. */
export function findLoneSurrogate(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) {
      continue;
    }
    if (c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function formatPath(segments: ReadonlyArray<string | number>): string {
  let path = '$';
  for (const segment of segments) {
    path += typeof segment === 'number' ? `[${segment}]` : formatPathKey(segment);
  }
  return path;
}

function formatPathKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Byte offset of the first ill-formed UTF-8 sequence (only called once the decoder has refused). */
function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) {
        return i;
      }
      cp = (cp << 6) | (next & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return i;
    }
    i += need + 1;
  }
  return bytes.length;
}
