/**
 * Checksum and structure validators for DLP rules (rules/README.md, "Validators"). A rule's pattern finds a
 * candidate; its validator says whether the candidate is a real identifier, which turns "nine digits" into
 * "a US SSN" and keeps order numbers out of the findings.
 *
 * Every validator receives attacker-influenced text (whatever the agent wrote), exactly as the pattern matched
 * it. Each one MUST return a boolean and MUST NOT throw: anything odd (wrong type, wrong shape, oversized
 * input) is simply not a valid identifier. Work is bounded by refusing long values before any parsing.
 *
 * Hashing goes through src/tlog (the only module allowed to import crypto implementations).
 */

import { isIPv6 } from 'node:net';
import { keccak256, sha256 } from '../tlog/index.js';
import type { Validator, ValidatorOptions } from './types.js';

export const VALIDATOR_NAMES = [
  'luhn',
  'mod97',
  'ssn',
  'itin',
  'aba',
  'nhs-mod11',
  'npi',
  'dea',
  'verhoeff',
  'iso7064-mod11-10',
  'uk-nino',
  'fr-nir',
  'es-dni',
  'es-nie',
  'it-fiscal-code',
  'nl-bsn',
  'au-tfn',
  'au-abn',
  'au-medicare',
  'br-cpf',
  'br-cnpj',
  'ipv4',
  'ipv6',
  'btc-address',
  'eth-address',
  'entropy',
  'date',
] as const;
export type ValidatorName = (typeof VALIDATOR_NAMES)[number];

/** Longest matched text any validator looks at; every identifier here is far shorter. */
export const MAX_VALIDATED_LENGTH = 256;

/**
 * Longest value the entropy validator measures. Higher than MAX_VALIDATED_LENGTH because a failing validator
 * drops the finding: refusing a long random secret would let it through. The work is one linear pass.
 */
export const MAX_ENTROPY_LENGTH = 4096;

/** Default minimum Shannon entropy (bits per character) for the entropy validator. */
export const DEFAULT_MIN_ENTROPY = 3.5;

/** Shortest value the entropy validator accepts: short strings have too few characters to measure. */
export const MIN_ENTROPY_LENGTH = 16;

// ---------------------------------------------------------------------------------------------------------
// Shared helpers

/** Removes the separators people write inside identifiers: whitespace, dashes, dots and slashes. */
function stripSeparators(value: string): string {
  return value.replace(/[\s./-]/g, '');
}

/** The value without separators if it is exactly `length` ASCII digits, else null. */
function digitsOfLength(value: string, ...lengths: number[]): number[] | null {
  const s = stripSeparators(value);
  if (!lengths.includes(s.length) || !/^[0-9]+$/.test(s)) return null;
  return toDigits(s);
}

function toDigits(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0) - 48);
}

function allSame(digits: readonly number[]): boolean {
  return digits.every((d) => d === digits[0]);
}

/** Σ digits[i] × weights[i] over the shorter of the two. */
function weightedSum(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  const n = Math.min(digits.length, weights.length);
  for (let i = 0; i < n; i++) sum += (digits[i] as number) * (weights[i] as number);
  return sum;
}

/** `n` mod `m` for a decimal string of any length, one digit at a time (no precision loss). */
function decimalMod(decimal: string, m: number): number {
  let r = 0;
  for (const c of decimal) r = (r * 10 + (c.charCodeAt(0) - 48)) % m;
  return r;
}

/**
 * Wraps a validator so that it never throws and never looks at oversized or non-string input: a rule's
 * validator runs on whatever an agent produced, and an exception there must not fail the scan open.
 */
function guarded(check: (value: string, options: ValidatorOptions) => boolean, maxLength = MAX_VALIDATED_LENGTH): Validator {
  return (value, options) => {
    if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) return false;
    try {
      return check(value, options ?? {}) === true;
    } catch {
      return false;
    }
  };
}

// ---------------------------------------------------------------------------------------------------------
// Luhn family

function luhnValid(digits: readonly number[]): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits[i] as number;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Luhn over 8-19 digits (CA SIN 9, IMEI 15, cards 12-19); all zeros passes Luhn but is no identifier. */
function isLuhn(value: string): boolean {
  const s = stripSeparators(value);
  if (!/^[0-9]{8,19}$/.test(s)) return false;
  const digits = toDigits(s);
  return !digits.every((d) => d === 0) && luhnValid(digits);
}

/** US NPI: 10 digits starting 1 or 2, Luhn over the card-issuer prefix 80840 followed by the number. */
function isNpi(value: string): boolean {
  const digits = digitsOfLength(value, 10);
  if (!digits || (digits[0] !== 1 && digits[0] !== 2)) return false;
  return luhnValid([8, 0, 8, 4, 0, ...digits]);
}

// ---------------------------------------------------------------------------------------------------------
// IBAN (ISO 13616)

/** IBAN length per country, SWIFT IBAN registry (89 country codes); unknown countries are refused. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18,
  FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23,
  IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27,
  MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28,
  PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27,
  SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
});

/** ISO 13616: country length, check digits 02-98, and mod 97 = 1 computed piecewise (the number is ~70 digits). */
function isIban(value: string): boolean {
  const iban = stripSeparators(value).toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(iban)) return false;
  if (!Object.hasOwn(IBAN_LENGTHS, iban.slice(0, 2)) || IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const check = Number(iban.slice(2, 4));
  if (check < 2 || check > 98) return false;
  let remainder = 0;
  for (const c of iban.slice(4) + iban.slice(0, 4)) {
    const code = c.charCodeAt(0);
    // Letters count as two digits, A = 10 … Z = 35.
    remainder = code >= 65 ? (remainder * 100 + (code - 55)) % 97 : (remainder * 10 + (code - 48)) % 97;
  }
  return remainder === 1;
}

// ---------------------------------------------------------------------------------------------------------
// United States

/**
 * Numbers that appear in examples rather than on anyone's card: 078-05-1120 (printed on the sample card sold
 * in Woolworth wallets, later voided by the SSA), 219-09-9999 (an SSA advertising pamphlet) and 123-45-6789
 * (the universal placeholder).
 */
const ADVERTISING_SSNS: ReadonlySet<string> = new Set(['078051120', '219099999', '123456789']);

/** US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000; no placeholder or repeated digit. */
function isSsn(value: string): boolean {
  const digits = digitsOfLength(value, 9);
  if (!digits || allSame(digits)) return false;
  const s = digits.join('');
  const area = Number(s.slice(0, 3));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (s.slice(3, 5) === '00' || s.slice(5) === '0000') return false;
  return !ADVERTISING_SSNS.has(s);
}

/** US ITIN: 9xx-GG-xxxx with the group in the IRS's assigned ranges. */
function isItin(value: string): boolean {
  const digits = digitsOfLength(value, 9);
  if (!digits || digits[0] !== 9) return false;
  const group = (digits[3] as number) * 10 + (digits[4] as number);
  return (
    (group >= 50 && group <= 65) ||
    (group >= 70 && group <= 88) ||
    (group >= 90 && group <= 92) ||
    (group >= 94 && group <= 99)
  );
}

/**
 * US ABA routing number: 3-7-1 weights sum to a multiple of 10, and the first two digits are a Federal
 * Reserve routing symbol (00-12, 21-32 thrift, 61-72 electronic, 80 traveller's cheques).
 */
function isAba(value: string): boolean {
  const digits = digitsOfLength(value, 9);
  if (!digits || allSame(digits)) return false;
  const prefix = (digits[0] as number) * 10 + (digits[1] as number);
  const knownPrefix = prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
  return knownPrefix && weightedSum(digits, [3, 7, 1, 3, 7, 1, 3, 7, 1]) % 10 === 0;
}

/**
 * US DEA registration: registrant-type letter, a letter (the registrant's surname initial, or 9 for some
 * business registrants), 7 digits; (d1+d3+d5) + 2(d2+d4+d6) ends in d7. The type letter is not checked
 * against DEA's list, which grows: an unknown type must not hide a real number.
 */
function isDea(value: string): boolean {
  const m = /^[A-Z][A-Z9]([0-9]{7})$/.exec(stripSeparators(value).toUpperCase());
  if (!m) return false;
  const d = toDigits(m[1] as string);
  const sum = (d[0] as number) + (d[2] as number) + (d[4] as number) + 2 * ((d[1] as number) + (d[3] as number) + (d[5] as number));
  return sum % 10 === d[6];
}

// ---------------------------------------------------------------------------------------------------------
// United Kingdom

/**
 * NHS number: weights 10..2 on the first 9 digits; check = 11 − (sum mod 11), 11 → 0. A check of 10 is never
 * issued, and matches no digit, so such numbers fail.
 */
function isNhsNumber(value: string): boolean {
  const digits = digitsOfLength(value, 10);
  if (!digits || allSame(digits)) return false;
  const check = 11 - (weightedSum(digits, [10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11);
  return (check === 11 ? 0 : check) === digits[9];
}

const NINO_FORBIDDEN_LETTERS = 'DFIQUV';
const NINO_FORBIDDEN_PREFIXES: ReadonlySet<string> = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

/** UK National Insurance number: two prefix letters (HMRC's exclusions), six digits, suffix A-D. */
function isUkNino(value: string): boolean {
  const m = /^([A-Z])([A-Z])[0-9]{6}[A-D]$/.exec(stripSeparators(value).toUpperCase());
  if (!m) return false;
  const first = m[1] as string;
  const second = m[2] as string;
  if (NINO_FORBIDDEN_LETTERS.includes(first) || NINO_FORBIDDEN_LETTERS.includes(second) || second === 'O') return false;
  return !NINO_FORBIDDEN_PREFIXES.has(first + second);
}

// ---------------------------------------------------------------------------------------------------------
// Verhoeff and ISO 7064

const VERHOEFF_D: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

function verhoeffValid(digits: readonly number[]): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits[digits.length - 1 - i] as number;
    c = (VERHOEFF_D[c] as readonly number[])[(VERHOEFF_P[i % 8] as readonly number[])[d] as number] as number;
  }
  return c === 0;
}

/** Verhoeff over 2-19 digits; a 12-digit value is an Aadhaar, which UIDAI never issues starting 0 or 1. */
function isVerhoeff(value: string): boolean {
  const s = stripSeparators(value);
  if (!/^[0-9]{2,19}$/.test(s)) return false;
  const digits = toDigits(s);
  if (digits.length === 12 && (digits[0] as number) < 2) return false;
  return verhoeffValid(digits);
}

/** ISO 7064 MOD 11,10: the last digit is the hybrid-system check over the others. */
function iso7064Mod11_10Valid(digits: readonly number[]): boolean {
  let product = 10;
  for (let i = 0; i < digits.length - 1; i++) {
    const sum = ((digits[i] as number) + product) % 10;
    product = ((sum === 0 ? 10 : sum) * 2) % 11;
  }
  const check = (11 - product) % 10;
  return check === digits[digits.length - 1];
}

/**
 * DE Steuer-ID layout: first digit not 0; among the first 10 digits exactly one digit occurs twice or three
 * times, every other at most once, and (since 2016) no digit three times in a row.
 */
function hasSteuerIdLayout(digits: readonly number[]): boolean {
  if (digits[0] === 0) return false;
  const body = digits.slice(0, 10);
  const counts = new Array<number>(10).fill(0);
  for (const d of body) counts[d] = (counts[d] as number) + 1;
  const repeated = counts.filter((n) => n > 1);
  if (repeated.length !== 1 || (repeated[0] as number) > 3) return false;
  for (let i = 2; i < body.length; i++) {
    if (body[i] === body[i - 1] && body[i] === body[i - 2]) return false;
  }
  return true;
}

/** DE Steuer-ID: 11 digits, the layout rule, and the ISO 7064 MOD 11,10 check digit. */
function isIso7064Mod11_10(value: string): boolean {
  const digits = digitsOfLength(value, 11);
  return digits !== null && hasSteuerIdLayout(digits) && iso7064Mod11_10Valid(digits);
}

// ---------------------------------------------------------------------------------------------------------
// France, Spain, Italy, Netherlands

/**
 * FR NIR: sex digit, YYMM, department (2 digits, or 2A/2B for Corsica), commune, order, 2-digit key;
 * key = 97 − (first 13 digits mod 97), with 2A read as 19 and 2B as 18 (INSEE's convention).
 */
function isFrNir(value: string): boolean {
  const s = stripSeparators(value).toUpperCase();
  const m = /^([1-478][0-9]{4})(2A|2B|[0-9]{2})([0-9]{6})([0-9]{2})$/.exec(s);
  if (!m) return false;
  const [, head, dept, tail, key] = m as unknown as [string, string, string, string, string];
  const numericDept = dept === '2A' ? '19' : dept === '2B' ? '18' : dept;
  return 97 - decimalMod(head + numericDept + tail, 97) === Number(key);
}

const ES_CONTROL_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** ES DNI/NIF: 8 digits and the letter at (number mod 23). */
function isEsDni(value: string): boolean {
  const m = /^([0-9]{8})([A-Z])$/.exec(stripSeparators(value).toUpperCase());
  return m !== null && ES_CONTROL_LETTERS[decimalMod(m[1] as string, 23)] === m[2];
}

/** ES NIE: X/Y/Z (read as 0/1/2), 7 digits, and the DNI letter of the resulting 8-digit number. */
function isEsNie(value: string): boolean {
  const m = /^([XYZ])([0-9]{7})([A-Z])$/.exec(stripSeparators(value).toUpperCase());
  if (!m) return false;
  const number = String('XYZ'.indexOf(m[1] as string)) + (m[2] as string);
  return ES_CONTROL_LETTERS[decimalMod(number, 23)] === m[3];
}

/** Values of A-Z (and of 0-9, which share them) at odd positions (1st, 3rd, …) of a codice fiscale. */
const IT_ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** A codice fiscale character as an index 0-25: digits 0-9 map to 0-9, letters A-Z to 0-25. */
function fiscalCodeIndex(c: string): number {
  const code = c.charCodeAt(0);
  return code <= 57 ? code - 48 : code - 65;
}

/**
 * IT codice fiscale: 6 surname/name letters, birth year, month letter, day (+40 for women), place code,
 * check letter. Digits may be replaced by L-V ("omocodia") when two people would collide.
 */
function isItFiscalCode(value: string): boolean {
  const s = stripSeparators(value).toUpperCase();
  const d = '[0-9LMNPQRSTUV]';
  const layout = new RegExp(`^[A-Z]{6}${d}{2}[ABCDEHLMPRST]${d}{2}[A-Z]${d}{3}[A-Z]$`);
  if (!layout.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const index = fiscalCodeIndex(s[i] as string);
    // Position i is 0-based, so even i is an odd (1st, 3rd, …) position.
    sum += i % 2 === 0 ? (IT_ODD_VALUES[index] as number) : index;
  }
  return String.fromCharCode(65 + (sum % 26)) === s[15];
}

/** NL BSN eleven-test: 9 digits (8 with an implied leading zero), weights 9..2 and −1, sum ≡ 0 mod 11. */
function isNlBsn(value: string): boolean {
  const stripped = digitsOfLength(value, 8, 9);
  if (!stripped) return false;
  const digits = stripped.length === 8 ? [0, ...stripped] : stripped;
  if (allSame(digits)) return false;
  const sum = weightedSum(digits, [9, 8, 7, 6, 5, 4, 3, 2, -1]);
  return sum % 11 === 0;
}

// ---------------------------------------------------------------------------------------------------------
// Australia

/** AU TFN: 9 digits, weights 1,4,3,7,5,8,6,9,10, sum ≡ 0 mod 11. */
function isAuTfn(value: string): boolean {
  const digits = digitsOfLength(value, 9);
  return digits !== null && !allSame(digits) && weightedSum(digits, [1, 4, 3, 7, 5, 8, 6, 9, 10]) % 11 === 0;
}

/** AU ABN: 11 digits; subtract 1 from the first, weights 10,1,3,…,19, sum ≡ 0 mod 89. */
function isAuAbn(value: string): boolean {
  const digits = digitsOfLength(value, 11);
  if (!digits || digits[0] === 0) return false;
  const adjusted = [(digits[0] as number) - 1, ...digits.slice(1)];
  return weightedSum(adjusted, [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]) % 89 === 0;
}

/**
 * AU Medicare card: 10 digits (11 with the individual reference number); first digit 2-6, the 9th is
 * Σ first 8 × (1,3,7,9,1,3,7,9) mod 10, the 10th the card's issue number.
 */
function isAuMedicare(value: string): boolean {
  const digits = digitsOfLength(value, 10, 11);
  if (!digits || (digits[0] as number) < 2 || (digits[0] as number) > 6) return false;
  return weightedSum(digits, [1, 3, 7, 9, 1, 3, 7, 9]) % 10 === digits[8];
}

// ---------------------------------------------------------------------------------------------------------
// Brazil

/** Receita Federal's mod-11 digit: remainder below 2 gives 0, else 11 − remainder. */
function brMod11Digit(digits: readonly number[], weights: readonly number[]): number {
  const r = weightedSum(digits, weights) % 11;
  return r < 2 ? 0 : 11 - r;
}

/** BR CPF: 11 digits, two mod-11 check digits (weights 10..2, then 11..2); repeated digits pass but are void. */
function isBrCpf(value: string): boolean {
  const digits = digitsOfLength(value, 11);
  if (!digits || allSame(digits)) return false;
  const first = brMod11Digit(digits.slice(0, 9), [10, 9, 8, 7, 6, 5, 4, 3, 2]);
  const second = brMod11Digit(digits.slice(0, 10), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  return first === digits[9] && second === digits[10];
}

/** BR CNPJ: 14 digits, two mod-11 check digits (weights 5..2,9..2 then 6..2,9..2). */
function isBrCnpj(value: string): boolean {
  const digits = digitsOfLength(value, 14);
  if (!digits || allSame(digits)) return false;
  const first = brMod11Digit(digits.slice(0, 12), [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  const second = brMod11Digit(digits.slice(0, 13), [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  return first === digits[12] && second === digits[13];
}

// ---------------------------------------------------------------------------------------------------------
// Network addresses

/** Dotted-quad IPv4: four decimal octets 0-255, no leading zeros (which some parsers read as octal). */
function isIpv4(value: string): boolean {
  const parts = value.trim().split('.');
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

function isIpv6Address(value: string): boolean {
  return isIPv6(value.trim());
}

// ---------------------------------------------------------------------------------------------------------
// Bitcoin

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58 to bytes (leading '1's are leading zero bytes), or null on a character outside the alphabet. */
function base58Decode(s: string): Uint8Array | null {
  const bytes: number[] = [];
  for (const c of s) {
    let carry = BASE58_ALPHABET.indexOf(c);
    if (carry < 0) return null;
    for (let i = 0; i < bytes.length; i++) {
      carry += (bytes[i] as number) * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (let i = 0; i < s.length && s[i] === '1'; i++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}

/** P2PKH (version 0x00) or P2SH (0x05): 25 bytes whose last 4 are the double SHA-256 of the first 21. */
function isBase58CheckAddress(s: string): boolean {
  if (!/^[13][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(s)) return false;
  const bytes = base58Decode(s);
  if (!bytes || bytes.length !== 25 || (bytes[0] !== 0x00 && bytes[0] !== 0x05)) return false;
  const checksum = sha256(sha256(bytes.subarray(0, 21)));
  for (let i = 0; i < 4; i++) if (checksum[i] !== bytes[21 + i]) return false;
  return true;
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_CONST = 1;
const BECH32M_CONST = 0x2bc830a3;
const BECH32_GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function bech32Polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk = (chk ^ (BECH32_GENERATOR[i] as number)) >>> 0;
  }
  return chk;
}

/** Regroups 5-bit words into bytes; refuses more than 4 padding bits or non-zero padding (BIP-173). */
function fiveBitToBytes(words: readonly number[]): number[] | null {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff) !== 0) return null;
  return out;
}

/**
 * Native SegWit address (BIP-173, BIP-350): hrp "bc", one case throughout, witness version 0 with a Bech32
 * checksum and a 20- or 32-byte program, versions 1-16 with a Bech32m checksum and a 2-40 byte program.
 */
function isSegwitAddress(text: string): boolean {
  if (text.length > 90 || (text !== text.toLowerCase() && text !== text.toUpperCase())) return false;
  const s = text.toLowerCase();
  if (!s.startsWith('bc1')) return false;
  const data: number[] = [];
  for (const c of s.slice(3)) {
    const v = BECH32_CHARSET.indexOf(c);
    if (v < 0) return false;
    data.push(v);
  }
  if (data.length < 7) return false;
  // hrp "bc" expanded: high bits of each character, 0, low bits.
  const hrpExpanded = [3, 3, 0, 2, 3];
  const constant = bech32Polymod([...hrpExpanded, ...data]);
  const version = data[0] as number;
  if (version > 16 || constant !== (version === 0 ? BECH32_CONST : BECH32M_CONST)) return false;
  const program = fiveBitToBytes(data.slice(1, -6));
  if (!program || program.length < 2 || program.length > 40) return false;
  return version !== 0 || program.length === 20 || program.length === 32;
}

function isBtcAddress(value: string): boolean {
  const s = value.trim();
  return isBase58CheckAddress(s) || isSegwitAddress(s);
}

// ---------------------------------------------------------------------------------------------------------
// Ethereum

/**
 * 0x + 40 hex digits. Single-case addresses carry no checksum and are accepted; a mixed-case one is an
 * EIP-55 checksum, and each letter must be upper case exactly when its nibble of Keccak-256(lowercase hex)
 * is 8 or more.
 */
function isEthAddress(value: string): boolean {
  const s = value.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(s)) return false;
  const hex = s.slice(2);
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return true;
  const hash = keccak256(new TextEncoder().encode(hex.toLowerCase()));
  for (let i = 0; i < 40; i++) {
    const c = hex[i] as string;
    if (c >= '0' && c <= '9') continue;
    const byte = hash[i >> 1] as number;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    if ((nibble >= 8) !== (c >= 'A' && c <= 'F')) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Entropy and dates

/** Shannon entropy in bits per character (code point) of `s`. */
export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  let n = 0;
  for (const c of s) {
    counts.set(c, (counts.get(c) ?? 0) + 1);
    n++;
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Random-looking secret: at least 16 code points and ≥ `min` bits per character (default 3.5). A NaN
 * minimum compares false, so a broken option refuses rather than accepts.
 */
function hasHighEntropy(value: string, options: ValidatorOptions): boolean {
  const min = options.min ?? DEFAULT_MIN_ENTROPY;
  const s = value.trim();
  if ([...s].length < MIN_ENTROPY_LENGTH) return false;
  return shannonEntropy(s) >= min;
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= daysInMonth;
}

/**
 * A real calendar date (years 1900-2100) written YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY. A slashed
 * date is ambiguous, so it passes when either reading is a real date.
 */
function isDate(value: string): boolean {
  const s = value.trim();
  let m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
  if (m) return isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/.exec(s);
  if (m) {
    const [a, b, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return isRealDate(year, b, a) || isRealDate(year, a, b);
  }
  m = /^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$/.exec(s);
  if (m) return isRealDate(Number(m[3]), Number(m[2]), Number(m[1]));
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// The registry

export const VALIDATORS: Readonly<Record<ValidatorName, Validator>> = Object.freeze({
  luhn: guarded(isLuhn),
  mod97: guarded(isIban),
  ssn: guarded(isSsn),
  itin: guarded(isItin),
  aba: guarded(isAba),
  'nhs-mod11': guarded(isNhsNumber),
  npi: guarded(isNpi),
  dea: guarded(isDea),
  verhoeff: guarded(isVerhoeff),
  'iso7064-mod11-10': guarded(isIso7064Mod11_10),
  'uk-nino': guarded(isUkNino),
  'fr-nir': guarded(isFrNir),
  'es-dni': guarded(isEsDni),
  'es-nie': guarded(isEsNie),
  'it-fiscal-code': guarded(isItFiscalCode),
  'nl-bsn': guarded(isNlBsn),
  'au-tfn': guarded(isAuTfn),
  'au-abn': guarded(isAuAbn),
  'au-medicare': guarded(isAuMedicare),
  'br-cpf': guarded(isBrCpf),
  'br-cnpj': guarded(isBrCnpj),
  ipv4: guarded(isIpv4),
  ipv6: guarded(isIpv6Address),
  'btc-address': guarded(isBtcAddress),
  'eth-address': guarded(isEthAddress),
  entropy: guarded(hasHighEntropy, MAX_ENTROPY_LENGTH),
  date: guarded(isDate),
});

const VALIDATOR_NAME_SET: ReadonlySet<string> = new Set(VALIDATOR_NAMES);

export function isValidatorName(s: string): s is ValidatorName {
  return VALIDATOR_NAME_SET.has(s);
}
