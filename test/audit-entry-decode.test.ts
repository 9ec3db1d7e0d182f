/**
 * `decodeEntry`, the verifier's per-entry hot path (JSON.parse, validation, and a comparison with the
 * re-encoded entry), must accept exactly what the reference does, validation of the exact RFC 8785 parser's
 * result, and fail with the same error: on valid entries of every shape and on mutations of them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeEntry, encodeEntry, encodeEntryGeneric, validateEntry, type Entry } from '../src/entry/index.js';
import { encodeBase64, parseCanonicalJson, type JsonValue } from '../src/tlog/index.js';

type Outcome = { ok: true; value: unknown } | { ok: false; code: unknown; message: string };

function outcome(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, code: (e as { code?: unknown }).code, message: (e as Error).message };
  }
}

function reference(leaf: Uint8Array): Entry {
  return validateEntry(parseCanonicalJson(leaf));
}

const utf8 = new TextEncoder();
const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
  fc.constantFrom('a"b', 'back\\slash', 'tab\there', 'é', '😀', '\u2028', '\u007f', 'x'.repeat(257)),
);
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => encodeBase64(b));
const meta = fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>, { maxKeys: 3 });

const entryArb: fc.Arbitrary<Entry> = fc
  .record(
    {
      index: fc.nat({ max: 2 ** 40 }),
      ts: fc.constantFrom('2026-11-26T10:17:35.504Z', '2025-01-01T00:00:00.000Z', '2026-02-30T10:00:00.000Z', '2026-13-01T00:00:00.000Z'),
      kind: fc.constantFrom('prompt', 'tool_call', 'erasure', 'Bad', 'x_1'),
      agent: text,
      session: text,
      task: text,
      credential: text,
      payload: fc.record({ commitment: hash, size: fc.nat(), type: fc.oneof(fc.constant('application/octet-stream'), text) }),
      meta,
      subjects: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
      prev: hash,
    },
    { requiredKeys: ['index', 'ts', 'kind', 'agent', 'payload'] },
  )
  .map((e) => {
    const entry = { v: 1 as const, ...e } as Entry;
    if (entry.index === 0) delete entry.prev;
    return entry;
  });

function encodable(entry: Entry): Uint8Array | undefined {
  try {
    return encodeEntry(entry);
  } catch {
    return undefined; // a lone surrogate: no UTF-8 form
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), delta: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.constantFrom(0x20, 0x0a, 0x5c, 0x22, 0x2c, 0x30) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('text' as const), edit: fc.constantFrom('dup-v', 'dup-agent', 'index-zero', 'escape-a', 'minus-zero', 'fraction', 'exponent', 'bom', 'proto') }),
);

function mutate(leaf: Uint8Array, m: { kind: string; at?: number; delta?: number; byte?: number; edit?: string }): Uint8Array {
  const bytes = Array.from(leaf);
  const at = (m.at ?? 0) % bytes.length;
  switch (m.kind) {
    case 'flip':
      bytes[at] = ((bytes[at] as number) + (m.delta as number)) % 256;
      return Uint8Array.from(bytes);
    case 'insert':
      bytes.splice(at, 0, m.byte as number);
      return Uint8Array.from(bytes);
    case 'delete':
      bytes.splice(at, 1);
      return Uint8Array.from(bytes);
    default: {
      const s = new TextDecoder().decode(leaf);
      const edited: Record<string, string> = {
        'dup-v': s.replace('{', '{"v":1,'),
        'dup-agent': s.replace('"agent":', '"agent":"x","agent":'),
        'index-zero': s.replace(/"index":(\d+)/, '"index":0$1'),
        'escape-a': s.replace(/"agent":"a/, '"agent":"\\u0061'),
        'minus-zero': s.replace(/"size":\d+/, '"size":-0'),
        fraction: s.replace(/"size":(\d+)/, '"size":$1.0'),
        exponent: s.replace(/"size":(\d+)/, '"size":$1e0'),
        bom: '\ufeff' + s,
        proto: s.replace('"agent":', '"__proto__":{},"agent":'),
      };
      return utf8.encode(edited[m.edit as string] ?? s);
    }
  }
}

describe('decodeEntry against the exact canonical parser', () => {
  it('accepts every encoded entry with the same result, and refuses every entry the reference refuses, with the same error', () => {
    fc.assert(
      fc.property(entryArb, (entry) => {
        const leaf = encodable(entry);
        if (leaf === undefined) return;
        expect(encodeEntryGeneric(entry)).toEqual(leaf);
        expect(outcome(() => decodeEntry(leaf))).toEqual(outcome(() => reference(leaf)));
      }),
      { numRuns: 1500 },
    );
  });

  it('agrees with the reference on mutated leaves', () => {
    fc.assert(
      fc.property(entryArb, mutation, (entry, m) => {
        const leaf = encodable(entry);
        if (leaf === undefined) return;
        const changed = mutate(leaf, m);
        expect(outcome(() => decodeEntry(changed))).toEqual(outcome(() => reference(changed)));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses the spellings JSON.parse forgives: duplicate members, whitespace, needless escapes, -0, 1.0', () => {
    const leaf = encodeEntry({ v: 1, index: 3, ts: '2026-11-26T10:17:35.504Z', kind: 'prompt', agent: 'agent-a', payload: { commitment: encodeBase64(new Uint8Array(32)), size: 7, type: 'text/plain' }, prev: encodeBase64(new Uint8Array(32).fill(1)) });
    const s = new TextDecoder().decode(leaf);
    expect(decodeEntry(leaf)).toMatchObject({ index: 3, agent: 'agent-a' });
    const variants = [
      s.replace('"agent":"agent-a"', '"agent":"agent-b","agent":"agent-a"'),
      s.replace('"index":3', '"index": 3'),
      s.replace('agent-a', 'agent\\u002da'),
      s.replace('"size":7', '"size":-0').replace('"index":3', '"index":-0'),
      s.replace('"size":7', '"size":7.0'),
      s + ' ',
    ];
    for (const v of variants) {
      const e = outcome(() => decodeEntry(utf8.encode(v)));
      expect(e.ok, v).toBe(false);
      expect(['NOT_CANONICAL', 'INVALID_JSON']).toContain((e as { code: unknown }).code);
    }
  });

  it('explains values JSON.parse reads but JCS refuses inside meta exactly as the reference does', () => {
    const leaf = encodeEntry({ v: 1, index: 0, ts: '2026-11-26T10:17:35.504Z', kind: 'prompt', agent: 'a', meta: { n: 1 }, payload: { commitment: encodeBase64(new Uint8Array(32)), size: 0, type: 't' } });
    const s = new TextDecoder().decode(leaf);
    const deep = '['.repeat(600) + ']'.repeat(600);
    for (const v of [s.replace('"n":1', '"n":1e400'), s.replace('"n":1', `"n":${deep}`), s.replace('"n":1', '"n":-0')]) {
      const bytes = utf8.encode(v);
      const got = outcome(() => decodeEntry(bytes));
      expect(got.ok).toBe(false);
      expect(got).toEqual(outcome(() => reference(bytes)));
    }
  });

  it('does not let a timestamp that passed vouch for a different one', () => {
    const make = (ts: string): Uint8Array => encodeEntry({ v: 1, index: 0, ts, kind: 'prompt', agent: 'a', payload: { commitment: encodeBase64(new Uint8Array(32)), size: 0, type: 't' } });
    expect(decodeEntry(make('2026-11-26T10:17:35.504Z')).ts).toBe('2026-11-26T10:17:35.504Z');
    expect(() => decodeEntry(make('2026-11-26T10:17:35.50Z'))).toThrow(/ts must be/);
    expect(() => decodeEntry(make('1970-01-01T00:00:00.000'))).toThrow(/ts must be/);
    expect(() => decodeEntry(make(''))).toThrow(/ts must be/);
  });
});
