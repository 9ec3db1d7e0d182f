/**
 * The HTTP service under load, as issue 4 asks: autocannon on loopback against `vigil serve` (the compiled
 * build, its own process), 64 connections, 1 KiB payloads. The load generator shares this 2-core machine
 * with the service (and the service's DLP worker), so the figures are lower than on separate machines.
 *   - POST /v1/events (target ≥ 5,000 req/s, p99 ≤ 30 ms)
 *   - POST /v1/events/batch with 500 events per request (target ≥ 40,000 events/s)
 *   - POST /v1/filter with a 2 KB mixed agent output (target ≥ 1,000 req/s, p99 ≤ 50 ms)
 * Then every receipt handed out is checked against the final signed checkpoint: an inclusion proof of its
 * index and leaf hash in the final tree, whose checkpoint signature is checked with the key file's verifier key.
 *
 *   npm run bench:service            (BENCH_SERVICE_SECONDS=10 per run by default)
 *   BENCH_SERVICE_ROUTES=events,filter  runs only those of events, batch, filter
 *   BENCH_SERVICE_BIN=/other/checkout/bin/vigil.js  serves another build (before/after comparisons)
 *   BENCH_SERVICE_VERIFY=0  skips the receipt check at the end (profiling runs only)
 *   BENCH_SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=bench/out/prof'  extra node flags for the service
 */
import fs from 'node:fs';
import autocannon, { type Request as CannonRequest } from 'autocannon';
import { checkInclusion, decodeBase64, parseCheckpoint, parseVerifierKey, verifyNote } from '../dist/tlog/index.js';
import { loadKeys } from '../dist/ledger/index.js';
import { benchDir, envInt, machine, report, startBenchService } from './support.js';

const SECONDS = envInt('BENCH_SERVICE_SECONDS', 10);
const CONNECTIONS = 64;
const ROUTES = new Set((process.env.BENCH_SERVICE_ROUTES ?? 'events,batch,filter').split(',').map((r) => r.trim()));
const NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');

interface Receipt {
  index: number;
  leafHash: string;
  checkpoint: string;
  proof: string[];
}

const dir = benchDir('service');
const service = await startBenchService(dir, { nodeArgs: NODE_ARGS, ...(process.env.BENCH_SERVICE_BIN === undefined ? {} : { bin: process.env.BENCH_SERVICE_BIN }) });
const { child, url } = service;
process.stdout.write(`service bench: ${machine()}; load generator and service share the machine; ${SECONDS} s per run, ${CONNECTIONS} connections\n`);
const agent = await service.mint(['agent']);
const headers = { authorization: `Bearer ${agent}`, 'content-type': 'application/json' };

const receipts: Receipt[] = [];
const payload = 'x'.repeat(1024);
const event = (n: number): string => JSON.stringify({ kind: 'tool_result', agent: 'bench-agent', session: `s${n % 97}`, payload });

const filterTexts = Array.from({ length: 32 }, (_, i) =>
  (
    `Sure! Ticket #${100000 + i} is resolved; version ${i % 9}.${i % 20}.${i % 50} is deployed. ` +
    `Please contact li.wei${i}@corp.example or call +1 415 555 01${String(i).padStart(2, '0')} about order ${10000000 + i * 7}. ` +
    `2026-11-${10 + (i % 18)}T10:${10 + i}:00.000Z INFO worker-${i % 16} processed ${i * 13} items in ${i * 7}ms. ` +
    `| Alice | Sales | ${i} | 4.${i % 9} |\nPatient reports mild headache since Monday; follow-up in ${i % 6} weeks. `
  )
    .repeat(6)
    .slice(0, 2048),
);

/**
 * CPU seconds the service process has used so far (all its threads), from /proc; undefined elsewhere. Per
 * request it is a steadier figure than req/s when other work shares the machine.
 */
function serviceCpuSeconds(): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

interface RunResult {
  /** service CPU time per request (ms), when /proc tells */
  cpuMsPerRequest: number | undefined;
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function run(title: string, path_: string, body: (n: number) => string, collect: (json: unknown) => void, connections = CONNECTIONS): Promise<RunResult> {
  let n = 0;
  const cpu0 = serviceCpuSeconds();
  const result = await autocannon({
    url: `${url}${path_}`,
    method: 'POST',
    headers,
    connections,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (req: CannonRequest): CannonRequest => ({ ...req, body: body(n++) }),
        onResponse: (status: number, text: string) => {
          if (status >= 200 && status < 300) collect(JSON.parse(text));
        },
      },
    ],
  });
  const cpu1 = serviceCpuSeconds();
  const cpuMsPerRequest = cpu0 === undefined || cpu1 === undefined ? undefined : ((cpu1 - cpu0) * 1000) / Math.max(1, result.requests.total);
  const out = { cpuMsPerRequest, requests: result.requests.total, seconds: result.duration, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
  process.stdout.write(`  ${title}: done\n`);
  return out;
}

if (ROUTES.has('events')) {
  const events = await run('events', '/v1/events', event, (j) => receipts.push((j as { receipt: Receipt }).receipt));
  report('service POST /v1/events, 1 KiB payload', { req_per_s: events.requests / events.seconds, p50_ms: events.p50, p99_ms: events.p99, errors: events.errors, non_2xx: events.non2xx, service_cpu_ms_per_req: events.cpuMsPerRequest ?? 'n/a', target_req_per_s: 5000, target_p99_ms: 30 });
}

const BATCH = 500;
const batchBody = (n: number): string => `[${Array.from({ length: BATCH }, (_, k) => event(n * BATCH + k)).join(',')}]`;
if (ROUTES.has('batch')) {
  const batch = await run('batch', '/v1/events/batch', batchBody, (j) => receipts.push(...(j as { receipts: Receipt[] }).receipts), 16);
  report('service POST /v1/events/batch, 500 events of 1 KiB, 16 connections', { events_per_s: (batch.requests * BATCH) / batch.seconds, req_per_s: batch.requests / batch.seconds, p99_ms: batch.p99, errors: batch.errors, non_2xx: batch.non2xx, service_cpu_ms_per_req: batch.cpuMsPerRequest ?? 'n/a', target_events_per_s: 40000 });
}

if (ROUTES.has('filter')) {
  let filterDecisions = 0;
  const filter = await run('filter', '/v1/filter', (n) => JSON.stringify({ agent: 'bench-agent', content: filterTexts[n % filterTexts.length], purpose: 'bench' }), (j) => {
    filterDecisions++;
    receipts.push((j as { receipt: Receipt }).receipt);
  });
  report('service POST /v1/filter, 2 KB mixed output', { req_per_s: filter.requests / filter.seconds, p50_ms: filter.p50, p99_ms: filter.p99, errors: filter.errors, non_2xx: filter.non2xx, service_cpu_ms_per_req: filter.cpuMsPerRequest ?? 'n/a', decisions: filterDecisions, target_req_per_s: 1000, target_p99_ms: 50 });
}

// Every receipt against the final checkpoint: the receipt's leaf hash, an inclusion proof from the service
// for the final tree size, the final checkpoint's signature checked with the verifier key from the key file.
const stat = (await (await fetch(`${url}/readyz`)).json()) as { treeSize: number };
const finalNote = await (await fetch(`${url}/v1/checkpoint`)).text();
const verifier = parseVerifierKey((loadKeys(dir)[0] as { verifierKey: string }).verifierKey);
const final = parseCheckpoint(verifyNote(finalNote, [verifier]).body);
let bad = 0;
const t0 = performance.now();
const queue = process.env.BENCH_SERVICE_VERIFY === '0' ? [] : receipts.slice();
await Promise.all(
  Array.from({ length: 16 }, async () => {
    for (let r = queue.pop(); r !== undefined; r = queue.pop()) {
      const res = (await (await fetch(`${url}/v1/proof/inclusion?index=${r.index}&size=${final.size}`)).json()) as { leafHash: string; proof: string[] };
      const ok = res.leafHash === r.leafHash && checkInclusion(decodeBase64(r.leafHash), r.index, final.size, res.proof.map((p) => decodeBase64(p)), final.rootHash).ok;
      if (!ok) bad++;
    }
  }),
);
const distinct = new Set(receipts.map((r) => r.index)).size;
report('service receipts against the final checkpoint', { receipts: receipts.length, distinct_indexes: distinct, failed: bad, tree_size: stat.treeSize, final_checkpoint_size: final.size, seconds: (performance.now() - t0) / 1000 });

await service.stop();
fs.rmSync(dir, { recursive: true, force: true });
if (bad > 0) process.exitCode = 1;
