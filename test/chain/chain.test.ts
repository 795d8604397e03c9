/** src/chain: selection from the chain's seed and the slot, the single ≥ 2/3 rule, validator sets. */
import { describe, expect, it } from "vitest";
import {
  checkAttestation,
  collectAttestation,
  computeAssignment,
  computeCommittee,
  computeCommittees,
  computeProposer,
  computeSeed,
  computeShuffledIndex,
  computeSlotCommittee,
  createValidators,
  getWeight,
  isSupermajority,
  withAttestationCheck,
  type AttestationFault,
} from "../../src/chain/index.js";
import { createBlsVerifier } from "../../src/crypto/bls.js";
import { sha256 } from "../../src/crypto/hash.js";

/** consensus-specs `compute_shuffled_index`, written out as the spec does (no caching): the reference. */
function specShuffledIndex(index: number, count: number, seed: Uint8Array): number {
  let cur = index;
  for (let round = 0; round < 90; round++) {
    const h = sha256(seed, new Uint8Array([round]));
    const pivot = Number(new DataView(h.buffer, h.byteOffset, 32).getBigUint64(0, true) % BigInt(count));
    const flip = (pivot + count - cur) % count;
    const position = Math.max(cur, flip);
    const pos = new Uint8Array(4);
    new DataView(pos.buffer).setUint32(0, Math.floor(position / 256), true);
    const source = sha256(seed, new Uint8Array([round]), pos);
    if (((source[Math.floor((position % 256) / 8)] as number) >> (position % 8)) & 1) cur = flip;
  }
  return cur;
}

describe("selection", () => {
  it("the cached shuffler computes the spec's compute_shuffled_index", () => {
    for (const count of [1, 3, 255, 256, 257, 700]) {
      const seed = computeSeed("ref", "test", count);
      for (const i of new Set([0, Math.min(1, count - 1), Math.floor(count / 2), count - 1])) expect(computeShuffledIndex(i, count, seed), `${i}/${count}`).toBe(specShuffledIndex(i, count, seed));
    }
  });

  it("the flat-table shuffler equals the spec at every index of 1024 and 1000, and on the sparse path past 64 chunks", () => {
    for (const count of [1024, 1000]) {
      const seed = computeSeed("full", "test", count);
      const got = Array.from({ length: count }, (_, i) => computeShuffledIndex(i, count, seed));
      expect(got).toEqual(Array.from({ length: count }, (_, i) => specShuffledIndex(i, count, seed)));
    }
    // More than 64 chunks of 256 positions: source hashes kept per chunk, not in the flat table.
    for (const big of [64 * 256, 64 * 256 + 1, 4096 * 256 + 300]) {
      const seed = computeSeed("big", "test", big);
      for (const i of [0, 1, 255, 256, 64 * 256 - 1, big - 1]) expect(computeShuffledIndex(i, big, seed), `${i}/${big}`).toBe(specShuffledIndex(i, big, seed));
    }
  });

  it("a slot committee is the spec shuffle's prefix; the memo returns fresh arrays and keys on every input", () => {
    const vs = createValidators(300, "m");
    const spec = (seed: string, slot: number, size: number, domain: string): number[] =>
      Array.from({ length: Math.min(size, vs.length) }, (_, i) => specShuffledIndex(i, vs.length, computeSeed(seed, domain, slot)));
    const c = computeSlotCommittee(vs, "m", 7, 20, "d:x");
    expect(c.map((v) => v.index)).toEqual(spec("m", 7, 20, "d:x"));
    c.length = 0; // a caller's copy: the memo is not changed
    expect(computeSlotCommittee(vs, "m", 7, 20, "d:x").map((v) => v.index)).toEqual(spec("m", 7, 20, "d:x"));
    // The same concatenation of domain and seed from other parts is another committee.
    expect(computeSlotCommittee(vs, "x:m", 7, 20, "d").map((v) => v.index)).toEqual(spec("x:m", 7, 20, "d"));
    expect(computeSlotCommittee(vs, "m", 7, 5, "d:x").map((v) => v.index)).toEqual(spec("m", 7, 5, "d:x"));
    // Same positions, other validator objects: the members are taken from the list given.
    const other = vs.map((v) => ({ ...v, stake: v.stake + 1 }));
    expect(computeSlotCommittee(other, "m", 7, 20, "d:x")[3]).toBe(other[spec("m", 7, 20, "d:x")[3] as number]);
    expect(computeSlotCommittee(vs.slice(0, 299), "m", 7, 20, "d:x").map((v) => v.index)).toEqual(Array.from({ length: 20 }, (_, i) => specShuffledIndex(i, 299, computeSeed("m", "d:x", 7))));
    expect(computeSlotCommittee([], "m", 7, 20)).toEqual([]);
    expect(computeSlotCommittee(vs, "m", 7, 2.5).length).toBe(2);
  });

  it("computeShuffledIndex is a permutation, and a different seed gives a different one", () => {
    for (const count of [1, 2, 7, 64]) {
      const seed = computeSeed("s", "test", count);
      const image = Array.from({ length: count }, (_, i) => computeShuffledIndex(i, count, seed));
      expect(new Set(image).size).toBe(count);
      expect(Math.min(...image)).toBe(0);
      expect(Math.max(...image)).toBe(count - 1);
    }
    const a = Array.from({ length: 32 }, (_, i) => computeShuffledIndex(i, 32, computeSeed("s", "test", 1)));
    const b = Array.from({ length: 32 }, (_, i) => computeShuffledIndex(i, 32, computeSeed("s", "test", 2)));
    expect(a).not.toEqual(b);
  });

  it("the proposer depends on the seed and the slot only (not on earlier calls), stake-weighted", () => {
    const vs = createValidators(32, "seed-a");
    const first = [5, 9, 200].map((s) => computeProposer(vs, "seed-a", s).index);
    for (let s = 0; s < 100; s++) computeProposer(vs, "seed-a", s).index;
    expect([5, 9, 200].map((s) => computeProposer(vs, "seed-a", s).index)).toEqual(first);
    // Over many slots, heavier validators propose more often: correlation of count with stake > 0.
    const counts = new Array<number>(vs.length).fill(0);
    for (let s = 0; s < 4000; s++) counts[computeProposer(vs, "seed-a", s).index]! += 1;
    const meanS = getWeight(vs) / vs.length;
    const meanC = 4000 / vs.length;
    let cov = 0;
    for (const v of vs) cov += (v.stake - meanS) * ((counts[v.index] as number) - meanC);
    expect(cov).toBeGreaterThan(0);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it("slot committees differ by slot; standing committees are disjoint while they fit", () => {
    const vs = createValidators(40, "x");
    const c1 = computeSlotCommittee(vs, "x", 1, 8).map((v) => v.index);
    const c2 = computeSlotCommittee(vs, "x", 2, 8).map((v) => v.index);
    expect(new Set(c1).size).toBe(8);
    expect(c1).not.toEqual(c2);
    const cs = computeCommittees(vs, "x", 4, 10);
    expect(new Set(cs.flat().map((v) => v.index)).size).toBe(40);
    cs.forEach((c, i) => expect(computeCommittee(vs, "x", 4, 10, i)).toEqual(c));
    // More seats than validators: validators sit on several committees.
    const wrap = computeCommittees(vs, "x", 8, 10);
    expect(wrap.every((c) => c.length === 10)).toBe(true);
    wrap.forEach((c, i) => expect(computeCommittee(vs, "x", 8, 10, i)).toEqual(c));
  });

  it("assignment keeps placement hints and deals the rest evenly", () => {
    const contracts = [...Array.from({ length: 12 }, (_, i) => ({ id: `c${i}` })), { id: "p", placement: 7 }];
    const a = computeAssignment(contracts, 4, "s");
    expect(a.get("p")).toBe(3);
    const sizes = [0, 1, 2, 3].map((g) => contracts.filter((c) => c.id !== "p" && a.get(c.id) === g).length);
    expect(sizes).toEqual([3, 3, 3, 3]);
    expect(computeAssignment(contracts, 4, "t")).not.toEqual(a);
  });

  it("validator sets are a function of the seed", () => {
    const a = createValidators(8, "q");
    const b = createValidators(8, "q");
    expect(a.map((v) => [v.stake, v.account])).toEqual(b.map((v) => [v.stake, v.account]));
    expect(a.every((v) => v.stake >= 32 && v.stake <= 64)).toBe(true);
    expect(createValidators(8, "r").map((v) => v.account)).not.toEqual(a.map((v) => v.account));
  });
});

describe("attestations: final at ≥ 2/3 of the committee's weight", () => {
  const verifier = createBlsVerifier();
  const committee = createValidators(6, "att");
  const msg = new Uint8Array([1, 2, 3]);

  it("accepts a supermajority and names the rule a bad one breaks", () => {
    const sorted = [...committee].sort((a, b) => b.stake - a.stake);
    let take = 0;
    while (!isSupermajority(getWeight(sorted.slice(0, take)), getWeight(committee))) take++;
    const good = collectAttestation(verifier, sorted.slice(0, take), msg);
    expect(checkAttestation(verifier, committee, good, msg)).toBeUndefined();
    const few = collectAttestation(verifier, sorted.slice(0, take - 1), msg);
    expect(checkAttestation(verifier, committee, few, msg)).toBe("NO_SUPERMAJORITY");
    const outsider = createValidators(7, "other")[6]!;
    expect(checkAttestation(verifier, committee, collectAttestation(verifier, [...committee, { ...outsider, index: 99 }], msg), msg)).toBe("UNKNOWN_SIGNER");
    expect(checkAttestation(verifier, committee, { signers: [...good.signers, good.signers[0]!], signature: good.signature }, msg)).toBe("DUPLICATE_SIGNER");
    expect(checkAttestation(verifier, committee, good, new Uint8Array([9]))).toBe("BAD_SIGNATURE");
    expect(checkAttestation(verifier, committee, good, new Uint8Array([9]), false)).toBeUndefined();
  });

  it("withAttestationCheck: the check's fault before anything the rest does or throws, its verdict read once", () => {
    const log: string[] = [];
    const onFault = (f: AttestationFault): never => {
      throw new Error(`fault ${f}`);
    };
    const read = (f: AttestationFault | undefined) => () => (log.push("read"), f);
    const ok = (): string => (log.push("rest"), "value");
    const bad = (): never => {
      log.push("rest");
      throw new Error("rest's error");
    };
    const run = (check: Parameters<typeof withAttestationCheck>[0], rest: () => string): string => {
      log.length = 0;
      try {
        return withAttestationCheck(check, onFault, rest);
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect([run("NO_SUPERMAJORITY", ok), log.join()]).toEqual(["fault NO_SUPERMAJORITY", ""]);
    expect([run(read(undefined), ok), log.join()]).toEqual(["value", "rest,read"]);
    expect([run(read("BAD_SIGNATURE"), ok), log.join()]).toEqual(["fault BAD_SIGNATURE", "rest,read"]);
    expect([run(read("BAD_SIGNATURE"), bad), log.join()]).toEqual(["fault BAD_SIGNATURE", "rest,read"]);
    expect([run(read(undefined), bad), log.join()]).toEqual(["rest's error", "rest,read"]);
    expect([run(undefined, ok), log.join()]).toEqual(["value", "rest"]);
    expect([run(undefined, bad), log.join()]).toEqual(["rest's error", "rest"]);
  });
});
