/**
 * One DLP worker thread: builds an engine from the rule packs and policy it is given and answers scan
 * requests. The engine never throws (a failure is a block); a message that cannot even be handled is
 * answered with a block too, so the pool never waits on a lost reply. Stream filter steps (dlp/stream.ts)
 * come with the text so far and what was released: the worker keeps no state between them. With a
 * subject-index key, scans also name the pseudonyms of the data subjects they found (src/subjects); the
 * identifiers themselves never leave the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DlpEngine, loadPolicy, loadRuleSet, streamFinish, streamStep, type FailedScanResult, type ScanResult } from '../dlp/index.js';
import { subjectsOf } from '../subjects/index.js';
import type { DlpWorkerData, ScanReply, ScanRequest } from './dlp-pool.js';

const data = workerData as DlpWorkerData;
const engine = new DlpEngine({
  rules: loadRuleSet(data.rulesDirs),
  policy: loadPolicy(data.policyFile),
  pseudonymKey: Uint8Array.from(Buffer.from(data.pseudonymKeyHex, 'hex')),
  timeBudgetMs: data.timeBudgetMs,
  nlp: data.nlp,
});
const subjectKey = data.subjectKeyHex === undefined ? undefined : Uint8Array.from(Buffer.from(data.subjectKeyHex, 'hex'));

function failed(code: 'DLP_FAILED' | 'DLP_TIMEOUT'): FailedScanResult {
  return { decision: 'block', output: null, findings: [], error: { code, message: code === 'DLP_TIMEOUT' ? 'the scan exceeded its time budget' : 'the scan failed' } };
}

/** The subjects a scan found in `text` ([] without a key, or when the scan failed). */
function subjects(text: string, result: ScanResult | FailedScanResult): string[] {
  return subjectKey === undefined || 'error' in result ? [] : subjectsOf(subjectKey, text, result.findings);
}

/**
 * Subject lists for recorded payloads, within the job's budget and each scan within a scan's budget; a
 * failed scan fails them all.
 */
function subjectLists(texts: string[], budgetMs: number): string[][] | FailedScanResult {
  const deadline = Date.now() + budgetMs;
  const lists: string[][] = [];
  for (const text of texts) {
    const left = deadline - Date.now();
    if (left <= 0) return failed('DLP_TIMEOUT');
    const result = engine.scan(text, { timeBudgetMs: Math.min(left, data.timeBudgetMs) });
    if ('error' in result) return result as FailedScanResult;
    lists.push(subjects(text, result));
  }
  return lists;
}

parentPort?.on('message', (request: ScanRequest) => {
  let reply: ScanReply;
  try {
    const options = request.destination === undefined ? { timeBudgetMs: request.budgetMs } : { destination: request.destination, timeBudgetMs: request.budgetMs };
    if (request.subjectTexts !== undefined) {
      const lists = subjectLists(request.subjectTexts, request.budgetMs);
      reply = Array.isArray(lists) ? { id: request.id, subjectLists: lists } : { id: request.id, failed: lists };
    } else if (request.stream === undefined) {
      const result = engine.scan(request.text, options);
      reply = { id: request.id, result, subjects: subjects(request.text, result) };
    } else if (request.stream.final) {
      const end = streamFinish(engine, request.text, request.stream.released, options);
      reply = { id: request.id, end, subjects: subjects(request.text, end.result) };
    } else {
      reply = { id: request.id, step: streamStep(engine, request.text, request.stream.released, options) };
    }
  } catch {
    reply = { id: request.id, result: failed('DLP_FAILED') };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ ready: true });
