/** The auditor's part: pure verification of ledgers (and, later, evidence bundles). No storage, no network. */
export * from './verify.js';
export * from './parallel.js';
export * from './report-format.js';
export { verifyRange, ProofUnavailable, AuditFailureError, auditFail, auditFailureOf, payloadMatches, type RangeEvidence, type RangeOptions, type SourcePayload } from './range.js';
export { servedFieldsMismatch, verifyServedPayloads, type ServedPayloadsOutcome } from './served.js';
