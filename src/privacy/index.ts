/** The privacy officer's part: erasure by data subject (GDPR Art. 17) and retention. */
export { eraseSubject, erasePayloads, type ErasureOrder, type ErasureOutcome } from './erase.js';
export { addPeriod, defaultRetentionPolicyFile, loadRetentionPolicy, runRetention, type Period, type RetentionOutcome, type RetentionPolicy } from './retention.js';
