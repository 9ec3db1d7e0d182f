/**
 * Checks of what a running service serves beside the leaf bytes, for `vigil verify --url`: the decoded
 * fields it sends with each entry must say what the leaf bytes say (the leaf is what counts, and what the
 * engine verifies), and, with `--payloads`, each payload it serves must match its entry while a payload it
 * no longer has must be named by an erasure entry of the log. Pure: the payloads come through a callback.
 */
import { canonicalize, type JsonValue } from '../tlog/index.js';
import { decodeEntry } from '../entry/index.js';
import { failPayload, failWith } from './core.js';
import { auditFailureOf, payloadMatches, type SourcePayload } from './range.js';
import type { AuditFailure } from './report-format.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * The fields of a served entry (`{...decoded fields, index, leaf}`) that disagree with its leaf bytes, [] when
 * they all agree, undefined when the leaf is not a valid entry (the engine reports that). `index` is the
 * service's position of the row and is checked by the engine against the entry's own index, so it is left
 * out here.
 */
export function servedFieldsMismatch(served: Record<string, unknown>, leaf: Uint8Array): string[] | undefined {
  const { leaf: _leaf, ...fields } = served;
  // Fast path: an honest service's fields, canonicalised, are the leaf text itself.
  try {
    if (canonicalize(fields as JsonValue) === utf8.decode(leaf)) return [];
  } catch {
    // not JSON-representable as served: compare field by field below
  }
  let expected: Record<string, unknown>;
  try {
    expected = JSON.parse(JSON.stringify(decodeEntry(leaf))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const names = new Set([...Object.keys(expected), ...Object.keys(fields)]);
  names.delete('index');
  const differ: string[] = [];
  for (const name of [...names].sort()) {
    const a = expected[name];
    const b = fields[name];
    let same: boolean;
    try {
      same = a !== undefined && b !== undefined && canonicalize(a as JsonValue) === canonicalize(b as JsonValue);
    } catch {
      same = false;
    }
    if (!same) differ.push(name);
  }
  return differ;
}

export interface ServedPayloadsOutcome {
  failure: AuditFailure | undefined;
  present: number;
  erased: number;
  /** how present payloads were checked: 'size' when the service sent no salt for some */
  by: 'commitment' | 'size';
  erasures: Array<{ index: number; erasureIndex: number }>;
}

/**
 * Checks the payloads of entries 0..count-1 as a service serves them, in index order, up to the first
 * failure. `erasedBy` maps a payload index to the erasure entry of the (verified) log that names it.
 */
export async function verifyServedPayloads(
  count: number,
  leafAt: (index: number) => Uint8Array,
  fetchPayload: (index: number) => Promise<SourcePayload>,
  erasedBy: ReadonlyMap<number, number>,
  options: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<ServedPayloadsOutcome> {
  const outcome: ServedPayloadsOutcome = { failure: undefined, present: 0, erased: 0, by: 'commitment', erasures: [] };
  const depth = Math.max(1, options.concurrency ?? 8);
  const pending = new Map<number, Promise<SourcePayload>>();
  let next = 0;
  try {
    for (let i = 0; i < count; i++) {
      while (next < count && next < i + depth) {
        const p = fetchPayload(next);
        p.catch(() => undefined);
        pending.set(next++, p);
      }
      const served = await (pending.get(i) as Promise<SourcePayload>);
      pending.delete(i);
      const by = erasedBy.get(i);
      if (served.state === 'present') {
        if (by !== undefined) failWith('PAYLOAD_NOT_ERASED', `entry ${i}: erasure entry ${by} says its payload was erased, but the service still serves it`, { index: i });
        if (served.salt === undefined) outcome.by = 'size';
        if (!payloadMatches(decodeEntry(leafAt(i)), served)) failPayload(i);
        outcome.present++;
      } else {
        if (by === undefined) failWith('PAYLOAD_MISSING', `entry ${i}: the service has no payload for it and no erasure entry names it`, { index: i });
        outcome.erased++;
        outcome.erasures.push({ index: i, erasureIndex: by });
      }
      if (options.onProgress && ((i + 1) % 256 === 0 || i + 1 === count)) options.onProgress(i + 1);
    }
  } catch (e) {
    const failure = auditFailureOf(e);
    if (failure === undefined) throw e;
    outcome.failure = failure;
  }
  return outcome;
}
