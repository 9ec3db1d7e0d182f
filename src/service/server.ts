/**
 * Starting and stopping the service on the embedded default: the data directory (created), a signing key
 * (generated on first start), the token store (an admin token minted and written to admin.token on first
 * start), the DLP worker pool and the HTTP listener. Stopping is graceful: stop accepting, finish the
 * requests in flight and their appends, let the ledger commit and sign, then close everything.
 */
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { Ledger, defaultKeyName, generateKey, loadKeys, DATABASE_FILE } from '../ledger/index.js';
import { loadOrCreatePseudonymKey, loadPolicy } from '../dlp/index.js';
import { loadOrCreateSubjectKey, loadSubjectKey } from '../subjects/index.js';
import { ExportRunner } from './exports.js';
import { createApp } from './app.js';
import type { ServiceConfig } from './config.js';
import { DlpPool } from './dlp-pool.js';
import { ServiceMetrics } from './metrics.js';
import { TokenStore } from './tokens.js';

export const ADMIN_TOKEN_FILE = 'admin.token';

export interface RunningService {
  url: string;
  server: http.Server;
  ledger: Ledger;
  tokens: TokenStore;
  /** the admin token minted on this start (first start only), else undefined */
  firstAdminToken: string | undefined;
  close(): Promise<void>;
}

/** Mints the first admin token when no usable admin token exists; writes it to admin.token (0600). */
function ensureAdminToken(tokens: TokenStore, dataDir: string): string | undefined {
  if (tokens.hasUsableAdmin()) return undefined;
  const minted = tokens.mint({ scopes: ['admin'], ttlSeconds: null });
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, `${minted.token}\n`, { mode: 0o600, flag: 'wx' });
  return minted.token;
}

export interface StartOptions {
  logger?: Logger;
  /** called with the admin token minted on first start, before the service listens (the CLI prints it) */
  onFirstAdminToken?: (token: string, file: string) => void;
}

export async function startService(config: ServiceConfig, options: StartOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'vigil' } });
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const fresh = !fs.existsSync(path.join(config.dataDir, DATABASE_FILE));
  if (fresh && loadKeys(config.dataDir).length === 0) {
    const signer = generateKey(config.dataDir, defaultKeyName());
    logger.info({ key: signer.name, verifierKey: signer.verifierKey }, 'generated a signing key on first start');
  }
  const metrics = new ServiceMetrics();
  const ledger = Ledger.open({
    dataDir: config.dataDir,
    onBatchCommitted: (entries, seconds) => {
      metrics.commitBatch.observe(entries);
      metrics.commitLatency.observe(seconds);
    },
  });
  const tokens = new TokenStore(config.dataDir);
  const firstAdminToken = ensureAdminToken(tokens, config.dataDir);
  if (firstAdminToken !== undefined) options.onFirstAdminToken?.(firstAdminToken, path.join(config.dataDir, ADMIN_TOKEN_FILE));
  const policy = loadPolicy(config.policyFile);
  const pseudonymKey = loadOrCreatePseudonymKey(config.dataDir);
  const subjectKey = config.subjectIndex ? loadOrCreateSubjectKey(config.dataDir) : loadSubjectKey(config.dataDir);
  const dlp = new DlpPool({
    rulesDirs: config.rulesDirs,
    policyFile: config.policyFile,
    pseudonymKey,
    timeBudgetMs: config.dlpTimeBudgetMs,
    ...(config.dlpWorkers > 0 ? { size: config.dlpWorkers } : {}),
    ...(config.subjectIndex && subjectKey !== undefined ? { subjectKey } : {}),
  });
  let dlpReady = false;
  const ready = dlp.ready().then(() => {
    dlpReady = true;
  });
  const app = createApp({
    ledger,
    dlp,
    tokens,
    metrics,
    logger,
    policyName: policy.name,
    bodyLimitBytes: config.bodyLimitBytes,
    dlpReady: () => dlpReady,
    subjectIndex: config.subjectIndex,
    privacy: { dataDir: config.dataDir, rulesDirs: config.rulesDirs, policyFile: config.policyFile, pseudonymKey, subjectKey, exports: new ExportRunner() },
  });
  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  await ready;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, dataDir: config.dataDir, treeSize: ledger.size, origin: ledger.origin }, 'vigil is listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // Requests in flight have finished (their appends were awaited); the ledger commits what is queued.
      await ledger.close();
      await dlp.close();
      tokens.close();
      logger.info({ treeSize: ledger.size }, 'vigil stopped');
    })();
    return closing;
  };
  return { url, server, ledger, tokens, firstAdminToken, close };
}
