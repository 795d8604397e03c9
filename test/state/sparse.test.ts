import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type BranchNode,
  HashComputationGroup,
  LeafNode,
  type Node,
  executeHashComputations,
  getNodeAtDepth,
  setNodesAtDepth,
  zeroNode,
} from "@chainsafe/persistent-merkle-tree";
import "../../src/crypto/hash.js"; // installs the project's hasher
import { computeProofSiblings } from "../../src/state/proof.js";
import { ShortNode, getLeafAt, hashTree, hashTrees, setLeaves } from "../../src/state/sparse.js";
import { computeTreeWithBuckets } from "../../src/state/tree.js";

/** The plain binary tree the library builds (every level a branch node): the reference. */
function referenceSet(root: Node, depth: number, positions: number[], leaves: Node[]): Node {
  if (positions.length === 0) return root;
  const hc = new HashComputationGroup();
  const next = setNodesAtDepth(root, depth, positions, leaves, 0, hc.byLevel);
  executeHashComputations(hc.byLevel);
  hc.clean();
  return next;
}

/** A leaf for value `v` (0 is the empty leaf). */
function leafOf(v: number): Node {
  return v === 0 ? zeroNode(0) : LeafNode.fromUint32(v);
}

/** Node objects a tree holds (a ShortNode counts its leaf; shared zero subtrees are not counted). */
function countNodes(node: Node, height: number): number {
  if (node === zeroNode(height)) return 0;
  if (node instanceof ShortNode) return 2;
  if (height === 0) return 1;
  const b = node as BranchNode;
  return 1 + countNodes(b.left, height - 1) + countNodes(b.right, height - 1);
}

/** Batches of writes (value 0 deletes) at positions below 2^depth: distinct and ascending per batch. */
function batches(depth: number) {
  // At depth 32: anywhere, or clustered (neighbours share long paths, to split and merge ShortNodes).
  const position =
    depth === 32
      ? fc.oneof(
          fc.tuple(fc.nat(0xffff), fc.nat(0xffff)).map(([hi, lo]) => hi * 0x10000 + lo),
          fc.nat(15).map((x) => 0xfffffff0 + x),
          fc.nat(7).map((x) => 0x80000000 + x * 0x1000),
        )
      : fc.nat({ max: 2 ** depth - 1 });
  const batch = fc
    .array(fc.tuple(position, fc.nat({ max: 3 })), { minLength: 1, maxLength: 12 })
    .map((ws) => [...new Map(ws)].sort((a, b) => a[0] - b[0]));
  return fc.array(batch, { minLength: 1, maxLength: 8 });
}

describe("compact sparse tree (ShortNode)", () => {
  for (const depth of [1, 3, 6, 32]) {
    it(`gives the library's roots, leaves and proof siblings after any writes and deletes (depth ${depth})`, () => {
      fc.assert(
        fc.property(batches(depth), fc.array(fc.nat(), { maxLength: 4 }), (bs, probes) => {
          let ours: Node = zeroNode(depth);
          let ref: Node = zeroNode(depth);
          const written = new Set<number>();
          for (const b of bs) {
            const positions = b.map(([p]) => p);
            ours = setLeaves(ours, depth, positions, b.map(([, v]) => leafOf(v)));
            ref = referenceSet(ref, depth, positions, b.map(([, v]) => leafOf(v)));
            for (const p of positions) written.add(p);
            expect(Buffer.from(ours.root).toString("hex")).toBe(Buffer.from(ref.root).toString("hex"));
          }
          const limit = 2 ** depth;
          const asked = [...new Set([...written, ...probes.map((x) => x % limit)])].sort((a, b) => a - b);
          for (const p of asked) expect(getLeafAt(ours, depth, p).root).toEqual(getNodeAtDepth(ref, depth, p).root);
          expect(computeProofSiblings(ours, depth, asked)).toEqual(computeProofSiblings(ref, depth, asked));
          // Everything deleted: the very zero subtree again (no empty ShortNode or branch left over).
          const cleared = setLeaves(ours, depth, [...written].sort((a, b) => a - b), [...written].map(() => zeroNode(0)));
          expect(cleared).toBe(zeroNode(depth));
        }),
        { numRuns: depth === 32 ? 200 : 300, seed: 12 },
      );
    });
  }

  for (const depth of [1, 3, 32]) {
    it(`hashTree computes, in batches by level, the roots the nodes' own getters compute (depth ${depth})`, () => {
      fc.assert(
        fc.property(batches(depth), (bs) => {
          // The same writes twice: one tree hashed by hashTree after each batch, one by the lazy getters.
          let batched: Node = zeroNode(depth);
          let lazy: Node = zeroNode(depth);
          for (const b of bs) {
            const positions = b.map(([p]) => p);
            batched = setLeaves(batched, depth, positions, b.map(([, v]) => leafOf(v)));
            lazy = setLeaves(lazy, depth, positions, b.map(([, v]) => leafOf(v)));
            hashTree(batched, depth);
            expect(batched.h0).not.toBeNull(); // hashed by hashTree, not by reading the root below
            expect(Buffer.from(batched.root).toString("hex")).toBe(Buffer.from(lazy.root).toString("hex"));
          }
          const all = [...new Set(bs.flatMap((b) => b.map(([p]) => p)))].sort((a, b) => a - b);
          expect(computeProofSiblings(batched, depth, all)).toEqual(computeProofSiblings(lazy, depth, all));
        }),
        { numRuns: 200, seed: 7 },
      );
    });
  }

  for (const depth of [3, 32]) {
    it(`hashTrees hashes a chain of unhashed trees (each built on the last, sharing nodes) together like the getters (depth ${depth})`, () => {
      fc.assert(
        fc.property(batches(depth), fc.boolean(), (bs, hashFirst) => {
          // The trees of successive batches, none hashed (or the first hashed alone), then all hashed at once.
          const batched: Node[] = [];
          const lazy: Node[] = [];
          let b1: Node = zeroNode(depth);
          let l1: Node = zeroNode(depth);
          for (const b of bs) {
            const positions = b.map(([p]) => p);
            b1 = setLeaves(b1, depth, positions, b.map(([, v]) => leafOf(v)));
            l1 = setLeaves(l1, depth, positions, b.map(([, v]) => leafOf(v)));
            batched.push(b1);
            lazy.push(l1);
          }
          if (hashFirst) hashTree(batched[0] as Node, depth);
          hashTrees([...batched].reverse(), depth);
          for (let i = 0; i < batched.length; i++) {
            expect((batched[i] as Node).h0).not.toBeNull();
            expect(Buffer.from((batched[i] as Node).root).toString("hex")).toBe(Buffer.from((lazy[i] as Node).root).toString("hex"));
          }
        }),
        { numRuns: 200, seed: 11 },
      );
    });
  }

  it("getLeafAt finds the empty leaf through an empty subtree, and throws inside an opaque one", () => {
    const depth = 32;
    // Two leaves under the root's left half (a branch of branches), none on the right: position 2^31 lies in a zero subtree.
    const tree = setLeaves(zeroNode(depth), depth, [0, 1], [LeafNode.fromUint32(5), LeafNode.fromUint32(6)]);
    expect(getLeafAt(tree, depth, 0x80000000)).toBe(zeroNode(0));
    expect(getLeafAt(tree, depth, 1).root).toEqual(LeafNode.fromUint32(6).root);
    expect(getLeafAt(tree, depth, 2)).toBe(zeroNode(0));
    const opaque = LeafNode.fromUint32(9); // a subtree known by its root only
    expect(() => getLeafAt(opaque, 3, 1)).toThrow();
  });

  it("hashTree hashes many scattered buckets (many ShortNodes of different heights) like the getters", () => {
    const positions = [...new Set(Array.from({ length: 700 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 0))].sort((a, b) => a - b);
    const leaves = positions.map((p) => LeafNode.fromUint32(p | 1));
    const batched = setLeaves(zeroNode(32), 32, positions, leaves);
    const lazy = setLeaves(zeroNode(32), 32, positions, leaves);
    hashTree(batched, 32);
    expect(batched.h0).not.toBeNull();
    expect(batched.root).toEqual(lazy.root);
  });

  it("hashTree is right when a higher level has more pending hashes than the first (deletes beside old subtrees)", () => {
    // Depth 14: a dense, hashed bottom (positions 0..5999), then one batch that empties the left
    // pair under 1,500 level-2 nodes (each becomes a branch of a zero and an old subtree: level 1
    // gets nothing new) and sets 50 scattered positions above (ShortNodes climbing from level 1):
    // level 2 has more to hash than any scratch an earlier test in this file grew.
    const depth = 14;
    const dense = Array.from({ length: 6000 }, (_, p) => p);
    const base = setLeaves(zeroNode(depth), depth, dense, dense.map((p) => LeafNode.fromUint32(p + 1)));
    void base.root;
    const deleted = Array.from({ length: 1500 }, (_, k) => [4 * k, 4 * k + 1]).flat();
    const added = Array.from({ length: 50 }, (_, k) => 8192 + 100 * k);
    const positions = [...deleted, ...added];
    const leaves = [...deleted.map(() => zeroNode(0)), ...added.map((p) => LeafNode.fromUint32(p))];
    const batched = setLeaves(base, depth, positions, leaves);
    const lazy = setLeaves(base, depth, positions, leaves);
    hashTree(batched, depth);
    expect(batched.h0).not.toBeNull();
    expect(batched.root).toEqual(lazy.root);
  });

  it("holds a state of n scattered buckets in about 3n nodes, not one branch node per level", () => {
    const n = 1000;
    const positions = [...new Set(Array.from({ length: n }, (_, i) => Math.imul(i + 1, 2654435761) >>> 0))].sort((a, b) => a - b);
    const buckets = positions.map((p) => [[Uint8Array.of(p & 0xff, p >>> 8), Uint8Array.of(1)] as const]);
    const root = computeTreeWithBuckets(zeroNode(32), 32, positions, buckets);
    expect(countNodes(root, 32)).toBeLessThan(4 * positions.length); // n leaves, n ShortNodes, n − 1 splits, a few one-sided branches
    // One more write adds a path of ≈ log2(n) nodes, not 32.
    const p = positions[500] as number;
    const next = computeTreeWithBuckets(root, 32, [p], [[[Uint8Array.of(9), Uint8Array.of(2)]]]);
    let fresh = 0;
    const seen = new Set<Node>();
    const collect = (node: Node, height: number): void => {
      if (node === zeroNode(height) || seen.has(node)) return;
      seen.add(node);
      if (height === 0 || node instanceof ShortNode) return;
      collect(node.left, height - 1);
      collect(node.right, height - 1);
    };
    collect(root, 32);
    const walk = (node: Node, height: number): void => {
      if (node === zeroNode(height) || seen.has(node)) return;
      fresh++;
      if (height === 0 || node instanceof ShortNode) return;
      walk(node.left, height - 1);
      walk(node.right, height - 1);
    };
    walk(next, 32);
    expect(fresh).toBeLessThan(16);
  });
});
