/**
 * The data-subject index: identifiers become keyed pseudonyms in a normal form that depends only on their
 * shape; entries carry them in their leaves, and the store finds a person's entries through an SQL index.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DlpEngine, defaultPolicyFile, loadPolicy, loadRuleSet, shippedRulesDir } from '../src/dlp/index.js';
import { decodeEntry, parseAppendRequest } from '../src/entry/index.js';
import { DATABASE_FILE, Ledger } from '../src/ledger/index.js';
import { loadOrCreateSubjectKey, loadSubjectKey, normaliseIdentifier, subjectPseudonym, subjectsOf } from '../src/subjects/index.js';
import { newLedger, request } from './support/ledger-fixture.js';

const key = new Uint8Array(32).fill(7);

describe('identifier normal forms', () => {
  it('meet across the ways people write the same identifier', () => {
    const same: string[][] = [
      ['Jane.Doe@Example.COM', ' jane.doe@example.com '],
      ['+1 (415) 555-0132', '415-555-0132', '4155550132', '415.555.0132'],
      ['536-22-1234', '536 22 1234', '536221234'],
      ['José Álvarez', 'jose alvarez', 'JOSE  ÁLVAREZ', 'José-Álvarez'],
      ['MRN 48213377', 'mrn: 48213377'],
      ['ＡＢ１２３４５６Ｃ', 'AB 12 34 56 C', 'ab123456c'],
    ];
    for (const group of same) {
      const forms = new Set(group.map(normaliseIdentifier));
      expect(forms.size, group.join(' | ')).toBe(1);
      expect(new Set(group.map((g) => subjectPseudonym(key, g))).size).toBe(1);
    }
  });

  it('keep different identifiers apart', () => {
    const different = ['jane.doe@example.com', 'jane.doe@example.org', '415-555-0132', '415-555-0133', 'Jane Doe', 'Jane Dole', '536-22-1234'];
    expect(new Set(different.map((d) => subjectPseudonym(key, d))).size).toBe(different.length);
  });

  it('are keyed: another key gives other pseudonyms, and none shows the identifier', () => {
    const p = subjectPseudonym(key, 'jane.doe@example.com');
    expect(p).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(subjectPseudonym(new Uint8Array(32).fill(8), 'jane.doe@example.com')).not.toBe(p);
    expect(p.toLowerCase()).not.toContain('jane');
    expect(() => subjectPseudonym(key, ' -- ')).toThrow(RangeError);
  });
});

describe('subjects found by the DLP engine', () => {
  it('are names, contact details and personal identifiers; never secrets', () => {
    const engine = new DlpEngine({ rules: loadRuleSet([shippedRulesDir()]), policy: loadPolicy(defaultPolicyFile()), pseudonymKey: new Uint8Array(32) });
    const text = 'Patient Jane Roe (jane.roe@example.com, SSN 536-22-1234) called from 415-555-0132. Key AKIAIOSFODNN7EXAMPLE.';
    const result = engine.scan(text);
    const subjects = subjectsOf(key, text, result.findings);
    for (const id of ['jane.roe@example.com', '536-22-1234', '415-555-0132']) expect(subjects).toContain(subjectPseudonym(key, id));
    expect(subjects).not.toContain(subjectPseudonym(key, 'AKIAIOSFODNN7EXAMPLE'));
    expect([...subjects].sort()).toEqual(subjects);
  });
});

describe('the subject index in the ledger', () => {
  it("finds a subject's entries through the index, including the erasure made for them", async () => {
    const { ledger, dataDir } = newLedger();
    const jane = subjectPseudonym(key, 'jane.roe@example.com');
    const li = subjectPseudonym(key, 'li.wei@example.com');
    const receipts = [];
    for (let i = 0; i < 12; i++) {
      const subjects = i % 3 === 0 ? [jane] : i % 4 === 0 ? [jane, li] : [li];
      receipts.push(await ledger.append(parseAppendRequest(request(i)), { subjects }));
    }
    const janes = receipts.filter((_, i) => i % 3 === 0 || i % 4 === 0).map((r) => r.index);
    expect(ledger.entriesForSubject(jane)).toEqual(janes);
    expect(decodeEntry(ledger.readLeaf(4)).subjects).toEqual([jane, li].sort());
    const erasure = await ledger.erase({ indexes: janes, reason: 'access request 12', basis: 'GDPR Art. 17(1)(a)', actor: 'dpo', subjects: [jane] });
    expect(ledger.entriesForSubject(jane)).toEqual([...janes, erasure.index]);
    expect(ledger.entriesForSubject(subjectPseudonym(key, 'nobody@example.com'))).toEqual([]);
    await ledger.close();

    // Reopened, the index is still there; the query is a search on the index, never a scan.
    const again = Ledger.open({ dataDir });
    expect(again.entriesForSubject(li)).toEqual(receipts.filter((_, i) => i % 3 !== 0).map((r) => r.index));
    await again.close();
    const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT idx FROM subjects WHERE subject = ? ORDER BY idx').all(jane) as Array<{ detail: string }>;
    db.close();
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH subjects USING PRIMARY KEY \(subject=\?\)/);
  });

  it('refuses changes to the index, like every other ledger table', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.append(parseAppendRequest(request(0)), { subjects: [subjectPseudonym(key, 'x@example.com')] });
    await ledger.close();
    const db = new Database(path.join(dataDir, DATABASE_FILE));
    expect(() => db.prepare('DELETE FROM subjects').run()).toThrow(/LEDGER_APPEND_ONLY/);
    expect(() => db.prepare("UPDATE subjects SET subject = 'y'").run()).toThrow(/LEDGER_APPEND_ONLY/);
    db.close();
  });

  it('keeps its key in the data directory, created once', () => {
    const { dataDir } = newLedger();
    expect(loadSubjectKey(dataDir)).toBeUndefined();
    const k = loadOrCreateSubjectKey(dataDir);
    expect(loadOrCreateSubjectKey(dataDir)).toEqual(k);
    expect(loadSubjectKey(dataDir)).toEqual(k);
  });
});
