/**
 * DLP validators: one table of valid values and one of near misses per validator. Every checksummed value
 * below (valid or near miss) was recomputed with a separate implementation of its algorithm before it went
 * in; those marked "(computed)" are not from a published source. The Bech32 and EIP-55 values are the BIPs'
 * and the EIP's own test vectors.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isValidatorName, VALIDATOR_NAMES, VALIDATORS, type ValidatorName } from '../src/dlp/validators.js';
import { keccak256 } from '../src/tlog/index.js';

interface Case {
  value: string;
  why: string;
}

/** A validator's positives and near misses, each tested on its own so a failure names the value. */
function table(name: ValidatorName, valid: Case[], invalid: Case[]): void {
  describe(name, () => {
    const validate = (value: string): boolean => VALIDATORS[name](value, {});
    it.each(valid)('accepts $value ($why)', ({ value }) => {
      expect(validate(value)).toBe(true);
    });
    it.each(invalid)('refuses $value ($why)', ({ value }) => {
      expect(validate(value)).toBe(false);
    });
  });
}

describe('the validator registry', () => {
  it('has exactly the validators listed in rules/README.md', () => {
    const readme = readFileSync(new URL('../rules/README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Validators'), readme.indexOf('## Linear time'));
    const documented = [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThan(0);
    expect([...VALIDATOR_NAMES].sort()).toEqual([...documented].sort());
    expect(Object.keys(VALIDATORS).sort()).toEqual([...VALIDATOR_NAMES].sort());
  });

  it('recognises validator names and nothing else', () => {
    expect(isValidatorName('luhn')).toBe(true);
    expect(isValidatorName('iso7064-mod11-10')).toBe(true);
    expect(isValidatorName('Luhn')).toBe(false);
    expect(isValidatorName('toString')).toBe(false);
    expect(isValidatorName('__proto__')).toBe(false);
    expect(isValidatorName('')).toBe(false);
  });

  it('cannot be modified at run time', () => {
    expect(Object.isFrozen(VALIDATORS)).toBe(true);
  });
});

describe('every validator on hostile input', () => {
  const hostile: Array<[string, unknown]> = [
    ['the empty string', ''],
    ['only separators', ' - . / '],
    ['300 digits', '4'.repeat(300)],
    ['a megabyte of text', 'a1'.repeat(500_000)],
    ['a lone surrogate', '\uD800'],
    ['full-width digits', '４１１１１１１１１１１１１１１１'],
    ['null', null],
    ['a number', 4111111111111111],
    ['an object', { toString: () => '4111111111111111' }],
  ];

  it.each(VALIDATOR_NAMES)('%s returns false instead of throwing', (name) => {
    for (const [, value] of hostile) {
      // The cast is the point: callers pass whatever a regular expression produced, and types can lie.
      expect(VALIDATORS[name](value as string, {})).toBe(false);
    }
  });

  it('refuses an identifier hidden in oversized input', () => {
    expect(VALIDATORS.luhn('4111111111111111', {})).toBe(true);
    expect(VALIDATORS.luhn(' '.repeat(300) + '4111111111111111', {})).toBe(false);
  });
});

table(
  'luhn',
  [
    { value: '4111111111111111', why: 'Visa test card' },
    { value: '4111 1111 1111 1111', why: 'grouped with spaces' },
    { value: '4111-1111-1111-1111', why: 'grouped with dashes' },
    { value: '5500000000000004', why: 'Mastercard test card' },
    { value: '378282246310005', why: 'Amex test card' },
    { value: '046 454 286', why: 'the usual example CA SIN' },
  ],
  [
    { value: '4111111111111112', why: 'last digit changed' },
    { value: '4111111111111121', why: 'last two digits transposed' },
    { value: '0000000000000000', why: 'all zeros pass the sum but are no number' },
    { value: '4111x1111x1111x1111', why: 'letters inside' },
    { value: '1234567', why: 'too short' },
    { value: '41111111111111111111', why: '20 digits, longer than any card' },
  ],
);

table(
  'mod97',
  [
    { value: 'GB82WEST12345698765432', why: 'UK example IBAN' },
    { value: 'GB82 WEST 1234 5698 7654 32', why: 'printed in groups of four' },
    { value: 'gb82west12345698765432', why: 'lower case' },
    { value: 'DE89370400440532013000', why: 'German example IBAN' },
    { value: 'FR1420041010050500013M02606', why: 'French example IBAN, letter in the BBAN' },
    { value: 'NO9386011117947', why: 'Norway, the shortest IBAN (15)' },
    { value: 'LC55HEMM000100010012001200023015', why: 'Saint Lucia, 32 characters' },
    { value: 'RU0204452560040702810412345678901', why: 'Russia, the longest IBAN (33)' },
  ],
  [
    { value: 'GB82WEST12345698765433', why: 'last digit changed' },
    { value: 'GB28WEST12345698765432', why: 'check digits transposed' },
    { value: 'DE89370400440532013001', why: 'one digit changed' },
    { value: 'DE8937040044053201300', why: 'one character short for DE (22)' },
    { value: 'GB82WEST123456987654321', why: 'one character long for GB (22)' },
    { value: 'XX82WEST12345698765432', why: 'unknown country' },
    { value: 'GB00WEST12345698765432', why: 'check digits 00 are never issued' },
    { value: 'GB82-WEST-1234-5698-7654-3!', why: 'punctuation in the account' },
  ],
);

table(
  'ssn',
  [
    { value: '536-22-1234', why: 'ordinary area, group and serial' },
    { value: '536221234', why: 'without dashes' },
    { value: '001-01-0001', why: 'lowest allowed area, group and serial' },
    { value: '665-99-9999', why: 'area just below 666' },
    { value: '667-01-0001', why: 'area just above 666' },
    { value: '899-99-9999', why: 'highest allowed area' },
  ],
  [
    { value: '666-12-3456', why: 'area 666 is never issued' },
    { value: '000-12-3456', why: 'area 000' },
    { value: '900-12-3456', why: 'area 9xx belongs to ITINs' },
    { value: '536-00-1234', why: 'group 00' },
    { value: '536-22-0000', why: 'serial 0000' },
    { value: '078-05-1120', why: 'the Woolworth wallet-card number' },
    { value: '219-09-9999', why: 'the SSA advertising number' },
    { value: '123-45-6789', why: 'the universal placeholder' },
    { value: '111-11-1111', why: 'one repeated digit' },
    { value: '536-22-123', why: 'eight digits' },
  ],
);

table(
  'itin',
  [
    { value: '912-70-1234', why: 'group 70' },
    { value: '900-50-0000', why: 'group 50, start of the first range' },
    { value: '999-65-9999', why: 'group 65, end of the first range' },
    { value: '912-88-1234', why: 'group 88' },
    { value: '912-92-1234', why: 'group 92' },
    { value: '912-94-1234', why: 'group 94' },
    { value: '912991234', why: 'group 99, without dashes' },
  ],
  [
    { value: '812-70-1234', why: 'does not start with 9' },
    { value: '912-49-1234', why: 'group 49' },
    { value: '912-66-1234', why: 'group 66, between ranges' },
    { value: '912-89-1234', why: 'group 89' },
    { value: '912-93-1234', why: 'group 93 is not assigned' },
    { value: '912-70-123', why: 'eight digits' },
  ],
);

table(
  'aba',
  [
    { value: '021000021', why: 'JPMorgan Chase, New York' },
    { value: '011000015', why: 'Federal Reserve Bank of Boston' },
    { value: '111000025', why: 'Federal Reserve routing symbol 11 (computed)' },
    { value: '322271627', why: 'thrift prefix 32 (computed)' },
  ],
  [
    { value: '021000022', why: 'last digit changed' },
    { value: '012000021', why: 'digits transposed' },
    { value: '000000000', why: 'all zeros' },
    { value: '501000017', why: 'checksum passes but 50 is no routing symbol (computed)' },
    { value: '02100002', why: 'eight digits' },
  ],
);

table(
  'nhs-mod11',
  [
    { value: '9434765919', why: 'NHS Digital example' },
    { value: '943 476 5919', why: 'printed 3-3-4' },
    { value: '4010232137', why: 'check digit 7 (computed)' },
  ],
  [
    { value: '9434765918', why: 'check digit changed' },
    { value: '9434765991', why: 'last two digits transposed' },
    { value: '1000000010', why: 'remainder 1 gives check value 10, never issued' },
    { value: '0000000000', why: 'all zeros' },
    { value: '943476591', why: 'nine digits' },
  ],
);

table(
  'npi',
  [
    { value: '1234567893', why: 'CMS example NPI' },
    { value: '1245319599', why: 'Luhn over 80840 + number (computed)' },
  ],
  [
    { value: '1234567894', why: 'check digit changed' },
    { value: '1234567839', why: 'last digits transposed' },
    { value: '3234567899', why: 'Luhn-valid but NPIs start with 1 or 2 (computed)' },
    { value: '123456789', why: 'nine digits' },
  ],
);

table(
  'dea',
  [
    { value: 'AB1234563', why: '(1+3+5) + 2(2+4+6) = 33 ends in 3' },
    { value: 'BJ6125341', why: '(6+2+3) + 2(1+5+4) = 31 ends in 1' },
    { value: 'ab1234563', why: 'lower case' },
    { value: 'A91234563', why: 'business registrant with 9 as second character' },
  ],
  [
    { value: 'AB1234564', why: 'check digit changed' },
    { value: 'AB1243563', why: 'digits transposed' },
    { value: '1B1234563', why: 'digit instead of the registrant-type letter' },
    { value: 'AB123456', why: 'six digits' },
  ],
);

table(
  'verhoeff',
  [
    { value: '234123412346', why: 'Aadhaar-shaped, Verhoeff-valid (computed)' },
    { value: '2341 2341 2346', why: 'Aadhaar printed in groups of four' },
    { value: '499118665246', why: 'Verhoeff-valid, starts with 4 (computed)' },
    { value: '2363', why: 'the Verhoeff worked example (236 → 3)' },
  ],
  [
    { value: '234123412347', why: 'check digit changed' },
    { value: '234123412364', why: 'last two digits transposed' },
    { value: '023412341233', why: 'Verhoeff-valid but an Aadhaar never starts with 0' },
    { value: '123412341234', why: 'Verhoeff-valid but an Aadhaar never starts with 1' },
  ],
);

table(
  'iso7064-mod11-10',
  [
    { value: '86095742719', why: 'the usual example Steuer-ID' },
    { value: '86 095 742 719', why: 'printed in groups' },
    { value: '47036892816', why: 'digit 8 twice (computed)' },
    { value: '12134567895', why: 'one digit twice (computed)' },
    { value: '12114567890', why: 'one digit three times, not adjacent (computed)' },
  ],
  [
    { value: '86095742718', why: 'check digit changed' },
    { value: '86095747219', why: 'digits transposed' },
    { value: '12345678903', why: 'check digit right but no digit repeated' },
    { value: '11223456785', why: 'check digit right but two digits repeated' },
    { value: '11123456786', why: 'check digit right but one digit three times in a row' },
    { value: '02345678928', why: 'check digit and repetition right but first digit 0 (computed)' },
    { value: '8609574271', why: 'ten digits' },
  ],
);

table(
  'uk-nino',
  [
    { value: 'AB123456C', why: 'ordinary prefix and suffix' },
    { value: 'AB 12 34 56 C', why: 'printed in pairs' },
    { value: 'ab123456d', why: 'lower case' },
    { value: 'ZY123456A', why: 'Z allowed first when not ZZ' },
  ],
  [
    { value: 'DA123456A', why: 'first letter D' },
    { value: 'AD123456A', why: 'second letter D' },
    { value: 'QQ123456C', why: 'Q in the prefix' },
    { value: 'AO123456B', why: 'second letter O' },
    { value: 'BG123456A', why: 'prefix BG is not allocated' },
    { value: 'GB123456A', why: 'prefix GB is not allocated' },
    { value: 'NK123456A', why: 'prefix NK is not allocated' },
    { value: 'TN123456A', why: 'prefix TN (temporary numbers) is not allocated' },
    { value: 'ZZ123456A', why: 'prefix ZZ is not allocated' },
    { value: 'AB123456E', why: 'suffix E' },
    { value: 'AB12345C', why: 'five digits' },
  ],
);

table(
  'fr-nir',
  [
    { value: '255081416802538', why: 'the usual published NIR example' },
    { value: '2 55 08 14 168 025 38', why: 'printed in groups' },
    { value: '1 85 05 2A 004 123 56', why: 'born in Corse-du-Sud, 2A read as 19 (computed)' },
    { value: '285052B00412333', why: 'born in Haute-Corse, 2B read as 18 (computed)' },
  ],
  [
    { value: '255081416802539', why: 'key changed' },
    { value: '255081416802583', why: 'key digits transposed' },
    { value: '1 85 05 2B 004 123 56', why: 'key of 2A used with 2B' },
    { value: '555081416802582', why: 'key right but 5 is not a sex code (computed)' },
    { value: '25508141680253', why: 'fourteen characters' },
  ],
);

table(
  'es-dni',
  [
    { value: '12345678Z', why: '12345678 mod 23 = 14 → Z' },
    { value: '12345678-z', why: 'dash and lower-case letter' },
    { value: '00000000T', why: 'zero → T' },
  ],
  [
    { value: '12345678A', why: 'wrong letter' },
    { value: '12345687Z', why: 'digits transposed' },
    { value: '1234567Z', why: 'seven digits' },
    { value: 'X1234567L', why: 'an NIE, not a DNI' },
  ],
);

table(
  'es-nie',
  [
    { value: 'X1234567L', why: 'X → 0' },
    { value: 'Y1234567X', why: 'Y → 1 (computed)' },
    { value: 'Z-1234567-R', why: 'Z → 2, with dashes (computed)' },
  ],
  [
    { value: 'X1234567M', why: 'wrong letter' },
    { value: 'Y1234567L', why: 'the X letter after a Y' },
    { value: 'W1234567L', why: 'W is no NIE prefix' },
    { value: '12345678Z', why: 'a DNI, not an NIE' },
  ],
);

table(
  'it-fiscal-code',
  [
    { value: 'RSSMRA85T10A562S', why: 'Mario Rossi, the usual example' },
    { value: 'rssmra85t10a562s', why: 'lower case' },
    { value: 'MRTMTT91D08F205J', why: 'Milan-born example (computed)' },
    { value: 'RSSMRA85T1LA562V', why: 'omocodia: last day digit 0 written L (computed)' },
  ],
  [
    { value: 'RSSMRA85T10A562T', why: 'check character changed' },
    { value: 'RSSMRA58T10A562S', why: 'year digits transposed' },
    { value: 'RSSMRA85Z10A562B', why: 'check character right but Z is no month letter (computed)' },
    { value: 'RSSMRA85T10A56S', why: 'fifteen characters' },
  ],
);

table(
  'nl-bsn',
  [
    { value: '111222333', why: 'eleven-test example' },
    { value: '123456782', why: 'eleven-test example' },
    { value: '1112.22.333', why: 'printed with dots' },
  ],
  [
    { value: '111222334', why: 'last digit changed' },
    { value: '111223233', why: 'digits transposed' },
    { value: '000000000', why: 'all zeros' },
    { value: '1234567', why: 'seven digits' },
  ],
);

table(
  'au-tfn',
  [
    { value: '123456782', why: 'ATO-style example' },
    { value: '123 456 782', why: 'printed in groups of three' },
    { value: '876543210', why: 'weights sum to a multiple of 11 (computed)' },
  ],
  [
    { value: '123456783', why: 'last digit changed' },
    { value: '213456782', why: 'digits transposed' },
    { value: '12345678', why: 'eight digits' },
  ],
);

table(
  'au-abn',
  [
    { value: '51824753556', why: 'ABR example ABN' },
    { value: '51 824 753 556', why: 'printed 2-3-3-3' },
    { value: '53004085616', why: 'weighted sum divisible by 89 (computed)' },
  ],
  [
    { value: '51824753557', why: 'last digit changed' },
    { value: '15824753556', why: 'first digits transposed' },
    { value: '01824753556', why: 'first digit 0' },
    { value: '5182475355', why: 'ten digits' },
  ],
);

table(
  'au-medicare',
  [
    { value: '2123456701', why: 'Services Australia example' },
    { value: '2123 45670 1', why: 'printed 4-5-1' },
    { value: '21234567011', why: 'with the individual reference number' },
    { value: '2428778132', why: 'check digit 3 (computed)' },
  ],
  [
    { value: '2123456711', why: 'check digit changed' },
    { value: '2123456710', why: 'check digit transposed with the issue number' },
    { value: '7123456751', why: 'check digit right but first digit outside 2-6 (computed)' },
    { value: '212345670', why: 'nine digits' },
  ],
);

table(
  'br-cpf',
  [
    { value: '111.444.777-35', why: 'the usual published CPF example' },
    { value: '11144477735', why: 'without punctuation' },
    { value: '529.982.247-25', why: 'check digits 2 and 5 (computed)' },
  ],
  [
    { value: '111.444.777-36', why: 'second check digit changed' },
    { value: '111.444.777-53', why: 'check digits transposed' },
    { value: '111.111.111-11', why: 'all one digit: passes the sum but is void' },
    { value: '000.000.000-00', why: 'all zeros' },
    { value: '111.444.777-3', why: 'ten digits' },
  ],
);

table(
  'br-cnpj',
  [
    { value: '11.222.333/0001-81', why: 'the usual published CNPJ example' },
    { value: '11222333000181', why: 'without punctuation' },
    { value: '11.444.777/0001-61', why: 'check digits 6 and 1 (computed)' },
  ],
  [
    { value: '11.222.333/0001-82', why: 'second check digit changed' },
    { value: '11.222.333/0001-18', why: 'check digits transposed' },
    { value: '00.000.000/0000-00', why: 'all zeros' },
    { value: '11.222.333/001-81', why: 'thirteen digits' },
  ],
);

table(
  'ipv4',
  [
    { value: '192.168.0.1', why: 'private address' },
    { value: '0.0.0.0', why: 'single zero octets' },
    { value: '255.255.255.255', why: 'top of every octet' },
  ],
  [
    { value: '256.1.1.1', why: 'octet above 255' },
    { value: '192.168.01.1', why: 'leading zero (octal in some parsers)' },
    { value: '1.2.3', why: 'three octets' },
    { value: '1.2.3.4.5', why: 'five octets' },
    { value: 'v1.2.3.4', why: 'version string' },
    { value: '1.2.3.-4', why: 'negative octet' },
  ],
);

table(
  'ipv6',
  [
    { value: '2001:db8::1', why: 'documentation prefix, compressed' },
    { value: '2001:0db8:85a3:0000:0000:8a2e:0370:7334', why: 'full form' },
    { value: '::1', why: 'loopback' },
    { value: '::ffff:192.0.2.1', why: 'IPv4-mapped' },
  ],
  [
    { value: '2001:db8::1::1', why: 'two compressions' },
    { value: '2001:db8:g::1', why: 'not hex' },
    { value: '12:34:56', why: 'a time of day' },
    { value: '192.0.2.1', why: 'IPv4' },
  ],
);

table(
  'btc-address',
  [
    { value: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', why: 'P2PKH example from the Bitcoin wiki' },
    { value: '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', why: 'P2SH example from the Bitcoin wiki' },
    { value: '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', why: 'the genesis block address' },
    // The brief suggested bc1qw508d6qejxtdg4c3kt5jy9nzqw5fgz2kl4ze0; it is 41 characters and fails the
    // checksum. BIP-173's vector for the same program is the one below (recomputed).
    { value: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', why: 'BIP-173 P2WPKH vector, lower case' },
    { value: 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', why: 'BIP-173 P2WPKH vector, upper case' },
    { value: 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0', why: 'BIP-350 Taproot (v1) vector' },
    { value: 'BC1SW50QGDZ25J', why: 'BIP-350 v16 vector with a 2-byte program' },
    { value: 'bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', why: 'BIP-350 v2 vector' },
  ],
  [
    { value: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', why: 'last character changed' },
    { value: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNNV2', why: 'characters transposed' },
    { value: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0', why: '0 is not in the Base58 alphabet' },
    { value: 'bc1qw508d6qejxtdg4c3kt5jy9nzqw5fgz2kl4ze0', why: 'garbled copy of the BIP-173 vector' },
    { value: 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', why: 'v1 with a Bech32 checksum (BIP-350)' },
    { value: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', why: 'v0 with a Bech32m checksum (BIP-350)' },
    { value: 'tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut', why: 'wrong human-readable part' },
    { value: 'BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R', why: 'witness version 17' },
    { value: 'bc1pw5dgrnzv', why: '1-byte program' },
    {
      value: 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav',
      why: '41-byte program',
    },
    { value: 'BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', why: 'v0 program of 16 bytes' },
    { value: 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq', why: 'mixed case' },
    { value: 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf', why: 'more than 4 padding bits' },
    { value: 'bc1gmk9yu', why: 'empty data section' },
  ],
);

describe('keccak256 (under eth-address)', () => {
  it('hashes the empty string to the published Keccak-256 digest, not SHA3-256', () => {
    const hex = Buffer.from(keccak256(new Uint8Array(0))).toString('hex');
    expect(hex).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });
});

table(
  'eth-address',
  [
    { value: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', why: 'EIP-55 vector' },
    { value: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359', why: 'EIP-55 vector' },
    { value: '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB', why: 'EIP-55 vector' },
    { value: '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb', why: 'EIP-55 vector' },
    { value: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed', why: 'all lower case carries no checksum' },
    { value: '0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED', why: 'all upper case carries no checksum' },
  ],
  [
    { value: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', why: 'one letter in the wrong case' },
    { value: '0x5AaEb6053F3E94C9b9A09f33669435E7Ef1BeAed', why: 'three letters in the wrong case' },
    { value: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d35', why: '39 hex digits' },
    { value: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d3590', why: '41 hex digits' },
    { value: '5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', why: 'no 0x' },
    { value: '0xgB6916095ca1df60bB79Ce92cE3Ea74c37c5d359', why: 'not hex' },
  ],
);

table(
  'entropy',
  [
    { value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', why: 'AWS documentation secret key' },
    { value: 'k3J9xQ2mZ7vB1nR8tY4w', why: 'twenty distinct characters' },
    { value: '0123456789abcdefghij', why: 'twenty distinct characters, 4.32 bits each' },
  ],
  [
    { value: 'aaaaaaaaaaaaaaaaaaaaaaaa', why: 'one repeated character' },
    { value: 'passwordpassword', why: 'repeated word' },
    { value: 'abababababababababab', why: 'two characters, 1 bit each' },
    { value: 'k3J9xQ2mZ7vB1nR', why: 'fifteen characters, below the minimum length' },
  ],
);

describe('entropy threshold option', () => {
  const entropy = VALIDATORS.entropy;
  // 16 distinct characters: exactly 4 bits per character.
  const sixteenDistinct = 'abcdefghijklmnop';

  it('accepts at exactly the threshold and refuses just above it', () => {
    expect(entropy(sixteenDistinct, { min: 4 })).toBe(true);
    expect(entropy(sixteenDistinct, { min: 4.01 })).toBe(false);
  });

  it('uses 3.5 bits per character when no minimum is given', () => {
    // 8 characters twice each: 3 bits per character.
    const threeBits = 'abcdefghabcdefgh';
    expect(entropy(threeBits, {})).toBe(false);
    expect(entropy(threeBits, { min: 3 })).toBe(true);
  });

  it('refuses every value when the minimum is not a number', () => {
    expect(entropy(sixteenDistinct, { min: Number.NaN })).toBe(false);
  });

  it('measures long secrets that other validators would refuse as oversized', () => {
    const long = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 94))).join('');
    expect(entropy(long, {})).toBe(true);
  });
});

table(
  'date',
  [
    { value: '2024-02-29', why: 'ISO, leap day of a leap year' },
    { value: '2000-02-29', why: 'ISO, leap day of a year divisible by 400' },
    { value: '31/12/1999', why: 'DD/MM/YYYY' },
    { value: '12/31/1999', why: 'MM/DD/YYYY' },
    { value: '05/07/2021', why: 'slashed, both readings real' },
    { value: '31.01.2020', why: 'DD.MM.YYYY' },
    { value: '1900-01-01', why: 'first year allowed' },
    { value: '2100-12-31', why: 'last year allowed' },
  ],
  [
    { value: '2023-02-29', why: 'no leap day in 2023' },
    { value: '1900-02-29', why: 'no leap day in 1900 (divisible by 100)' },
    { value: '2024-02-31', why: 'no 31 February' },
    { value: '2024-04-31', why: 'April has 30 days' },
    { value: '2024-13-01', why: 'month 13' },
    { value: '31/31/2020', why: 'neither reading is a date' },
    { value: '12.31.2020', why: 'dotted dates are day first' },
    { value: '1899-12-31', why: 'before 1900' },
    { value: '2101-01-01', why: 'after 2100' },
    { value: '2024/01/01', why: 'not one of the forms' },
    { value: '2024-1-01', why: 'ISO with a one-digit month' },
  ],
);
