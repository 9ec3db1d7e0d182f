/**
 * One chunk of the parallel verification engine (see parallel.ts), as a worker checks it: the entries with
 * the checks of core.ts, in the serial engine's order, stopping at the chunk's first failure; the chunk's
 * Merkle subtree; and, ahead of time, the signatures of the checkpoints that end inside the chunk. What
 * needs the log before the chunk (the first entry's prev and timestamp, the checkpoint roots, key rotations
 * taking effect) is left to the main thread; the result carries what it needs for that.
 * Pure: no storage, no network, no thread wiring (that is verify-worker.ts).
 */
import { parseVerifierKey, sha256Base64, SubtreeBuilder, verifyNote, type VerifierKey } from '../tlog/index.js';
import type { Entry } from '../entry/index.js';
import { Failure, decodeAt, erasureAt, failChain, failIndex, failPayload, failTimestamp, payloadOpens, rotationAt } from './core.js';
import { OFFSET_FIELDS, PAYLOAD_ABSENT, PAYLOAD_UNUSABLE, type ChunkFailure, type ChunkRequest, type ChunkResult } from './parallel-protocol.js';

const builders = new Map<number, SubtreeBuilder>();
const keys = new Map<string, VerifierKey | undefined>();

function keyFor(text: string): VerifierKey | undefined {
  if (!keys.has(text)) {
    let key: VerifierKey | undefined;
    try {
      key = parseVerifierKey(text);
    } catch {
      key = undefined;
    }
    keys.set(text, key);
  }
  return keys.get(text);
}

export function verifyChunk(req: ChunkRequest): ChunkResult {
  const data = new Uint8Array(req.data);
  const offsets = new Uint32Array(req.offsets);
  let builder = builders.get(req.levels);
  if (builder === undefined) {
    builder = new SubtreeBuilder(req.levels);
    builders.set(req.levels, builder);
  }
  const result: ChunkResult = {
    id: req.id,
    data: req.data,
    offsets: req.offsets,
    failure: undefined,
    hasFirst: false,
    firstPrev: undefined,
    firstTs: '',
    lastHash: undefined,
    lastTs: '',
    rotations: [],
    erasures: [],
    frontiers: [],
    signatures: [],
  };

  let prevHash: string | undefined;
  let prevTs = '';
  let hashed = 0;
  let i = 0;
  try {
    for (; i < req.count; i++) {
      const position = req.start + i;
      const o = OFFSET_FIELDS * i;
      const leafStart = offsets[o] as number;
      const leafEnd = offsets[o + 1] as number;
      if (i === req.forcedAt && req.forced) throw new Failure(req.forced);
      const entry: Entry = decodeAt(data.subarray(leafStart + 1, leafEnd), position);
      if (entry.index !== position || i === req.rowMismatchAt) failIndex(position, entry.index);
      if (i === 0) {
        result.hasFirst = true;
        result.firstPrev = entry.prev;
        result.firstTs = entry.ts;
      } else {
        if (entry.prev !== prevHash) failChain(position);
        if (entry.ts < prevTs) failTimestamp(position, entry.ts);
      }
      prevTs = entry.ts;
      prevHash = sha256Base64(data.subarray(leafStart, leafEnd));
      builder.setLeafBase64(i, prevHash);
      hashed = i + 1;

      if (entry.kind === 'key_rotation') {
        const r = rotationAt(entry, position);
        result.rotations.push({ index: position, previous: r.previous, vkey: r.next.text });
      } else if (entry.kind === 'erasure') {
        result.erasures.push({ index: position, indexes: erasureAt(entry, position) });
      }

      if (req.payloads) {
        const payloadStart = offsets[o + 2] as number;
        if (payloadStart === PAYLOAD_UNUSABLE) failPayload(position);
        if (payloadStart !== PAYLOAD_ABSENT) {
          const saltLength = offsets[o + 3] as number;
          const payloadEnd = offsets[o + 4] as number;
          if (!payloadOpens(entry, saltLength, payloadEnd - payloadStart - saltLength, data.subarray(payloadStart, payloadEnd))) failPayload(position);
        }
      }
    }
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    const failure: ChunkFailure = { failure: e.failure, at: i, rangeSize: hashed };
    result.failure = failure;
  }
  result.lastHash = prevHash;
  result.lastTs = prevTs;

  builder.build(hashed);
  for (const size of new Set([...req.sizes, hashed])) {
    if (size <= hashed) result.frontiers.push({ size, nodes: builder.prefixFrontier(size) });
  }
  // Signatures of checkpoints the main thread will reach (those within the entries that passed).
  const reached = result.failure ? result.failure.at : req.count;
  const key = keyFor(req.key);
  if (key !== undefined) {
    for (const { cp, note, size } of req.notes) {
      if (size - req.start > reached) continue;
      let ok = true;
      try {
        verifyNote(note, [key]);
      } catch {
        ok = false;
      }
      result.signatures.push({ cp, key: req.key, ok });
    }
  }
  return result;
}

