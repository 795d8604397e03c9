/**
 * The store's buckets: one LMDB named database each, with a typed key and value. Every key is
 * raw bytes (lmdb `keyEncoding: "binary"`; its default ordered-binary encoding would decode raw
 * 32-byte roots as other types): roots and ids as they are, block numbers as 8-byte big-endian,
 * so range reads by number come back in numeric order. Values are opaque bytes (the protocol's
 * SSZ containers) except the meta record.
 */
import { XshardError } from "../../errors.js";

export type ChainName = "stage1" | "stage2";
export const CHAINS: readonly ChainName[] = ["stage1", "stage2"];

/** Bucket names as they are stored (never renamed: they are the on-disk schema). */
export const BUCKETS = {
  stage1Blocks: "stage1_blocks", // block number → block bytes
  stage1Roots: "stage1_roots", // block root → block number
  stage1Finalized: "stage1_finalized", // block number → root of the finalized block
  stage2Blocks: "stage2_blocks",
  stage2Roots: "stage2_roots",
  stage2Finalized: "stage2_finalized",
  states: "states", // state root → contract state snapshot bytes
  txResults: "tx_results", // transaction id → result / receipt bytes
  meta: "meta", // name → meta record (msgpack)
  snapshot: "snapshot", // "latest" → the node's chain snapshot (src/node/snapshot.ts), written with the block that reached it
  signed: "signed", // validator ‖ duty ‖ slot → what it signed (slashing protection, protection.ts; schema 2)
} as const;

export type BucketName = (typeof BUCKETS)[keyof typeof BUCKETS];

/**
 * 2: bucket `signed` (slashing protection). A store of schema 1 is migrated on open (the bucket
 * starts empty: what was signed before the upgrade is not known); a node reading schema 1 refuses a
 * schema-2 store (`STORE_SCHEMA_MISMATCH`), so an old node never signs past the records.
 */
export const SCHEMA_VERSION = 2;
/** Schemas `NodeStore.open` migrates to `SCHEMA_VERSION` (by writing the new version: the buckets added since start empty). */
export const MIGRATES_FROM: readonly number[] = [1];

/** A block's position and identity in its chain. */
export interface BlockRef {
  readonly number: number;
  readonly root: Uint8Array;
}

/** The meta record: heads and finalized heads of both chains (absent until first written). */
export interface StoreHeads {
  readonly stage1?: BlockRef;
  readonly stage2?: BlockRef;
  readonly stage1Finalized?: BlockRef;
  readonly stage2Finalized?: BlockRef;
}

export function checkBlockNumber(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new XshardError("STORE_BAD_KEY", `block number must be a whole number ≥ 0, got ${n}`, { number: n });
  return n;
}

export function checkRoot(root: Uint8Array, what = "root"): Uint8Array {
  if (!(root instanceof Uint8Array) || root.length !== 32) {
    throw new XshardError("STORE_BAD_KEY", `${what} must be 32 bytes`, { what, bytes: root instanceof Uint8Array ? root.length : null });
  }
  return root;
}

export function checkId(id: Uint8Array): Uint8Array {
  if (!(id instanceof Uint8Array) || id.length === 0 || id.length > 64) {
    throw new XshardError("STORE_BAD_KEY", "a transaction id must be 1–64 bytes", { bytes: id instanceof Uint8Array ? id.length : null });
  }
  return id;
}

export function checkValue(value: Uint8Array, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new XshardError("STORE_BAD_VALUE", `${what} must be bytes`, { what });
  return value;
}

/** Buffer → plain Uint8Array view (callers compare and hash bytes, never Buffers). */
export function toBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function toKey(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Block number → 8-byte big-endian key (byte order = numeric order). */
export function encodeNumberKey(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(checkBlockNumber(n)));
  return b;
}

export function decodeNumberKey(key: Uint8Array): number {
  return Number(Buffer.from(key.buffer, key.byteOffset, key.byteLength).readBigUInt64BE(0));
}
