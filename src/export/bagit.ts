/**
 * BagIt (RFC 8493) pieces shared by the writer and the verifier: the fixed bagit.txt, manifest lines, the
 * bag-info format, Payload-Oxum, and a file writer that hashes with SHA-512 as it writes.
 *
 * Manifest lines are `<lowercase hex SHA-512> <path>` (one space; RFC 8493 §2.1.3 allows one or more),
 * paths relative to the bag's base directory with `/` separators, CR, LF and `%` percent-encoded, sorted by
 * path so that the same bag gives the same bytes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
export const MANIFEST = 'manifest-sha512.txt';
export const TAG_MANIFEST = 'tagmanifest-sha512.txt';
/** The C2SP signed note over the tag manifest's bytes. Not listed in any manifest (see writeSignature). */
export const TAG_MANIFEST_SIG = 'tagmanifest-sha512.txt.sig';
export const BAG_INFO = 'bag-info.txt';
export const BAGIT = 'bagit.txt';
export const DATA_DIR = 'data';

export interface FileDigest {
  /** path relative to the bag's base directory, `/`-separated */
  path: string;
  sha512: string;
  size: number;
}

export function encodeManifestPath(p: string): string {
  return p.replace(/%/g, '%25').replace(/\n/g, '%0A').replace(/\r/g, '%0D');
}

export function decodeManifestPath(p: string): string {
  return p.replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%25/g, '%');
}

/** Manifest text for these files, sorted by path. */
export function manifestText(files: readonly FileDigest[]): string {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha512} ${encodeManifestPath(f.path)}\n`)
    .join('');
}

export interface ManifestLine {
  sha512: string;
  path: string;
  line: number;
}

/** Parses a manifest; a malformed line is reported by number (the caller turns it into a failure). */
export function parseManifest(text: string): { lines: ManifestLine[] } | { error: string } {
  if (text !== '' && !text.endsWith('\n')) return { error: 'the last line does not end with a newline' };
  const lines: ManifestLine[] = [];
  const rows = text === '' ? [] : text.slice(0, -1).split('\n');
  for (const [i, row] of rows.entries()) {
    const m = /^([0-9a-f]{128})[ \t]+(\S.*)$/.exec(row.endsWith('\r') ? row.slice(0, -1) : row);
    if (!m) return { error: `line ${i + 1} is not "<128 lowercase hex digits> <path>"` };
    lines.push({ sha512: m[1] as string, path: decodeManifestPath(m[2] as string), line: i + 1 });
  }
  return { lines };
}

/** bag-info.txt: `Label: value` lines; values are made single-line (control characters become spaces). */
export function bagInfoText(fields: ReadonlyArray<readonly [string, string | number]>): string {
  // eslint-disable-next-line no-control-regex
  return fields.map(([k, v]) => `${k}: ${String(v).replace(/[\u0000-\u001f\u007f]/g, ' ')}\n`).join('');
}

export function parseBagInfo(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && last !== undefined) {
      const values = out.get(last) as string[];
      values[values.length - 1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    const values = out.get(last) ?? [];
    values.push(line.slice(colon + 1).trim());
    out.set(last, values);
  }
  return out;
}

/** RFC 8493 §2.2.2: `<octets>.<files>` of the payload (data/). */
export function payloadOxum(files: readonly FileDigest[]): string {
  const data = files.filter((f) => f.path.startsWith(`${DATA_DIR}/`));
  return `${data.reduce((n, f) => n + f.size, 0)}.${data.length}`;
}

export function sha512Hex(bytes: Uint8Array | string): string {
  return createHash('sha512').update(bytes).digest('hex');
}

/** SHA-512 of a file, read in chunks. */
export function sha512File(file: string): { sha512: string; size: number } {
  const hash = createHash('sha512');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let size = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha512: hash.digest('hex'), size };
}

/**
 * A bag file written through a buffer and hashed as it is written: large files (entries.jsonl, proofs.json)
 * never have to be read back. The file is created exclusively (it must not exist).
 */
export class HashingFile {
  readonly #fd: number;
  readonly #hash = createHash('sha512');
  #chunks: string[] = [];
  #pending = 0;
  #size = 0;

  constructor(
    readonly base: string,
    readonly relative: string,
  ) {
    const file = path.join(base, ...relative.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.#fd = fs.openSync(file, 'wx', 0o644);
  }

  write(text: string): void {
    this.#chunks.push(text);
    this.#pending += text.length;
    if (this.#pending >= 1 << 20) this.#flush();
  }

  #flush(): void {
    if (this.#chunks.length === 0) return;
    const bytes = Buffer.from(this.#chunks.join(''), 'utf8');
    this.#chunks = [];
    this.#pending = 0;
    this.#hash.update(bytes);
    this.#size += bytes.length;
    let at = 0;
    while (at < bytes.length) at += fs.writeSync(this.#fd, bytes, at, bytes.length - at);
  }

  close(): FileDigest {
    this.#flush();
    fs.closeSync(this.#fd);
    return { path: this.relative, sha512: this.#hash.digest('hex'), size: this.#size };
  }
}

/** Writes a whole small file and returns its digest. */
export function writeBagFile(base: string, relative: string, content: Uint8Array | string): FileDigest {
  const file = path.join(base, ...relative.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  fs.writeFileSync(file, bytes, { flag: 'wx', mode: 0o644 });
  return { path: relative, sha512: sha512Hex(bytes), size: bytes.length };
}
