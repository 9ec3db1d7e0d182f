/**
 * TokenStore keeps lookups between calls; these prove that nothing it keeps outlives a change: a revocation
 * (by this store or by another connection, as `vigil tokens revoke` in another process does) fails the very
 * next call, expiry is checked on every call, and a wrong secret never passes because the id verified before.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { TOKENS_FILE, TokenStore } from '../src/service/tokens.js';
import { codeOf, tempDir } from './support/token-store.js';

describe('token verification after a change', () => {
  it('fails the next call after a revocation by this store', () => {
    const store = new TokenStore(tempDir());
    const t = store.mint({ scopes: ['agent'] });
    for (let i = 0; i < 3; i++) expect(codeOf(() => store.verify(t.token))).toBeUndefined();
    store.revoke(t.id);
    expect(codeOf(() => store.verify(t.token))).toBe('TOKEN_REVOKED');
    store.close();
  });

  it('fails the next call after a revocation by another connection (the CLI in another process)', () => {
    const dir = tempDir();
    const service = new TokenStore(dir);
    const t = service.mint({ scopes: ['agent'] });
    expect(codeOf(() => service.verify(t.token))).toBeUndefined();
    const cli = new TokenStore(dir);
    expect(cli.revoke(t.id)).toBe(true);
    cli.close();
    expect(codeOf(() => service.verify(t.token))).toBe('TOKEN_REVOKED');
    // A raw write to the table counts too, whatever wrote it.
    const u = service.mint({ scopes: ['agent'] });
    expect(codeOf(() => service.verify(u.token))).toBeUndefined();
    const db = new Database(path.join(dir, TOKENS_FILE));
    db.prepare('UPDATE tokens SET scopes = ? WHERE id = ?').run('auditor', u.id);
    db.close();
    expect(service.verify(u.token).scopes).toEqual(['auditor']);
    service.close();
  });

  it('sees a token minted by another connection and one it had looked up as unknown before', () => {
    const dir = tempDir();
    const service = new TokenStore(dir);
    const cli = new TokenStore(dir);
    const t = cli.mint({ scopes: ['agent'] });
    expect(codeOf(() => service.verify(t.token))).toBeUndefined();
    cli.close();
    service.close();
  });

  it('checks the secret and the expiry on every call, the looked-up token notwithstanding', () => {
    let now = Date.parse('2026-11-26T12:00:00Z');
    const store = new TokenStore(tempDir(), { now: () => now });
    const t = store.mint({ scopes: ['agent'], ttlSeconds: 60 });
    const wrongSecret = `${t.token.slice(0, -1)}${t.token.endsWith('A') ? 'B' : 'A'}`;
    expect(codeOf(() => store.verify(t.token))).toBeUndefined();
    expect(codeOf(() => store.verify(wrongSecret))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => store.verify(t.token))).toBeUndefined();
    now += 60_000;
    expect(codeOf(() => store.verify(t.token))).toBe('TOKEN_EXPIRED');
    store.close();
  });

  it('hands out grants that callers cannot change for the next request', () => {
    const store = new TokenStore(tempDir());
    const t = store.mint({ scopes: ['agent'], agent: 'a' });
    const grant = store.verify(t.token);
    expect(() => grant.scopes.push('admin')).toThrow(TypeError);
    expect(() => {
      (grant as { agent: string | undefined }).agent = undefined;
    }).toThrow(TypeError);
    expect(store.verify(t.token)).toMatchObject({ scopes: ['agent'], agent: 'a' });
    store.close();
  });
});
