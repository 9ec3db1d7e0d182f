/**
 * POST /v1/filter/stream: the outbound filter for streamed LLM output. The agent's output comes in as a
 * text stream or as server-sent events (OpenAI- or Anthropic-style `data:` chunks); filtered text goes out
 * as server-sent events as soon as it is safe, then one event with the decision and the receipt.
 *
 * The text so far stays on the event loop; the release steps (dlp/stream.ts) run in the DLP worker pool,
 * one at a time per stream, and chunks that arrive meanwhile are taken by the next step. Nothing is
 * released that the whole text's result would rewrite: a value split across chunks never leaks.
 *
 * Answer events (`text/event-stream`):
 *   event: text   data: {"text": "..."}                           released filtered text, in order
 *   event: end    data: {"decision", "findings", "receipt"}        the whole response's decision and receipt
 *   event: error  data: {"error": {"code", "message"}}             the stream failed: treat it as not released
 * The whole response is recorded once, when the input ends (or the client goes away): the original text
 * as an erasable payload and its decision entry, as /v1/filter records them.
 */
import type { Request, Response } from 'express';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { z } from 'zod';
import { VigilError, isVigilError } from '../errors.js';
import { DEFAULT_MIN_STEP, stepDue, type StreamEnd } from '../dlp/index.js';
import type { Ledger } from '../ledger/index.js';
import type { DlpPool } from './dlp-pool.js';
import { errorBody } from './http.js';
import { failedScanError, findingViews, recordFilter, scanFailure } from './filter-record.js';
import type { ServiceMetrics } from './metrics.js';
import { filterSchema } from './schemas.js';

/** The stream's metadata travels in the query string (the body is the stream). */
export const filterStreamQuerySchema = filterSchema.omit({ content: true });
export type FilterStreamQuery = z.infer<typeof filterStreamQuerySchema>;

/** How many times the text limit the raw input (SSE framing included) may take. */
const SSE_FRAMING_ALLOWANCE = 16;

export const STREAM_INPUT_TYPES = ['text/event-stream', 'text/plain'] as const;

export interface FilterStreamDeps {
  ledger: Ledger;
  dlp: DlpPool;
  metrics: ServiceMetrics;
  policyName: string;
  /** the most text a stream may carry (UTF-8 bytes); its SSE framing may take up to 16 times that */
  limitBytes: number;
}

/**
 * The text of one input event: `[DONE]` ends the stream; JSON chunks give their text from the usual
 * fields (OpenAI chat `choices[0].delta.content`, completions `choices[0].text`, Anthropic `delta.text`,
 * or `text`/`content`); chunks without text (roles, usage, stop reasons) give ''; other data is text.
 */
export function eventText(data: string): string | 'done' {
  if (data.trim() === '[DONE]') return 'done';
  const first = data.trimStart()[0];
  if (first !== '{') return data;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return data;
  }
  const v = value as { choices?: Array<{ delta?: { content?: unknown }; text?: unknown }>; delta?: { text?: unknown }; text?: unknown; content?: unknown };
  const choice = Array.isArray(v.choices) ? v.choices[0] : undefined;
  for (const candidate of [choice?.delta?.content, choice?.text, v.delta?.text, v.text, v.content]) {
    if (typeof candidate === 'string') return candidate;
  }
  return '';
}

function sse(res: Response, event: string, data: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Reads the input as text chunks (SSE events decoded), handing each to `onText`; resolves at its end. */
async function readInput(req: Request, sseInput: boolean, limitBytes: number, onText: (text: string) => void): Promise<void> {
  let done = false;
  let textBytes = 0;
  let rawBytes = 0;
  const take = (text: string): void => {
    textBytes += Buffer.byteLength(text);
    if (textBytes > limitBytes) throw new VigilError('PAYLOAD_TOO_LARGE', `the streamed text is larger than ${limitBytes} bytes`);
    onText(text);
  };
  const parser = createParser({
    onEvent: (event: EventSourceMessage) => {
      if (done) return;
      const text = eventText(event.data);
      if (text === 'done') done = true;
      else if (text !== '') take(text);
    },
  });
  req.setEncoding('utf8'); // a multi-byte character split between packets is decoded whole
  for await (const chunk of req as AsyncIterable<string>) {
    // SSE framing is verbose (an OpenAI chunk wraps a few characters in ~150 bytes of JSON): it gets room.
    rawBytes += Buffer.byteLength(chunk);
    if (rawBytes > SSE_FRAMING_ALLOWANCE * limitBytes) throw new VigilError('PAYLOAD_TOO_LARGE', `the stream is larger than ${SSE_FRAMING_ALLOWANCE * limitBytes} bytes`);
    if (sseInput) parser.feed(chunk);
    else take(chunk);
  }
  if (sseInput) parser.feed('\n\n'); // a last event without its blank line still counts
}

/** Runs one streamed filter; the route has authenticated the caller and validated the query. */
export async function filterStream(deps: FilterStreamDeps, req: Request, res: Response, query: FilterStreamQuery, credential: string): Promise<void> {
  const type = (req.headers['content-type'] ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!(STREAM_INPUT_TYPES as readonly string[]).includes(type)) {
    throw new VigilError('UNSUPPORTED_MEDIA_TYPE', `the stream must be ${STREAM_INPUT_TYPES.join(' or ')}`, { contentType: type });
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > SSE_FRAMING_ALLOWANCE * deps.limitBytes) throw new VigilError('PAYLOAD_TOO_LARGE', `the stream is larger than ${SSE_FRAMING_ALLOWANCE * deps.limitBytes} bytes`);
  // Fail closed before anything starts: a ledger that cannot commit would leave the stream unrecorded.
  if (deps.ledger.appendBlocker() !== undefined) throw new VigilError('NOT_READY', 'the ledger cannot record right now; nothing was released');

  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  const options = { destination: query.destination };
  let text = '';
  let released = '';
  let scannedAt = 0;
  let blocked = false;
  let chunks = 0;
  let step: Promise<void> | undefined;

  const release = (next: string): void => {
    // Defence in depth: what goes out must extend what went out (the worker checks this too).
    if (!next.startsWith(released)) {
      blocked = true;
      return;
    }
    const piece = next.slice(released.length);
    released = next;
    if (piece !== '') sse(res, 'text', { text: piece });
  };
  const runStep = (): void => {
    if (step !== undefined || blocked || !stepDue(text.length, scannedAt, DEFAULT_MIN_STEP)) return;
    scannedAt = text.length;
    step = deps.dlp.streamStep(text, released, options).then((result) => {
      if (result.blocked) blocked = true;
      else release(result.released);
      step = undefined;
      runStep();
    });
  };

  let inputError: unknown;
  try {
    await readInput(req, type === 'text/event-stream', deps.limitBytes, (piece) => {
      chunks++;
      text += piece;
      runStep();
    });
  } catch (e) {
    inputError = e;
  }
  while (step !== undefined) await step;
  const aborted = inputError !== undefined && !isVigilError(inputError);
  // Whatever happened to the input, the whole response is decided and recorded once. If a step blocked
  // (or failed) mid-stream, the end decides from the whole text, as DlpStream does: the rest goes out
  // only if the whole text is not blocked and what went out is a prefix of its output.
  const end: StreamEnd & { subjects: string[] } = await deps.dlp.streamFinish(text, released, options);
  const failed = scanFailure(end.result);
  const releaseRest = inputError === undefined && failed === undefined && end.result.output !== null;
  const releasedChars = releaseRest ? (end.result.output as string).length : released.length;
  const meta = { stream: true, chunks, released: releasedChars, ...(aborted ? { aborted: true } : {}) };
  let receipt;
  try {
    receipt = await recordFilter(deps.ledger, deps.metrics, credential, {
      subject: query,
      content: text,
      result: end.result,
      policy: deps.policyName,
      destination: query.destination,
      purpose: query.purpose,
      meta,
      subjects: end.subjects,
    });
  } catch (e) {
    sse(res, 'error', errorBody(isVigilError(e) ? e : new VigilError('INTERNAL', 'the response could not be recorded')));
    res.end();
    return;
  }
  if (inputError !== undefined) {
    sse(res, 'error', errorBody(isVigilError(inputError) ? inputError : new VigilError('INVALID_INPUT', 'the input stream broke off')));
  } else if (failed !== undefined) {
    sse(res, 'error', errorBody(failedScanError(failed)));
  } else {
    if (releaseRest && end.text !== '') sse(res, 'text', { text: end.text });
    sse(res, 'end', { decision: end.result.decision, findings: findingViews(end.result), receipt, released: releasedChars });
  }
  res.end();
}
