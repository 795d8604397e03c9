/** The delayed chain's hand-merkleized container roots (containers.ts) against their SSZ types. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import {
  Affirmation,
  type AffirmationValue,
  BatchHeader,
  BatchInclusion,
  MAX_AFFIRMATIONS,
  Stage2Header,
  computeAffirmationRoot,
  computeAffirmationRoots,
  computeBatchHeaderRoot,
  computeBatchInclusionRoot,
  computeListRoots,
  computeStage2HeaderRoot,
  isAffirmationWellFormed,
} from "../../src/protocols/delayed/containers.js";
import { commitList } from "../../src/state/index.js";

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const u64 = fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
const contract = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.constant(new Uint8Array(0)));
const assumption = fc.record({ contract, position: u64, root: bytes32 });
const affirmation: fc.Arbitrary<AffirmationValue> = fc.record({
  contract,
  first: u64,
  last: u64,
  preRoot: bytes32,
  postRoot: bytes32,
  resultsRoot: bytes32,
  assumptions: fc.oneof(fc.constant([] as AffirmationValue["assumptions"]), fc.array(assumption, { maxLength: 9 }), fc.array(assumption, { minLength: 200, maxLength: 300 })),
});

function caught(f: () => Uint8Array): string {
  try {
    return toHex(f());
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

describe("delayed container roots = their SSZ types", () => {
  it("affirmations: contract ids of 0 to 64 bytes, u64 extremes, no / few / hundreds of assumptions", () => {
    fc.assert(
      fc.property(affirmation, (a) => {
        expect(isAffirmationWellFormed(a)).toBe(true);
        expect(toHex(computeAffirmationRoot(a))).toBe(toHex(Affirmation.hashTreeRoot(a)));
      }),
      { numRuns: 150 },
    );
  });

  it("many affirmations at once = each one's own root, malformed ones (the SSZ type's answer) among them", () => {
    const malformed: fc.Arbitrary<AffirmationValue> = fc.oneof(
      affirmation.map((a) => ({ ...a, contract: new Uint8Array(65) })),
      affirmation.map((a) => ({ ...a, first: -1 })),
      affirmation.map((a) => ({ ...a, last: 2 ** 53 })),
      affirmation.map((a) => ({ ...a, preRoot: new Uint8Array(31) })),
      affirmation.map((a) => ({ ...a, assumptions: [{ contract: new Uint8Array(70), position: 0, root: new Uint8Array(32) }] })),
      affirmation.map((a) => ({ ...a, assumptions: [{ contract: new Uint8Array(2), position: 1.5, root: new Uint8Array(32) }] })),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(affirmation, affirmation, malformed), { maxLength: 12 }), (as) => {
        for (const a of as) if (!isAffirmationWellFormed(a)) expect(caught(() => computeAffirmationRoot(a))).toBe(caught(() => Affirmation.hashTreeRoot(a)));
        const ok = as.filter(isAffirmationWellFormed);
        expect(computeAffirmationRoots(ok).map(toHex)).toEqual(ok.map((a) => toHex(Affirmation.hashTreeRoot(a))));
        let expected: string;
        try {
          expected = JSON.stringify(as.map((a) => toHex(Affirmation.hashTreeRoot(a))));
        } catch (e) {
          expected = `throws ${(e as Error).message}`;
        }
        let got: string;
        try {
          got = JSON.stringify(computeAffirmationRoots(as).map(toHex));
        } catch (e) {
          got = `throws ${(e as Error).message}`;
        }
        expect(got).toBe(expected);
      }),
      { numRuns: 80 },
    );
    expect(computeAffirmationRoots([])).toEqual([]);
  });

  it("batch and Stage-2 headers: u64 extremes; malformed fields go to the SSZ type", () => {
    fc.assert(
      fc.property(u64, u64, u64, u64, bytes32, bytes32, bytes32, (a, b, c, d, r1, r2, r3) => {
        const h = { committee: a, round: b, gasUsed: c, executions: d, affirmationsRoot: r1 };
        expect(toHex(computeBatchHeaderRoot(h))).toBe(toHex(BatchHeader.hashTreeRoot(h)));
        const s = { number: a, slot: d, parentRoot: r1, batchesRoot: r2, evidenceRoot: r3 };
        expect(toHex(computeStage2HeaderRoot(s))).toBe(toHex(Stage2Header.hashTreeRoot(s)));
      }),
      { numRuns: 200 },
    );
    const h = { committee: 1, round: 2, gasUsed: 3, executions: 4, affirmationsRoot: new Uint8Array(32) };
    for (const bad of [{ ...h, round: -1 }, { ...h, gasUsed: 0.5 }, { ...h, affirmationsRoot: new Uint8Array(33) }]) {
      expect(caught(() => computeBatchHeaderRoot(bad))).toBe(caught(() => BatchHeader.hashTreeRoot(bad)));
    }
    const s = { number: 1, slot: 2, parentRoot: new Uint8Array(32), batchesRoot: new Uint8Array(32), evidenceRoot: new Uint8Array(32) };
    for (const bad of [{ ...s, slot: Number.MAX_SAFE_INTEGER + 1 }, { ...s, parentRoot: new Uint8Array(0) }]) {
      expect(caught(() => computeStage2HeaderRoot(bad))).toBe(caught(() => Stage2Header.hashTreeRoot(bad)));
    }
  });

  it("batch inclusions: no, some, and MAX_AFFIRMATIONS applied indices; malformed ones go to the SSZ type", () => {
    fc.assert(
      fc.property(bytes32, fc.array(u64, { maxLength: 40 }), (batchRoot, applied) => {
        expect(toHex(computeBatchInclusionRoot({ batchRoot, applied }))).toBe(toHex(BatchInclusion.hashTreeRoot({ batchRoot, applied })));
      }),
      { numRuns: 200 },
    );
    const full = { batchRoot: new Uint8Array(32).fill(1), applied: Array.from({ length: MAX_AFFIRMATIONS }, (_, i) => i * 7) };
    expect(toHex(computeBatchInclusionRoot(full))).toBe(toHex(BatchInclusion.hashTreeRoot(full)));
    for (const bad of [{ ...full, applied: [...full.applied, 1] }, { batchRoot: new Uint8Array(32), applied: [-1] }, { batchRoot: new Uint8Array(3), applied: [] }]) {
      expect(caught(() => computeBatchInclusionRoot(bad))).toBe(caught(() => BatchInclusion.hashTreeRoot(bad)));
    }
  });

  it("list roots hashed together = commitList's, for 0 to 70 leaves; a malformed list is undefined and commitList refuses it", () => {
    const list = fc.oneof(fc.array(bytes32, { maxLength: 9 }), fc.array(bytes32, { minLength: 60, maxLength: 70 }));
    fc.assert(
      fc.property(fc.array(list, { maxLength: 6 }), (lists) => {
        expect(computeListRoots(lists).map((r) => toHex(r as Uint8Array))).toEqual(lists.map((l) => toHex(commitList(l).root)));
      }),
      { numRuns: 150 },
    );
    const good = [new Uint8Array(32).fill(3)];
    const bad = [new Uint8Array(32), new Uint8Array(31)];
    const [a, b, c] = computeListRoots([good, bad as Uint8Array[], undefined]);
    expect(toHex(a as Uint8Array)).toBe(toHex(commitList(good).root));
    expect(b).toBeUndefined();
    expect(c).toBeUndefined();
    expect(caught(() => commitList(bad).root)).toMatch(/^throws/);
    expect(computeListRoots([])).toEqual([]);
  });
});
