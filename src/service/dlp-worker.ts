/**
 * One DLP worker thread: builds an engine from the rule packs and policy it is given and answers scan
 * requests. The engine never throws (a failure is a block); a message that cannot even be handled is
 * answered with a block too, so the pool never waits on a lost reply. Stream filter steps (dlp/stream.ts)
 * come with the text so far and what was released: the worker keeps no state between them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DlpEngine, loadPolicy, loadRuleSet, streamFinish, streamStep } from '../dlp/index.js';
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
    if (request.stream === undefined) reply = { id: request.id, result: engine.scan(request.text, options) };
    else if (request.stream.final) reply = { id: request.id, end: streamFinish(engine, request.text, request.stream.released, options) };
    else reply = { id: request.id, step: streamStep(engine, request.text, request.stream.released, options) };
  } catch {
    reply = { id: request.id, result: { decision: 'block', output: null, findings: [], error: { code: 'DLP_FAILED', message: 'the scan failed' } } };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ ready: true });
