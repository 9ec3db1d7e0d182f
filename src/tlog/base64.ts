/**
 * RFC 4648 §4 standard, padded base64 — the only encoding signed notes, checkpoints and verifier keys use.
 *
 * Decoding is strict on purpose: Node's own decoder silently skips characters outside the alphabet, accepts
 * missing padding and ignores non-zero padding bits, so one byte string would have many accepted spellings.
 * A signed text with several spellings of the same bytes is malleable, so only the canonical one passes.
 */

import { Buffer } from 'node:buffer';
import { VigilError } from '../errors.js';

// Whole groups of four, then at most one padded tail; nothing else (no whitespace, no URL alphabet).
const CANONICAL_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes attacker-controlled base64; `what` names the field in the error message. */
export function decodeBase64(text: string, what = 'base64 value'): Uint8Array {
  if (typeof text !== 'string') {
    throw new VigilError('INVALID_BASE64', `${what} is not a string`);
  }
  if (!CANONICAL_SHAPE.test(text)) {
    throw new VigilError('INVALID_BASE64', `${what} is not standard padded base64`);
  }
  const decoded = Buffer.from(text, 'base64');
  // The shape check leaves one ambiguity: the unused low bits of the last character before '='.
  // Re-encoding yields zeros there, so a mismatch means the input set padding bits.
  if (decoded.toString('base64') !== text) {
    throw new VigilError('INVALID_BASE64', `${what} is not canonical base64 (non-zero padding bits)`);
  }
  // Copy out of Buffer's shared pool so the result owns its memory and is a plain Uint8Array.
  return new Uint8Array(decoded);
}
