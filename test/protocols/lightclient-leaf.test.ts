/** The light client's fast leaf roots equal the SSZ types' roots (ResultLeaf, StepValues) for any values within the bounds. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { MAX_ARG_BYTES, MAX_STEPS } from "../../src/program/index.js";
import { Affirmation, ResultLeaf, computeValuesRoot } from "../../src/protocols/delayed/containers.js";
import { computeAffirmationRoot, computeAffirmationRoots, computeResultLeafRoot, computeResultLeafRoots, computeValuesRootFast } from "../../src/protocols/delayed/lightclient/leaf.js";

const value = fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: MAX_ARG_BYTES }), fc.uint8Array({ minLength: MAX_ARG_BYTES - 40, maxLength: MAX_ARG_BYTES }));
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("light client: fast leaf roots", () => {
  it("values root = computeValuesRoot (Nothing, empty, full-length values; 0 to MAX_STEPS steps)", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: MAX_STEPS }), (vs) => {
        expect(toHex(computeValuesRootFast(vs))).toBe(toHex(computeValuesRoot(vs.map((v) => (v === null ? null : { bytes: v })))));
      }),
      { numRuns: 150 },
    );
    expect(toHex(computeValuesRootFast(Array(MAX_STEPS).fill(null)))).toBe(toHex(computeValuesRoot(Array(MAX_STEPS).fill(null))));
  });

  it("leaf root = ResultLeaf.hashTreeRoot", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), bytes32, fc.integer({ min: 0, max: 255 }), bytes32, bytes32, (seq, txId, outcome, valuesRoot, postRoot) => {
        const leaf = { seq, txId, outcome, valuesRoot, postRoot };
        expect(toHex(computeResultLeafRoot(leaf))).toBe(toHex(ResultLeaf.hashTreeRoot(leaf)));
      }),
      { numRuns: 200 },
    );
  });

  it("leaf roots of many leaves at once (hashed level by level together) = each leaf's root on its own", () => {
    const leaf = fc.record({ seq: fc.maxSafeNat(), txId: bytes32, outcome: fc.integer({ min: 0, max: 255 }), values: fc.array(value, { maxLength: 12 }), postRoot: bytes32 });
    fc.assert(
      fc.property(fc.array(leaf, { maxLength: 20 }), (leaves) => {
        const one = leaves.map((l) => toHex(computeResultLeafRoot({ ...l, valuesRoot: computeValuesRootFast(l.values) })));
        expect(computeResultLeafRoots(leaves).map(toHex)).toEqual(one);
      }),
      { numRuns: 100 },
    );
    const full = { seq: 1, txId: new Uint8Array(32), outcome: 0, values: Array(MAX_STEPS).fill(new Uint8Array(MAX_ARG_BYTES).fill(7)), postRoot: new Uint8Array(32) };
    expect(computeResultLeafRoots([full]).map(toHex)).toEqual([toHex(computeResultLeafRoot({ ...full, valuesRoot: computeValuesRootFast(full.values) }))]);
  });

  it("affirmation root = Affirmation.hashTreeRoot (contract ids of 1 to 64 bytes, any assumptions)", () => {
    const contract = fc.uint8Array({ minLength: 1, maxLength: 64 });
    const assumption = fc.record({ contract, position: fc.maxSafeNat(), root: bytes32 });
    const affirmation = fc.record({ contract, first: fc.maxSafeNat(), last: fc.maxSafeNat(), preRoot: bytes32, postRoot: bytes32, resultsRoot: bytes32, assumptions: fc.array(assumption, { maxLength: 9 }) });
    fc.assert(
      fc.property(affirmation, (a) => {
        expect(toHex(computeAffirmationRoot(a))).toBe(toHex(Affirmation.hashTreeRoot(a)));
      }),
      { numRuns: 200 },
    );
    // Many at once (hashed level by level together): each one's own root.
    fc.assert(
      fc.property(fc.array(affirmation, { maxLength: 12 }), (as) => {
        expect(computeAffirmationRoots(as).map(toHex)).toEqual(as.map((a) => toHex(Affirmation.hashTreeRoot(a))));
      }),
      { numRuns: 60 },
    );
  });
});
