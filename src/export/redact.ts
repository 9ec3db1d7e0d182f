/**
 * Payloads as they go into a bag: DLP-redacted by the shipped engine (JSON value by value, text as text), or
 * raw where the profile allows it and the caller asked for it. Binary payloads cannot be redacted and are
 * withheld unless raw. A payload is written with its salt only when the bytes in the bag are exactly the
 * stored bytes (raw, or a scan that changed nothing): the salt then lets a verifier open the commitment and
 * discloses nothing the file does not already show. A redacted payload never comes with its salt, which
 * would let anyone confirm a guess of the removed values against the commitment.
 */
import { DlpEngine, defaultPolicyFile, loadPolicy, loadRuleSet, shippedRulesDir } from '../dlp/index.js';
import { JSON_TYPE } from '../entry/index.js';

export type PayloadOutcome =
  | { state: 'included'; bytes: Uint8Array; ext: string; transform: 'raw' | 'dlp-redacted'; unchanged: boolean; decision?: string; findings?: number }
  | { state: 'withheld'; reason: 'dlp-block' | 'dlp-failed' | 'binary' };

/** File extension by media type. Only JSON and plain text get their own; HTML and the like stay inert. */
export function extensionFor(type: string): string {
  const base = type.split(';')[0]?.trim().toLowerCase() ?? '';
  if (base === JSON_TYPE || base.endsWith('+json')) return 'json';
  if (base.startsWith('text/')) return 'txt';
  return 'bin';
}

function isJsonType(type: string): boolean {
  return extensionFor(type) === 'json';
}

function isTextType(type: string): boolean {
  return extensionFor(type) !== 'bin';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** The engine an export redacts with when the caller gives none: shipped rule packs, default policy. */
export function shippedEngine(pseudonymKey?: Uint8Array): DlpEngine {
  const rules = loadRuleSet([shippedRulesDir()]);
  const policy = loadPolicy(defaultPolicyFile());
  return new DlpEngine({ rules, policy, ...(pseudonymKey ? { pseudonymKey } : {}) });
}

export function rawPayload(bytes: Uint8Array, type: string): PayloadOutcome {
  return { state: 'included', bytes, ext: extensionFor(type), transform: 'raw', unchanged: true };
}

export function redactPayload(engine: DlpEngine, bytes: Uint8Array, type: string): PayloadOutcome {
  if (!isTextType(type)) return { state: 'withheld', reason: 'binary' };
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { state: 'withheld', reason: 'binary' };
  }
  const result = engine.scan(text, { json: isJsonType(type) });
  if ('error' in result) return { state: 'withheld', reason: 'dlp-failed' };
  if (result.decision === 'block' || result.output === null) return { state: 'withheld', reason: 'dlp-block' };
  const out = encoder.encode(result.output);
  return { state: 'included', bytes: out, ext: extensionFor(type), transform: 'dlp-redacted', unchanged: sameBytes(out, bytes), decision: result.decision, findings: result.findings.length };
}
