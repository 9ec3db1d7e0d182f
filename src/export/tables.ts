/**
 * What the bag's tables and report say, gathered while the entries are written: counts by kind, agent,
 * purpose and agent/task, DLP decisions and findings, disclosures and erasures. Only metadata is kept here:
 * field names, types, categories, actions, recipients and purposes; never payload content.
 */
import type { Entry } from '../entry/index.js';

export type Role = 'selected' | 'linked' | 'context';

/** A dlp_decision entry's payload, as the filter routes record it (src/service/filter-record.ts). */
export interface DecisionRecord {
  decision: string;
  findings: Array<{ type: string; category: string; action: string }>;
  policy: string | undefined;
  destination: string | undefined;
  purpose: string | undefined;
  filter: string | undefined;
}

/** Reads a decision payload; anything unexpected is left out rather than guessed. */
export function parseDecision(bytes: Uint8Array): DecisionRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const str = (x: unknown): string | undefined => (typeof x === 'string' && x.length > 0 ? x : undefined);
  const findings = Array.isArray(v.findings)
    ? v.findings.flatMap((f: unknown) => {
        if (typeof f !== 'object' || f === null) return [];
        const r = f as Record<string, unknown>;
        return [{ type: str(r.type) ?? 'UNKNOWN', category: str(r.category) ?? 'unknown', action: str(r.action) ?? 'unknown' }];
      })
    : [];
  return { decision: str(v.decision) ?? 'unknown', findings, policy: str(v.policy), destination: str(v.destination), purpose: str(v.purpose), filter: str(v.filter) };
}

export interface DisclosureRow {
  date: string;
  recipient: string;
  description: string;
  purpose: string;
  decision: string;
  agent: string;
  session: string;
  task: string;
  decisionIndex: number;
  responseIndex: number | undefined;
  policy: string;
}

export interface ErasureRow {
  erasureIndex: number;
  erasedAt: string;
  basis: string;
  reason: string;
  actor: string;
  indexesErased: number;
  /** exported entries whose payload this erasure removed */
  exportedErased: number[];
}

export interface PayloadCounts {
  included: number;
  /** included with their salt: the verifier opens their commitment */
  verifiable: number;
  redacted: number;
  erased: number;
  withheld: number;
  omitted: number;
}

const NONE = '(none)';

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export class ExportStats {
  readonly byKind = new Map<string, number>();
  readonly byAgent = new Map<string, number>();
  readonly byRole = new Map<Role, number>();
  /** agent ‖ NUL ‖ task → count, first and last timestamps */
  readonly byAgentTask = new Map<string, { agent: string; task: string; count: number; first: string; last: string }>();
  readonly decisions = new Map<string, number>();
  /** category ‖ TAB ‖ type ‖ TAB ‖ action → findings */
  readonly findings = new Map<string, number>();
  readonly payloads: PayloadCounts = { included: 0, verifiable: 0, redacted: 0, erased: 0, withheld: 0, omitted: 0 };
  readonly erasures = new Map<number, ErasureRow>();
  /** erased exported entry → erasure index */
  readonly erasedBy = new Map<number, number>();
  first: string | undefined;
  last: string | undefined;
  total = 0;
  readonly #purposeOfFilter = new Map<string, string>();
  readonly #responsesByFilter = new Map<string, number>();
  readonly #entryPurposes = new Map<number, string>();
  readonly #decisions: Array<{ entry: Entry; record: DecisionRecord | undefined }> = [];

  addEntry(entry: Entry, role: Role): void {
    this.total++;
    bump(this.byKind, entry.kind);
    bump(this.byAgent, entry.agent);
    this.byRole.set(role, (this.byRole.get(role) ?? 0) + 1);
    const task = entry.task ?? NONE;
    const key = `${entry.agent}\u0000${task}`;
    const at = this.byAgentTask.get(key);
    if (at) {
      at.count++;
      at.last = entry.ts;
    } else {
      this.byAgentTask.set(key, { agent: entry.agent, task, count: 1, first: entry.ts, last: entry.ts });
    }
    this.first ??= entry.ts;
    this.last = entry.ts;
    const filter = typeof entry.meta?.filter === 'string' ? entry.meta.filter : undefined;
    if (entry.kind === 'response' && filter !== undefined) this.#responsesByFilter.set(filter, entry.index);
    const purpose = entry.meta?.purpose;
    if (typeof purpose === 'string' && purpose.length > 0) this.#entryPurposes.set(entry.index, purpose);
    if (entry.kind === 'erasure') {
      const indexes = Array.isArray(entry.meta?.indexes) ? entry.meta.indexes : [];
      const text = (x: unknown): string => (typeof x === 'string' ? x : '');
      this.erasures.set(entry.index, {
        erasureIndex: entry.index,
        erasedAt: entry.ts,
        basis: text(entry.meta?.basis),
        reason: text(entry.meta?.reason),
        actor: text(entry.meta?.actor),
        indexesErased: indexes.length,
        exportedErased: [],
      });
    }
  }

  /** A dlp_decision entry of the bag, with its payload read (undefined when erased or unreadable). */
  addDecision(entry: Entry, record: DecisionRecord | undefined): void {
    const decision = record?.decision ?? (typeof entry.meta?.decision === 'string' ? entry.meta.decision : 'unknown');
    bump(this.decisions, decision);
    for (const f of record?.findings ?? []) bump(this.findings, `${f.category}\t${f.type}\t${f.action}`);
    const filter = record?.filter ?? (typeof entry.meta?.filter === 'string' ? entry.meta.filter : undefined);
    if (filter !== undefined && record?.purpose !== undefined) this.#purposeOfFilter.set(filter, record.purpose);
    if (record?.purpose !== undefined) this.#entryPurposes.set(entry.index, record.purpose);
    this.#decisions.push({ entry, record });
  }

  addErased(index: number, erasureIndex: number): void {
    this.erasedBy.set(index, erasureIndex);
  }

  /** Counts by purpose: a decision's purpose, its response's (linked by the filter id), or the entry's meta.purpose. */
  byPurpose(): Map<string, number> {
    const out = new Map<string, number>();
    const purposes = new Map(this.#entryPurposes);
    for (const [filter, index] of this.#responsesByFilter) {
      const p = this.#purposeOfFilter.get(filter);
      if (p !== undefined) purposes.set(index, p);
    }
    for (const p of purposes.values()) bump(out, p);
    const unspecified = this.total - purposes.size;
    if (unspecified > 0) bump(out, NONE, unspecified);
    return out;
  }

  /** Responses that went out through the filter (every decision but block), oldest first. */
  disclosures(): DisclosureRow[] {
    const rows: DisclosureRow[] = [];
    for (const { entry, record } of this.#decisions) {
      const decision = record?.decision ?? (typeof entry.meta?.decision === 'string' ? entry.meta.decision : 'unknown');
      if (decision === 'block') continue;
      const filter = record?.filter ?? (typeof entry.meta?.filter === 'string' ? entry.meta.filter : undefined);
      const kinds = new Map<string, Set<string>>();
      for (const f of record?.findings ?? []) {
        const set = kinds.get(f.category) ?? new Set<string>();
        set.add(`${f.type} (${f.action})`);
        kinds.set(f.category, set);
      }
      const description = record === undefined
        ? '(decision payload erased)'
        : kinds.size === 0
          ? 'no regulated data found'
          : [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, types]) => `${c}: ${[...types].sort().join(', ')}`).join('; ');
      rows.push({
        date: entry.ts,
        recipient: record?.destination ?? (record ? '(unspecified)' : '(decision payload erased)'),
        description,
        purpose: record?.purpose ?? (record ? NONE : '(decision payload erased)'),
        decision,
        agent: entry.agent,
        session: entry.session ?? '',
        task: entry.task ?? '',
        decisionIndex: entry.index,
        responseIndex: filter === undefined ? undefined : this.#responsesByFilter.get(filter),
        policy: record?.policy ?? '',
      });
    }
    return rows;
  }

  erasureRows(): ErasureRow[] {
    for (const [index, by] of this.erasedBy) this.erasures.get(by)?.exportedErased.push(index);
    return [...this.erasures.values()].sort((a, b) => a.erasureIndex - b.erasureIndex).map((r) => ({ ...r, exportedErased: [...new Set(r.exportedErased)].sort((a, b) => a - b) }));
  }

  findingRows(): Array<{ category: string; type: string; action: string; count: number }> {
    return [...this.findings.entries()]
      .map(([k, count]) => {
        const [category, type, action] = k.split('\t') as [string, string, string];
        return { category, type, action, count };
      })
      .sort((a, b) => (a.category + a.type + a.action < b.category + b.type + b.action ? -1 : 1));
  }
}

/** One CSV cell (RFC 4180). Text that a spreadsheet would run as a formula is prefixed with a quote. */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',') + '\r\n').join('');
}

export function disclosuresCsv(rows: readonly DisclosureRow[]): string {
  return csv(
    ['date', 'recipient', 'description_of_data', 'purpose', 'decision', 'agent', 'session', 'task', 'decision_index', 'response_index', 'policy'],
    rows.map((r) => [r.date, r.recipient, r.description, r.purpose, r.decision, r.agent, r.session, r.task, r.decisionIndex, r.responseIndex, r.policy]),
  );
}

export function dlpSummaryCsv(stats: ExportStats): string {
  const rows: Array<Array<string | number>> = stats.findingRows().map((r) => ['finding', r.category, r.type, r.action, r.count]);
  for (const [decision, count] of [...stats.decisions.entries()].sort()) rows.push(['decision', '', '', decision, count]);
  return csv(['row', 'category', 'type', 'action', 'count'], rows);
}

export function erasuresCsv(rows: readonly ErasureRow[]): string {
  return csv(
    ['erasure_index', 'erased_at', 'basis', 'reason', 'actor', 'payloads_erased', 'exported_entries_erased'],
    rows.map((r) => [r.erasureIndex, r.erasedAt, r.basis, r.reason, r.actor, r.indexesErased, r.exportedErased.join(' ')]),
  );
}
