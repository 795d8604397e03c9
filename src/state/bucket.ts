/**
 * Buckets: the contents of one position of the sparse state tree.
 *
 * A key's position is a prefix of sha256(key) (see `computeKeyPosition`); all (key, value) pairs
 * whose keys share a position form that position's bucket, sorted by key. Almost every bucket
 * holds one pair; buckets exist so that two keys with the same position never overwrite each other.
 *
 * The leaf of a non-empty bucket is sha256 over its canonical encoding; the leaf of an empty
 * bucket is the zero node, so an empty position costs nothing and the tree is sparse for free.
 */
import { sha256, toHex } from "../crypto/hash.js";
import { LeafNode, type Node, uint8ArrayToHashObject, zeroNode } from "@chainsafe/persistent-merkle-tree";
import { XshardError } from "../errors.js";
import { SHORT_HASH_MAX_BYTES, sha256Short } from "./shortHash.js";

/** Longest key a contract may store (the runtime enforces the same bound). */
export const MAX_KEY_BYTES = 64;
/** Longest value a contract may store under one key (the runtime enforces the same bound). */
export const MAX_VALUE_BYTES = 1024;

/** One stored pair. */
export type Entry = readonly [key: Uint8Array, value: Uint8Array];
/** The pairs of one position, strictly ascending by key (bytewise). Empty means "nothing here". */
export type Bucket = readonly Entry[];

/**
 * A tree leaf that carries the bucket it commits to, so that a `MerkleKV` snapshot *is* its tree:
 * reading a key walks the tree, and every old snapshot keeps its contents for free.
 */
export class BucketLeaf extends LeafNode {
  readonly bucket: Bucket;

  constructor(bucket: Bucket) {
    const h = uint8ArrayToHashObject(computeBucketHash(bucket));
    super(h.h0, h.h1, h.h2, h.h3, h.h4, h.h5, h.h6, h.h7);
    this.bucket = bucket;
  }
}

/** Bytewise lexicographic order (shorter prefix first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when `key` fits the state's key bound. */
export function isValidKey(key: Uint8Array): boolean {
  return key.length <= MAX_KEY_BYTES;
}

/** True when `value` fits the state's value bound. */
export function isValidValue(value: Uint8Array): boolean {
  return value.length <= MAX_VALUE_BYTES;
}

/** Throws BAD_KEY / BAD_VALUE unless the pair fits the state's bounds. */
export function assertValidEntry(key: Uint8Array, value: Uint8Array | null): void {
  if (!isValidKey(key)) {
    throw new XshardError("BAD_KEY", `state key of ${key.length} bytes exceeds ${MAX_KEY_BYTES}`, {
      key: toHex(key.subarray(0, MAX_KEY_BYTES)),
      length: key.length,
      max: MAX_KEY_BYTES,
    });
  }
  if (value !== null && !isValidValue(value)) {
    throw new XshardError("BAD_VALUE", `state value of ${value.length} bytes exceeds ${MAX_VALUE_BYTES}`, {
      key: toHex(key),
      length: value.length,
      max: MAX_VALUE_BYTES,
    });
  }
}

/**
 * Canonical byte encoding of a bucket, the preimage of its leaf:
 * for each pair in key order, `u8 keyLength ‖ key ‖ u16be valueLength ‖ value`.
 * The encoding is prefix-free, so distinct buckets never share an encoding.
 */
export function encodeBucket(bucket: Bucket): Uint8Array {
  let size = 0;
  for (const [key, value] of bucket) size += 3 + key.length + value.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const [key, value] of bucket) {
    out[at] = key.length;
    out.set(key, at + 1);
    at += 1 + key.length;
    out[at] = value.length >>> 8;
    out[at + 1] = value.length & 0xff;
    out.set(value, at + 2);
    at += 2 + value.length;
  }
  return out;
}

/** The 32-byte leaf of a bucket: zero for the empty bucket, else sha256 of its encoding. */
export function computeBucketHash(bucket: Bucket): Uint8Array {
  if (bucket.length === 0) return new Uint8Array(32);
  const encoding = encodeBucket(bucket);
  return encoding.length <= SHORT_HASH_MAX_BYTES ? sha256Short(encoding) : sha256(encoding);
}

/** The tree node for a bucket: the shared zero leaf when empty, else a `BucketLeaf`. */
export function createBucketNode(bucket: Bucket): Node {
  return bucket.length === 0 ? zeroNode(0) : new BucketLeaf(bucket);
}

/** The bucket a leaf node carries; any leaf that is not a `BucketLeaf` is the empty bucket. */
export function getNodeBucket(node: Node): Bucket {
  return node instanceof BucketLeaf ? node.bucket : [];
}

/** The value stored under `key` in `bucket`, or undefined. */
export function getBucketValue(bucket: Bucket, key: Uint8Array): Uint8Array | undefined {
  for (const [k, v] of bucket) {
    const c = compareBytes(k, key);
    if (c === 0) return v;
    if (c > 0) return undefined;
  }
  return undefined;
}

/**
 * The bucket after a batch of writes to distinct keys (null = delete), as a `WriteSet` provides
 * them. Pure: `bucket` is not modified; the result is sorted and holds no deleted keys.
 */
export function computeBucketAfterWrites(
  bucket: Bucket,
  writes: readonly (readonly [Uint8Array, Uint8Array | null])[],
): Bucket {
  const out: Entry[] = bucket.filter(([key]) => !writes.some(([written]) => compareBytes(written, key) === 0));
  for (const [key, value] of writes) if (value !== null) out.push([key, value]);
  return out.length > 1 ? out.sort((a, b) => compareBytes(a[0], b[0])) : out;
}

/** True when the bucket is strictly ascending by key and every pair fits the bounds. */
export function isCanonicalBucket(bucket: Bucket): boolean {
  for (let i = 0; i < bucket.length; i++) {
    const [key, value] = bucket[i] as Entry;
    if (!isValidKey(key) || !isValidValue(value)) return false;
    if (i > 0 && compareBytes((bucket[i - 1] as Entry)[0], key) >= 0) return false;
  }
  return true;
}
