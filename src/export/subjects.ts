/**
 * How the export finds one data subject's entries. The ledger keeps a subject index (keyed pseudonyms of
 * identifiers, HMAC-SHA-256 under a secret index key, to entry indexes); the export only needs "which
 * entries concern this identifier", so it depends on this small interface and the caller builds it from
 * the index (never from a scan of the ledger).
 */

export interface SubjectLookup {
  /** Indexes of the entries that concern `identifier`, ascending. */
  indexesFor(identifier: string): number[];
}

/** What the store offers: the subject index, keyed by pseudonym (LedgerStore.indexesForSubject). */
export interface SubjectIndex {
  indexesForSubject(pseudonym: string): number[];
}

/**
 * The lookup over the store's index: the identifier becomes its keyed pseudonym (`pseudonymOf`, from the
 * subject module: subjectPseudonym(loadSubjectKey(dataDir), identifier)), the pseudonym one SQL index lookup.
 */
export function indexedSubjectLookup(index: SubjectIndex, pseudonymOf: (identifier: string) => string): SubjectLookup {
  return {
    indexesFor(identifier: string): number[] {
      const out = index.indexesForSubject(pseudonymOf(identifier));
      // The contract is ascending and unique; make sure of it rather than trust it.
      return [...new Set(out)].sort((a, b) => a - b);
    },
  };
}
