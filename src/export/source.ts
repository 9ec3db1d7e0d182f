/**
 * What the export reads from the ledger: the LedgerStore's read side (the CLI opens the file read-only; the
 * service passes its open ledger), and a cached source of stored tree nodes for proofs.
 */
import { VigilError } from '../errors.js';
import { Ledger, LedgerStore, findKey, nodePosition, type StoredPayload } from '../ledger/index.js';
import { leafHash, type NodeSource, type NoteSigner } from '../tlog/index.js';

export interface ExportSource {
  readLeaf(index: number): Uint8Array | undefined;
  readNode(pos: number): Uint8Array | undefined;
  readPayload(index: number): StoredPayload;
  latestCheckpoint(): { size: number; note: string } | undefined;
  iterateCheckpoints(): IterableIterator<{ size: number; note: string }>;
  signingKeys(): Array<{ sinceIndex: number | null; vkey: string }>;
  getMeta(key: string): string | undefined;
}

export function exportSource(from: Ledger | LedgerStore | ExportSource): ExportSource {
  return from instanceof Ledger ? from.storage : from;
}

/**
 * Reads a leaf that must exist (below the exported checkpoint's size). The last few leaves read are kept:
 * an entry's proof reads its neighbour's leaf, which the export reads again right after.
 */
export function leafAt(source: ExportSource, index: number): Uint8Array {
  const recent = recentLeaves.get(source);
  const hit = recent?.find((r) => r.index === index);
  if (hit) return hit.leaf;
  const leaf = source.readLeaf(index);
  if (!leaf) throw new VigilError('LEDGER_INCONSISTENT', `entry ${index} is missing from the ledger`, { index });
  const list = recent ?? [];
  if (list.length >= 4) list.shift();
  list.push({ index, leaf });
  if (!recent) recentLeaves.set(source, list);
  return leaf;
}

const recentLeaves = new WeakMap<ExportSource, Array<{ index: number; leaf: Uint8Array }>>();

/**
 * Stored subtree hashes as a NodeSource, with the upper levels cached: the proofs of neighbouring entries
 * share their upper nodes, so an export of many entries reads each stored node about once.
 */
export function cachedNodeSource(source: ExportSource, cacheFromLevel = 3): NodeSource {
  const cache = new Map<number, Uint8Array>();
  return {
    node(level: number, index: number): Uint8Array {
      if (level === 0) return leafHash(leafAt(source, index));
      const pos = nodePosition(level, index);
      const cached = level >= cacheFromLevel ? cache.get(pos) : undefined;
      if (cached) return cached;
      const hash = source.readNode(pos);
      if (!hash) throw new VigilError('LEDGER_INCONSISTENT', `tree node (level ${level}, index ${index}) is missing`);
      if (level >= cacheFromLevel) {
        if (cache.size >= 1_000_000) cache.clear();
        cache.set(pos, hash);
      }
      return hash;
    },
  };
}

/** The ledger's active signing key (the last one in its key history), from the data directory's key files. */
export function activeSigner(dataDir: string, source: Pick<ExportSource, 'signingKeys'>): NoteSigner {
  const history = source.signingKeys();
  const active = history[history.length - 1]?.vkey;
  if (active === undefined) throw new VigilError('KEY_MISSING', 'the ledger has no signing key history');
  const signer = findKey(dataDir, active);
  if (!signer) throw new VigilError('KEY_MISSING', `the ledger's active signing key is not in ${dataDir}/keys; the bag must be signed with it`);
  return signer;
}
