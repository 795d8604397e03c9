import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fromHex, sha256, toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, MerkleKV, computeKeyPosition, encodeWitness, noteFixedKey } from "../../src/state/index.js";
import type { WriteSet } from "../../src/types.js";
import { arbDepth, arbState, arbWrites, refApply, refPosition, refRoot } from "./reference.js";

function kvOf(state: ReadonlyMap<string, Uint8Array>, depth: number): MerkleKV {
  return MerkleKV.fromEntries([...state].map(([k, v]) => [fromHex(k), v] as const), depth);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isXshardError(e) ? e.code : `untyped: ${String(e)}`;
  }
  return undefined;
}

describe("MerkleKV", () => {
  it("matches the naive reference model: root, reads, size, entries", () => {
    fc.assert(
      fc.property(arbState, arbWrites, arbDepth, (state, writes, depth) => {
        const kv = kvOf(state, depth).applyWrites(writes);
        const want = refApply(state, writes);
        expect(toHex(kv.root())).toBe(toHex(refRoot(want, depth)));
        expect(kv.size).toBe(want.size);
        for (const [k, v] of want) expect(kv.get(fromHex(k))).toEqual(v);
        for (const [k, v] of writes) if (v === null) expect(kv.get(fromHex(k))).toBeUndefined();
        const listed = [...kv.entries()].map(([k, v]) => [toHex(k), v] as const);
        expect(new Map(listed)).toEqual(want);
        expect(listed.length).toBe(want.size);
      }),
      { numRuns: 150 },
    );
  });

  it("matches the reference model over several write sets in a row (each merged into the leaves' encodings)", () => {
    fc.assert(
      fc.property(arbState, fc.array(arbWrites, { minLength: 1, maxLength: 4 }), arbDepth, (state, batches, depth) => {
        let kv = kvOf(state, depth);
        let want: Map<string, Uint8Array> = new Map(state);
        for (const writes of batches) {
          const before = kv;
          const beforeRoot = toHex(before.root());
          kv = kv.applyWrites(writes);
          want = refApply(want, writes);
          expect(toHex(kv.root())).toBe(toHex(refRoot(want, depth)));
          expect(kv.size).toBe(want.size);
          expect(new Map([...kv.entries()].map(([k, v]) => [toHex(k), v] as const))).toEqual(want);
          expect(toHex(before.root())).toBe(beforeRoot); // the old snapshot is untouched
        }
      }),
      { numRuns: 150 },
    );
  });

  it("puts a key at the top bits of sha256(key)", () => {
    const key = new TextEncoder().encode("balance:alice");
    for (const depth of [1, 7, 16, 32]) expect(computeKeyPosition(key, depth)).toBe(refPosition(key, depth));
    // A key marked as never changing (an interned storage key) is hashed once, with the same positions.
    const fixed = new TextEncoder().encode("balance:bob");
    noteFixedKey(fixed);
    for (let i = 0; i < 2; i++) for (const depth of [1, 7, 16, 32]) expect(computeKeyPosition(fixed, depth)).toBe(refPosition(fixed, depth));
    // Any other array is hashed at every lookup: changed in place, it moves.
    key[0] = 0x42;
    expect(computeKeyPosition(key, 32)).toBe(refPosition(key, 32));
  });

  it("has a pinned root for a small state (format vector)", () => {
    const kv = MerkleKV.empty().applyWrites(
      new Map([
        ["61", Uint8Array.of(1)],
        ["62", Uint8Array.of(2, 3)],
      ]),
    );
    expect(toHex(kv.root())).toBe(toHex(refRoot(new Map([["61", Uint8Array.of(1)], ["62", Uint8Array.of(2, 3)]]), 32)));
    expect(toHex(kv.root())).toBe("644c657d489ee7fdef7803514078d6f2f8fdfd306fc60697bed419a2e5be70f5");
  });

  it("keeps every snapshot: old roots still read old values", () => {
    const k = fromHex("aa");
    const v1 = MerkleKV.empty().applyWrites(new Map([["aa", Uint8Array.of(1)]]));
    const root1 = toHex(v1.root());
    const v2 = v1.applyWrites(new Map([["aa", Uint8Array.of(2)], ["bb", Uint8Array.of(3)]]));
    const v3 = v2.applyWrites(new Map([["aa", null]]));
    expect(v1.get(k)).toEqual(Uint8Array.of(1));
    expect(v1.get(fromHex("bb"))).toBeUndefined();
    expect(toHex(v1.root())).toBe(root1);
    expect(v2.get(k)).toEqual(Uint8Array.of(2));
    expect(v3.get(k)).toBeUndefined();
    expect([v1.size, v2.size, v3.size]).toEqual([1, 2, 1]);
  });

  it("is not changed through the arrays it was given or returned", () => {
    const value = Uint8Array.of(5);
    const kv = MerkleKV.empty().applyWrites(new Map([["01", value]]));
    const root = toHex(kv.root());
    value[0] = 6;
    (kv.get(fromHex("01")) as Uint8Array)[0] = 7;
    for (const [, v] of kv.entries()) v[0] = 8;
    expect(kv.get(fromHex("01"))).toEqual(Uint8Array.of(5));
    expect(toHex(kv.root())).toBe(root);
  });

  it("gives a root independent of write order and batching", () => {
    fc.assert(
      fc.property(arbState, arbDepth, fc.integer({ min: 1, max: 5 }), (state, depth, chunks) => {
        const pairs = [...state];
        const oneBatch = kvOf(state, depth);
        const reversed = kvOf(new Map(pairs.reverse()), depth);
        let stepwise = MerkleKV.empty(depth);
        for (let i = 0; i < chunks; i++) {
          stepwise = stepwise.applyWrites(new Map(pairs.filter((_, j) => j % chunks === i)));
        }
        expect(toHex(reversed.root())).toBe(toHex(oneBatch.root()));
        expect(toHex(stepwise.root())).toBe(toHex(oneBatch.root()));
      }),
      { numRuns: 100 },
    );
  });

  it("returns to the empty root when every key is deleted", () => {
    fc.assert(
      fc.property(arbState, arbDepth, (state, depth) => {
        const kv = kvOf(state, depth);
        const cleared = kv.applyWrites(new Map([...state.keys()].map((k) => [k, null])));
        expect(toHex(cleared.root())).toBe(toHex(MerkleKV.empty(depth).root()));
        expect(cleared.size).toBe(0);
        expect([...cleared.entries()]).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps colliding keys apart in one bucket", () => {
    // depth 1: two positions, so these 6 keys share buckets
    const writes: WriteSet = new Map(["00", "01", "02", "03", "04", "05"].map((k, i) => [k, Uint8Array.of(i)]));
    const kv = MerkleKV.empty(1).applyWrites(writes);
    expect(kv.size).toBe(6);
    for (const [k, v] of writes) expect(kv.get(fromHex(k))).toEqual(v);
    const fewer = kv.applyWrites(new Map([["03", null]]));
    expect(fewer.get(fromHex("03"))).toBeUndefined();
    expect(fewer.get(fromHex("02"))).toEqual(Uint8Array.of(2));
    expect(toHex(fewer.root())).toBe(toHex(refRoot(refApply(new Map([...writes] as [string, Uint8Array][]), new Map([["03", null]])), 1)));
  });

  it("reads absent keys that sort before, between and after a bucket's keys as absent, in shared and own leaves", () => {
    // depth 1: keys share buckets; the first batch goes into an empty tree (one shared array), the second not
    const first = MerkleKV.empty(1).applyWrites(new Map(["02", "04", "06"].map((k, i) => [k, Uint8Array.of(i, i)])));
    const second = first.applyWrites(new Map([["0404", Uint8Array.of(9)], ["06", new Uint8Array(300).fill(7)]]));
    for (const kv of [first, second]) for (const k of ["", "00", "03", "0401", "05", "07", "ff"]) expect(kv.get(fromHex(k))).toBeUndefined();
    expect(second.get(fromHex("0404"))).toEqual(Uint8Array.of(9));
    expect(second.get(fromHex("06"))).toEqual(new Uint8Array(300).fill(7));
    expect(second.get(fromHex("04"))).toEqual(Uint8Array.of(1, 1));
    expect(first.get(fromHex("06"))).toEqual(Uint8Array.of(2, 2));
    const keys = ["00", "04", "06"].map(fromHex);
    expect(second.witnessSize(keys)).toBe(encodeWitness(second.prove(keys)).length);
    expect(toHex(second.root())).toBe(toHex(refRoot(new Map([["02", Uint8Array.of(0, 0)], ["04", Uint8Array.of(1, 1)], ["0404", Uint8Array.of(9)], ["06", new Uint8Array(300).fill(7)]]), 1)));
  });

  it("stores an empty value as present, distinct from a delete", () => {
    const kv = MerkleKV.empty().applyWrites(new Map([["0a", new Uint8Array(0)]]));
    expect(kv.get(fromHex("0a"))).toEqual(new Uint8Array(0));
    expect(kv.size).toBe(1);
    expect(toHex(kv.root())).not.toBe(toHex(MerkleKV.empty().root()));
  });

  it("rejects bad keys, values and depths with typed errors, changing nothing", () => {
    const kv = MerkleKV.empty().applyWrites(new Map([["01", Uint8Array.of(1)]]));
    const root = toHex(kv.root());
    expect(codeOf(() => kv.applyWrites(new Map([["0x01", Uint8Array.of(1)]])))).toBe("BAD_KEY");
    expect(codeOf(() => kv.applyWrites(new Map([["AB", Uint8Array.of(1)]])))).toBe("BAD_KEY");
    expect(codeOf(() => kv.applyWrites(new Map([["abc", Uint8Array.of(1)]])))).toBe("BAD_KEY");
    expect(codeOf(() => kv.applyWrites(new Map([["aa".repeat(MAX_KEY_BYTES + 1), Uint8Array.of(1)]])))).toBe("BAD_KEY");
    expect(codeOf(() => kv.applyWrites(new Map([["02", new Uint8Array(MAX_VALUE_BYTES + 1)]])))).toBe("BAD_VALUE");
    expect(codeOf(() => kv.applyWrites(new Map([["02", Uint8Array.of(1)], ["zz", null]])))).toBe("BAD_KEY");
    expect(codeOf(() => MerkleKV.empty(0))).toBe("BAD_DEPTH");
    expect(codeOf(() => MerkleKV.empty(33))).toBe("BAD_DEPTH");
    expect(toHex(kv.root())).toBe(root);
    expect(kv.get(fromHex("02"))).toBeUndefined();
    // the bounds themselves are accepted
    const big = kv.applyWrites(new Map([["aa".repeat(MAX_KEY_BYTES), new Uint8Array(MAX_VALUE_BYTES)]]));
    expect(big.get(fromHex("aa".repeat(MAX_KEY_BYTES)))?.length).toBe(MAX_VALUE_BYTES);
  });

  it("lists entries in the same order for the same state", () => {
    const keys = Array.from({ length: 50 }, (_, i) => sha256(String(i)).subarray(0, 4));
    const a = MerkleKV.fromEntries(keys.map((k) => [k, k] as const));
    const b = MerkleKV.fromEntries([...keys].reverse().map((k) => [k, k] as const));
    expect([...a.entries()].map(([k]) => toHex(k))).toEqual([...b.entries()].map(([k]) => toHex(k)));
  });
});
