import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from '../src/tlog/index.js';
import { isVigilError } from '../src/errors.js';
import { fromHex, toHex, vectors } from './tlog-vectors.js';

const { checkpoints, checkpoint_body_cases: bodyCases, log_key: logKey } = vectors.signed_notes;

function expectInvalid(body: string): void {
  try {
    parseCheckpoint(body);
    expect.unreachable(`${JSON.stringify(body)} must be rejected`);
  } catch (e) {
    expect(isVigilError(e, 'INVALID_CHECKPOINT')).toBe(true);
  }
}

const ROOT_B64 = 'blLS9P6pg6mCFVS5v1datKBdvkjQFry6SnHL1iEySZc=';

describe('checkpoints', () => {
  it.each(checkpoints.map((cp, i) => [i, cp.size, cp] as const))('parses and re-formats checkpoint %i (size %i) byte for byte', (_i, _size, cp) => {
    const parsed = parseCheckpoint(cp.body);
    const extensions = cp.body.split('\n').slice(3, -1);
    expect(parsed).toEqual({ origin: logKey.name, size: cp.size, rootHash: fromHex(cp.root), extensions });
    expect(toHex(parsed.rootHash)).toBe(cp.root);
    expect(formatCheckpoint(parsed)).toBe(cp.body);
  });

  it.each(bodyCases.map((c) => [c.valid ? 'accepts' : 'rejects', c.desc, c] as const))('%s a checkpoint body: %s', (_verb, _desc, c) => {
    if (c.valid) {
      const parsed = parseCheckpoint(c.body);
      expect(formatCheckpoint(parsed)).toBe(c.body);
    } else {
      expectInvalid(c.body);
    }
  });

  it('keeps extension lines in order', () => {
    expect(checkpoints.some((cp) => parseCheckpoint(cp.body).extensions.length === 2)).toBe(true);
    const parsed = parseCheckpoint(`o\n8\n${ROOT_B64}\nextra\nmore\n`);
    expect(parsed.extensions).toEqual(['extra', 'more']);
  });

  it('rejects a checkpoint whose size has a leading zero', () => {
    expectInvalid(`o\n08\n${ROOT_B64}\n`);
    expectInvalid(`o\n00\n${ROOT_B64}\n`);
  });

  it('rejects a checkpoint whose size has a sign, spaces or a fraction', () => {
    expectInvalid(`o\n-8\n${ROOT_B64}\n`);
    expectInvalid(`o\n 8\n${ROOT_B64}\n`);
    expectInvalid(`o\n8.0\n${ROOT_B64}\n`);
    expectInvalid(`o\n1e3\n${ROOT_B64}\n`);
    expectInvalid(`o\n\n${ROOT_B64}\n`);
  });

  it('accepts the largest safe size and rejects anything above it as unsupported', () => {
    expect(parseCheckpoint(`o\n9007199254740991\n${ROOT_B64}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
    expectInvalid(`o\n9007199254740992\n${ROOT_B64}\n`);
    expectInvalid(`o\n18446744073709551615\n${ROOT_B64}\n`);
    expectInvalid(`o\n${'9'.repeat(100_000)}\n${ROOT_B64}\n`);
  });

  it('rejects a body without a final newline or with CRLF line ends', () => {
    expectInvalid(`o\n8\n${ROOT_B64}`);
    expectInvalid(`o\r\n8\r\n${ROOT_B64}\r\n`);
  });

  it('rejects control characters anywhere in the body', () => {
    expectInvalid(`o\t\n8\n${ROOT_B64}\n`);
    expectInvalid(`o\n8\n${ROOT_B64}\next\u0000\n`);
  });

  it('rejects a root hash with non-canonical base64 padding bits', () => {
    expectInvalid('o\n8\nblLS9P6pg6mCFVS5v1datKBdvkjQFry6SnHL1iEySZd=\n');
  });

  it('refuses to format a checkpoint that could not be parsed back', () => {
    const root = fromHex(checkpoints[1]?.root ?? '');
    const refuse = (cp: Parameters<typeof formatCheckpoint>[0]) => {
      try {
        formatCheckpoint(cp);
        expect.unreachable('must be refused');
      } catch (e) {
        expect(isVigilError(e, 'INVALID_CHECKPOINT')).toBe(true);
      }
    };
    refuse({ origin: '', size: 1, rootHash: root, extensions: [] });
    refuse({ origin: 'a\nb', size: 1, rootHash: root, extensions: [] });
    refuse({ origin: 'o', size: -1, rootHash: root, extensions: [] });
    refuse({ origin: 'o', size: 1.5, rootHash: root, extensions: [] });
    refuse({ origin: 'o', size: 2 ** 53, rootHash: root, extensions: [] });
    refuse({ origin: 'o', size: 1, rootHash: root.slice(1), extensions: [] });
    refuse({ origin: 'o', size: 1, rootHash: root, extensions: [''] });
    refuse({ origin: 'o', size: 1, rootHash: root, extensions: ['a\nb'] });
    refuse({ origin: 'o\r', size: 1, rootHash: root, extensions: [] });
  });
});
