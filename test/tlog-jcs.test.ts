import serializeCanonical from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalBytes,
  canonicalize,
  findLoneSurrogate,
  isCanonicalJsonText,
  MAX_JSON_DEPTH,
  parseCanonicalJson,
  parseStrictJson,
} from '../src/tlog/index.js';
import type { JsonValue } from '../src/tlog/index.js';
import { isVigilError } from '../src/errors.js';
import type { VigilErrorCode } from '../src/errors.js';
import { fromHex, toHex, vectors } from './tlog-vectors.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function errorOf(fn: () => unknown): { code: VigilErrorCode; message: string; details: unknown } {
  try {
    fn();
  } catch (e) {
    if (isVigilError(e)) return { code: e.code, message: e.message, details: e.details };
    throw e;
  }
  throw new Error('expected a VigilError, nothing was thrown');
}

/** Reference answer: is `text` exactly what RFC 8785 outputs for the value it denotes? */
function isCanonicalByReference(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return serializeCanonical(value) === text;
  } catch {
    return false;
  }
}

const validCases = vectors.jcs.cases.filter((c) => !c.error);
const errorCases = vectors.jcs.cases.filter((c) => c.error);

describe('RFC 8785 vectors', () => {
  it.each(validCases.map((c) => [c.desc, c] as const))('canonicalizes %s byte for byte', (_desc, c) => {
    const value = parseStrictJson(fromHex(c.input_hex));
    expect(canonicalize(value)).toBe(c.output);
    expect(toHex(canonicalBytes(value))).toBe(c.output_hex);
  });

  it.each(validCases.map((c) => [c.desc, c] as const))('accepts the canonical output of %s on the fast path', (_desc, c) => {
    const parsed = parseCanonicalJson(fromHex(c.output_hex ?? ''));
    expect(canonicalize(parsed)).toBe(c.output);
    expect(isCanonicalJsonText(c.output ?? '')).toBe(true);
  });

  it.each(validCases.map((c) => [c.desc, c] as const))('rejects the non-canonical input of %s on the fast path', (_desc, c) => {
    expect(c.input_hex).not.toBe(c.output_hex);
    expect(errorOf(() => parseCanonicalJson(fromHex(c.input_hex))).code).toBe('NOT_CANONICAL');
  });

  it.each(errorCases.map((c) => [c.desc, c] as const))('%s (strict parser)', (_desc, c) => {
    expect(errorOf(() => parseStrictJson(fromHex(c.input_hex))).code).toBe('INVALID_JSON');
    if (c.input !== undefined) {
      expect(errorOf(() => parseStrictJson(c.input as string)).code).toBe('INVALID_JSON');
    }
  });

  it.each(errorCases.map((c) => [c.desc, c] as const))('%s (canonical parser)', (_desc, c) => {
    expect(errorOf(() => parseCanonicalJson(fromHex(c.input_hex))).code).toBe('INVALID_JSON');
  });

  it('serialises all 400 IEEE-754 number vectors like ECMAScript', () => {
    const view = new DataView(new ArrayBuffer(8));
    for (const { ieee754_hex: hex, output } of vectors.jcs.numbers) {
      view.setBigUint64(0, BigInt(`0x${hex}`));
      const value = view.getFloat64(0);
      expect({ hex, text: canonicalize(value) }).toEqual({ hex, text: output });
      const back = parseCanonicalJson(utf8(output));
      expect({ hex, back: Object.is(back, value) || (value === 0 && back === 0) }).toEqual({ hex, back: true });
      expect(parseStrictJson(output)).toBe(back);
    }
  });
});

describe('parseStrictJson', () => {
  it('says where a duplicate member name is, by line and column (the path is in the details)', () => {
    const e = errorOf(() => parseStrictJson('{\n  "a": {"b": 1,\n        "b": 2}\n}'));
    expect(e.code).toBe('INVALID_JSON');
    expect(e.message).toBe('duplicate member name at line 3, column 9');
    expect(e.details).toMatchObject({ line: 3, column: 9, path: '$.a.b' });
  });

  it.each([
    ['an invalid escape', '{"payload":"\\q secret-4111-1111"}'],
    ['a short unicode escape', '{"payload":"\\u41 secret-4111-1111"}'],
    ['a raw control character', '{"payload":"secret-4111-1111\t"}'],
    ['an escaped lone surrogate', '{"payload":"\\ud800secret-4111-1111"}'],
    ['an unterminated string', '{"payload":"secret-4111-1111'],
    ['a bare word', '{"payload":nsecret-4111-1111}'],
    ['a stray backslash', '{"payload":\\secret-4111-1111}'],
    ['an overflowing number', '{"payload":4111e1111}'],
    ['a duplicate member', '{"payload":"secret-4111-1111","payload":1}'],
  ])('never quotes the input in the message for %s', (_what, text) => {
    const e = errorOf(() => parseStrictJson(text));
    expect(e.code).toBe('INVALID_JSON');
    expect(e.message).toMatch(/ at line 1, column \d+$/);
    const said = `${e.message} ${JSON.stringify(e.details)}`;
    // "'" catches momoa's own messages, which quote the offending character or word in single quotes.
    for (const secret of ['secret', '4111', '1111', '\\q', 'u41', "'"]) {
      expect(said).not.toContain(secret);
    }
  });

  it.each([
    ['an invalid escape', '["a\\q"]', 'invalid escape sequence in a string at line 1, column 4'],
    ['a raw control character', '[\n "ab\tc"]', 'a raw control character in a string (it must be escaped) at line 2, column 5'],
    ['a bare word', '[nul]', 'unexpected word (the only literals are true, false and null) at line 1, column 2'],
    ['a trailing comma', '{"a":1,}', "unexpected '}' at line 1, column 8"],
    ['a missing colon', '{"a" 1}', 'unexpected number at line 1, column 6'],
    ['a second document', '{} {}', "unexpected '{' at line 1, column 4"],
    ['the end of input', '{"a":1', 'unexpected end of input at line 1, column 7'],
    ['a stray character', '[1 # 2]', 'unexpected character at line 1, column 4'],
  ])('says what and where for %s', (_what, text, message) => {
    const e = errorOf(() => parseStrictJson(text));
    expect(e.message).toBe(message);
    expect(e.details).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });

  it('does not count brackets inside strings, escaped quotes included, towards the nesting limit', () => {
    const brackets = '[{'.repeat(MAX_JSON_DEPTH);
    expect(parseStrictJson(`["${brackets}", "\\"${brackets}"]`)).toEqual([brackets, `"${brackets}`]);
    expect(isCanonicalJsonText(`["${brackets}"]`)).toBe(true);
  });

  it('says where a number overflows to infinity', () => {
    const e = errorOf(() => parseStrictJson('{"x": [1, -1e309]}'));
    expect(e.message).toMatch(/overflows/);
    expect(e.details).toMatchObject({ line: 1, column: 11, path: '$.x[1]' });
  });

  it('reports the byte offset of invalid UTF-8', () => {
    const e = errorOf(() => parseStrictJson(new Uint8Array([0x5b, 0x22, 0xc3, 0xa9, 0xe2, 0x82, 0x22, 0x5d])));
    expect(e.code).toBe('INVALID_JSON');
    expect(e.message).toMatch(/UTF-8 \(byte offset 4\)/);
  });

  it('rejects overlong UTF-8 and encoded surrogates', () => {
    expect(errorOf(() => parseStrictJson(new Uint8Array([0x22, 0xc0, 0xaf, 0x22]))).code).toBe('INVALID_JSON');
    expect(errorOf(() => parseStrictJson(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))).code).toBe('INVALID_JSON');
  });

  it('rejects a byte-order mark instead of silently dropping it', () => {
    expect(errorOf(() => parseStrictJson(new Uint8Array([0xef, 0xbb, 0xbf, 0x31]))).code).toBe('INVALID_JSON');
    expect(errorOf(() => parseStrictJson('\ufeff1')).code).toBe('INVALID_JSON');
  });

  it('rejects a raw lone surrogate in a JS string input, even next to an escaped one', () => {
    expect(errorOf(() => parseStrictJson('["\ud800"]')).message).toMatch(/lone UTF-16 surrogate/);
    expect(errorOf(() => parseStrictJson('["\\ud83d\ude00"]')).code).toBe('INVALID_JSON');
  });

  it('accepts surrogate pairs, escaped or raw', () => {
    expect(parseStrictJson('["\\ud83d\\ude00", "\ud83d\ude00"]')).toEqual(['😀', '😀']);
  });

  it.each([
    ['a trailing comma in an array', '[1,]'],
    ['a trailing comma in an object', '{"a":1,}'],
    ['a leading zero', '[01]'],
    ['a bare minus', '[-]'],
    ['a fraction without digits', '[1.]'],
    ['a fraction without an integer part', '[.5]'],
    ['an exponent without digits', '[1e]'],
    ['a plus sign', '[+1]'],
    ['single quotes', "['a']"],
    ['a comment', '[1 /* two */]'],
    ['a capitalised literal', '[True]'],
    ['an unquoted member name', '{a:1}'],
    ['an invalid escape', '["\\x41"]'],
    ['a short unicode escape', '["\\u12"]'],
    ['an empty document', ''],
    ['only whitespace', ' \n '],
    ['two documents', '{} {}'],
    ['an unterminated string', '["abc'],
    ['a vertical tab as whitespace', '[\u000b1]'],
    ['a non-breaking space as whitespace', '[\u00a01]'],
  ])('rejects %s', (_what, text) => {
    expect(errorOf(() => parseStrictJson(text)).code).toBe('INVALID_JSON');
  });

  it('keeps a "__proto__" member as data without touching the prototype', () => {
    const value = parseStrictJson('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(canonicalize(value)).toBe('{"__proto__":{"polluted":true},"a":1}');
    expect(errorOf(() => parseStrictJson('{"__proto__": 1, "__proto__": 2}')).message).toMatch(/duplicate/);
  });

  it('rejects nesting deeper than the limit without exhausting the stack', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    expect(errorOf(() => parseStrictJson(deep)).message).toMatch(/nesting/);
    const ok = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(Array.isArray(parseStrictJson(ok))).toBe(true);
    const hostile = '['.repeat(1_000_000);
    expect(errorOf(() => parseStrictJson(hostile)).code).toBe('INVALID_JSON');
  });

  it('parses multi-megabyte input in linear time', () => {
    const members = Array.from({ length: 100_000 }, (_, i) => `"k${i}":"v\\n${'x'.repeat(20)}\\u00e9"`);
    const big = `{${members.join(',')}}`;
    const escapes = `["${'\\n'.repeat(1_000_000)}"]`;
    expect(big.length + escapes.length).toBeGreaterThan(4_000_000);
    const started = performance.now();
    expect(Object.keys(parseStrictJson(big) as Record<string, JsonValue>)).toHaveLength(100_000);
    expect((parseStrictJson(escapes) as string[])[0]).toHaveLength(1_000_000);
    // A quadratic parser needs hours here; the bound only guards against that, not against a slow machine.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('agrees with JSON.parse on every value fast-check can generate', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        fc.pre(findLoneSurrogate(text) < 0);
        expect(parseStrictJson(text)).toEqual(JSON.parse(text));
        expect(parseStrictJson(utf8(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCanonicalJson', () => {
  const accepts = (text: string): boolean => {
    try {
      parseCanonicalJson(utf8(text));
      return true;
    } catch (e) {
      if (!isVigilError(e, 'NOT_CANONICAL') && !isVigilError(e, 'INVALID_JSON')) throw e;
      return false;
    }
  };

  it('accepts member names in UTF-16 order even when they look like array indexes', () => {
    expect(parseCanonicalJson(utf8('{"1":"a","10":"b","2":"c"}'))).toEqual({ 1: 'a', 10: 'b', 2: 'c' });
    expect(errorOf(() => parseCanonicalJson(utf8('{"1":"a","2":"c","10":"b"}'))).code).toBe('NOT_CANONICAL');
  });

  it('says where the text first departs from canonical form', () => {
    const e = errorOf(() => parseCanonicalJson(utf8('{"a":1, "b":2}')));
    expect(e.code).toBe('NOT_CANONICAL');
    expect(e.details).toMatchObject({ line: 1, column: 8, offset: 7 }); // the space after the comma
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['a trailing zero in a fraction', '[1.0]'],
    ['negative zero', '[-0]'],
    ['an uppercase exponent', '[1E+30]'],
    ['an exponent where ECMAScript prints digits', '[1e2]'],
    ['digits where ECMAScript prints an exponent', '[1000000000000000000000]'],
    ['an integer beyond 2^53 that does not round-trip', '[9007199254740993]'],
    ['an escaped solidus', '["\\/"]'],
    ['an escaped printable character', '["\\u0041"]'],
    ['an escaped non-ASCII character', '["\\u00e9"]'],
    ['uppercase hex in an escape', '["\\u001F"]'],
    ['a \\u escape where a short escape exists', '["\\u000a"]'],
    ['\\u0008 instead of \\b', '["\\u0008"]'],
    ['\\u0009 instead of \\t', '["\\u0009"]'],
    ['\\u000c instead of \\f', '["\\u000c"]'],
    ['\\u000d instead of \\r', '["\\u000d"]'],
    ['a \\u escape of a printable ASCII character', '["\\u0020"]'],
    ['an escaped surrogate pair', '["\\ud83d\\ude00"]'],
    ['members out of order', '{"b":1,"a":2}'],
    ['unsorted nested members', '[{"a":{"z":1,"y":2}}]'],
    ['a leading byte-order mark', '\ufeff{}'],
  ])('rejects %s', (_what, text) => {
    expect(accepts(text)).toBe(false);
    expect(isCanonicalJsonText(text)).toBe(false);
    expect(isCanonicalByReference(text)).toBe(false);
  });

  it.each([
    ['an escaped control character', '["\\u001f\\b\\t"]'],
    ['every control character escaped as JCS does', JSON.stringify([String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i))])],
    ['raw DEL and line separators', '["\u007f\u2028\u2029"]'],
    ['a large integer in shortest form', '[1e+21,100000000000000000000]'],
    ['the smallest subnormal', '[5e-324]'],
    ['an escaped quote and backslash in member names, in order', '{"\\"":1,"\\\\":2}'],
    ['astral characters sorted by UTF-16 code unit (U+1F600 before U+FB33)', '{"\ud83d\ude00":2,"\ufb33":1}'],
    ['a top-level scalar', '"x"'],
  ])('accepts %s', (_what, text) => {
    expect(isCanonicalByReference(text)).toBe(true);
    expect(accepts(text)).toBe(true);
    expect(isCanonicalJsonText(text)).toBe(true);
  });

  it('keeps a "__proto__" member as data without touching the prototype', () => {
    const value = parseCanonicalJson(utf8('{"__proto__":{"polluted":true},"a":1}')) as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(value.__proto__).toEqual({ polluted: true });
  });

  it('rejects nesting deeper than the limit as invalid JSON', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    expect(errorOf(() => parseCanonicalJson(utf8(deep))).code).toBe('INVALID_JSON');
    const deepObject = '{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1);
    expect(errorOf(() => parseCanonicalJson(utf8(deepObject))).code).toBe('INVALID_JSON');
    expect(errorOf(() => parseStrictJson(deepObject)).code).toBe('INVALID_JSON');
    const ok = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(canonicalize(parseCanonicalJson(utf8(ok)))).toBe(ok);
  });

  it('rejects duplicate member names as invalid JSON', () => {
    expect(errorOf(() => parseCanonicalJson(utf8('{"a":1,"a":1}'))).code).toBe('INVALID_JSON');
  });

  it('rejects escaped lone surrogates as invalid JSON', () => {
    expect(errorOf(() => parseCanonicalJson(utf8('["\\ud800"]'))).code).toBe('INVALID_JSON');
  });

  it('accepts exactly the canonical serialisation of any generated value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        const text = canonicalize(value as JsonValue);
        const parsed = parseCanonicalJson(utf8(text));
        expect(isCanonicalJsonText(text)).toBe(true);
        expect(parsed).toEqual(JSON.parse(text));
        expect(canonicalize(parsed)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the reference implementation on every mutated text', () => {
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('insert', 'delete', 'replace', 'swap'),
      ch: fc.constantFrom(' ', '"', '\\', ',', ':', '0', '1', '-', '.', 'e', 'E', '+', '{', '}', '[', ']', 'u', 'a', 'A', '/'),
    });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3, stringUnit: 'binary-ascii' }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (value, edits) => {
        let text = canonicalize(value as JsonValue);
        for (const { at, kind, ch } of edits) {
          const i = text.length === 0 ? 0 : at % text.length;
          if (kind === 'insert') text = text.slice(0, i) + ch + text.slice(i);
          else if (kind === 'delete') text = text.slice(0, i) + text.slice(i + 1);
          else if (kind === 'replace') text = text.slice(0, i) + ch + text.slice(i + 1);
          else text = text.slice(0, i) + text.slice(i + 1, i + 2) + text.slice(i, i + 1) + text.slice(i + 2);
        }
        const reference = isCanonicalByReference(text);
        expect({ text, accepted: accepts(text) }).toEqual({ text, accepted: reference });
        expect({ text, fastPath: isCanonicalJsonText(text) }).toEqual({ text, fastPath: reference });
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the reference implementation on generated number spellings', () => {
    const spelling = fc.tuple(
      fc.constantFrom('', '-'),
      fc.stringMatching(/^(0|[1-9][0-9]{0,24})$/),
      fc.option(fc.stringMatching(/^[0-9]{1,20}$/)),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,3}$/))),
    );
    fc.assert(
      fc.property(spelling, ([sign, int, fraction, exponent]) => {
        const text = `${sign}${int}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : exponent.join('')}`;
        const reference = isCanonicalByReference(text);
        expect({ text, accepted: accepts(text) }).toEqual({ text, accepted: reference });
        expect({ text, fastPath: isCanonicalJsonText(text) }).toEqual({ text, fastPath: reference });
      }),
      { numRuns: 3000 },
    );
  });
});

describe('canonicalize', () => {
  it.each([
    ['NaN', [1, Number.NaN], '$[1]'],
    ['Infinity', { a: Number.POSITIVE_INFINITY }, '$.a'],
    ['undefined in an array', [undefined], '$[0]'],
    ['an undefined member', { a: { b: undefined } }, '$.a.b'],
    ['a function', { f: () => 1 }, '$.f'],
    ['a bigint', { n: 1n }, '$.n'],
    ['a symbol', [Symbol('s')], '$[0]'],
    ['a Date', { d: new Date(0) }, '$.d'],
    ['a Map', new Map(), '$'],
    ['a lone surrogate in a string', { s: 'a\ud800' }, '$.s'],
    ['a lone surrogate in a member name', { 'k\udc00': 1 }, '$["k\\udc00"]'],
    ['undefined at the top level', undefined, '$'],
  ])('rejects %s with its path', (_what, value, path) => {
    const e = errorOf(() => canonicalize(value as unknown as JsonValue));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details).toMatchObject({ path });
  });

  it('rejects a reference cycle', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(errorOf(() => canonicalize(cyclic as JsonValue)).message).toMatch(/cycle/);
  });

  it('accepts the same object twice when it is shared, not cyclic', () => {
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('serialises negative zero as 0 and sorts by UTF-16 code units', () => {
    expect(canonicalize({ b: -0, a: [1e21, 1e-7], é: 1, z: 2 })).toBe('{"a":[1e+21,1e-7],"b":0,"z":2,"é":1}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, JsonValue>;
    bare.b = 1;
    bare.a = 2;
    expect(canonicalize(bare)).toBe('{"a":2,"b":1}');
  });

  it('produces the UTF-8 of the canonical text', () => {
    expect(toHex(canonicalBytes({ '€': '😀' }))).toBe(toHex(utf8('{"€":"😀"}')));
  });
});
