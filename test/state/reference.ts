/**
 * An independent, deliberately naive model of the state commitment (docs/state.md), written from
 * the spec with node:crypto only — no persistent-merkle-tree — so the tests compare two
 * implementations rather than one with itself.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import type { WriteSet } from "../../src/types.js";

function h(...parts: Uint8Array[]): Uint8Array {
  const x = createHash("sha256");
  for (const p of parts) x.update(p);
  return new Uint8Array(x.digest());
}

/** Top `depth` bits of sha256(key), big-endian. */
export function refPosition(key: Uint8Array, depth: number): number {
  return Buffer.from(h(key)).readUInt32BE(0) >>> (32 - depth);
}

function refBucketLeaf(pairs: [Buffer, Uint8Array][]): Uint8Array {
  const sorted = [...pairs].sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Uint8Array[] = [];
  for (const [k, v] of sorted) parts.push(Uint8Array.of(k.length), k, Uint8Array.of(v.length >> 8, v.length & 0xff), v);
  return h(...parts);
}

/** The state root of a hex-keyed map, computed from scratch. */
export function refRoot(state: ReadonlyMap<string, Uint8Array>, depth: number): Uint8Array {
  const zero: Uint8Array[] = [new Uint8Array(32)];
  for (let i = 1; i <= depth; i++) zero.push(h(zero[i - 1] as Uint8Array, zero[i - 1] as Uint8Array));
  const buckets = new Map<number, [Buffer, Uint8Array][]>();
  for (const [hex, v] of state) {
    const k = Buffer.from(hex, "hex");
    const p = refPosition(k, depth);
    buckets.set(p, [...(buckets.get(p) ?? []), [k, v]]);
  }
  const node = (height: number, prefix: number, positions: number[]): Uint8Array => {
    if (positions.length === 0) return zero[height] as Uint8Array;
    if (height === 0) return refBucketLeaf(buckets.get(prefix) ?? []);
    const half = 2 ** (height - 1);
    const left = positions.filter((p) => p - prefix * 2 ** height < half);
    const right = positions.filter((p) => p - prefix * 2 ** height >= half);
    return h(node(height - 1, prefix * 2, left), node(height - 1, prefix * 2 + 1, right));
  };
  return node(depth, 0, [...buckets.keys()]);
}

/** The reference state after a write set. */
export function refApply(state: ReadonlyMap<string, Uint8Array>, writes: WriteSet): Map<string, Uint8Array> {
  const next = new Map(state);
  for (const [k, v] of writes) {
    if (v === null) next.delete(k);
    else next.set(k, v);
  }
  return next;
}

/** Keys from a small alphabet, so that generated states and writes overlap often. */
export const arbKey = fc.uint8Array({ minLength: 0, maxLength: 3, max: 7 });
export const arbValue = fc.uint8Array({ minLength: 0, maxLength: 12 });
export const arbHexKey = arbKey.map((k) => Buffer.from(k).toString("hex"));
export const arbState = fc.array(fc.tuple(arbHexKey, arbValue), { maxLength: 40 }).map((pairs) => new Map(pairs));
export const arbWrites = fc
  .array(fc.tuple(arbHexKey, fc.option(arbValue, { nil: null, freq: 3 })), { maxLength: 25 })
  .map((pairs): WriteSet => new Map(pairs));
/** Depths from tiny (every bucket collides) to the default. */
export const arbDepth = fc.constantFrom(1, 2, 3, 5, 8, 32);
