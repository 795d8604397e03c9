/**
 * State witnesses: the parts of a contract's state that a transaction reads, with one multiproof
 * against the state root — enough for a validator that does not follow the contract to execute
 * against an affirmed root and to compute the post-root without the full state.
 */
import { bytesEqual, toHex } from "../crypto/hash.js";
import type { Node } from "@chainsafe/persistent-merkle-tree";
import { XshardError } from "../errors.js";
import type { StateView, WriteSet } from "../types.js";
import {
  type Bucket,
  type Entry,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  createBucketNode,
  encodeBucket,
  getBucketValue,
  isCanonicalBucket,
} from "./bucket.js";
import { type ProofSibling, computeSiblingHeights, createPartialTree, isCanonicalSiblings } from "./proof.js";
import { hashTree } from "./sparse.js";
import { type KeyWrite, MAX_STATE_DEPTH, STATE_DEPTH, computeKeyPosition, computeTreeAfterWrites } from "./tree.js";

/** The full contents of one covered position (empty entries prove that no key there is set). */
export interface WitnessBucket {
  readonly position: number;
  readonly entries: Bucket;
}

/**
 * A multiproof for a set of keys. It names no root on purpose: the verifier supplies the root it
 * trusts (`verifyWitness(root, witness)`).
 */
export interface StateWitness {
  readonly root?: never;
  /** Depth of the tree the witness is for. */
  readonly depth: number;
  /** Covered positions, strictly ascending, each with its whole bucket. */
  readonly buckets: readonly WitnessBucket[];
  /** Sibling roots in depth-first order; null is an empty subtree (see proof.ts). */
  readonly proof: readonly ProofSibling[];
}

function failMalformed(reason: string, data: Record<string, unknown> = {}): never {
  throw new XshardError("MALFORMED_WITNESS", `malformed state witness: ${reason}`, { reason, ...data });
}

/** Throws MALFORMED_WITNESS unless depth and buckets are canonical: positions ascending in range, buckets sorted and bounded. */
function assertBucketsWellFormed(depth: number, buckets: readonly WitnessBucket[]): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_STATE_DEPTH) failMalformed("depth out of range", { depth });
  const positionLimit = 2 ** depth;
  let previous = -1;
  for (const { position, entries } of buckets) {
    if (!Number.isInteger(position) || position <= previous || position >= positionLimit) {
      failMalformed("bucket positions must be distinct, ascending and below 2^depth", { position });
    }
    if (entries.length > 0xffff || !isCanonicalBucket(entries)) failMalformed("bucket not canonical", { position });
    previous = position;
  }
}

/** Throws MALFORMED_WITNESS unless the witness is structurally canonical (says nothing about roots). */
export function assertWitnessWellFormed(w: StateWitness): void {
  assertBucketsWellFormed(w.depth, w.buckets);
  const heights = computeSiblingHeights(w.depth, w.buckets.map((b) => b.position));
  if (!isCanonicalSiblings(w.proof, heights)) {
    failMalformed("proof siblings do not match the covered positions", { expected: heights.length, got: w.proof.length });
  }
}

/**
 * Canonical bytes of a witness: `u8 depth ‖ u32 bucketCount ‖ buckets ‖ presence bitmap ‖ roots`,
 * a bucket being `u32 position ‖ u16 entryCount ‖ encodeBucket(entries)`, the bitmap one bit per
 * sibling (MSB first, 1 = a 32-byte root follows, 0 = empty subtree, padding bits zero).
 */
export function encodeWitness(w: StateWitness): Uint8Array {
  assertWitnessWellFormed(w);
  const bucketBytes = w.buckets.map((b) => encodeBucket(b.entries));
  const present = w.proof.filter((s): s is Uint8Array => s !== null);
  const bitmapLength = Math.ceil(w.proof.length / 8);
  const size = 5 + bucketBytes.reduce((n, b) => n + 6 + b.length, 0) + bitmapLength + 32 * present.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = w.depth;
  view.setUint32(1, w.buckets.length);
  let at = 5;
  w.buckets.forEach((b, i) => {
    const bytes = bucketBytes[i] as Uint8Array;
    view.setUint32(at, b.position);
    view.setUint16(at + 4, b.entries.length);
    out.set(bytes, at + 6);
    at += 6 + bytes.length;
  });
  w.proof.forEach((s, i) => {
    if (s !== null) out[at + (i >>> 3)] = (out[at + (i >>> 3)] as number) | (0x80 >>> (i & 7));
  });
  at += bitmapLength;
  for (const s of present) {
    out.set(s, at);
    at += 32;
  }
  return out;
}

/** Sequential reader over untrusted bytes: any overrun is MALFORMED_WITNESS. */
class WitnessReader {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) failMalformed("truncated", { at: this.at });
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  u8(): number {
    return this.take(1)[0] as number;
  }

  u16(): number {
    const at = this.at;
    this.take(2);
    return this.view.getUint16(at);
  }

  u32(): number {
    const at = this.at;
    this.take(4);
    return this.view.getUint32(at);
  }

  assertEnd(): void {
    if (this.at !== this.bytes.length) failMalformed("trailing bytes", { at: this.at });
  }
}

function readEntry(r: WitnessReader): Entry {
  const keyLength = r.u8();
  if (keyLength > MAX_KEY_BYTES) failMalformed("key too long", { keyLength });
  const key = r.take(keyLength);
  const valueLength = r.u16();
  if (valueLength > MAX_VALUE_BYTES) failMalformed("value too long", { valueLength });
  return [key, r.take(valueLength)];
}

/** Decode canonical witness bytes (`encodeWitness`); anything else throws MALFORMED_WITNESS. */
export function decodeWitness(bytes: Uint8Array): StateWitness {
  const r = new WitnessReader(bytes);
  const depth = r.u8();
  const bucketCount = r.u32();
  const buckets: WitnessBucket[] = [];
  for (let i = 0; i < bucketCount; i++) {
    const position = r.u32();
    const entryCount = r.u16();
    const entries: Entry[] = [];
    for (let j = 0; j < entryCount; j++) entries.push(readEntry(r));
    buckets.push({ position, entries });
  }
  assertBucketsWellFormed(depth, buckets);
  const siblingCount = computeSiblingHeights(depth, buckets.map((b) => b.position)).length;
  const bitmap = r.take(Math.ceil(siblingCount / 8));
  const proof: ProofSibling[] = [];
  for (let i = 0; i < siblingCount; i++) proof.push(((bitmap[i >>> 3] as number) & (0x80 >>> (i & 7))) !== 0 ? r.take(32) : null);
  if (siblingCount % 8 !== 0 && ((bitmap[bitmap.length - 1] as number) & (0xff >>> (siblingCount % 8))) !== 0) {
    failMalformed("nonzero bitmap padding");
  }
  r.assertEnd();
  const witness: StateWitness = { depth, buckets, proof };
  assertWitnessWellFormed(witness);
  return witness;
}

function copyBucket(bucket: Bucket): Bucket {
  return bucket.map(([k, v]): Entry => [k.slice(), v.slice()]);
}

/**
 * A verified view of the covered part of a state: reads and stateless updates of covered keys.
 * Built only by `verifyWitness`. Immutable: `applyWrites` returns a new view.
 */
export class WitnessKV implements StateView {
  private constructor(
    readonly depth: number,
    private readonly rootNode: Node,
    private readonly buckets: ReadonlyMap<number, Bucket>,
  ) {}

  /** Same as `verifyWitness(root, witness, depth)`. */
  static fromWitness(root: Uint8Array, w: StateWitness, depth: number = STATE_DEPTH): WitnessKV {
    assertWitnessWellFormed(w);
    const buckets = w.buckets.map((b) => copyBucket(b.entries));
    const positions = w.buckets.map((b) => b.position);
    const rootNode = createPartialTree(w.depth, positions, buckets.map(createBucketNode), w.proof);
    const gotRoot = rootNode.root;
    const badProof = (reason: string, data: Record<string, unknown> = {}): never => {
      throw new XshardError("BAD_PROOF", `state witness does not prove against the root: ${reason}`, {
        expectedRoot: toHex(root),
        gotRoot: toHex(gotRoot),
        reason,
        ...data,
      });
    };
    if (w.depth !== depth) badProof("depth mismatch", { expectedDepth: depth, gotDepth: w.depth });
    if (!bytesEqual(gotRoot, root)) badProof("root mismatch");
    w.buckets.forEach(({ position, entries }) => {
      for (const [key] of entries) {
        if (computeKeyPosition(key, depth) !== position) badProof("key outside its bucket's position", { key: toHex(key), position });
      }
    });
    return new WitnessKV(depth, rootNode, new Map(positions.map((p, i) => [p, buckets[i] as Bucket])));
  }

  /** True when the witness covers `key` (proves its value or its absence). */
  covers(key: Uint8Array): boolean {
    return this.buckets.has(computeKeyPosition(key, this.depth));
  }

  /** The value of a covered key (a copy), or undefined when proven absent; MISSING_WITNESS otherwise. */
  get(key: Uint8Array): Uint8Array | undefined {
    return getBucketValue(this.getCoveredBucket(computeKeyPosition(key, this.depth), key), key)?.slice();
  }

  /** The view after a write set that touches covered keys only (else MISSING_WITNESS, nothing changes). */
  applyWrites(writes: WriteSet): WitnessKV {
    const { rootNode, changes } = computeTreeAfterWrites(this.rootNode, this.depth, writes, (position, keyWrites) =>
      this.getCoveredBucket(position, (keyWrites[0] as KeyWrite)[0]),
    );
    const buckets = new Map(this.buckets);
    for (const c of changes) buckets.set(c.position, c.after);
    return new WitnessKV(this.depth, rootNode, buckets);
  }

  /** The state root of this view: after `applyWrites`, the post-root computed without the full state. */
  root(): Uint8Array {
    hashTree(this.rootNode, this.depth);
    return this.rootNode.root;
  }

  private getCoveredBucket(position: number, key: Uint8Array): Bucket {
    const bucket = this.buckets.get(position);
    if (bucket === undefined) {
      throw new XshardError("MISSING_WITNESS", "state witness does not cover this key", { key: toHex(key), position });
    }
    return bucket;
  }
}

/**
 * Check a witness against a trusted state root and return a view of what it proves.
 * Throws MALFORMED_WITNESS for a structurally bad witness and BAD_PROOF `{expectedRoot, gotRoot}`
 * for any forged proof, bucket, key or value.
 */
export function verifyWitness(root: Uint8Array, w: StateWitness, depth: number = STATE_DEPTH): WitnessKV {
  return WitnessKV.fromWitness(root, w, depth);
}

function isProofError(e: unknown): boolean {
  return e instanceof XshardError && (e.code === "BAD_PROOF" || e.code === "MALFORMED_WITNESS" || e.code === "MISSING_WITNESS");
}

/** True iff `witness` proves, against `root`, that `key` holds exactly `value`. */
export function verifyInclusion(root: Uint8Array, key: Uint8Array, value: Uint8Array, witness: StateWitness, depth: number = STATE_DEPTH): boolean {
  try {
    const got = verifyWitness(root, witness, depth).get(key);
    return got !== undefined && bytesEqual(got, value);
  } catch (e) {
    if (isProofError(e)) return false;
    throw e;
  }
}

/** True iff `witness` proves, against `root`, that `key` is not set. */
export function verifyAbsence(root: Uint8Array, key: Uint8Array, witness: StateWitness, depth: number = STATE_DEPTH): boolean {
  try {
    return verifyWitness(root, witness, depth).get(key) === undefined;
  } catch (e) {
    if (isProofError(e)) return false;
    throw e;
  }
}
