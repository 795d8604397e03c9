/** The hand-merkleized transaction root (`computeTxRoot`) against the SSZ type it replaces. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { MAX_ARG_BYTES, MAX_ARGS, MAX_CONTRACT_ID_BYTES, MAX_METHOD_BYTES, MAX_STEPS } from "../../src/program/constants.js";
import { computeTxRoot, computeTxRoots, isSszTxWellFormed, type SszArg, type SszStep, type SszTx, toSszTx, TxType } from "../../src/program/ssz.js";
import { programArb } from "./arbitraries.js";

const U64_MAX = (1n << 64n) - 1n;
const u64 = fc.oneof(fc.constantFrom(0n, 1n, U64_MAX, 1n << 32n), fc.bigInt({ min: 0n, max: U64_MAX }));
const bytesUpTo = (max: number) => fc.oneof(fc.uint8Array({ maxLength: Math.min(max, 70) }), fc.uint8Array({ minLength: max, maxLength: max }), fc.constant(new Uint8Array(0)));
const arg: fc.Arbitrary<SszArg> = fc.oneof(
  fc.record({ selector: fc.constant(0), value: bytesUpTo(MAX_ARG_BYTES) }),
  fc.record({ selector: fc.constant(1), value: fc.oneof(fc.constantFrom(0, 0xffff), fc.integer({ min: 0, max: 0xffff })) }),
) as fc.Arbitrary<SszArg>;
const args = fc.oneof(fc.array(arg, { maxLength: 3 }), fc.array(arg, { minLength: MAX_ARGS, maxLength: MAX_ARGS }));
const step: fc.Arbitrary<SszStep> = fc.oneof(
  fc.record({ selector: fc.constant(0), value: fc.record({ contract: bytesUpTo(MAX_CONTRACT_ID_BYTES), method: bytesUpTo(MAX_METHOD_BYTES), args }) }),
  fc.record({ selector: fc.constant(1), value: fc.record({ op: fc.integer({ min: 0, max: 255 }), args }) }),
  fc.record({ selector: fc.constant(2), value: fc.record({ arg }) }),
) as fc.Arbitrary<SszStep>;
const program = fc.oneof(fc.array(step, { maxLength: 5 }), fc.array(step, { minLength: MAX_STEPS - 1, maxLength: MAX_STEPS }));
const tx: fc.Arbitrary<SszTx> = fc.record({ sender: fc.uint8Array({ minLength: 32, maxLength: 32 }), nonce: u64, maxFeePerGas: u64, gasLimit: u64, program });

/** The SSZ type's root, or its error's message. */
function oracle(t: SszTx): string {
  try {
    return toHex(TxType.hashTreeRoot(t));
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

function fast(t: SszTx): string {
  try {
    return toHex(computeTxRoot(t));
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

describe("computeTxRoot = TxType.hashTreeRoot", () => {
  it("random well-formed values at every limit (empty and full lists, byte lists of 0 and max length, u64 extremes)", () => {
    fc.assert(
      fc.property(tx, (t) => {
        expect(isSszTxWellFormed(t)).toBe(true);
        expect(toHex(computeTxRoot(t))).toBe(oracle(t));
      }),
      { numRuns: 300 },
    );
  });

  it("valid programs of the model (toSszTx)", () => {
    fc.assert(
      fc.property(programArb(MAX_STEPS), fc.uint8Array({ minLength: 32, maxLength: 32 }), u64, (p, sender, nonce) => {
        const t = toSszTx({ sender, nonce, maxFeePerGas: 7n, gasLimit: 100_000n, program: p });
        expect(toHex(computeTxRoot(t))).toBe(oracle(t));
      }),
      { numRuns: 200 },
    );
  });

  it("values outside the limits or kinds go to the SSZ type (same root or same error)", () => {
    const base: SszTx = { sender: new Uint8Array(32), nonce: 1n, maxFeePerGas: 2n, gasLimit: 3n, program: [{ selector: 2, value: { arg: { selector: 1, value: 0 } } }] as SszStep[] };
    const call = (over: Record<string, unknown>) => ({ selector: 0, value: { contract: new Uint8Array(3), method: new Uint8Array(3), args: [], ...over } }) as SszStep;
    const bad: SszTx[] = [
      { ...base, sender: new Uint8Array(31) },
      { ...base, nonce: 1n << 64n },
      { ...base, gasLimit: -1n },
      { ...base, program: Array(MAX_STEPS + 1).fill(base.program[0]) },
      { ...base, program: [call({ contract: new Uint8Array(MAX_CONTRACT_ID_BYTES + 1) })] },
      { ...base, program: [call({ method: new Uint8Array(MAX_METHOD_BYTES + 1) })] },
      { ...base, program: [call({ args: Array(MAX_ARGS + 1).fill({ selector: 1, value: 0 }) })] },
      { ...base, program: [call({ args: [{ selector: 0, value: new Uint8Array(MAX_ARG_BYTES + 1) }] })] },
      { ...base, program: [call({ args: [{ selector: 1, value: 0x10000 }] })] },
      { ...base, program: [call({ args: [{ selector: 2, value: 0 }] })] },
      { ...base, program: [{ selector: 1, value: { op: 256, args: [] } }] as SszStep[] },
      { ...base, program: [{ selector: 3, value: { arg: { selector: 1, value: 0 } } }] as SszStep[] },
    ];
    for (const t of bad) {
      expect(isSszTxWellFormed(t)).toBe(false);
      expect(fast(t)).toBe(oracle(t));
    }
  });

  it("computeTxRoots: many transactions hashed together give each one's root, well-formed or not", () => {
    const odd: SszTx = { sender: new Uint8Array(32), nonce: 1n << 64n, maxFeePerGas: 2n, gasLimit: 3n, program: [] };
    const failing: SszTx = { ...odd, nonce: 1n, program: [{ selector: 3, value: { arg: { selector: 1, value: 0 } } }] as SszStep[] };
    expect(oracle(odd).startsWith("throws")).toBe(false);
    expect(oracle(failing).startsWith("throws")).toBe(true);
    fc.assert(
      fc.property(fc.array(tx, { maxLength: 6 }), fc.nat({ max: 6 }), (ts, at) => {
        expect(computeTxRoots(ts).map(toHex)).toEqual(ts.map(oracle));
        // Not well-formed among them: the SSZ type's root, or its error, as alone.
        const withOdd = [...ts.slice(0, at), odd, ...ts.slice(at)];
        expect(computeTxRoots(withOdd).map(toHex)).toEqual(withOdd.map(oracle));
        expect(() => computeTxRoots([...ts.slice(0, at), failing, ...ts.slice(at)])).toThrow(oracle(failing).slice("throws ".length));
      }),
      { numRuns: 100 },
    );
  });
});
