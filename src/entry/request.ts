/**
 * What a caller may ask the ledger to record. One zod schema validates it wherever it enters (CLI lines,
 * HTTP bodies), so the rules and the error paths are the same everywhere. Untrusted input.
 */
import { z } from 'zod';
import { VigilError } from '../errors.js';
import { canonicalize, type JsonValue } from '../tlog/index.js';
import { KIND_PATTERN, MAX_NAME_LENGTH, SYSTEM_KINDS, type JsonObject } from './entry.js';

/** Largest canonical size of `meta`: it is metadata about the payload, never the payload itself. */
export const MAX_META_BYTES = 8 * 1024;

const name = z
  .string()
  .min(1)
  .max(MAX_NAME_LENGTH)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

export const appendRequestSchema = z.strictObject({
  kind: z
    .string()
    .regex(KIND_PATTERN, 'must be lower-case letters, digits and _')
    .refine((k) => !SYSTEM_KINDS.has(k), 'is written only by the ledger itself'),
  agent: name,
  session: name.optional(),
  task: name.optional(),
  meta: z.record(z.string(), jsonValue).optional(),
  payload: jsonValue,
});

export type AppendRequest = z.infer<typeof appendRequestSchema>;

/** A zod issue path as Vigil writes field paths in errors: `$.a.b[2]`. */
export function zodPath(path: readonly PropertyKey[]): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Finds numbers JSON cannot carry exactly: integers beyond 2^53 must travel as strings. */
function findUnsafeNumber(value: JsonValue, path: string): string | undefined {
  if (typeof value === 'number') return Math.abs(value) > Number.MAX_SAFE_INTEGER ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findUnsafeNumber(value[i] as JsonValue, `${path}[${i}]`);
      if (p) return p;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = findUnsafeNumber(v, `${path}.${k}`);
      if (p) return p;
    }
  }
  return undefined;
}

/** Validates an untrusted append request; throws VigilError INVALID_INPUT naming the field path. */
export function parseAppendRequest(input: unknown): AppendRequest {
  const result = appendRequestSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue ? zodPath(issue.path) : '$';
    throw new VigilError('INVALID_INPUT', `${path}: ${issue?.message ?? 'invalid'}`, { path });
  }
  const req = result.data;
  if (req.meta !== undefined) {
    const unsafe = findUnsafeNumber(req.meta as JsonObject, '$.meta');
    if (unsafe) throw new VigilError('INVALID_INPUT', `${unsafe}: numbers beyond 2^53 must be sent as strings`, { path: unsafe });
    const size = Buffer.byteLength(canonicalize(req.meta as JsonObject));
    if (size > MAX_META_BYTES) {
      throw new VigilError('INVALID_INPUT', `$.meta: ${size} bytes, more than ${MAX_META_BYTES}; put content in the payload`, { path: '$.meta' });
    }
  }
  return req;
}
