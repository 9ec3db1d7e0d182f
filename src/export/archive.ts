/**
 * A bag as one `.tar.gz` (RFC 8493 §4.2 serialization: one top-level folder named like the archive), and
 * the safe way back: extraction into a private temporary folder that accepts only regular files and
 * folders under one top-level name, with no absolute paths, no `..`, no links, no duplicates, and bounded
 * in files and bytes so that a hostile archive cannot fill the disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { VigilError } from '../errors.js';
import { BAGIT } from './bagit.js';

/** Files of a bag folder, relative and `/`-separated, bagit.txt first (so a reader meets the declaration first). */
function bagFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const d of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) walk(path.join(abs, d.name), r);
      else if (d.isFile()) out.push(r);
    }
  };
  walk(dir, '');
  return [BAGIT, ...out.filter((f) => f !== BAGIT)];
}

/** Streams the bag in `dir` as a gzipped tar whose entries all sit under `top/`. */
export async function packBag(dir: string, top: string, output: Writable, mtime = new Date()): Promise<void> {
  if (!/^[A-Za-z0-9._-]+$/.test(top) || top === '.' || top === '..') throw new VigilError('INVALID_INPUT', `"${top}" cannot name a bag`);
  const pack = tar.pack();
  const done = pipeline(pack, createGzip({ level: 1 }), output);
  const header = { uid: 0, gid: 0, uname: '', gname: '', mtime };
  try {
    const dirs = new Set<string>();
    const addDir = (rel: string): void => {
      if (dirs.has(rel)) return;
      const parent = path.posix.dirname(rel);
      if (parent !== '.') addDir(parent);
      dirs.add(rel);
      pack.entry({ ...header, name: `${top}/${rel}/`, type: 'directory', mode: 0o755 });
    };
    pack.entry({ ...header, name: `${top}/`, type: 'directory', mode: 0o755 });
    for (const rel of bagFiles(dir)) {
      const parent = path.posix.dirname(rel);
      if (parent !== '.') addDir(parent);
      const file = path.join(dir, ...rel.split('/'));
      const size = fs.statSync(file).size;
      const entry = pack.entry({ ...header, name: `${top}/${rel}`, type: 'file', mode: 0o644, size });
      await pipeline(fs.createReadStream(file), entry);
    }
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
    await done.catch(() => undefined);
    throw e;
  }
  await done;
}

export interface ExtractLimits {
  /** most files accepted (default 5,000,000) */
  maxFiles?: number;
  /** most bytes written, all files together (default 64 GiB) */
  maxBytes?: number;
}

export interface ExtractedBag {
  /** the bag's base folder */
  dir: string;
  /** removes everything extracted */
  dispose(): void;
}

function unsafe(message: string): VigilError {
  return new VigilError('INVALID_INPUT', `unsafe bag archive: ${message}`, { reason: 'ARCHIVE_UNSAFE' });
}

/** Checks one archive member name and returns its segments. */
function segments(name: string): string[] {
  // eslint-disable-next-line no-control-regex
  if (name.includes('\\') || name.startsWith('/') || /[\u0000-\u001f]/.test(name)) throw unsafe(`the member name ${JSON.stringify(name)} is not a plain relative path`);
  const parts = name.replace(/\/$/, '').split('/');
  if (parts[0] === '.') parts.shift();
  if (parts.length === 0 || parts.some((p) => p === '' || p === '.' || p === '..')) throw unsafe(`the member name ${JSON.stringify(name)} is not a plain relative path`);
  return parts;
}

/** Extracts a `.tar.gz` bag into a new private temporary folder. Throws INVALID_INPUT (reason ARCHIVE_UNSAFE) on anything unsafe. */
export async function extractBag(archive: string, limits: ExtractLimits = {}): Promise<ExtractedBag> {
  const maxFiles = limits.maxFiles ?? 5_000_000;
  const maxBytes = limits.maxBytes ?? 64 * 2 ** 30;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bag-'));
  fs.chmodSync(root, 0o700);
  const dispose = (): void => fs.rmSync(root, { recursive: true, force: true });
  let top: string | undefined;
  let files = 0;
  let bytes = 0;
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    // The first problem stops the whole extraction: the entry's stream and the extractor are destroyed
    // with it, and the pipeline below rejects with it.
    const fail = (e: unknown): void => {
      stream.on('error', () => undefined);
      extract.destroy(e as Error);
    };
    try {
      const parts = segments(header.name);
      if (top === undefined) top = parts[0];
      if (parts[0] !== top) throw unsafe('the archive has more than one top-level folder');
      const target = path.join(root, ...parts);
      if (header.type === 'directory') {
        fs.mkdirSync(target, { recursive: true, mode: 0o700 });
        stream.resume();
        stream.on('end', () => next());
        return;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') throw unsafe(`${header.name} is a ${header.type ?? 'special member'}; only regular files and folders are accepted`);
      if (parts.length < 2) throw unsafe(`${header.name} is a file at the top level`);
      if (++files > maxFiles) throw unsafe(`more than ${maxFiles} files`);
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      // 'wx': a second member of the same name must not overwrite the first.
      const out = fs.createWriteStream(target, { flags: 'wx', mode: 0o600 });
      stream.on('data', (chunk: unknown) => {
        bytes += (chunk as Buffer).length;
        if (bytes > maxBytes) stream.destroy(unsafe(`more than ${maxBytes} bytes`));
      });
      pipeline(stream, out).then(() => next(), fail);
    } catch (e) {
      fail(e);
    }
  });
  try {
    await pipeline(fs.createReadStream(archive), createGunzip(), extract);
  } catch (e) {
    dispose();
    if (e instanceof VigilError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw unsafe('a member name appears twice');
    if (code === 'ENOENT' && !fs.existsSync(archive)) throw new VigilError('IO_ERROR', `${archive}: no such file`);
    throw unsafe(`not a readable .tar.gz (${(e as Error).message})`);
  }
  if (top === undefined) {
    dispose();
    throw unsafe('the archive is empty');
  }
  return { dir: path.join(root, top), dispose };
}
