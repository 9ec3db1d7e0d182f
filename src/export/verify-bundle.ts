/**
 * Offline verification of an evidence bag (bundle.ts writes them). Reads only the bag and the verifier key
 * the auditor holds; trusts nothing in the bag. Never throws for a bad bag: the first problem comes back as
 * `failure` with a stable code, the file and, where it concerns an entry, its index.
 *
 * Order of the checks (each assumes the ones before it passed):
 * 1. layout: only regular files and folders, bagit.txt exactly as RFC 8493 §2.1.1 writes it;
 * 2. the signature: tagmanifest-sha512.txt.sig is a signed note whose text is exactly the tag manifest's
 *    bytes, by the trusted key or a key keys.txt names (that key must later turn out to be proven);
 * 3. the tag manifest: every tag file listed, checksums right; then the manifest: every file under data/
 *    listed with the right SHA-512, nothing missing, nothing extra; Payload-Oxum;
 * 4. the checkpoint and the key chain: from the trusted key through each key_rotation entry (included in a
 *    checkpoint signed by the key it retires, that checkpoint consistent with checkpoint.txt) to the key
 *    that signed checkpoint.txt; the manifest's signer must be one of these keys; keys.txt must say the same;
 * 5. the consistency proof from an earlier checkpoint, when the bag has one (or the caller pins one);
 * 6. every entry: leaf bytes decode, the decoded fields shown match them, the inclusion proof verifies;
 *    every payload with its salt opens its commitment; every erased payload is named by an exported
 *    erasure entry; no payload file is left unreferenced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeEntry, type Entry } from '../entry/index.js';
import {
  canonicalize,
  checkInclusion,
  decodeBase64,
  encodeBase64,
  leafHash,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  sha256Base64,
  verifyConsistency,
  verifyNote,
  type Checkpoint,
  type JsonValue,
  type VerifierKey,
} from '../tlog/index.js';
import { SALT_BYTES } from '../entry/index.js';
import { BAGIT, BAGIT_TXT, BAG_INFO, DATA_DIR, MANIFEST, TAG_MANIFEST, TAG_MANIFEST_SIG, parseBagInfo, parseManifest, sha512File, type ManifestLine } from './bagit.js';

export type BundleFailureCode =
  | 'BAG_UNREADABLE'
  | 'BAG_UNSAFE_FILE'
  | 'BAGIT_MALFORMED'
  | 'MANIFEST_MALFORMED'
  | 'FILE_MISSING'
  | 'FILE_UNLISTED'
  | 'FILE_CHECKSUM'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_UNTRUSTED'
  | 'BAG_INFO_MISMATCH'
  | 'CHECKPOINT_MALFORMED'
  | 'CHECKPOINT_SIGNATURE'
  | 'KEY_CHAIN_INVALID'
  | 'KEYS_MISMATCH'
  | 'PROOFS_MALFORMED'
  | 'CONSISTENCY_INVALID'
  | 'ENTRY_MALFORMED'
  | 'ENTRY_FIELDS_MISMATCH'
  | 'INCLUSION_INVALID'
  | 'PROOF_MISSING'
  | 'PAYLOAD_MISMATCH'
  | 'PAYLOAD_MISSING'
  | 'PAYLOAD_UNREFERENCED'
  | 'ERASURE_UNPROVEN'
  | 'ARCHIVE_UNSAFE';

export interface BundleFailure {
  code: BundleFailureCode;
  message: string;
  /** the entry concerned */
  index?: number;
  /** the bag file concerned, relative to the bag's base directory */
  file?: string;
}

export interface BundleReport {
  ok: boolean;
  failure?: BundleFailure;
  profile: string | undefined;
  origin: string | undefined;
  /** the checkpoint every entry was proven against */
  checkpoint: { size: number; root: string } | undefined;
  /** keys proven from the trusted key, in order (the last one signed checkpoint.txt or was introduced after it) */
  signers: string[];
  /** the key whose signature covers the tag manifest */
  manifestSignedBy: string | undefined;
  files: number;
  bytes: number;
  /** entries checked (leaf, fields, inclusion) */
  size: number;
  entries: { selected: number; linked: number; context: number };
  payloads: { checked: boolean; present: number; verified: number; redacted: number; erased: number; withheld: number; omitted: number };
  /** exported entry → the exported erasure entry that removed its payload */
  erasures: Array<{ index: number; erasureIndex: number }>;
  consistency: { fromSize: number; consistent: boolean } | undefined;
}

export interface VerifyBundleOptions {
  /** a checkpoint the auditor kept (e.g. the previous export's checkpoint.txt): the bag must prove it extends it */
  previousCheckpoint?: string;
  /** expected origin; default the checkpoint's */
  origin?: string;
}

class BagFailure extends Error {
  constructor(readonly failure: BundleFailure) {
    super(failure.message);
  }
}

function fail(code: BundleFailureCode, message: string, where: { index?: number; file?: string } = {}): never {
  throw new BagFailure({ code, message, ...where });
}

/** A report that checked nothing yet (every count zero, not ok). */
export function emptyBundleReport(): BundleReport {
  return {
    ok: false,
    profile: undefined,
    origin: undefined,
    checkpoint: undefined,
    signers: [],
    manifestSignedBy: undefined,
    files: 0,
    bytes: 0,
    size: 0,
    entries: { selected: 0, linked: 0, context: 0 },
    payloads: { checked: true, present: 0, verified: 0, redacted: 0, erased: 0, withheld: 0, omitted: 0 },
    erasures: [],
    consistency: undefined,
  };
}

/** Verifies the bag in directory `dir` against the verifier key the auditor trusts. */
export function verifyBundle(dir: string, trustedKey: string, options: VerifyBundleOptions = {}): BundleReport {
  // A malformed trusted key is the caller's usage error (it throws), not a verdict on the bag.
  const trusted = parseVerifierKey(trustedKey);
  const report = emptyBundleReport();
  try {
    run(dir, trusted, options, report);
    report.ok = true;
  } catch (e) {
    if (!(e instanceof BagFailure)) throw e;
    report.failure = e.failure;
  }
  return report;
}

interface BagFile {
  rel: string;
  abs: string;
  size: number;
}

/** Every file under `dir`, refusing anything but regular files and folders (no symlinks, devices, sockets). */
function listFiles(dir: string): BagFile[] {
  const out: BagFile[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const d of fs.readdirSync(abs, { withFileTypes: true })) {
      const a = path.join(abs, d.name);
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      const st = fs.lstatSync(a);
      if (st.isDirectory()) walk(a, r);
      else if (st.isFile()) out.push({ rel: r, abs: a, size: st.size });
      else fail('BAG_UNSAFE_FILE', `${r} is not a regular file or folder (symlinks and special files are refused)`, { file: r });
    }
  };
  walk(dir, '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

function readText(file: BagFile | undefined, rel: string, missing: BundleFailureCode = 'FILE_MISSING'): string {
  if (!file) fail(missing, `${rel} is missing from the bag`, { file: rel });
  const bytes = fs.readFileSync(file.abs);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('MANIFEST_MALFORMED', `${rel} is not UTF-8 text`, { file: rel });
  }
}

function checkManifest(name: string, text: string, files: Map<string, BagFile>, expect: (rel: string) => boolean): Set<string> {
  const parsed = parseManifest(text);
  if ('error' in parsed) fail('MANIFEST_MALFORMED', `${name}: ${parsed.error}`, { file: name });
  const listed = new Set<string>();
  for (const line of parsed.lines as ManifestLine[]) {
    const p = line.path;
    if (p.startsWith('/') || p.split('/').some((s) => s === '' || s === '.' || s === '..') || p.includes('\\')) {
      fail('MANIFEST_MALFORMED', `${name} line ${line.line} names a path outside the bag`, { file: name });
    }
    if (!expect(p)) fail('MANIFEST_MALFORMED', `${name} line ${line.line} lists ${p}, which does not belong in this manifest`, { file: name });
    if (listed.has(p)) fail('MANIFEST_MALFORMED', `${name} lists ${p} twice`, { file: name });
    listed.add(p);
    const f = files.get(p);
    if (!f) fail('FILE_MISSING', `${p} is listed in ${name} but missing from the bag: a file was removed`, { file: p });
    if (sha512File(f.abs).sha512 !== line.sha512) fail('FILE_CHECKSUM', `${p} does not match its SHA-512 in ${name}: the file was changed`, { file: p });
  }
  return listed;
}

interface Link {
  index: number;
  checkpoint: string;
  inclusion: string[];
  consistency: string[];
}

interface Proofs {
  checkpoint: { origin: string; size: number; root: string };
  keyChain: Link[];
  consistency: { note: string; size: number; proof: string[] } | null;
  inclusion: Array<{ index: number; proof: string[] }>;
}

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

function parseProofs(text: string): Proofs {
  const bad = (why: string): never => fail('PROOFS_MALFORMED', `data/proofs.json: ${why}`, { file: 'data/proofs.json' });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return bad('not JSON');
  }
  if (typeof v !== 'object' || v === null) return bad('not an object');
  const o = v as Record<string, unknown>;
  const cp = o.checkpoint as Record<string, unknown> | undefined;
  if (!cp || typeof cp.origin !== 'string' || !Number.isSafeInteger(cp.size) || typeof cp.root !== 'string') bad('checkpoint must be {origin, size, root}');
  if (!Array.isArray(o.keyChain)) bad('keyChain must be an array');
  for (const l of o.keyChain as unknown[]) {
    const link = l as Record<string, unknown>;
    if (typeof l !== 'object' || l === null || !Number.isSafeInteger(link.index) || typeof link.checkpoint !== 'string' || !isStringArray(link.inclusion) || !isStringArray(link.consistency)) {
      bad('a keyChain link must be {index, checkpoint, inclusion, consistency}');
    }
  }
  if (o.consistency !== null) {
    const c = o.consistency as Record<string, unknown> | undefined;
    if (!c || typeof c.note !== 'string' || !Number.isSafeInteger(c.size) || !isStringArray(c.proof)) bad('consistency must be null or {note, size, proof}');
  }
  if (!Array.isArray(o.inclusion)) bad('inclusion must be an array');
  for (const p of o.inclusion as unknown[]) {
    const r = p as Record<string, unknown>;
    if (typeof p !== 'object' || p === null || !Number.isSafeInteger(r.index) || !isStringArray(r.proof)) bad('an inclusion proof must be {index, proof}');
  }
  return o as unknown as Proofs;
}

function hashes(list: readonly string[], what: string, where: { index?: number; file?: string }): Uint8Array[] {
  try {
    return list.map((h) => decodeBase64(h, what));
  } catch (e) {
    return fail('PROOFS_MALFORMED', `${what}: ${(e as Error).message}`, where);
  }
}

function parseCheckpointText(note: string, what: string, file: string): Checkpoint {
  try {
    return parseCheckpoint(parseNote(note).body);
  } catch (e) {
    return fail('CHECKPOINT_MALFORMED', `${what} is not a checkpoint note: ${(e as Error).message}`, { file });
  }
}

function signedBy(note: string, key: VerifierKey): boolean {
  try {
    verifyNote(note, [key]);
    return true;
  } catch {
    return false;
  }
}

/** Lines of a file, read in chunks (entries.jsonl can be large). */
function* lines(file: string): IterableIterator<string> {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      let text: string;
      try {
        text = rest + decoder.decode(buffer.subarray(0, n), { stream: n > 0 });
      } catch {
        fail('ENTRY_MALFORMED', 'data/entries.jsonl is not UTF-8', { file: 'data/entries.jsonl' });
      }
      const parts = text.split('\n');
      rest = parts.pop() as string;
      yield* parts;
      if (n === 0) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (rest !== '') fail('ENTRY_MALFORMED', 'data/entries.jsonl does not end with a newline', { file: 'data/entries.jsonl' });
}

const PAYLOAD_FILE = /^payloads\/(\d+)\.(json|txt|bin)$/;
const ROLES = new Set(['selected', 'linked', 'context']);

function run(dir: string, trusted: VerifierKey, options: VerifyBundleOptions, report: BundleReport): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return fail('BAG_UNREADABLE', `${dir} does not exist`);
  }
  if (!st.isDirectory()) fail('BAG_UNREADABLE', `${dir} is not a folder (a .tar.gz goes through verifyBundleAt)`);

  // 1. layout
  const list = listFiles(dir);
  const files = new Map(list.map((f) => [f.rel, f]));
  report.files = list.length;
  report.bytes = list.reduce((n, f) => n + f.size, 0);
  const bagit = readText(files.get(BAGIT), BAGIT, 'BAGIT_MALFORMED');
  if (bagit !== BAGIT_TXT) fail('BAGIT_MALFORMED', 'bagit.txt must read exactly "BagIt-Version: 1.0" and "Tag-File-Character-Encoding: UTF-8"', { file: BAGIT });

  // 2. the signature over the tag manifest
  const tagText = readText(files.get(TAG_MANIFEST), TAG_MANIFEST);
  const sigText = readText(files.get(TAG_MANIFEST_SIG), TAG_MANIFEST_SIG, 'SIGNATURE_MISSING');
  let note: ReturnType<typeof parseNote>;
  try {
    note = parseNote(sigText);
  } catch (e) {
    return fail('SIGNATURE_INVALID', `${TAG_MANIFEST_SIG} is not a signed note: ${(e as Error).message}`, { file: TAG_MANIFEST_SIG });
  }
  if (note.body !== tagText) fail('SIGNATURE_INVALID', `${TAG_MANIFEST_SIG} does not sign this ${TAG_MANIFEST}: the tag manifest was changed`, { file: TAG_MANIFEST });
  const candidates = new Map<string, VerifierKey>([[trusted.text, trusted]]);
  const keysFile = files.get(`${DATA_DIR}/keys.txt`);
  const keysText = keysFile ? fs.readFileSync(keysFile.abs, 'utf8') : '';
  for (const m of keysText.matchAll(/^(?:initial|rotation \d+) (\S+)$/gm)) {
    try {
      const k = parseVerifierKey(m[1] as string);
      candidates.set(k.text, k);
    } catch {
      // checked against the proven chain below
    }
  }
  let manifestKey: VerifierKey;
  try {
    manifestKey = verifyNote(sigText, [...candidates.values()]).verifiedBy[0] as VerifierKey;
  } catch (e) {
    return fail('SIGNATURE_INVALID', `the signature on the tag manifest does not verify with the trusted key or a key of the bag's history: ${(e as Error).message}`, { file: TAG_MANIFEST_SIG });
  }
  report.manifestSignedBy = manifestKey.text;

  // 3. manifests
  const tagListed = checkManifest(TAG_MANIFEST, tagText, files, (p) => !p.includes('/') && p !== TAG_MANIFEST && p !== TAG_MANIFEST_SIG);
  for (const required of [BAGIT, BAG_INFO, MANIFEST]) {
    if (!tagListed.has(required)) fail('MANIFEST_MALFORMED', `${TAG_MANIFEST} does not cover ${required}`, { file: TAG_MANIFEST });
  }
  const manifestText = readText(files.get(MANIFEST), MANIFEST);
  const dataListed = checkManifest(MANIFEST, manifestText, files, (p) => p.startsWith(`${DATA_DIR}/`));
  for (const f of list) {
    if (f.rel === TAG_MANIFEST || f.rel === TAG_MANIFEST_SIG) continue;
    if (!tagListed.has(f.rel) && !dataListed.has(f.rel)) fail('FILE_UNLISTED', `${f.rel} is in no manifest: a file was added`, { file: f.rel });
  }
  const info = parseBagInfo(readText(files.get(BAG_INFO), BAG_INFO));
  const field = (k: string): string | undefined => info.get(k)?.[0];
  const data = list.filter((f) => f.rel.startsWith(`${DATA_DIR}/`));
  const oxum = `${data.reduce((n, f) => n + f.size, 0)}.${data.length}`;
  if (field('Payload-Oxum') !== oxum) fail('BAG_INFO_MISMATCH', `bag-info.txt Payload-Oxum is ${field('Payload-Oxum') ?? '(absent)'}, the payload is ${oxum}`, { file: BAG_INFO });
  report.profile = field('Vigil-Profile');

  // 4. the checkpoint and the key chain
  const cpNote = readText(files.get(`${DATA_DIR}/checkpoint.txt`), `${DATA_DIR}/checkpoint.txt`);
  const cp = parseCheckpointText(cpNote, 'data/checkpoint.txt', 'data/checkpoint.txt');
  const origin = options.origin ?? cp.origin;
  if (cp.origin !== origin) fail('CHECKPOINT_MALFORMED', `the checkpoint is for origin "${cp.origin}", not "${origin}"`, { file: 'data/checkpoint.txt' });
  report.origin = origin;
  report.checkpoint = { size: cp.size, root: encodeBase64(cp.rootHash) };
  const proofs = parseProofs(readText(files.get(`${DATA_DIR}/proofs.json`), `${DATA_DIR}/proofs.json`));
  if (proofs.checkpoint.size !== cp.size || proofs.checkpoint.root !== encodeBase64(cp.rootHash) || proofs.checkpoint.origin !== cp.origin) {
    fail('PROOFS_MALFORMED', 'data/proofs.json is for a different checkpoint than data/checkpoint.txt', { file: 'data/proofs.json' });
  }
  const chainIndexes = new Set(proofs.keyChain.map((l) => l.index));
  const rotationLeaves = new Map<number, { leaf: Uint8Array; entry: Entry }>();

  // 6 (streamed). every entry, its proof and its payload
  const proofByIndex = new Map<number, string[]>();
  for (const p of proofs.inclusion) {
    if (proofByIndex.has(p.index)) fail('PROOFS_MALFORMED', `data/proofs.json has two inclusion proofs for entry ${p.index}`, { file: 'data/proofs.json', index: p.index });
    proofByIndex.set(p.index, p.proof);
  }
  const entriesFile = files.get(`${DATA_DIR}/entries.jsonl`);
  if (!entriesFile) fail('FILE_MISSING', 'data/entries.jsonl is missing from the bag', { file: 'data/entries.jsonl' });
  const referenced = new Set<string>();
  const erasedBy = new Map<number, number>();
  const erasureEntries = new Map<number, number[]>();
  let previous = -1;
  let count = 0;
  const where = (index: number): { index: number; file: string } => ({ index, file: 'data/entries.jsonl' });
  for (const text of lines(entriesFile.abs)) {
    count++;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return fail('ENTRY_MALFORMED', `data/entries.jsonl line ${count} is not JSON`, { file: 'data/entries.jsonl' });
    }
    const index = line.index;
    if (typeof line !== 'object' || line === null || !Number.isSafeInteger(index) || typeof line.leaf !== 'string' || typeof line.leafHash !== 'string' || typeof line.payload !== 'object' || line.payload === null || !ROLES.has(line.role as string)) {
      fail('ENTRY_MALFORMED', `data/entries.jsonl line ${count} must be {index, role, leafHash, leaf, entry, payload}`, { file: 'data/entries.jsonl' });
    }
    const i = index as number;
    if (i <= previous) fail('ENTRY_MALFORMED', `data/entries.jsonl line ${count}: entry ${i} is out of order or repeated`, where(i));
    previous = i;
    let leaf: Uint8Array;
    let entry: Entry;
    try {
      leaf = decodeBase64(line.leaf as string, 'leaf');
      entry = decodeEntry(leaf);
    } catch (e) {
      return fail('ENTRY_MALFORMED', `entry ${i}: the leaf bytes are not a valid entry: ${(e as Error).message}`, where(i));
    }
    if (entry.index !== i) fail('ENTRY_FIELDS_MISMATCH', `data/entries.jsonl line ${count} says entry ${i} but its leaf is entry ${entry.index}`, where(i));
    let shown: string | undefined;
    try {
      shown = canonicalize(line.entry as JsonValue);
    } catch {
      shown = undefined;
    }
    if (shown !== Buffer.from(leaf).toString('utf8')) fail('ENTRY_FIELDS_MISMATCH', `entry ${i}: the decoded fields shown differ from its leaf bytes`, where(i));
    const hash = leafHash(leaf);
    if (line.leafHash !== encodeBase64(hash)) fail('ENTRY_FIELDS_MISMATCH', `entry ${i}: leafHash is not the hash of its leaf`, where(i));
    const proof = proofByIndex.get(i);
    if (!proof) fail('PROOF_MISSING', `entry ${i} has no inclusion proof in data/proofs.json`, where(i));
    proofByIndex.delete(i);
    const check = checkInclusion(hash, i, cp.size, hashes(proof, `inclusion proof of entry ${i}`, { index: i, file: 'data/proofs.json' }), cp.rootHash);
    if (!check.ok) fail('INCLUSION_INVALID', `entry ${i} is not included in the checkpoint of size ${cp.size} (${check.reason}): the entry or its proof was altered`, where(i));
    report.size++;
    report.entries[line.role as 'selected' | 'linked' | 'context']++;
    if (chainIndexes.has(i)) rotationLeaves.set(i, { leaf, entry });
    if (entry.kind === 'erasure') {
      const idx = entry.meta?.indexes;
      erasureEntries.set(i, Array.isArray(idx) ? idx.filter((x): x is number => typeof x === 'number') : []);
    }
    checkPayload(dir, i, entry, line.payload as Record<string, unknown>, files, dataListed, referenced, erasedBy, report);
  }
  const leftover = proofByIndex.keys().next();
  if (!leftover.done) fail('PROOFS_MALFORMED', `data/proofs.json has a proof for entry ${leftover.value}, which is not in data/entries.jsonl`, { file: 'data/proofs.json', index: leftover.value });
  for (const [i, by] of erasedBy) {
    const named = erasureEntries.get(by);
    if (!named) fail('ERASURE_UNPROVEN', `entry ${i}: its payload is said to be erased by entry ${by}, which is not an erasure entry in the bag`, where(i));
    if (!named.includes(i) || by <= i) fail('ERASURE_UNPROVEN', `entry ${i}: erasure entry ${by} does not name it`, where(i));
    report.erasures.push({ index: i, erasureIndex: by });
  }
  report.erasures.sort((a, b) => a.index - b.index);
  for (const rel of dataListed) {
    const m = /^data\/(payloads\/.*)$/.exec(rel);
    if (m && !referenced.has(m[1] as string)) fail('PAYLOAD_UNREFERENCED', `${rel} belongs to no exported entry`, { file: rel });
  }

  // 4 (continued). the key chain, now that the rotation entries are read
  const known = verifyKeyChain(proofs, cp, cpNote, trusted, rotationLeaves, report);
  if (!known.has(manifestKey.text)) {
    fail('SIGNATURE_UNTRUSTED', `the tag manifest is signed by ${manifestKey.name}, a key that the trusted key does not lead to`, { file: TAG_MANIFEST_SIG });
  }
  checkKeysFile(keysText, proofs, rotationLeaves, report);

  // 5. consistency with an earlier checkpoint
  if (proofs.consistency !== null || options.previousCheckpoint !== undefined) {
    const c = proofs.consistency;
    if (c === null) return fail('CONSISTENCY_INVALID', 'the bag carries no consistency proof from the pinned checkpoint', { file: 'data/proofs.json' });
    const old = parseCheckpointText(c.note, 'the earlier checkpoint in data/proofs.json', 'data/proofs.json');
    if (options.previousCheckpoint !== undefined) {
      const pinned = parseCheckpointText(options.previousCheckpoint, 'the pinned checkpoint', 'data/proofs.json');
      if (pinned.size !== old.size || encodeBase64(pinned.rootHash) !== encodeBase64(old.rootHash) || pinned.origin !== old.origin) {
        fail('CONSISTENCY_INVALID', `the bag proves consistency from a checkpoint of size ${old.size}, not from the pinned one (size ${pinned.size})`, { file: 'data/proofs.json' });
      }
    }
    try {
      verifyNote(c.note, [...known.values()]);
    } catch {
      fail('CONSISTENCY_INVALID', 'the earlier checkpoint is not signed by the trusted key or a key it leads to', { file: 'data/proofs.json' });
    }
    const ok = old.origin === cp.origin && old.size === c.size && old.size <= cp.size && verifyConsistency(old.size, cp.size, hashes(c.proof, 'consistency proof', { file: 'data/proofs.json' }), old.rootHash, cp.rootHash);
    report.consistency = { fromSize: old.size, consistent: ok };
    if (!ok) fail('CONSISTENCY_INVALID', `the checkpoint of size ${cp.size} is not consistent with the earlier one of size ${old.size}: history was rewritten`, { file: 'data/proofs.json' });
  }

  const total = Number(field('Vigil-Entries'));
  if (total !== report.size || Number(field('Vigil-Checkpoint-Size')) !== cp.size) {
    fail('BAG_INFO_MISMATCH', `bag-info.txt says ${field('Vigil-Entries') ?? '?'} entries at checkpoint ${field('Vigil-Checkpoint-Size') ?? '?'}; the bag holds ${report.size} at ${cp.size}`, { file: BAG_INFO });
  }
}

function checkPayload(
  dir: string,
  i: number,
  entry: Entry,
  p: Record<string, unknown>,
  files: Map<string, BagFile>,
  dataListed: Set<string>,
  referenced: Set<string>,
  erasedBy: Map<number, number>,
  report: BundleReport,
): void {
  const where = { index: i, file: 'data/entries.jsonl' };
  switch (p.state) {
    case 'included': {
      const rel = p.file;
      const m = typeof rel === 'string' ? PAYLOAD_FILE.exec(rel) : null;
      if (!m || Number(m[1]) !== i) return fail('ENTRY_MALFORMED', `entry ${i}: the payload file must be payloads/${i}.<json|txt|bin>`, where);
      const bagRel = `${DATA_DIR}/${rel as string}`;
      const f = files.get(bagRel);
      if (!f || !dataListed.has(bagRel)) return fail('PAYLOAD_MISSING', `entry ${i}: its payload file ${bagRel} is not in the bag`, { index: i, file: bagRel });
      referenced.add(rel as string);
      report.payloads.present++;
      if (p.salt !== undefined) {
        let salt: Uint8Array;
        try {
          salt = decodeBase64(p.salt as string, 'salt');
        } catch {
          return fail('ENTRY_MALFORMED', `entry ${i}: the payload salt is not base64`, where);
        }
        const body = fs.readFileSync(path.join(dir, ...bagRel.split('/')));
        const opens = salt.length === SALT_BYTES && body.length === entry.payload.size && sha256Base64(Buffer.concat([salt, body])) === entry.payload.commitment;
        if (!opens) fail('PAYLOAD_MISMATCH', `entry ${i}: the payload does not open the entry's commitment: it was replaced or altered`, { index: i, file: bagRel });
        report.payloads.verified++;
      } else if (p.transform === 'raw') {
        fail('ENTRY_MALFORMED', `entry ${i}: a raw payload must come with its salt`, where);
      } else {
        report.payloads.redacted++;
      }
      return;
    }
    case 'erased': {
      const by = p.erasureIndex;
      if (!Number.isSafeInteger(by)) return fail('ENTRY_MALFORMED', `entry ${i}: an erased payload must name its erasure entry`, where);
      erasedBy.set(i, by as number);
      report.payloads.erased++;
      return;
    }
    case 'withheld':
      report.payloads.withheld++;
      return;
    case 'omitted':
      report.payloads.omitted++;
      return;
    default:
      fail('ENTRY_MALFORMED', `entry ${i}: unknown payload state`, where);
  }
}

/**
 * Follows the keys from the trusted one: each key_rotation entry is included in a checkpoint that the key
 * in force at that point signed, that checkpoint is consistent with checkpoint.txt, and the rotation retires
 * exactly the key in force. A rotation takes effect after the checkpoint that first covers it. Then
 * checkpoint.txt must be signed by the key in force at its size. Returns every key proven this way.
 */
function verifyKeyChain(proofs: Proofs, cp: Checkpoint, cpNote: string, trusted: VerifierKey, leaves: Map<number, { leaf: Uint8Array; entry: Entry }>, report: BundleReport): Map<string, VerifierKey> {
  const file = 'data/proofs.json';
  const links = [...proofs.keyChain].sort((a, b) => a.index - b.index);
  const parsed = links.map((l) => {
    const rotation = leaves.get(l.index);
    if (!rotation || rotation.entry.kind !== 'key_rotation') fail('KEY_CHAIN_INVALID', `key chain: entry ${l.index} is not an exported key_rotation entry`, { index: l.index, file });
    const c = parseCheckpointText(l.checkpoint, `the checkpoint covering key rotation ${l.index}`, file);
    const vkey = rotation.entry.meta?.vkey;
    const previous = rotation.entry.meta?.previous;
    let next: VerifierKey;
    try {
      if (typeof vkey !== 'string' || typeof previous !== 'string') throw new Error('meta.vkey and meta.previous are required');
      next = parseVerifierKey(vkey);
    } catch (e) {
      return fail('KEY_CHAIN_INVALID', `key_rotation entry ${l.index}: ${(e as Error).message}`, { index: l.index, file });
    }
    return { link: l, cp: c, leaf: rotation.leaf, previous: previous as string, next };
  });
  // An auditor may hold a later key: start after the rotation that introduced it.
  let start = 0;
  parsed.forEach((p, k) => {
    if (p.next.text === trusted.text) start = k + 1;
  });
  const known = new Map<string, VerifierKey>([[trusted.text, trusted]]);
  report.signers = [trusted.text];
  let current = trusted;
  let applied = start;
  const apply = (upTo: number, below: number): void => {
    while (applied < upTo && (parsed[applied] as (typeof parsed)[number]).cp.size < below) {
      const r = parsed[applied++] as (typeof parsed)[number];
      if (r.previous !== current.text) fail('KEY_CHAIN_INVALID', `key_rotation entry ${r.link.index} retires ${r.previous}, but the key in force is ${current.text}`, { index: r.link.index, file });
      current = r.next;
      known.set(r.next.text, r.next);
      report.signers.push(r.next.text);
    }
  };
  for (let k = start; k < parsed.length; k++) {
    const r = parsed[k] as (typeof parsed)[number];
    apply(k, r.cp.size);
    const where = { index: r.link.index, file };
    if (r.cp.origin !== cp.origin || r.cp.size > cp.size || r.cp.size <= r.link.index) fail('KEY_CHAIN_INVALID', `key chain: the checkpoint for rotation ${r.link.index} does not cover it within this log`, where);
    if (!signedBy(r.link.checkpoint, current)) fail('KEY_CHAIN_INVALID', `key chain: the checkpoint covering rotation ${r.link.index} is not signed by the key in force (${current.name})`, where);
    const inc = checkInclusion(leafHash(r.leaf), r.link.index, r.cp.size, hashes(r.link.inclusion, 'key chain inclusion proof', where), r.cp.rootHash);
    if (!inc.ok) fail('KEY_CHAIN_INVALID', `key chain: rotation ${r.link.index} is not included in its checkpoint (${inc.reason})`, where);
    if (!verifyConsistency(r.cp.size, cp.size, hashes(r.link.consistency, 'key chain consistency proof', where), r.cp.rootHash, cp.rootHash)) {
      fail('KEY_CHAIN_INVALID', `key chain: the checkpoint covering rotation ${r.link.index} is not consistent with data/checkpoint.txt`, where);
    }
  }
  apply(parsed.length, cp.size);
  if (!signedBy(cpNote, current)) {
    fail('CHECKPOINT_SIGNATURE', `data/checkpoint.txt is not signed by ${current.name} (${Buffer.from(current.keyId).toString('hex')}), the key the trusted key leads to at size ${cp.size}`, { file: 'data/checkpoint.txt' });
  }
  apply(parsed.length, Infinity);
  return known;
}

/** keys.txt must state the history the bag proves: the first rotation's retired key, then each rotation. */
function checkKeysFile(text: string, proofs: Proofs, leaves: Map<number, { leaf: Uint8Array; entry: Entry }>, report: BundleReport): void {
  const file = 'data/keys.txt';
  const rows = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const links = [...proofs.keyChain].sort((a, b) => a.index - b.index);
  const expected: string[] = [];
  const first = links[0] ? leaves.get(links[0].index)?.entry.meta?.previous : report.signers[report.signers.length - 1];
  expected.push(`initial ${String(first)}`);
  for (const l of links) expected.push(`rotation ${l.index} ${String(leaves.get(l.index)?.entry.meta?.vkey)}`);
  if (rows.length !== expected.length || rows.some((r, k) => r !== expected[k])) {
    fail('KEYS_MISMATCH', 'data/keys.txt does not state the key history the bag proves', { file });
  }
}
