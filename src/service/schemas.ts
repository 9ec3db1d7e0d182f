/**
 * The request and response shapes of the HTTP API (a contract: paths and field names do not change).
 * The same zod schemas validate requests and generate the OpenAPI document (openapi.ts).
 */
import { z } from 'zod';
import { appendRequestSchema } from '../entry/index.js';
import { SCOPES } from './tokens.js';

/** What agents record: the four kinds of an agent's work (the ledger's own kinds are not theirs to write). */
export const EVENT_KINDS = ['prompt', 'tool_call', 'tool_result', 'response'] as const;

export const eventSchema = appendRequestSchema.extend({ kind: z.enum(EVENT_KINDS) });
export type EventRequest = z.infer<typeof eventSchema>;

/** Events per batch request, at most. */
export const MAX_BATCH_EVENTS = 10_000;
export const eventBatchSchema = z.array(eventSchema).min(1).max(MAX_BATCH_EVENTS);

const name = eventSchema.shape.agent;
const jsonValue = eventSchema.shape.payload;

export const filterSchema = z.strictObject({
  agent: name,
  session: name.optional(),
  task: name.optional(),
  /** the agent's output: text, or a JSON value (scanned value by value, returned in the same shape) */
  content: jsonValue,
  /** where the output goes: selects the policy's per-destination overrides */
  destination: z.string().min(1).max(128).optional(),
  /** why it is processed (recorded with the decision, for GDPR records) */
  purpose: z.string().min(1).max(256).optional(),
  /** the policy to apply: the loaded policy's name (others are refused) */
  policy: z.string().min(1).max(128).optional(),
});
export type FilterRequest = z.infer<typeof filterSchema>;

export const tokenRequestSchema = z.strictObject({
  scopes: z.array(z.enum(SCOPES)).min(1),
  agent: name.optional(),
  task: name.optional(),
  ttlSeconds: z.number().int().positive().optional(),
});

/** POST /v1/erasures: a data subject's identifier, or entry indexes; why and on what legal basis. */
export const erasureRequestSchema = z
  .strictObject({
    subject: z.string().min(1).max(1024).optional(),
    indexes: z.array(z.number().int().nonnegative()).min(1).max(10_000).optional(),
    /** why, in words that name no person: the erasure entry is permanent */
    reason: z.string().min(1).max(1000),
    /** the legal basis, e.g. "GDPR Art. 17(1)(a)" */
    basis: z.string().min(1).max(1000),
  })
  .refine((r) => (r.subject === undefined) !== (r.indexes === undefined), { message: 'give either subject or indexes' });

export const receiptSchema = z.object({
  index: z.number().int(),
  leafHash: z.string(),
  checkpoint: z.string(),
  proof: z.array(z.string()),
});

export const findingSchema = z.object({
  type: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  score: z.number(),
  rule: z.string(),
  action: z.enum(['allow', 'redact', 'mask', 'pseudonymise', 'block']),
});

export const filterResponseSchema = z.object({
  decision: z.enum(['allow', 'redact', 'block']),
  output: jsonValue.nullable(),
  findings: z.array(findingSchema),
  receipt: receiptSchema,
});

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) });
