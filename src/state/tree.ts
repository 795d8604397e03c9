/**
 * The sparse Merkle tree under every contract state: a binary tree of fixed depth whose leaf at
 * position p is the root of the bucket of keys whose position is p (see bucket.ts). Nodes are the
 * immutable nodes of @chainsafe/persistent-merkle-tree, so every snapshot is kept for free; a
 * subtree holding a single leaf is one `ShortNode` (sparse.ts), and a batch of writes is one
 * `setLeaves` whose new nodes hash lazily, when the root is asked for.
 */
import { fromHex, sha256 } from "../crypto/hash.js";
import { type Node, zeroNode } from "@chainsafe/persistent-merkle-tree";
import { XshardError } from "../errors.js";
import type { WriteSet } from "../types.js";
import {
  type Bucket,
  MAX_KEY_BYTES,
  assertValidEntry,
  compareBytes,
  computeBucketAfterWrites,
  computeLeafAfterWrites,
  createBucketNode,
  createBucketNodesShared,
  getNodeBucket,
} from "./bucket.js";
import { SHORT_HASH_MAX_BYTES, sha256ShortTop } from "./shortHash.js";
import { ShortNode, getLeafAt, setLeaves } from "./sparse.js";

/** Default tree depth: positions are the first 4 bytes of sha256(key), big-endian. */
export const STATE_DEPTH = 32;
/** Deepest supported tree (positions are at most 32 bits of the key hash). */
export const MAX_STATE_DEPTH = 32;

/** One write of a batch: a key and its new value, or null for a delete. */
export type KeyWrite = readonly [key: Uint8Array, value: Uint8Array | null];

/** How one position changed in a batch of writes. */
export interface BucketChange {
  readonly position: number;
  readonly before: Bucket;
  readonly after: Bucket;
}

const CANONICAL_HEX_KEY = /^(?:[0-9a-f]{2})*$/;

/** Throws BAD_DEPTH unless `depth` is an integer in [1, MAX_STATE_DEPTH]. */
export function assertValidDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_STATE_DEPTH) {
    throw new XshardError("BAD_DEPTH", `state tree depth must be an integer in [1, ${MAX_STATE_DEPTH}]`, { depth });
  }
}

/** The top 32 bits of sha256 of keys whose arrays never change (`noteFixedKey`), by array; -1 until first asked. */
const fixedKeyTops = new WeakMap<Uint8Array, number>();

/**
 * Marks `key`'s array as never written again (the runtime's interned storage keys: a contract reads
 * the same keys over and over), so that `computeKeyPosition` hashes it once, not at every lookup.
 */
export function noteFixedKey(key: Uint8Array): void {
  if (!fixedKeyTops.has(key)) fixedKeyTops.set(key, -1);
}

/** The position of `key` in a tree of `depth`: the top `depth` bits of sha256(key). */
export function computeKeyPosition(key: Uint8Array, depth: number): number {
  const known = fixedKeyTops.get(key);
  let top: number;
  if (known !== undefined && known >= 0) top = known;
  else {
    top = computeKeyTop(key);
    if (known !== undefined) fixedKeyTops.set(key, top);
  }
  return depth === 32 ? top : top >>> (32 - depth);
}

/** The top 32 bits of sha256(key). */
function computeKeyTop(key: Uint8Array): number {
  if (key.length <= SHORT_HASH_MAX_BYTES) return sha256ShortTop(key);
  const h = sha256(key);
  return (((h[0] as number) << 24) | ((h[1] as number) << 16) | ((h[2] as number) << 8) | (h[3] as number)) >>> 0;
}

/** True when `node` is (or hashes like) the all-empty subtree of `height`. */
export function isZeroSubtree(node: Node, height: number): boolean {
  const zero = zeroNode(height);
  if (node === zero) return true;
  const a = node.rootHashObject;
  const b = zero.rootHashObject;
  return (
    a.h0 === b.h0 && a.h1 === b.h1 && a.h2 === b.h2 && a.h3 === b.h3 &&
    a.h4 === b.h4 && a.h5 === b.h5 && a.h6 === b.h6 && a.h7 === b.h7
  );
}

/** The bucket stored at `position` of a full tree. */
export function getBucketAt(rootNode: Node, depth: number, position: number): Bucket {
  return getNodeBucket(getLeafAt(rootNode, depth, position));
}

/** Every non-empty bucket of a full (sub)tree of `height`, in position order. */
export function* iterateBuckets(node: Node, height: number): Generator<Bucket> {
  if (isZeroSubtree(node, height)) return;
  if (height === 0 || node instanceof ShortNode) {
    yield getNodeBucket(node instanceof ShortNode ? node.leaf : node);
    return;
  }
  yield* iterateBuckets(node.left, height - 1);
  yield* iterateBuckets(node.right, height - 1);
}

/** A write-set key parsed and checked once: its bytes (never mutated) and the top 32 bits of sha256(key). */
interface ParsedKey {
  readonly bytes: Uint8Array;
  readonly hashTop: number;
}

/** Parsed write-set keys by hex, emptied when full: a contract writes the same keys block after block. */
const parsedKeys = new Map<string, ParsedKey>();
const PARSED_KEYS_CAPACITY = 16_384;

/** The bytes and hash prefix of a write-set key; throws BAD_KEY for a key that is not canonical hex of at most MAX_KEY_BYTES. */
function parseWriteKey(hexKey: string): ParsedKey {
  const known = parsedKeys.get(hexKey);
  if (known !== undefined) return known;
  if (!CANONICAL_HEX_KEY.test(hexKey) || hexKey.length > 2 * MAX_KEY_BYTES) {
    throw new XshardError("BAD_KEY", "write-set key must be lowercase hex of at most 64 bytes", {
      key: hexKey.slice(0, 2 * MAX_KEY_BYTES + 2),
    });
  }
  const bytes = new Uint8Array(Buffer.from(hexKey, "hex"));
  const parsed: ParsedKey = { bytes, hashTop: computeKeyPosition(bytes, 32) };
  if (parsedKeys.size >= PARSED_KEYS_CAPACITY) parsedKeys.clear();
  parsedKeys.set(hexKey, parsed);
  return parsed;
}

/**
 * The top 32 bits of sha256 of the key whose hex is `hexKey` (a read or write set's key): parsed
 * once per hex string for canonical keys (`parseWriteKey`'s memo), otherwise parsed as `fromHex`
 * parses it (and throws as it does).
 */
export function computeHexKeyTop(hexKey: string): number {
  const known = parsedKeys.get(hexKey);
  if (known !== undefined) return known.hashTop;
  if (CANONICAL_HEX_KEY.test(hexKey) && hexKey.length <= 2 * MAX_KEY_BYTES) return parseWriteKey(hexKey).hashTop;
  return computeKeyPosition(fromHex(hexKey), 32);
}

/**
 * Parse and validate a write set, grouped by position, values copied. Throws BAD_KEY for a key
 * that is not canonical (lowercase, even-length) hex or is too long, BAD_VALUE for a value too long.
 * Keys are parsed once per hex string (`parseWriteKey`); their bytes are shared, never mutated.
 */
export function groupWritesByPosition(writes: WriteSet, depth: number): Map<number, KeyWrite[]> {
  const groups = new Map<number, KeyWrite[]>();
  for (const [hexKey, value] of writes) {
    const { bytes: key, hashTop } = parseWriteKey(hexKey);
    assertValidEntry(key, value);
    const position = depth === 32 ? hashTop : hashTop >>> (32 - depth);
    const group = groups.get(position);
    const write: KeyWrite = [key, value === null ? null : value.slice()];
    if (group === undefined) groups.set(position, [write]);
    else group.push(write);
  }
  return groups;
}

/**
 * Set the leaves at `positions` (ascending, distinct) to the given buckets and rehash the touched
 * paths (lazily, when the root is asked for). Pure: returns a new root node; `rootNode` is unchanged.
 * Written into an empty tree (a genesis state), the buckets' encodings share one array.
 */
export function computeTreeWithBuckets(rootNode: Node, depth: number, positions: number[], buckets: Bucket[]): Node {
  if (positions.length === 0) return rootNode;
  const leaves = rootNode === zeroNode(depth) ? createBucketNodesShared(buckets) : buckets.map(createBucketNode);
  return setLeaves(rootNode, depth, positions, leaves);
}

/**
 * `computeTreeAfterWrites` for a full tree (every leaf a `BucketLeaf` or empty: a `MerkleKV`'s):
 * each touched leaf's new encoding is merged from its old encoding and the writes
 * (`computeLeafAfterWrites`) — no decoded buckets, no copies of the values but the encoding. The
 * same root; throws as `computeTreeAfterWrites` does, in the same order. `sizeDelta`: pairs added
 * minus pairs removed.
 */
export function computeFullTreeAfterWrites(rootNode: Node, depth: number, writes: WriteSet): { rootNode: Node; sizeDelta: number } {
  const items: { position: number; key: Uint8Array; value: Uint8Array | null }[] = [];
  for (const [hexKey, value] of writes) {
    const { bytes: key, hashTop } = parseWriteKey(hexKey);
    assertValidEntry(key, value);
    items.push({ position: depth === 32 ? hashTop : hashTop >>> (32 - depth), key, value });
  }
  if (items.length > 1) items.sort((a, b) => a.position - b.position || compareBytes(a.key, b.key));
  const positions: number[] = [];
  const leaves: Node[] = [];
  let sizeDelta = 0;
  for (let i = 0; i < items.length; ) {
    const position = (items[i] as (typeof items)[number]).position;
    let j = i + 1;
    while (j < items.length && (items[j] as (typeof items)[number]).position === position) j++;
    const { node, delta } = computeLeafAfterWrites(getLeafAt(rootNode, depth, position), items, i, j);
    positions.push(position);
    leaves.push(node);
    sizeDelta += delta;
    i = j;
  }
  return { rootNode: setLeaves(rootNode, depth, positions, leaves), sizeDelta };
}

/**
 * Apply a write set to a tree whose touched buckets `readBucket` can supply. Pure: returns the
 * new root node and, per touched position, the bucket before and after.
 */
export function computeTreeAfterWrites(
  rootNode: Node,
  depth: number,
  writes: WriteSet,
  readBucket: (position: number, writes: readonly KeyWrite[]) => Bucket,
): { rootNode: Node; changes: BucketChange[] } {
  const groups = groupWritesByPosition(writes, depth);
  const positions = [...groups.keys()].sort((a, b) => a - b);
  const changes = positions.map((position): BucketChange => {
    const writesHere = groups.get(position) ?? [];
    const before = readBucket(position, writesHere);
    return { position, before, after: computeBucketAfterWrites(before, writesHere) };
  });
  return {
    rootNode: computeTreeWithBuckets(rootNode, depth, positions, changes.map((c) => c.after)),
    changes,
  };
}

