/**
 * parseStrictJson takes a fast route (JSON.parse plus checks) before the exact one (momoa plus I-JSON's
 * rules): on every input both must accept the same texts with the same values, and refuse the same texts
 * with the same errors. Random JSON-ish texts are built to hit what JSON.parse forgives: duplicate names,
 * lone surrogates (raw and escaped), overflowing numbers, deep nesting, odd whitespace, bad escapes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../src/tlog/index.js';
import { MAX_JSON_DEPTH, parseStrictJsonExact } from '../src/tlog/jcs.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function outcome(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    const v = e as { code?: string; message?: string; details?: unknown; name?: string };
    return { ok: false, error: { name: v.name, code: v.code, message: v.message, details: v.details } };
  }
}

/** Same outcome: deep-equal values (own keys in the same order, -0 kept) or the same error. */
function expectSame(input: string | Uint8Array): void {
  const fast = outcome(() => parseStrictJson(input));
  const exact = outcome(() => parseStrictJsonExact(input));
  expect(fast).toStrictEqual(exact);
  if (fast.ok && exact.ok) expect(shape(fast.value)).toStrictEqual(shape(exact.value));
}

/** Key order, own property kinds, prototypes and -0, which toStrictEqual does not all compare. */
function shape(v: unknown): unknown {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(shape);
  return { proto: Object.getPrototypeOf(v) === Object.prototype, entries: Object.entries(Object.getOwnPropertyDescriptors(v)).map(([k, d]) => [k, d.enumerable, d.writable, shape(d.value)]) };
}

const pieces = [
  '{', '}', '[', ']', ',', ':', ' ', '\n', '\r', '\t', '\f', '\v', '\u00a0', '\ufeff', '\u2028',
  '"a"', '"b"', '"a"', '"__proto__"', '"constructor"', '"1"', '"0"', '""',
  '"\\ud800"', '"\\udc00"', '"\\ud83d\\ude00"', '"\\uD83D"', '"\\\\ud800"', '"\ud83d\ude00"', '"\\u0000"', '"\u0001"', '"\\x41"', '"\\/"', '"\\\'"', '"\\u00e9"',
  '"x\\"y"', '"\\\\"', '"a\\\\\\"b"',
  '0', '-0', '1', '-1.5e3', '1e400', '-1e309', '1e-400', '01', '1.', '.5', '+1', '0x10', 'NaN', 'Infinity', '9007199254740993',
  'true', 'false', 'null', 'nul', 'True', '//c', '/*c*/',
];

const jsonish = fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 30 }).map((p) => p.join(''));

/** Real JSON with names drawn from a small set (so duplicates happen) and strings with surrogate halves. */
const key = fc.constantFrom('a', 'b', 'c', '__proto__', '1', '\ud800', '\udc00x', 'é', '');
const str = fc.oneof(fc.string(), fc.constantFrom('\ud800', 'x\udfff', '\ud83d\ude00', '\u2028', '"\\'), fc.string({ unit: 'binary' }));
const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', 'true', 'false', '0', '-0', '1e400', '12.5', '-3'),
    str.map((s) => JSON.stringify(s)),
    fc.array(tie('v'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
    fc.array(fc.tuple(key, tie('v')), { maxLength: 4 }).map((ms) => `{${ms.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).v;
/** The same texts with \uXXXX escapes for every non-ASCII code unit (what many encoders write). */
const escaped = value.map((t) => t.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

describe('strict JSON: the fast route agrees with the exact route', () => {
  it('on random token soups', () => {
    fc.assert(fc.property(jsonish, (text) => expectSame(text)), { numRuns: 5000 });
  });

  it('on random JSON documents with duplicate names, surrogates and overflowing numbers, as text and as bytes', () => {
    fc.assert(
      fc.property(value, (text) => {
        expectSame(text);
        expectSame(new TextEncoder().encode(text));
      }),
      { numRuns: 3000 },
    );
    fc.assert(fc.property(escaped, (text) => expectSame(text)), { numRuns: 3000 });
  });

  it('on random bytes (invalid UTF-8, a BOM, surrogates encoded in UTF-8)', () => {
    const bytes = fc.array(fc.oneof(fc.constantFrom(0x22, 0x5b, 0x5d, 0x7b, 0x7d, 0x3a, 0x2c, 0x31, 0x5c, 0x75), fc.integer({ min: 0, max: 255 })), { maxLength: 24 });
    fc.assert(fc.property(bytes, (b) => expectSame(Uint8Array.from(b))), { numRuns: 3000 });
    expectSame(Uint8Array.from([0xef, 0xbb, 0xbf, 0x31]));
    expectSame(Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22]));
  });

  it('on nesting at and past the limit, duplicates deep inside, and names hidden in long strings', () => {
    for (const depth of [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 5000]) {
      expectSame('['.repeat(depth) + ']'.repeat(depth));
      expectSame('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
      expectSame('['.repeat(depth)); // unterminated
    }
    const long = 'x'.repeat(5000);
    expectSame(`{"a":"${long}\\":","b":1}`);
    expectSame(`{"a":"${long}\\\\","a":1}`);
    expectSame(`[{"p":"${long}"},{"p":"${long}","q":{"r":1,"s":[{"t":2,"t":3}]}}]`);
    expectSame(`{"a":"${long}`);
    expectSame('{"a":1,"a":1}');
    expectSame('{"__proto__":{"x":1},"y":2}');
    expectSame('{"__proto__":1,"__proto__":2}');
    expectSame('{"2":1,"1":2,"b":3,"a":4}');
    expectSame(' \n\t\r{"a" : [ 1 , 2 ] } \r\n');
    expectSame('"\u2028\u2029"');
  });

  it('returns the same values for the events the service records', () => {
    const event = JSON.stringify({ kind: 'tool_result', agent: 'a', session: 's1', payload: { text: 'x'.repeat(1024), n: [1, 2.5, -0, null, true], nested: { '\ud83d\ude00': 'é' } } });
    expectSame(event);
    expectSame(`[${Array.from({ length: 50 }, () => event).join(',')}]`);
    expect(parseStrictJson(event)).toEqual(JSON.parse(event));
  });
});
