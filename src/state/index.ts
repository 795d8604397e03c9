/**
 * Contract state committed by a Merkle root, state witnesses, and list commitments.
 * See docs/state.md for the design and its measurements.
 */
export { MAX_KEY_BYTES, MAX_VALUE_BYTES, encodeBucket, computeBucketHash } from "./bucket.js";
export type { Bucket, Entry } from "./bucket.js";
export { STATE_DEPTH, MAX_STATE_DEPTH, computeKeyPosition, noteFixedKey } from "./tree.js";
export { MerkleKV, proveKey } from "./merkleKV.js";
export {
  WitnessKV,
  assertWitnessWellFormed,
  decodeWitness,
  encodeWitness,
  verifyAbsence,
  verifyInclusion,
  verifyWitness,
} from "./witness.js";
export type { StateWitness, WitnessBucket } from "./witness.js";
export type { ProofSibling } from "./proof.js";
export { commitList, verifyListProof, verifyListProofs } from "./results.js";
export type { ListCommitment, ListProofQuery } from "./results.js";
