import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../src/tlog/index.js';
import { isVigilError } from '../src/errors.js';
import { toHex, vectors } from './tlog-vectors.js';

function expectInvalid(text: string): void {
  try {
    decodeBase64(text, 'the test field');
    expect.unreachable(`${JSON.stringify(text)} must be rejected`);
  } catch (e) {
    expect(isVigilError(e, 'INVALID_BASE64')).toBe(true);
    expect((e as Error).message).toContain('the test field');
  }
}

describe('base64', () => {
  it('encodes the RFC 4648 §10 test vectors', () => {
    const cases: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of cases) {
      const bytes = new TextEncoder().encode(plain);
      expect(encodeBase64(bytes)).toBe(encoded);
      expect(toHex(decodeBase64(encoded))).toBe(toHex(bytes));
    }
  });

  it('decodes every checkpoint root in the vectors to the listed hash', () => {
    for (const cp of vectors.signed_notes.checkpoints) {
      expect(toHex(decodeBase64(cp.root_b64))).toBe(cp.root);
    }
  });

  it('encodes a subarray view without leaking the bytes around it', () => {
    const backing = new Uint8Array([0xff, 0x01, 0x02, 0xff]);
    expect(encodeBase64(backing.subarray(1, 3))).toBe('AQI=');
  });

  it('rejects non-zero padding bits', () => {
    expectInvalid('Zh==');
    expectInvalid('Zm9=');
  });

  it('rejects missing padding', () => {
    expectInvalid('Zg');
    expectInvalid('Zm8');
  });

  it('rejects the URL-safe alphabet', () => {
    expectInvalid('-_8=');
  });

  it('rejects whitespace and line breaks anywhere', () => {
    expectInvalid(' Zm9v');
    expectInvalid('Zm9v\n');
    expectInvalid('Zm 9v');
  });

  it('rejects padding in the middle or too much of it', () => {
    expectInvalid('Zg==Zg==');
    expectInvalid('Zg===');
    expectInvalid('Z===');
    expectInvalid('====');
  });

  it('returns plain Uint8Arrays that own their memory', () => {
    const bytes = decodeBase64('Zm9v');
    expect(bytes.constructor).toBe(Uint8Array);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(3);
  });

  it('round-trips arbitrary bytes and rejects every other spelling of them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.constantFrom('A', '/', '+', '=', 'a'), (bytes, at, ch) => {
        const text = encodeBase64(bytes);
        expect(toHex(decodeBase64(text))).toBe(toHex(bytes));
        if (text.length === 0) return;
        const i = at % text.length;
        const altered = text.slice(0, i) + ch + text.slice(i + 1);
        if (altered === text) return;
        // Any single-character change must either fail or decode to different bytes.
        let decoded: Uint8Array | undefined;
        try {
          decoded = decodeBase64(altered);
        } catch {
          return;
        }
        expect(toHex(decoded)).not.toBe(toHex(bytes));
        expect(encodeBase64(decoded)).toBe(altered);
      }),
      { numRuns: 500 },
    );
  });
});
