/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint@v1.0.0): the note body a log signs to commit to
 * its size and root hash.
 *
 *   <origin>\n<decimal size>\n<base64 root hash>\n[<extension line>\n]*
 *
 * Parsing is strict because the body is signed: any text two parsers could read differently (a size with a
 * leading zero, a root with loose base64) would let one signature vouch for two different claims.
 */

import { VigilError } from '../errors.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { HASH_LENGTH } from './crypto.js';
import { findForbiddenNoteChar } from './note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions: string[];
}

// Decimal without sign or leading zeros ("0" itself is fine).
const SIZE_SHAPE = /^(?:0|[1-9][0-9]*)$/;
const MAX_SIZE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_SIZE_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

function invalid(message: string, line?: number): VigilError {
  return new VigilError('INVALID_CHECKPOINT', message, line === undefined ? undefined : { line });
}

export function formatCheckpoint(cp: Checkpoint): string {
  if (typeof cp.origin !== 'string' || cp.origin === '' || cp.origin.includes('\n')) {
    throw invalid('the origin must be a non-empty single line');
  }
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw invalid(`the tree size must be a safe non-negative integer, got ${String(cp.size)}`);
  }
  if (!(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== HASH_LENGTH) {
    throw invalid(`the root hash must be ${HASH_LENGTH} bytes`);
  }
  for (const [i, extension] of cp.extensions.entries()) {
    if (typeof extension !== 'string' || extension === '' || extension.includes('\n')) {
      throw invalid(`extension line ${i} must be a non-empty single line`);
    }
  }
  const body = [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...cp.extensions].join('\n') + '\n';
  if (findForbiddenNoteChar(body) >= 0) {
    throw invalid('the checkpoint contains a control character or a lone surrogate');
  }
  return body;
}

/** Parses an attacker-controlled checkpoint body (the text of a signed note, before the blank line). */
export function parseCheckpoint(body: string): Checkpoint {
  if (typeof body !== 'string') {
    throw invalid('the checkpoint is not a string');
  }
  if (!body.endsWith('\n')) {
    throw invalid('every checkpoint line must end with a newline');
  }
  const bad = findForbiddenNoteChar(body);
  if (bad >= 0) {
    throw invalid(`the checkpoint contains a forbidden character (code unit 0x${body.charCodeAt(bad).toString(16)})`);
  }
  const lines = body.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || sizeText === undefined || rootText === undefined) {
    throw invalid(`a checkpoint needs at least 3 lines (origin, size, root hash), got ${lines.length}`);
  }
  if (origin === '') {
    throw invalid('the origin line is empty', 1);
  }
  if (!SIZE_SHAPE.test(sizeText)) {
    throw invalid('the size must be decimal digits without sign or leading zeros', 2);
  }
  // Checkpoint sizes are uint64; this ledger keeps sizes as exact JS numbers, so larger ones are refused.
  // The length test comes first so that a megabyte of digits never reaches BigInt.
  if (sizeText.length > MAX_SIZE_DIGITS || BigInt(sizeText) > MAX_SIZE) {
    throw invalid(`tree sizes above 2^53 - 1 are not supported (got ${sizeText})`, 2);
  }
  let rootHash: Uint8Array;
  try {
    rootHash = decodeBase64(rootText, 'the root hash');
  } catch (e) {
    throw invalid(e instanceof Error ? e.message : 'the root hash is not canonical base64', 3);
  }
  if (rootHash.length !== HASH_LENGTH) {
    throw invalid(`the root hash must be ${HASH_LENGTH} bytes, got ${rootHash.length}`, 3);
  }
  extensions.forEach((extension, i) => {
    if (extension === '') {
      throw invalid('extension lines must not be empty', i + 4);
    }
  });
  return { origin, size: Number(sizeText), rootHash, extensions };
}
