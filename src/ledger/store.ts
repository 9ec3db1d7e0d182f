/**
 * The ledger's SQLite file. This is the only module that imports better-sqlite3.
 *
 * Tables:
 * - entries(idx, leaf): the exact leaf bytes. Append-only: triggers abort UPDATE and DELETE.
 * - nodes(pos, hash): every complete Merkle subtree of level ≥ 1, keyed by its post-order position
 *   (the MMR numbering), so inserts are strictly increasing and proofs read O(log n) rows.
 * - checkpoints(size, note): one signed checkpoint per commit batch. Append-only.
 * - payloads(idx, salt, body): erasable. A row can be deleted only once an erased_payloads row
 *   names it, and that row is written in the same transaction as the erasure entry that explains it.
 * - erased_payloads(idx, erasure_idx), signing_keys(seq, since_index, vkey), meta(key, value): append-only.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { VigilError } from '../errors.js';
import { leafHash, type NodeSource } from '../tlog/index.js';

export type Synchronous = 'FULL' | 'NORMAL';

export interface StoreOptions {
  /** FULL (default): an acknowledged commit survives power loss. NORMAL: survives a process crash only. */
  synchronous?: Synchronous;
  readonly?: boolean;
}

export interface NodeRow {
  pos: number;
  hash: Uint8Array;
}

export interface EntryRow {
  idx: number;
  leaf: Uint8Array;
}

export interface PayloadRow {
  idx: number;
  salt: Uint8Array;
  body: Uint8Array;
}

/** Everything one group commit writes, in one transaction. */
export interface BatchWrite {
  entries: EntryRow[];
  payloads: PayloadRow[];
  nodes: NodeRow[];
  checkpoint: { size: number; note: string };
  erasures: Array<{ erasureIndex: number; indexes: number[] }>;
  signingKey?: { sinceIndex: number; vkey: string };
  /** the data-subject index: each entry's subject pseudonyms (as in its leaf) */
  subjects?: Array<{ subject: string; idx: number }>;
}

export type StoredPayload = { state: 'present'; salt: Uint8Array; body: Uint8Array } | { state: 'erased'; erasureIndex: number } | { state: 'missing' };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS entries (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS nodes (pos INTEGER PRIMARY KEY, hash BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS payloads (idx INTEGER PRIMARY KEY, salt BLOB NOT NULL, body BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS erased_payloads (idx INTEGER PRIMARY KEY, erasure_idx INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS signing_keys (seq INTEGER PRIMARY KEY, since_index INTEGER, vkey TEXT NOT NULL) STRICT;
-- The data-subject index: keyed pseudonyms (never identifiers) to entry indexes, so that finding a
-- person's entries is an index lookup. Derived from the leaves (each entry's "subjects" field).
CREATE TABLE IF NOT EXISTS subjects (subject TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (subject, idx)) STRICT, WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: entries cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: entries cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS nodes_no_update BEFORE UPDATE ON nodes
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: tree nodes cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS nodes_no_delete BEFORE DELETE ON nodes
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: tree nodes cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_update BEFORE UPDATE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: checkpoints cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete BEFORE DELETE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: checkpoints cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS payloads_no_update BEFORE UPDATE ON payloads
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: payloads cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS payloads_delete_only_erased BEFORE DELETE ON payloads
  WHEN NOT EXISTS (SELECT 1 FROM erased_payloads WHERE idx = OLD.idx)
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: a payload can be removed only by an erasure entry'); END;
CREATE TRIGGER IF NOT EXISTS erased_no_update BEFORE UPDATE ON erased_payloads
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: erasure records cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS erased_no_delete BEFORE DELETE ON erased_payloads
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: erasure records cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS subjects_no_update BEFORE UPDATE ON subjects
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: the subject index cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS subjects_no_delete BEFORE DELETE ON subjects
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: the subject index cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS keys_no_update BEFORE UPDATE ON signing_keys
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: key history cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS keys_no_delete BEFORE DELETE ON signing_keys
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: key history cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_update BEFORE UPDATE ON meta
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: ledger metadata cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_delete BEFORE DELETE ON meta
  BEGIN SELECT RAISE(ABORT, 'LEDGER_APPEND_ONLY: ledger metadata cannot be deleted'); END;
`;

/** Page size of a new ledger file. */
export const PAGE_SIZE = 16384;

/** Leaves per query when streaming the ledger to the verifier. */
const LEAF_CHUNK = 1024;

/** Rows per multi-row INSERT in a commit batch. */
const ROWS_PER_STATEMENT = 50;

/** Post-order (MMR) position of the complete subtree (level, index): creation order is position order. */
export function nodePosition(level: number, index: number): number {
  const lastLeaf = (index + 1) * 2 ** level - 1;
  return 2 * lastLeaf - popcount(lastLeaf) + level;
}

function popcount32(n: number): number {
  n = n - ((n >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function popcount(n: number): number {
  return popcount32(n >>> 0) + popcount32(Math.floor(n / 0x100000000) >>> 0);
}

function asBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function translate(e: unknown, what: string): VigilError {
  if (e instanceof VigilError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (message.includes('LEDGER_APPEND_ONLY')) return new VigilError('LEDGER_APPEND_ONLY', message, undefined, { cause: e });
  return new VigilError('LEDGER_COMMIT_FAILED', `${what}: ${message}`, undefined, { cause: e });
}

export class LedgerStore {
  readonly path: string;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly stmt: {
    insertCheckpoint: Database.Statement<[number, string]>;
    insertErased: Database.Statement<[number, number]>;
    deletePayload: Database.Statement<[number]>;
    insertKey: Database.Statement<[number | null, string]>;
    readLeaf: Database.Statement<[number], { leaf: Buffer }>;
    readNode: Database.Statement<[number], { hash: Buffer }>;
    readPayload: Database.Statement<[number], { salt: Buffer; body: Buffer }>;
    readErased: Database.Statement<[number], { erasure_idx: number }>;
    maxIdx: Database.Statement<[], { n: number | null }>;
    latestCheckpoint: Database.Statement<[], { size: number; note: string }>;
  };
  private readonly commitTx: (batch: BatchWrite) => void;

  private constructor(path: string, options: StoreOptions) {
    this.path = path;
    this.readonly = options.readonly ?? false;
    try {
      // The file holds payloads: create it readable by its owner only (SQLite gives the WAL the same mode).
      if (!this.readonly && !fs.existsSync(path)) fs.writeFileSync(path, '', { mode: 0o600, flag: 'wx' });
      this.db = new Database(path, { readonly: this.readonly, fileMustExist: this.readonly });
    } catch (e) {
      throw new VigilError('IO_ERROR', `cannot open ledger database ${path}: ${(e as Error).message}`, undefined, { cause: e });
    }
    if (!this.readonly) {
      // Only takes effect on a new, empty file. 16 KiB pages pack ~1 KiB payload rows without the
      // quarter-page waste of 4 KiB pages, and make appends faster (measured: bench/README.md).
      this.db.pragma(`page_size = ${PAGE_SIZE}`);
      this.db.pragma('journal_mode = WAL');
      this.db.exec(SCHEMA);
    }
    // Set explicitly on every open: durability must never depend on a compiled-in default.
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    const db = this.db;
    this.stmt = {
      insertCheckpoint: db.prepare('INSERT INTO checkpoints (size, note) VALUES (?, ?)'),
      insertErased: db.prepare('INSERT INTO erased_payloads (idx, erasure_idx) VALUES (?, ?)'),
      deletePayload: db.prepare('DELETE FROM payloads WHERE idx = ?'),
      insertKey: db.prepare('INSERT INTO signing_keys (since_index, vkey) VALUES (?, ?)'),
      readLeaf: db.prepare('SELECT leaf FROM entries WHERE idx = ?'),
      readNode: db.prepare('SELECT hash FROM nodes WHERE pos = ?'),
      readPayload: db.prepare('SELECT salt, body FROM payloads WHERE idx = ?'),
      readErased: db.prepare('SELECT erasure_idx FROM erased_payloads WHERE idx = ?'),
      maxIdx: db.prepare('SELECT MAX(idx) AS n FROM entries'),
      latestCheckpoint: db.prepare('SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1'),
    };
    this.commitTx = db.transaction((batch: BatchWrite) => {
      this.insertRows('entries', ['idx', 'leaf'], batch.entries, (e) => [e.idx, e.leaf]);
      this.insertRows('payloads', ['idx', 'salt', 'body'], batch.payloads, (p) => [p.idx, p.salt, p.body]);
      this.insertRows('nodes', ['pos', 'hash'], batch.nodes, (n) => [n.pos, n.hash]);
      for (const er of batch.erasures) {
        for (const idx of er.indexes) {
          this.stmt.insertErased.run(idx, er.erasureIndex);
          this.stmt.deletePayload.run(idx);
        }
      }
      if (batch.subjects) this.insertRows('subjects', ['subject', 'idx'], batch.subjects, (r) => [r.subject, r.idx]);
      if (batch.signingKey) this.stmt.insertKey.run(batch.signingKey.sinceIndex, batch.signingKey.vkey);
      this.stmt.insertCheckpoint.run(batch.checkpoint.size, batch.checkpoint.note);
    });
  }

  private readonly multiRow = new Map<string, Database.Statement<unknown[]>>();

  /**
   * Inserts rows ROWS_PER_STATEMENT at a time with one multi-row INSERT: the per-call cost of crossing into
   * SQLite, not SQLite itself, dominates single-row inserts of small rows.
   */
  private insertRows<T>(table: string, columns: readonly string[], rows: readonly T[], values: (row: T) => unknown[]): void {
    let i = 0;
    for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
      const params: unknown[] = [];
      for (let j = i; j < i + ROWS_PER_STATEMENT; j++) params.push(...values(rows[j] as T));
      this.statementFor(table, columns, ROWS_PER_STATEMENT).run(params);
    }
    for (; i < rows.length; i++) this.statementFor(table, columns, 1).run(values(rows[i] as T));
  }

  private statementFor(table: string, columns: readonly string[], rows: number): Database.Statement<unknown[]> {
    const key = `${table}/${rows}`;
    let stmt = this.multiRow.get(key);
    if (!stmt) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      stmt = this.db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`);
      this.multiRow.set(key, stmt);
    }
    return stmt;
  }

  static open(path: string, options: StoreOptions = {}): LedgerStore {
    return new LedgerStore(path, options);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** Writes metadata once (create-time facts such as the origin); the triggers refuse later changes. */
  initMeta(values: Record<string, string>, initialKey: string): void {
    const tx = this.db.transaction(() => {
      const insert = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      for (const [k, v] of Object.entries(values)) insert.run(k, v);
      this.stmt.insertKey.run(null, initialKey);
    });
    try {
      tx();
    } catch (e) {
      throw translate(e, 'cannot initialise the ledger');
    }
  }

  /**
   * The entries whose `subjects` hold this pseudonym, ascending: a lookup in the subject index (its primary
   * key), not a scan. A ledger file from before the index existed has none.
   */
  indexesForSubject(pseudonym: string): number[] {
    try {
      const rows = this.db.prepare('SELECT idx FROM subjects WHERE subject = ? ORDER BY idx').all(pseudonym) as Array<{ idx: number }>;
      return rows.map((r) => r.idx);
    } catch (e) {
      if (/no such table/.test((e as Error).message)) return [];
      throw translate(e, 'cannot read the subject index');
    }
  }

  /** Number of entries (highest index + 1). */
  size(): number {
    const n = this.stmt.maxIdx.get()?.n;
    return n === null || n === undefined ? 0 : n + 1;
  }

  /**
   * Writes one commit batch in one transaction. MUST return only once the transaction is committed (with
   * synchronous=FULL, on stable storage); on any failure nothing of the batch is stored and it throws.
   */
  commitBatch(batch: BatchWrite): void {
    try {
      this.commitTx(batch);
    } catch (e) {
      throw translate(e, 'commit failed');
    }
  }

  readLeaf(idx: number): Uint8Array | undefined {
    const row = this.stmt.readLeaf.get(idx);
    return row ? asBytes(row.leaf) : undefined;
  }

  readNode(pos: number): Uint8Array | undefined {
    const row = this.stmt.readNode.get(pos);
    return row ? asBytes(row.hash) : undefined;
  }

  readPayload(idx: number): StoredPayload {
    const row = this.stmt.readPayload.get(idx);
    if (row) return { state: 'present', salt: asBytes(row.salt), body: asBytes(row.body) };
    const erased = this.stmt.readErased.get(idx);
    if (erased) return { state: 'erased', erasureIndex: erased.erasure_idx };
    return { state: 'missing' };
  }

  latestCheckpoint(): { size: number; note: string } | undefined {
    return this.stmt.latestCheckpoint.get();
  }

  *iterateCheckpoints(): IterableIterator<{ size: number; note: string }> {
    yield* this.db.prepare('SELECT size, note FROM checkpoints ORDER BY size').iterate() as IterableIterator<{ size: number; note: string }>;
  }

  /**
   * Every entry in index order, read LEAF_CHUNK rows per query: SQLite concatenates the chunk's leaves into
   * one blob (byte for byte: text concatenation does not transcode in a UTF-8 database; tested with
   * arbitrary bytes) and lists their lengths, so a million leaves cost a thousand rows.
   *
   * The rows come from an ordered subquery over the primary key, which SQLite reads in key order without a
   * sort (an ORDER BY inside group_concat sorts every chunk, and cost four times the whole read). SQL does
   * not promise that an aggregate sees rows in the subquery's order, so the query also lists the indexes,
   * gathered in the same pass as the leaves: a chunk is used only when that list is exactly start, start+1,
   * … in order. Any other chunk (out of order, or with indexes removed or added behind the ledger's back) is
   * read row by row, so the verifier sees exactly what is stored, gaps included.
   */
  *iterateLeavesChunked(chunk = LEAF_CHUNK): IterableIterator<{ index: number; leaf: Uint8Array }> {
    const max = this.stmt.maxIdx.get()?.n;
    if (max === null || max === undefined) return;
    const chunks = this.#readChunks<{ index: number; leaf: Buffer }>(
      max,
      chunk,
      "SELECT count(*) AS n, CAST(group_concat(leaf, '') AS BLOB) AS bytes, group_concat(length(leaf), ',') AS lengths, group_concat(idx, ',') AS indexes FROM (SELECT idx, leaf FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx)",
      'SELECT idx AS "index", leaf FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx',
    );
    for (const c of chunks) {
      if ('rows' in c) {
        for (const row of c.rows) yield { index: row.index, leaf: asBytes(row.leaf) };
        continue;
      }
      let offset = c.bytes.byteOffset;
      for (let i = 0; i < c.lengths.length; i++) {
        const length = Number(c.lengths[i]);
        yield { index: c.start + i, leaf: new Uint8Array(c.bytes.buffer, offset, length) };
        offset += length;
      }
    }
  }

  /** Every stored payload in index order, read like iterateLeavesChunked (salt ‖ body per row, then split). */
  *iteratePayloadsChunked(chunk = LEAF_CHUNK): IterableIterator<{ index: number; salt: Uint8Array; body: Uint8Array }> {
    const max = (this.db.prepare('SELECT MAX(idx) AS n FROM payloads').get() as { n: number | null }).n;
    if (max === null) return;
    const chunks = this.#readChunks<{ index: number; salt: Buffer; body: Buffer }>(
      max,
      chunk,
      "SELECT count(*) AS n, CAST(group_concat(CAST(salt AS TEXT) || CAST(body AS TEXT), '') AS BLOB) AS bytes, group_concat(length(salt) || ':' || length(body), ',') AS lengths, group_concat(idx, ',') AS indexes FROM (SELECT idx, salt, body FROM payloads WHERE idx >= ? AND idx < ? ORDER BY idx)",
      'SELECT idx AS "index", salt, body FROM payloads WHERE idx >= ? AND idx < ? ORDER BY idx',
    );
    for (const c of chunks) {
      if ('rows' in c) {
        for (const row of c.rows) yield { index: row.index, salt: asBytes(row.salt), body: asBytes(row.body) };
        continue;
      }
      let offset = c.bytes.byteOffset;
      for (let i = 0; i < c.lengths.length; i++) {
        const [saltLength, bodyLength] = (c.lengths[i] as string).split(':').map(Number) as [number, number];
        const salt = new Uint8Array(c.bytes.buffer, offset, saltLength);
        const body = new Uint8Array(c.bytes.buffer, offset + saltLength, bodyLength);
        offset += saltLength + bodyLength;
        yield { index: c.start + i, salt, body };
      }
    }
  }

  /**
   * The chunks behind both chunked readers: for each range [start, start + chunk) up to `max`, either the
   * rows' bytes concatenated with one length entry per row (when the indexes listed in the same pass run
   * start, start+1, … in order), or the rows read one by one (gaps, rows out of order).
   */
  *#readChunks<Row>(max: number, chunk: number, chunkedSql: string, rowwiseSql: string): IterableIterator<{ start: number; bytes: Buffer; lengths: string[] } | { rows: Iterable<Row> }> {
    const chunked = this.db.prepare(chunkedSql);
    const rowwise = this.db.prepare(rowwiseSql);
    for (let start = 0; start <= max; start += chunk) {
      const end = start + chunk;
      const c = chunked.get(start, end) as { n: number; bytes: Buffer | null; lengths: string | null; indexes: string | null };
      if (c.n === 0) continue;
      const lengths = c.lengths?.split(',');
      if (c.bytes === null || lengths === undefined || lengths.length !== c.n || !isRun(c.indexes, start, c.n)) {
        yield { rows: rowwise.iterate(start, end) as IterableIterator<Row> };
        continue;
      }
      yield { start, bytes: c.bytes, lengths };
    }
  }

  signingKeys(): Array<{ sinceIndex: number | null; vkey: string }> {
    const rows = this.db.prepare('SELECT since_index, vkey FROM signing_keys ORDER BY seq').all() as Array<{ since_index: number | null; vkey: string }>;
    return rows.map((r) => ({ sinceIndex: r.since_index, vkey: r.vkey }));
  }

  /** The synchronous mode in force on this connection. */
  synchronousMode(): string {
    const n = this.db.pragma('synchronous', { simple: true }) as number;
    return ['OFF', 'NORMAL', 'FULL', 'EXTRA'][n] ?? String(n);
  }

  checkpointWal(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}

/**
 * The stored ledger in the shape the verification engine reads (structurally `LedgerEvidence` from audit/):
 * entries and payloads streamed in index order, checkpoints as signed notes.
 */
export function storeEvidence(store: LedgerStore, options: { payloads?: boolean } = {}): {
  entries: Iterable<{ index: number; leaf: Uint8Array }>;
  checkpoints: string[];
  payloads?: Iterable<{ index: number; salt: Uint8Array; body: Uint8Array }>;
} {
  // Leaves are read a chunk at a time (one row per chunk): this runs per entry, and a row per leaf costs
  // several times more than the verification of it.
  const entries = { [Symbol.iterator]: () => store.iterateLeavesChunked() };
  const checkpoints = [...store.iterateCheckpoints()].map((c) => c.note);
  if (options.payloads === false) return { entries, checkpoints };
  const payloads = { [Symbol.iterator]: () => store.iteratePayloadsChunked() };
  return { entries, checkpoints, payloads };
}

/** What proofs need from storage: exact leaf bytes by index and stored subtree hashes by post-order position. */
export interface StoredTree {
  readLeaf(index: number): Uint8Array | undefined;
  readNode(pos: number): Uint8Array | undefined;
}

/**
 * The tree's complete subtrees as stored: level 0 is the leaf hash of the stored leaf, higher levels the
 * `nodes` rows. O(1) reads each, so RFC 6962 proofs (tlog's inclusionProof / consistencyProof) read O(log n)
 * rows. Used by the ledger and by `vigil verify --db` over any reader of the file (LedgerStore or
 * LedgerFileReader). A missing node is LEDGER_INCONSISTENT.
 */
export function storedNodeSource(tree: StoredTree): NodeSource {
  return {
    node: (level: number, index: number): Uint8Array => {
      const hash = level === 0 ? leafHashOf(tree.readLeaf(index)) : tree.readNode(nodePosition(level, index));
      if (!hash) throw new VigilError('LEDGER_INCONSISTENT', `tree node (level ${level}, index ${index}) is missing`);
      return hash;
    },
  };
}

function leafHashOf(leaf: Uint8Array | undefined): Uint8Array | undefined {
  return leaf ? leafHash(leaf) : undefined;
}

/** Whether a comma-separated list of integers is exactly start, start+1, …, start+n-1. */
function isRun(list: string | null, start: number, n: number): boolean {
  if (list === null) return false;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const expected = String(start + i);
    if (!list.startsWith(expected, at)) return false;
    at += expected.length;
    if (i < n - 1) {
      if (list.charCodeAt(at) !== 0x2c) return false;
      at++;
    }
  }
  return at === list.length;
}
