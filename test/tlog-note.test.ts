import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  encodeBase64,
  formatVerifierKey,
  keyIdFor,
  NoteSigner,
  parseNote,
  parseVerifierKey,
  verifyNote,
} from '../src/tlog/index.js';
import { isVigilError } from '../src/errors.js';
import type { VigilErrorCode } from '../src/errors.js';
import { fromHex, toHex, vectors } from './tlog-vectors.js';

const { log_key: logKey, checkpoints, cosignature, note_cases: noteCases, vkey_cases: vkeyCases } = vectors.signed_notes;
const logSigner = new NoteSigner(logKey.name, fromHex(logKey.ed25519_seed_hex));
const logVerifier = parseVerifierKey(logKey.vkey);
const witnessVerifier = parseVerifierKey(cosignature.cosigner.vkey);

function codeOf(fn: () => unknown): VigilErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    if (isVigilError(e)) return e.code;
    throw e;
  }
}

describe('verifier keys', () => {
  it.each(vkeyCases.map((c) => [c.valid ? 'accepts' : 'rejects', c.desc, c.level, c] as const))(
    '%s a verifier key: %s (%s)',
    (_verb, _desc, _level, c) => {
      if (c.valid) {
        const key = parseVerifierKey(c.vkey);
        expect(key.text).toBe(c.vkey);
        expect(c.vkey.startsWith(`${key.name}+${toHex(key.keyId)}+`)).toBe(true);
      } else {
        expect(codeOf(() => parseVerifierKey(c.vkey))).toBe('INVALID_VERIFIER_KEY');
      }
    },
  );

  it('parses the log key into its name, key ID, type and public key', () => {
    expect(logVerifier).toEqual({
      name: logKey.name,
      keyId: fromHex(logKey.key_id_hex),
      type: 1,
      publicKey: fromHex(logKey.public_key_hex),
      text: logKey.vkey,
    });
    expect(witnessVerifier.type).toBe(4);
    expect(toHex(witnessVerifier.keyId)).toBe(cosignature.cosigner.key_id_hex);
  });

  it('computes key IDs as SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4] for both signature types', () => {
    expect(toHex(keyIdFor(logKey.name, 1, fromHex(logKey.public_key_hex)))).toBe(logKey.key_id_hex);
    const cosigner = cosignature.cosigner;
    expect(toHex(keyIdFor(cosigner.name, 4, fromHex(cosigner.public_key_hex)))).toBe(cosigner.key_id_hex);
    expect(toHex(keyIdFor(cosigner.name, 1, fromHex(cosigner.public_key_hex)))).not.toBe(cosigner.key_id_hex);
  });

  it('formats the vectors log key string from its name and public key', () => {
    expect(formatVerifierKey(logKey.name, fromHex(logKey.public_key_hex))).toBe(logKey.vkey);
    expect(logSigner.verifierKey).toBe(logKey.vkey);
    expect(toHex(logSigner.keyId)).toBe(logKey.key_id_hex);
    expect(toHex(logSigner.publicKey)).toBe(logKey.public_key_hex);
  });

  it('rejects a name with a plus sign, a tab or nothing before the first plus', () => {
    const key = encodeBase64(new Uint8Array([1, ...fromHex(logKey.public_key_hex)]));
    expect(codeOf(() => parseVerifierKey(`+787e1a4e+${key}`))).toBe('INVALID_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey(`a\tb+787e1a4e+${key}`))).toBe('INVALID_VERIFIER_KEY');
    expect(codeOf(() => formatVerifierKey('a+b', fromHex(logKey.public_key_hex)))).toBe('INVALID_VERIFIER_KEY');
    expect(codeOf(() => formatVerifierKey('a b', fromHex(logKey.public_key_hex)))).toBe('INVALID_VERIFIER_KEY');
  });

  it('rejects a key in URL-safe base64, with whitespace or with padding bits set', () => {
    const [name, id] = logKey.vkey.split('+');
    const keyText = logKey.vkey.slice(`${name}+${id}+`.length);
    expect(decodeBase64(keyText).length).toBe(33);
    expect(codeOf(() => parseVerifierKey(`${name}+${id}+${keyText.replaceAll('+', '-')}`))).toBe('INVALID_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey(`${logKey.vkey}\n`))).toBe('INVALID_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey(`${logKey.vkey} `))).toBe('INVALID_VERIFIER_KEY');
    // A 31-byte key is 44 characters with one '='; setting its padding bits must not pass as another spelling.
    const shortKey = vkeyCases.find((c) => c.desc === '31-byte key')?.vkey ?? '';
    expect(shortKey.endsWith('g=')).toBe(true);
    expect(() => parseVerifierKey(shortKey.replace(/g=$/, 'h='))).toThrow(/padding bits/);
  });
});

describe('signing notes', () => {
  it.each(checkpoints.map((cp) => [cp.size, cp] as const))('reproduces the signed size-%i checkpoint byte for byte', (_size, cp) => {
    expect(logSigner.sign(cp.body)).toBe(cp.note);
  });

  it('signs in the form body, blank line, em-dash signature line', () => {
    const note = logSigner.sign('hello\n');
    expect(note.startsWith(`hello\n\n\u2014 ${logKey.name} `)).toBe(true);
    expect(note.endsWith('\n')).toBe(true);
    expect(verifyNote(note, [logVerifier]).body).toBe('hello\n');
  });

  it('refuses to sign a body without a final newline or with control characters', () => {
    expect(codeOf(() => logSigner.sign('no newline'))).toBe('INVALID_NOTE');
    expect(codeOf(() => logSigner.sign(''))).toBe('INVALID_NOTE');
    expect(codeOf(() => logSigner.sign('a\r\n'))).toBe('INVALID_NOTE');
    expect(codeOf(() => logSigner.sign('a\ud800\n'))).toBe('INVALID_NOTE');
  });

  it('refuses a signer name that cannot appear in a signature line', () => {
    expect(codeOf(() => new NoteSigner('two words', fromHex(logKey.ed25519_seed_hex)))).toBe('INVALID_VERIFIER_KEY');
    expect(codeOf(() => new NoteSigner('', fromHex(logKey.ed25519_seed_hex)))).toBe('INVALID_VERIFIER_KEY');
  });

  it('keeps its own copy of the seed', () => {
    const seed = fromHex(logKey.ed25519_seed_hex);
    const signer = new NoteSigner(logKey.name, seed);
    seed.fill(0);
    expect(signer.sign(checkpoints[0]?.body ?? '')).toBe(checkpoints[0]?.note);
  });
});

describe('verifying notes', () => {
  it.each(noteCases.map((c) => [c.valid ? 'accepts' : 'rejects', c.desc, c.level, c] as const))(
    '%s a note: %s (%s)',
    (_verb, _desc, _level, c) => {
      const keys = c.vkeys.map(parseVerifierKey);
      if (c.valid) {
        const result = verifyNote(c.note, keys);
        expect(c.note.startsWith(result.body)).toBe(true);
        expect(result.verifiedBy.length).toBeGreaterThan(0);
        expect(result.verifiedBy.every((k) => keys.includes(k))).toBe(true);
      } else {
        expect(codeOf(() => verifyNote(c.note, keys))).toBe('INVALID_NOTE');
      }
    },
  );

  it('verifies the log signature and the witness cosignature and names both keys', () => {
    const result = verifyNote(cosignature.note, [logVerifier, witnessVerifier]);
    expect(result.verifiedBy.map((k) => k.name)).toEqual([logKey.name, cosignature.cosigner.name]);
    expect(result.body).toBe(cosignature.signed_message.split('\n').slice(2).join('\n'));
  });

  it('reads the cosignature timestamp as the vectors say', () => {
    const witnessLine = parseNote(cosignature.note).signatures.find((s) => s.name === cosignature.cosigner.name);
    if (!witnessLine) throw new Error('the cosigned note must carry the witness signature');
    expect(witnessLine.signature.length).toBe(8 + 64);
    const timestamp = new DataView(witnessLine.signature.buffer, witnessLine.signature.byteOffset, 8).getBigUint64(0);
    expect(timestamp).toBe(BigInt(cosignature.timestamp));
  });

  it('rejects a cosignature whose timestamp was changed', () => {
    const note = parseNote(cosignature.note);
    const witness = note.signatures[1];
    if (!witness) throw new Error('the cosigned note must carry two signatures');
    const signature = witness.signature.slice();
    signature[7] = (signature[7] as number) ^ 1;
    const forged = `${note.body}\n${note.signatures[0]?.raw}\n\u2014 ${witness.name} ${encodeBase64(new Uint8Array([...witness.keyId, ...signature]))}\n`;
    expect(codeOf(() => verifyNote(forged, [logVerifier]))).toBe('none');
    expect(codeOf(() => verifyNote(forged, [logVerifier, witnessVerifier]))).toBe('INVALID_NOTE');
  });

  it('rejects a note signed by a known key whose signature is too short to be Ed25519', () => {
    const body = checkpoints[2]?.body ?? '';
    const short = `${body}\n\u2014 ${logKey.name} ${encodeBase64(new Uint8Array([...logVerifier.keyId, 1, 2, 3]))}\n`;
    expect(codeOf(() => verifyNote(short, [logVerifier]))).toBe('INVALID_NOTE');
  });

  it('rejects a note when no key is trusted at all', () => {
    expect(codeOf(() => verifyNote(checkpoints[1]?.note ?? '', []))).toBe('INVALID_NOTE');
  });

  it('finds the signatures after the last blank line, so the text may hold blank lines', () => {
    const note = logSigner.sign('first\n\nsecond\n');
    expect(verifyNote(note, [logVerifier]).body).toBe('first\n\nsecond\n');
  });
});

describe('parsing notes', () => {
  const valid = checkpoints[3]?.note ?? '';

  it('splits the body from the signature lines and decodes each line', () => {
    const note = parseNote(valid);
    expect(note.body).toBe(checkpoints[3]?.body);
    expect(note.signatures).toHaveLength(1);
    const [sig] = note.signatures;
    expect(sig?.name).toBe(logKey.name);
    expect(toHex(sig?.keyId ?? new Uint8Array(0))).toBe(logKey.key_id_hex);
    expect(sig?.signature.length).toBe(64);
    expect(`${sig?.raw}\n`).toBe(valid.slice(valid.lastIndexOf('\u2014')));
  });

  it.each([
    ['no signature lines', `${checkpoints[3]?.body}\n`],
    ['a blank line after the signatures', `${valid}\n`],
    ['a signature line without a space', `${checkpoints[3]?.body}\n\u2014 name\n`],
    ['a signature of four bytes (key ID only)', `${checkpoints[3]?.body}\n\u2014 name AAAAAA==\n`],
    ['an empty signature', `${checkpoints[3]?.body}\n\u2014 name \n`],
    ['a signature line with two spaces', valid.replace(`${logKey.name} `, `${logKey.name}  `)],
    ['an en dash instead of an em dash', valid.replace('\u2014', '\u2013')],
    ['an em dash without the space', valid.replace('\u2014 ', '\u2014')],
    ['a DEL character in the body', valid.replace('example.com', 'example\u007f.com')],
  ])('rejects a note with %s', (_what, text) => {
    expect(codeOf(() => parseNote(text))).toBe('INVALID_NOTE');
  });

  it('rejects a note with more than 100 signature lines', () => {
    const line = valid.slice(valid.lastIndexOf('\u2014'));
    const many = `${checkpoints[3]?.body}\n${line.repeat(101)}`;
    expect(codeOf(() => parseNote(many))).toBe('INVALID_NOTE');
    expect(codeOf(() => parseNote(`${checkpoints[3]?.body}\n${line.repeat(100)}`))).toBe('none');
  });
});
