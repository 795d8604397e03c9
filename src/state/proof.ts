/**
 * Sparse multiproofs over tree positions.
 *
 * The proof for a set of positions is the list of sibling subtrees hanging off the union of their
 * root-to-leaf paths, in depth-first (left-to-right) order — exactly the non-target leaves of a
 * persistent-merkle-tree `compactMulti` proof for those gindices. The descriptor is not sent: it
 * follows from the positions. A sibling that is an all-empty subtree is sent as `null` (one bit in
 * the encoding instead of 32 bytes), which in a sparse depth-32 tree is most of them.
 */
import { bytesEqual } from "../crypto/hash.js";
import { BranchNode, LeafNode, type Node, zeroNode } from "@chainsafe/persistent-merkle-tree";
import { ShortNode } from "./sparse.js";
import { isZeroSubtree } from "./tree.js";

/** A sibling subtree's root, or null for the all-empty subtree of that height. */
export type ProofSibling = Uint8Array | null;

/**
 * Index of the first position in `positions[lo, hi)` that lies in the right half of their common
 * subtree of `height` (all share the bits above `height`; bit `height - 1` decides the side).
 */
function computeSplit(positions: readonly number[], lo: number, hi: number, height: number): number {
  const bit = height - 1;
  let i = lo;
  while (i < hi && (((positions[i] as number) >>> bit) & 1) === 0) i++;
  return i;
}

/**
 * The siblings of a multiproof for `positions` (ascending, distinct) in a full tree of `depth`.
 */
export function computeProofSiblings(rootNode: Node, depth: number, positions: readonly number[]): ProofSibling[] {
  const out: ProofSibling[] = [];
  visitProofSiblings(rootNode, depth, positions, (node, height) => out.push(isZeroSubtree(node, height) ? null : node.root));
  return out;
}

/**
 * How many siblings a multiproof for `positions` has, and how many of them are not empty (sent as
 * 32-byte roots): `computeProofSiblings` without building the list (for a witness's size).
 */
export function countProofSiblings(rootNode: Node, depth: number, positions: readonly number[]): { readonly siblings: number; readonly present: number } {
  const count = { siblings: 0, present: 0 };
  countWalk(count, positions, rootNode, depth, 0, positions.length);
  return count;
}

/** `visitProofSiblings`' walk, counting: the path to a ShortNode's only leaf adds its height in empty siblings at once. */
function countWalk(count: { siblings: number; present: number }, positions: readonly number[], node: Node, height: number, lo: number, hi: number): void {
  if (lo === hi) {
    count.siblings++;
    if (!isZeroSubtree(node, height)) count.present++;
    return;
  }
  if (height === 0) return;
  if (hi - lo === 1 && node instanceof ShortNode && node.index === (height === 32 ? (positions[lo] as number) : (positions[lo] as number) % 2 ** height)) {
    count.siblings += height;
    return;
  }
  const mid = computeSplit(positions, lo, hi, height);
  countWalk(count, positions, node.left, height - 1, lo, mid);
  countWalk(count, positions, node.right, height - 1, mid, hi);
}

/** Calls `visit` on each sibling of a multiproof for the sorted `positions`, in proof order. */
function visitProofSiblings(rootNode: Node, depth: number, positions: readonly number[], visit: (node: Node, height: number) => void): void {
  const walk = (node: Node, height: number, lo: number, hi: number): void => {
    if (lo === hi) {
      visit(node, height);
      return;
    }
    if (height === 0) return;
    if (hi - lo === 1 && node instanceof ShortNode && node.index === (height === 32 ? (positions[lo] as number) : (positions[lo] as number) % 2 ** height)) {
      // The path to the subtree's only leaf: every sibling is empty (built without materializing it).
      for (let h = height - 1; h >= 0; h--) visit(zeroNode(h), h);
      return;
    }
    const mid = computeSplit(positions, lo, hi, height);
    walk(node.left, height - 1, lo, mid);
    walk(node.right, height - 1, mid, hi);
  };
  walk(rootNode, depth, 0, positions.length);
}

/** The height of each sibling of a multiproof for `positions`, in proof order. */
export function computeSiblingHeights(depth: number, positions: readonly number[]): number[] {
  const out: number[] = [];
  const walk = (height: number, lo: number, hi: number): void => {
    if (lo === hi) {
      out.push(height);
      return;
    }
    if (height === 0) return;
    const mid = computeSplit(positions, lo, hi, height);
    walk(height - 1, lo, mid);
    walk(height - 1, mid, hi);
  };
  walk(depth, 0, positions.length);
  return out;
}

/** True when every sibling is null or a 32-byte root that is not the empty subtree of its height. */
export function isCanonicalSiblings(siblings: readonly ProofSibling[], heights: readonly number[]): boolean {
  if (siblings.length !== heights.length) return false;
  return siblings.every((s, i) => s === null || (s.length === 32 && !bytesEqual(s, zeroNode(heights[i] as number).root)));
}

/**
 * The partial tree a multiproof describes: `leaves[i]` at `positions[i]`, the siblings beside
 * them. Its root is the root the proof proves. The siblings must already be canonical for these
 * positions (`isCanonicalSiblings`).
 */
export function createPartialTree(
  depth: number,
  positions: readonly number[],
  leaves: readonly Node[],
  siblings: readonly ProofSibling[],
): Node {
  let next = 0;
  const build = (height: number, lo: number, hi: number): Node => {
    if (lo === hi) {
      const s = siblings[next++] as ProofSibling;
      return s === null ? zeroNode(height) : LeafNode.fromRoot(s);
    }
    if (height === 0) return leaves[lo] as Node;
    const mid = computeSplit(positions, lo, hi, height);
    return new BranchNode(build(height - 1, lo, mid), build(height - 1, mid, hi));
  };
  return build(depth, 0, positions.length);
}
