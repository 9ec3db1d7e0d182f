/** The auditor's part: pure verification of ledgers (and, later, evidence bundles). No storage, no network. */
export * from './verify.js';
export * from './parallel.js';
