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

export class TokenStore {
  readonly #db: Database.Database;
  readonly #now: () => number;
  // Prepared once: verification runs on every authenticated request.
  readonly #byId: Database.Statement<[string], Row>;

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
    return { ...toInfo(row), token: `vigil_${id}_${secret}` };
  }

  /**
   * The token's grant, or a VigilError: UNAUTHENTICATED (malformed, unknown or wrong secret),
   * TOKEN_REVOKED, TOKEN_EXPIRED. The secret is checked before anything about the token is revealed.
   */
  verify(token: string): TokenInfo {
    const m = TOKEN_FORMAT.exec(token);
    if (!m) throw new VigilError('UNAUTHENTICATED', 'the bearer token is malformed');
    const row = this.#byId.get(m[1] as string);
    // Unknown ids are compared against a fixed hash too, so timing does not tell which ids exist.
    const expected = row?.hash ?? Buffer.alloc(32);
    const ok = constantTimeEqual(hashSecret(m[2] as string), expected) && row !== undefined;
    if (!ok || row === undefined) throw new VigilError('UNAUTHENTICATED', 'the bearer token is not valid');
    if (row.revoked_at !== null) throw new VigilError('TOKEN_REVOKED', 'the bearer token was revoked');
    if (row.expires_at !== null && this.#now() >= row.expires_at) throw new VigilError('TOKEN_EXPIRED', 'the bearer token has expired');
    return toInfo(row);
  }

  /** Revokes a token; false when there is no such token or it was revoked already. */
  revoke(id: string): boolean {
    return this.#db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.#now(), id).changes === 1;
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
