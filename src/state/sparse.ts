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
import { digest64Many } from "../crypto/hash.js";

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
  if (depth > MAX_ZERO_HEIGHT) return getLeafAtDeep(rootNode, depth, position);
  let node = rootNode;
  for (let height = depth; height > 0; height--) {
    if (node instanceof ShortNode) return node.index === lowBits(position, height) ? node.leaf : (ZEROS[0] as Node);
    if (node === ZEROS[height]) return ZEROS[0] as Node;
    if (!(node instanceof BranchNode)) return node.left; // an opaque subtree (a LeafNode): throws as the library does
    node = ((position >>> (height - 1)) & 1) === 0 ? node.left : node.right;
  }
  return node;
}

/** The zero subtrees by height, looked up in the hot loop of `getLeafAt` without a call. */
const MAX_ZERO_HEIGHT = 32;
const ZEROS: readonly Node[] = Array.from({ length: MAX_ZERO_HEIGHT + 1 }, (_, h) => zeroNode(h));

/** `getLeafAt` for a tree deeper than `MAX_ZERO_HEIGHT` (not a state tree). */
function getLeafAtDeep(rootNode: Node, depth: number, position: number): Node {
  let node = rootNode;
  for (let height = depth; height > 0; height--) {
    if (node instanceof ShortNode) return node.index === lowBits(position, height) ? node.leaf : zeroNode(0);
    if (node === zeroNode(height)) return zeroNode(0);
    if (node instanceof LeafNode) return node.left; // an opaque subtree: throws as the library does
    node = ((position >>> (height - 1)) & 1) === 0 ? node.left : node.right;
  }
  return node;
}

/** Scratch of `hashTree`: 64 input bytes and 32 output bytes per hash of one level, grown as needed. */
let input = new Uint8Array(64 * 256);
let input32 = new Int32Array(input.buffer);
let output = new Uint8Array(32 * 256);
let output32 = new Int32Array(output.buffer);

/** Makes the scratch hold at least `n` hashes. */
function reserve(n: number): void {
  if (32 * n <= output.length) return;
  const size = 2 ** Math.ceil(Math.log2(n));
  input = new Uint8Array(64 * size);
  input32 = new Int32Array(input.buffer);
  output = new Uint8Array(32 * size);
  output32 = new Int32Array(output.buffer);
}

/** A node's hash words into `words` at `at` (its h fields are the hash's little-endian int32 words). */
function putHash(node: Node, words: Int32Array, at: number): void {
  words[at] = node.h0;
  words[at + 1] = node.h1;
  words[at + 2] = node.h2;
  words[at + 3] = node.h3;
  words[at + 4] = node.h4;
  words[at + 5] = node.h5;
  words[at + 6] = node.h6;
  words[at + 7] = node.h7;
}

/** The hash words of one zero subtree (see `hashTree`). */
const zeroWords = new Int32Array(8);

/** Eight hash words from `from` at `fromAt` to `to` at `toAt`. */
function copyWords(from: Int32Array, fromAt: number, to: Int32Array, toAt: number): void {
  to[toAt] = from[fromAt] as number;
  to[toAt + 1] = from[fromAt + 1] as number;
  to[toAt + 2] = from[fromAt + 2] as number;
  to[toAt + 3] = from[fromAt + 3] as number;
  to[toAt + 4] = from[fromAt + 4] as number;
  to[toAt + 5] = from[fromAt + 5] as number;
  to[toAt + 6] = from[fromAt + 6] as number;
  to[toAt + 7] = from[fromAt + 7] as number;
}

/** Sets a node's hash from the words at `at` (as `byteArrayIntoHashObject` would: signed int32 words, little-endian). */
function takeHash(node: Node, at: number): void {
  const w = output32;
  node.h0 = w[at] as number;
  node.h1 = w[at + 1] as number;
  node.h2 = w[at + 2] as number;
  node.h3 = w[at + 3] as number;
  node.h4 = w[at + 4] as number;
  node.h5 = w[at + 5] as number;
  node.h6 = w[at + 6] as number;
  node.h7 = w[at + 7] as number;
}

/** The deepest tree `hashTrees` takes (state trees are at most 32 deep). */
const MAX_HASH_HEIGHT = 64;
/** Reused by `hashTrees` (emptied after each call): the unhashed ShortNodes and branch nodes found, by height. */
const shortsAt: ShortNode[][] = Array.from({ length: MAX_HASH_HEIGHT + 1 }, () => []);
const branchesAt: Node[][] = Array.from({ length: MAX_HASH_HEIGHT + 1 }, () => []);
/** The ShortNodes found, highest first (see `hashCollected`). */
const shorts: ShortNode[] = [];

/**
 * Finds the unhashed nodes under `node` (of `height`): ShortNodes and branch nodes, by height. A
 * node found is marked (its `h0` set to 0 until its level is hashed), so that a node shared by
 * several of the trees hashed together is found, and hashed, once.
 */
function collectUnhashed(node: Node, height: number): void {
  if (node.h0 !== null) return;
  node.h0 = 0;
  if (node instanceof ShortNode) {
    (shortsAt[node.height] as ShortNode[]).push(node);
    return;
  }
  (branchesAt[height] as Node[]).push(node);
  collectUnhashed(node.left, height - 1);
  collectUnhashed(node.right, height - 1);
}

/**
 * Computes every hash not yet computed in the (sub)tree `node` of `height`, level by level from the
 * bottom, each level in one batched call of the hasher (`digest64Many`): the same hashes the nodes'
 * lazy getters compute one by one — a ShortNode's chain over the zero subtrees beside its leaf's
 * path, a branch node's pair of children — at a fraction of the per-hash cost. Afterwards
 * `node.root` reads the cached root.
 */
export function hashTree(node: Node, height: number): void {
  if (node.h0 !== null) return;
  hashTrees([node], height);
}

/**
 * `hashTree` of several trees of the same `height` at once: each level of all of them in one call
 * of the hasher, so that many small post-states (a few new paths each) cost one call a level
 * between them instead of one each. Nodes the trees share are hashed once. The hashes are the same
 * as each tree's own `hashTree` (and its nodes' getters) would compute.
 */
export function hashTrees(nodes: readonly Node[], height: number): void {
  if (!Number.isInteger(height) || height < 0 || height > MAX_HASH_HEIGHT) throw new RangeError(`hashTrees: height ${height}`);
  let found = false;
  for (const node of nodes) {
    if (node.h0 !== null) continue;
    collectUnhashed(node, height);
    found = true;
  }
  if (!found) return;
  try {
    hashCollected(height);
  } catch (e) {
    // Unmark what was found: left marked, a node would read as hashed with a wrong hash.
    for (let h = 0; h <= height; h++) {
      for (const s of shortsAt[h] as ShortNode[]) s.h0 = null as unknown as number;
      for (const b of branchesAt[h] as Node[]) b.h0 = null as unknown as number;
    }
    throw e;
  } finally {
    for (let h = 0; h <= height; h++) {
      (shortsAt[h] as ShortNode[]).length = 0;
      (branchesAt[h] as Node[]).length = 0;
    }
    shorts.length = 0;
  }
}

/** Hashes the nodes `collectUnhashed` found (every tree of `height`), level by level from the bottom. */
function hashCollected(height: number): void {
  // ShortNodes highest first: those still climbing at a level are a prefix, each at a fixed slot.
  let widest = 0;
  for (let h = height; h >= 1; h--) {
    const list = shortsAt[h] as ShortNode[];
    for (let i = 0; i < list.length; i++) shorts.push(list[i] as ShortNode);
  }
  for (let h = 1; h <= height; h++) widest = Math.max(widest, (branchesAt[h] as Node[]).length);
  // Room for the largest level first: growing the scratch mid-way would lose the level below's results.
  reserve(shorts.length + widest);
  let active = shorts.length;
  for (let level = 1; level <= height; level++) {
    while (active > 0 && (shorts[active - 1] as ShortNode).height < level) active--;
    const here = branchesAt[level] as Node[];
    const n = active + here.length;
    if (n === 0) continue;
    const words = input32;
    const below = output32; // the level below's results, read before this level's hashing overwrites them
    putHash(zeroNode(level - 1), zeroWords, 0); // the zero subtree beside a ShortNode's path at this level
    const bit = level - 1;
    for (let i = 0; i < active; i++) {
      const s = shorts[i] as ShortNode;
      const at = 16 * i;
      const side = (s.index >>> bit) & 1; // 0: the path goes left, the zero subtree is on the right
      const own = at + 8 * side;
      if (level === 1) putHash(s.leaf, words, own);
      else copyWords(below, 8 * i, words, own);
      copyWords(zeroWords, 0, words, at + 8 - 8 * side);
    }
    for (let j = 0; j < here.length; j++) {
      const b = here[j] as Node;
      const at = 16 * (active + j);
      putHash(b.left, words, at);
      putHash(b.right, words, at + 8);
    }
    digest64Many(input.subarray(0, 64 * n), output.subarray(0, 32 * n));
    for (let i = 0; i < active; i++) if ((shorts[i] as ShortNode).height === level) takeHash(shorts[i] as ShortNode, 8 * i);
    for (let j = 0; j < here.length; j++) takeHash(here[j] as Node, 8 * (active + j));
  }
}
