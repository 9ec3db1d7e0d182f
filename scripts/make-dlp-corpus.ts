/**
 * Deterministic generator of Vigil's labelled DLP dev corpus (data/dlp-corpus/dev.jsonl).
 *
 *   npx tsx scripts/make-dlp-corpus.ts
 *   npx tsx scripts/make-dlp-corpus.ts --holdout    (data/dlp-corpus/holdout.jsonl: another seed, never tuned on)
 *   CORPUS_DEBUG=1 npx tsx scripts/make-dlp-corpus.ts    (also prints each case the oracle check refused)
 *
 * Every case is agent-like text in one of nine forms (chat answer, JSON tool call, JSON tool result,
 * markdown table, log lines, email, clinical note, code, config) with planted values of the entity types
 * that the shipped rules report (listed by loading rules/*.yaml, so a new type without a generator fails the
 * run) and decoys that must come out unchanged (order numbers, UUIDs, commit SHAs, versions, log
 * timestamps, numbers failing their checksum, common words that are also names, non-birth dates,
 * placeholders). A quarter of the cases are adversarial: a planted value is written with zero-width
 * characters, full-width digits, look-alike letters from other scripts, regrouped digits, a spelled-out
 * email or wrapped in base64.
 *
 * Values that carry a checksum are built by construction here (independent code), and then each one is
 * cross-checked with the validator of src/dlp/validators.ts: a disagreement stops the run, so a planted value
 * is always one a real issuer could have produced and the validator accepts.
 *
 * Each case is verified before it is written (the "oracle" check): every planted value is recoverable from
 * the text by the leak check below, is no longer recoverable once its span alone is replaced by a label,
 * and every decoy survives that perfect redaction. So a perfect redactor scores 0 % leak and 0 %
 * over-redaction, and the metrics measure the redactor, not the corpus.
 *
 * The leak check (`leakViews`, `recoverable`, `decoyIntact`) lives here and is imported by
 * bench/dlp-eval.ts, so the corpus and the bench agree on what "recoverable" means.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadRuleSet, shippedRulesDir } from '../src/dlp/index.js';
import { VALIDATORS } from '../src/dlp/validators.js';
import { keccak256, sha256 } from '../src/tlog/index.js';

// =====================================================================================================
// Corpus format
// =====================================================================================================

export const FORMS = ['chat', 'json_tool_call', 'json_tool_result', 'markdown_table', 'log', 'email', 'clinical_note', 'code', 'config'] as const;
export type Form = (typeof FORMS)[number];

export const EVASIONS = ['zero-width', 'full-width', 'homoglyph', 'split-digits', 'spelled-email', 'base64'] as const;
export type Evasion = (typeof EVASIONS)[number];

export interface Planted {
  type: string;
  /** the value that must not leak, as it would be written plainly (escaped as in the text for JSON) */
  value: string;
  /** UTF-16 span of the value as written in `text` (the obfuscated form for an adversarial value) */
  start: number;
  end: number;
  /** present on adversarial values: how the value was obfuscated */
  evasion?: Evasion;
}

export interface Decoy {
  kind: string;
  value: string;
  start: number;
  end: number;
}

export interface Case {
  id: string;
  form: Form;
  adversarial: boolean;
  text: string;
  planted: Planted[];
  decoys: Decoy[];
}

// =====================================================================================================
// Leak check, shared with bench/dlp-eval.ts
// =====================================================================================================

/** Latin look-alikes from Cyrillic, Greek, Armenian and a few Latin extensions (a superset of what Vigil folds). */
const LOOKALIKES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', һ: 'h', ԛ: 'q', ԝ: 'w', ӏ: 'l', ү: 'y', ɡ: 'g',
    А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y', І: 'I', Ј: 'J', Ѕ: 'S', Ӏ: 'I', Ԛ: 'Q', Ԝ: 'W', Ү: 'Y', Һ: 'H', Ь: 'b',
    Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X', Ϲ: 'C', Ϳ: 'J',
    ο: 'o', ν: 'v', α: 'a', ι: 'i', κ: 'k', ρ: 'p', υ: 'u', χ: 'x', ϲ: 'c', ϳ: 'j', օ: 'o', ս: 'u', ց: 'g', ɑ: 'a', ı: 'i',
  }),
);

/**
 * The text as a reader would take it: NFKC (full-width and compatibility forms), invisible format
 * characters and variation selectors removed, every Unicode decimal digit as ASCII, look-alike letters
 * folded, lower case.
 */
export function foldForLeak(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFKC')) {
    if (/[\p{Cf}\u034f\ufe00-\ufe0f]/u.test(ch)) continue;
    if (/\p{Nd}/u.test(ch) && !/[0-9]/.test(ch)) {
      const cp = ch.codePointAt(0) ?? 0;
      let start = cp;
      while (start > 0 && /\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
      out += String((cp - start) % 10);
      continue;
    }
    out += LOOKALIKES.get(ch) ?? ch;
  }
  return out.toLowerCase();
}

const B64_TOKEN = /[A-Za-z0-9+/_-]{8,}={0,2}/g;

/** Decodes base64 (standard or URL-safe) when the result is mostly printable text. */
function decodeBase64Text(token: string): string | undefined {
  const body = token.replace(/=+$/, '');
  if (/[+/]/.test(body) && /[-_]/.test(body)) return undefined;
  const decoded = Buffer.from(body, /[-_]/.test(body) ? 'base64url' : 'base64').toString('utf8');
  if (decoded.length === 0) return undefined;
  let printable = 0;
  for (const ch of decoded) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c !== 0xfffd)) printable++;
  }
  return printable >= 0.9 * [...decoded].length ? decoded : undefined;
}

/**
 * The views of a released output in which a planted value is looked for: the folded text, the folded
 * text with spelled-out "at"/"dot" rewritten, and the folded decoded text of every base64 token in it.
 */
export function leakViews(output: string): string[] {
  const folded = foldForLeak(output);
  const spelled = folded
    .replace(/\s*[[({<]\s*(at|dot)\s*[\])}>]\s*/g, (_, w: string) => (w === 'at' ? '@' : '.'))
    .replace(/\s+(at|dot)\s+/g, (_, w: string) => (w === 'at' ? '@' : '.'));
  const views = [folded, spelled];
  // base64 tokens are looked for in the text before lower-casing (case matters to base64)
  const unfolded = output.normalize('NFKC').replace(/[\p{Cf}\u034f\ufe00-\ufe0f]/gu, '');
  for (const m of unfolded.matchAll(B64_TOKEN)) {
    const decoded = decodeBase64Text(m[0]);
    if (decoded !== undefined) views.push(foldForLeak(decoded));
  }
  return views;
}

const compactCache = new WeakMap<string[], string[]>();
function compact(s: string): string {
  return s.replace(/[^\p{L}\p{N}]/gu, '');
}
function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `value` can be read back from an output whose views are `views`: the value folded, or its
 * letters and digits with any separators between them (up to three non-alphanumeric characters between two
 * of them, so "138 06 2539", "1-3-8…" and "138062539" all recover "138-06-2539"). Values of twelve or more
 * letters and digits are looked for in the views with every separator removed; shorter all-digit ones and
 * any shorter than six need a letter/digit boundary on both sides, so that "123" is not found in "41234".
 */
export function recoverable(value: string, views: string[]): boolean {
  const v = compact(foldForLeak(value));
  if (v.length === 0) return false;
  if (v.length >= 12) {
    let compacted = compactCache.get(views);
    if (!compacted) {
      compacted = views.map(compact);
      compactCache.set(views, compacted);
    }
    return compacted.some((c) => c.includes(v));
  }
  const body = [...v].map(escapeRegex).join('[^\\p{L}\\p{N}]{0,3}');
  const re = /^[0-9]+$/.test(v) || v.length < 6 ? new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'u') : new RegExp(body, 'u');
  return views.some((view) => re.test(view));
}

/** A decoy is intact when the released output still holds its text, unchanged, as often as the input did. */
export function decoyIntact(decoy: string, text: string, output: string | null): boolean {
  if (output === null) return false;
  return countOf(output, decoy) >= countOf(text, decoy);
}

function countOf(hay: string, needle: string): number {
  let n = 0;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length)) n++;
  return n;
}

// =====================================================================================================
// Deterministic randomness
// =====================================================================================================

export const SEED = 20261126;

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
    }
    return xs;
  }
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = UPPER + LOWER + DIGITS + '+/';

// =====================================================================================================
// People, places, organisations (fake, for the surrounding text; never planted)
// =====================================================================================================

const FIRST = ['Jane', 'Ravi', 'Ana', 'Tom', 'Maria', 'Ahmed', 'Chen', 'Priya', 'Omar', 'Lucia', 'Daniel', 'Sofia', 'Kwame', 'Yuki', 'Fatima', 'Lars', 'Aisha', 'Mateo', 'Elena', 'Noah', 'Ingrid', 'Kofi', 'Mei', 'Hannah', 'Diego', 'Zara', 'Luca', 'Amara', 'Jonas', 'Nadia', 'Pierre', 'Camille', 'Giulia', 'Sven', 'Anjali', 'Rafael', 'Olga', 'Tariq', 'Emma', 'Jakub'];
const LAST = ['Roe', 'Patel', 'Costa', 'Okafor', 'Nguyen', 'Khan', 'Schmidt', 'Dubois', 'Rossi', 'Garcia', 'Kowalski', 'Tanaka', 'Haddad', 'Johansson', 'Mensah', 'Silva', 'Novak', 'Fischer', 'Moreau', 'Bianchi', 'Fernandez', 'Weber', 'Jansen', 'de Vries', 'Sharma', 'Murphy', 'Alvarez', 'Lindqvist', 'Osei', 'Brennan', 'Keller', 'Hoffmann', 'Lopez', 'Chen', 'Ivanova', 'Yilmaz', 'Walsh', 'Morgan', 'Baker', 'Reid'];
const ORGS = ['Northwind Traders', 'Acme Logistics', 'Globex GmbH', 'Initech', 'Umbrella Health', 'Contoso Bank', 'Fabrikam Ltd', 'Wayne Medical Group', 'Stark Retail', 'Tyrell Systems', 'Hooli Cloud', 'Vandelay Imports'];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.co.uk', 'northwind.io', 'acme-logistics.com', 'globex.de', 'initech.net', 'contoso-bank.com', 'fabrikam.co.uk', 'mail.ru', 'proton.me', 'uni-heidelberg.de', 'hospital-nord.fr', 'wayne-medical.org', 'hooli.cloud', 'web.de', 'libero.it', 'orange.fr', 'icloud.com', 'hotmail.com'];
const CITIES = ['Springfield', 'Denver', 'Leeds', 'Berlin', 'Lyon', 'Milan', 'Madrid', 'Utrecht', 'Pune', 'Sydney', 'Toronto', 'São Paulo', 'Austin', 'Bristol'];
const TOOLS = ['crm.update_contact', 'hr.create_employee', 'billing.charge_card', 'ehr.get_patient', 'kyc.verify_identity', 'payroll.add_payee', 'support.create_ticket', 'db.query', 'vault.write_secret', 'deploy.set_env', 'insurance.check_eligibility', 'search_customers'];
const SERVICES = ['billing-api', 'auth-service', 'ehr-gateway', 'payroll-worker', 'kyc-service', 'checkout', 'notifications', 'ingest-pipeline'];

interface Person {
  first: string;
  last: string;
  he: string;
  his: string;
  him: string;
}
function person(r: Rng): Person {
  const female = r.chance(0.5);
  return { first: r.pick(FIRST), last: r.pick(LAST), he: female ? 'she' : 'he', his: female ? 'her' : 'his', him: female ? 'her' : 'him' };
}
function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
/** Fills {first} {last} {he} {He} {his} {His} {him} {org} {city} in a template. */
function fill(t: string, p: Person, r: Rng): string {
  return t
    .replace(/\{first\}/g, p.first)
    .replace(/\{last\}/g, p.last)
    .replace(/\{he\}/g, p.he)
    .replace(/\{He\}/g, cap(p.he))
    .replace(/\{his\}/g, p.his)
    .replace(/\{His\}/g, cap(p.his))
    .replace(/\{him\}/g, p.him)
    .replace(/\{org\}/g, () => r.pick(ORGS))
    .replace(/\{city\}/g, () => r.pick(CITIES));
}

// =====================================================================================================
// Checksums, built here independently of src/dlp/validators.ts
// =====================================================================================================

function luhnDigit(body: string): string {
  let sum = 0;
  let double = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let d = Number(body[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return String((10 - (sum % 10)) % 10);
}

const VD = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VP = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VINV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];
function verhoeffDigit(body: string): string {
  let c = 0;
  const ds = [...body].reverse().map(Number);
  for (let i = 0; i < ds.length; i++) c = (VD[c] as number[])[(VP[(i + 1) % 8] as number[])[ds[i] as number] as number] as number;
  return String(VINV[c]);
}

function iso7064Digit(body: string): string {
  let product = 10;
  for (const ch of body) {
    let sum = (Number(ch) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = 11 - product;
  return String(check === 10 ? 0 : check);
}

function weighted(ds: string, weights: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < weights.length; i++) s += Number(ds[i]) * (weights[i] as number);
  return s;
}

function mod97(numeric: string): number {
  let r = 0;
  for (const ch of numeric) r = (r * 10 + Number(ch)) % 97;
  return r;
}
function ibanLetters(s: string): string {
  return [...s].map((c) => (c >= 'A' && c <= 'Z' ? String(c.charCodeAt(0) - 55) : c)).join('');
}
function ibanOf(country: string, bban: string): string {
  const check = 98 - mod97(ibanLetters(bban + country + '00'));
  return country + String(check).padStart(2, '0') + bban;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let s = '';
  while (n > 0n) {
    s = BASE58[Number(n % 58n)] + s;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    s = '1' + s;
  }
  return s;
}
function base58check(version: number, payload: Uint8Array): string {
  const body = new Uint8Array([version, ...payload]);
  const check = sha256(sha256(body)).slice(0, 4);
  return base58(new Uint8Array([...body, ...check]));
}
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
function bech32Polymod(values: number[]): number {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk = (chk ^ (gen[i] as number)) >>> 0;
  }
  return chk;
}
function segwitAddress(program: Uint8Array): string {
  const words: number[] = [0];
  let acc = 0;
  let bits = 0;
  for (const b of program) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      words.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  const hrp = [3, 3, 0, 2, 3]; // "bc" expanded
  const mod = bech32Polymod([...hrp, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const check = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return 'bc1' + [...words, ...check].map((w) => BECH32[w]).join('');
}
function eip55(hexLower: string): string {
  const hash = keccak256(new TextEncoder().encode(hexLower));
  let out = '';
  for (let i = 0; i < 40; i++) {
    const c = hexLower[i] as string;
    const byte = hash[i >> 1] as number;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 15;
    out += /[a-f]/.test(c) && nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

// =====================================================================================================
// Value generators
// =====================================================================================================

function group(s: string, sizes: number[], sep: string): string {
  const out: string[] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(s.slice(at, at + n));
    at += n;
  }
  if (at < s.length) out.push(s.slice(at));
  return out.filter((x) => x.length > 0).join(sep);
}

function ssnDigits(r: Rng): string {
  for (;;) {
    const area = r.int(1, 899);
    if (area === 666) continue;
    const s = String(area).padStart(3, '0') + String(r.int(1, 99)).padStart(2, '0') + String(r.int(1, 9999)).padStart(4, '0');
    if (['078051120', '219099999', '123456789'].includes(s)) continue;
    return s;
  }
}
function itinDigits(r: Rng): string {
  const g = r.pick([...range(50, 65), ...range(70, 88), ...range(90, 92), ...range(94, 99)]);
  return '9' + r.digits(2) + String(g) + r.digits(4);
}
function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

const CARD_PREFIXES: Array<{ brand: string; prefix: () => string; len: number }> = [
  { brand: 'Visa', prefix: () => '4', len: 16 },
  { brand: 'Mastercard', prefix: () => String(51 + Math.floor(cardRng.next() * 5)), len: 16 },
  { brand: 'Mastercard', prefix: () => String(2221 + Math.floor(cardRng.next() * 500)), len: 16 },
  { brand: 'Amex', prefix: () => cardRng.pick(['34', '37']), len: 15 },
  { brand: 'Discover', prefix: () => cardRng.pick(['6011', '65']), len: 16 },
  { brand: 'JCB', prefix: () => String(3528 + Math.floor(cardRng.next() * 62)), len: 16 },
  { brand: 'Diners Club', prefix: () => cardRng.pick(['36', '38', '300', '305']), len: 14 },
  { brand: 'UnionPay', prefix: () => '62', len: 16 },
  { brand: 'Maestro', prefix: () => '6759', len: 16 },
];
let cardRng = new Rng(1);
function cardNumber(r: Rng): { digits: string; brand: string } {
  cardRng = r;
  const c = r.pick(CARD_PREFIXES);
  const p = c.prefix();
  const body = p + r.digits(c.len - p.length - 1);
  return { digits: body + luhnDigit(body), brand: c.brand };
}
function formatCard(d: string, r: Rng): string {
  const style = r.int(0, 9);
  if (d.length === 15) return style < 6 ? group(d, [4, 6, 5], r.pick([' ', '-'])) : d;
  if (d.length === 14) return style < 5 ? group(d, [4, 6, 4], ' ') : d;
  if (style < 4) return group(d, [4, 4, 4, 4], ' ');
  if (style < 6) return group(d, [4, 4, 4, 4], '-');
  return d;
}

function abaNumber(r: Rng): string {
  const prefix = String(r.pick([...range(1, 12), ...range(21, 32), ...range(61, 72)])).padStart(2, '0');
  const body = prefix + r.digits(6);
  const s = weighted(body, [3, 7, 1, 3, 7, 1, 3, 7]);
  return body + String((10 - (s % 10)) % 10);
}

function nhsNumber(r: Rng): string {
  for (;;) {
    const body = String(r.int(4, 9)) + r.digits(8);
    const check = 11 - (weighted(body, [10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11);
    if (check === 10) continue;
    return body + String(check === 11 ? 0 : check);
  }
}

function npiNumber(r: Rng): string {
  const body = String(r.int(1, 2)) + r.digits(8);
  return body + luhnDigit('80840' + body);
}

function deaNumber(r: Rng, surname: string): string {
  const d = r.digits(6);
  const sum = Number(d[0]) + Number(d[2]) + Number(d[4]) + 2 * (Number(d[1]) + Number(d[3]) + Number(d[5]));
  return r.pick(['A', 'B', 'F', 'G', 'M']) + surname.charAt(0).toUpperCase() + d + String(sum % 10);
}

const NINO_BAD = 'DFIQUV';
function ninoValue(r: Rng): string {
  for (;;) {
    const a = r.pick([...UPPER]);
    const b = r.pick([...UPPER]);
    if (NINO_BAD.includes(a) || NINO_BAD.includes(b) || b === 'O') continue;
    if (['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(a + b)) continue;
    return a + b + r.digits(6) + r.pick(['A', 'B', 'C', 'D']);
  }
}

function steuerId(r: Rng): string {
  for (;;) {
    const digits = r.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).slice(0, 9);
    digits.push(r.pick(digits));
    r.shuffle(digits);
    if (digits[0] === 0) continue;
    let triple = false;
    for (let i = 2; i < 10; i++) if (digits[i] === digits[i - 1] && digits[i] === digits[i - 2]) triple = true;
    if (triple) continue;
    const body = digits.join('');
    return body + iso7064Digit(body);
  }
}

function frNir(r: Rng): string {
  const sex = r.pick(['1', '2']);
  const yy = r.digits(2);
  const mm = String(r.int(1, 12)).padStart(2, '0');
  const dept = r.chance(0.08) ? r.pick(['2A', '2B']) : String(r.pick([...range(1, 19), ...range(21, 95)])).padStart(2, '0');
  const rest = String(r.int(1, 999)).padStart(3, '0') + String(r.int(1, 999)).padStart(3, '0');
  const numericDept = dept === '2A' ? '19' : dept === '2B' ? '18' : dept;
  const n = BigInt(sex + yy + mm + numericDept + rest);
  const key = 97n - (n % 97n);
  return sex + yy + mm + dept + rest + String(key).padStart(2, '0');
}

const ES_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
function esDni(r: Rng): string {
  const n = r.digits(8);
  return n + ES_LETTERS[Number(n) % 23];
}
function esNie(r: Rng): string {
  const x = r.pick(['X', 'Y', 'Z']);
  const n = r.digits(7);
  return x + n + ES_LETTERS[Number(String('XYZ'.indexOf(x)) + n) % 23];
}

const CF_ODD: Record<string, number> = {};
[1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23].forEach((v, i) => {
  CF_ODD[String.fromCharCode(65 + i)] = v;
  if (i < 10) CF_ODD[String(i)] = v;
});
function cfPart(name: string, isFirst: boolean): string {
  const up = name.toUpperCase().replace(/[^A-Z]/g, '');
  const cons = [...up].filter((c) => !'AEIOU'.includes(c));
  const vow = [...up].filter((c) => 'AEIOU'.includes(c));
  if (isFirst && cons.length >= 4) return (cons[0] as string) + (cons[2] as string) + (cons[3] as string);
  return [...cons, ...vow, 'X', 'X', 'X'].slice(0, 3).join('');
}
const IT_NAMES: Array<[string, string, boolean]> = [['Rossi', 'Mario', false], ['Bianchi', 'Laura', true], ['Verdi', 'Giuseppe', false], ['Esposito', 'Giulia', true], ['Ferrari', 'Luca', false], ['Romano', 'Chiara', true], ['Colombo', 'Marco', false], ['Ricci', 'Francesca', true], ['Marino', 'Alessandro', false], ['Greco', 'Sara', true], ['Conti', 'Matteo', false], ['De Luca', 'Elena', true]];
function itFiscalCode(r: Rng): string {
  const [surname, name, female] = r.pick(IT_NAMES);
  const yy = r.digits(2);
  const month = r.pick([...'ABCDEHLMPRST']);
  const day = r.int(1, 28) + (female ? 40 : 0);
  const place = r.pick(['H501', 'F205', 'F839', 'L219', 'G273', 'A944', 'D612', 'L736', 'A562', 'C351']);
  const body = cfPart(surname, false) + cfPart(name, true) + yy + month + String(day).padStart(2, '0') + place;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = body[i] as string;
    sum += i % 2 === 0 ? (CF_ODD[c] as number) : /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
  }
  return body + String.fromCharCode(65 + (sum % 26));
}
function itVat(r: Rng): string {
  const body = r.digits(7) + String(r.int(1, 100)).padStart(3, '0');
  return body + luhnDigit(body);
}

function nlBsn(r: Rng): string {
  for (;;) {
    const body = String(r.int(1, 9)) + r.digits(7);
    const s = weighted(body, [9, 8, 7, 6, 5, 4, 3, 2]);
    const last = s % 11;
    if (last > 9) continue;
    return body + String(last);
  }
}

function auTfn(r: Rng): string {
  for (;;) {
    const body = String(r.int(1, 9)) + r.digits(7);
    for (let d = 0; d <= 9; d++) if (weighted(body + d, [1, 4, 3, 7, 5, 8, 6, 9, 10]) % 11 === 0) return body + d;
  }
}
function auAbn(r: Rng): string {
  for (;;) {
    const rest = r.digits(9);
    const cands: string[] = [];
    for (let p = 10; p <= 99; p++) {
      const s = String(p) + rest;
      const adj = String(Number(s[0]) - 1) + s.slice(1);
      if (weighted(adj, [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]) % 89 === 0) cands.push(s);
    }
    if (cands.length > 0) return r.pick(cands);
  }
}
function auAcn(r: Rng): string {
  const body = r.digits(8);
  return body + String((10 - (weighted(body, [8, 7, 6, 5, 4, 3, 2, 1]) % 10)) % 10);
}
function auMedicare(r: Rng): string {
  const body = String(r.int(2, 6)) + r.digits(7);
  return body + String(weighted(body, [1, 3, 7, 9, 1, 3, 7, 9]) % 10) + String(r.int(1, 9));
}

function brMod11(ds: string, weights: number[]): string {
  const rem = weighted(ds, weights) % 11;
  return String(rem < 2 ? 0 : 11 - rem);
}
function brCpf(r: Rng): string {
  for (;;) {
    const b = r.digits(9);
    if (/^(\d)\1+$/.test(b)) continue;
    const d1 = brMod11(b, [10, 9, 8, 7, 6, 5, 4, 3, 2]);
    return b + d1 + brMod11(b + d1, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  }
}
function brCnpj(r: Rng): string {
  const b = r.digits(8) + '0001';
  const d1 = brMod11(b, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  return b + d1 + brMod11(b + d1, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
}

const IBAN_BBAN: Record<string, (r: Rng) => string> = {
  DE: (r) => r.digits(18),
  GB: (r) => r.pick(['WEST', 'BARC', 'LOYD', 'HBUK', 'NWBK', 'MIDL']) + r.digits(14),
  FR: (r) => r.digits(10) + r.chars(11, DIGITS + 'ABCDEFGHJKLMNPRSTUVWXYZ'.slice(0, 10)) + r.digits(2),
  NL: (r) => r.pick(['ABNA', 'INGB', 'RABO', 'TRIO', 'SNSB']) + r.digits(10),
  ES: (r) => r.digits(20),
  IT: (r) => r.pick([...UPPER]) + r.digits(10) + r.digits(12),
  BE: (r) => r.digits(12),
  AT: (r) => r.digits(16),
  CH: (r) => r.digits(17),
  PL: (r) => r.digits(24),
  IE: (r) => r.pick(['AIBK', 'BOFI']) + r.digits(14),
  PT: (r) => r.digits(21),
  SE: (r) => r.digits(20),
  NO: (r) => r.digits(11),
  DK: (r) => r.digits(14),
};
function ibanValue(r: Rng): string {
  const cc = r.pick(Object.keys(IBAN_BBAN));
  return ibanOf(cc, (IBAN_BBAN[cc] as (r: Rng) => string)(r));
}

function icaoCheck(s: string): string {
  const w = [7, 3, 1];
  let sum = 0;
  [...s].forEach((c, i) => {
    const v = /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += v * (w[i % 3] as number);
  });
  return String(sum % 10);
}

function dob(r: Rng): { y: number; m: number; d: number } {
  const y = r.int(1938, 2006);
  const m = r.int(1, 12);
  const dim = [31, y % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number;
  return { y, m, d: r.int(1, dim) };
}
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

function password(r: Rng): string {
  const words = ['Winter', 'Summer', 'Falcon', 'Blue', 'Tiger', 'Maple', 'Orion', 'Rocket', 'Coffee', 'Harbor', 'Velvet', 'Quartz', 'Nimbus', 'Cobalt', 'Saffron'];
  const syms = ['!', '#', '$', '%', '&', '*', '@', '?'];
  switch (r.int(0, 4)) {
    case 0:
      return r.pick(words) + r.pick(words) + r.digits(2) + r.pick(syms);
    case 1:
      return r.pick(words) + String(r.int(2019, 2026)) + r.pick(syms);
    case 2:
      return r.chars(r.int(12, 20), ALNUM + '!#%&*+-_');
    case 3: {
      const w = r.pick(words).toLowerCase().replace(/o/g, '0').replace(/e/g, '3').replace(/a/g, '4');
      return cap(w) + r.pick(syms) + r.digits(3);
    }
    default:
      return r.chars(4, LOWER) + r.pick(syms) + r.chars(4, UPPER + DIGITS) + r.pick(syms) + r.chars(3, LOWER);
  }
}

function pem(r: Rng, kind: string): string {
  const lines = r.int(6, 14);
  const prefix = kind === 'OPENSSH' ? 'b3BlbnNzaC1rZXktdjEAAAAA' : kind === 'EC' ? 'MHcCAQEEI' : kind === 'RSA' ? 'MIIEowIBAAKCAQEA' : 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
  const body: string[] = [];
  for (let i = 0; i < lines; i++) body.push(i === 0 ? prefix + r.chars(64 - prefix.length, B64) : r.chars(i === lines - 1 ? r.int(20, 60) : 64, B64));
  const label = kind === 'PKCS8' ? 'PRIVATE KEY' : `${kind} PRIVATE KEY`;
  return `-----BEGIN ${label}-----\n${body.join('\n')}${r.chance(0.5) ? '=' : ''}\n-----END ${label}-----`;
}

function jwt(r: Rng): string {
  const header = b64url(JSON.stringify(r.pick([{ alg: 'HS256', typ: 'JWT' }, { alg: 'RS256', kid: r.chars(8, HEX), typ: 'JWT' }, { alg: 'ES256', typ: 'JWT' }])));
  const now = 1760000000 + r.int(0, 9999999);
  const payload = b64url(JSON.stringify({ sub: String(r.int(1000, 999999)), role: r.pick(['admin', 'user', 'service']), iat: now, exp: now + 3600, iss: r.pick(['https://auth.northwind.io', 'https://login.acme-logistics.com', 'accounts.hooli.cloud']) }));
  return `${header}.${payload}.${r.chars(43, ALNUM + '-_')}`;
}

// =====================================================================================================
// Entity specs
// =====================================================================================================

/** contact, network, secret, finance, health, special, or id-<country> for national identifiers */
type Group = string;

/** A prose template: text before the value and after it; may use {first} {last} {he} {his} {org} {city}. */
type Prose = readonly [string, string];

interface Spec {
  type: string;
  group: Group;
  /** the value as a person or a program would write it */
  gen(r: Rng, p: Person): string;
  /** for statement types: the value in a record field (JSON, table, config) */
  field?(r: Rng, p: Person): string;
  /** labels as written in prose, mid-sentence case ("NHS number") */
  labels: readonly string[];
  /** member names in JSON, config and code */
  keys: readonly string[];
  /** labels and keys that depend on the value's format */
  labelsFor?(value: string): { labels: readonly string[]; keys: readonly string[] } | undefined;
  /** sentences around the value; statement types have only these */
  prose?: readonly Prose[];
  /** the value is a phrase that only makes sense in its own sentence (special categories, diagnoses) */
  statement?: boolean;
  /** statement types: phrases and the sentences they fit (a value is only used with a sentence of its class) */
  classes?: ReadonlyArray<{ values: readonly string[]; prose: readonly Prose[] }>;
  forms: readonly Form[];
  /** the shipped validator a generated value must pass */
  validator?: keyof typeof VALIDATORS;
}

const F_ID: readonly Form[] = ['chat', 'json_tool_call', 'json_tool_result', 'markdown_table', 'email', 'code', 'log'];
const F_ID_HEALTH: readonly Form[] = [...F_ID, 'clinical_note'];
const F_SECRET: readonly Form[] = ['chat', 'json_tool_call', 'json_tool_result', 'log', 'code', 'config', 'email'];
const F_FIN: readonly Form[] = ['chat', 'json_tool_call', 'json_tool_result', 'markdown_table', 'email', 'log', 'code'];
const F_HEALTH: readonly Form[] = ['clinical_note', 'json_tool_result', 'chat', 'email', 'markdown_table', 'json_tool_call'];
const F_SPECIAL: readonly Form[] = ['chat', 'email', 'json_tool_result', 'json_tool_call', 'markdown_table'];

const g = (s: string, sizes: number[], sep: string): string => group(s, sizes, sep);

const SPECS: Spec[] = [
  // ----------------------------------------------------------------------------------------- contact
  {
    type: 'EMAIL_ADDRESS',
    group: 'contact',
    gen: (r, p) => {
      const first = p.first.toLowerCase();
      const last = p.last.toLowerCase().replace(/\s/g, '');
      const local = r.pick([`${first}.${last}`, `${first[0]}.${last}`, `${first}${r.int(1, 99)}`, `${last}.${first}`, `${first}_${last}${r.int(70, 99)}`, `${first}.${last}+billing`]);
      return `${local}@${r.pick(DOMAINS)}`;
    },
    labels: ['email', 'email address', 'e-mail', 'contact email'],
    keys: ['email', 'email_address', 'contactEmail', 'user_email', 'reply_to'],
    prose: [['You can reach {first} at ', '.'], ['{first}\'s email is ', ', in case you need to follow up.'], ['Send the signed copy to ', ' by Friday.'], ['I updated the account to use ', ' as the login.']],
    forms: ['chat', 'json_tool_call', 'json_tool_result', 'markdown_table', 'email', 'log', 'code', 'config'],
  },
  {
    type: 'PHONE_NUMBER',
    group: 'contact',
    gen: (r) => {
      const area = `${r.int(2, 9)}${r.int(0, 9)}${r.int(2, 9)}`.replace(/^(\d)11$/, '$121');
      const ex = `${r.int(2, 9)}${r.digits(2)}`.replace(/^(\d)11$/, '$121');
      const line = r.digits(4);
      switch (r.int(0, 9)) {
        case 0:
          return `+1 ${area} ${ex} ${line}`;
        case 1:
          return `(${area}) ${ex}-${line}`;
        case 2:
          return `${area}-${ex}-${line}`;
        case 3:
          return `+44 20 ${r.int(7, 8)}${r.digits(3)} ${r.digits(4)}`;
        case 4:
          return `07${r.int(4, 9)}${r.digits(2)} ${r.digits(6)}`;
        case 5:
          return `+49 ${r.pick(['30', '89', '40', '221'])} ${r.digits(4)} ${r.digits(4)}`;
        case 6:
          return `0${r.int(6, 7)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`;
        case 7:
          return `+91 ${r.int(7, 9)}${r.digits(4)} ${r.digits(5)}`;
        case 8:
          return `04${r.digits(2)} ${r.digits(3)} ${r.digits(3)}`;
        default:
          return `+55 11 9${r.digits(4)}-${r.digits(4)}`;
      }
    },
    labels: ['phone', 'phone number', 'mobile', 'tel', 'contact number', 'cell'],
    keys: ['phone', 'phone_number', 'mobile', 'phoneNumber', 'tel'],
    prose: [['Call {first} on ', ' after 6pm.'], ['{His} mobile is ', ' if the email bounces.'], ['The customer asked us to call back on ', '.']],
    forms: ['chat', 'json_tool_call', 'json_tool_result', 'markdown_table', 'email', 'clinical_note', 'code', 'log'],
  },
  {
    type: 'LOCATION',
    group: 'contact',
    gen: (r) => {
      switch (r.int(0, 5)) {
        case 0:
          return `${r.int(2, 9899)} ${r.pick(['Maple', 'Oak', 'Pine', 'Cedar', 'Elm', 'Lake', 'Hill', 'Park', 'Washington', 'Lincoln'])} ${r.pick(['Street', 'Avenue', 'Road', 'Lane', 'Drive', 'Court', 'Boulevard', 'St', 'Ave', 'Rd'])}`;
        case 1:
          return `${r.int(1, 299)}${r.pick(['', '', 'B', 'A'])} ${r.pick(['Baker', 'High', 'Church', 'Station', 'Victoria', 'Mill'])} ${r.pick(['Street', 'Road', 'Lane', 'Close', 'Crescent'])}`;
        case 2:
          return `${r.pick(['Hauptstraße', 'Bahnhofstraße', 'Lindenweg', 'Goethestr.', 'Schillerallee', 'Berliner Straße', 'Am Markt', 'Kirchgasse'])} ${r.int(1, 180)}${r.pick(['', '', 'a'])}`;
        case 3:
          return `${r.int(1, 120)} ${r.pick(['rue', 'avenue', 'boulevard'])} ${r.pick(['de la Paix', 'Victor Hugo', 'du Moulin', 'des Lilas', 'de Rivoli', 'Gambetta'])}`;
        case 4:
          return `${r.int(100, 9999)} ${r.pick(['North', 'South', 'East', 'West'])} ${r.pick(['Main', 'Market', 'Broad', 'Center'])} ${r.pick(['Street', 'St', 'Avenue'])}`;
        default:
          return `${r.int(10, 999)} ${r.pick(['1st', '2nd', '3rd', '5th', '14th', '42nd', '23rd'])} ${r.pick(['Street', 'Avenue'])}`;
      }
    },
    labels: ['address', 'home address', 'shipping address', 'billing address', 'mailing address'],
    keys: ['address', 'street', 'address_line1', 'home_address', 'shipping_address'],
    prose: [['{first} lives at ', ' with {his} partner.'], ['Ship the replacement to ', ', {city}.'], ['{His} billing address is ', ', {city}.'], ['The courier could not find ', ' and returned the parcel.']],
    forms: ['chat', 'json_tool_call', 'json_tool_result', 'markdown_table', 'email', 'clinical_note', 'code'],
  },
  {
    type: 'DATE_TIME',
    group: 'contact',
    gen: (r) => {
      const { y, m, d } = dob(r);
      switch (r.int(0, 5)) {
        case 0:
        case 1:
          return `${y}-${pad2(m)}-${pad2(d)}`;
        case 2:
          return `${pad2(m)}/${pad2(d)}/${y}`;
        case 3:
          return `${pad2(d)}.${pad2(m)}.${y}`;
        case 4:
          return `${MONTHS[m - 1]} ${d}, ${y}`;
        default:
          return `${d} ${MONTHS[m - 1]} ${y}`;
      }
    },
    labels: ['DOB', 'date of birth', 'birth date', 'D.O.B.'],
    keys: ['dob', 'date_of_birth', 'birthDate', 'birth_date', 'dateOfBirth'],
    prose: [['{first} was born on ', ' in {city}.'], ['DOB: ', ' (confirmed by phone).'], ['Date of birth: ', '.'], ['Patient {first} {last}, DOB ', ', presented with a cough.']],
    forms: ['chat', 'json_tool_call', 'json_tool_result', 'markdown_table', 'email', 'clinical_note', 'code'],
  },
  {
    type: 'URL',
    group: 'contact',
    gen: (r) =>
      r.pick([
        `https://intranet.${r.pick(['northwind.io', 'acme-logistics.com', 'globex.de'])}/hr/employees/${r.int(1000, 99999)}?view=full`,
        `https://drive.${r.pick(['hooli.cloud', 'northwind.io'])}/file/d/${r.chars(28, ALNUM)}/view`,
        `https://portal.${r.pick(['wayne-medical.org', 'umbrella-health.com'])}/patients/${r.int(100000, 999999)}/records`,
        `https://www.linkedin.com/in/${r.pick(FIRST).toLowerCase()}-${r.pick(LAST).toLowerCase().replace(' ', '')}-${r.chars(6, HEX)}`,
        `https://crm.${r.pick(['northwind.io', 'stark-retail.com'])}/contacts/${r.int(10000, 999999)}/edit`,
      ]),
    labels: ['profile link', 'record URL', 'link'],
    keys: ['url', 'profile_url', 'link', 'record_url'],
    prose: [['Here is the link to the record: ', ''], ['{first}\'s profile is at ', '.'], ['Open ', ' to see the full file.']],
    forms: ['chat', 'json_tool_result', 'markdown_table', 'email', 'log'],
  },
  // ----------------------------------------------------------------------------------------- network
  {
    type: 'IP_ADDRESS',
    group: 'network',
    gen: (r) => {
      if (r.chance(0.25)) {
        const groups = Array.from({ length: 8 }, () => r.int(0, 0xffff).toString(16));
        return r.chance(0.5) ? `2001:db8:${groups.slice(2, 4).join(':')}::${groups.slice(6).join(':')}` : `2a02:${groups.slice(1).join(':')}`;
      }
      return r.pick([
        `${r.int(23, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
        `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
        `192.168.${r.int(0, 255)}.${r.int(1, 254)}`,
        `${r.pick(['81', '92', '145', '176', '203', '198'])}.${r.int(1, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
      ]).replace(/^127\./, '128.');
    },
    labels: ['IP', 'IP address', 'client IP', 'source address'],
    keys: ['ip', 'client_ip', 'remote_addr', 'ip_address', 'src_ip'],
    prose: [['The failed logins came from ', '.'], ['{first} was connected from ', ' at the time of the incident.'], ['Blocked ', ' after 20 failed attempts.']],
    forms: ['log', 'json_tool_result', 'chat', 'config', 'markdown_table', 'code', 'email'],
  },
  {
    type: 'MAC_ADDRESS',
    group: 'network',
    gen: (r) => {
      const b = Array.from({ length: 6 }, () => r.chars(2, HEX));
      const style = r.int(0, 3);
      if (style === 0) return b.join('-').toUpperCase();
      if (style === 1) return `${b[0]}${b[1]}.${b[2]}${b[3]}.${b[4]}${b[5]}`;
      return b.join(':');
    },
    labels: ['MAC address', 'MAC', 'hardware address', 'device MAC'],
    keys: ['mac', 'mac_address', 'hwaddr', 'device_mac'],
    prose: [['{first}\'s laptop has the MAC address ', '.'], ['DHCPACK on wlan0 to ', ' (laptop-{first}).'], ['The device registered with MAC ', ' on the guest Wi-Fi.']],
    forms: ['log', 'json_tool_result', 'chat', 'config', 'markdown_table'],
  },
  // ----------------------------------------------------------------------------------------- secrets
  {
    type: 'AWS_ACCESS_KEY',
    group: 'secret',
    gen: (r) => r.pick(['AKIA', 'AKIA', 'ASIA']) + r.chars(16, UPPER + '234567'),
    labels: ['AWS access key ID', 'access key', 'AWS key'],
    keys: ['aws_access_key_id', 'AWS_ACCESS_KEY_ID', 'AccessKeyId', 'accessKeyId'],
    prose: [['I found the key ', ' in an old commit; rotate it.'], ['The deploy user authenticates with ', '.']],
    forms: F_SECRET,
  },
  {
    type: 'AWS_SECRET_KEY',
    group: 'secret',
    gen: (r) => r.chars(40, B64),
    labels: ['aws_secret_access_key', 'AWS_SECRET_ACCESS_KEY', 'SecretAccessKey'],
    keys: ['aws_secret_access_key', 'AWS_SECRET_ACCESS_KEY', 'SecretAccessKey', 'secretAccessKey'],
    prose: [['aws_secret_access_key = ', ''], ['export AWS_SECRET_ACCESS_KEY=', ''], ['The credentials file had aws_secret_access_key=', ' in plain text.']],
    forms: F_SECRET,
  },
  {
    type: 'GITHUB_TOKEN',
    group: 'secret',
    gen: (r) => (r.chance(0.8) ? r.pick(['ghp_', 'gho_', 'ghs_', 'ghu_']) + r.chars(36, ALNUM) : `github_pat_${r.chars(22, ALNUM)}_${r.chars(59, ALNUM)}`),
    labels: ['GitHub token', 'personal access token', 'GITHUB_TOKEN'],
    keys: ['GITHUB_TOKEN', 'github_token', 'token', 'gh_token'],
    prose: [['Use ', ' as the token for the CI job.'], ['The runner was configured with GITHUB_TOKEN=', ''], ['I found ', ' in the CI logs; it still has repo scope.']],
    forms: F_SECRET,
  },
  {
    type: 'SLACK_TOKEN',
    group: 'secret',
    gen: (r) =>
      r.chance(0.7)
        ? `${r.pick(['xoxb', 'xoxp', 'xoxa'])}-${r.digits(12)}-${r.digits(13)}-${r.chars(24, ALNUM)}`
        : `https://hooks.slack.com/services/T${r.chars(10, UPPER + DIGITS)}/B${r.chars(10, UPPER + DIGITS)}/${r.chars(24, ALNUM)}`,
    labels: ['Slack token', 'SLACK_BOT_TOKEN', 'Slack webhook'],
    keys: ['SLACK_BOT_TOKEN', 'slack_token', 'slack_webhook_url', 'webhook'],
    prose: [['The bot posts with ', '.'], ['Alerts go to ', ' (the #ops channel).']],
    forms: F_SECRET,
  },
  {
    type: 'STRIPE_KEY',
    group: 'secret',
    gen: (r) => r.pick(['sk_live_', 'sk_live_', 'rk_live_', 'sk_test_']) + r.chars(r.pick([24, 99]), ALNUM),
    labels: ['Stripe secret key', 'STRIPE_SECRET_KEY', 'Stripe key'],
    keys: ['STRIPE_SECRET_KEY', 'stripe_secret_key', 'stripeKey', 'api_key'],
    prose: [['The checkout service charges cards with ', '.'], ['stripe.api_key = "', '"']],
    forms: F_SECRET,
  },
  {
    type: 'GOOGLE_API_KEY',
    group: 'secret',
    gen: (r) => 'AIza' + r.chars(35, ALNUM + '-_'),
    labels: ['Google API key', 'Maps API key', 'GOOGLE_API_KEY'],
    keys: ['GOOGLE_MAPS_API_KEY', 'google_api_key', 'mapsKey', 'GOOGLE_API_KEY'],
    prose: [['The map widget loads with key=', ''], ['The Firebase config uses apiKey ', '.']],
    forms: F_SECRET,
  },
  {
    type: 'PRIVATE_KEY',
    group: 'secret',
    gen: (r) => pem(r, r.pick(['RSA', 'EC', 'OPENSSH', 'PKCS8'])),
    labels: ['private key', 'SSH key', 'signing key'],
    keys: ['private_key', 'privateKey', 'ssh_key', 'tls_key'],
    prose: [['Here is the key from the server:\n', '\n'], ['The deploy key is:\n\n', '\n\nAdd it to the CI secrets.']],
    forms: ['chat', 'json_tool_result', 'code', 'config', 'email'],
  },
  {
    type: 'JWT',
    group: 'secret',
    gen: (r) => jwt(r),
    labels: ['JWT', 'session token', 'id_token'],
    keys: ['id_token', 'jwt', 'access_token', 'session'],
    prose: [['Authorization: Bearer ', ''], ['The session cookie holds ', '.'], ['Decode ', ' at jwt.io to see the claims.']],
    forms: F_SECRET,
  },
  {
    type: 'PASSWORD',
    group: 'secret',
    gen: (r) => password(r),
    labels: ['password', 'passphrase', 'admin password', 'Wi-Fi password', 'database password'],
    keys: ['password', 'DB_PASSWORD', 'db_password', 'adminPassword', 'smtp_pass', 'PGPASSWORD'],
    prose: [['Sure - the Wi-Fi password is ', '.'], ['The password for the admin account is now ', '.'], ['psql --password=', ' -h db.internal'], ['mysqldump -u root -p', ' shop > dump.sql'], ['The temporary password was reset to ', ', please change it at first login.']],
    forms: F_SECRET,
  },
  {
    type: 'CONNECTION_STRING',
    group: 'secret',
    gen: (r) => `${r.pick(['app_user', 'reporting', 'admin', 'svc_orders', 'etl', 'default'])}:${password(r).replace(/[@/:#?%]/g, 'x')}`,
    labels: ['connection string', 'DATABASE_URL', 'database URL'],
    keys: ['DATABASE_URL', 'db_url', 'MONGO_URI', 'REDIS_URL', 'connectionString'],
    prose: [],
    forms: F_SECRET,
  },
  {
    type: 'GENERIC_API_KEY',
    group: 'secret',
    gen: (r) =>
      r.pick([
        () => r.chars(32, HEX),
        () => r.chars(40, ALNUM),
        () => `sk-proj-${r.chars(48, ALNUM + '-_')}T3BlbkFJ${r.chars(24, ALNUM)}`,
        () => `sk-ant-api03-${r.chars(93, ALNUM + '-_')}AA`,
        () => `glpat-${r.chars(20, ALNUM + '-_')}`,
        () => `npm_${r.chars(36, ALNUM)}`,
        () => `hf_${r.chars(34, UPPER + LOWER)}`,
        () => `SG.${r.chars(22, ALNUM + '-_')}.${r.chars(43, ALNUM + '-_')}`,
      ])(),
    labels: ['API key', 'api_key', 'access token', 'client secret'],
    keys: ['api_key', 'apiKey', 'client_secret', 'access_token', 'OPENAI_API_KEY', 'X-API-Key', 'auth_token'],
    prose: [['curl -H "Authorization: Bearer ', '" https://api.northwind.io/v2/orders'], ['Set api_key: ', ' in the integration settings.'], ['The vendor issued us the access token ', '.']],
    forms: F_SECRET,
  },
  // ----------------------------------------------------------------------------------------- finance
  {
    type: 'CREDIT_CARD',
    group: 'finance',
    gen: (r) => formatCard(cardNumber(r).digits, r),
    labels: ['card number', 'credit card', 'card', 'Visa', 'PAN'],
    keys: ['card_number', 'cardNumber', 'pan', 'number', 'cc_number'],
    prose: [['{first} paid with ', '.'], ['Charged ', ' for $49.00 this morning.'], ['The card on file is ', ', expiring next year.']],
    forms: F_FIN,
    validator: 'luhn',
  },
  {
    type: 'CARD_EXPIRY',
    group: 'finance',
    gen: (r) => {
      const m = pad2(r.int(1, 12));
      const y = r.int(26, 33);
      return r.pick([`${m}/${y}`, `${m}/20${y}`, `${m}/${y}`]);
    },
    labels: ['exp', 'expiry', 'expiration date', 'valid thru'],
    keys: ['expiry', 'exp', 'expiration', 'card_expiry', 'exp_date'],
    prose: [['Card ending ' + '4821' + ', exp ', '.'], ['Visa, expiry ', ', billing ZIP on file.'], ['The card is valid thru ', '.']],
    forms: F_FIN,
  },
  {
    type: 'CARD_CVV',
    group: 'finance',
    gen: (r) => (r.chance(0.85) ? String(r.int(100, 999)) : String(r.int(1000, 9999))),
    labels: ['CVV', 'CVC', 'security code', 'CVV2'],
    keys: ['cvv', 'cvc', 'security_code', 'cvv2'],
    prose: [['The security code is ', ' (back of the card).'], ['CVV ', ', as printed on the back.']],
    forms: F_FIN,
  },
  {
    type: 'IBAN_CODE',
    group: 'finance',
    gen: (r) => {
      const v = ibanValue(r);
      return r.chance(0.6) ? g(v, [4, 4, 4, 4, 4, 4, 4, 4], ' ') : v;
    },
    labels: ['IBAN', 'bank account', 'Kontonummer (IBAN)', 'account'],
    keys: ['iban', 'IBAN', 'bank_account', 'payee_iban'],
    prose: [['Please wire the deposit to ', ' by Friday.'], ['{first} asked us to refund to ', '.'], ['Sent from ', ', EUR 120.00.']],
    forms: F_FIN,
    validator: 'mod97',
  },
  {
    type: 'US_BANK_ROUTING',
    group: 'finance',
    gen: (r) => abaNumber(r),
    labels: ['routing number', 'ABA', 'RTN', 'ABA routing number'],
    keys: ['routing_number', 'aba', 'routingNumber', 'rtn'],
    prose: [['Wire to the credit union, ABA ', '.'], ['Routing number: ', ', checking.']],
    forms: F_FIN,
    validator: 'aba',
  },
  {
    type: 'US_BANK_NUMBER',
    group: 'finance',
    gen: (r) => String(r.int(1, 9)) + r.digits(r.int(7, 11)),
    labels: ['checking account number', 'bank account number', 'account number', 'savings account'],
    keys: ['bank_account', 'account_number', 'checking_account', 'bankAccountNumber'],
    prose: [['Please wire the funds to account number ', '.'], ['Direct deposit goes to checking account ', '.']],
    forms: F_FIN,
  },
  {
    type: 'CRYPTO',
    group: 'finance',
    gen: (r) => {
      const k = r.int(0, 3);
      if (k === 0) return base58check(0, r.bytes(20));
      if (k === 1) return base58check(5, r.bytes(20));
      if (k === 2) return segwitAddress(r.bytes(20));
      const hex = [...r.bytes(20)].map((b) => b.toString(16).padStart(2, '0')).join('');
      return '0x' + (r.chance(0.5) ? eip55(hex) : hex);
    },
    labels: ['BTC address', 'wallet', 'ETH wallet', 'crypto wallet'],
    keys: ['wallet', 'btc_address', 'eth_address', 'payout_wallet'],
    prose: [['Send the refund to ', ' please.'], ['{first}\'s payout wallet is ', '.']],
    forms: F_FIN,
  },
  {
    type: 'EU_VAT',
    group: 'finance',
    gen: (r) =>
      r.pick([
        () => 'DE' + r.int(1, 3) + r.digits(8),
        () => 'ATU' + r.digits(8),
        () => 'FR' + r.digits(2) + r.int(1, 9) + r.digits(8),
        () => 'NL' + r.digits(9) + 'B0' + r.int(1, 9),
        () => 'IT' + r.digits(11),
        () => 'ES' + r.pick(['B', 'A', 'X']) + r.digits(7) + r.pick([...DIGITS, 'A', 'B']),
        () => 'BE0' + r.digits(9),
        () => 'PL' + r.digits(10),
        () => 'IE' + r.digits(7) + r.pick([...'ABCDEFW']),
        () => 'DK' + r.digits(8),
        () => 'SE' + r.digits(10) + '01',
      ])(),
    labels: ['VAT number', 'VAT ID', 'USt-IdNr.', 'BTW-nummer', 'N° TVA'],
    keys: ['vat_number', 'vat_id', 'vatNumber', 'ust_id'],
    prose: [['{org} is registered under VAT number ', '.'], ['Please add our VAT ID ', ' to the invoice.']],
    forms: F_FIN,
  },
  // ----------------------------------------------------------------------------------------- health
  {
    type: 'MEDICAL_RECORD_NUMBER',
    group: 'health',
    gen: (r) => r.pick([() => r.digits(8), () => `MRN-${r.digits(7)}`, () => `P-${r.int(2015, 2025)}-${r.digits(6)}`, () => `${r.pick(['A', 'H', 'MR'])}${r.digits(7)}`])(),
    labels: ['MRN', 'medical record number', 'patient ID', 'chart number'],
    keys: ['mrn', 'patient_id', 'medical_record_number', 'patientId'],
    prose: [['Discharge summary for patient ', ' (cardiology).'], ['Please pull the chart for MRN ', ' before rounds.']],
    forms: F_ID_HEALTH,
  },
  {
    type: 'US_NPI',
    group: 'health',
    gen: (r) => npiNumber(r),
    labels: ['NPI', 'National Provider Identifier', 'provider NPI'],
    keys: ['npi', 'provider_npi', 'npiNumber'],
    prose: [['Referring physician: Dr. {last}, NPI ', '.'], ['Bill under the group NPI ', '.']],
    forms: F_ID_HEALTH,
    validator: 'npi',
  },
  {
    type: 'US_DEA',
    group: 'health',
    gen: (r, p) => deaNumber(r, p.last),
    labels: ['DEA', 'DEA number', 'DEA registration'],
    keys: ['dea', 'prescriber_dea', 'dea_number'],
    prose: [['Prescriber: Dr. {first} {last}, DEA ', '.'], ['Rx signed by ', ' on the 2nd.']],
    forms: F_ID_HEALTH,
    validator: 'dea',
  },
  {
    type: 'MEDICAL_LICENSE',
    group: 'health',
    gen: (r) => r.pick([() => r.pick(['A', 'G', 'C', 'MD']) + r.digits(r.int(5, 6)), () => `RN ${r.digits(7)}`, () => r.digits(8)])(),
    labels: ['medical license', 'medical license number', 'license #', 'nursing license'],
    keys: ['medical_license', 'license_number', 'rn_license', 'state_license'],
    prose: [['Dr. {last}, Medical License: ', ' (California).'], ['Physician license number is ', '.']],
    forms: F_ID_HEALTH,
  },
  {
    type: 'HEALTH_PLAN_ID',
    group: 'health',
    gen: (r) => r.pick([() => 'W' + r.digits(9), () => r.chars(3, UPPER) + r.digits(9), () => 'BCX' + r.digits(10), () => r.digits(11)])(),
    labels: ['member ID', 'insurance ID', 'subscriber ID', 'health plan ID', 'Medicaid number'],
    keys: ['member_id', 'insurance_id', 'subscriber_id', 'health_plan_id'],
    prose: [['{His} Aetna member ID is ', '.'], ['Insurance ID: ', ' (Blue Cross PPO).']],
    forms: F_HEALTH,
  },
  {
    type: 'US_MBI',
    group: 'health',
    gen: (r) => {
      const L = 'ACDEFGHJKMNPQRTUVWXY';
      const v = String(r.int(1, 9)) + r.chars(1, L) + r.chars(1, L + DIGITS) + r.digits(1) + r.chars(1, L) + r.chars(1, L + DIGITS) + r.digits(1) + r.chars(2, L) + r.digits(2);
      return r.chance(0.4) ? g(v, [4, 3, 4], '-') : v;
    },
    labels: ['Medicare number', 'MBI', 'Medicare Beneficiary Identifier'],
    keys: ['mbi', 'medicare_id', 'medicare_beneficiary_id'],
    prose: [['Medicare number (MBI): ', '.'], ['{His} Medicare card shows ', ' for Part B.']],
    forms: F_HEALTH,
  },
  {
    type: 'HEALTH_CONDITION',
    group: 'health',
    statement: true,
    gen: (r) => r.pick(['type 2 diabetes', 'major depressive disorder', 'HIV', 'bipolar disorder', 'early-onset Alzheimer\'s', 'stage 3 breast cancer', 'epilepsy', 'COPD', 'schizophrenia', 'multiple sclerosis', 'alcohol use disorder', 'hepatitis C', 'PTSD', 'Crohn\'s disease']),
    field: (r) => r.pick(['E11.9', 'F32.1', 'J45.909', 'I10', 'F31.81', 'C50.912', 'G40.909', 'B20', 'F20.9', 'K50.90', 'type 2 diabetes mellitus', 'major depressive disorder, recurrent', 'chronic kidney disease stage 3']),
    labels: ['diagnosis', 'Dx', 'ICD-10', 'primary diagnosis'],
    keys: ['diagnosis', 'primary_diagnosis', 'dx_code', 'diagnosis_code', 'icd10_code'],
    prose: [['Our employee {first} was diagnosed with ', ' last year.'], ['{He} has been living with ', ' since 2010.'], ['Mr. {last} suffers from ', ' and uses oxygen at night.'], ['{first} {last} is being treated for ', ' at the {city} clinic.'], ['{first} told HR {he} has a history of ', '.']],
    forms: F_HEALTH,
  },
  // ----------------------------------------------------------------------------------------- special categories (GDPR Art. 9)
  {
    type: 'RELIGION',
    group: 'special',
    statement: true,
    gen: (r) => r.pick(['devout Muslim', 'practising Catholic', 'observant Jew']),
    classes: [
      {
        values: ['devout Muslim', 'practising Catholic', 'observant Jew', 'devout Hindu', 'practising Sikh', 'Mormon', 'Buddhist', 'born-again Christian', "Jehovah's Witness"],
        prose: [['Our new hire {first} is a ', ' and asked for a quiet room; {he} prefers Friday afternoons off.'], ['{first} {last} is a ', ', so please plan the team dinner accordingly.'], ['{first} mentioned that {he} is a ', '.'], ['Note for HR: {first} is a ', ' and asked for leave on religious holidays.']],
      },
      {
        values: ['keeps kosher', 'converted to Islam', 'attends synagogue', 'wears a turban', 'prays five times a day', 'attends mosque', 'fasts during Ramadan', 'converted to Catholicism'],
        prose: [['{first} ', ' and asked to leave early on Fridays.'], ['{His} manager noted that {first} ', '.'], ['{first} {last} ', ', according to the team lead.'], ['My neighbour {first} ', ', so I planned the menu around it.']],
      },
    ],
    field: (r) => r.pick(['Catholic', 'Muslim', 'Protestant', 'Jewish', 'Hindu', 'Buddhist', 'Sikh', 'evangelisch', 'katholisch', 'Orthodox']),
    labels: ['religion', 'faith', 'religious affiliation'],
    keys: ['religion', 'faith', 'religious_affiliation', 'denomination'],
    forms: F_SPECIAL,
  },
  {
    type: 'ETHNIC_ORIGIN',
    group: 'special',
    statement: true,
    gen: (r) => r.pick(['Hispanic']),
    classes: [
      {
        values: ['Hispanic', 'Romani', 'Kurdish', 'Aboriginal', 'African American', 'Uyghur', 'Tamil', 'mixed race', 'of Nigerian descent', 'of Vietnamese descent', 'of Pakistani heritage', 'of Irish ancestry', 'Latina', 'First Nations'],
        prose: [['The applicant is ', ' and speaks two languages at home; {he} moved from {city}.'], ['Our customer Mr. {last} is ', '.'], ['{first} mentioned that {he} is ', ' during the interview.'], ['{first} {last}, who is ', ', asked about the scholarship.']],
      },
    ],
    field: (r) => r.pick(['Black African', 'White British', 'Asian', 'Hispanic or Latino', 'Roma', 'Black or African American', 'Pakistani', 'Mixed - White and Asian']),
    labels: ['ethnicity', 'ethnic origin', 'race'],
    keys: ['ethnicity', 'ethnic_origin', 'race', 'ethnic_group'],
    forms: F_SPECIAL,
  },
  {
    type: 'POLITICAL_OPINION',
    group: 'special',
    statement: true,
    gen: (r) => r.pick(['votes for the Greens']),
    classes: [
      {
        values: ['votes for the Greens', 'is a registered Republican', 'is a registered Democrat', 'voted Leave', 'votes Labour', 'voted for the AfD', 'is a communist', 'is a Trump supporter', 'voted Conservative'],
        prose: [['My manager {first} ', '.'], ['{first} {last} ', ', according to {his} social media.'], ['{first} told the team that {he} ', '.'], ['Between us, {first} ', ', so maybe skip politics at lunch.']],
      },
      {
        values: ['member of the Green Party', 'supporter of the Labour Party', 'member of the SPD', 'member of the Libertarian Party', 'volunteer for the Democratic Party', 'donor to the Republican Party'],
        prose: [['{first} is a ', ' and canvasses on weekends.'], ['HR noted that {first} is a ', '.'], ['{first} {last}, a ', ', asked for the day off to campaign.']],
      },
    ],
    field: (r) => r.pick(['Social Democrat', 'Republican', 'Democrat', 'Green Party', 'Conservative', 'Labour', 'Libertarian']),
    labels: ['political affiliation', 'party', 'political views'],
    keys: ['political_affiliation', 'party_affiliation', 'political_party', 'political_views'],
    forms: F_SPECIAL,
  },
  {
    type: 'TRADE_UNION',
    group: 'special',
    statement: true,
    gen: (r) => r.pick(['member of the Teamsters']),
    classes: [
      {
        values: ['member of the Teamsters', 'shop steward', 'union rep', 'member of UNISON', 'member of IG Metall', 'member of the Nurses Union', 'member of SEIU'],
        prose: [['{He} is a ', ' and works at the depot.'], ['{first} {last} is a ', '; {his} contract is under review.'], ['HR noted that {first} is a ', '.']],
      },
      {
        values: ['joined the union', 'pays union dues', 'joined a trade union'],
        prose: [['{first} ', ' last spring after the layoffs.'], ['{His} payslip shows that {he} ', '.'], ['{first} {last} ', ' after the pay dispute.']],
      },
      { values: ['Gewerkschaftsmitglied'], prose: [['Frau {last} ist ', ' bei ver.di; ihr Vertrag wird geprüft.'], ['Herr {last} ist ', ' und Betriebsrat.']] },
    ],
    field: (r) => r.pick(['yes', 'true', 'SEIU Local 1000', 'UNISON', 'ver.di', 'IG Metall', 'Teamsters Local 705']),
    labels: ['union membership', 'union', 'trade union'],
    keys: ['union_member', 'trade_union', 'union_membership', 'union'],
    forms: F_SPECIAL,
  },
  {
    type: 'SEXUAL_ORIENTATION',
    group: 'special',
    statement: true,
    gen: (r) => r.pick(['is gay']),
    classes: [
      {
        values: ['is gay', 'is bisexual', 'is a lesbian', 'came out as bisexual', 'came out as gay', 'is queer', 'identifies as pansexual'],
        prose: [['Our colleague {first} ', ' and brings {his} partner to the summer party.'], ['{first} {last} ', ', {his} sister told the counsellor.'], ['{first} told me {he} ', '.']],
      },
      { values: ['same-sex partner', 'same-sex spouse'], prose: [['The employee mentioned {his} ', ' in the benefits form.'], ['{first} added {his} ', ' to the health plan.']] },
    ],
    field: (r) => r.pick(['gay', 'lesbian', 'bisexual', 'heterosexual', 'queer', 'asexual']),
    labels: ['sexual orientation', 'orientation'],
    keys: ['sexual_orientation', 'orientation', 'sexuality'],
    forms: F_SPECIAL,
  },
  {
    type: 'BIOMETRIC',
    group: 'special',
    statement: true,
    gen: (r) => r.pick(['face template']),
    classes: [
      {
        values: ['face template', 'fingerprint template', 'voiceprint', 'iris scan', 'palm vein scan', 'facial recognition data', 'retina scan'],
        prose: [['We enrolled {his} ', ' in the door system yesterday.'], ['Stored ', ' for customer {first} {last} at the branch.'], ["{first}'s ", ' failed to match at the turnstile twice.']],
      },
    ],
    field: (r) => (r.chance(0.5) ? 'Rk1SACAyMAAAA' + r.chars(r.int(24, 48), B64) : `[${Array.from({ length: r.int(6, 10) }, () => (r.next() * 0.6 - 0.3).toFixed(4)).join(', ')}]`),
    labels: ['fingerprint template', 'face embedding', 'voiceprint'],
    keys: ['fingerprint_template', 'face_embedding', 'voiceprint', 'iris_template', 'face_template'],
    forms: F_SPECIAL,
  },
  {
    type: 'GENETIC',
    group: 'special',
    statement: true,
    gen: (r) => r.pick(['BRCA1 positive']),
    classes: [
      {
        values: ['BRCA1 positive', 'BRCA2 positive', 'APOE4 carrier', 'Factor V Leiden carrier', 'HLA-B27 positive', 'cystic fibrosis carrier', 'BRCA1 carrier'],
        prose: [['Patient is ', '; {he} opted for preventive surgery.'], ['{His} 23andMe report says {he} is ', '.'], ['{first} told us {he} is ', ' and asked about screening.'], ['Genetic testing showed that {first} is ', '.']],
      },
    ],
    field: (r) => `rs${r.int(1000, 99999999)} (${r.pick([...'ACGT'])};${r.pick([...'ACGT'])})`,
    labels: ['genotype', 'genetic test result'],
    keys: ['genotype', 'genetic_result', 'snp', 'variant'],
    forms: ['chat', 'email', 'json_tool_result', 'clinical_note', 'markdown_table'],
  },
  // ----------------------------------------------------------------------------------------- national: US
  {
    type: 'US_SSN',
    group: 'id-us',
    gen: (r) => {
      const s = ssnDigits(r);
      const k = r.int(0, 9);
      return k < 6 ? g(s, [3, 2, 4], '-') : k < 8 ? g(s, [3, 2, 4], ' ') : s;
    },
    labels: ['SSN', 'Social Security number', 'social security no.', 'SSN#'],
    keys: ['ssn', 'social_security_number', 'employee_ssn', 'SSN'],
    prose: [['Her social security number is ', '.'], ['W-2 for ', ' attached.'], ['Employee SSN: ', ', start date Monday.']],
    forms: F_ID_HEALTH,
    validator: 'ssn',
  },
  {
    type: 'US_ITIN',
    group: 'id-us',
    gen: (r) => {
      const s = itinDigits(r);
      const k = r.int(0, 9);
      return k < 6 ? g(s, [3, 2, 4], '-') : k < 8 ? g(s, [3, 2, 4], ' ') : s;
    },
    labels: ['ITIN', 'taxpayer ID', 'individual taxpayer identification number'],
    keys: ['itin', 'tin', 'taxpayer_id'],
    prose: [['Form 1040 was filed under ITIN ', '.'], ['{His} taxpayer ID ', ' (ITIN) was issued in March.']],
    forms: F_ID,
    validator: 'itin',
  },
  {
    type: 'US_PASSPORT',
    group: 'id-us',
    gen: (r) => (r.chance(0.6) ? String(r.int(1, 9)) + r.digits(8) : r.pick([...'ACEFHXZ']) + r.digits(8)),
    labels: ['US passport number', 'passport number', 'passport no.', 'U.S. passport'],
    keys: ['passport_number', 'passport', 'us_passport'],
    prose: [['{His} US passport number is ', ', expiring 2031.'], ['Passport: ', ' issued by the U.S. Department of State.']],
    forms: F_ID,
  },
  {
    type: 'US_DRIVER_LICENSE',
    group: 'id-us',
    gen: (r) => r.pick([() => r.pick([...UPPER]) + r.digits(7), () => `${r.pick([...UPPER])}${r.digits(3)}-${r.digits(3)}-${r.digits(2)}-${r.digits(3)}-${r.digits(1)}`, () => r.digits(8), () => r.pick([...UPPER]) + r.digits(12), () => `WDL${r.chars(9, UPPER + DIGITS)}`])(),
    labels: ["driver's license", 'driver license number', 'DL number', "driver's license no."],
    keys: ['driver_license', 'drivers_license_number', 'dl_number', 'license_no'],
    prose: [["{His} driver's license is ", ' (CA).'], ['TX DL number ', ' was scanned at check-in.']],
    forms: F_ID,
  },
  // ----------------------------------------------------------------------------------------- national: UK
  {
    type: 'UK_NHS',
    group: 'id-uk',
    gen: (r) => {
      const s = nhsNumber(r);
      return r.chance(0.6) ? g(s, [3, 3, 4], ' ') : r.chance(0.5) ? s : g(s, [3, 3, 4], '-');
    },
    labels: ['NHS number', 'NHS no.', 'NHS No'],
    keys: ['nhs_number', 'nhsNumber', 'nhs_no'],
    prose: [['Referral for NHS number ', ' received by the GP surgery.'], ['{first} {last} (NHS no. ', ') was discharged today.']],
    forms: F_ID_HEALTH,
    validator: 'nhs-mod11',
  },
  {
    type: 'UK_NINO',
    group: 'id-uk',
    gen: (r) => {
      const v = ninoValue(r);
      return r.chance(0.5) ? g(v, [2, 2, 2, 2, 1], ' ') : v;
    },
    labels: ['National Insurance number', 'NI number', 'NINO', 'NI no.'],
    keys: ['nino', 'ni_number', 'national_insurance_number'],
    prose: [['Payroll record for ', ' updated.'], ['{His} National Insurance number is ', '.']],
    forms: F_ID,
    validator: 'uk-nino',
  },
  {
    type: 'UK_PASSPORT',
    group: 'id-uk',
    gen: (r) => (r.chance(0.7) ? String(r.int(1, 9)) + r.digits(8) : r.chars(2, UPPER) + r.digits(7)),
    labels: ['UK passport number', 'British passport', 'passport number'],
    keys: ['uk_passport', 'passport_number', 'passport'],
    prose: [['{His} British passport ', ' expires in 2030.'], ['UK passport number ', ' was verified by HMPO.']],
    forms: F_ID,
  },
  {
    type: 'UK_DRIVING_LICENCE',
    group: 'id-uk',
    gen: (r, p) => {
      const sur = (p.last.toUpperCase().replace(/[^A-Z]/g, '') + '99999').slice(0, 5);
      const y = r.int(1950, 2005);
      const female = r.chance(0.5);
      const m = r.int(1, 12) + (female ? 50 : 0);
      const d = r.int(1, 28);
      const ys = String(y);
      const v = sur + ys[2] + pad2(m) + pad2(d) + ys[3] + (p.first[0] ?? 'J').toUpperCase() + r.pick(['9', ...UPPER]) + '9' + r.chars(2, UPPER + DIGITS);
      return r.chance(0.3) ? `${v} ${r.digits(2)}` : v;
    },
    labels: ['driving licence number', 'driving licence', 'DVLA licence'],
    keys: ['driving_licence', 'driving_licence_number', 'dvla_number'],
    prose: [['Driving licence number: ', '.'], ['DVLA licence ', ' checked for the hire car.']],
    forms: F_ID,
  },
  // ----------------------------------------------------------------------------------------- national: DE
  {
    type: 'DE_TAX_ID',
    group: 'id-de',
    gen: (r) => {
      if (r.chance(0.2)) return r.pick([`${r.digits(2)}/${r.digits(3)}/${r.digits(5)}`, `${r.digits(3)}/${r.digits(4)}/${r.digits(4)}`, `${r.digits(5)}/${r.digits(5)}`]);
      const s = steuerId(r);
      return r.chance(0.5) ? s : r.chance(0.5) ? g(s, [2, 3, 3, 3], ' ') : g(s, [3, 3, 3, 2], ' ');
    },
    labels: ['Steuer-ID', 'steuerliche Identifikationsnummer', 'IdNr', 'tax ID'],
    keys: ['steuer_id', 'steuerId', 'tax_id', 'idnr'],
    // a Steuernummer (the tax office's number, with slashes or 13 digits) goes by its own name
    labelsFor: (v) => (v.includes('/') ? { labels: ['Steuernummer', 'St.-Nr.', 'tax number'], keys: ['steuernummer', 'st_nr', 'tax_number'] } : undefined),
    prose: [['Ihre steuerliche Identifikationsnummer lautet ', '.'], ['IdNr ', ' laut Bescheid.']],
    forms: F_ID,
  },
  {
    type: 'DE_ID_CARD',
    group: 'id-de',
    gen: (r) => {
      const set = 'CFGHJKLMNPRTVWXYZ';
      const v = r.chars(1, set) + r.chars(8, set + DIGITS);
      return r.chance(0.3) ? v + icaoCheck(v) : v;
    },
    labels: ['Personalausweisnummer', 'Ausweis-Nr.', 'ID card number', 'Personalausweis'],
    keys: ['id_card', 'ausweisnummer', 'personalausweis', 'id_card_number'],
    prose: [['Personalausweisnummer: ', ' (gültig bis 2031).'], ['{first} legte den Personalausweis ', ' vor.']],
    forms: F_ID,
  },
  {
    type: 'DE_PASSPORT',
    group: 'id-de',
    gen: (r) => r.chars(1, 'CFGHJK') + r.chars(8, 'CFGHJKLMNPRTVWXYZ' + DIGITS),
    labels: ['Reisepassnummer', 'Passnummer', 'German passport no.'],
    keys: ['reisepass', 'passnummer', 'passport_number'],
    prose: [['Reisepassnummer: ', '.'], ['{His} German passport no. ', ' was scanned at the hotel.']],
    forms: F_ID,
  },
  // ----------------------------------------------------------------------------------------- national: FR
  {
    type: 'FR_NIR',
    group: 'id-fr',
    gen: (r) => {
      const s = frNir(r);
      return r.chance(0.5) ? `${s[0]} ${s.slice(1, 3)} ${s.slice(3, 5)} ${s.slice(5, 7)} ${s.slice(7, 10)} ${s.slice(10, 13)} ${s.slice(13)}` : s;
    },
    labels: ['numéro de sécurité sociale', 'NIR', 'carte Vitale n°', 'French social security number'],
    keys: ['nir', 'numero_securite_sociale', 'secu'],
    prose: [['Numéro de sécurité sociale : ', '.'], ['Assurée ', ' rattachée à la CPAM de {city}.']],
    forms: F_ID_HEALTH,
    validator: 'fr-nir',
  },
  {
    type: 'FR_PASSPORT',
    group: 'id-fr',
    gen: (r) => r.digits(2) + r.chars(2, UPPER) + r.digits(5),
    labels: ['numéro de passeport', 'passeport', 'French passport no.'],
    keys: ['passeport', 'numero_passeport', 'passport_number'],
    prose: [['Numéro de passeport : ', '.'], ['{His} passeport ', ' expire en 2029.']],
    forms: F_ID,
  },
  {
    type: 'FR_ID_CARD',
    group: 'id-fr',
    gen: (r) => (r.chance(0.5) ? r.digits(12) : r.chars(1, UPPER) + r.digits(1) + r.chars(7, UPPER + DIGITS)),
    labels: ["carte d'identité", 'CNI', "carte nationale d'identité"],
    keys: ['carte_identite', 'cni', 'id_card'],
    prose: [["Carte d'identité n° ", ' délivrée à {city}.'], ['CNI : ', ', valable jusqu\'en 2032.']],
    forms: F_ID,
  },
  // ----------------------------------------------------------------------------------------- national: ES
  {
    type: 'ES_NIF',
    group: 'id-es',
    gen: (r) => {
      const s = esDni(r);
      const k = r.int(0, 3);
      return k === 0 ? `${s.slice(0, 8)}-${s[8]}` : k === 1 ? `${s.slice(0, 2)}.${s.slice(2, 5)}.${s.slice(5, 8)}-${s[8]}` : s;
    },
    labels: ['DNI', 'NIF', 'D.N.I.'],
    keys: ['dni', 'nif', 'documento'],
    prose: [['El titular, con NIF ', ', firma el contrato.'], ['DNI: ', ' (verificado).']],
    forms: F_ID,
    validator: 'es-dni',
  },
  {
    type: 'ES_NIE',
    group: 'id-es',
    gen: (r) => {
      const s = esNie(r);
      return r.chance(0.3) ? `${s[0]}-${s.slice(1, 8)}-${s[8]}` : s;
    },
    labels: ['NIE', 'número de identidad de extranjero'],
    keys: ['nie', 'numero_nie'],
    prose: [['Residente con NIE ', ' en {city}.'], ['{His} NIE is ', '.']],
    forms: F_ID,
    validator: 'es-nie',
  },
  {
    type: 'ES_PASSPORT',
    group: 'id-es',
    gen: (r) => r.chars(3, UPPER) + r.digits(6),
    labels: ['número de pasaporte', 'pasaporte', 'Spanish passport no.'],
    keys: ['pasaporte', 'passport_number'],
    prose: [['Número de pasaporte: ', '.'], ['{His} Spanish passport no. ', ' is on file.']],
    forms: F_ID,
  },
  // ----------------------------------------------------------------------------------------- national: IT
  {
    type: 'IT_FISCAL_CODE',
    group: 'id-it',
    gen: (r) => itFiscalCode(r),
    labels: ['codice fiscale', 'C.F.', 'CF', 'tax code'],
    keys: ['codice_fiscale', 'cf', 'fiscal_code'],
    prose: [['Il sig. {last} (C.F. ', ') dichiara quanto segue.'], ['Codice fiscale: ', '.']],
    forms: F_ID_HEALTH,
    validator: 'it-fiscal-code',
  },
  {
    type: 'IT_VAT_CODE',
    group: 'finance',
    gen: (r) => (r.chance(0.3) ? 'IT' + itVat(r) : itVat(r)),
    labels: ['Partita IVA', 'P.IVA', 'VAT number'],
    keys: ['partita_iva', 'piva', 'vat_number'],
    prose: [['{org} S.r.l. - Partita IVA: ', '.'], ['Fattura intestata a P.IVA ', '.']],
    forms: F_FIN,
  },
  {
    type: 'IT_PASSPORT',
    group: 'id-it',
    gen: (r) => r.chars(2, UPPER) + r.digits(7),
    labels: ['numero passaporto', 'passaporto', 'Italian passport no.'],
    keys: ['passaporto', 'numero_passaporto', 'passport_number'],
    prose: [['Numero passaporto: ', '.'], ['{His} Italian passport no. ', ' was checked at the gate.']],
    forms: F_ID,
  },
  {
    type: 'IT_IDENTITY_CARD',
    group: 'id-it',
    gen: (r) => r.pick([() => `${r.chars(2, UPPER)} ${r.digits(7)}`, () => `${r.chars(2, UPPER)}${r.digits(5)}${r.chars(2, UPPER)}`, () => `${r.digits(7)}${r.chars(2, UPPER)}`])(),
    labels: ["carta d'identità", 'CIE', 'carta di identità'],
    keys: ['carta_identita', 'cie', 'documento_identita'],
    prose: [["Carta d'identità n. ", ' rilasciata dal Comune di {city}.'], ['CIE: ', '.']],
    forms: F_ID,
  },
  {
    type: 'IT_DRIVER_LICENSE',
    group: 'id-it',
    gen: (r) => (r.chance(0.8) ? r.chars(2, UPPER) + r.digits(7) + r.chars(1, UPPER) : 'U1' + r.chars(7, UPPER + DIGITS) + r.chars(1, UPPER)),
    labels: ['patente di guida', 'numero patente', 'patente'],
    keys: ['patente', 'numero_patente', 'driving_license'],
    prose: [['Patente di guida n. ', '.'], ['Numero patente: ', ', categoria B.']],
    forms: F_ID,
  },
  // ----------------------------------------------------------------------------------------- national: NL
  {
    type: 'NL_BSN',
    group: 'id-nl',
    gen: (r) => {
      const s = nlBsn(r);
      return r.chance(0.6) ? s : r.chance(0.5) ? g(s, [4, 2, 3], '.') : g(s, [3, 3, 3], ' ');
    },
    labels: ['BSN', 'burgerservicenummer', 'sofinummer', 'citizen service number'],
    keys: ['bsn', 'burgerservicenummer', 'bsn_nummer'],
    prose: [['Uw burgerservicenummer is ', '.'], ['BSN: ', ' (gecontroleerd).']],
    forms: F_ID_HEALTH,
    validator: 'nl-bsn',
  },
  {
    type: 'NL_PASSPORT',
    group: 'id-nl',
    gen: (r) => r.chars(2, 'ABCDEFGHIJKLMNPQRSTUVWXYZ') + r.chars(6, 'ABCDEFGHIJKLMNPQRSTUVWXYZ' + DIGITS) + r.digits(1),
    labels: ['paspoortnummer', 'paspoort', 'Dutch passport no.'],
    keys: ['paspoort', 'paspoortnummer', 'passport_number'],
    prose: [['Paspoortnummer: ', '.'], ['{His} Dutch passport no. ', ' verloopt in 2030.']],
    forms: F_ID,
  },
  {
    type: 'NL_ID_CARD',
    group: 'id-nl',
    gen: (r) => r.chars(2, 'ABCDEFGHIJKLMNPQRSTUVWXYZ') + r.chars(6, 'ABCDEFGHIJKLMNPQRSTUVWXYZ' + DIGITS) + r.digits(1),
    labels: ['identiteitskaart', 'ID-kaart', 'Dutch ID card'],
    keys: ['identiteitskaart', 'id_kaart', 'id_card'],
    prose: [['Nummer identiteitskaart: ', '.'], ['ID-kaart ', ' verloopt in 2031.']],
    forms: F_ID,
  },
  // ----------------------------------------------------------------------------------------- national: EU-wide
  // (IBAN_CODE and EU_VAT are with finance above)
  // ----------------------------------------------------------------------------------------- national: CA
  {
    type: 'CA_SIN',
    group: 'id-ca',
    gen: (r) => {
      const body = String(r.pick([1, 2, 3, 4, 5, 6, 7, 9])) + r.digits(7);
      const s = body + luhnDigit(body);
      return r.chance(0.6) ? g(s, [3, 3, 3], '-') : r.chance(0.5) ? g(s, [3, 3, 3], ' ') : s;
    },
    labels: ['SIN', 'Social Insurance Number', "numéro d'assurance sociale", 'NAS'],
    keys: ['sin', 'social_insurance_number', 'nas'],
    prose: [['T4 slip issued for SIN ', '.'], ["Numéro d'assurance sociale ", '.']],
    forms: F_ID,
    validator: 'luhn',
  },
  {
    type: 'CA_PASSPORT',
    group: 'id-ca',
    gen: (r) => r.chars(2, UPPER) + r.digits(6),
    labels: ['Canadian passport number', 'passport number', 'passeport'],
    keys: ['passport', 'passport_number', 'ca_passport'],
    prose: [['Canadian passport number: ', '.'], ['{His} passport ', ' (Canada) expires in 2029.']],
    forms: F_ID,
  },
  // ----------------------------------------------------------------------------------------- national: AU
  {
    type: 'AU_ABN',
    group: 'id-au',
    gen: (r) => {
      const s = auAbn(r);
      return r.chance(0.7) ? g(s, [2, 3, 3, 3], ' ') : s;
    },
    labels: ['ABN', 'Australian Business Number'],
    keys: ['abn', 'australian_business_number'],
    prose: [['{org} Pty Ltd (ABN: ', ') is the supplier.'], ['Please quote ABN ', ' on the invoice.']],
    forms: F_ID,
    validator: 'au-abn',
  },
  {
    type: 'AU_ACN',
    group: 'id-au',
    gen: (r) => {
      const s = auAcn(r);
      return r.chance(0.7) ? g(s, [3, 3, 3], ' ') : s;
    },
    labels: ['ACN', 'Australian Company Number', 'A.C.N.'],
    keys: ['acn', 'australian_company_number'],
    prose: [['Widgets Pty Ltd ACN ', '.'], ['{org} (ACN ', ') signed the lease.']],
    forms: F_ID,
  },
  {
    type: 'AU_TFN',
    group: 'id-au',
    gen: (r) => {
      const s = auTfn(r);
      return r.chance(0.6) ? g(s, [3, 3, 3], ' ') : s;
    },
    labels: ['TFN', 'tax file number'],
    keys: ['tfn', 'tax_file_number'],
    prose: [['Please quote your tax file number ', ' on the form.'], ['TFN: ', ' (new employee declaration).']],
    forms: F_ID,
    validator: 'au-tfn',
  },
  {
    type: 'AU_MEDICARE',
    group: 'id-au',
    gen: (r) => {
      const s = auMedicare(r);
      return r.chance(0.6) ? `${s.slice(0, 4)} ${s.slice(4, 9)} ${s[9]}` : s;
    },
    labels: ['Medicare number', 'Medicare card', 'Medicare card no.'],
    keys: ['medicare', 'medicare_number', 'medicare_card'],
    prose: [['Medicare card ', ' / IRN 1.'], ['{His} Medicare number is ', '.']],
    forms: F_ID_HEALTH,
    validator: 'au-medicare',
  },
  // ----------------------------------------------------------------------------------------- national: IN
  {
    type: 'IN_AADHAAR',
    group: 'id-in',
    gen: (r) => {
      const body = String(r.int(2, 9)) + r.digits(10);
      const s = body + verhoeffDigit(body);
      return r.chance(0.6) ? g(s, [4, 4, 4], ' ') : r.chance(0.5) ? s : g(s, [4, 4, 4], '-');
    },
    labels: ['Aadhaar', 'Aadhaar number', 'UIDAI number'],
    keys: ['aadhaar', 'aadhaar_number', 'uid'],
    prose: [['KYC done with Aadhaar ', ' on 12 March.'], ['{His} Aadhaar number is ', '.']],
    forms: F_ID,
    validator: 'verhoeff',
  },
  {
    type: 'IN_PAN',
    group: 'id-in',
    gen: (r, p) => r.chars(3, UPPER) + r.pick(['P', 'P', 'P', 'C', 'H', 'F']) + (p.last[0] ?? 'K').toUpperCase() + r.digits(4) + r.chars(1, UPPER),
    labels: ['PAN', 'PAN number', 'Permanent Account Number'],
    keys: ['pan', 'pan_number', 'pan_card'],
    prose: [['Permanent Account Number ', ' linked to Aadhaar.'], ['PAN: ', ' (verified with the income tax portal).']],
    forms: F_ID,
  },
  {
    type: 'IN_VOTER',
    group: 'id-in',
    gen: (r) => r.chars(3, UPPER) + r.digits(7),
    labels: ['Voter ID', 'EPIC no.', 'voter card'],
    keys: ['voter_id', 'epic_no', 'epic'],
    prose: [['EPIC no. ', ' issued by the Election Commission.'], ['Voter ID: ', '.']],
    forms: F_ID,
  },
  {
    type: 'IN_PASSPORT',
    group: 'id-in',
    gen: (r) => r.chars(1, UPPER) + String(r.int(1, 9)) + r.digits(5) + String(r.int(1, 9)),
    labels: ['Indian passport no.', 'passport number', 'passport'],
    keys: ['passport_number', 'passport', 'in_passport'],
    prose: [['Indian passport no. ', ' issued at Mumbai.'], ['Passport number: ', '.']],
    forms: F_ID,
  },
  {
    type: 'IN_VEHICLE_REGISTRATION',
    group: 'id-in',
    gen: (r) => {
      const st = r.pick(['MH', 'KA', 'DL', 'TN', 'UP', 'GJ', 'RJ', 'WB', 'KL', 'HR']);
      const v = [st, pad2(r.int(1, 50)), r.chars(r.int(1, 2), UPPER), r.digits(4)];
      return r.chance(0.15) ? `${r.int(21, 25)} BH ${r.digits(4)} ${r.chars(2, UPPER)}` : r.chance(0.6) ? v.join(' ') : v.join('');
    },
    labels: ['vehicle number', 'registration number', 'number plate'],
    keys: ['vehicle_number', 'registration_no', 'plate'],
    prose: [['Challan issued to ', ' for overspeeding.'], ['Car registration ', ', owner {first} {last}.']],
    forms: F_ID,
  },
  // ----------------------------------------------------------------------------------------- national: BR
  {
    type: 'BR_CPF',
    group: 'id-br',
    gen: (r) => {
      const s = brCpf(r);
      return r.chance(0.7) ? `${s.slice(0, 3)}.${s.slice(3, 6)}.${s.slice(6, 9)}-${s.slice(9)}` : s;
    },
    labels: ['CPF', 'CPF/MF'],
    keys: ['cpf', 'cpf_number'],
    prose: [['Nota emitida para CPF ', '.'], ['Informe o CPF do titular: ', '.']],
    forms: F_ID,
    validator: 'br-cpf',
  },
  {
    type: 'BR_CNPJ',
    group: 'id-br',
    gen: (r) => {
      const s = brCnpj(r);
      return r.chance(0.7) ? `${s.slice(0, 2)}.${s.slice(2, 5)}.${s.slice(5, 8)}/${s.slice(8, 12)}-${s.slice(12)}` : s;
    },
    labels: ['CNPJ', 'CNPJ/MF'],
    keys: ['cnpj', 'cnpj_number'],
    prose: [['{org} Ltda, inscrita no CNPJ sob o nº ', '.'], ['Fornecedor com CNPJ ', ' habilitado.']],
    forms: F_ID,
    validator: 'br-cnpj',
  },
];

/** Extra text around a value in every form (the scheme and host around a connection string's credentials). */
const WRAPS: Record<string, (r: Rng) => readonly [string, string]> = {
  CONNECTION_STRING: (r) =>
    r.pick([
      [`postgres://`, `@db.internal:5432/orders`],
      [`postgresql://`, `@${r.pick(['10.0.4.12', 'pg-primary.svc.cluster.local', 'db.northwind.io'])}:5432/app`],
      [`mongodb+srv://`, `@cluster0.${r.chars(5, LOWER + DIGITS)}.mongodb.net/prod?retryWrites=true`],
      [`mysql://`, `@mysql.internal:3306/shop`],
      [`redis://`, `@cache.internal:6379/0`],
      [`amqp://`, `@rabbitmq:5672/`],
    ] as const),
};

// =====================================================================================================
// Evasions (adversarial cases)
// =====================================================================================================

const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];
const HOMOGLYPHS: Record<string, string> = {
  a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', y: 'у', i: 'і', j: 'ј', s: 'ѕ', d: 'ԁ', h: 'һ',
  A: 'А', B: 'В', E: 'Е', H: 'Н', K: 'К', M: 'М', O: 'О', P: 'Р', C: 'С', T: 'Т', X: 'Х', Y: 'Υ', Z: 'Ζ', N: 'Ν', I: 'І',
};

function zeroWidth(v: string, r: Rng): string {
  const chars = [...v];
  const n = Math.min(r.int(1, 3), chars.length - 1);
  const positions = new Set<number>();
  while (positions.size < n) positions.add(r.int(1, chars.length - 1));
  return chars.map((c, i) => (positions.has(i) ? r.pick(INVISIBLE) + c : c)).join('');
}
function fullWidth(v: string, r: Rng): string {
  const letters = r.chance(0.5) || !/[0-9]/.test(v);
  const punct = r.chance(0.5);
  return [...v]
    .map((c) => {
      const code = c.charCodeAt(0);
      const isDigit = code >= 48 && code <= 57;
      const isLetter = /[A-Za-z]/.test(c);
      if (isDigit || (letters && isLetter) || (punct && code >= 0x21 && code <= 0x7e && !isDigit && !isLetter)) return String.fromCharCode(code + 0xfee0);
      return c;
    })
    .join('');
}
function homoglyph(v: string, r: Rng): string {
  const chars = [...v];
  const eligible = chars.map((c, i) => (HOMOGLYPHS[c] !== undefined ? i : -1)).filter((i) => i >= 0);
  const n = Math.min(eligible.length, r.int(1, 3));
  r.shuffle(eligible);
  for (const i of eligible.slice(0, n)) chars[i] = HOMOGLYPHS[chars[i] as string] as string;
  return chars.join('');
}
function splitDigits(v: string, r: Rng): string {
  const core = v.replace(/[^A-Za-z0-9]/g, '');
  switch (r.int(0, 3)) {
    case 0:
      return [...core].join(' ');
    case 1:
      return group(core, Array(20).fill(2) as number[], '.');
    case 2:
      return group(core, Array(20).fill(3) as number[], ' - ');
    default: {
      const sizes: number[] = [];
      let left = core.length;
      while (left > 0) {
        const n = Math.min(left, r.int(1, 4));
        sizes.push(n);
        left -= n;
      }
      return group(core, sizes, r.pick([' ', '/', '_', ' . ']));
    }
  }
}
function spelledEmail(v: string, r: Rng): string {
  const [local = '', domain = ''] = v.split('@');
  switch (r.int(0, 3)) {
    case 0:
      return `${local.replace(/\./g, ' dot ')} at ${domain.replace(/\./g, ' dot ')}`;
    case 1:
      return `${local} [at] ${domain.replace(/\./g, ' [dot] ')}`;
    case 2:
      return `${local}(at)${domain}`;
    default:
      return `${local} AT ${domain.replace(/\./g, ' DOT ')}`;
  }
}

function applicableEvasions(spec: Spec, value: string): Evasion[] {
  const out: Evasion[] = ['zero-width', 'full-width', 'base64'];
  if ([...value].some((c) => HOMOGLYPHS[c] !== undefined)) out.push('homoglyph');
  const digits = value.replace(/[^0-9]/g, '').length;
  if (digits >= 6 && spec.group !== 'secret' && spec.group !== 'special' && spec.type !== 'IP_ADDRESS' && spec.type !== 'DATE_TIME' && spec.type !== 'URL') out.push('split-digits');
  if (spec.type === 'EMAIL_ADDRESS') out.push('spelled-email');
  return out;
}

// =====================================================================================================
// Instances: one planted value, with how it is written
// =====================================================================================================

interface Inst {
  spec: Spec;
  person: Person;
  /** what must not leak (unescaped) */
  value: string;
  /** as written (obfuscated for an adversarial value; the base64 token for base64) */
  written: string;
  evasion: Evasion | undefined;
  label: string;
  key: string;
  /** sentence around the value in prose forms (filled) */
  prose: readonly [string, string] | undefined;
  /** text around the value in every form (connection strings) */
  wrap: readonly [string, string];
}

const GENERIC_PROSE: readonly Prose[] = [
  ['{Label}: ', ''],
  ['The {label} on file is ', '.'],
  ["I found {first}'s {label} in the export: ", '.'],
  ['{first} {last} - {label} ', ', verified against the source document.'],
  ['Sure! The {label} you asked for is ', '.'],
  ['Their {label} is ', ' according to the CRM record.'],
  ['Updated the {label} to ', ' as requested.'],
  ['{Label} ', ' (from the onboarding form).'],
];

function fillLabel(t: string, label: string): string {
  return t.replace(/\{Label\}/g, cap(label)).replace(/\{label\}/g, label);
}

/**
 * One planted value. `adversarial`: obfuscate it; `evasion` picks the technique by index into the
 * techniques that apply to the value (so that a type's adversarial cases cycle through them), or names one.
 */
function makeInst(spec: Spec, mode: 'prose' | 'field', adversarial: boolean, r: Rng, evasionChoice?: number | Evasion): Inst {
  const p = person(r);
  const cls = spec.classes && mode === 'prose' ? r.pick(spec.classes) : undefined;
  const value = cls ? r.pick(cls.values) : spec.statement && mode === 'field' && spec.field ? spec.field(r, p) : spec.gen(r, p);
  if (spec.validator && !VALIDATORS[spec.validator](value, {})) throw new Error(`generated ${spec.type} ${value} fails the ${spec.validator} validator`);
  const named = spec.labelsFor?.(value);
  const label = r.pick(named?.labels ?? spec.labels);
  const key = r.pick(named?.keys ?? spec.keys);
  const wrap = WRAPS[spec.type]?.(r) ?? (['', ''] as const);
  let prose: readonly [string, string] | undefined;
  if (mode === 'prose') {
    const own = cls?.prose ?? (named ? [] : spec.prose) ?? [];
    const t = spec.statement || (own.length > 0 && r.chance(0.5)) ? r.pick(own) : r.pick(GENERIC_PROSE);
    prose = [fill(fillLabel(t[0], label), p, r), fill(fillLabel(t[1], label), p, r)];
  }
  const inst: Inst = { spec, person: p, value, written: value, evasion: undefined, label, key, prose, wrap };
  if (adversarial) {
    const applicable = applicableEvasions(spec, value);
    const evasion = typeof evasionChoice === 'string' && applicable.includes(evasionChoice) ? evasionChoice : typeof evasionChoice === 'number' ? (applicable[evasionChoice % applicable.length] as Evasion) : r.pick(applicable);
    inst.evasion = evasion;
    switch (evasion) {
      case 'zero-width':
        inst.written = zeroWidth(value, r);
        break;
      case 'full-width':
        inst.written = fullWidth(value, r);
        break;
      case 'homoglyph':
        inst.written = homoglyph(value, r);
        break;
      case 'split-digits':
        inst.written = splitDigits(value, r);
        break;
      case 'spelled-email':
        inst.written = spelledEmail(value, r);
        break;
      case 'base64': {
        const inner = `${inst.wrap[0]}${value}${inst.wrap[1]}`;
        // a lone short value is encoded with its label, as an agent would encode a field (a 3-digit code alone is 4 characters of base64)
        const content = prose && spec.statement ? `${prose[0]}${inner}${prose[1]}` : inner.length < 10 || r.chance(0.5) ? `${label}: ${inner}` : inner;
        inst.written = r.chance(0.7) ? Buffer.from(content).toString('base64') : Buffer.from(content).toString('base64url');
        inst.wrap = ['', ''];
        inst.label = `${label} (base64)`;
        inst.key = `${key}_b64`;
        inst.prose = mode === 'prose' ? r.pick([['The field arrived base64-encoded: ', ''], [`${cap(label)}, base64: `, ''], ['Decoded nothing yet; the raw value is ', '.']] as const) : undefined;
        break;
      }
    }
    if (inst.written === value) {
      inst.evasion = 'zero-width';
      inst.written = zeroWidth(value, r);
    }
  }
  return inst;
}

// =====================================================================================================
// Decoys: text that must come out unchanged
// =====================================================================================================

interface DecoyVal {
  kind: string;
  value: string;
  /** prose around it */
  prose: readonly [string, string];
  /** JSON member / config key for it */
  key: string;
  /** emit as a JSON number */
  number?: boolean;
}

function uuid(r: Rng): string {
  const h = r.chars(32, HEX);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${r.pick(['8', '9', 'a', 'b'])}${h.slice(17, 20)}-${h.slice(20)}`;
}
function sha(r: Rng, n: number): string {
  for (;;) {
    const s = r.chars(n, HEX);
    if (/[a-f]/.test(s) && /[0-9]/.test(s)) return s;
  }
}
function isoTs(r: Rng): string {
  return `2026-${pad2(r.int(1, 11))}-${pad2(r.int(1, 28))}T${pad2(r.int(0, 23))}:${pad2(r.int(0, 59))}:${pad2(r.int(0, 59))}.${r.digits(3)}Z`;
}
function checksumFail(r: Rng): { value: string; label: string } {
  for (;;) {
    const k = r.int(0, 8);
    let value: string;
    let label: string;
    let validator: keyof typeof VALIDATORS;
    const bump = (d: string): string => String((Number(d) + r.int(1, 9)) % 10);
    if (k === 0) {
      const c = cardNumber(r).digits;
      value = formatCard(c.slice(0, -1) + bump(c.slice(-1)), r);
      label = 'card number';
      validator = 'luhn';
    } else if (k === 1) {
      const v = ibanValue(r);
      value = g(v.slice(0, 2) + String((Number(v.slice(2, 4)) + r.int(1, 50)) % 97).padStart(2, '0') + v.slice(4), [4, 4, 4, 4, 4, 4, 4, 4], ' ');
      label = 'IBAN';
      validator = 'mod97';
    } else if (k === 2) {
      value = `${r.pick(['000', '666'])}-${pad2(r.int(1, 99))}-${r.digits(4)}`;
      label = 'SSN';
      validator = 'ssn';
    } else if (k === 3) {
      const s = nhsNumber(r);
      value = g(s.slice(0, -1) + bump(s.slice(-1)), [3, 3, 4], ' ');
      label = 'NHS number';
      validator = 'nhs-mod11';
    } else if (k === 4) {
      const body = String(r.int(2, 9)) + r.digits(10);
      const s = body + bump(verhoeffDigit(body));
      value = g(s, [4, 4, 4], ' ');
      label = 'Aadhaar';
      validator = 'verhoeff';
    } else if (k === 5) {
      const s = brCpf(r);
      const t = s.slice(0, -1) + bump(s.slice(-1));
      value = `${t.slice(0, 3)}.${t.slice(3, 6)}.${t.slice(6, 9)}-${t.slice(9)}`;
      label = 'CPF';
      validator = 'br-cpf';
    } else if (k === 6) {
      const s = nlBsn(r);
      value = s.slice(0, -1) + bump(s.slice(-1));
      label = 'BSN';
      validator = 'nl-bsn';
    } else if (k === 7) {
      const s = auAbn(r);
      value = g(s.slice(0, -1) + bump(s.slice(-1)), [2, 3, 3, 3], ' ');
      label = 'ABN';
      validator = 'au-abn';
    } else {
      const s = npiNumber(r);
      value = s.slice(0, -1) + bump(s.slice(-1));
      label = 'NPI';
      validator = 'npi';
    }
    if (!VALIDATORS[validator](value, {})) return { value, label };
  }
}

/** Common words that are also first names or surnames, capitalised where English capitalises them. */
const NAME_WORDS: ReadonlyArray<readonly [string, string, string]> = [
  ['', 'Will', ' the migration run before the code freeze?'],
  ['', 'Mark', ' the ticket as resolved once the fix is deployed.'],
  ['', 'Hope', ' this helps!'],
  ['', 'Bill', ' the overtime to the marketing cost centre.'],
  ['', 'Chase', ' the supplier about the late delivery.'],
  ['The ', 'June', ' release adds dark mode.'],
  ['', 'May', ' I suggest rolling back first?'],
  ['', 'Frank', ' feedback from the pilot users is attached.'],
  ['', 'Grant', ' the service account read access only.'],
  ['We build with ', 'Jenkins', ' on weekdays and GitHub Actions on weekends.'],
  ['The ', 'Ruby', ' gems need updating before the audit.'],
  ['', 'Amber', ' alerts mean the service is degraded.'],
  ['The ', 'Summer', ' sale starts next week.'],
  ['', 'Rusty', ' hinges on the loading-bay door need replacing.'],
  ['Project ', 'Victor', ' is the code name of the new ranking model.'],
  ['', 'Sterling', ' and euro invoices are paid from different accounts.'],
  ['', 'Penny', ' stocks are excluded from the model portfolio.'],
  ['The ', 'Baker', ' Street office closes at 6pm.'],
];

const CLINICAL_DECOYS: Record<string, ReadonlyArray<readonly [string, string]>> = {
  order_number: [['Lab order #', ' sent to pathology.'], ['Pharmacy order ', ' dispensed.'], ['Imaging order ', ' booked.']],
  version: [['Note template v', ''], ['Order set version ', ' applied.']],
  name_word: [],
};
const CLINICAL_NAME_WORDS: ReadonlyArray<readonly [string, string, string]> = [
  ['', 'Will', ' review bloods next week.'],
  ['', 'Mark', ' the penicillin allergy in the chart.'],
  ['', 'Hope', ' to taper the dose if stable.'],
  ['Pain ', 'Rose', ' overnight to 6/10.'],
  ['Discussed ', 'Frank', ' findings with the family.'],
];

function decoyFor(kind: string, form: Form, r: Rng): DecoyVal {
  const d = decoyOf(kind, r);
  if (form !== 'clinical_note') return d;
  if (kind === 'name_word') {
    const [pre, word, post] = r.pick(CLINICAL_NAME_WORDS);
    return { ...d, value: word, prose: [pre, post] };
  }
  const prose = CLINICAL_DECOYS[kind];
  if (prose && prose.length > 0) {
    const v = kind === 'version' ? `${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)}` : d.value;
    return { ...d, value: v, prose: r.pick(prose) };
  }
  return d;
}

function decoyOf(kind: string, r: Rng): DecoyVal {
  switch (kind) {
    case 'order_number': {
      const v = r.pick([() => String(r.int(10000000, 9999999999)), () => `${r.digits(3)}-${r.digits(7)}-${r.digits(7)}`, () => String(r.int(100000, 999999))])();
      return { kind, value: v, prose: r.pick([['Your order ', ' has shipped.'], ['Order #', ' was refunded yesterday.'], ['I re-sent the confirmation for order ', '.']] as const), key: r.pick(['order_id', 'orderNumber', 'order']), number: /^[1-9]\d*$/.test(v) && r.chance(0.5) };
    }
    case 'uuid':
      return { kind, value: uuid(r), prose: r.pick([['(request id ', ')'], ['Trace ', ' has the full timeline.'], ['The record id is ', '.']] as const), key: r.pick(['request_id', 'id', 'trace_id', 'correlationId']) };
    case 'commit_sha': {
      const v = sha(r, r.pick([7, 8, 10, 12, 40]));
      return { kind, value: v, prose: r.pick([['Fixed in commit ', '.'], ['Reverted ', ' on main.'], ['The regression came in with ', '.']] as const), key: r.pick(['commit', 'sha', 'git_sha', 'revision']) };
    }
    case 'version': {
      const v = r.pick([() => `${r.int(0, 12)}.${r.int(0, 30)}.${r.int(0, 40)}`, () => `v${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)}`, () => `${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(100, 9999)}`, () => `${r.int(1, 5)}.${r.int(0, 9)}.${r.int(0, 9)}-rc.${r.int(1, 5)}`, () => `Chrome/${r.int(110, 131)}.0.${r.int(5000, 6999)}.${r.int(10, 200)}`])();
      return { kind, value: v, prose: r.pick([['Upgrade to version ', ' before Friday.'], ['We are running ', ' in production.'], ['This was fixed in release ', '.']] as const), key: r.pick(['version', 'app_version', 'release']) };
    }
    case 'log_timestamp': {
      const v = r.pick([() => isoTs(r), () => isoTs(r).replace('T', ' ').replace('Z', '').replace('.', ','), () => String(r.int(1700000000, 1790000000)), () => String(r.int(1700000000000, 1790000000000))])();
      return { kind, value: v, prose: r.pick([['The job finished at ', '.'], ['Last heartbeat: ', '.'], ['The alert fired at ', ' and cleared later.']] as const), key: r.pick(['timestamp', 'ts', 'created_at', 'time']) };
    }
    case 'checksum_fail': {
      const { value, label } = checksumFail(r);
      return {
        kind,
        value,
        prose: r.pick([['The number ', ' failed validation.'], ['Example (invalid): ', '.'], ['ID ', ' is on the list.'], [`That ${label} (`, ') is not valid - it fails the check digit.'], ['', ' was rejected by the checksum check.'], ['Value: ', '']] as const),
        key: r.pick(['id', 'reference_number', 'value', 'input']),
      };
    }
    case 'name_word': {
      const [pre, word, post] = r.pick(NAME_WORDS);
      return { kind, value: word, prose: [pre, post], key: r.pick(['note', 'comment', 'message', 'summary']) };
    }
    case 'date': {
      const y = r.int(2019, 2026);
      const m = r.int(1, 12);
      const d = r.int(1, 28);
      const v = r.pick([`${y}-${pad2(m)}-${pad2(d)}`, `${d} ${MONTHS[m - 1]} ${y}`, `${MONTHS[m - 1]} ${d}, ${y}`]);
      return { kind, value: v, prose: r.pick([['The release shipped on ', '.'], ['Invoices are due by ', '.'], ['The contract was signed on ', '.']] as const), key: r.pick(['created_at', 'due_date', 'released', 'updated_at']) };
    }
    case 'tracking_number': {
      const v = r.pick([() => `1Z${r.chars(6, UPPER + DIGITS)}${r.digits(10)}`, () => `${r.digits(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(2)}`, () => `JD${r.digits(16)}`])();
      return { kind, value: v, prose: r.pick([['Tracking number ', ' shows it in transit.'], ['The parcel (', ') was delivered.']] as const), key: r.pick(['tracking_number', 'tracking']) };
    }
    default: {
      const v = r.pick(['********', '<your-api-key>', '${DB_PASSWORD}', 'sk_live_...', 'REDACTED', 'changeme', '{{ secrets.API_TOKEN }}', 'xxxx-xxxx-xxxx']);
      return { kind: 'placeholder', value: v, prose: r.pick([['password: ', ''], ['Set api_key to ', ' in your own config.'], ['The token field shows ', ' in the UI.']] as const), key: r.pick(['password', 'api_key', 'token']) };
    }
  }
}

const DECOY_KINDS_BY_FORM: Record<Form, readonly string[]> = {
  chat: ['order_number', 'commit_sha', 'version', 'checksum_fail', 'name_word', 'date', 'tracking_number', 'uuid'],
  json_tool_call: ['order_number', 'uuid', 'version', 'checksum_fail', 'date', 'name_word', 'log_timestamp'],
  json_tool_result: ['order_number', 'uuid', 'version', 'checksum_fail', 'date', 'log_timestamp', 'tracking_number', 'name_word'],
  markdown_table: ['order_number', 'uuid', 'version', 'checksum_fail', 'date', 'tracking_number', 'commit_sha'],
  log: ['uuid', 'order_number', 'version', 'commit_sha', 'checksum_fail'],
  email: ['order_number', 'name_word', 'date', 'tracking_number', 'checksum_fail', 'version'],
  clinical_note: ['order_number', 'name_word', 'version'],
  code: ['commit_sha', 'version', 'uuid', 'placeholder', 'checksum_fail', 'order_number'],
  config: ['version', 'placeholder', 'uuid', 'commit_sha'],
};

// =====================================================================================================
// Text builder
// =====================================================================================================

const jsonEsc = (s: string): string => JSON.stringify(s).slice(1, -1);

class TB {
  s = '';
  planted: Planted[] = [];
  decoys: Decoy[] = [];
  t(x: string): this {
    this.s += x;
    return this;
  }
  /** the planted value with its wrap; `esc` escapes for the container (JSON string) */
  p(inst: Inst, esc: (s: string) => string = (s) => s): this {
    this.s += esc(inst.wrap[0]);
    const start = this.s.length;
    this.s += esc(inst.written);
    // a base64-wrapped value is encoded raw, so it is looked for raw
    const pl: Planted = { type: inst.spec.type, value: inst.evasion === 'base64' ? inst.value : esc(inst.value), start, end: this.s.length };
    if (inst.evasion) pl.evasion = inst.evasion;
    this.planted.push(pl);
    this.s += esc(inst.wrap[1]);
    return this;
  }
  d(dv: DecoyVal, esc: (s: string) => string = (s) => s): this {
    const start = this.s.length;
    this.s += esc(dv.value);
    this.decoys.push({ kind: dv.kind, value: esc(dv.value), start, end: this.s.length });
    return this;
  }
  /** a planted value inside its sentence */
  sentence(inst: Inst, r: Rng): this {
    const [pre, post] = inst.prose ?? [fillLabel(r.pick(GENERIC_PROSE)[0], inst.label), fillLabel(r.pick(GENERIC_PROSE)[1], inst.label)];
    return this.t(fill(pre, inst.person, r)).p(inst).t(fill(post, inst.person, r));
  }
  decoySentence(dv: DecoyVal): this {
    return this.t(dv.prose[0]).d(dv).t(dv.prose[1]);
  }
}

// =====================================================================================================
// Forms
// =====================================================================================================

type Item = { inst: Inst } | { decoy: DecoyVal };

function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}
function envKey(key: string): string {
  return snake(key).toUpperCase();
}

function renderChat(b: TB, items: Item[], r: Rng): void {
  b.t(r.pick(['Sure! ', "Here's what I found. ", 'I looked this up in the CRM. ', 'Done - ', 'Below are the details you requested.\n\n', '', 'I checked the records. ']));
  const bullets = items.length >= 2 && r.chance(0.4);
  items.forEach((it, i) => {
    if (bullets) b.t('\n- ');
    else if (i > 0) b.t(r.pick([' ', ' ', '\n\n']));
    if ('inst' in it) {
      if (bullets && !it.inst.spec.statement && !it.inst.evasion && r.chance(0.6)) b.t(`**${cap(it.inst.label)}:** `).p(it.inst);
      else b.sentence(it.inst, r);
    } else b.decoySentence(it.decoy);
  });
  b.t(r.pick(['\n\nLet me know if you need anything else.', '', ' Anything else I can help with?', '\n\nI have not shared this anywhere else.']));
}

function renderEmail(b: TB, items: Item[], r: Rng): void {
  const from = person(r);
  const to = person(r);
  b.t(`From: ${from.first} ${from.last}\nTo: ${r.pick(['Accounts Payable', `${to.first} ${to.last}`, 'HR Operations', 'Support'])}\nSubject: ${r.pick(['Re: onboarding documents', 'Updated payment details', 'Patient referral', 'Fwd: customer record', 'Your request', 'Re: account verification'])}\n\nHi ${to.first},\n\n`);
  items.forEach((it, i) => {
    if (i > 0) b.t(r.pick([' ', '\n\n']));
    if ('inst' in it) b.sentence(it.inst, r);
    else b.decoySentence(it.decoy);
  });
  b.t(`\n\n${r.pick(['Best regards', 'Thanks', 'Kind regards', 'Cheers'])},\n${from.first}\n${r.pick(ORGS)}`);
}

/** JSON values: a planted value, a decoy, a raw JSON literal, or a nested object. */
type JNode = { inst: Inst } | { decoy: DecoyVal; inText?: boolean } | { raw: string } | { obj: Array<[string, JNode]> } | { arr: JNode[] };

function emitJson(b: TB, node: JNode, indent: number, pretty: boolean, r: Rng): void {
  const nl = pretty ? '\n' : '';
  const pad = (n: number): string => (pretty ? '  '.repeat(n) : '');
  if ('inst' in node) {
    const inst = node.inst;
    if (inst.prose && inst.spec.statement && !inst.evasion) {
      // a statement in a free-text field
      b.t('"').t(jsonEsc(fill(inst.prose[0], inst.person, r))).p(inst, jsonEsc).t(jsonEsc(fill(inst.prose[1], inst.person, r))).t('"');
    } else if (/^[1-9][0-9]{5,15}$/.test(inst.written) && inst.wrap[0] === '' && r.chance(0.25)) b.p(inst);
    else b.t('"').p(inst, jsonEsc).t('"');
  } else if ('decoy' in node) {
    const d = node.decoy;
    if (d.number) b.d(d);
    else if (node.inText) b.t('"').t(jsonEsc(d.prose[0])).d(d, jsonEsc).t(jsonEsc(d.prose[1])).t('"');
    else b.t('"').d(d, jsonEsc).t('"');
  } else if ('raw' in node) b.t(node.raw);
  else if ('obj' in node) {
    b.t('{' + nl);
    node.obj.forEach(([k, v], i) => {
      b.t(`${pad(indent + 1)}${JSON.stringify(k)}:${pretty ? ' ' : ''}`);
      emitJson(b, v, indent + 1, pretty, r);
      b.t((i < node.obj.length - 1 ? ',' : '') + nl);
    });
    b.t(pad(indent) + '}');
  } else {
    b.t('[');
    node.arr.forEach((v, i) => {
      emitJson(b, v, indent + 1, false, r);
      if (i < node.arr.length - 1) b.t(', ');
    });
    b.t(']');
  }
}

function jsonMembers(items: Item[], r: Rng): Array<[string, JNode]> {
  const used = new Set<string>();
  const uniq = (k: string): string => {
    let key = k;
    for (let n = 2; used.has(key); n++) key = `${k}_${n}`;
    used.add(key);
    return key;
  };
  const members: Array<[string, JNode]> = [];
  if (r.chance(0.6)) members.push([uniq('name'), { raw: JSON.stringify(`${r.pick(FIRST)} ${r.pick(LAST)}`) }]);
  for (const it of items) {
    if ('inst' in it) {
      const key = it.inst.prose && it.inst.spec.statement && !it.inst.evasion ? r.pick(['notes', 'comment', 'summary', 'hr_note']) : it.inst.key;
      members.push([uniq(key), { inst: it.inst }]);
    } else members.push([uniq(it.decoy.kind === 'name_word' ? it.decoy.key : it.decoy.key), { decoy: it.decoy, inText: it.decoy.kind === 'name_word' }]);
  }
  return members;
}

function renderJson(b: TB, items: Item[], call: boolean, r: Rng): void {
  const pretty = r.chance(0.6);
  const members = jsonMembers(items, r);
  let root: JNode;
  if (call) {
    root = { obj: [['tool', { raw: JSON.stringify(r.pick(TOOLS)) }], ['arguments', { obj: members }]] };
  } else {
    const wrapKey = r.pick(['customer', 'record', 'patient', 'employee', 'result', 'item']);
    root = r.chance(0.5)
      ? { obj: [['status', { raw: '"ok"' }], ['data', { obj: [[wrapKey, { obj: members }]] }]] }
      : { obj: [['results', { arr: [{ obj: members }] }], ['count', { raw: '1' }]] };
  }
  emitJson(b, root, 0, pretty, r);
}

function renderTable(b: TB, rows: Item[][], r: Rng): void {
  const first = rows[0] ?? [];
  const headers = ['Name', ...first.map((it) => ('inst' in it ? cap(it.inst.label) : cap(it.decoy.key.replace(/_/g, ' '))))];
  b.t(r.pick(['Here is the table you asked for:\n\n', 'Results (' + rows.length + ' rows):\n\n', '']));
  b.t(`| ${headers.join(' | ')} |\n|${headers.map(() => ' --- ').join('|')}|\n`);
  for (const row of rows) {
    b.t(`| ${r.pick(FIRST)} ${r.pick(LAST)} |`);
    for (const it of row) {
      b.t(' ');
      if ('inst' in it) b.p(it.inst);
      else b.d(it.decoy);
      b.t(' |');
    }
    b.t('\n');
  }
}

function renderLog(b: TB, items: Item[], r: Rng): void {
  const svc = r.pick(SERVICES);
  const stamps = Array.from({ length: items.length + 1 }, () => isoTs(r)).sort();
  const ts = (i: number): DecoyVal => ({ kind: 'log_timestamp', value: stamps[i] as string, prose: ['', ''], key: 'ts' });
  const level = (): string => r.pick(['INFO', 'INFO', 'WARN', 'DEBUG', 'ERROR']);
  items.forEach((it, i) => {
    b.d(ts(i)).t(` ${level()} ${svc}[${r.int(100, 9999)}]: `);
    if ('inst' in it) {
      const inst = it.inst;
      const quoted = /[\s"]/.test(inst.written) || inst.wrap[0] !== '';
      if (r.chance(0.5) && !inst.spec.statement) {
        b.t(`${r.pick(['updated record', 'request', 'lookup ok', 'validation passed', 'sync'])} ${snake(inst.key)}=`);
        if (quoted) b.t('"').p(inst, jsonEsc).t('"');
        else b.p(inst);
      } else {
        b.t('msg="');
        const [pre, post] = inst.prose ?? [`${cap(inst.label)} `, ''];
        b.t(jsonEsc(pre)).p(inst, jsonEsc).t(jsonEsc(post)).t('"');
      }
    } else {
      const d = it.decoy;
      b.t(`${r.pick(['processed', 'completed', 'queued'])} ${snake(d.key)}=`);
      if (/\s/.test(d.value)) b.t('"').d(d).t('"');
      else b.d(d);
    }
    b.t('\n');
  });
  b.d(ts(items.length)).t(` INFO ${svc}[${r.int(100, 9999)}]: request done status=200 duration_ms=${r.int(3, 900)}\n`);
}

function renderClinical(b: TB, items: Item[], r: Rng): void {
  const pt = person(r);
  b.t(`${r.pick(['Clinic note', 'Discharge summary', 'Progress note', 'Referral letter'])}\nPatient: ${pt.first} ${pt.last}\n`);
  const lines = items.filter((it) => !('inst' in it) || !it.inst.spec.statement);
  const statements = items.filter((it) => 'inst' in it && it.inst.spec.statement);
  for (const it of lines) {
    if ('inst' in it) b.t(`${cap(it.inst.label)}: `).p(it.inst).t('\n');
    else b.decoySentence(it.decoy).t('\n');
  }
  b.t(`\nS: ${r.pick(['Reports fatigue and poor sleep for two weeks.', 'Presents with a productive cough since Monday.', 'Follow-up after medication change.', 'Complains of intermittent chest pain on exertion.'])}\n`);
  b.t(`O: BP ${r.int(100, 160)}/${r.int(60, 100)}, HR ${r.int(55, 110)}, T ${(36 + r.next() * 2).toFixed(1)} C.\n`);
  b.t('A: ');
  if (statements.length === 0) b.t(r.pick(['Stable.', 'Improving on current regimen.', 'Viral URTI, self-limiting.']));
  statements.forEach((it, i) => {
    if (i > 0) b.t(' ');
    if ('inst' in it) {
      if (it.inst.prose) b.sentence(it.inst, r);
      else b.t(`${cap(it.inst.label)}: `).p(it.inst).t('.');
    }
  });
  b.t(`\nP: ${r.pick(['Review in 4 weeks.', 'Bloods next visit; continue current medication.', 'Refer to specialist clinic.'])}\n`);
}

function renderCode(b: TB, items: Item[], r: Rng): void {
  const style = r.int(0, 4);
  if (style === 0) {
    // python fixture
    b.t(r.pick(['# test fixture\n', '', '# seed data for the staging database\n'])).t(`${r.pick(['customer', 'record', 'payload', 'user'])} = {\n`);
    for (const it of items) {
      if ('inst' in it) b.t(`    "${snake(it.inst.key)}": "`).p(it.inst, jsonEsc).t('",\n');
      else b.t(`    "${snake(it.decoy.key)}": "`).d(it.decoy, jsonEsc).t('",\n');
    }
    b.t('}\n');
  } else if (style === 1) {
    // JS/TS constants
    b.t(r.pick(["import { Client } from './client';\n\n", '', '// config.ts\n']));
    for (const it of items) {
      if ('inst' in it) b.t(`const ${envKey(it.inst.key)} = ${it.inst.spec.type === 'PRIVATE_KEY' ? '`' : '"'}`).p(it.inst, it.inst.spec.type === 'PRIVATE_KEY' ? (s) => s : jsonEsc).t(`${it.inst.spec.type === 'PRIVATE_KEY' ? '`' : '"'};\n`);
      else b.t(`const ${envKey(it.decoy.key)} = "`).d(it.decoy, jsonEsc).t('";\n');
    }
    b.t(r.pick(['\nexport const client = new Client({ retries: 3 });\n', '', '\n']));
  } else if (style === 2) {
    // curl / shell
    b.t('```bash\n');
    for (const it of items) {
      if ('inst' in it) {
        const inst = it.inst;
        if (['GENERIC_API_KEY', 'JWT', 'GITHUB_TOKEN', 'STRIPE_KEY', 'SLACK_TOKEN'].includes(inst.spec.type) && r.chance(0.5)) b.t('curl -s -H "Authorization: Bearer ').p(inst).t(`" https://api.${r.pick(DOMAINS)}/v1/me\n`);
        else b.t(`export ${envKey(inst.key)}="`).p(inst, (s) => s.replace(/"/g, '\\"')).t('"\n');
      } else b.t(`export ${envKey(it.decoy.key)}="`).d(it.decoy).t('"\n');
    }
    b.t('```\n');
  } else if (style === 3) {
    // SQL
    const cols = items.map((it) => snake('inst' in it ? it.inst.key : it.decoy.key));
    b.t(`INSERT INTO ${r.pick(['customers', 'employees', 'patients', 'accounts'])} (${cols.join(', ')}) VALUES (`);
    items.forEach((it, i) => {
      if (i > 0) b.t(', ');
      b.t("'");
      if ('inst' in it) b.p(it.inst, (s) => s.replace(/'/g, "''"));
      else b.d(it.decoy);
      b.t("'");
    });
    b.t(');\n');
  } else {
    // test case
    b.t(`describe('${r.pick(['export', 'sync', 'import'])}', () => {\n  it('keeps the record', () => {\n`);
    for (const it of items) {
      if ('inst' in it) b.t(`    expect(record.${snake(it.inst.key)}).toBe("`).p(it.inst, jsonEsc).t('");\n');
      else b.t(`    expect(record.${snake(it.decoy.key)}).toBe("`).d(it.decoy, jsonEsc).t('");\n');
    }
    b.t('  });\n});\n');
  }
}

function renderConfig(b: TB, items: Item[], r: Rng): void {
  const style = r.int(0, 3);
  if (style === 0) {
    b.t(r.pick(['# .env\n', '# production.env\n', '']));
    for (const it of items) {
      if ('inst' in it) {
        const multi = it.inst.written.includes('\n');
        b.t(`${envKey(it.inst.key)}=${multi ? '"' : ''}`).p(it.inst).t(`${multi ? '"' : ''}\n`);
      } else b.t(`${envKey(it.decoy.key)}=`).d(it.decoy).t('\n');
    }
  } else if (style === 1) {
    b.t(`${r.pick(['app', 'service', 'database', 'integrations'])}:\n`);
    for (const it of items) {
      if ('inst' in it) {
        if (it.inst.written.includes('\n')) b.t(`  ${snake(it.inst.key)}: |\n    `).p(it.inst, (s) => s.replace(/\n/g, '\n    ')).t('\n');
        else b.t(`  ${snake(it.inst.key)}: "`).p(it.inst, jsonEsc).t('"\n');
      } else b.t(`  ${snake(it.decoy.key)}: "`).d(it.decoy, jsonEsc).t('"\n');
    }
  } else if (style === 2) {
    b.t(`[${r.pick(['database', 'smtp', 'api', 'default'])}]\n`);
    for (const it of items) {
      if ('inst' in it) b.t(`${snake(it.inst.key)} = `).p(it.inst, (s) => s.replace(/\n/g, '\\n')).t('\n');
      else b.t(`${snake(it.decoy.key)} = `).d(it.decoy).t('\n');
    }
  } else {
    b.t(`services:\n  ${r.pick(['api', 'worker', 'web'])}:\n    image: ${r.pick(['node', 'python', 'postgres'])}:${r.int(12, 22)}\n    environment:\n`);
    for (const it of items) {
      if ('inst' in it) b.t(`      - ${envKey(it.inst.key)}=`).p(it.inst, (s) => s.replace(/\n/g, '\\n')).t('\n');
      else b.t(`      - ${envKey(it.decoy.key)}=`).d(it.decoy).t('\n');
    }
  }
}

// =====================================================================================================
// Cases
// =====================================================================================================

function proseMode(form: Form): 'prose' | 'field' {
  return form === 'chat' || form === 'email' || form === 'clinical_note' ? 'prose' : 'field';
}

function buildCase(id: string, form: Form, specs: Spec[], adversarialFirst: boolean, r: Rng, evasion?: number | Evasion): Case {
  const decoyKinds = DECOY_KINDS_BY_FORM[form];
  const nDecoys = form === 'log' ? r.int(0, 2) : r.int(1, 3);
  const decoys = Array.from({ length: nDecoys }, () => decoyFor(r.pick(decoyKinds), form, r));
  const mode = (s: Spec): 'prose' | 'field' => (s.statement && (form === 'json_tool_result' || form === 'json_tool_call') && r.chance(0.4) ? 'prose' : proseMode(form));
  const b = new TB();
  if (form === 'markdown_table') {
    const rows = r.int(1, 3);
    const table: Item[][] = [];
    // one decoy column (the first decoy's kind and key), or none
    const first = decoys[0];
    for (let i = 0; i < rows; i++) {
      const row: Item[] = specs.map((s, k) => ({ inst: makeInst(s, 'field', adversarialFirst && k === 0 && i === 0, r, evasion) }));
      if (first) row.push({ decoy: i === 0 ? first : { ...decoyFor(first.kind, form, r), key: first.key } });
      table.push(row);
    }
    renderTable(b, table, r);
  } else {
    const insts = specs.map((s, k) => makeInst(s, mode(s), adversarialFirst && k === 0, r, evasion));
    const items: Item[] = r.shuffle([...insts.map((inst) => ({ inst })), ...decoys.map((decoy) => ({ decoy }))]);
    // one member / variable per key
    const used = new Set<string>();
    for (const it of items) {
      const obj = 'inst' in it ? it.inst : it.decoy;
      let k = obj.key;
      for (let n = 2; used.has(snake(k)); n++) k = `${obj.key}_${n}`;
      used.add(snake(k));
      obj.key = k;
    }
    switch (form) {
      case 'chat':
        renderChat(b, items, r);
        break;
      case 'email':
        renderEmail(b, items, r);
        break;
      case 'json_tool_call':
        renderJson(b, items, true, r);
        break;
      case 'json_tool_result':
        renderJson(b, items, false, r);
        break;
      case 'log':
        renderLog(b, items, r);
        break;
      case 'clinical_note':
        renderClinical(b, items, r);
        break;
      case 'code':
        renderCode(b, items, r);
        break;
      case 'config':
        renderConfig(b, items, r);
        break;
    }
  }
  return { id, form, adversarial: b.planted.some((p) => p.evasion !== undefined), text: b.s, planted: b.planted, decoys: b.decoys };
}

/** Why a case cannot be used (see the oracle check in the module comment), or undefined. */
export function caseProblem(c: Case): string | undefined {
  const spans = [...c.planted.map((p) => ({ ...p, what: 'planted' })), ...c.decoys.map((d) => ({ ...d, what: 'decoy' }))].sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) if ((spans[i] as { start: number }).start < (spans[i - 1] as { end: number }).end) return 'overlapping spans';
  for (const d of c.decoys) if (c.text.slice(d.start, d.end) !== d.value) return `decoy span ${d.kind} does not hold its value`;
  const original = leakViews(c.text);
  let perfect = c.text;
  for (const p of [...c.planted].sort((a, b) => b.start - a.start)) perfect = perfect.slice(0, p.start) + `[${p.type}]` + perfect.slice(p.end);
  const after = leakViews(perfect);
  for (const p of c.planted) {
    if (!p.evasion && c.text.slice(p.start, p.end) !== p.value) return `planted span ${p.type} does not hold its value`;
    if (!recoverable(p.value, original)) return `planted ${p.type} (${p.evasion ?? 'plain'}) is not recoverable from the text`;
    if (recoverable(p.value, after)) return `planted ${p.type} is still recoverable after a perfect redaction`;
  }
  for (const d of c.decoys) if (!decoyIntact(d.value, c.text, perfect)) return `decoy ${d.kind} does not survive a perfect redaction`;
  return undefined;
}

const NORMAL_PER_TYPE = 24;
const ADVERSARIAL_PER_TYPE = 8;
const SPELLED_EMAILS = 16;
const NEGATIVES = 320;

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

export function generate(seed = SEED): { cases: Case[]; rejected: Record<string, number>; types: string[] } {
  const shipped = [...new Set(loadRuleSet([shippedRulesDir()]).rules.map((rule) => rule.entity))].sort();
  const byType = new Map(SPECS.map((s) => [s.type, s]));
  const missing = shipped.filter((t) => !byType.has(t));
  if (missing.length > 0) throw new Error(`the shipped rules report types the generator has no spec for: ${missing.join(', ')}`);
  const extra = SPECS.filter((s) => !shipped.includes(s.type)).map((s) => s.type);
  if (extra.length > 0) throw new Error(`specs for types no shipped rule reports: ${extra.join(', ')}`);

  const r = new Rng(seed);
  const cases: Case[] = [];
  const rejected: Record<string, number> = {};
  let n = 0;
  const accept = (make: () => Case): void => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const c = make();
      const problem = caseProblem(c);
      if (problem === undefined) {
        cases.push(c);
        return;
      }
      const reason = problem;
      if (process.env.CORPUS_DEBUG) process.stderr.write(`${problem}\n${JSON.stringify(c)}\n`);
      rejected[reason] = (rejected[reason] ?? 0) + 1;
    }
    throw new Error('could not build a valid case in 50 attempts');
  };
  const plan: Array<{ spec: Spec; adversarial: boolean; evasion?: number | Evasion }> = [];
  for (const type of shipped) {
    const spec = byType.get(type) as Spec;
    for (let k = 0; k < NORMAL_PER_TYPE; k++) plan.push({ spec, adversarial: false });
    for (let k = 0; k < ADVERSARIAL_PER_TYPE; k++) plan.push({ spec, adversarial: true, evasion: k });
    // spelled-out addresses are a technique of their own that only emails have: give it more cases
    if (type === 'EMAIL_ADDRESS') for (let k = 0; k < SPELLED_EMAILS; k++) plan.push({ spec, adversarial: true, evasion: 'spelled-email' });
  }
  for (const { spec, adversarial, evasion } of plan) {
    const type = spec.type;
    {
      accept(() => {
        const form = r.pick(spec.forms);
        // companions: mostly of the same domain (the same country for national identifiers), else contact data
        const pool = SPECS.filter((s) => s !== spec && s.forms.includes(form) && s.type !== 'URL');
        const sameGroup = pool.filter((s) => s.group === spec.group);
        const contact = pool.filter((s) => s.group === 'contact');
        const companions: Spec[] = [];
        for (let c = r.pick([0, 0, 1, 1, 2]); c > 0; c--) {
          const from = sameGroup.length > 0 && r.chance(0.6) ? sameGroup : contact.length > 0 && r.chance(0.8) ? contact : pool;
          companions.push(r.pick(from));
        }
        const id = `${String(++n).padStart(4, '0')}-${slug(type)}-${form}${adversarial ? '-adv' : ''}`;
        return buildCase(id, form, [spec, ...companions], adversarial, r, evasion);
      });
    }
  }
  for (let k = 0; k < NEGATIVES; k++) {
    accept(() => {
      const form = r.pick(FORMS);
      return buildCase(`${String(++n).padStart(4, '0')}-decoys-${form}`, form, [], false, r);
    });
  }
  return { cases, rejected, types: shipped };
}

/**
 * The held-out corpus: the same generator with another seed, so other values, companions, decoys and
 * template choices. Rules are tuned on dev.jsonl only; holdout.jsonl shows how far that tuning carries.
 */
export const HOLDOUT_SEED = SEED + 1;

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const holdout = process.argv.includes('--holdout');
  const out = path.join(root, 'data', 'dlp-corpus', holdout ? 'holdout.jsonl' : 'dev.jsonl');
  const { cases, rejected, types } = generate(holdout ? HOLDOUT_SEED : SEED);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const planted = cases.reduce((s, c) => s + c.planted.length, 0);
  const decoys = cases.reduce((s, c) => s + c.decoys.length, 0);
  const adv = cases.filter((c) => c.adversarial).length;
  process.stdout.write(`${cases.length} cases (${adv} adversarial, ${cases.filter((c) => c.planted.length === 0).length} decoys only), ${planted} planted values of ${types.length} types, ${decoys} decoys -> ${path.relative(root, out)}\n`);
  process.stdout.write(`rejected while generating: ${JSON.stringify(rejected)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
