/**
 * Keyed pseudonyms of data subjects' identifiers: HMAC-SHA-256 under the deployment's subject-index key of
 * the identifier in a normal form, as base64url without padding (43 characters). The ledger stores only
 * these; with the key, `vigil subjects find` and the export can find a person's entries, and without it
 * nobody can confirm a guess.
 *
 * The normal form depends only on the identifier's shape, not on which rule found it, so that a lookup
 * needs no type: the same person's value found by two rules, or typed by a privacy officer, meets.
 * - e-mail addresses (one '@'): trimmed and lowercased;
 * - mostly digits (phone numbers, SSNs, MRNs, card-like ids): the digits alone; an 11-digit number
 *   starting with 1 loses it (the North American country code, so "+1 415…" and "415…" meet);
 * - letters with digits (passport numbers, NINOs, prefixed MRNs): case-folded letters and digits alone;
 * - anything else (names): Unicode NFKC, case-folded, accents removed, and every run of characters other
 *   than letters and digits made one space.
 */
import { createHmac } from 'node:crypto';

export function normaliseIdentifier(identifier: string): string {
  const value = identifier.normalize('NFKC').trim();
  if (/^[^@\s]+@[^@\s]+$/.test(value)) return value.toLowerCase();
  const digits = value.replace(/\D/g, '');
  const letters = value.replace(/[^\p{L}]/gu, '');
  // Digits with at most one letter, between the usual punctuation of phone numbers and ids.
  const digitShaped = digits.length >= 4 && letters.length <= 1 && digits.length >= value.replace(/[\s\-().+/]/g, '').length - 1;
  if (digitShaped) return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  const folded = value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  // Letters and digits together (passport, NINO, MRN with a prefix): the separators are formatting.
  if (digits.length > 0) return folded.replace(/[^\p{L}\p{N}]+/gu, '');
  return folded.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** The pseudonym of `identifier` under `key`; an identifier without a letter or digit is a RangeError. */
export function subjectPseudonym(key: Uint8Array, identifier: string): string {
  const normal = normaliseIdentifier(identifier);
  if (normal === '') throw new RangeError('an identifier needs at least one letter or digit');
  return createHmac('sha256', key).update(normal, 'utf8').digest('base64url');
}
