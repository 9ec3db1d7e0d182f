/** The data-subject index: keyed pseudonyms of identifiers found in recorded payloads, never the identifiers. */
export { normaliseIdentifier, subjectPseudonym } from './pseudonym.js';
export { namesSubject, subjectsOf } from './extract.js';
export { loadOrCreateSubjectKey, loadSubjectKey, SUBJECT_KEY_FILE } from './key.js';
