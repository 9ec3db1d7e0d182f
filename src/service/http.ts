/**
 * HTTP plumbing shared by the routes: JSON bodies parsed strictly (errors say where), zod validation with
 * the failing path, and one error shape for every failure: `{error: {code, message, details?}}`.
 */
import type { ErrorRequestHandler, Request } from 'express';
import type { z } from 'zod';
import { VigilError, isVigilError } from '../errors.js';
import { zodPath } from '../entry/index.js';
import { parseStrictJson, type JsonValue } from '../tlog/index.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorBody(e: VigilError): ErrorBody {
  const body: ErrorBody = { error: { code: e.code, message: e.message } };
  if (e.details !== undefined) body.error.details = { ...e.details };
  return body;
}

/** The request body (read raw by express.raw) parsed as strict JSON; 400 naming line and column. */
export function jsonBody(req: Request): JsonValue {
  const raw: unknown = req.body;
  if (!(raw instanceof Buffer) || raw.length === 0) throw new VigilError('INVALID_JSON', 'the request needs a JSON body');
  return parseStrictJson(raw);
}

/** `input` checked against `schema`; 400 INVALID_INPUT naming the first failing path ($.a.b[2]). */
export function validate<S extends z.ZodType>(schema: S, input: unknown, prefix = '$'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = prefix + zodPath(issue?.path ?? []).slice(1);
  throw new VigilError('INVALID_INPUT', `${where}: ${issue?.message ?? 'invalid'}`, { path: where });
}

/** A non-negative safe integer from a query or path parameter; 400 naming it otherwise. */
export function intParam(value: unknown, name: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw new VigilError('INVALID_INPUT', `${name} must be a non-negative integer`, { path: name });
  return Number(value);
}

/** Maps body-parser failures and VigilErrors to the JSON error shape; anything else is a 500 that says nothing. */
export function errorHandler(onInternal: (e: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let e: VigilError;
    if (isVigilError(err)) e = err;
    else if (typeof err === 'object' && err !== null && (err as { type?: string }).type === 'entity.too.large') {
      e = new VigilError('PAYLOAD_TOO_LARGE', `the request body is larger than ${(err as { limit?: number }).limit ?? 'the limit'} bytes`);
    } else if (typeof err === 'object' && err !== null && typeof (err as { status?: number }).status === 'number' && (err as { status: number }).status < 500) {
      e = new VigilError('INVALID_INPUT', 'the request body could not be read');
    } else {
      onInternal(err);
      e = new VigilError('INTERNAL', 'an internal error; nothing was recorded or released');
    }
    res.status(e.httpStatus).json(errorBody(e));
  };
}
