/**
 * The DLP engine's public vocabulary: entity types, categories, regulations, findings and the scan result.
 * The result shape is a contract (`vigil scan`, the service's filter endpoint): keep it.
 */

export const REGULATIONS = ['GDPR', 'HIPAA', 'PCI', 'SECRET'] as const;
export type Regulation = (typeof REGULATIONS)[number];

export const CATEGORIES = [
  'contact',
  'identifier',
  'financial',
  'health',
  'secret',
  'special',
  'person',
  'location',
  'datetime',
  'network',
  'organization',
  'custom',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const ACTIONS = ['allow', 'redact', 'mask', 'pseudonymise', 'block'] as const;
export type Action = (typeof ACTIONS)[number];

export type Decision = 'allow' | 'redact' | 'block';

/** Why a finding was reported: what an auditor asks when something was redacted. */
export interface Explanation {
  rule: string;
  /** the pattern's name, or "term" for a deny-list term, or the NLP detector's name */
  pattern: string;
  baseScore: number;
  /** the validator's name and whether it passed; absent when the rule has none */
  validator?: { name: string; passed: boolean };
  /** each context adjustment applied, with the word that triggered it */
  context: Array<{ word: string; by: number }>;
  /** set when the value was found in a normalised form of the text (e.g. "zero-width removed") */
  normalisation?: string;
}

/** One finding. Never carries the raw value: at most a keyed fingerprint. */
export interface Finding {
  type: string;
  /** UTF-16 code-unit offsets into the input text */
  start: number;
  end: number;
  score: number;
  rule: string;
  action: Action;
  category: Category;
  explanation: Explanation;
  /** keyed HMAC of the normalised value, when the engine has a fingerprint key */
  fingerprint?: string;
}

export interface ScanResult {
  decision: Decision;
  /** the released text; null when blocked */
  output: string | null;
  findings: Finding[];
}

/** A validator gets the matched text (separators included) and says whether it is a real identifier. */
export type Validator = (value: string, options: ValidatorOptions) => boolean;

export interface ValidatorOptions {
  /** entropy: minimum Shannon entropy in bits per character */
  min?: number;
}
