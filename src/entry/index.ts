/** Vigil's ledger entry format: pure (no storage, no network), shared by the ledger, the service and the auditor. */
export * from './entry.js';
export * from './payload.js';
export * from './request.js';
