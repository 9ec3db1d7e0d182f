/**
 * How a filtered response is recorded, for both filter routes (whole and streamed): the original response
 * as an erasable payload, and the decision (findings without raw values, policy, destination, purpose),
 * linked by a filter id in both entries' meta. They are appended together, so they wait for one commit.
 */
import { randomUUID } from 'node:crypto';
import { VigilError } from '../errors.js';
import type { FailedScanResult, ScanResult } from '../dlp/index.js';
import type { Ledger, Receipt } from '../ledger/index.js';
import type { JsonValue } from '../tlog/index.js';
import type { ServiceMetrics } from './metrics.js';

export interface FilterSubject {
  agent: string;
  session?: string | undefined;
  task?: string | undefined;
}

export interface FilterRecord {
  subject: FilterSubject;
  /** the agent's original output, as it arrived */
  content: JsonValue;
  result: ScanResult | FailedScanResult;
  policy: string;
  destination?: string | undefined;
  purpose?: string | undefined;
  /** extra fields for the decision entry's meta (bounded, never content), e.g. how a stream went */
  meta?: Record<string, JsonValue>;
  /** pseudonyms of the data subjects the response names (both entries carry them) */
  subjects?: string[];
}

/** A finding as the API returns it: where and what, never the value. */
export interface FindingView {
  type: string;
  start: number;
  end: number;
  score: number;
  rule: string;
  action: string;
}

export function findingViews(result: ScanResult | FailedScanResult): FindingView[] {
  return result.findings.map((f) => ({ type: f.type, start: f.start, end: f.end, score: f.score, rule: f.rule, action: f.action }));
}

/** The failure code of a failed scan (DLP_TIMEOUT or DLP_FAILED), else undefined. */
export function scanFailure(result: ScanResult | FailedScanResult): string | undefined {
  return 'error' in result ? (result as FailedScanResult).error.code : undefined;
}

/** The 503 for a scan that failed or ran out of time: nothing is released. */
export function failedScanError(code: string, consequence = 'nothing was released'): VigilError {
  return code === 'DLP_TIMEOUT'
    ? new VigilError('DLP_TIMEOUT', `the DLP scan exceeded its time budget; ${consequence}`)
    : new VigilError('DLP_FAILED', `the DLP scan failed; ${consequence}`);
}

/** Appends the response and its decision; resolves with the decision entry's receipt. Counts the decision. */
export async function recordFilter(ledger: Ledger, metrics: ServiceMetrics, credential: string, record: FilterRecord): Promise<Receipt> {
  const { subject, result } = record;
  const who = { agent: subject.agent, ...(subject.session === undefined ? {} : { session: subject.session }), ...(subject.task === undefined ? {} : { task: subject.task }) };
  const filterId = randomUUID();
  const failed = scanFailure(result);
  const decisionPayload: JsonValue = {
    filter: filterId,
    decision: result.decision,
    findings: result.findings.map((f) => ({ type: f.type, category: f.category, start: f.start, end: f.end, score: f.score, rule: f.rule, action: f.action, fingerprint: f.fingerprint ?? null })),
    policy: record.policy,
    destination: record.destination ?? null,
    purpose: record.purpose ?? null,
    ...(failed === undefined ? {} : { failure: failed }),
  };
  const context = { credential, ...(record.subjects === undefined ? {} : { subjects: record.subjects }) };
  const [, receipt] = await Promise.all([
    ledger.append({ kind: 'response', ...who, meta: { filter: filterId }, payload: record.content }, context),
    ledger.append({ kind: 'dlp_decision', ...who, meta: { filter: filterId, decision: result.decision, ...(record.meta ?? {}) }, payload: decisionPayload }, context),
  ]);
  if (failed !== undefined) {
    metrics.dlpFailures.inc({ code: failed });
  } else {
    metrics.dlpDecisions.inc({ decision: result.decision });
    for (const f of result.findings) metrics.dlpFindings.inc({ type: f.type, action: f.action });
  }
  return receipt;
}
