/**
 * The subject-index key: a 32-byte secret in `<data dir>/subject-index.secret` (mode 0600, created on
 * first use). Separate from the DLP pseudonym key: the two serve different purposes and may be rotated or
 * handed over apart. Whoever holds it can test whether a given person is in the ledger, so it stays with
 * the operator, like the signing key.
 */
import { loadOrCreateSecretKey, loadSecretKey } from '../dlp/index.js';

export const SUBJECT_KEY_FILE = 'subject-index.secret';

export function loadOrCreateSubjectKey(dataDir: string): Uint8Array {
  return loadOrCreateSecretKey(dataDir, SUBJECT_KEY_FILE);
}

/** The key, or undefined when this data directory has none yet (nothing was indexed). */
export function loadSubjectKey(dataDir: string): Uint8Array | undefined {
  return loadSecretKey(dataDir, SUBJECT_KEY_FILE);
}
