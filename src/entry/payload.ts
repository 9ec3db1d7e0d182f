/**
 * Payload bytes and their commitment. The payload itself never enters the leaf: the entry carries
 * SHA-256(salt ‖ bytes), the salt and bytes live in a separate, erasable table. A 32-byte random salt
 * means that nobody holding the ledger can confirm a guessed payload against the commitment.
 */
import { VigilError } from '../errors.js';
import { canonicalBytes, constantTimeEqual, sha256, sha256String, type JsonValue } from '../tlog/index.js';

export const SALT_BYTES = 32;
export const TEXT_TYPE = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json';

export interface PayloadBytes {
  bytes: Uint8Array;
  type: string;
}

const encoder = new TextEncoder();

/**
 * The bytes recorded for a caller's payload: a string is UTF-8 text, any other JSON value is its RFC 8785
 * canonical form (so the same value always gives the same bytes), raw bytes keep the type given with them.
 */
export function payloadBytes(payload: JsonValue | Uint8Array, type?: string): PayloadBytes {
  if (payload instanceof Uint8Array) {
    if (type === undefined) throw new VigilError('INVALID_INPUT', 'a binary payload needs a media type', { path: '$.payload' });
    return { bytes: payload, type };
  }
  if (typeof payload === 'string') return { bytes: encoder.encode(payload), type: type ?? TEXT_TYPE };
  return { bytes: canonicalBytes(payload), type: type ?? JSON_TYPE };
}

/** SHA-256(salt ‖ bytes). */
export function payloadCommitment(salt: Uint8Array, bytes: Uint8Array): Uint8Array {
  if (salt.length !== SALT_BYTES) throw new VigilError('INVALID_INPUT', `a payload salt must be ${SALT_BYTES} bytes`);
  // Buffer.concat draws small buffers from Node's pool: no fresh allocation per append.
  return sha256(Buffer.concat([salt, bytes]));
}

/** The commitment as the entry carries it: base64 straight from the digest (no Buffer digest to re-encode). */
export function payloadCommitmentBase64(salt: Uint8Array, bytes: Uint8Array): string {
  if (salt.length !== SALT_BYTES) throw new VigilError('INVALID_INPUT', `a payload salt must be ${SALT_BYTES} bytes`);
  return sha256String(Buffer.concat([salt, bytes]), 'base64');
}

/** True when salt and bytes open the commitment. Constant-time comparison. */
export function openCommitment(commitment: Uint8Array, salt: Uint8Array, bytes: Uint8Array): boolean {
  return salt.length === SALT_BYTES && constantTimeEqual(payloadCommitment(salt, bytes), commitment);
}
