/**
 * Bearer tokens for the service: scoped, short-lived, narrowed to one agent (and optionally one task),
 * revocable. Only a SHA-256 hash of each token's secret is stored (in `tokens.db` beside the ledger), and
 * the hash is compared in constant time. A token reads `vigil_<id>_<secret>`: the id is public (it is
 * written as `credential` on every entry the token produces), the secret is 256 random bits.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { VigilError } from '../errors.js';
import { constantTimeEqual, randomBytes, sha256 } from '../tlog/index.js';

export const SCOPES = ['agent', 'auditor', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const TOKENS_FILE = 'tokens.db';
/** Minted tokens live this long unless asked otherwise, and never longer than the maximum. */
export const DEFAULT_TTL_SECONDS = 3600;
export const MAX_TTL_SECONDS = 90 * 24 * 3600;

export interface TokenInfo {
  id: string;
  scopes: Scope[];
  /** the only agent this token may act for; undefined: any agent */
  agent: string | undefined;
  /** the only task this token may act for; undefined: any task */
  task: string | undefined;
  createdAt: string;
  /** undefined: no expiry (the first admin token only) */
  expiresAt: string | undefined;
  revokedAt: string | undefined;
}

export interface MintRequest {
  scopes: readonly Scope[];
  agent?: string | undefined;
  task?: string | undefined;
  /** seconds until expiry; null: never (reserved for the first admin token) */
  ttlSeconds?: number | null | undefined;
}

interface Row {
  id: string;
  hash: Buffer;
  scopes: string;
  agent: string | null;
  task: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

const TOKEN_FORMAT = /^vigil_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** Token ids whose lookup is kept between calls, at most (the oldest goes first). */
const LOOKUP_CACHE_SIZE = 4096;
/** What an unknown id's secret is compared with, so that timing does not tell which ids exist. */
const NO_HASH = Buffer.alloc(32);

/** A row as looked up by id (undefined: no such token), with its grant built once. */
interface Lookup {
  row: Row | undefined;
  info: TokenInfo | undefined;
}

function hashSecret(secret: string): Buffer {
  return Buffer.from(sha256(Buffer.from(secret, 'utf8')));
}

function toInfo(row: Row): TokenInfo {
  return {
    id: row.id,
    scopes: row.scopes.split(',') as Scope[],
    agent: row.agent ?? undefined,
    task: row.task ?? undefined,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: row.expires_at === null ? undefined : new Date(row.expires_at).toISOString(),
    revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at).toISOString(),
  };
}

function freezeInfo(info: TokenInfo): TokenInfo {
  Object.freeze(info.scopes);
  return Object.freeze(info);
}

export class TokenStore {
  readonly #db: Database.Database;
  readonly #now: () => number;
  // Prepared once: verification runs on every authenticated request.
  readonly #byId: Database.Statement<[string], Row>;
  readonly #dataVersion: Database.Statement<[], number>;
  /**
   * Lookups by id, so that a busy token is not read and rebuilt on every request. Only what the table says
   * is kept, never an outcome: the secret is hashed and compared, and revocation and expiry are checked, on
   * every call. The cache is dropped whenever the table may have changed: this connection drops it on each
   * of its writes, and `PRAGMA data_version` (read on every call) moves when another connection, such as
   * `vigil tokens revoke` in another process, has committed; so a revocation counts from the next call.
   */
  readonly #lookups = new Map<string, Lookup>();
  #lookupsVersion: number | undefined;

  /** Opens (or creates) `tokens.db` in `dataDir`. `now` is for tests that need the clock to move. */
  constructor(dataDir: string, options: { now?: () => number } = {}) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.#db = new Database(path.join(dataDir, TOKENS_FILE));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS tokens (
      id TEXT PRIMARY KEY,
      hash BLOB NOT NULL,
      scopes TEXT NOT NULL,
      agent TEXT,
      task TEXT,
      created_at INTEGER NOT NULL,
      expires_at INTEGER,
      revoked_at INTEGER
    ) STRICT`);
    this.#now = options.now ?? Date.now;
    this.#byId = this.#db.prepare<[string], Row>('SELECT * FROM tokens WHERE id = ?');
    this.#dataVersion = this.#db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  /** Creates a token; the returned `token` string is shown once and never stored. */
  mint(request: MintRequest): TokenInfo & { token: string } {
    const scopes = [...new Set(request.scopes)];
    if (scopes.length === 0 || scopes.some((s) => !SCOPES.includes(s))) {
      throw new VigilError('INVALID_INPUT', `scopes must be a non-empty list of ${SCOPES.join(', ')}`, { path: 'scopes' });
    }
    const ttl = request.ttlSeconds === undefined ? DEFAULT_TTL_SECONDS : request.ttlSeconds;
    if (ttl !== null && !(Number.isInteger(ttl) && ttl > 0 && ttl <= MAX_TTL_SECONDS)) {
      throw new VigilError('INVALID_INPUT', `ttlSeconds must be an integer from 1 to ${MAX_TTL_SECONDS}`, { path: 'ttlSeconds' });
    }
    if (request.task !== undefined && request.agent === undefined) {
      throw new VigilError('INVALID_INPUT', 'a token narrowed to a task must also name its agent', { path: 'task' });
    }
    const id = Buffer.from(randomBytes(8)).toString('hex');
    const secret = Buffer.from(randomBytes(32)).toString('base64url');
    const now = this.#now();
    const row: Row = {
      id,
      hash: hashSecret(secret),
      scopes: scopes.join(','),
      agent: request.agent ?? null,
      task: request.task ?? null,
      created_at: now,
      expires_at: ttl === null ? null : now + ttl * 1000,
      revoked_at: null,
    };
    this.#db
      .prepare('INSERT INTO tokens (id, hash, scopes, agent, task, created_at, expires_at, revoked_at) VALUES (@id, @hash, @scopes, @agent, @task, @created_at, @expires_at, @revoked_at)')
      .run(row);
    this.#lookups.clear();
    return { ...toInfo(row), token: `vigil_${id}_${secret}` };
  }

  /**
   * The token's grant, or a VigilError: UNAUTHENTICATED (malformed, unknown or wrong secret),
   * TOKEN_REVOKED, TOKEN_EXPIRED. The secret is checked before anything about the token is revealed.
   */
  verify(token: string): TokenInfo {
    const m = TOKEN_FORMAT.exec(token);
    if (!m) throw new VigilError('UNAUTHENTICATED', 'the bearer token is malformed');
    const { row, info } = this.#lookup(m[1] as string);
    // Unknown ids are compared against a fixed hash too, so timing does not tell which ids exist.
    const expected = row?.hash ?? NO_HASH;
    const ok = constantTimeEqual(hashSecret(m[2] as string), expected) && row !== undefined;
    if (!ok || row === undefined || info === undefined) throw new VigilError('UNAUTHENTICATED', 'the bearer token is not valid');
    if (row.revoked_at !== null) throw new VigilError('TOKEN_REVOKED', 'the bearer token was revoked');
    if (row.expires_at !== null && this.#now() >= row.expires_at) throw new VigilError('TOKEN_EXPIRED', 'the bearer token has expired');
    return info;
  }

  /** The row of `id` as the table holds it now (see #lookups); unknown ids are kept too, for even timing. */
  #lookup(id: string): Lookup {
    const version = this.#dataVersion.get();
    if (version !== this.#lookupsVersion) {
      this.#lookups.clear();
      this.#lookupsVersion = version;
    }
    let found = this.#lookups.get(id);
    if (found === undefined) {
      const row = this.#byId.get(id);
      // Frozen: one grant object is handed to every request made with the token.
      found = { row, info: row === undefined ? undefined : freezeInfo(toInfo(row)) };
      if (this.#lookups.size >= LOOKUP_CACHE_SIZE) this.#lookups.delete(this.#lookups.keys().next().value as string);
      this.#lookups.set(id, found);
    }
    return found;
  }

  /** Revokes a token; false when there is no such token or it was revoked already. */
  revoke(id: string): boolean {
    const changed = this.#db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.#now(), id).changes === 1;
    this.#lookups.clear();
    return changed;
  }

  get(id: string): TokenInfo | undefined {
    const row = this.#byId.get(id);
    return row === undefined ? undefined : toInfo(row);
  }

  list(): TokenInfo[] {
    return (this.#db.prepare('SELECT * FROM tokens ORDER BY created_at, id').all() as Row[]).map(toInfo);
  }

  /** Whether any admin token that can still be used exists (first start mints one when none does). */
  hasUsableAdmin(): boolean {
    const rows = this.#db.prepare("SELECT * FROM tokens WHERE revoked_at IS NULL AND (',' || scopes || ',') LIKE '%,admin,%'").all() as Row[];
    return rows.some((r) => r.expires_at === null || r.expires_at > this.#now());
  }

  close(): void {
    this.#db.close();
  }
}

/** Whether `grant` may act for `agent` and `task` (a token narrowed to one agent or task allows only that one). */
export function allowsSubject(grant: TokenInfo, agent: string, task: string | undefined): boolean {
  if (grant.agent !== undefined && grant.agent !== agent) return false;
  if (grant.task !== undefined && grant.task !== task) return false;
  return true;
}
