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
import { SHORT_HASH_MAX_BYTES, sha256Short, sha256ShortInto } from "./shortHash.js";

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
 * reading a key walks the tree, and every old snapshot keeps its contents for free. The bucket is
 * kept as its canonical encoding, `data[start, end)` (the preimage of the leaf), not as arrays of
 * entries: a state of 256,000 one-pair buckets held ≈ 0.4 kB of arrays and typed arrays per key.
 * The bytes are never mutated: the leaf's own, or shared by the leaves of one batch written into an
 * empty tree (a genesis state), which then live as long as one of those leaves does.
 */
export class BucketLeaf extends LeafNode {
  constructor(
    readonly data: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {
    super(0, 0, 0, 0, 0, 0, 0, 0);
    if (end - start <= SHORT_HASH_MAX_BYTES) sha256ShortInto(data, start, end, this);
    else this.applyHash(uint8ArrayToHashObject(sha256(data.subarray(start, end))));
  }

  /** The bucket's pairs, decoded (fresh copies). */
  get bucket(): Bucket {
    return decodeBucket(this.data, this.start, this.end);
  }
}

/** The pairs encoded in data[start, end) (by `encodeBucket`), each key and value a fresh copy. */
function decodeBucket(data: Uint8Array, start: number, end: number): Entry[] {
  const out: Entry[] = [];
  let at = start;
  while (at < end) {
    const keyLength = data[at] as number;
    const key = data.slice(at + 1, at + 1 + keyLength);
    at += 1 + keyLength;
    const valueLength = ((data[at] as number) << 8) | (data[at + 1] as number);
    out.push([key, data.slice(at + 2, at + 2 + valueLength)]);
    at += 2 + valueLength;
  }
  return out;
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
  const out = new Uint8Array(getEncodedBucketSize(bucket));
  encodeBucketInto(bucket, out, 0);
  return out;
}

/** The length of `encodeBucket(bucket)`. */
function getEncodedBucketSize(bucket: Bucket): number {
  let size = 0;
  for (const [key, value] of bucket) size += 3 + key.length + value.length;
  return size;
}

/** Writes one pair's canonical encoding (key length byte, key, big-endian u16 value length, value) into `out` at `at`; returns the offset after it. */
function putPair(out: Uint8Array, at: number, key: Uint8Array, value: Uint8Array): number {
  out[at] = key.length;
  out.set(key, at + 1);
  at += 1 + key.length;
  out[at] = value.length >>> 8;
  out[at + 1] = value.length & 0xff;
  out.set(value, at + 2);
  return at + 2 + value.length;
}

/** Writes `encodeBucket(bucket)` into `out` at `at`; returns the offset after it. */
function encodeBucketInto(bucket: Bucket, out: Uint8Array, at: number): number {
  for (const [key, value] of bucket) at = putPair(out, at, key, value);
  return at;
}

/** The 32-byte leaf of a bucket: zero for the empty bucket, else sha256 of its encoding. */
export function computeBucketHash(bucket: Bucket): Uint8Array {
  if (bucket.length === 0) return new Uint8Array(32);
  const encoding = encodeBucket(bucket);
  return encoding.length <= SHORT_HASH_MAX_BYTES ? sha256Short(encoding) : sha256(encoding);
}

/** The tree node for a bucket: the shared zero leaf when empty, else a `BucketLeaf` with its own bytes. */
export function createBucketNode(bucket: Bucket): Node {
  return bucket.length === 0 ? zeroNode(0) : new BucketLeaf(encodeBucket(bucket), 0, getEncodedBucketSize(bucket));
}

/**
 * The tree nodes of `buckets`, as `createBucketNode` makes them, but with every non-empty bucket's
 * encoding in one shared array (for a batch written into an empty tree: one allocation, and no
 * typed array per leaf).
 */
export function createBucketNodesShared(buckets: readonly Bucket[]): Node[] {
  let size = 0;
  for (const bucket of buckets) size += getEncodedBucketSize(bucket);
  const data = new Uint8Array(size);
  let at = 0;
  return buckets.map((bucket) => {
    if (bucket.length === 0) return zeroNode(0);
    const start = at;
    at = encodeBucketInto(bucket, data, at);
    return new BucketLeaf(data, start, at);
  });
}

/** The bucket a leaf node carries; any leaf that is not a `BucketLeaf` is the empty bucket. */
export function getNodeBucket(node: Node): Bucket {
  return node instanceof BucketLeaf ? node.bucket : [];
}

/** The length of the encoding of the bucket a leaf node carries (0 for the empty bucket). */
export function getNodeEncodedSize(node: Node): number {
  return node instanceof BucketLeaf ? node.end - node.start : 0;
}

/** The value stored under `key` in the bucket a leaf node carries (a fresh copy), or undefined; no decoding. */
export function getNodeValue(node: Node, key: Uint8Array): Uint8Array | undefined {
  if (!(node instanceof BucketLeaf)) return undefined;
  const data = node.data;
  const keyLength = key.length;
  for (let at = node.start; at < node.end; ) {
    const length = data[at] as number;
    const valueAt = at + 3 + length;
    const valueEnd = valueAt + (((data[at + 1 + length] as number) << 8) | (data[at + 2 + length] as number));
    const c = compareKeyAt(data, at + 1, length, key, keyLength);
    if (c === 0) return data.slice(valueAt, valueEnd);
    if (c > 0) return undefined;
    at = valueEnd;
  }
  return undefined;
}

/** compareBytes(data[at, at + length), key). */
function compareKeyAt(data: Uint8Array, at: number, length: number, key: Uint8Array, keyLength: number): number {
  const n = Math.min(length, keyLength);
  for (let i = 0; i < n; i++) {
    const d = (data[at + i] as number) - (key[i] as number);
    if (d !== 0) return d;
  }
  return length - keyLength;
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

/** Scratch of `computeLeafAfterWrites` (grown as needed). */
let mergeScratch = new Uint8Array(1024);

/**
 * The leaf of the bucket `leaf` carries after `writes[lo, hi)` (distinct keys, ascending by
 * `compareBytes`; null deletes), merged directly from its encoding — no decoded bucket: the same
 * node as `createBucketNode(computeBucketAfterWrites(getNodeBucket(leaf), writes))`, with its own
 * bytes. `delta`: pairs after minus pairs before.
 */
export function computeLeafAfterWrites(leaf: Node, writes: readonly { readonly key: Uint8Array; readonly value: Uint8Array | null }[], lo: number, hi: number): { node: Node; delta: number } {
  const own = leaf instanceof BucketLeaf;
  const data = own ? leaf.data : mergeScratch;
  const end = own ? leaf.end : 0;
  let bound = own ? leaf.end - leaf.start : 0;
  for (let w = lo; w < hi; w++) {
    const { key, value } = writes[w] as { key: Uint8Array; value: Uint8Array | null };
    if (value !== null) bound += 3 + key.length + value.length;
  }
  if (mergeScratch.length < bound) mergeScratch = new Uint8Array(2 ** Math.ceil(Math.log2(bound)));
  const out = mergeScratch;
  let size = 0;
  let delta = 0;
  let at = own ? leaf.start : 0;
  let w = lo;
  while (at < end || w < hi) {
    const keyLength = at < end ? (data[at] as number) : 0;
    const next = at < end ? at + 3 + keyLength + (((data[at + 1 + keyLength] as number) << 8) | (data[at + 2 + keyLength] as number)) : at;
    const write = w < hi ? (writes[w] as { key: Uint8Array; value: Uint8Array | null }) : undefined;
    const c = write === undefined ? -1 : at >= end ? 1 : compareKeyAt(data, at + 1, keyLength, write.key, write.key.length);
    if (c < 0) {
      out.set(data.subarray(at, next), size); // an untouched pair, as it was
      size += next - at;
      at = next;
      continue;
    }
    if (c === 0) {
      delta--;
      at = next;
    }
    w++;
    const { key, value } = write as { key: Uint8Array; value: Uint8Array | null };
    if (value === null) continue;
    delta++;
    size = putPair(out, size, key, value);
  }
  return { node: size === 0 ? zeroNode(0) : new BucketLeaf(out.slice(0, size), 0, size), delta };
}
