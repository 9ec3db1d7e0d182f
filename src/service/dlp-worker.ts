/**
 * One DLP worker thread: builds an engine from the rule packs and policy it is given and answers scan
 * requests. The engine never throws (a failure is a block); a message that cannot even be handled is
 * answered with a block too, so the pool never waits on a lost reply.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DlpEngine, loadPolicy, loadRuleSet } from '../dlp/index.js';
import type { DlpWorkerData, ScanReply, ScanRequest } from './dlp-pool.js';

const data = workerData as DlpWorkerData;
const engine = new DlpEngine({
  rules: loadRuleSet(data.rulesDirs),
  policy: loadPolicy(data.policyFile),
  pseudonymKey: Uint8Array.from(Buffer.from(data.pseudonymKeyHex, 'hex')),
  timeBudgetMs: data.timeBudgetMs,
  nlp: data.nlp,
});

parentPort?.on('message', (request: ScanRequest) => {
  let reply: ScanReply;
  try {
    const options = request.destination === undefined ? { timeBudgetMs: request.budgetMs } : { destination: request.destination, timeBudgetMs: request.budgetMs };
    reply = { id: request.id, result: engine.scan(request.text, options) };
  } catch {
    reply = { id: request.id, result: { decision: 'block', output: null, findings: [], error: { code: 'DLP_FAILED', message: 'the scan failed' } } };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ ready: true });
