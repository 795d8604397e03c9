import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ProofType, computeDescriptor, createNodeFromProof, descriptorToBitlist, zeroNode } from "@chainsafe/persistent-merkle-tree";
import { fromHex, sha256, toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import {
  MerkleKV,
  type StateWitness,
  computeBucketHash,
  decodeWitness,
  encodeWitness,
  proveKey,
  verifyAbsence,
  verifyInclusion,
  verifyWitness,
} from "../../src/state/index.js";
import { computeSiblingHeights } from "../../src/state/proof.js";
import { arbDepth, arbHexKey, arbState, arbWrites } from "./reference.js";

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

const arbCase = fc.record({
  state: arbState,
  depth: arbDepth,
  keys: fc.array(arbHexKey, { minLength: 1, maxLength: 8 }),
});

describe("state witnesses", () => {
  it("witnessSize is the length of the encoded witness, without building it", () => {
    fc.assert(
      fc.property(arbCase, ({ state, depth, keys }) => {
        const kv = kvOf(state, depth);
        const hexKeys = [...keys, ...[...state.keys()].slice(0, 3)];
        const asKeys = hexKeys.map(fromHex);
        expect(kv.witnessSize(asKeys)).toBe(encodeWitness(kv.prove(asKeys)).length);
        // A read set's hex keys (parsed once per hex string; upper case and 0x parsed as fromHex does).
        expect(kv.witnessSizeOfHex(hexKeys)).toBe(kv.witnessSize(asKeys));
        expect(kv.witnessSizeOfHex(hexKeys.map((h, i) => (i % 2 === 0 ? `0x${h.toUpperCase()}` : h)))).toBe(kv.witnessSize(asKeys));
      }),
      { numRuns: 200 },
    );
    const big = MerkleKV.fromEntries(Array.from({ length: 300 }, (_, i) => [sha256(new Uint8Array([i, i >> 8])), new Uint8Array([i & 0xff])] as const));
    const keys = [sha256(new Uint8Array([1, 0])), sha256(new Uint8Array([7, 0])), new Uint8Array([9, 9])];
    expect(big.witnessSize(keys)).toBe(encodeWitness(big.prove(keys)).length);
    expect(big.witnessSize(keys)).toBeGreaterThan(100);
    expect(big.witnessSizeOfHex(keys.map(toHex))).toBe(big.witnessSize(keys));
    expect(() => big.witnessSizeOfHex(["zz"])).toThrow(TypeError); // not hex: as fromHex
  });

  it("prove inclusion iff the key is set, absence iff it is not", () => {
    fc.assert(
      fc.property(arbCase, arbHexKey, ({ state, depth }, probe) => {
        const kv = kvOf(state, depth);
        const key = fromHex(probe);
        const w = proveKey(kv, key);
        const value = state.get(probe);
        expect(verifyAbsence(kv.root(), key, w, depth)).toBe(value === undefined);
        if (value !== undefined) {
          expect(verifyInclusion(kv.root(), key, value, w, depth)).toBe(true);
          expect(verifyInclusion(kv.root(), key, Uint8Array.of(...value, 0), w, depth)).toBe(false);
        }
        // against another state's root, nothing verifies
        const other = kv.applyWrites(new Map([[probe, Uint8Array.of(0xee, ...(value ?? []))]]));
        expect(verifyAbsence(other.root(), key, w, depth)).toBe(false);
        if (value !== undefined) expect(verifyInclusion(other.root(), key, value, w, depth)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("give one multiproof for many keys that reads every one of them", () => {
    fc.assert(
      fc.property(arbCase, ({ state, depth, keys }) => {
        const kv = kvOf(state, depth);
        const view = verifyWitness(kv.root(), kv.prove(keys.map(fromHex)), depth);
        for (const k of keys) expect(view.get(fromHex(k))).toEqual(state.get(k));
        expect(toHex(view.root())).toBe(toHex(kv.root()));
      }),
      { numRuns: 150 },
    );
  });

  it("round-trip through canonical bytes", () => {
    fc.assert(
      fc.property(arbCase, ({ state, depth, keys }) => {
        const w = kvOf(state, depth).prove(keys.map(fromHex));
        const bytes = encodeWitness(w);
        expect(decodeWitness(bytes)).toEqual(w);
        expect(toHex(encodeWitness(decodeWitness(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: 150 },
    );
  });

  it("send empty subtrees as one bit: a 1-key proof in a 10,000-key state is small", () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => [sha256("key", String(i)), Uint8Array.of(i & 0xff)] as const);
    const kv = MerkleKV.fromEntries(entries);
    const w = proveKey(kv, entries[42]![0]);
    expect(w.proof.length).toBe(32);
    const present = w.proof.filter((s) => s !== null).length;
    expect(present).toBeGreaterThan(10);
    expect(present).toBeLessThan(20);
    expect(encodeWitness(w).length).toBe(1 + 4 + 4 + 2 + (1 + 32 + 2 + 1) + 4 + 32 * present);
  });

  it("are the non-target leaves of the library's compactMulti proof, in order", () => {
    fc.assert(
      fc.property(arbCase, ({ state, depth, keys }) => {
        const kv = kvOf(state, depth);
        const w = kv.prove(keys.map(fromHex));
        const positions = w.buckets.map((b) => b.position);
        const descriptor = computeDescriptor(positions.map((p) => (1n << BigInt(depth)) + BigInt(p)));
        const bits = descriptorToBitlist(descriptor);
        // rebuild the library's leaf list: targets from buckets, the rest from our siblings
        const leaves: Uint8Array[] = [];
        let bit = 0;
        let sibling = 0;
        const zeroHash = (height: number): Uint8Array => {
          let z: Uint8Array = new Uint8Array(32);
          for (let i = 0; i < height; i++) z = sha256(z, z);
          return z;
        };
        const walk = (height: number, index: number): void => {
          if (!bits[bit++]) {
            walk(height - 1, index * 2);
            walk(height - 1, index * 2 + 1);
            return;
          }
          const target = height === 0 ? w.buckets.find((b) => b.position === index) : undefined;
          if (target !== undefined) leaves.push(computeBucketHash(target.entries));
          else leaves.push(w.proof[sibling++] ?? zeroHash(height));
        };
        walk(depth, 0);
        expect(sibling).toBe(w.proof.length);
        expect(toHex(createNodeFromProof({ type: ProofType.compactMulti, leaves, descriptor }).root)).toBe(toHex(kv.root()));
      }),
      { numRuns: 100 },
    );
  });

  it("reject a flipped sibling, a flipped value, swapped buckets and a wrong root with BAD_PROOF", () => {
    const entries = Array.from({ length: 300 }, (_, i) => [sha256("k", String(i)).subarray(0, 8), sha256("v", String(i))] as const);
    const kv = MerkleKV.fromEntries(entries);
    const keys = [entries[1]![0], entries[2]![0], sha256("absent").subarray(0, 8)];
    const w = kv.prove(keys);
    expect(codeOf(() => verifyWitness(kv.root(), w))).toBeUndefined();

    const s = w.proof.findIndex((x) => x !== null);
    const flippedSibling = w.proof.map((x, i) => (i === s && x !== null ? Uint8Array.from(x, (b, j) => (j === 0 ? b ^ 1 : b)) : x));
    expect(codeOf(() => verifyWitness(kv.root(), { ...w, proof: flippedSibling }))).toBe("BAD_PROOF");

    const withEntries = w.buckets.findIndex((b) => b.entries.length > 0);
    const flippedValue = w.buckets.map((b, i) =>
      i === withEntries ? { ...b, entries: b.entries.map(([k, v]) => [k, Uint8Array.from(v, (x, j) => (j === 0 ? x ^ 1 : x))] as const) } : b,
    );
    expect(codeOf(() => verifyWitness(kv.root(), { ...w, buckets: flippedValue }))).toBe("BAD_PROOF");

    const swapped = w.buckets.map((b, i, all) => ({ ...b, entries: all[(i + 1) % all.length]!.entries }));
    expect(codeOf(() => verifyWitness(kv.root(), { ...w, buckets: swapped }))).toBe("BAD_PROOF");

    const other = kv.applyWrites(new Map([["00", Uint8Array.of(1)]]));
    let data: unknown;
    try {
      verifyWitness(other.root(), w);
    } catch (e) {
      data = isXshardError(e) && e.code === "BAD_PROOF" ? e.data : undefined;
    }
    expect(data).toMatchObject({ expectedRoot: toHex(other.root()), gotRoot: toHex(kv.root()) });

    expect(codeOf(() => verifyWitness(kv.root(), w, 31))).toBe("BAD_PROOF");
  });

  it("reject a bucket moved to a position its keys do not hash to", () => {
    // one key alone in a depth-1 tree: moving its bucket to the other side is well-formed but false
    const kv = MerkleKV.empty(1).applyWrites(new Map([["07", Uint8Array.of(1)]]));
    const w = proveKey(kv, fromHex("07"));
    const moved: StateWitness = {
      ...w,
      buckets: [{ position: 1 - w.buckets[0]!.position, entries: w.buckets[0]!.entries }],
    };
    expect(codeOf(() => verifyWitness(kv.root(), moved, 1))).toBe("BAD_PROOF");
  });

  it("never lie: any byte-flipped witness is rejected or proves only the truth", () => {
    fc.assert(
      fc.property(arbCase, fc.nat(), fc.integer({ min: 1, max: 255 }), ({ state, depth, keys }, at, mask) => {
        const kv = kvOf(state, depth);
        const bytes = encodeWitness(kv.prove(keys.map(fromHex)));
        const i = at % bytes.length;
        bytes[i] = (bytes[i] as number) ^ mask;
        let view;
        try {
          view = verifyWitness(kv.root(), decodeWitness(bytes), depth);
        } catch (e) {
          expect(isXshardError(e) && ["MALFORMED_WITNESS", "BAD_PROOF"].includes(e.code)).toBe(true);
          return;
        }
        for (const k of [...keys, ...state.keys()]) {
          if (view.covers(fromHex(k))) expect(view.get(fromHex(k))).toEqual(state.get(k));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("reject undecodable bytes with MALFORMED_WITNESS", () => {
    const kv = MerkleKV.fromEntries([[Uint8Array.of(1), Uint8Array.of(2)]]);
    const bytes = encodeWitness(proveKey(kv, Uint8Array.of(1)));
    const malformed = [
      new Uint8Array(0),
      bytes.subarray(0, bytes.length - 1),
      Uint8Array.of(...bytes, 0),
      Uint8Array.of(0, ...bytes.subarray(1)), // depth 0
      Uint8Array.of(33, ...bytes.subarray(1)), // depth 33
    ];
    for (const m of malformed) expect(codeOf(() => decodeWitness(m))).toBe("MALFORMED_WITNESS");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (junk) => {
        const code = codeOf(() => decodeWitness(junk));
        expect(code === undefined || code === "MALFORMED_WITNESS").toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("reject structurally bad in-memory witnesses with MALFORMED_WITNESS", () => {
    const kv = MerkleKV.fromEntries([[Uint8Array.of(1), Uint8Array.of(2)]]);
    const w = kv.prove([Uint8Array.of(1), Uint8Array.of(9)]);
    const heights = computeSiblingHeights(w.depth, w.buckets.map((b) => b.position));
    const firstEmpty = w.proof.indexOf(null);
    const emptyAsRoot = zeroNode(heights[firstEmpty]!).root;
    const bad: StateWitness[] = [
      { ...w, depth: 0 },
      { ...w, buckets: [...w.buckets].reverse() },
      { ...w, buckets: [...w.buckets, w.buckets[0]!] },
      { ...w, proof: w.proof.slice(1) },
      { ...w, proof: [...w.proof, null] },
      { ...w, proof: w.proof.map((s, i) => (i === firstEmpty ? emptyAsRoot : s)) }, // empty subtree sent as a root
      { ...w, proof: w.proof.map((s, i) => (i === 0 ? new Uint8Array(31) : s)) },
      { ...w, buckets: [{ position: 2 ** 32, entries: [] }] },
    ];
    bad.forEach((b, i) => expect([i, codeOf(() => verifyWitness(kv.root(), b))]).toEqual([i, "MALFORMED_WITNESS"]));
  });
});

describe("WitnessKV", () => {
  it("computes the same post-root as the full state, without it", () => {
    fc.assert(
      fc.property(arbState, arbWrites, arbWrites, arbDepth, fc.array(arbHexKey, { maxLength: 4 }), (state, w1, w2, depth, reads) => {
        const kv = kvOf(state, depth);
        const touched = [...w1.keys(), ...w2.keys(), ...reads].map(fromHex);
        const view = verifyWitness(kv.root(), kv.prove(touched), depth);
        const full1 = kv.applyWrites(w1);
        const full2 = full1.applyWrites(w2);
        const view1 = view.applyWrites(w1);
        const view2 = view1.applyWrites(w2);
        expect(toHex(view1.root())).toBe(toHex(full1.root()));
        expect(toHex(view2.root())).toBe(toHex(full2.root()));
        for (const k of touched) {
          expect(view2.get(k)).toEqual(full2.get(k));
          expect(view.get(k)).toEqual(kv.get(k)); // the pre-state view is unchanged
        }
      }),
      { numRuns: 200 },
    );
  });

  it("refuses keys the witness does not cover with MISSING_WITNESS", () => {
    const entries = Array.from({ length: 100 }, (_, i) => [sha256(String(i)).subarray(0, 6), Uint8Array.of(i)] as const);
    const kv = MerkleKV.fromEntries(entries);
    const view = verifyWitness(kv.root(), kv.prove([entries[0]![0]]));
    const uncovered = entries[1]![0];
    expect(view.covers(uncovered)).toBe(false);
    expect(codeOf(() => view.get(uncovered))).toBe("MISSING_WITNESS");
    const writes = new Map([
      [toHex(entries[0]![0]), Uint8Array.of(7)],
      [toHex(uncovered), Uint8Array.of(8)],
    ]);
    expect(codeOf(() => view.applyWrites(writes))).toBe("MISSING_WITNESS");
    expect(toHex(view.root())).toBe(toHex(kv.root()));
    expect(view.get(entries[0]![0])).toEqual(Uint8Array.of(0));
  });
});
