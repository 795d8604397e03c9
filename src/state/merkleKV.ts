/**
 * A contract's key→value state committed by a Merkle root (DESIGN §1).
 *
 * A `MerkleKV` is an immutable snapshot: `applyWrites` returns a new snapshot sharing every
 * untouched node with the old one, so an affirmed root's state stays readable after later writes.
 */
import { toHex } from "../crypto/hash.js";
import { type Node, zeroNode } from "@chainsafe/persistent-merkle-tree";
import type { StateView, WriteSet } from "../types.js";
import { getNodeEncodedSize, getNodeValue } from "./bucket.js";
import { computeProofSiblings, countProofSiblings } from "./proof.js";
import { getLeafAt, hashTree, hashTrees } from "./sparse.js";
import {
  STATE_DEPTH,
  assertValidDepth,
  computeHexKeyTop,
  computeFullTreeAfterWrites,
  computeKeyPosition,
  computeTreeAfterWrites,
  getBucketAt,
  iterateBuckets,
} from "./tree.js";
import type { StateWitness } from "./witness.js";

/** A full contract state: a sparse Merkle tree of buckets (see docs/state.md). */
export class MerkleKV implements StateView {
  private constructor(
    /** Tree depth: positions are the top `depth` bits of sha256(key). */
    readonly depth: number,
    private readonly rootNode: Node,
    /** Number of keys set. */
    readonly size: number,
  ) {}

  /** The empty state (its root is the zero-subtree root of `depth`). */
  static empty(depth: number = STATE_DEPTH): MerkleKV {
    assertValidDepth(depth);
    return new MerkleKV(depth, zeroNode(depth), 0);
  }

  /** A state holding the given pairs (a later duplicate key wins), built in one batch. */
  static fromEntries(entries: Iterable<readonly [Uint8Array, Uint8Array]>, depth: number = STATE_DEPTH): MerkleKV {
    const writes: WriteSet = new Map();
    for (const [key, value] of entries) writes.set(toHex(key), value);
    return MerkleKV.empty(depth).applyWrites(writes);
  }

  /** The value under `key` (a copy), or undefined. */
  get(key: Uint8Array): Uint8Array | undefined {
    return getNodeValue(getLeafAt(this.rootNode, this.depth, computeKeyPosition(key, this.depth)), key);
  }

  /**
   * The snapshot after a write set (null deletes), built in one batch with one hash pass.
   * Throws BAD_KEY / BAD_VALUE for a key or value out of bounds; this snapshot never changes.
   */
  applyWrites(writes: WriteSet): MerkleKV {
    if (writes.size === 0) return this;
    if (this.rootNode !== zeroNode(this.depth)) {
      const { rootNode, sizeDelta } = computeFullTreeAfterWrites(this.rootNode, this.depth, writes);
      return new MerkleKV(this.depth, rootNode, this.size + sizeDelta);
    }
    // Into an empty tree (a genesis state): the buckets' encodings share one array (`computeTreeWithBuckets`).
    const { rootNode, changes } = computeTreeAfterWrites(this.rootNode, this.depth, writes, (position) =>
      getBucketAt(this.rootNode, this.depth, position),
    );
    const sizeDelta = changes.reduce((n, c) => n + c.after.length - c.before.length, 0);
    return new MerkleKV(this.depth, rootNode, this.size + sizeDelta);
  }

  /** The 32-byte state root (hashes are computed once per batch and cached in the nodes). */
  root(): Uint8Array {
    hashTree(this.rootNode, this.depth);
    return this.rootNode.root;
  }

  /**
   * Computes the hashes of several states at once (`hashTrees`: one hasher call a level for all
   * states of a depth), so that their `root()` afterwards only reads them. The roots are the
   * same as each state's own `root()` computes.
   */
  static hashAll(states: readonly MerkleKV[]): void {
    const byDepth = new Map<number, Node[]>();
    for (const s of states) {
      if (s.rootNode.h0 !== null) continue;
      const list = byDepth.get(s.depth);
      if (list === undefined) byDepth.set(s.depth, [s.rootNode]);
      else list.push(s.rootNode);
    }
    for (const [depth, nodes] of byDepth) hashTrees(nodes, depth);
  }

  /** Every pair (copies), ordered by position then key: the same order for the same state. */
  *entries(): Iterable<[Uint8Array, Uint8Array]> {
    for (const bucket of iterateBuckets(this.rootNode, this.depth)) {
      for (const [key, value] of bucket) yield [key.slice(), value.slice()];
    }
  }

  /**
   * One multiproof for all `keys`: each key's whole bucket (its value, or proof of its absence)
   * and the sibling roots beside the covered positions.
   */
  prove(keys: readonly Uint8Array[]): StateWitness {
    const positions = [...new Set(keys.map((k) => computeKeyPosition(k, this.depth)))].sort((a, b) => a - b);
    return {
      depth: this.depth,
      buckets: positions.map((position) => ({
        position,
        entries: getBucketAt(this.rootNode, this.depth, position).map(([k, v]) => [k.slice(), v.slice()] as const),
      })),
      proof: computeProofSiblings(this.rootNode, this.depth, positions),
    };
  }

  /**
   * The size in bytes of `encodeWitness(this.prove(keys))`, computed without building the witness:
   * for a reader that holds this state and only needs what the witness would weigh.
   */
  witnessSize(keys: readonly Uint8Array[]): number {
    return this.witnessSizeAt(keys.map((k) => computeKeyPosition(k, this.depth)));
  }

  /** `witnessSize` of the keys whose hex forms are `hexKeys` (a read set), each parsed once per hex string. */
  witnessSizeOfHex(hexKeys: Iterable<string>): number {
    const shift = 32 - this.depth;
    const positions: number[] = [];
    for (const hex of hexKeys) {
      const top = computeHexKeyTop(hex);
      positions.push(shift === 0 ? top : top >>> shift);
    }
    return this.witnessSizeAt(positions);
  }

  /** `witnessSize` of keys at `positions` (any order, repeats allowed). */
  private witnessSizeAt(keyPositions: number[]): number {
    const positions = [...new Set(keyPositions)].sort((a, b) => a - b);
    let size = 5;
    for (const position of positions) {
      size += 6 + getNodeEncodedSize(getLeafAt(this.rootNode, this.depth, position)); // the bucket's encoding: 3 + key + value bytes a pair
    }
    const { siblings, present } = countProofSiblings(this.rootNode, this.depth, positions);
    return size + Math.ceil(siblings / 8) + 32 * present;
  }
}

/** A witness for one key: its value or its absence. */
export function proveKey(kv: MerkleKV, key: Uint8Array): StateWitness {
  return kv.prove([key]);
}

