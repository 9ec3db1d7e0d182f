/** The ledger part: SQLite storage, group commit, checkpoints, proofs, erasure and signing keys. */
export * from './ledger.js';
export { LedgerStore, nodePosition, storeEvidence, storedNodeSource, type StoredTree, type StoredPayload, type Synchronous, type EntryRow } from './store.js';
export { LedgerFileReader, fileEvidence } from './file-reader.js';
export { generateKey, loadKeys, findKey, defaultKeyName, validateKeyName, KEYS_DIR } from './keys.js';
export { acquireLedgerLock, LOCK_FILE } from './lock.js';
