import { describe, expect, it } from 'vitest';
import { parseAppendRequest, decodeEntry } from '../src/entry/index.js';
import { verifyLedger } from '../src/audit/index.js';
import { Ledger, generateKey, storeEvidence } from '../src/ledger/index.js';
import { parseVerifierKey, verifyNote } from '../src/tlog/index.js';
import { newLedger, request } from './support/ledger-fixture.js';

describe('erasure', () => {
  it('deletes payloads, appends an erasure entry saying what, why and on what basis, and still verifies', async () => {
    const { ledger, vkey } = newLedger();
    await Promise.all(Array.from({ length: 6 }, (_, i) => ledger.append(parseAppendRequest(request(i)))));
    const r = await ledger.erase({ indexes: [1, 4], reason: 'data subject request #77', basis: 'GDPR Art. 17(1)(a)', actor: 'privacy-officer' });
    expect(r.index).toBe(6);
    expect(r.erased).toEqual([1, 4]);
    const entry = decodeEntry(ledger.readLeaf(6));
    expect(entry).toMatchObject({ kind: 'erasure', agent: 'vigil', meta: { indexes: [1, 4], reason: 'data subject request #77', basis: 'GDPR Art. 17(1)(a)', actor: 'privacy-officer' } });
    expect(ledger.readPayload(1)).toEqual({ state: 'erased', erasureIndex: 6 });
    expect(ledger.readPayload(2).state).toBe('present');
    const report = verifyLedger(storeEvidence(ledger.storage), { trustedKey: vkey });
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.erasures).toEqual([{ index: 1, erasureIndex: 6 }, { index: 4, erasureIndex: 6 }]);
    expect(report.payloads).toMatchObject({ checked: true, present: 5, erased: 2 });
    await ledger.close();
  });

  it('skips payloads already erased, and refuses an erasure with nothing left to erase', async () => {
    const { ledger } = newLedger();
    await Promise.all(Array.from({ length: 3 }, (_, i) => ledger.append(parseAppendRequest(request(i)))));
    await ledger.erase({ indexes: [0], reason: 'r', basis: 'b', actor: 'a' });
    const again = await ledger.erase({ indexes: [0, 2], reason: 'r', basis: 'b', actor: 'a' });
    expect(again.erased).toEqual([2]);
    await expect(ledger.erase({ indexes: [0, 2], reason: 'r', basis: 'b', actor: 'a' })).rejects.toMatchObject({ code: 'ERASURE_INVALID' });
    await ledger.close();
  });

  it('refuses to erase an entry that does not exist or a request without a legal basis', async () => {
    const { ledger } = newLedger();
    await ledger.append(parseAppendRequest(request(0)));
    await expect(ledger.erase({ indexes: [5], reason: 'r', basis: 'b', actor: 'a' })).rejects.toMatchObject({ code: 'ERASURE_INVALID' });
    await expect(ledger.erase({ indexes: [0], reason: 'r', basis: '', actor: 'a' })).rejects.toMatchObject({ code: 'ERASURE_INVALID' });
    expect(ledger.size).toBe(1);
    await ledger.close();
  });
});

describe('key rotation', () => {
  it('signs the rotation with the old key, then signs with the new key, and a verifier follows the chain from the first key', async () => {
    const { ledger, dataDir, vkey } = newLedger();
    await ledger.append(parseAppendRequest(request(0)));
    const next = generateKey(dataDir, 'test.example/ledger');
    const rotation = await ledger.rotateKey(next);
    // The checkpoint that first covers the rotation entry is signed by the old key only.
    expect(() => verifyNote(rotation.checkpoint, [parseVerifierKey(vkey)])).not.toThrow();
    expect(() => verifyNote(rotation.checkpoint, [parseVerifierKey(next.verifierKey)])).toThrow();
    const after = await ledger.append(parseAppendRequest(request(1)));
    expect(() => verifyNote(after.checkpoint, [parseVerifierKey(next.verifierKey)])).not.toThrow();
    expect(() => verifyNote(after.checkpoint, [parseVerifierKey(vkey)])).toThrow();
    const report = verifyLedger(storeEvidence(ledger.storage), { trustedKey: vkey });
    expect(report.failure).toBeUndefined();
    expect(report.signers).toEqual([vkey, next.verifierKey]);
    await ledger.close();

    // Reopening picks the key the ledger's history says is active.
    const again = Ledger.open({ dataDir });
    expect(again.verifierKey).toBe(next.verifierKey);
    expect(again.stat().appendable).toBe(true);
    await again.close();
  });

  it('a verifier holding only the new key cannot verify the start of the log', async () => {
    const { ledger, dataDir } = newLedger();
    await ledger.append(parseAppendRequest(request(0)));
    const next = generateKey(dataDir, 'test.example/ledger');
    await ledger.rotateKey(next);
    const report = verifyLedger(storeEvidence(ledger.storage), { trustedKey: next.verifierKey });
    expect(report.ok).toBe(false);
    expect(report.failure?.code).toBe('CHECKPOINT_SIGNATURE');
    await ledger.close();
  });
});
