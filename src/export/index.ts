/**
 * Evidence export: BagIt bags (RFC 8493) of part of the ledger for GDPR and HIPAA questions, signed and
 * verifiable offline. `writeBundle` writes a folder, `writeBundleTarGz` streams a `.tar.gz` (the HTTP
 * route), `verifyBundle` / `verifyBundleAt` check a bag with only the auditor's verifier key.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { VigilError } from '../errors.js';
import type { Ledger, LedgerStore } from '../ledger/index.js';
import { packBag, extractBag, type ExtractLimits } from './archive.js';
import { writeBundle, type ExportOptions, type ExportSummary } from './bundle.js';
import type { ExportSource } from './source.js';
import { emptyBundleReport, verifyBundle, type BundleReport, type VerifyBundleOptions } from './verify-bundle.js';
import { parseVerifierKey } from '../tlog/index.js';

export { writeBundle, parseTimeBound, BUNDLE_FORMAT, type ExportFilter, type ExportOptions, type ExportSummary } from './bundle.js';
export { verifyBundle, emptyBundleReport, type BundleReport, type BundleFailure, type BundleFailureCode, type VerifyBundleOptions } from './verify-bundle.js';
export { PROFILES, PROFILE_NAMES, profileNamed, type Profile, type ProfileName } from './profiles.js';
export { indexedSubjectLookup, type SubjectLookup, type SubjectIndex } from './subjects.js';
export { activeSigner, exportSource, type ExportSource } from './source.js';
export { packBag, extractBag, type ExtractLimits, type ExtractedBag } from './archive.js';
export { shippedEngine, extensionFor } from './redact.js';

export const ARCHIVE_SUFFIX = '.tar.gz';

/** The default name of a bag: the profile and the time of the export. */
export function defaultBagName(profile: string, at: Date = new Date()): string {
  return `vigil-export-${profile}-${at.toISOString().replace(/[:.]/g, '').replace(/Z$/, 'Z')}`;
}

/** A bag built in a private temporary folder, ready to be streamed; dispose() removes it. */
export interface BuiltBundle {
  name: string;
  dir: string;
  summary: ExportSummary;
  /** streams the bag as .tar.gz (top-level folder `name`) into `output`, ending it */
  writeTarGz(output: Writable): Promise<void>;
  dispose(): void;
}

/**
 * Builds a bag in a private temporary folder. Errors (bad options, an empty ledger, a missing key) come out
 * here, before anything is streamed: an HTTP route can still answer them with a JSON error.
 */
export async function buildBundle(from: Ledger | LedgerStore | ExportSource, options: ExportOptions & { name?: string }): Promise<BuiltBundle> {
  const name = options.name ?? defaultBagName(options.profile, new Date((options.now ?? Date.now)()));
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new VigilError('INVALID_INPUT', `"${name}" cannot name a bag: letters, digits, ".", "_" and "-" only`, { path: 'name' });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-export-'));
  fs.chmodSync(tmp, 0o700);
  const dispose = (): void => fs.rmSync(tmp, { recursive: true, force: true });
  const dir = path.join(tmp, name);
  try {
    const summary = await writeBundle(from, dir, { ...options, bagName: options.bagName ?? `${name}${ARCHIVE_SUFFIX}` });
    return { name, dir, summary, writeTarGz: (output) => packBag(dir, name, output), dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** Builds the bag and streams it as .tar.gz into `output` (e.g. an HTTP response); cleans up after itself. */
export async function writeBundleTarGz(from: Ledger | LedgerStore | ExportSource, options: ExportOptions & { name?: string }, output: Writable): Promise<ExportSummary> {
  const bundle = await buildBundle(from, options);
  try {
    await bundle.writeTarGz(output);
    return bundle.summary;
  } finally {
    bundle.dispose();
  }
}

/**
 * `vigil export --out PATH`: a folder, or a .tar.gz when PATH ends so. Written beside the target and renamed
 * into place when complete, so a failed export leaves no half bag under PATH.
 */
export async function exportToPath(from: Ledger | LedgerStore | ExportSource, out: string, options: ExportOptions): Promise<ExportSummary> {
  const target = path.resolve(out);
  if (fs.existsSync(target)) throw new VigilError('IO_ERROR', `${out} already exists; give a new path`);
  const parent = path.dirname(target);
  if (!fs.existsSync(parent)) throw new VigilError('IO_ERROR', `${parent}: no such folder`);
  if (target.endsWith(ARCHIVE_SUFFIX)) {
    const name = path.basename(target).slice(0, -ARCHIVE_SUFFIX.length);
    const partial = `${target}.partial-${process.pid}`;
    const bundle = await buildBundle(from, { ...options, name, bagName: options.bagName ?? path.basename(target) });
    try {
      await bundle.writeTarGz(fs.createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      fs.renameSync(partial, target);
      return bundle.summary;
    } catch (e) {
      fs.rmSync(partial, { force: true });
      throw e;
    } finally {
      bundle.dispose();
    }
  }
  const partial = path.join(parent, `.${path.basename(target)}.partial-${process.pid}`);
  try {
    const summary = await writeBundle(from, partial, { ...options, bagName: options.bagName ?? path.basename(target) });
    fs.renameSync(partial, target);
    return summary;
  } catch (e) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Verifies a bag folder or a `.tar.gz` (extracted safely into a private temporary folder first, removed
 * afterwards). An unsafe archive is a failed report (ARCHIVE_UNSAFE), not an exception.
 */
export async function verifyBundleAt(bag: string, trustedKey: string, options: VerifyBundleOptions & ExtractLimits = {}): Promise<BundleReport> {
  let isDir = false;
  try {
    isDir = fs.statSync(bag).isDirectory();
  } catch {
    isDir = false;
  }
  if (isDir || !bag.endsWith(ARCHIVE_SUFFIX)) return verifyBundle(bag, trustedKey, options);
  let extracted;
  try {
    extracted = await extractBag(bag, options);
  } catch (e) {
    if (e instanceof VigilError && e.details?.reason === 'ARCHIVE_UNSAFE') {
      parseVerifierKey(trustedKey); // a malformed key is still the caller's usage error
      return { ...emptyBundleReport(), failure: { code: 'ARCHIVE_UNSAFE', message: e.message, file: path.basename(bag) } };
    }
    throw e;
  }
  try {
    return verifyBundle(extracted.dir, trustedKey, options);
  } finally {
    extracted.dispose();
  }
}
