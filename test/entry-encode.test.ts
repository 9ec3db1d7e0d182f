import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeEntry, encodeEntryGeneric, decodeEntry, type Entry } from '../src/entry/index.js';
import type { JsonValue } from '../src/tlog/index.js';

const b64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64'));
const name = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
const jsonValue = fc.jsonValue({ maxDepth: 3 }).filter((v) => JSON.stringify(v) !== undefined) as fc.Arbitrary<JsonValue>;

const entryArb: fc.Arbitrary<Entry> = fc.record(
  {
    v: fc.constant(1 as const),
    index: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    ts: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    kind: fc.constantFrom('prompt', 'tool_call', 'tool_result', 'response', 'dlp_decision', 'x_custom'),
    agent: name,
    session: name,
    task: name,
    credential: name,
    payload: fc.record({ commitment: b64, size: fc.nat({ max: 2 ** 40 }), type: fc.constantFrom('text/plain; charset=utf-8', 'application/json') }),
    meta: fc.dictionary(fc.string({ maxLength: 8 }), jsonValue, { maxKeys: 5 }),
    subjects: fc.array(b64, { maxLength: 3 }),
    prev: b64,
  },
  { requiredKeys: ['v', 'index', 'ts', 'kind', 'agent', 'payload'] },
);

describe('entry encoding', () => {
  it('writes exactly the RFC 8785 bytes of the general canonicalizer, for any entry', () => {
    fc.assert(
      fc.property(entryArb, (entry) => {
        expect(Buffer.from(encodeEntry(entry)).toString('utf8')).toBe(Buffer.from(encodeEntryGeneric(entry)).toString('utf8'));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips through decodeEntry', () => {
    fc.assert(
      fc.property(entryArb, (entry) => {
        const e = { ...entry, prev: entry.index === 0 ? undefined : (entry.prev ?? 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=') };
        expect(decodeEntry(encodeEntry(e))).toEqual(JSON.parse(Buffer.from(encodeEntry(e)).toString('utf8')));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a field holding a lone surrogate', () => {
    const entry: Entry = { v: 1, index: 0, ts: '2026-01-01T00:00:00.000Z', kind: 'prompt', agent: 'a\ud800', payload: { commitment: 'x', size: 0, type: 't' } };
    expect(() => encodeEntry(entry)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
