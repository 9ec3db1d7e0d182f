/**
 * The HTTP API (Express 5): one table of routes (method, path, scope, handler, schemas) that both mounts
 * the handlers and generates the OpenAPI document, so the two cannot drift. Every route needs a bearer
 * token with its scope except health, metrics, the checkpoint, proofs and the OpenAPI document.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { z } from 'zod';
import { VigilError } from '../errors.js';
import { decodeEntry } from '../entry/index.js';
import type { Ledger, Receipt } from '../ledger/index.js';
import { encodeBase64, leafHash, parseStrictJson, type JsonValue } from '../tlog/index.js';
import type { DlpPool } from './dlp-pool.js';
import { filterStream, filterStreamQuerySchema, STREAM_INPUT_TYPES } from './filter-stream.js';
import { exportRequestSchema, type ExportRunner } from './exports.js';
import { erasePayloads, eraseSubject } from '../privacy/index.js';
import { failedScanError, findingViews, recordFilter, scanFailure } from './filter-record.js';
import { errorBody, errorHandler, intParam, jsonBody, validate } from './http.js';
import type { ServiceMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { erasureRequestSchema, eventBatchSchema, eventSchema, filterResponseSchema, filterSchema, receiptSchema, tokenRequestSchema, type EventRequest } from './schemas.js';
import { allowsSubject, type Scope, type TokenInfo, type TokenStore } from './tokens.js';

export interface AppDeps {
  ledger: Ledger;
  dlp: DlpPool;
  tokens: TokenStore;
  metrics: ServiceMetrics;
  logger: Logger;
  /** the loaded policy's name (a filter request may name it, and no other) */
  policyName: string;
  bodyLimitBytes: number;
  /** whether the DLP workers are up (for /readyz) */
  dlpReady: () => boolean;
  /** scan recorded payloads for data subjects (the pool then has the subject-index key); default false */
  subjectIndex?: boolean;
  /** what exports and erasures need; without it those routes answer 501 */
  privacy?: PrivacyDeps;
}

export interface PrivacyDeps {
  dataDir: string;
  rulesDirs: string[];
  policyFile: string;
  pseudonymKey: Uint8Array;
  /** the subject-index key, when the data directory has one */
  subjectKey: Uint8Array | undefined;
  exports: ExportRunner;
}

export interface Route {
  method: 'get' | 'post' | 'delete';
  /** Express form (`:index`); the OpenAPI document writes `{index}` */
  path: string;
  summary: string;
  /** undefined: public */
  scope: Scope | undefined;
  request?: z.ZodType;
  /** the query parameters' schema (for routes whose body is a stream) */
  query?: z.ZodType;
  response?: z.ZodType;
  /** media types of the request body when it is not JSON */
  consumes?: readonly string[];
  /** the handler reads the body as a stream (no body parser in front of it) */
  streamBody?: boolean;
  /** media type of a successful answer (default application/json) */
  produces?: string;
  status?: number;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

/** Entries per page of GET /v1/entries, at most. */
export const MAX_ENTRIES_PAGE = 1000;

/** The grant of the authenticated caller (set by the auth middleware). */
function grantOf(res: Response): TokenInfo {
  return res.locals.grant as TokenInfo;
}

function requireSubject(grant: TokenInfo, agent: string, task: string | undefined, where: string): void {
  if (!allowsSubject(grant, agent, task)) {
    throw new VigilError('FORBIDDEN', `${where}: this token may act only for agent "${grant.agent ?? '*'}"${grant.task === undefined ? '' : `, task "${grant.task}"`}`, { path: where });
  }
}

/** NDJSON bodies for the batch route: one event per line; errors name the line. */
function ndjsonBody(req: Request): unknown[] {
  const raw: unknown = req.body;
  if (!(raw instanceof Buffer) || raw.length === 0) throw new VigilError('INVALID_JSON', 'the request needs a body');
  const lines = raw.toString('utf8').split('\n');
  const out: unknown[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(parseStrictJson(line));
    } catch (e) {
      throw new VigilError('INVALID_JSON', `line ${i + 1}: ${e instanceof Error ? e.message : 'invalid JSON'}`, { line: i + 1 });
    }
  });
  return out;
}

export function buildRoutes(deps: AppDeps): Route[] {
  const { ledger, dlp, tokens, metrics } = deps;

  // Recorded payloads are scanned for data subjects first (in the DLP pool): their pseudonyms go into the
  // entries. If that scan fails, nothing is recorded (503): an entry missing from a person's index would
  // escape their access and erasure requests.
  const append = async (events: EventRequest[], credential: string): Promise<Receipt[]> => {
    let subjects: string[][] | undefined;
    const blocker = ledger.appendBlocker();
    if (blocker) throw blocker; // no scan for entries that cannot be recorded
    if (deps.subjectIndex === true) {
      const lists = await dlp.subjectsOf(events.map((e) => (typeof e.payload === 'string' ? e.payload : JSON.stringify(e.payload))));
      if (!Array.isArray(lists)) throw failedScanError(lists.error.code, 'nothing was recorded');
      subjects = lists;
    }
    const receipts = await Promise.all(events.map((e, i) => ledger.append(e, { credential, ...(subjects === undefined ? {} : { subjects: subjects[i] }) })));
    metrics.appendRequestEntries.observe(events.length);
    return receipts;
  };

  const recordAccess = (grant: TokenInfo, meta: Record<string, JsonValue>): Promise<Receipt> =>
    ledger.record({ kind: 'access', agent: 'vigil', meta }, { bytes: new Uint8Array(), type: 'application/octet-stream' }, { credential: grant.id });

  // The OpenAPI document describes this very table; built on the first request for it, then kept.
  let document: Record<string, unknown> | undefined;
  const routes: Route[] = [
    {
      method: 'post',
      path: '/v1/events',
      summary: 'Record one prompt, tool call, tool result or response',
      scope: 'agent',
      request: eventSchema,
      response: receiptSchema,
      status: 201,
      handler: async (req, res) => {
        const event = validate(eventSchema, jsonBody(req));
        const grant = grantOf(res);
        requireSubject(grant, event.agent, event.task, '$');
        res.locals.agent = event.agent;
        const [receipt] = await append([event], grant.id);
        res.status(201).json({ receipt });
      },
    },
    {
      method: 'post',
      path: '/v1/events/batch',
      summary: 'Record events in order: a JSON array or NDJSON; all are validated before any is recorded',
      scope: 'agent',
      request: eventBatchSchema,
      status: 201,
      handler: async (req, res) => {
        const ndjson = (req.headers['content-type'] ?? '').startsWith('application/x-ndjson');
        const events = validate(eventBatchSchema, ndjson ? ndjsonBody(req) : jsonBody(req));
        const grant = grantOf(res);
        events.forEach((e, i) => requireSubject(grant, e.agent, e.task, `$[${i}]`));
        const receipts = await append(events, grant.id);
        res.status(201).json({ receipts });
      },
    },
    {
      method: 'post',
      path: '/v1/filter',
      summary: "Filter an agent's output: DLP decision, released output and the ledger receipt of the decision",
      scope: 'agent',
      request: filterSchema,
      response: filterResponseSchema,
      handler: async (req, res) => {
        const body = validate(filterSchema, jsonBody(req));
        const grant = grantOf(res);
        requireSubject(grant, body.agent, body.task, '$');
        res.locals.agent = body.agent;
        if (body.policy !== undefined && body.policy !== deps.policyName) {
          throw new VigilError('INVALID_INPUT', `$.policy: unknown policy (this service applies "${deps.policyName}")`, { path: '$.policy' });
        }
        const isText = typeof body.content === 'string';
        const text = isText ? (body.content as string) : JSON.stringify(body.content);
        const { result, subjects } = await dlp.scanWithSubjects(text, { destination: body.destination });
        const receipt = await recordFilter(ledger, metrics, grant.id, {
          subjects,
          subject: body,
          content: body.content,
          result,
          policy: deps.policyName,
          destination: body.destination,
          purpose: body.purpose,
        });
        const failed = scanFailure(result);
        if (failed !== undefined) throw failedScanError(failed);
        const findings = findingViews(result);
        const output = result.output === null ? null : isText ? result.output : (parseStrictJson(result.output) as JsonValue);
        res.json({ decision: result.decision, output, findings, receipt });
      },
    },
    {
      method: 'post',
      path: '/v1/filter/stream',
      summary: 'Filter streamed output (text or SSE in, SSE out): filtered text as soon as it is safe, then the decision and the receipt',
      scope: 'agent',
      query: filterStreamQuerySchema,
      consumes: STREAM_INPUT_TYPES,
      produces: 'text/event-stream',
      streamBody: true,
      handler: async (req, res) => {
        const query = validate(filterStreamQuerySchema, req.query, 'query');
        const grant = grantOf(res);
        requireSubject(grant, query.agent, query.task, 'query');
        res.locals.agent = query.agent;
        if (query.policy !== undefined && query.policy !== deps.policyName) {
          throw new VigilError('INVALID_INPUT', `query.policy: unknown policy (this service applies "${deps.policyName}")`, { path: 'query.policy' });
        }
        await filterStream({ ledger, dlp, metrics, policyName: deps.policyName, limitBytes: deps.bodyLimitBytes }, req, res, query, grant.id);
      },
    },
    {
      method: 'get',
      path: '/v1/checkpoint',
      summary: 'The latest signed checkpoint (C2SP tlog-checkpoint signed note)',
      scope: undefined,
      produces: 'text/plain',
      handler: (_req, res) => {
        const note = ledger.latestCheckpoint();
        if (note === undefined) throw new VigilError('NOT_READY', 'no checkpoint has been signed yet');
        res.type('text/plain; charset=utf-8').send(note);
      },
    },
    {
      method: 'get',
      path: '/v1/proof/inclusion',
      summary: 'Inclusion proof of entry `index` in the tree of size `size` (RFC 9162)',
      scope: undefined,
      handler: (req, res) => {
        const index = intParam(req.query.index, 'index');
        const size = intParam(req.query.size, 'size', ledger.size);
        const proof = ledger.inclusionProof(index, size).map(encodeBase64);
        res.json({ index, treeSize: size, leafHash: encodeBase64(leafHash(ledger.readLeaf(index))), proof });
      },
    },
    {
      method: 'get',
      path: '/v1/proof/consistency',
      summary: 'Consistency proof from tree size `from` to `to` (RFC 9162)',
      scope: undefined,
      handler: (req, res) => {
        const from = intParam(req.query.from, 'from');
        const to = intParam(req.query.to, 'to', ledger.size);
        res.json({ from, to, proof: ledger.consistencyProof(from, to).map(encodeBase64) });
      },
    },
    {
      method: 'get',
      path: '/v1/entries',
      summary: 'Entries from `start`, at most `limit`: exact leaf bytes (base64) and decoded fields',
      scope: 'auditor',
      handler: (req, res) => {
        const start = intParam(req.query.start, 'start', 0);
        const limit = Math.min(MAX_ENTRIES_PAGE, intParam(req.query.limit, 'limit', 100));
        const end = Math.min(ledger.size, start + limit);
        const entries = [];
        for (let i = start; i < end; i++) {
          const leaf = ledger.readLeaf(i);
          entries.push({ ...decodeEntry(leaf), index: i, leaf: encodeBase64(leaf) });
        }
        res.json({ entries, treeSize: ledger.size });
      },
    },
    {
      method: 'get',
      path: '/v1/entries/:index/payload',
      summary: "An entry's payload bytes, with its media type (410 once erased)",
      scope: 'auditor',
      produces: 'application/octet-stream',
      handler: (req, res) => {
        const index = intParam(req.params.index, 'index');
        const entry = decodeEntry(ledger.readLeaf(index));
        const stored = ledger.readPayload(index);
        if (stored.state === 'erased') throw new VigilError('PAYLOAD_ERASED', `the payload of entry ${index} was erased by entry ${stored.erasureIndex}`, { index, erasureIndex: stored.erasureIndex });
        if (stored.state === 'missing') throw new VigilError('NOT_FOUND', `entry ${index} has no stored payload`, { index });
        // The salt lets an auditor who holds the payload check it against the entry's commitment.
        res.setHeader('Vigil-Payload-Salt', encodeBase64(stored.salt));
        res.type(entry.payload.type).send(Buffer.from(stored.body));
      },
    },
    {
      method: 'post',
      path: '/v1/exports',
      summary: 'An evidence bag (BagIt, RFC 8493) for a GDPR or HIPAA profile, signed, streamed as .tar.gz',
      scope: 'auditor',
      request: exportRequestSchema,
      produces: 'application/gzip',
      handler: async (req, res) => {
        const body = validate(exportRequestSchema, jsonBody(req));
        const grant = grantOf(res);
        const privacy = privacyOf(deps);
        // A token narrowed to one agent or task exports only that agent's or task's entries.
        for (const [field, narrowed, asked] of [['agent', grant.agent, body.agent], ['task', grant.task, body.task]] as const) {
          if (narrowed !== undefined && asked !== undefined && asked !== narrowed) {
            throw new VigilError('FORBIDDEN', `$.${field}: this token may export only ${field} "${narrowed}"`, { path: `$.${field}` });
          }
        }
        if (body.subject !== undefined && privacy.subjectKey === undefined) throw new VigilError('NOT_FOUND', 'nothing is indexed by data subject in this ledger', { path: '$.subject' });
        const built = await privacy.exports.build({
          dataDir: privacy.dataDir,
          profile: body.profile,
          filter: {
            ...(body.from === undefined ? {} : { from: body.from }),
            ...(body.to === undefined ? {} : { to: body.to }),
            ...(grant.agent ?? body.agent) === undefined ? {} : { agent: grant.agent ?? body.agent },
            ...(body.session === undefined ? {} : { session: body.session }),
            ...(grant.task ?? body.task) === undefined ? {} : { task: grant.task ?? body.task },
            ...(body.kinds === undefined ? {} : { kinds: body.kinds }),
            ...(body.subject === undefined ? {} : { subject: body.subject }),
          },
          rawPayloads: body.rawPayloads === true,
          ...(body.sinceCheckpoint === undefined ? {} : { sinceCheckpoint: body.sinceCheckpoint }),
          exportedBy: `token ${grant.id}`,
          rulesDirs: privacy.rulesDirs,
          policyFile: privacy.policyFile,
          pseudonymKeyHex: Buffer.from(privacy.pseudonymKey).toString('hex'),
          ...(privacy.subjectKey === undefined ? {} : { subjectKeyHex: Buffer.from(privacy.subjectKey).toString('hex') }),
        });
        try {
          // Who exported what, recorded before a byte goes out; never the subject's identifier.
          await recordAccess(grant, { action: 'export', profile: body.profile, entries: built.entries, checkpoint: built.checkpointSize, subject: body.subject !== undefined });
        } catch (e) {
          built.dispose();
          throw e;
        }
        res.status(200).type('application/gzip').setHeader('Content-Disposition', `attachment; filename="${built.name}.tar.gz"`);
        await built.stream(res);
      },
    },
    {
      method: 'post',
      path: '/v1/erasures',
      summary: "Erase a data subject's payloads (GDPR Art. 17), or the payloads at given indexes; an erasure entry records why",
      scope: 'admin',
      request: erasureRequestSchema,
      status: 201,
      handler: async (req, res) => {
        const body = validate(erasureRequestSchema, jsonBody(req));
        const grant = grantOf(res);
        const privacy = privacyOf(deps);
        const order = { reason: body.reason, basis: body.basis, actor: `token ${grant.id}` };
        let outcome: { matched?: number[]; erased: number[]; receipts: Receipt[] };
        if (body.subject !== undefined) {
          if (privacy.subjectKey === undefined) throw new VigilError('NOT_FOUND', 'nothing is indexed by data subject in this ledger', { path: '$.subject' });
          outcome = await eraseSubject(ledger, privacy.subjectKey, body.subject, order);
        } else {
          const indexes = body.indexes as number[];
          const beyond = indexes.find((i) => i >= ledger.size);
          if (beyond !== undefined) throw new VigilError('NOT_FOUND', `there is no entry ${beyond}`, { path: '$.indexes' });
          outcome = await erasePayloads(ledger, indexes, order);
        }
        res.status(201).json({ ...(outcome.matched === undefined ? {} : { matched: outcome.matched }), erased: outcome.erased, erasureEntries: outcome.receipts });
      },
    },
    {
      method: 'post',
      path: '/v1/tokens',
      summary: 'Mint a token: scopes, optionally narrowed to one agent and task, with an expiry',
      scope: 'admin',
      request: tokenRequestSchema,
      status: 201,
      handler: async (req, res) => {
        const body = validate(tokenRequestSchema, jsonBody(req));
        const minted = tokens.mint({ scopes: body.scopes, agent: body.agent, task: body.task, ttlSeconds: body.ttlSeconds });
        await recordAccess(grantOf(res), {
          action: 'token_minted',
          token: minted.id,
          scopes: minted.scopes,
          agent: minted.agent ?? null,
          task: minted.task ?? null,
          expiresAt: minted.expiresAt ?? null,
        });
        res.status(201).json({ id: minted.id, token: minted.token, scopes: minted.scopes, agent: minted.agent ?? null, task: minted.task ?? null, expiresAt: minted.expiresAt ?? null });
      },
    },
    {
      method: 'delete',
      path: '/v1/tokens/:id',
      summary: 'Revoke a token: the next call with it fails',
      scope: 'admin',
      status: 204,
      handler: async (req, res) => {
        const id = String(req.params.id);
        if (tokens.get(id) === undefined) throw new VigilError('NOT_FOUND', 'no such token', { path: 'id' });
        tokens.revoke(id);
        await recordAccess(grantOf(res), { action: 'token_revoked', token: id });
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      scope: undefined,
      handler: (_req, res) => {
        res.json({ status: 'ok' });
      },
    },
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the ledger can append and the DLP workers are up',
      scope: undefined,
      handler: (_req, res) => {
        const stat = ledger.stat();
        const ready = stat.appendable && deps.dlpReady();
        res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', ledger: stat.appendable ? 'ok' : 'unavailable', dlp: deps.dlpReady() ? 'ok' : 'starting', treeSize: stat.size });
      },
    },
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (text format)',
      scope: undefined,
      produces: 'text/plain',
      handler: async (_req, res) => {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    },
    {
      method: 'get',
      path: '/v1/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document',
      scope: undefined,
      handler: (_req, res) => {
        document ??= openApiDocument(routes);
        res.json(document);
      },
    },
  ];
  return routes;
}

function privacyOf(deps: AppDeps): PrivacyDeps {
  if (deps.privacy === undefined) throw new VigilError('NOT_AVAILABLE', 'exports and erasures are not set up in this service');
  return deps.privacy;
}

/** Bearer authentication and the route's scope: 401 without a valid token, 403 without the scope. */
function authorize(tokens: TokenStore, scope: Scope): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    const m = header === undefined ? null : /^Bearer ([^\s]+)$/.exec(header);
    if (!m) throw new VigilError('UNAUTHENTICATED', 'this route needs an Authorization: Bearer token');
    const grant = tokens.verify(m[1] as string);
    res.locals.grant = grant;
    res.locals.tokenId = grant.id;
    if (!grant.scopes.includes(scope)) throw new VigilError('FORBIDDEN', `this route needs the "${scope}" scope`);
    next();
  };
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Request logs are written at info; below that level the middleware would only cost time.
  if (deps.logger.isLevelEnabled('info')) app.use(
    pinoHttp({
      logger: deps.logger,
      // Ids, routes, statuses, sizes and latency only: never bodies, queries, headers or tokens.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      customProps: (_req, res) => ({ token: (res as Response).locals?.tokenId, agent: (res as Response).locals?.agent }),
      customErrorMessage: (_req, res) => `request failed with ${res.statusCode}`,
      customSuccessMessage: (_req, res) => `request completed with ${res.statusCode}`,
      wrapSerializers: false,
    }),
  );
  const body = express.raw({ type: () => true, limit: deps.bodyLimitBytes });
  for (const route of buildRoutes(deps)) {
    const method = route.method.toUpperCase();
    const measure: RequestHandler = (_req, res, next) => {
      const t0 = performance.now();
      res.on('finish', () => {
        const labels = { route: route.path, method, status: String(res.statusCode) };
        deps.metrics.requests.inc(labels);
        deps.metrics.latency.observe(labels, (performance.now() - t0) / 1e3);
      });
      next();
    };
    const handlers: RequestHandler[] = [measure];
    if (route.scope !== undefined) handlers.push(authorize(deps.tokens, route.scope));
    if (route.method === 'post' && route.streamBody !== true) handlers.push(body);
    handlers.push(async (req, res) => {
      await route.handler(req, res);
    });
    app[route.method](route.path, ...handlers);
  }
  app.use((_req, res) => {
    res.status(404).json(errorBody(new VigilError('NOT_FOUND', 'no such route')));
  });
  app.use(errorHandler((e) => deps.logger.error({ err: e instanceof Error ? { type: e.name } : undefined }, 'internal error')));
  return app;
}
