/** `computeValuesRoot`'s own merkleization against the SSZ type it replaces. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StepValues, computeValuesRoot } from "../../src/chain/values.js";
import { toHex } from "../../src/crypto/hash.js";
import { MAX_ARG_BYTES, MAX_STEPS } from "../../src/program/index.js";
import type { MaybeValue } from "../../src/types.js";

function oracle(values: readonly MaybeValue[]): string {
  try {
    return toHex(StepValues.hashTreeRoot(values.map((v) => (v === null ? { present: false, bytes: new Uint8Array(0) } : { present: true, bytes: v.bytes }))));
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

function fast(values: readonly MaybeValue[]): string {
  try {
    return toHex(computeValuesRoot(values));
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

const value: fc.Arbitrary<MaybeValue> = fc.oneof(
  fc.constant(null),
  fc.constant({ bytes: new Uint8Array(0) }),
  fc.uint8Array({ maxLength: 100 }).map((bytes) => ({ bytes })),
  fc.uint8Array({ minLength: MAX_ARG_BYTES - 33, maxLength: MAX_ARG_BYTES }).map((bytes) => ({ bytes })),
);

describe("computeValuesRoot = StepValues.hashTreeRoot", () => {
  it("random values: Nothing, empty, short and up to MAX_ARG_BYTES; 0 to MAX_STEPS of them", () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(value, { maxLength: 6 }), fc.array(value, { minLength: MAX_STEPS - 2, maxLength: MAX_STEPS })), (vs) => {
        expect(fast(vs)).toBe(oracle(vs));
      }),
      { numRuns: 200 },
    );
    expect(fast([])).toBe(oracle([]));
    expect(fast(Array(MAX_STEPS).fill(null))).toBe(oracle(Array(MAX_STEPS).fill(null)));
    expect(fast(Array(MAX_STEPS).fill({ bytes: new Uint8Array(MAX_ARG_BYTES).fill(255) }))).toBe(oracle(Array(MAX_STEPS).fill({ bytes: new Uint8Array(MAX_ARG_BYTES).fill(255) })));
  });

  it("over the limits: the SSZ type's answer (root or error)", () => {
    for (const vs of [Array(MAX_STEPS + 1).fill(null), [{ bytes: new Uint8Array(MAX_ARG_BYTES + 1) }], [null, { bytes: new Uint8Array(MAX_ARG_BYTES + 40) }]] as MaybeValue[][]) {
      expect(fast(vs)).toBe(oracle(vs));
    }
  });
});
