/**
 * Reads a ledger file without SQLite and without ever writing anything: not the database, not its -wal,
 * not its -shm, and no new file next to them. `vigil verify --db` reads through this so that verifying a
 * live or archived ledger cannot change a byte of it.
 *
 * Why not SQLite itself: a read-only SQLite connection still writes. On a WAL database it creates -wal and
 * -shm next to the file when they are missing (and leaves them behind), rebuilds -shm (WAL recovery) when
 * it is the first connection, and stores read marks in -shm beside a live writer; `file:` URIs with
 * `mode=ro`, `immutable=1` or `readonly_shm=1` would avoid part of that, but better-sqlite3 is built with
 * SQLITE_USE_URI=0 and does not pass SQLITE_OPEN_URI. Copying the file first is sound but costs a full copy
 * (1.8–3 s for the 1.7 GB million-entry bench ledger on the development VM).
 *
 * What it reads: the SQLite 3 file format (https://sqlite.org/fileformat2.html) for the rowid tables
 * store.ts creates: table b-trees (interior 0x05 and leaf 0x0d pages, overflow chains) and records, with
 * the committed frames of the write-ahead log laid over the database pages exactly as SQLite's own WAL
 * recovery decides (walIndexRecover / walDecodeFrame): a valid header (magic, version, checksum), frames
 * whose salts match the header and whose cumulative checksums hold, up to the last commit frame; the
 * newest committed frame of a page wins and the last commit frame gives the database size. A `-journal`
 * (rollback mode, never used by Vigil) that may hold a half-written transaction is refused.
 *
 * Nothing here trusts the file: every offset and length is checked, b-tree descent is depth-limited and
 * never visits a page twice, overflow chains have exactly the length the record size implies, rowids must
 * increase. A malformed file is IO_ERROR (exit 2: it cannot be read, so it cannot be verified).
 *
 * Without locks, a writer working at the same time may move pages under the reader (a checkpoint copying
 * WAL frames into the database). Such a torn read can make a verification fail, never pass: whatever passes
 * is exactly what the trusted key signed, at worst an earlier prefix of the log. `changed()` says whether
 * the database file or the WAL moved since the reader opened, so the verifier re-reads when a failure
 * coincides with a change.
 */
import fs from 'node:fs';
import { VigilError } from '../errors.js';
import type { StoredPayload } from './store.js';

const DB_MAGIC = 'SQLite format 3\0';
const WAL_MAGIC = 0x377f0682;
const WAL_VERSION = 3007000;
const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
const PAGE_INTERIOR_TABLE = 0x05;
const PAGE_LEAF_TABLE = 0x0d;
/** Deeper than any real table b-tree (a 16 KiB-page tree of depth 10 holds far more than 2^53 rows). */
const MAX_DEPTH = 40;
/** Interior pages kept in memory for point lookups (range mode, proofs). */
const INTERIOR_CACHE = 4096;
/** Leaf pages kept for point lookups that land on the same page again and again (neighbouring rows). */
const LEAF_CACHE = 64;
/** Bytes of page memory allocated at once. */
const SLAB_BYTES = 1 << 20;
/** Bytes of row copies allocated at once (rows handed out by scans). */
const ROW_SLAB_BYTES = 1 << 16;
/** Bytes read at once by table scans, and how many such blocks are kept (scans of two tables interleave). */
const BLOCK_BYTES = 1 << 20;
const BLOCK_CACHE = 16;
/** WAL frames read per system call while indexing the WAL. */
const WAL_READ_FRAMES = 64;

/** The tables of store.ts this reader needs, with the definitions store.ts creates (whitespace-normalised). */
const TABLES = {
  entries: 'CREATE TABLE entries (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL) STRICT',
  nodes: 'CREATE TABLE nodes (pos INTEGER PRIMARY KEY, hash BLOB NOT NULL) STRICT',
  checkpoints: 'CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT',
  payloads: 'CREATE TABLE payloads (idx INTEGER PRIMARY KEY, salt BLOB NOT NULL, body BLOB NOT NULL) STRICT',
  erased_payloads: 'CREATE TABLE erased_payloads (idx INTEGER PRIMARY KEY, erasure_idx INTEGER NOT NULL) STRICT',
} as const;
type TableName = keyof typeof TABLES;

/** A column value as SQLite stores it. */
export type SqlValue = null | number | bigint | string | Uint8Array;

interface FileStamp {
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
}

interface BtreePage {
  pgno: number;
  data: Uint8Array;
  view: DataView;
  type: number;
  cells: number;
  /** offset of the cell pointer array */
  pointers: number;
  /** right-most child (interior pages) */
  right: number;
}

const utf8 = new TextDecoder('utf-8');

function stampOf(stat: fs.BigIntStats): FileStamp {
  return { size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, ino: stat.ino };
}

function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}

function statOrUndefined(path: string): FileStamp | undefined {
  try {
    return stampOf(fs.statSync(path, { bigint: true }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Reads exactly `length` bytes at `position` into `buffer`; false when the file ends first. */
function readFully(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): boolean {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, offset + done, length - done, position + done);
    if (n === 0) return false;
    done += n;
  }
  return true;
}

/**
 * SQLite's WAL checksum (walChecksumBytes): two running 32-bit sums over 32-bit words, big-endian words when
 * the WAL header's magic says so, little-endian otherwise.
 */
function walChecksum(bigEndian: boolean, data: Uint8Array, start: number, end: number, s: [number, number]): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const little = !bigEndian;
  let s1 = s[0];
  let s2 = s[1];
  for (let i = start; i < end; i += 8) {
    s1 = (s1 + view.getUint32(i, little) + s2) >>> 0;
    s2 = (s2 + view.getUint32(i + 4, little) + s1) >>> 0;
  }
  s[0] = s1;
  s[1] = s2;
}

/** Length in bytes of the varint last read by `varint` (kept outside the return value: no allocation per call). */
let varintLength = 0;

/** A SQLite varint at `offset` (its length goes to `varintLength`). Values beyond 2^53 come back as bigint. */
function varint(data: Uint8Array, offset: number, limit: number): number | bigint {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    if (offset + i >= limit) throw new RangeError('a varint runs past its cell');
    const byte = data[offset + i] as number;
    if (i < 7) {
      value = value * 128 + (byte & 0x7f);
      if ((byte & 0x80) === 0) {
        varintLength = i + 1;
        return value;
      }
    } else {
      // Eight bytes or more: 56 bits and up, exact only as a bigint.
      let big = BigInt(value) * 128n + BigInt(byte & 0x7f);
      if ((byte & 0x80) === 0) {
        varintLength = 8;
        return Number.isSafeInteger(Number(big)) ? Number(big) : big;
      }
      if (offset + 8 >= limit) throw new RangeError('a varint runs past its cell');
      big = BigInt.asIntN(64, big * 256n + BigInt(data[offset + 8] as number));
      varintLength = 9;
      return Number.isSafeInteger(Number(big)) ? Number(big) : big;
    }
  }
  throw new RangeError('unreachable');
}

/** A varint that must be a non-negative safe integer (a size, a serial type). */
function count(data: Uint8Array, offset: number, limit: number, what: string): number {
  const value = varint(data, offset, limit);
  if (typeof value !== 'number' || value < 0) throw new RangeError(`${what} is out of range`);
  return value;
}

/** Bytes a value of this serial type takes in the record body. */
function serialSize(type: number): number {
  if (type >= 12) return Math.floor((type - 12) / 2);
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][type] as number;
}

/**
 * Column `column` of a record. The rows read in bulk are `[NULL (the rowid alias), BLOB, …]`: their blob
 * columns come back as views without decoding the rest; anything else goes through `decodeRecord`.
 */
export function recordColumn(record: Uint8Array, column: number): SqlValue {
  const headerSize = count(record, 0, record.length, 'the record header size');
  if (headerSize > record.length) throw new RangeError('the record header does not fit the record');
  let at = varintLength;
  let body = headerSize;
  for (let i = 0; at < headerSize; i++) {
    const type = count(record, at, headerSize, 'a serial type');
    at += varintLength;
    if (i === column) {
      if (type >= 12 && type % 2 === 0) {
        const length = (type - 12) / 2;
        if (body + length > record.length) throw new RangeError('a record value runs past the record');
        return record.subarray(body, body + length);
      }
      return decodeRecord(record)[column] ?? null;
    }
    body += serialSize(type);
  }
  return null;
}

/** Decodes a record (https://sqlite.org/fileformat2.html#record_format) into its column values. */
export function decodeRecord(record: Uint8Array): SqlValue[] {
  const headerSize = count(record, 0, record.length, 'the record header size');
  const first = varintLength;
  if (headerSize < first || headerSize > record.length) throw new RangeError('the record header does not fit the record');
  const types: number[] = [];
  for (let at = first; at < headerSize; ) {
    types.push(count(record, at, headerSize, 'a serial type'));
    at += varintLength;
  }
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const values: SqlValue[] = [];
  let at = headerSize;
  const need = (bytes: number): void => {
    if (at + bytes > record.length) throw new RangeError('a record value runs past the record');
  };
  for (const type of types) {
    switch (type) {
      case 0:
        values.push(null);
        break;
      case 1:
        need(1);
        values.push(view.getInt8(at));
        at += 1;
        break;
      case 2:
        need(2);
        values.push(view.getInt16(at));
        at += 2;
        break;
      case 3:
        need(3);
        values.push((view.getInt8(at) << 16) | view.getUint16(at + 1));
        at += 3;
        break;
      case 4:
        need(4);
        values.push(view.getInt32(at));
        at += 4;
        break;
      case 5:
        need(6);
        values.push(view.getInt16(at) * 2 ** 32 + view.getUint32(at + 2));
        at += 6;
        break;
      case 6: {
        need(8);
        const big = view.getBigInt64(at);
        values.push(Number.isSafeInteger(Number(big)) ? Number(big) : big);
        at += 8;
        break;
      }
      case 7:
        need(8);
        values.push(view.getFloat64(at));
        at += 8;
        break;
      case 8:
        values.push(0);
        break;
      case 9:
        values.push(1);
        break;
      case 10:
      case 11:
        throw new RangeError(`reserved serial type ${type}`);
      default: {
        const length = Math.floor((type - 12) / 2);
        need(length);
        const bytes = record.subarray(at, at + length);
        values.push(type % 2 === 0 ? bytes : utf8.decode(bytes));
        at += length;
      }
    }
  }
  return values;
}

/** A small least-recently-used map. */
class Lru<K, V> {
  readonly #map = new Map<K, V>();
  constructor(
    readonly capacity: number,
    private readonly onEvict?: (value: V) => void,
  ) {}
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) {
      const oldest = this.#map.keys().next().value as K;
      const evicted = this.#map.get(oldest) as V;
      this.#map.delete(oldest);
      this.onEvict?.(evicted);
    }
  }
}

export class LedgerFileReader {
  readonly path: string;
  readonly pageSize: number;
  /** bytes of a page that hold content (page size minus the reserved bytes) */
  readonly usable: number;
  /** pages in the database as the WAL's last commit (or the database header) says */
  readonly pageCount: number;
  /** committed frames in the WAL that this reader lays over the database */
  readonly walFrames: number;
  readonly #fd: number;
  readonly #walFd: number | undefined;
  /** page number → offset of its newest committed copy in the WAL */
  readonly #wal: Map<number, number>;
  readonly #roots: Record<TableName, number>;
  readonly #dbStamp: FileStamp;
  readonly #walStamp: FileStamp | undefined;
  readonly #walHeader: Buffer | undefined;
  readonly #interior = new Lru<number, BtreePage>(INTERIOR_CACHE);
  readonly #leaves = new Lru<number, BtreePage>(LEAF_CACHE);
  #closed = false;

  private constructor(path: string) {
    this.path = path;
    const fd = LedgerFileReader.#openForReading(path);
    this.#fd = fd;
    let walFd: number | undefined;
    try {
      this.#dbStamp = stampOf(fs.fstatSync(fd, { bigint: true }));
      LedgerFileReader.#refuseHotJournal(path);
      const header = Buffer.alloc(100);
      if (!readFully(fd, header, 0, 100, 0) || header.toString('latin1', 0, 16) !== DB_MAGIC) this.#malformed('it is not an SQLite 3 database');
      const rawPageSize = header.readUInt16BE(16);
      const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
      if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) this.#malformed(`page size ${rawPageSize} is not valid`);
      this.pageSize = pageSize;
      this.usable = pageSize - (header[20] as number);
      if (this.usable < 480) this.#malformed('the reserved space leaves too little of each page');

      // The WAL, read as SQLite's recovery reads it. Opened only if it exists: never created.
      const walPath = `${path}-wal`;
      try {
        walFd = fs.openSync(walPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      this.#wal = new Map();
      let pageCount: number | undefined;
      if (walFd !== undefined) {
        this.#walStamp = stampOf(fs.fstatSync(walFd, { bigint: true }));
        const wal = this.#indexWal(walFd, Number(this.#walStamp.size));
        this.#walHeader = wal.header;
        pageCount = wal.pageCount;
        this.walFrames = wal.frames;
      } else {
        this.walFrames = 0;
      }
      this.#walFd = walFd;
      if (pageCount === undefined) {
        // No committed WAL frames: the header's size when it is current (SQLite's rule), else the file's.
        const inHeader = header.readUInt32BE(28);
        const current = header.readUInt32BE(24) === header.readUInt32BE(92);
        pageCount = current && inHeader > 0 ? inHeader : Math.floor(Number(this.#dbStamp.size) / pageSize);
      }
      this.pageCount = pageCount;
      const page1 = this.#page(1);
      const encoding = new DataView(page1.buffer, page1.byteOffset, page1.byteLength).getUint32(56);
      if (encoding !== 1 && encoding !== 0) this.#malformed('its text encoding is not UTF-8');
      this.#roots = this.#readSchema();
    } catch (e) {
      fs.closeSync(fd);
      if (walFd !== undefined) fs.closeSync(walFd);
      throw LedgerFileReader.#asVigil(e, path);
    }
  }

  /** Opens the ledger file at `path` for reading. IO_ERROR when it is missing, unreadable or not a ledger. */
  static open(path: string): LedgerFileReader {
    return new LedgerFileReader(path);
  }

  static #openForReading(path: string): number {
    try {
      const fd = fs.openSync(path, fs.constants.O_RDONLY);
      if (!fs.fstatSync(fd).isFile()) {
        fs.closeSync(fd);
        throw new VigilError('IO_ERROR', `${path} is not a file`);
      }
      return fd;
    } catch (e) {
      if (e instanceof VigilError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
      throw new VigilError('IO_ERROR', `cannot read the ledger file ${path}: ${why}`, undefined, { cause: e });
    }
  }

  /** A rollback journal may hold the only copy of pages a crashed writer half-overwrote: refuse to guess. */
  static #refuseHotJournal(path: string): void {
    let fd: number;
    try {
      fd = fs.openSync(`${path}-journal`, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return;
    }
    try {
      const head = Buffer.alloc(8);
      if (readFully(fd, head, 0, 8, 0) && head.equals(JOURNAL_MAGIC)) {
        throw new VigilError('IO_ERROR', `${path}-journal holds a rollback journal: the file may hold a half-written transaction (Vigil never uses one); verify a copy recovered with sqlite3`);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  static #asVigil(e: unknown, path: string): VigilError {
    if (e instanceof VigilError) return e;
    if (e instanceof RangeError) return new VigilError('IO_ERROR', `${path} is not a readable ledger file: ${e.message}`, undefined, { cause: e });
    return new VigilError('IO_ERROR', `cannot read the ledger file ${path}: ${(e as Error).message}`, undefined, { cause: e });
  }

  #malformed(why: string): never {
    throw new VigilError('IO_ERROR', `${this.path} is not a readable ledger file: ${why}`);
  }

  /** Indexes the WAL's committed frames: page → offset of the newest committed copy. */
  #indexWal(walFd: number, size: number): { header: Buffer | undefined; pageCount: number | undefined; frames: number } {
    const header = Buffer.alloc(WAL_HEADER);
    if (size < WAL_HEADER || !readFully(walFd, header, 0, WAL_HEADER, 0)) return { header: undefined, pageCount: undefined, frames: 0 };
    const magic = header.readUInt32BE(0);
    const pageSize = header.readUInt32BE(8);
    // SQLite ignores a WAL whose magic or page size is not valid, or whose header checksum fails.
    if ((magic & 0xfffffffe) !== WAL_MAGIC || pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return { header, pageCount: undefined, frames: 0 };
    const bigEndian = (magic & 1) === 1;
    const sum: [number, number] = [0, 0];
    walChecksum(bigEndian, header, 0, 24, sum);
    if (sum[0] !== header.readUInt32BE(24) || sum[1] !== header.readUInt32BE(28)) return { header, pageCount: undefined, frames: 0 };
    if (header.readUInt32BE(4) !== WAL_VERSION) this.#malformed(`its WAL has format version ${header.readUInt32BE(4)}`);
    if (pageSize !== this.pageSize) this.#malformed(`its WAL has page size ${pageSize}, the database ${this.pageSize}`);
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    const frameSize = FRAME_HEADER + pageSize;
    const total = Math.floor((size - WAL_HEADER) / frameSize);
    const buffer = Buffer.allocUnsafeSlow(frameSize * WAL_READ_FRAMES);
    const pending = new Map<number, number>();
    let pageCount: number | undefined;
    let committed = 0;
    let frame = 0;
    scan: while (frame < total) {
      const batch = Math.min(WAL_READ_FRAMES, total - frame);
      const at = WAL_HEADER + frame * frameSize;
      if (!readFully(walFd, buffer, 0, batch * frameSize, at)) break;
      for (let i = 0; i < batch; i++, frame++) {
        const base = i * frameSize;
        const pgno = buffer.readUInt32BE(base);
        const commit = buffer.readUInt32BE(base + 4);
        if (pgno === 0 || buffer.readUInt32BE(base + 8) !== salt1 || buffer.readUInt32BE(base + 12) !== salt2) break scan;
        const next: [number, number] = [sum[0], sum[1]];
        walChecksum(bigEndian, buffer, base, base + 8, next);
        walChecksum(bigEndian, buffer, base + FRAME_HEADER, base + frameSize, next);
        if (next[0] !== buffer.readUInt32BE(base + 16) || next[1] !== buffer.readUInt32BE(base + 20)) break scan;
        sum[0] = next[0];
        sum[1] = next[1];
        pending.set(pgno, at + base + FRAME_HEADER);
        if (commit !== 0) {
          for (const [p, offset] of pending) this.#wal.set(p, offset);
          pending.clear();
          pageCount = commit;
          committed = frame + 1;
        }
      }
    }
    return { header, pageCount, frames: committed };
  }

  /**
   * The current content of page `pgno`: its newest committed WAL copy, else the database's. `bulk` (table
   * scans) reads the database in aligned blocks of BLOCK_BYTES kept in a small LRU, so a scan costs one
   * system call per block rather than one per page; point lookups read the one page.
   */
  #page(pgno: number, bulk = false): Uint8Array {
    if (this.#closed) throw new VigilError('IO_ERROR', 'the ledger file reader is closed');
    if (!Number.isSafeInteger(pgno) || pgno < 1 || pgno > this.pageCount) this.#malformed(`page ${pgno} is outside the database (${this.pageCount} pages)`);
    const inWal = this.#wal.get(pgno);
    if (inWal === undefined && bulk) return this.#blockPage(pgno);
    const buffer = this.#freshPage();
    const ok = inWal !== undefined ? readFully(this.#walFd as number, buffer, 0, this.pageSize, inWal) : readFully(this.#fd, buffer, 0, this.pageSize, (pgno - 1) * this.pageSize);
    if (!ok) this.#malformed(`page ${pgno} is cut short`);
    return buffer;
  }

  #blockPage(pgno: number): Uint8Array {
    const perBlock = Math.max(1, Math.floor(BLOCK_BYTES / this.pageSize));
    const block = Math.floor((pgno - 1) / perBlock);
    let cached = this.#blocks.get(block);
    if (cached === undefined) {
      const first = block * perBlock;
      const pages = Math.min(perBlock, this.pageCount - first);
      // Scans hand out copies of their rows, so the memory of a block that left the cache is reused.
      const spare = this.#spareBlocks.pop();
      const data = spare !== undefined && spare.length === pages * this.pageSize ? spare : new Uint8Array(Buffer.allocUnsafeSlow(pages * this.pageSize).buffer, 0, pages * this.pageSize);
      let filled = 0;
      // Read what the file holds of the block (pages past its end, if any, live in the WAL).
      for (;;) {
        const n = fs.readSync(this.#fd, data, filled, data.length - filled, first * this.pageSize + filled);
        if (n === 0) break;
        filled += n;
        if (filled === data.length) break;
      }
      cached = { data, filled };
      this.#blocks.set(block, cached);
    }
    const at = (pgno - 1 - block * perBlock) * this.pageSize;
    if (at + this.pageSize > cached.filled) this.#malformed(`page ${pgno} is cut short`);
    return cached.data.subarray(at, at + this.pageSize);
  }

  readonly #blocks = new Lru<number, { data: Uint8Array; filled: number }>(BLOCK_CACHE, (evicted) => {
    if (this.#spareBlocks.length < 2) this.#spareBlocks.push(evicted.data);
  });
  readonly #spareBlocks: Uint8Array[] = [];

  /**
   * Room for one page, cut from a slab of unzeroed memory (one allocation per SLAB_PAGES pages instead of
   * one zero-filled buffer per page). Never reused: records handed out are views into their page.
   */
  #freshPage(): Uint8Array {
    if (this.#slabUsed + this.pageSize > this.#slab.length) {
      this.#slab = Buffer.allocUnsafeSlow(Math.max(this.pageSize, SLAB_BYTES));
      this.#slabUsed = 0;
    }
    const page = new Uint8Array(this.#slab.buffer, this.#slab.byteOffset + this.#slabUsed, this.pageSize);
    this.#slabUsed += this.pageSize;
    return page;
  }

  #slab: Buffer = Buffer.alloc(0);
  #slabUsed = 0;

  /**
   * A copy of `bytes` that the caller may keep: cut from a shared slab of ROW_SLAB_BYTES (one allocation per
   * many rows; a slab is freed once no row of it is referenced), or its own buffer when large.
   */
  #keep(bytes: Uint8Array): Uint8Array {
    const n = bytes.length;
    if (n > ROW_SLAB_BYTES / 4) return bytes.slice();
    if (this.#rowSlabUsed + n > this.#rowSlab.length) {
      this.#rowSlab = new Uint8Array(Buffer.allocUnsafeSlow(ROW_SLAB_BYTES).buffer, 0, ROW_SLAB_BYTES);
      this.#rowSlabUsed = 0;
    }
    const out = this.#rowSlab.subarray(this.#rowSlabUsed, this.#rowSlabUsed + n);
    out.set(bytes);
    // Keep the next row 8-byte aligned (cheap, and friendly to the word-wise hashing that follows).
    this.#rowSlabUsed += (n + 7) & ~7;
    return out;
  }

  #rowSlab = new Uint8Array(0);
  #rowSlabUsed = 0;

  #btree(pgno: number, cache: boolean): BtreePage {
    const cached = this.#interior.get(pgno) ?? (cache ? this.#leaves.get(pgno) : undefined);
    if (cached) return cached;
    let data = this.#page(pgno, !cache);
    // Interior pages are kept: one read through a (reusable) scan block is copied out of it first.
    if (!cache && data[pgno === 1 ? 100 : 0] === PAGE_INTERIOR_TABLE) data = data.slice();
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const at = pgno === 1 ? 100 : 0;
    const type = data[at] as number;
    if (type !== PAGE_INTERIOR_TABLE && type !== PAGE_LEAF_TABLE) this.#malformed(`page ${pgno} is not a table b-tree page (type ${type})`);
    const cells = view.getUint16(at + 3);
    const pointers = at + (type === PAGE_INTERIOR_TABLE ? 12 : 8);
    if (pointers + 2 * cells > this.usable) this.#malformed(`page ${pgno} claims ${cells} cells`);
    const page: BtreePage = { pgno, data, view, type, cells, pointers, right: type === PAGE_INTERIOR_TABLE ? view.getUint32(at + 8) : 0 };
    if (type === PAGE_INTERIOR_TABLE) this.#interior.set(pgno, page);
    else if (cache) this.#leaves.set(pgno, page);
    return page;
  }

  #cellOffset(page: BtreePage, i: number): number {
    const offset = page.view.getUint16(page.pointers + 2 * i);
    if (offset < page.pointers + 2 * page.cells || offset >= this.usable) this.#malformed(`cell ${i} of page ${page.pgno} is out of place`);
    return offset;
  }

  /** Left child of interior cell i. */
  #child(page: BtreePage, i: number): number {
    const offset = this.#cellOffset(page, i);
    if (offset + 5 > this.usable) this.#malformed(`cell ${i} of page ${page.pgno} is cut short`);
    return page.view.getUint32(offset);
  }

  /** Key of interior cell i: the largest rowid in its left child. */
  #key(page: BtreePage, i: number): number | bigint {
    return varint(page.data, this.#cellOffset(page, i) + 4, this.usable);
  }

  /** Rowid of leaf cell i. */
  #leafRowid(page: BtreePage, i: number): number | bigint {
    const offset = this.#cellOffset(page, i);
    count(page.data, offset, this.usable, 'a record size');
    return varint(page.data, offset + varintLength, this.usable);
  }

  /** Index of the first cell of `page` whose key (interior) or rowid (leaf) is ≥ target. */
  #lowerBound(page: BtreePage, target: number): number {
    let lo = 0;
    let hi = page.cells;
    const leaf = page.type === PAGE_LEAF_TABLE;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((leaf ? this.#leafRowid(page, mid) : this.#key(page, mid)) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The record of leaf cell i, and its rowid through `this.#rowid`. */
  #cellRecord(page: BtreePage, i: number): Uint8Array {
    const offset = this.#cellOffset(page, i);
    const size = count(page.data, offset, this.usable, 'a record size');
    const at = offset + varintLength;
    this.#rowid = varint(page.data, at, this.usable);
    return this.#record(page, size, at + varintLength);
  }

  #rowid: number | bigint = 0;

  /** The record of a leaf cell, following its overflow chain (https://sqlite.org/fileformat2.html#cellformat). */
  #record(page: BtreePage, p: number, start: number): Uint8Array {
    const u = this.usable;
    const x = u - 35;
    let local = p;
    if (p > x) {
      const m = Math.floor(((u - 12) * 32) / 255) - 23;
      const k = m + ((p - m) % (u - 4));
      local = k <= x ? k : m;
    }
    if (start + local > u) this.#malformed(`a record on page ${page.pgno} runs past the page`);
    if (local === p) return page.data.subarray(start, start + p);
    if (start + local + 4 > u) this.#malformed(`a record on page ${page.pgno} runs past the page`);
    const out = new Uint8Array(p);
    out.set(page.data.subarray(start, start + local));
    let filled = local;
    let next = page.view.getUint32(start + local);
    const pages = Math.ceil((p - local) / (u - 4));
    for (let i = 0; i < pages; i++) {
      if (next === 0) this.#malformed(`an overflow chain from page ${page.pgno} ends early`);
      const data = this.#page(next, true);
      const take = Math.min(u - 4, p - filled);
      out.set(data.subarray(4, 4 + take), filled);
      filled += take;
      next = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
    }
    return out;
  }

  /**
   * Every row of a table in rowid order from the first rowid ≥ `from`: [rowid, record], or [rowid, value of
   * column `column`] when column ≥ 0 (taken here, so the caller's loop stays flat). Errors come out as
   * IO_ERROR.
   */
  *#rows(root: number, from: number, column: number): IterableIterator<[number, SqlValue]> {
    try {
      const stack: Array<{ page: BtreePage; next: number }> = [];
      const visited = new Uint8Array(this.pageCount + 1);
      let last = -1;
      // The leaf being walked is copied into memory this scan owns: the block it was read in is reused.
      const own = new Uint8Array(this.pageSize);
      const mine = (page: BtreePage): BtreePage => {
        own.set(page.data);
        return { ...page, data: own, view: new DataView(own.buffer) };
      };
      let leaf: BtreePage | undefined = mine(this.#descend(root, from > 0 ? from : undefined, stack, visited));
      let i = from > 0 ? this.#lowerBound(leaf, from) : 0;
      while (leaf) {
        for (; i < leaf.cells; i++) {
          const record = this.#cellRecord(leaf, i);
          const rowid = this.#rowid;
          if (typeof rowid !== 'number' || rowid <= last) this.#malformed(`rowids do not increase on page ${leaf.pgno}`);
          last = rowid;
          // A copy: the page's memory is reused once the scan has moved on.
          const value = column < 0 ? record : recordColumn(record, column);
          yield [rowid, value instanceof Uint8Array ? this.#keep(value) : value];
        }
        leaf = undefined;
        i = 0;
        while (stack.length > 0) {
          const top = stack[stack.length - 1] as { page: BtreePage; next: number };
          if (top.next > top.page.cells) {
            stack.pop();
            continue;
          }
          const child = top.next < top.page.cells ? this.#child(top.page, top.next) : top.page.right;
          top.next++;
          leaf = mine(this.#descend(child, undefined, stack, visited));
          break;
        }
      }
    } catch (e) {
      throw LedgerFileReader.#asVigil(e, this.path);
    }
  }

  /** From `pgno` down to a leaf (the leftmost, or the one where `target` belongs), pushing interior pages. */
  #descend(pgno: number, target: number | undefined, stack: Array<{ page: BtreePage; next: number }>, visited: Uint8Array): BtreePage {
    for (;;) {
      if (visited[pgno] === 1) this.#malformed(`page ${pgno} is reached twice in one table`);
      if (pgno >= 1 && pgno < visited.length) visited[pgno] = 1;
      const page = this.#btree(pgno, false);
      if (page.type === PAGE_LEAF_TABLE) return page;
      if (stack.length >= MAX_DEPTH) this.#malformed('a table b-tree is deeper than any real one');
      const i = target === undefined ? 0 : this.#lowerBound(page, target);
      stack.push({ page, next: i + 1 });
      pgno = i < page.cells ? this.#child(page, i) : page.right;
    }
  }

  /** The record of the row with this rowid, or undefined. */
  #get(root: number, rowid: number): Uint8Array | undefined {
    let pgno = root;
    for (let depth = 0; ; depth++) {
      if (depth > MAX_DEPTH) this.#malformed('a table b-tree is deeper than any real one');
      const page = this.#btree(pgno, true);
      const i = this.#lowerBound(page, rowid);
      if (page.type === PAGE_LEAF_TABLE) {
        if (i === page.cells) return undefined;
        const record = this.#cellRecord(page, i);
        return this.#rowid === rowid ? record : undefined;
      }
      pgno = i < page.cells ? this.#child(page, i) : page.right;
    }
  }

  /** The largest rowid of a table and its record, or undefined for an empty table. */
  #last(root: number): [number | bigint, Uint8Array] | undefined {
    let pgno = root;
    for (let depth = 0; ; depth++) {
      if (depth > MAX_DEPTH) this.#malformed('a table b-tree is deeper than any real one');
      const page = this.#btree(pgno, true);
      if (page.type === PAGE_INTERIOR_TABLE) {
        pgno = page.right;
        continue;
      }
      if (page.cells === 0) {
        if (depth === 0) return undefined;
        this.#malformed(`leaf page ${pgno} is empty`);
      }
      const record = this.#cellRecord(page, page.cells - 1);
      return [this.#rowid, record];
    }
  }

  #readSchema(): Record<TableName, number> {
    const found = new Map<string, { root: number; sql: string }>();
    for (const [, record] of this.#rows(1, 0, -1)) {
      const [type, name, , root, sql] = decodeRecord(record as Uint8Array);
      if (type === 'table' && typeof name === 'string' && typeof root === 'number' && typeof sql === 'string') found.set(name, { root, sql });
    }
    const roots = {} as Record<TableName, number>;
    for (const [name, definition] of Object.entries(TABLES) as Array<[TableName, string]>) {
      const table = found.get(name);
      if (!table) this.#malformed(`it has no ${name} table: it is not a Vigil ledger`);
      if (table.sql.replace(/\s+/g, ' ').trim() !== definition) this.#malformed(`its ${name} table is not defined as a Vigil ledger defines it`);
      roots[name] = table.root;
    }
    return roots;
  }

  #column(record: Uint8Array, i: number): SqlValue {
    return this.#guard(() => recordColumn(record, i));
  }

  /** Number of entries (highest index + 1), as LedgerStore.size() counts. */
  size(): number {
    const last = this.#guard(() => this.#last(this.#roots.entries));
    if (last === undefined) return 0;
    const [rowid] = last;
    return typeof rowid === 'number' && rowid >= 0 ? rowid + 1 : this.#malformed(`the last entry has index ${String(rowid)}`);
  }

  /** Every entry in index order: the stored leaf (bytes, or whatever value the row holds). */
  *iterateLeaves(from = 0): IterableIterator<{ index: number; leaf: Uint8Array }> {
    for (const [index, leaf] of this.#rows(this.#roots.entries, from, 1)) yield { index, leaf: leaf as Uint8Array };
  }

  /** Every stored payload in index order. */
  *iteratePayloads(): IterableIterator<{ index: number; salt: Uint8Array; body: Uint8Array }> {
    for (const [index, record] of this.#rows(this.#roots.payloads, 0, -1)) {
      let salt: SqlValue;
      let body: SqlValue;
      try {
        salt = recordColumn(record as Uint8Array, 1);
        body = recordColumn(record as Uint8Array, 2);
      } catch (e) {
        throw LedgerFileReader.#asVigil(e, this.path);
      }
      yield { index, salt: salt as Uint8Array, body: body as Uint8Array };
    }
  }

  /** Every stored checkpoint, by size. */
  checkpoints(): Array<{ size: number; note: string }> {
    return [...this.#rows(this.#roots.checkpoints, 0, 1)].map(([size, note]) => ({ size, note: noteText(note) }));
  }

  latestCheckpoint(): { size: number; note: string } | undefined {
    const last = this.#guard(() => this.#last(this.#roots.checkpoints));
    return last === undefined ? undefined : { size: Number(last[0]), note: noteText(this.#guard(() => recordColumn(last[1], 1))) };
  }

  readLeaf(index: number): Uint8Array | undefined {
    const record = this.#guard(() => this.#get(this.#roots.entries, index));
    if (record === undefined) return undefined;
    const leaf = this.#column(record, 1);
    return leaf instanceof Uint8Array ? leaf : undefined;
  }

  readNode(pos: number): Uint8Array | undefined {
    const record = this.#guard(() => this.#get(this.#roots.nodes, pos));
    if (record === undefined) return undefined;
    const hash = this.#column(record, 1);
    return hash instanceof Uint8Array ? hash : undefined;
  }

  readPayload(index: number): StoredPayload {
    return this.#guard(() => {
      const record = this.#get(this.#roots.payloads, index);
      if (record !== undefined) {
        const values = decodeRecord(record);
        const salt = values[1];
        const body = values[2];
        if (salt instanceof Uint8Array && body instanceof Uint8Array) return { state: 'present', salt, body };
        return { state: 'present', salt: new Uint8Array(0), body: new Uint8Array(0) };
      }
      const erased = this.#get(this.#roots.erased_payloads, index);
      if (erased !== undefined) {
        const by = this.#column(erased, 1);
        if (typeof by === 'number') return { state: 'erased', erasureIndex: by };
      }
      return { state: 'missing' };
    });
  }

  /**
   * Whether the database file or its WAL changed since the reader opened (size, modification and change
   * times, inode; the WAL's header too). A writer's checkpoint rewrites database pages: whatever was read
   * while it did may be torn.
   */
  changed(): boolean {
    try {
      if (!sameStamp(this.#dbStamp, statOrUndefined(this.path))) return true;
      const walPath = `${this.path}-wal`;
      const wal = statOrUndefined(walPath);
      if (!sameStamp(this.#walStamp, wal)) return true;
      if (wal !== undefined && this.#walHeader !== undefined && this.#walFd !== undefined) {
        const header = Buffer.alloc(WAL_HEADER);
        if (!readFully(this.#walFd, header, 0, WAL_HEADER, 0) || !header.equals(this.#walHeader)) return true;
      }
      return false;
    } catch {
      return true;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.#fd);
    if (this.#walFd !== undefined) fs.closeSync(this.#walFd);
  }

  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw LedgerFileReader.#asVigil(e, this.path);
    }
  }

}

function noteText(value: SqlValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return utf8.decode(value);
  return String(value);
}

/**
 * The file in the shape the verification engine reads (structurally `LedgerEvidence` from audit/), like
 * `storeEvidence` does for a LedgerStore: entries and payloads streamed in index order, checkpoints as notes.
 */
export function fileEvidence(reader: LedgerFileReader, options: { payloads?: boolean } = {}): {
  entries: Iterable<{ index: number; leaf: Uint8Array }>;
  checkpoints: string[];
  payloads?: Iterable<{ index: number; salt: Uint8Array; body: Uint8Array }>;
} {
  const entries = { [Symbol.iterator]: () => reader.iterateLeaves() };
  const checkpoints = reader.checkpoints().map((c) => c.note);
  if (options.payloads === false) return { entries, checkpoints };
  return { entries, checkpoints, payloads: { [Symbol.iterator]: () => reader.iteratePayloads() } };
}
