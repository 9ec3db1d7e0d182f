/**
 * Which DLP findings name a data subject, and their pseudonyms. Names, e-mail addresses, phone numbers,
 * national and other personal identifiers, medical record and health plan numbers: what a subject access
 * or erasure request is about. Secrets, places, dates and network addresses are not subjects.
 */
import type { Finding } from '../dlp/index.js';
import { subjectPseudonym } from './pseudonym.js';

const SUBJECT_CATEGORIES = new Set(['identifier', 'person']);
const SUBJECT_TYPES = new Set(['EMAIL_ADDRESS', 'PHONE_NUMBER', 'MEDICAL_RECORD_NUMBER', 'HEALTH_PLAN_ID', 'PERSON']);

export function namesSubject(finding: Pick<Finding, 'type' | 'category'>): boolean {
  return SUBJECT_TYPES.has(finding.type) || SUBJECT_CATEGORIES.has(finding.category);
}

/** The sorted, distinct pseudonyms of the subjects `findings` point at in `text`. */
export function subjectsOf(key: Uint8Array, text: string, findings: readonly Pick<Finding, 'type' | 'category' | 'start' | 'end'>[]): string[] {
  const out = new Set<string>();
  for (const f of findings) {
    if (!namesSubject(f)) continue;
    const value = text.slice(f.start, f.end);
    if (/[\p{L}\p{N}]/u.test(value)) out.add(subjectPseudonym(key, value));
  }
  return [...out].sort();
}
