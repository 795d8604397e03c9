/**
 * Compact sparse-tree nodes (issue 12 goal 1): a subtree that holds exactly one non-empty leaf is
 * one `ShortNode` instead of a chain of branch nodes over empty siblings.
 *
 * A contract state is a depth-32 tree whose positions are hashes, so below the first ≈ log2(keys)
 * levels almost every subtree holds a single bucket: stored as branch nodes, each write made ≈ 23
 * new nodes of garbage and each state held ≈ 23 nodes per key. A `ShortNode` commits to exactly
 * the same root (the chain of hashes of the leaf with the zero subtrees beside its path, computed
 * once, lazily, when the root is first asked for) and keeps only the leaf, its height and its
 * index. Its `left`/`right` are built on demand, so code that walks a tree through
 * `left`/`right` (proofs) still sees the full binary tree; `setLeaves` and `getLeafAt` do not
 * need to.
 */
import { BranchNode, LeafNode, type Node, hasher, zeroNode } from "@chainsafe/persistent-merkle-tree";

type HashObject = Node["rootHashObject"];

const scratch: HashObject = { h0: 0, h1: 0, h2: 0, h3: 0, h4: 0, h5: 0, h6: 0, h7: 0 };

/** The subtree of `height` (≥ 1) whose only non-empty leaf is `leaf` at relative `index`. */
export class ShortNode extends BranchNode {
  constructor(
    readonly height: number,
    /** The leaf's index inside this subtree, in [0, 2^height). */
    readonly index: number,
    readonly leaf: Node,
  ) {
    super(leaf, leaf); // the children are built on demand (getters below); BranchNode's `root` reads the override

  }

  override get rootHashObject(): HashObject {
    if (this.h0 === null) {
      let cur: HashObject = this.leaf.rootHashObject;
      for (let level = 0; level < this.height; level++) {
        const zero = zeroNode(level).rootHashObject;
        const out: HashObject = level === this.height - 1 ? this : scratch;
        if (((this.index >>> level) & 1) === 0) hasher.digest64HashObjects(cur, zero, out);
        else hasher.digest64HashObjects(zero, cur, out);
        cur = out;
      }
    }
    return this;
  }

  override get left(): Node {
    return this.child(0);
  }

  override get right(): Node {
    return this.child(1);
  }

  private child(side: 0 | 1): Node {
    const below = this.height - 1;
    if (this.index >>> below !== side) return zeroNode(below);
    return below === 0 ? this.leaf : new ShortNode(below, lowBits(this.index, below), this.leaf);
  }
}

/** MASKS[b] = 2^b − 1 (as an int32 mask, 2^32 − 1 is −1, which keeps every bit). */
const MASKS = Array.from({ length: 33 }, (_, b) => 2 ** b - 1);

/** `index` (below 2^32) modulo 2^bits, bits ≤ 32. */
function lowBits(index: number, bits: number): number {
  return (index & (MASKS[bits] as number)) >>> 0;
}

/** The subtree of `height` holding `node` (a leaf, or a subtree of `height - 1`) beside an empty sibling. */
function raise(node: Node, height: number, side: 0 | 1): Node {
  const below = height - 1;
  if (node instanceof ShortNode) return new ShortNode(height, side * 2 ** below + node.index, node.leaf);
  return new ShortNode(height, side, node);
}

/** True when `node` of `height` is one leaf beside empty subtrees (so it can be a `ShortNode`). */
function isSingle(node: Node, height: number): boolean {
  return node instanceof ShortNode || (height === 0 && node !== zeroNode(0));
}

/**
 * Sets the leaf at each of `positions` (ascending, distinct, relative to `node`'s subtree of
 * `height`) to `leaves[i]` (`zeroNode(0)` empties it). Pure: returns the new subtree; `node` is
 * unchanged and every untouched subtree is shared. Hashes are computed lazily (on `root`).
 */
export function setLeaves(node: Node, height: number, positions: readonly number[], leaves: readonly Node[]): Node {
  if (positions.length === 0) return node;
  return set(node, height, positions, leaves, 0, positions.length);
}

function set(node: Node, height: number, positions: readonly number[], leaves: readonly Node[], lo: number, hi: number): Node {
  if (height === 0) return leaves[lo] as Node;
  if (hi - lo === 1) {
    const at = lowBits(positions[lo] as number, height);
    const empty = node === zeroNode(height);
    if (empty || (node instanceof ShortNode && node.index === at)) {
      const leaf = leaves[lo] as Node;
      if (leaf === zeroNode(0)) return zeroNode(height);
      return new ShortNode(height, at, leaf);
    }
  }
  const below = height - 1;
  let mid = lo;
  while (mid < hi && (((positions[mid] as number) >>> below) & 1) === 0) mid++;
  const left = node.left;
  const right = node.right;
  const newLeft = mid > lo ? set(left, below, positions, leaves, lo, mid) : left;
  const newRight = hi > mid ? set(right, below, positions, leaves, mid, hi) : right;
  const zero = zeroNode(below);
  if (newLeft === zero) {
    if (newRight === zero) return zeroNode(height);
    if (isSingle(newRight, below)) return raise(newRight, height, 1);
  } else if (newRight === zero && isSingle(newLeft, below)) {
    return raise(newLeft, height, 0);
  }
  return new BranchNode(newLeft, newRight);
}

/** The leaf at `position` of a tree of `depth` (the zero leaf where nothing is set). */
export function getLeafAt(rootNode: Node, depth: number, position: number): Node {
  let node = rootNode;
  for (let height = depth; height > 0; height--) {
    if (node instanceof ShortNode) return node.index === lowBits(position, height) ? node.leaf : zeroNode(0);
    if (node === zeroNode(height)) return zeroNode(0);
    if (node instanceof LeafNode) return node.left; // an opaque subtree: throws as the library does
    node = ((position >>> (height - 1)) & 1) === 0 ? node.left : node.right;
  }
  return node;
}
