/**
 * `vigil export`: an evidence bag (RFC 8493 BagIt) of part of the ledger, for one regulation's question.
 *
 * The bag is cut at one signed checkpoint (the latest when the export starts, size N): every exported entry
 * comes with its exact leaf bytes and an RFC 9162 inclusion proof against that checkpoint, so appends that
 * land during the export change nothing. Layout:
 *
 *   bagit.txt, bag-info.txt, manifest-sha512.txt, tagmanifest-sha512.txt, tagmanifest-sha512.txt.sig
 *   data/entries.jsonl   one line per entry, index order: leaf (base64), its decoded fields, the payload's fate
 *   data/payloads/       <index>.<json|txt|bin>: DLP-redacted unless --raw-payloads (profiles that allow it)
 *   data/checkpoint.txt  the signed checkpoint (C2SP note) every proof is against
 *   data/proofs.json     inclusion proofs, the key chain (each key_rotation entry in the checkpoint signed by
 *                        the key it retires, and that checkpoint's consistency with checkpoint.txt), and a
 *                        consistency proof from a previous export's checkpoint (--since-checkpoint)
 *   data/keys.txt        verifier keys, oldest first, with the rotation entries that introduce them
 *   data/disclosures.csv, data/dlp-summary.csv, data/erasures.csv, data/report.html
 *
 * Entries the proofs need beyond the selection are exported too, marked `context`: every key_rotation entry
 * up to the checkpoint, and the erasure entry of every exported payload that was erased.
 *
 * The tag manifest is signed with the ledger's active key: tagmanifest-sha512.txt.sig is a C2SP signed note
 * whose text is exactly the bytes of tagmanifest-sha512.txt (a note text must end with a newline, and a
 * manifest does). The .sig file is not listed in the tag manifest, which cannot list its own signature; it
 * is the one file outside the manifests, and the verifier requires it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { VigilError } from '../errors.js';
import type { DlpEngine } from '../dlp/index.js';
import { decodeEntry, type Entry } from '../entry/index.js';
import type { Ledger, LedgerStore } from '../ledger/index.js';
import {
  checkInclusion,
  consistencyProof,
  encodeBase64,
  inclusionProof,
  leafHash,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  verifyConsistency,
  verifyNote,
  type Checkpoint,
  type NodeSource,
  type NoteSigner,
} from '../tlog/index.js';
import {
  BAGIT,
  BAGIT_TXT,
  BAG_INFO,
  DATA_DIR,
  HashingFile,
  MANIFEST,
  TAG_MANIFEST,
  TAG_MANIFEST_SIG,
  bagInfoText,
  manifestText,
  payloadOxum,
  writeBagFile,
  type FileDigest,
} from './bagit.js';
import { profileNamed, type Profile } from './profiles.js';
import { ProofBuilder } from './proofs.js';
import { rawPayload, redactPayload, shippedEngine } from './redact.js';
import { renderReport } from './report-html.js';
import { cachedNodeSource, exportSource, leafAt, type ExportSource } from './source.js';
import type { SubjectLookup } from './subjects.js';
import { ExportStats, disclosuresCsv, dlpSummaryCsv, erasuresCsv, parseDecision, type PayloadCounts, type Role } from './tables.js';

export const BUNDLE_FORMAT = 'vigil-evidence-bag/1';

export interface ExportFilter {
  /** RFC 3339 timestamp or YYYY-MM-DD; entries at or after it */
  from?: string;
  /** RFC 3339 timestamp or YYYY-MM-DD; entries before it (exclusive) */
  to?: string;
  agent?: string;
  session?: string;
  task?: string;
  /** entry kinds; default: the profile's */
  kinds?: string[];
  /** a data subject's identifier (e-mail address, patient number…), looked up in the subject index */
  subject?: string;
}

export interface ExportOptions {
  profile: string;
  filter?: ExportFilter;
  /** the subject index; required when filter.subject is set */
  subjects?: SubjectLookup;
  /** unredacted payloads; only for profiles that need the content itself (gdpr-access) */
  rawPayloads?: boolean;
  /** a previous export's checkpoint.txt: the bag then proves this ledger extends it */
  sinceCheckpoint?: string;
  /** the ledger's active signing key (see activeSigner): signs the tag manifest */
  signer: NoteSigner;
  /** who exported (a person or token id), written into bag-info.txt and the report */
  exportedBy: string;
  /** the engine that redacts payloads; default: shipped rule packs and default policy */
  dlp?: DlpEngine;
  /** key for the default engine's keyed pseudonyms (e.g. the data directory's); default random */
  pseudonymKey?: Uint8Array;
  /** the bag's name as the reviewer will see it (in the verify command); default the folder name */
  bagName?: string;
  /** the key to tell the reviewer to verify with; default the ledger's first key */
  verifyKey?: string;
  now?: () => number;
  software?: string;
}

export interface ExportSummary {
  profile: string;
  bagName: string;
  origin: string;
  checkpoint: { size: number; root: string; signedBy: string };
  entries: { total: number; selected: number; linked: number; context: number };
  payloads: PayloadCounts;
  files: number;
  bytes: number;
  verifyCommand: string;
}

/** An RFC 3339 timestamp or a date, as the ledger's ts format (UTC, milliseconds) for comparison. */
export function parseTimeBound(value: string, name: string): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(date) ? Date.parse(date) : NaN;
  if (Number.isNaN(ms)) throw new VigilError('INVALID_INPUT', `--${name} must be an RFC 3339 timestamp or a date (YYYY-MM-DD)`, { path: name });
  return new Date(ms).toISOString();
}

interface Plan {
  indexes: number[];
  roles: Map<number, Role>;
}

interface Scope {
  profile: Profile;
  from: string | undefined;
  to: string | undefined;
  kinds: ReadonlySet<string> | undefined;
  filter: ExportFilter;
}

function matches(entry: Entry, scope: Scope): boolean {
  const f = scope.filter;
  if (scope.from !== undefined && entry.ts < scope.from) return false;
  if (scope.to !== undefined && entry.ts >= scope.to) return false;
  if (f.agent !== undefined && entry.agent !== f.agent) return false;
  if (f.session !== undefined && entry.session !== f.session) return false;
  if (f.task !== undefined && entry.task !== f.task) return false;
  if (scope.kinds !== undefined && !scope.kinds.has(entry.kind)) return false;
  return true;
}

function decodeStored(leaf: Uint8Array, index: number): Entry {
  try {
    return decodeEntry(leaf);
  } catch (e) {
    throw new VigilError('LEDGER_INCONSISTENT', `entry ${index} is not a valid entry: ${(e as Error).message}`, { index });
  }
}

/** First index in [0, size) whose ts is ≥ bound (timestamps never decrease along the log). */
function firstAtOrAfter(source: ExportSource, size: number, bound: string): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (decodeStored(leafAt(source, mid), mid).ts < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How far around a response its dlp_decision is looked for: the filter appends the two together. */
const LINK_WINDOW = 16;

function selectEntries(source: ExportSource, size: number, scope: Scope, subjects: SubjectLookup | undefined): Plan {
  const roles = new Map<number, Role>();
  const f = scope.filter;
  if (f.subject !== undefined) {
    if (!subjects) throw new VigilError('INVALID_INPUT', 'a --subject export needs the subject index, which is not available here', { path: 'subject' });
    for (const i of subjects.indexesFor(f.subject)) {
      if (!Number.isSafeInteger(i) || i < 0 || i >= size) continue;
      const entry = decodeStored(leafAt(source, i), i);
      if (!matches(entry, scope)) continue;
      roles.set(i, 'selected');
      // What went out for the subject, and to whom: the decision recorded with a selected response.
      const filterId = entry.meta?.filter;
      if (entry.kind === 'response' && typeof filterId === 'string') {
        for (let j = Math.max(0, i - LINK_WINDOW); j < Math.min(size, i + LINK_WINDOW + 1); j++) {
          if (j === i || roles.has(j)) continue;
          const other = decodeStored(leafAt(source, j), j);
          if (other.kind === 'dlp_decision' && other.meta?.filter === filterId) roles.set(j, 'linked');
        }
      }
    }
  } else {
    const lo = scope.from === undefined ? 0 : firstAtOrAfter(source, size, scope.from);
    const hi = scope.to === undefined ? size : firstAtOrAfter(source, size, scope.to);
    const fieldFilters = f.agent !== undefined || f.session !== undefined || f.task !== undefined || scope.kinds !== undefined;
    for (let i = lo; i < hi; i++) {
      if (!fieldFilters || matches(decodeStored(leafAt(source, i), i), scope)) roles.set(i, 'selected');
    }
  }
  return { indexes: [...roles.keys()].sort((a, b) => a - b), roles };
}

interface KeyLink {
  index: number;
  checkpoint: string;
  inclusion: string[];
  consistency: string[];
}

const b64 = (hashes: Uint8Array[]): string[] => hashes.map(encodeBase64);

/** For each key rotation below `size`: the checkpoint that first covers it (signed by the key it retires). */
function keyChain(source: ExportSource, nodes: NodeSource, size: number): KeyLink[] {
  const rotations = source
    .signingKeys()
    .map((k) => k.sinceIndex)
    .filter((i): i is number => i !== null && i < size)
    .sort((a, b) => a - b);
  const links: KeyLink[] = [];
  if (rotations.length === 0) return links;
  let r = 0;
  for (const cp of source.iterateCheckpoints()) {
    while (r < rotations.length && (rotations[r] as number) < cp.size && cp.size <= size) {
      const index = rotations[r] as number;
      links.push({ index, checkpoint: cp.note, inclusion: b64(inclusionProof(nodes, index, cp.size)), consistency: cp.size < size ? b64(consistencyProof(nodes, cp.size, size)) : [] });
      r++;
    }
    if (r >= rotations.length || cp.size >= size) break;
  }
  if (r < rotations.length) throw new VigilError('LEDGER_INCONSISTENT', `no stored checkpoint covers the key_rotation entry ${rotations[r]}`);
  return links;
}

function parseCheckpointNote(note: string, what: string): Checkpoint {
  try {
    return parseCheckpoint(parseNote(note).body);
  } catch (e) {
    throw new VigilError('INVALID_CHECKPOINT', `${what} is not a checkpoint note: ${(e as Error).message}`);
  }
}

/** Writes the bag into `dir`, which must not exist yet. */
export async function writeBundle(from: Ledger | LedgerStore | ExportSource, dir: string, options: ExportOptions): Promise<ExportSummary> {
  const profile = profileNamed(options.profile);
  const filter = options.filter ?? {};
  if (options.rawPayloads && !profile.rawAllowed) {
    throw new VigilError('INVALID_INPUT', `--raw-payloads is only for profiles that need the content itself (gdpr-access), not ${profile.name}`, { path: 'rawPayloads' });
  }
  if (profile.needsSubject && filter.subject === undefined) {
    throw new VigilError('INVALID_INPUT', `the ${profile.name} profile is about one data subject: give --subject`, { path: 'subject' });
  }
  for (const k of filter.kinds ?? []) {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(k)) throw new VigilError('INVALID_INPUT', `"${k}" is not an entry kind`, { path: 'kind' });
  }
  const scope: Scope = {
    profile,
    from: filter.from === undefined ? undefined : parseTimeBound(filter.from, 'from'),
    to: filter.to === undefined ? undefined : parseTimeBound(filter.to, 'to'),
    kinds: filter.kinds && filter.kinds.length > 0 ? new Set(filter.kinds) : profile.defaultKinds ? new Set(profile.defaultKinds) : undefined,
    filter,
  };
  const source = exportSource(from);
  const latest = source.latestCheckpoint();
  if (!latest) throw new VigilError('NOT_FOUND', 'the ledger is empty: there is nothing to export');
  const size = latest.size;
  const origin = source.getMeta('origin') ?? parseCheckpointNote(latest.note, 'the latest checkpoint').origin;
  const history = source.signingKeys();
  const historyKeys = history.map((k) => parseVerifierKey(k.vkey));
  const checkpoint = parseCheckpointNote(latest.note, 'the latest checkpoint');
  let signedBy: string;
  try {
    signedBy = (verifyNote(latest.note, historyKeys).verifiedBy[0] as { text: string }).text;
  } catch (e) {
    throw new VigilError('LEDGER_INCONSISTENT', `the latest checkpoint does not verify: ${(e as Error).message}`);
  }
  if (!history.some((k) => k.vkey === options.signer.verifierKey)) {
    throw new VigilError('KEY_INVALID', 'the key given to sign the bag is not one of this ledger\'s signing keys');
  }
  const nodes = cachedNodeSource(source);
  const proofs = new ProofBuilder(nodes, size);
  const root = checkpoint.rootHash;

  let since: { note: string; size: number; proof: string[] } | undefined;
  if (options.sinceCheckpoint !== undefined) {
    const old = parseCheckpointNote(options.sinceCheckpoint, '--since-checkpoint');
    try {
      verifyNote(options.sinceCheckpoint, historyKeys);
    } catch {
      throw new VigilError('INVALID_CHECKPOINT', '--since-checkpoint is not signed by a key of this ledger');
    }
    if (old.origin !== origin || old.size < 1 || old.size > size) {
      throw new VigilError('INVALID_CHECKPOINT', `--since-checkpoint (origin "${old.origin}", size ${old.size}) is not an earlier checkpoint of this ledger (size ${size})`);
    }
    const proof = old.size < size ? consistencyProof(nodes, old.size, size) : [];
    if (!verifyConsistency(old.size, size, proof, old.rootHash, root)) {
      throw new VigilError('INVALID_CHECKPOINT', `--since-checkpoint at size ${old.size} is not consistent with this ledger: its history differs`);
    }
    since = { note: options.sinceCheckpoint, size: old.size, proof: b64(proof) };
  }

  const plan = selectEntries(source, size, scope, options.subjects);
  const links = keyChain(source, nodes, size);
  for (const l of links) {
    if (!plan.roles.has(l.index)) {
      plan.roles.set(l.index, 'context');
      plan.indexes.push(l.index);
    }
  }
  plan.indexes.sort((a, b) => a - b);

  const payloadScope = profile.payloads;
  let engine = options.dlp;
  const needsEngine = !options.rawPayloads && payloadScope !== 'none';
  if (needsEngine && !engine) engine = shippedEngine(options.pseudonymKey);

  if (fs.existsSync(dir)) throw new VigilError('IO_ERROR', `${dir} already exists; give a new path`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const digests: FileDigest[] = [];
  const stats = new ExportStats();
  const entriesFile = new HashingFile(dir, `${DATA_DIR}/entries.jsonl`);
  const proofsFile = new HashingFile(dir, `${DATA_DIR}/proofs.json`);
  proofsFile.write(
    `{"format":${JSON.stringify(BUNDLE_FORMAT)},"checkpoint":${JSON.stringify({ origin, size, root: encodeBase64(root) })},\n` +
      `"keyChain":${JSON.stringify(links)},\n"consistency":${JSON.stringify(since ?? null)},\n"inclusion":[`,
  );
  const pending: number[] = []; // erasure entries to add as context: always after the entries they erased
  let next = 0;
  let written = 0;
  const inBag = new Set(plan.indexes);
  const utf8 = new TextDecoder();
  for (;;) {
    let index: number;
    let role: Role;
    const planned = plan.indexes[next];
    const erasure = pending[0];
    if (planned === undefined && erasure === undefined) break;
    if (erasure !== undefined && (planned === undefined || erasure < planned)) {
      pending.shift();
      index = erasure;
      role = 'context';
    } else {
      next++;
      index = planned as number;
      role = plan.roles.get(index) as Role;
    }
    const leaf = leafAt(source, index);
    const entry = decodeStored(leaf, index);
    const hash = leafHash(leaf);
    const proof = proofs.proof(index);
    if (!checkInclusion(hash, index, size, proof.map((h) => h.bytes), root).ok) {
      throw new VigilError('LEDGER_INCONSISTENT', `entry ${index} is not included in the checkpoint of size ${size}`, { index });
    }
    stats.addEntry(entry, role);
    const stored = source.readPayload(index);
    let payload: Record<string, string | number | boolean>;
    if (stored.state === 'erased') {
      if (stored.erasureIndex >= size) throw new VigilError('LEDGER_BUSY', `entry ${index}'s payload was erased during the export; export again`, { index });
      payload = { state: 'erased', erasureIndex: stored.erasureIndex };
      stats.payloads.erased++;
      stats.addErased(index, stored.erasureIndex);
      if (!inBag.has(stored.erasureIndex)) {
        inBag.add(stored.erasureIndex);
        pending.push(stored.erasureIndex);
        pending.sort((a, b) => a - b);
      }
    } else if (stored.state === 'missing') {
      throw new VigilError('LEDGER_INCONSISTENT', `entry ${index}'s payload is missing and no erasure names it`, { index });
    } else {
      const inScope = role !== 'context' && (payloadScope === 'all' || (payloadScope === 'decisions' && entry.kind === 'dlp_decision'));
      if (!inScope) {
        payload = { state: 'omitted' };
        stats.payloads.omitted++;
      } else {
        const outcome = options.rawPayloads ? rawPayload(stored.body, entry.payload.type) : redactPayload(engine as DlpEngine, stored.body, entry.payload.type);
        if (outcome.state === 'withheld') {
          payload = { state: 'withheld', reason: outcome.reason };
          stats.payloads.withheld++;
        } else {
          const file = `payloads/${index}.${outcome.ext}`;
          digests.push(writeBagFile(dir, `${DATA_DIR}/${file}`, outcome.bytes));
          payload = { state: 'included', file, type: entry.payload.type, transform: outcome.transform, size: outcome.bytes.length };
          if (outcome.decision !== undefined) payload.dlpDecision = outcome.decision;
          if (outcome.findings !== undefined) payload.dlpFindings = outcome.findings;
          if (outcome.unchanged) {
            payload.salt = encodeBase64(stored.salt);
            stats.payloads.verifiable++;
          }
          if (outcome.transform === 'dlp-redacted' && !outcome.unchanged) stats.payloads.redacted++;
          stats.payloads.included++;
        }
      }
      if (entry.kind === 'dlp_decision') stats.addDecision(entry, parseDecision(stored.body));
    }
    if (entry.kind === 'dlp_decision' && stored.state !== 'present') stats.addDecision(entry, undefined);
    entriesFile.write(`{"index":${index},"role":"${role}","leafHash":"${encodeBase64(hash)}","leaf":"${encodeBase64(leaf)}","entry":${utf8.decode(leaf)},"payload":${JSON.stringify(payload)}}\n`);
    proofsFile.write(`${written === 0 ? '\n' : ',\n'}{"index":${index},"proof":${JSON.stringify(proof.map((h) => h.base64))}}`);
    written++;
    if (written % 2000 === 0) await yieldToLoop();
  }
  proofsFile.write('\n]}\n');
  digests.push(entriesFile.close(), proofsFile.close());

  digests.push(writeBagFile(dir, `${DATA_DIR}/checkpoint.txt`, latest.note));
  const keysLines = [
    `# Verifier keys of the ledger "${origin}", oldest first. Trust comes from the key you were given, not from`,
    '# this file: each later key is introduced by the key_rotation entry named here, which the bag exports with',
    '# its inclusion proof and the checkpoint signed by the key it retires (proofs.json, keyChain).',
    `initial ${history[0]?.vkey ?? ''}`,
    ...history.filter((k) => k.sinceIndex !== null && k.sinceIndex < size).map((k) => `rotation ${k.sinceIndex} ${k.vkey}`),
  ];
  digests.push(writeBagFile(dir, `${DATA_DIR}/keys.txt`, keysLines.join('\n') + '\n'));
  const disclosures = stats.disclosures();
  const erasures = stats.erasureRows();
  digests.push(writeBagFile(dir, `${DATA_DIR}/disclosures.csv`, disclosuresCsv(disclosures)));
  digests.push(writeBagFile(dir, `${DATA_DIR}/dlp-summary.csv`, dlpSummaryCsv(stats)));
  digests.push(writeBagFile(dir, `${DATA_DIR}/erasures.csv`, erasuresCsv(erasures)));

  const bagName = options.bagName ?? path.basename(dir);
  const verifyKey = options.verifyKey ?? history[0]?.vkey ?? options.signer.verifierKey;
  const verifyCommand = `vigil verify --bundle ${shellQuote(bagName)} --key ${shellQuote(verifyKey)}`;
  const exportedAt = new Date((options.now ?? Date.now)()).toISOString();
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const scopeRows: Array<[string, string]> = [
    ['Scope: from', scope.from ?? '(start of the ledger)'],
    ['Scope: to (exclusive)', scope.to ?? `(checkpoint of size ${size})`],
    ...(filter.agent !== undefined ? [['Scope: agent', filter.agent] as [string, string]] : []),
    ...(filter.session !== undefined ? [['Scope: session', filter.session] as [string, string]] : []),
    ...(filter.task !== undefined ? [['Scope: task', filter.task] as [string, string]] : []),
    ['Scope: kinds', scope.kinds ? [...scope.kinds].sort().join(', ') : '(all)'],
    ...(filter.subject !== undefined ? [['Scope: data subject', 'one subject, found through the subject index (the identifier is not written into the bag)'] as [string, string]] : []),
  ];
  const payloadTransform = payloadScope === 'none'
    ? 'none: this profile carries no payloads'
    : options.rawPayloads
      ? 'RAW: unredacted content (--raw-payloads), for the data subject\'s own copy'
      : `DLP-redacted by policy "${(engine as DlpEngine).policy.name}"${payloadScope === 'decisions' ? ' (DLP decision records only)' : ''}`;
  const roleCount = (r: Role): number => stats.byRole.get(r) ?? 0;
  const html = renderReport({
    title: profile.title,
    provision: profile.provision,
    profile: profile.name,
    exportedBy: options.exportedBy,
    exportedAt,
    origin,
    scope: scopeRows,
    period: { first: stats.first, last: stats.last },
    integrity: { ok: true, entries: stats.total, checkpointSize: size, checkpointRoot: encodeBase64(root), signedBy, consistencyFrom: since?.size },
    verifyCommand,
    trustedKey: verifyKey,
    counts: {
      total: stats.total,
      byRole: (['selected', 'linked', 'context'] as Role[]).map((r) => [r, roleCount(r)]),
      byKind: sorted(stats.byKind),
      byAgent: sorted(stats.byAgent),
      byPurpose: sorted(stats.byPurpose()),
    },
    agentTask: [...stats.byAgentTask.values()].sort((a, b) => (a.agent + a.task < b.agent + b.task ? -1 : 1)),
    payloads: stats.payloads,
    payloadTransform,
    decisions: sorted(stats.decisions),
    findings: stats.findingRows(),
    disclosures,
    erasures,
    keys: [
      { label: 'initial', vkey: history[0]?.vkey ?? '' },
      ...history.filter((k) => k.sinceIndex !== null && k.sinceIndex < size).map((k) => ({ label: `from entry ${k.sinceIndex}`, vkey: k.vkey })),
    ],
  });
  digests.push(writeBagFile(dir, `${DATA_DIR}/report.html`, html));

  const tags: FileDigest[] = [writeBagFile(dir, BAGIT, BAGIT_TXT), writeBagFile(dir, MANIFEST, manifestText(digests))];
  const p = stats.payloads;
  const info = bagInfoText([
    ['Source-Organization', origin],
    ['Contact-Name', options.exportedBy],
    ['Bagging-Date', exportedAt.slice(0, 10)],
    ['Bag-Software-Agent', options.software ?? 'vigil'],
    ['External-Description', `${profile.title}. ${profile.provision}.`],
    ['Payload-Oxum', payloadOxum(digests)],
    ['Vigil-Bag-Format', BUNDLE_FORMAT],
    ['Vigil-Profile', profile.name],
    ['Vigil-Exported-By', options.exportedBy],
    ['Vigil-Exported-At', exportedAt],
    ['Vigil-Ledger-Origin', origin],
    ['Vigil-Checkpoint-Size', size],
    ['Vigil-Checkpoint-Root', encodeBase64(root)],
    ['Vigil-Signed-By', options.signer.verifierKey],
    ...scopeRows.map(([k, v]) => [`Vigil-${k.replace(/^Scope: /, 'Scope-').replace(/ \(exclusive\)/, '').replace(/ /g, '-')}`, v] as [string, string]),
    ...(since ? [['Vigil-Since-Checkpoint-Size', since.size] as [string, number]] : []),
    ['Vigil-Entries', stats.total],
    ['Vigil-Entries-Selected', roleCount('selected')],
    ['Vigil-Entries-Linked', roleCount('linked')],
    ['Vigil-Entries-Context', roleCount('context')],
    ['Vigil-Payload-Transform', payloadTransform],
    ['Vigil-Payloads-Included', p.included],
    ['Vigil-Payloads-Redacted', p.redacted],
    ['Vigil-Payloads-Verifiable', p.verifiable],
    ['Vigil-Payloads-Erased', p.erased],
    ['Vigil-Payloads-Withheld', p.withheld],
    ['Vigil-Payloads-Omitted', p.omitted],
    ['Vigil-Disclosures', disclosures.length],
    ['Vigil-Erasures', erasures.length],
    ['Vigil-Verify', verifyCommand],
  ]);
  tags.push(writeBagFile(dir, BAG_INFO, info));
  const tagManifest = manifestText(tags);
  writeBagFile(dir, TAG_MANIFEST, tagManifest);
  writeBagFile(dir, TAG_MANIFEST_SIG, options.signer.sign(tagManifest));

  const all = [...digests, ...tags];
  return {
    profile: profile.name,
    bagName,
    origin,
    checkpoint: { size, root: encodeBase64(root), signedBy },
    entries: { total: stats.total, selected: roleCount('selected'), linked: roleCount('linked'), context: roleCount('context') },
    payloads: { ...stats.payloads },
    files: all.length + 2,
    bytes: all.reduce((n, f) => n + f.size, 0) + Buffer.byteLength(tagManifest),
    verifyCommand,
  };
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=+@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
