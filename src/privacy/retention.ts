/**
 * Retention: payloads are erased once their period has passed, the same way as an erasure request (an
 * erasure entry says which, why and on what basis). Safe to run from cron: it only erases payloads still
 * present, so a second run finds nothing and appends nothing.
 *
 * An entry's period is the longest of its kind's period (or the default) and the periods of the DLP
 * categories found in it; categories come from dlp_decision entries (their findings), and apply to the
 * decision and to the response it filtered (linked by `meta.filter`). Entries' timestamps never decrease
 * with their index, so the entries old enough to be candidates are a prefix, found by binary search.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { VigilError } from '../errors.js';
import { decodeEntry, zodPath, type Entry } from '../entry/index.js';
import type { ErasureReceipt, Ledger } from '../ledger/index.js';
import { erasePayloads } from './erase.js';

const DURATION = /^P(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,5})D)?$/;

/** An ISO 8601 duration of years, months and days. */
export interface Period {
  text: string;
  years: number;
  months: number;
  days: number;
}

const periodSchema = z.string().transform((text, ctx): Period => {
  const m = DURATION.exec(text);
  if (!m || text === 'P') {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 duration of years, months and days, e.g. P6Y, P12M, P30D' });
    return z.NEVER;
  }
  return { text, years: Number(m[1] ?? 0), months: Number(m[2] ?? 0), days: Number(m[3] ?? 0) };
});

const policySchema = z.strictObject({
  version: z.literal(1),
  name: z.string().min(1).max(128),
  basis: z.string().min(1).max(1000),
  default: periodSchema,
  kinds: z.record(z.string(), periodSchema).default({}),
  categories: z.record(z.string(), periodSchema).default({}),
});

export type RetentionPolicy = z.infer<typeof policySchema>;

export function defaultRetentionPolicyFile(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'policy', 'retention.yaml');
}

export function loadRetentionPolicy(file: string = defaultRetentionPolicyFile()): RetentionPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new VigilError('INVALID_INPUT', `${file}: cannot read the retention policy (${e instanceof Error ? e.message.split('\n')[0] : 'error'})`);
  }
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VigilError('INVALID_INPUT', `${file}: ${zodPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`, { path: zodPath(issue?.path ?? []) });
  }
  return parsed.data;
}

/** The instant `period` after `ms` (calendar arithmetic in UTC: P1M after 31 January is 3 March). */
export function addPeriod(ms: number, period: Period, sign: 1 | -1 = 1): number {
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() + sign * period.years, d.getUTCMonth() + sign * period.months, d.getUTCDate() + sign * period.days);
  return d.getTime();
}

const DAY_MS = 86_400_000;

function longest(periods: Period[], from: number): number {
  return Math.max(...periods.map((p) => addPeriod(from, p)));
}

/** The DLP categories a decision entry's findings name; undefined when its payload is gone or not a decision. */
function decisionCategories(ledger: Ledger, index: number): Set<string> | undefined {
  const stored = ledger.readPayload(index);
  if (stored.state !== 'present') return undefined;
  try {
    const body = JSON.parse(Buffer.from(stored.body).toString('utf8')) as { findings?: Array<{ category?: unknown }> };
    return new Set((body.findings ?? []).map((f) => f.category).filter((c): c is string => typeof c === 'string'));
  } catch {
    return undefined; // not a decision this version wrote: no categories
  }
}

export interface RetentionOutcome {
  policy: string;
  /** entries old enough to be looked at (the shortest period has passed) */
  examined: number;
  /** payloads whose period has passed (present or already erased) */
  expired: number[];
  /** payloads erased by this run */
  erased: number[];
  receipts: ErasureReceipt[];
}

/** Runs the policy at `now` (ms); with `dryRun`, says what it would erase and erases nothing. */
export async function runRetention(ledger: Ledger, policy: RetentionPolicy, now: number, options: { dryRun?: boolean } = {}): Promise<RetentionOutcome> {
  const all = [policy.default, ...Object.values(policy.kinds), ...Object.values(policy.categories)];
  // Entries stamped after this cannot have expired under any rule (a few days' margin for month ends:
  // every candidate is checked exactly below).
  const newestCandidate = Math.max(...all.map((p) => addPeriod(now, p, -1))) + 4 * DAY_MS;
  const size = ledger.size;
  const entryAt = (i: number): Entry => decodeEntry(ledger.readLeaf(i));
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Date.parse(entryAt(mid).ts) <= newestCandidate) lo = mid + 1;
    else hi = mid;
  }
  const candidates = lo;

  // One pass decodes each entry once: the candidates' kind, time and filter id, and the categories each
  // filtered response was found to hold, by filter id (its decision entry may sit just past the prefix).
  const categories = new Map<string, Set<string>>();
  const candidateEntries: Array<{ index: number; ts: number; kind: string; filter: string | undefined }> = [];
  for (let i = 0; i < Math.min(size, candidates + 64); i++) {
    const e = entryAt(i);
    const filter = typeof e.meta?.filter === 'string' ? e.meta.filter : undefined;
    // Erasures, rotations and access records carry nothing to erase.
    if (i < candidates && e.payload.size > 0) candidateEntries.push({ index: i, ts: Date.parse(e.ts), kind: e.kind, filter });
    if (e.kind === 'dlp_decision' && filter !== undefined) {
      const found = decisionCategories(ledger, i);
      if (found) categories.set(filter, found);
    }
  }

  const expired: number[] = [];
  for (const e of candidateEntries) {
    const periods = [policy.kinds[e.kind] ?? policy.default];
    for (const c of (e.filter === undefined ? undefined : categories.get(e.filter)) ?? []) {
      const p = policy.categories[c];
      if (p) periods.push(p);
    }
    if (longest(periods, e.ts) <= now) expired.push(e.index);
  }
  const outcome: RetentionOutcome = { policy: policy.name, examined: candidates, expired, erased: [], receipts: [] };
  if (options.dryRun) {
    outcome.erased = expired.filter((i) => ledger.readPayload(i).state === 'present');
    return outcome;
  }
  const { erased, receipts } = await erasePayloads(ledger, expired, {
    reason: `retention period passed under policy "${policy.name}"`,
    basis: policy.basis,
    actor: 'vigil retention',
  });
  return { ...outcome, erased, receipts };
}
