/**
 * Erasure (GDPR Art. 17) of everything recorded about one data subject: their entries are found through
 * the subject index, their payloads and salts deleted, and an erasure entry appended (who, when, why, on
 * what basis, which entries). Entries, checkpoints and proofs still verify; only the payloads are gone.
 */
import { VigilError } from '../errors.js';
import { MAX_ERASURE_INDEXES, type ErasureReceipt, type Ledger } from '../ledger/index.js';
import { normaliseIdentifier, subjectPseudonym } from '../subjects/index.js';

export interface ErasureOrder {
  /** why, in words that name no person (the erasure entry is permanent) */
  reason: string;
  /** the legal basis, e.g. "GDPR Art. 17(1)(a)" */
  basis: string;
  /** who asked for it (a person's role or a token id, not the data subject) */
  actor: string;
}

export interface ErasureOutcome {
  /** the entries the subject index names */
  matched: number[];
  /** the payloads erased now (those still present among `matched`) */
  erased: number[];
  /** one erasure entry per MAX_ERASURE_INDEXES payloads; none when nothing was left to erase */
  receipts: ErasureReceipt[];
}

/** Erases the payloads at `indexes` that are still present; appends the erasure entries. Idempotent. */
export async function erasePayloads(ledger: Ledger, indexes: readonly number[], order: ErasureOrder, subjects?: string[]): Promise<Omit<ErasureOutcome, 'matched'>> {
  // Payloads still there; empty ones (Vigil's own erasure and rotation entries) hold nothing to erase.
  const holdsData = (i: number): boolean => {
    const stored = ledger.readPayload(i);
    return stored.state === 'present' && stored.body.length > 0;
  };
  const present = [...new Set(indexes)].filter((i) => i < ledger.size && holdsData(i)).sort((a, b) => a - b);
  const receipts: ErasureReceipt[] = [];
  for (let at = 0; at < present.length; at += MAX_ERASURE_INDEXES) {
    const chunk = present.slice(at, at + MAX_ERASURE_INDEXES);
    receipts.push(await ledger.erase({ indexes: chunk, ...order, ...(subjects === undefined ? {} : { subjects }) }));
  }
  return { erased: receipts.flatMap((r) => r.erased), receipts };
}

/** Erases what the ledger holds about the subject `identifier` (found with the subject-index key). */
export async function eraseSubject(ledger: Ledger, subjectKey: Uint8Array, identifier: string, order: ErasureOrder): Promise<ErasureOutcome> {
  let pseudonym: string;
  try {
    pseudonym = subjectPseudonym(subjectKey, identifier);
  } catch {
    throw new VigilError('INVALID_INPUT', 'the subject identifier needs at least one letter or digit', { path: 'subject' });
  }
  // The erasure entry is permanent and readable by auditors: it must not carry the identifier it erases.
  const normal = normaliseIdentifier(identifier);
  const raw = identifier.trim().toLowerCase();
  for (const [field, text] of Object.entries({ reason: order.reason, basis: order.basis, actor: order.actor })) {
    if (normal.length >= 3 && (text.toLowerCase().includes(raw) || normaliseIdentifier(text).includes(normal))) {
      throw new VigilError('INVALID_INPUT', `${field} must not contain the subject's identifier: the erasure entry is permanent`, { path: field });
    }
  }
  const matched = ledger.entriesForSubject(pseudonym);
  const { erased, receipts } = await erasePayloads(ledger, matched, order, [pseudonym]);
  return { matched, erased, receipts };
}
