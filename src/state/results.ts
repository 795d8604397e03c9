/**
 * Merkle list commitments for per-transaction results: Stage-2 results roots and receipt roots.
 *
 * The root of n 32-byte leaves is the SSZ `List[Bytes32, N]` root with N the smallest power of two
 * ≥ max(n, 1): the leaves merkleized to depth ceil(log2 N), zero-padded, then `mixInLength(n)`.
 * Sizing the tree by the length (not by a fixed limit) keeps proofs at ceil(log2 n) hashes; the
 * length mixed into the root fixes the depth, so a verifier who knows n knows the shape.
 * A proof is the sibling roots from the leaf up to (not including) the length node.
 */
import { bytesEqual, digest64Many } from "../crypto/hash.js";
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

/** One question for `verifyListProofs`: does the list of `length` leaves committed by `root` hold `leaf` at `index`? */
export interface ListProofQuery {
  readonly root: Uint8Array;
  readonly index: number;
  readonly leaf: Uint8Array;
  readonly proof: readonly Uint8Array[];
  readonly length: number;
}

/**
 * `verifyListProof` for many proofs at once, with the same answer for each (every malformed input
 * is simply false): the branches are hashed level by level, every proof's node of a level in one
 * call of the hashing library (`digest64Many`), which costs several times less per hash than
 * hashing pair by pair.
 */
export function verifyListProofs(queries: readonly ListProofQuery[]): boolean[] {
  const n = queries.length;
  const ok = queries.map((q) => {
    if (!Number.isInteger(q.length) || q.length < 1 || q.length > MAX_LIST_LENGTH) return false;
    if (!Number.isInteger(q.index) || q.index < 0 || q.index >= q.length) return false;
    return q.root.length === 32 && q.leaf.length === 32 && q.proof.length === computeListDepth(q.length) && q.proof.every((p) => p.length === 32);
  });
  // The current node of every proof, 32 bytes each (a malformed proof's stays its leaf, unused).
  const node = new Uint8Array(n * 32);
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const q = queries[i] as ListProofQuery;
    if (!ok[i]) continue;
    node.set(q.leaf, i * 32);
    depth = Math.max(depth, q.proof.length);
  }
  const at: number[] = [];
  for (let d = 0; d <= depth; d++) {
    // Level d < depth: the node and its sibling, in the order the index's bit d gives; level `depth`
    // (for every proof, after its own branch): the length mix-in.
    at.length = 0;
    for (let i = 0; i < n; i++) if (ok[i] && (d === depth || d < (queries[i] as ListProofQuery).proof.length)) at.push(i);
    const input = new Uint8Array(at.length * 64);
    const view = new DataView(input.buffer);
    for (let k = 0; k < at.length; k++) {
      const i = at[k] as number;
      const q = queries[i] as ListProofQuery;
      const own = node.subarray(i * 32, i * 32 + 32);
      if (d === depth) {
        input.set(own, k * 64);
        view.setUint32(k * 64 + 32, q.length, true);
      } else if (Math.floor(q.index / 2 ** d) % 2 === 1) {
        input.set(q.proof[d] as Uint8Array, k * 64);
        input.set(own, k * 64 + 32);
      } else {
        input.set(own, k * 64);
        input.set(q.proof[d] as Uint8Array, k * 64 + 32);
      }
    }
    const output = new Uint8Array(at.length * 32);
    digest64Many(input, output);
    for (let k = 0; k < at.length; k++) node.set(output.subarray(k * 32, k * 32 + 32), (at[k] as number) * 32);
  }
  return ok.map((good, i) => good && bytesEqual(node.subarray(i * 32, i * 32 + 32), (queries[i] as ListProofQuery).root));
}
