/**
 * Merkle list commitments for per-transaction results: Stage-2 results roots and receipt roots.
 *
 * The root of n 32-byte leaves is the SSZ `List[Bytes32, N]` root with N the smallest power of two
 * ≥ max(n, 1): the leaves merkleized to depth ceil(log2 N), zero-padded, then `mixInLength(n)`.
 * Sizing the tree by the length (not by a fixed limit) keeps proofs at ceil(log2 n) hashes; the
 * length mixed into the root fixes the depth, so a verifier who knows n knows the shape.
 * A proof is the sibling roots from the leaf up to (not including) the length node.
 */
import { bytesEqual } from "../crypto/hash.js";
import {
  BranchNode,
  HashComputationGroup,
  LeafNode,
  type Node,
  ProofType,
  type SingleProof,
  createNodeFromProof,
  createProof,
  executeHashComputations,
  subtreeFillToContents,
} from "@chainsafe/persistent-merkle-tree";
import { XshardError } from "../errors.js";

/** Longest list that can be committed (the length is mixed in as a uint32 leaf). */
export const MAX_LIST_LENGTH = 2 ** 32 - 1;

/** A committed list: its root, and proofs that leaf i is in it. */
export interface ListCommitment {
  readonly root: Uint8Array;
  readonly length: number;
  /** Sibling roots, bottom-up, proving the leaf at `index`; BAD_INDEX when out of range. */
  prove(index: number): Uint8Array[];
}

/** Depth of the leaf tree of a list of `length` leaves: ceil(log2(max(length, 1))). */
export function computeListDepth(length: number): number {
  return length <= 1 ? 0 : Math.ceil(Math.log2(length));
}

/** Generalized index of leaf `index` under the length mix-in node (left subtree at depth+1). */
function computeLeafGindex(depth: number, index: number): bigint {
  return (1n << BigInt(depth + 1)) + BigInt(index);
}

/** Commit to a list of 32-byte leaves (BAD_LEAF for any other length). */
export function commitList(leaves: readonly Uint8Array[]): ListCommitment {
  leaves.forEach((leaf, index) => {
    if (leaf.length !== 32) throw new XshardError("BAD_LEAF", "list leaves must be 32 bytes", { index, length: leaf.length });
  });
  const length = leaves.length;
  const depth = computeListDepth(length);
  const hc = new HashComputationGroup();
  const chunks = subtreeFillToContents(leaves.map((l) => LeafNode.fromRoot(l)), depth, 0, hc.byLevel);
  executeHashComputations(hc.byLevel);
  hc.clean();
  const rootNode: Node = new BranchNode(chunks, LeafNode.fromUint32(length));
  return {
    root: rootNode.root,
    length,
    prove(index: number): Uint8Array[] {
      if (!Number.isInteger(index) || index < 0 || index >= length) {
        throw new XshardError("BAD_INDEX", "list index out of range", { index, length });
      }
      const proof = createProof(rootNode, { type: ProofType.single, gindex: computeLeafGindex(depth, index) }) as SingleProof;
      return proof.witnesses.slice(0, depth);
    },
  };
}

/**
 * True iff `proof` shows that the list of `length` leaves committed by `root` holds `leaf` at
 * `index`. Any malformed input (sizes, range, proof length) is simply false.
 */
export function verifyListProof(root: Uint8Array, index: number, leaf: Uint8Array, proof: readonly Uint8Array[], length: number): boolean {
  if (!Number.isInteger(length) || length < 1 || length > MAX_LIST_LENGTH) return false;
  if (!Number.isInteger(index) || index < 0 || index >= length) return false;
  const depth = computeListDepth(length);
  if (root.length !== 32 || leaf.length !== 32 || proof.length !== depth || proof.some((p) => p.length !== 32)) return false;
  const node = createNodeFromProof({
    type: ProofType.single,
    gindex: computeLeafGindex(depth, index),
    leaf,
    witnesses: [...proof, LeafNode.fromUint32(length).root],
  });
  return bytesEqual(node.root, root);
}
