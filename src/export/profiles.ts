/**
 * Export profiles: which regulation's question a bag answers, and so which entries, payloads, tables and
 * report sections it carries. The profile never widens the caller's filters; it sets defaults and limits.
 */
import { VigilError } from '../errors.js';

export const PROFILE_NAMES = ['gdpr-access', 'gdpr-records', 'hipaa-audit', 'hipaa-disclosures'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Which payloads a profile puts into data/payloads/. */
export type PayloadScope = 'all' | 'decisions' | 'none';

export interface Profile {
  name: ProfileName;
  /** what the bag is, in one line (bag-info External-Description, the report's title) */
  title: string;
  /** the legal provision the bag answers */
  provision: string;
  /** kinds exported when the caller gives no --kind */
  defaultKinds: readonly string[] | undefined;
  payloads: PayloadScope;
  /** whether --raw-payloads is allowed: only where the recipient is entitled to the content itself */
  rawAllowed: boolean;
  /** whether the profile needs --subject */
  needsSubject: boolean;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  'gdpr-access': {
    name: 'gdpr-access',
    title: 'GDPR Art. 15 access report: everything recorded about one data subject',
    provision: 'GDPR Art. 15 (right of access): what was processed, when, for which purpose, to which recipients',
    defaultKinds: undefined,
    payloads: 'all',
    rawAllowed: true,
    needsSubject: true,
  },
  'gdpr-records': {
    name: 'gdpr-records',
    title: 'GDPR Art. 30 records of processing activities',
    provision: 'GDPR Art. 30 (records of processing): processing activities by purpose, categories of data, recipients',
    defaultKinds: undefined,
    payloads: 'decisions',
    rawAllowed: false,
    needsSubject: false,
  },
  'hipaa-audit': {
    name: 'hipaa-audit',
    title: 'HIPAA audit controls report: activity by agent and task',
    provision: 'HIPAA 45 CFR 164.312(b) (audit controls): activity by agent and task',
    defaultKinds: undefined,
    payloads: 'none',
    rawAllowed: false,
    needsSubject: false,
  },
  'hipaa-disclosures': {
    name: 'hipaa-disclosures',
    title: 'HIPAA accounting of disclosures',
    provision: 'HIPAA 45 CFR 164.528 (accounting of disclosures): date, recipient, description of PHI, purpose',
    defaultKinds: ['response', 'dlp_decision'],
    payloads: 'decisions',
    rawAllowed: false,
    needsSubject: false,
  },
};

export function profileNamed(name: string): Profile {
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new VigilError('INVALID_INPUT', `unknown export profile "${name}"; use one of ${PROFILE_NAMES.join(', ')}`, { path: 'profile' });
  }
  return PROFILES[name as ProfileName];
}
