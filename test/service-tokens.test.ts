import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { TOKENS_FILE, TokenStore, allowsSubject } from '../src/service/tokens.js';
import { codeOf, tempDir } from './support/token-store.js';

describe('bearer tokens', () => {
  it('mints a scoped token that verifies, and stores only a hash of its secret', () => {
    const dir = tempDir();
    const store = new TokenStore(dir);
    const minted = store.mint({ scopes: ['agent'], agent: 'billing-bot', task: 'refunds', ttlSeconds: 600 });
    expect(minted.token).toMatch(/^vigil_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const grant = store.verify(minted.token);
    expect(grant).toMatchObject({ id: minted.id, scopes: ['agent'], agent: 'billing-bot', task: 'refunds' });
    store.close();
    const secret = minted.token.split('_').slice(2).join('_');
    const raw = fs.readFileSync(path.join(dir, TOKENS_FILE));
    expect(raw.includes(Buffer.from(secret))).toBe(false);
    const db = new Database(path.join(dir, TOKENS_FILE), { readonly: true });
    const row = db.prepare('SELECT hash FROM tokens WHERE id = ?').get(minted.id) as { hash: Buffer };
    expect(row.hash.length).toBe(32);
    db.close();
  });

  it('refuses malformed, unknown, wrong-secret, revoked and expired tokens with distinct codes', () => {
    let now = Date.parse('2026-11-26T12:00:00Z');
    const store = new TokenStore(tempDir(), { now: () => now });
    const a = store.mint({ scopes: ['auditor'], ttlSeconds: 60 });
    const wrongSecret = `${a.token.slice(0, -1)}${a.token.endsWith('A') ? 'B' : 'A'}`;
    expect(codeOf(() => store.verify('Bearer nonsense'))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => store.verify(`vigil_0000000000000000_${'A'.repeat(43)}`))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => store.verify(wrongSecret))).toBe('UNAUTHENTICATED');
    now += 59_000;
    expect(codeOf(() => store.verify(a.token))).toBeUndefined();
    now += 1_000;
    expect(codeOf(() => store.verify(a.token))).toBe('TOKEN_EXPIRED');
    const b = store.mint({ scopes: ['agent'], agent: 'x' });
    expect(store.revoke(b.id)).toBe(true);
    expect(store.revoke(b.id)).toBe(false);
    expect(codeOf(() => store.verify(b.token))).toBe('TOKEN_REVOKED');
    store.close();
  });

  it('checks what it is asked to mint', () => {
    const store = new TokenStore(tempDir());
    expect(codeOf(() => store.mint({ scopes: [] }))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.mint({ scopes: ['root' as 'admin'] }))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.mint({ scopes: ['agent'], ttlSeconds: 0 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.mint({ scopes: ['agent'], ttlSeconds: 1.5 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.mint({ scopes: ['agent'], task: 't' }))).toBe('INVALID_INPUT');
    store.close();
  });

  it('survives a restart, lists tokens without secrets and knows whether an admin can still get in', () => {
    const dir = tempDir();
    const first = new TokenStore(dir);
    expect(first.hasUsableAdmin()).toBe(false);
    const admin = first.mint({ scopes: ['admin'], ttlSeconds: null });
    first.close();
    const again = new TokenStore(dir);
    expect(again.verify(admin.token).expiresAt).toBeUndefined();
    expect(again.hasUsableAdmin()).toBe(true);
    expect(JSON.stringify(again.list())).not.toContain(admin.token.split('_')[2] as string);
    again.revoke(admin.id);
    expect(again.hasUsableAdmin()).toBe(false);
    again.close();
  });

  it('narrows a grant to its agent and task', () => {
    const store = new TokenStore(tempDir());
    const g = store.verify(store.mint({ scopes: ['agent'], agent: 'a1', task: 't1' }).token);
    expect(allowsSubject(g, 'a1', 't1')).toBe(true);
    expect(allowsSubject(g, 'a1', 't2')).toBe(false);
    expect(allowsSubject(g, 'a1', undefined)).toBe(false);
    expect(allowsSubject(g, 'a2', 't1')).toBe(false);
    const any = store.verify(store.mint({ scopes: ['agent'] }).token);
    expect(allowsSubject(any, 'whoever', undefined)).toBe(true);
    store.close();
  });
});
