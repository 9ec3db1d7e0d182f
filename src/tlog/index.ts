/**
 * Transparency-log primitives: RFC 6962 / RFC 9162 Merkle trees, RFC 8785 canonical JSON, and C2SP signed
 * notes and checkpoints. Pure: no storage, no network, no file I/O.
 */

export {
  constantTimeEqual,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  ed25519SignReference,
  ed25519VerifyReference,
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SEED_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  HASH_LENGTH,
  hmacSha256Hex,
  keccak256,
  leafHash,
  leafHashOfText,
  leafHashOfPrefixedWithBase64,
  sha256String,
  nobleHasher,
  nodeHash,
  nodeHasher,
  randomBytes,
  sha256,
} from './crypto.js';
export type { Hasher } from './crypto.js';

export { decodeBase64, encodeBase64 } from './base64.js';

export {
  canonicalBytes,
  canonicalize,
  findLoneSurrogate,
  isCanonicalJsonText,
  MAX_JSON_DEPTH,
  parseCanonicalJson,
  parseStrictJson,
} from './jcs.js';
export type { JsonObject, JsonValue } from './jcs.js';

export {
  checkConsistency,
  checkInclusion,
  CompactRange,
  consistencyProof,
  consistencyProofLength,
  EMPTY_ROOT,
  frontierPositions,
  inclusionProof,
  inclusionProofLength,
  largestPowerOfTwoBelow,
  merkleRoot,
  subtreeRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';
export type { NodeSource, ProofCheck, ProofFailure, TreeNode } from './merkle.js';

export { formatCheckpoint, parseCheckpoint } from './checkpoint.js';
export type { Checkpoint } from './checkpoint.js';

export {
  findForbiddenNoteChar,
  formatVerifierKey,
  isValidKeyName,
  keyIdFor,
  NoteSigner,
  parseNote,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  verifyNote,
} from './note.js';
export type { SignedNote, VerifierKey } from './note.js';
export { inclusionPath, type PathStep } from './proof-path.js';
export { LeanRange, leafHashBase64OfPrefixed, LEAF_HASH_PREFIX, MAX_BLOCK_LEVELS, NODE_HASH_PREFIX, rootFromFrontier, sha256Base64, splitHashes, SubtreeBuilder } from './merkle-block.js';
