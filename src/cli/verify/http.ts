/**
 * `vigil verify --url URL`: a running service verified through its public API only, as an outside auditor
 * would: the latest checkpoint (GET /v1/checkpoint), every entry's exact leaf bytes (GET /v1/entries, 1000
 * per page, auditor token), proofs (GET /v1/proof/inclusion, /v1/proof/consistency) and, with --payloads,
 * every payload (GET /v1/entries/:index/payload; 410 once erased).
 *
 * Full mode feeds the leaf bytes and the fetched checkpoint to the verification engine, and checks that the
 * fields the service decoded for each entry say what the leaf says (the leaf is what counts). Limits, which
 * the output states when they matter:
 * - The service publishes only its latest checkpoint, so a log that rotated its signing key cannot be
 *   followed from the first key over HTTP (the rotation must be covered by a checkpoint signed by the key it
 *   retires): use --db, or a range check with the key that signs the latest checkpoint.
 * - The payload route sends no salt, so served payloads are checked against their entries' sizes (and
 *   erasures), not their commitments, unless the service sends the salt in a `Vigil-Payload-Salt` header
 *   (base64), which is then used.
 * - The leaf bytes are held in memory (about their own size) while the engine runs.
 */
import { VigilError } from '../../errors.js';
import { decodeBase64 } from '../../tlog/index.js';
import { ProofUnavailable, fromEngineReport, servedFieldsMismatch, verifyLedger, verifyLedgerParallel, verifyRange, verifyServedPayloads, type AuditResult, type RangeEvidence, type SourcePayload } from '../../audit/index.js';
import { rangeCheckOptions, type Progress } from './common.js';
import { PARALLEL_MIN_ENTRIES, checkpointSize, type SourceOutcome } from './db.js';
import { availableParallelism } from 'node:os';

/** Entries per page of GET /v1/entries (the service's maximum). */
export const PAGE = 1000;
/** Pages requested ahead of the one being read. */
const PAGES_AHEAD = 4;
/** Payloads and proofs requested at once. */
const REQUESTS_AHEAD = 16;
const TIMEOUT_MS = 60_000;
/** Header in which a service may send a payload's salt (base64), so commitments can be checked over HTTP. */
export const SALT_HEADER = 'vigil-payload-salt';

interface ServedRow {
  index: number;
  leaf: Uint8Array;
  served: Record<string, unknown>;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

/** A client of one service's public API; every failure to talk to it is a VigilError with exit code 2. */
export class LogClient {
  readonly base: string;
  /** aborts requests still in flight (prefetched pages, proofs, payloads) once the verification is over */
  readonly #done = new AbortController();

  constructor(
    url: string,
    private readonly token: string | undefined,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new VigilError('INVALID_INPUT', `--url: ${url} is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new VigilError('INVALID_INPUT', `--url: ${url} is not an http or https URL`);
    this.base = parsed.href.replace(/\/+$/, '');
  }

  async #get(route: string, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = {};
    if (auth && this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    try {
      return await fetch(this.base + route, { headers, signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), this.#done.signal]) });
    } catch (e) {
      if (this.#done.signal.aborted) throw new VigilError('SERVICE_ERROR', 'the verification is over', undefined, { cause: e });
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (e as Error).message);
      throw new VigilError('SERVICE_UNREACHABLE', `cannot reach ${this.base}: ${why}`, undefined, { cause: e });
    }
  }

  /** What a failed answer says: "CODE: message" from the error body, else the status text. */
  async #said(res: Response): Promise<string> {
    let body: ErrorBody = {};
    try {
      body = (await res.json()) as ErrorBody;
    } catch {
      // not a JSON error body
    }
    return body.error?.code ? `${body.error.code}${body.error.message ? `: ${body.error.message}` : ''}` : res.statusText;
  }

  /** The error a failed answer means: 401/403 name the token, anything else says what the service said. */
  async #failure(res: Response, what: string): Promise<VigilError> {
    const said = await this.#said(res);
    if (res.status === 401) {
      return new VigilError('UNAUTHENTICATED', `${what}: the service refused the token (401 ${said}); give an auditor token with --token or VIGIL_TOKEN`);
    }
    if (res.status === 403) return new VigilError('FORBIDDEN', `${what}: the token is not allowed to read this (403 ${said}); it needs the auditor scope`);
    return new VigilError('SERVICE_ERROR', `${what}: the service answered ${res.status} ${said}`);
  }

  async #json(res: Response, what: string): Promise<unknown> {
    try {
      return await res.json();
    } catch {
      throw new VigilError('SERVICE_ERROR', `${what}: the service's answer is not JSON`);
    }
  }

  /** Ends the requests still in flight. */
  close(): void {
    this.#done.abort();
  }

  /** The latest signed checkpoint note. */
  async checkpoint(): Promise<string> {
    const res = await this.#get('/v1/checkpoint', false);
    if (!res.ok) {
      const e = await this.#failure(res, 'GET /v1/checkpoint');
      if (res.status === 503) throw new VigilError('SERVICE_ERROR', `${e.message} (a service with no signed checkpoint yet has nothing to verify)`);
      throw e;
    }
    return await res.text();
  }

  /** Entries start..start+limit-1 (fewer at the end of the log); 'not-found' when the service cannot read one of them. */
  async entriesPage(start: number, limit: number): Promise<ServedRow[] | 'not-found'> {
    const what = `GET /v1/entries?start=${start}&limit=${limit}`;
    const res = await this.#get(`/v1/entries?start=${start}&limit=${limit}`, true);
    if (res.status === 404) {
      await res.body?.cancel();
      return 'not-found';
    }
    if (!res.ok) throw await this.#failure(res, what);
    const body = (await this.#json(res, what)) as { entries?: unknown };
    if (!Array.isArray(body.entries)) throw new VigilError('SERVICE_ERROR', `${what}: the answer has no entries list`);
    return body.entries.map((x, i) => parseServed(x, `${what}, entry ${i}`));
  }

  /** Proofs: an answer other than a proof (an error status) means the service cannot prove it. */
  async #proof(route: string): Promise<Uint8Array[]> {
    const res = await this.#get(route, false);
    if (res.status === 401 || res.status === 403) throw await this.#failure(res, `GET ${route}`);
    if (!res.ok) throw new ProofUnavailable(`GET ${route} answered ${res.status} ${await this.#said(res)}`);
    const body = (await this.#json(res, `GET ${route}`)) as { proof?: unknown };
    if (!Array.isArray(body.proof) || !body.proof.every((h) => typeof h === 'string')) throw new ProofUnavailable(`GET ${route} sent no list of hashes`);
    try {
      return (body.proof as string[]).map((h) => decodeBase64(h, 'a proof hash'));
    } catch (e) {
      throw new ProofUnavailable(`GET ${route}: ${(e as Error).message}`);
    }
  }

  inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    return this.#proof(`/v1/proof/inclusion?index=${index}&size=${size}`);
  }

  consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    return this.#proof(`/v1/proof/consistency?from=${from}&to=${to}`);
  }

  /** The payload of entry `index`: its bytes (and salt, if the service sends it), erased (410) or missing (404). */
  async payload(index: number): Promise<SourcePayload> {
    const route = `/v1/entries/${index}/payload`;
    const res = await this.#get(route, true);
    if (res.ok) {
      const body = new Uint8Array(await res.arrayBuffer());
      const salt = res.headers.get(SALT_HEADER);
      if (salt === null) return { state: 'present', body };
      try {
        return { state: 'present', body, salt: decodeBase64(salt, `the ${SALT_HEADER} header`) };
      } catch (e) {
        throw new VigilError('SERVICE_ERROR', `GET ${route}: ${(e as Error).message}`);
      }
    }
    if (res.status === 410) {
      const body = (await this.#json(res, `GET ${route}`)) as ErrorBody;
      const by = body.error?.details?.erasureIndex;
      return { state: 'erased', erasureIndex: typeof by === 'number' ? by : undefined };
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return { state: 'missing' };
    }
    throw await this.#failure(res, `GET ${route}`);
  }
}

function parseServed(x: unknown, where: string): ServedRow {
  const row = x as { index?: unknown; leaf?: unknown };
  if (typeof x !== 'object' || x === null || typeof row.leaf !== 'string' || !Number.isSafeInteger(row.index)) {
    throw new VigilError('SERVICE_ERROR', `${where}: not an entry with an index and base64 leaf bytes`);
  }
  let leaf: Uint8Array;
  try {
    leaf = decodeBase64(row.leaf, 'leaf');
  } catch (e) {
    throw new VigilError('SERVICE_ERROR', `${where}: ${(e as Error).message}`);
  }
  return { index: row.index as number, leaf, served: x as Record<string, unknown> };
}

/**
 * Entries from..end-1 in order, PAGES_AHEAD pages requested ahead. A page the service cannot serve (404:
 * a row is missing) is fetched entry by entry, skipping the missing ones, so the engine sees the gap where
 * it is. Stops where the service's log ends.
 */
export async function* servedEntries(client: LogClient, from: number, end: number): AsyncIterable<ServedRow> {
  const starts: number[] = [];
  for (let s = from; s < end; s += PAGE) starts.push(s);
  const pending: Array<Promise<ServedRow[] | 'not-found'>> = [];
  let next = 0;
  const fill = (): void => {
    while (next < starts.length && pending.length < PAGES_AHEAD) {
      const start = starts[next++] as number;
      const p = client.entriesPage(start, Math.min(PAGE, end - start));
      p.catch(() => undefined);
      pending.push(p);
    }
  };
  for (let page = 0; page < starts.length; page++) {
    fill();
    const start = starts[page] as number;
    const limit = Math.min(PAGE, end - start);
    const rows = await (pending.shift() as Promise<ServedRow[] | 'not-found'>);
    if (rows === 'not-found') {
      for (let i = start; i < start + limit; i++) {
        const one = await client.entriesPage(i, 1);
        if (one === 'not-found') continue;
        if (one.length === 0) return;
        yield one[0] as ServedRow;
      }
      continue;
    }
    yield* rows;
    if (rows.length < limit) return;
  }
}

export interface ServiceVerifyOptions {
  url: string;
  token: string | undefined;
  trustedKey: string;
  pinned: string | undefined;
  range: { from: number | undefined; to: number | undefined } | undefined;
  payloads: boolean;
  workers: number | undefined;
  progress: Progress;
}

export async function verifyService(options: ServiceVerifyOptions): Promise<SourceOutcome> {
  const client = new LogClient(options.url, options.token);
  try {
    const note = await client.checkpoint();
    return await (options.range ? verifyServiceRange(client, note, options) : verifyWholeService(client, note, options));
  } finally {
    client.close();
  }
}

/** Records what the service's decoded fields say against the leaf, and whether the log rotated keys. */
class ServedChecks {
  mismatch: { index: number; fields: string[] } | undefined;
  rotations = 0;

  see(row: ServedRow): void {
    if (row.served.kind === 'key_rotation') this.rotations++;
    if (this.mismatch) return;
    const fields = servedFieldsMismatch(row.served, row.leaf);
    if (fields && fields.length > 0) this.mismatch = { index: row.index, fields };
  }

  /** A verified result fails when the service misreported an entry's fields. */
  apply(result: AuditResult): void {
    if (!result.ok || !this.mismatch) return;
    result.ok = false;
    const { index, fields } = this.mismatch;
    result.failure = { code: 'ENTRY_FIELDS_MISMATCH', index, message: `entry ${index}: the service's decoded ${fields.join(', ')} disagree${fields.length === 1 ? 's' : ''} with the leaf bytes it sent` };
  }

  hint(result: AuditResult): void {
    const code = result.failure?.code;
    if (this.rotations > 0 && (code === 'CHECKPOINT_SIGNATURE' || code === 'KEY_ROTATION_INVALID')) {
      result.notes.push(
        'this log rotated its signing key, and a service publishes only its latest checkpoint: over HTTP the chain of keys cannot be followed from the first key (that needs the checkpoints signed by each retiring key); verify the ledger file with --db, or check a range (--from/--to) with the key that signs the latest checkpoint',
      );
    }
  }
}

async function verifyWholeService(client: LogClient, note: string, options: ServiceVerifyOptions): Promise<SourceOutcome> {
  const size = Math.max(0, checkpointSize(note));
  const checks = new ServedChecks();
  const leaves: Uint8Array[] = [];
  const indexes: number[] = [];
  options.progress.stage('fetching', size);
  for await (const row of servedEntries(client, 0, size)) {
    leaves.push(row.leaf);
    indexes.push(row.index);
    checks.see(row);
    if (leaves.length % PAGE === 0) options.progress.update(leaves.length);
  }
  options.progress.stage('verifying', leaves.length);
  const evidence = { entries: leaves.map((leaf, i) => ({ index: indexes[i] as number, leaf })), checkpoints: [note] };
  const engineOptions = { trustedKey: options.trustedKey, pinned: options.pinned, onProgress: (n: number) => options.progress.update(n), progressEvery: 8192 };
  const cores = availableParallelism();
  const workers = options.workers ?? (leaves.length >= PARALLEL_MIN_ENTRIES && cores > 1 ? cores : 0);
  const report = workers > 0 ? await verifyLedgerParallel(evidence, { ...engineOptions, workers }) : verifyLedger(evidence, engineOptions);
  const result = fromEngineReport(report, { type: 'url', url: client.base });
  checks.apply(result);
  checks.hint(result);
  if (result.ok && options.payloads) {
    options.progress.stage('payloads', leaves.length);
    const erasedBy = new Map(report.erasures.map((e) => [e.index, e.erasureIndex]));
    const served = await verifyServedPayloads(leaves.length, (i) => leaves[i] as Uint8Array, (i) => client.payload(i), erasedBy, {
      concurrency: REQUESTS_AHEAD,
      onProgress: (n) => options.progress.update(n),
    });
    result.payloads = { checked: true, present: served.present, erased: served.erased, by: served.by };
    result.erasures = served.erasures;
    if (served.by === 'size') {
      result.notes.push(`the service sends no payload salts (${SALT_HEADER} header): payloads were checked against their entries' sizes and erasures, not their commitments; a replacement of the same size is caught by --db`);
    }
    if (served.failure) {
      result.ok = false;
      result.failure = served.failure;
    }
  }
  return { result, latest: result.ok ? note : undefined };
}

async function verifyServiceRange(client: LogClient, note: string, options: ServiceVerifyOptions): Promise<SourceOutcome> {
  const checks = new ServedChecks();
  const evidence: RangeEvidence = {
    checkpoint: note,
    entries: async function* (from, to) {
      for await (const row of servedEntries(client, from, to + 1)) {
        checks.see(row);
        yield { index: row.index, leaf: row.leaf };
      }
    },
    inclusionProof: (index, size) => client.inclusionProof(index, size),
    consistencyProof: (from, to) => client.consistencyProof(from, to),
    leaf: async (index) => {
      const rows = await client.entriesPage(index, 1);
      return rows === 'not-found' ? undefined : rows[0]?.leaf;
    },
    ...(options.payloads ? { payload: (index: number) => client.payload(index) } : {}),
  };
  const result = await verifyRange(evidence, { ...rangeCheckOptions(options), prefetch: REQUESTS_AHEAD }, { type: 'url', url: client.base });
  checks.apply(result);
  if (result.payloads.by === 'size') {
    result.notes.push(`the service sends no payload salts (${SALT_HEADER} header): payloads were checked against their entries' sizes and erasures, not their commitments`);
  }
  return { result, latest: result.ok ? note : undefined };
}
