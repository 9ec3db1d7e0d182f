/**
 * Typed access to test/vectors/vectors.json (ground truth for src/tlog) and small helpers the tlog tests
 * share. Shapes follow test/vectors/README.md.
 */

import { readFileSync } from 'node:fs';
import type { NodeSource } from '../src/tlog/index.js';

export interface InclusionVector {
  index: number;
  size: number;
  leaf_hash: string;
  root: string;
  proof: string[];
}

export interface ConsistencyVector {
  m: number;
  n: number;
  root_m: string;
  root_n: string;
  proof: string[];
}

export interface TreeVectors {
  description: string;
  leaves: string[];
  leaf_hashes?: string[];
  roots: string[];
  inclusion: InclusionVector[];
  consistency: ConsistencyVector[];
}

export interface JcsCase {
  desc: string;
  input_hex: string;
  input?: string;
  output?: string;
  output_hex?: string;
  error?: boolean;
}

export interface KeyVector {
  name: string;
  signature_type: number;
  ed25519_seed_hex: string;
  public_key_hex: string;
  key_id_hex: string;
  vkey: string;
}

export interface Vectors {
  rfc6962_tree: TreeVectors;
  random1000: TreeVectors;
  merkle_negative: {
    inclusion: Array<InclusionVector & { desc: string; valid: boolean }>;
    consistency: Array<ConsistencyVector & { desc: string; valid: boolean }>;
  };
  jcs: { cases: JcsCase[]; numbers: Array<{ ieee754_hex: string; output: string }> };
  signed_notes: {
    log_key: KeyVector;
    checkpoints: Array<{ size: number; root: string; root_b64: string; body: string; note: string }>;
    cosignature: { cosigner: KeyVector; timestamp: number; signed_message: string; note: string };
    note_cases: Array<{ desc: string; note: string; vkeys: string[]; valid: boolean; level: string }>;
    checkpoint_body_cases: Array<{ desc: string; body: string; valid: boolean }>;
    vkey_cases: Array<{ desc: string; vkey: string; valid: boolean; level: string }>;
  };
}

export const vectors = JSON.parse(
  readFileSync(new URL('./vectors/vectors.json', import.meta.url), 'utf8'),
) as Vectors;

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) {
    throw new Error(`not lowercase hex: ${hex}`);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * An in-memory NodeSource holding every complete aligned subtree of a tree, filled by the caller; it
 * counts reads so tests can check that proofs touch O(log n) nodes, and throws on a node it does not hold
 * (which catches code reading incomplete subtrees).
 */
export class MemoryNodeSource implements NodeSource {
  readonly nodes = new Map<string, Uint8Array>();
  reads = 0;

  set(level: number, index: number, hash: Uint8Array): void {
    this.nodes.set(`${level}/${index}`, hash);
  }

  node(level: number, index: number): Uint8Array {
    this.reads++;
    const hash = this.nodes.get(`${level}/${index}`);
    if (hash === undefined) {
      throw new Error(`no complete node at level ${level}, index ${index}`);
    }
    return hash;
  }
}
