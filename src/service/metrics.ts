/**
 * Prometheus metrics on the service's own registry (prom-client). Labels are bounded: route patterns
 * (never raw URLs), methods, status codes, decisions, entity types and actions from the rule packs; never
 * user data.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'vigil_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly appendRequestEntries = new Histogram({ name: 'vigil_append_request_entries', help: 'entries per append request (events and batch routes)', buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 10000], registers: [this.registry] });
  /** the ledger's own group commits (Ledger's onBatchCommitted), not requests */
  readonly commitBatch = new Histogram({ name: 'vigil_ledger_commit_batch_entries', help: 'entries per ledger commit (group commit batches)', buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 5000], registers: [this.registry] });
  readonly commitLatency = new Histogram({
    name: 'vigil_ledger_commit_seconds',
    help: 'time from a batch leaving the append queue to its commit being durable and signed',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly dlpDecisions = new Counter({ name: 'vigil_dlp_decisions_total', help: 'DLP decisions', labelNames: ['decision'], registers: [this.registry] });
  readonly dlpFindings = new Counter({ name: 'vigil_dlp_findings_total', help: 'DLP findings by entity type and action', labelNames: ['type', 'action'], registers: [this.registry] });
  readonly dlpFailures = new Counter({ name: 'vigil_dlp_failures_total', help: 'DLP scans that failed or ran out of time (answered 503)', labelNames: ['code'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_' });
  }
}
