import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isXshardError } from "../../src/errors.js";
import { MAX_ARG_BYTES, PURE_OP_ARITY, PURE_OPS, type PureOpName, U64_MAX } from "../../src/program/constants.js";
import { evaluatePureOp } from "../../src/program/ops.js";
import { decodeU64, encodeBool, encodeU64 } from "../../src/program/values.js";
import type { MaybeValue, Value } from "../../src/types.js";

const n = (x: bigint | number): Value => ({ bytes: encodeU64(x) });
const b = (x: boolean): Value => ({ bytes: encodeBool(x) });
const raw = (...bytes: number[]): Value => ({ bytes: Uint8Array.from(bytes) });
const run = (op: PureOpName, ...args: Value[]): MaybeValue => evaluatePureOp(op, args);
const asU64 = (v: MaybeValue): bigint | null => (v === null ? null : decodeU64(v.bytes));

const SEVEN_BYTES = raw(1, 0, 0, 0, 0, 0, 0);
const NINE_BYTES = raw(1, 0, 0, 0, 0, 0, 0, 0, 0);
const U64_BINARY = ["add", "sub", "mul", "div", "mod", "eq", "ne", "lt", "le", "gt", "ge", "min", "max"] as const;

describe("u64 arithmetic", () => {
  it("add overflows to Nothing exactly past 2^64-1", () => {
    expect(asU64(run("add", n(U64_MAX - 1n), n(1)))).toBe(U64_MAX);
    expect(run("add", n(U64_MAX), n(1))).toBeNull();
    expect(run("add", n(U64_MAX), n(U64_MAX))).toBeNull();
  });
  it("sub underflows to Nothing below zero", () => {
    expect(asU64(run("sub", n(5), n(5)))).toBe(0n);
    expect(run("sub", n(0), n(1))).toBeNull();
  });
  it("mul overflows to Nothing", () => {
    expect(asU64(run("mul", n(1n << 32n), n((1n << 32n) - 1n)))).toBe((1n << 64n) - (1n << 32n));
    expect(run("mul", n(1n << 32n), n(1n << 32n))).toBeNull();
    expect(asU64(run("mul", n(U64_MAX), n(0)))).toBe(0n);
  });
  it("div and mod by zero are Nothing; otherwise truncating", () => {
    expect(run("div", n(7), n(0))).toBeNull();
    expect(run("mod", n(7), n(0))).toBeNull();
    expect(asU64(run("div", n(7), n(2)))).toBe(3n);
    expect(asU64(run("mod", n(7), n(2)))).toBe(1n);
    expect(asU64(run("div", n(U64_MAX), n(1)))).toBe(U64_MAX);
  });
  it("min and max", () => {
    expect(asU64(run("min", n(3), n(U64_MAX)))).toBe(3n);
    expect(asU64(run("max", n(3), n(U64_MAX)))).toBe(U64_MAX);
  });
  it("property: arithmetic agrees with bigint math within u64 and is Nothing outside", () => {
    const u = fc.bigInt({ min: 0n, max: U64_MAX });
    fc.assert(
      fc.property(u, u, (x, y) => {
        const fit = (r: bigint) => (r >= 0n && r <= U64_MAX ? r : null);
        expect(asU64(run("add", n(x), n(y)))).toBe(fit(x + y));
        expect(asU64(run("sub", n(x), n(y)))).toBe(fit(x - y));
        expect(asU64(run("mul", n(x), n(y)))).toBe(fit(x * y));
        expect(asU64(run("div", n(x), n(y)))).toBe(y === 0n ? null : x / y);
        expect(asU64(run("mod", n(x), n(y)))).toBe(y === 0n ? null : x % y);
      }),
      { numRuns: 300 },
    );
  });
});

describe("comparisons", () => {
  const cases: [PureOpName, boolean, boolean, boolean][] = [
    // op, (1,2), (2,2), (3,2)
    ["eq", false, true, false],
    ["ne", true, false, true],
    ["lt", true, false, false],
    ["le", true, true, false],
    ["gt", false, false, true],
    ["ge", false, true, true],
  ];
  for (const [op, less, equal, greater] of cases) {
    it(`${op} on less, equal, greater`, () => {
      expect(run(op, n(1), n(2))).toEqual(b(less));
      expect(run(op, n(2), n(2))).toEqual(b(equal));
      expect(run(op, n(3), n(2))).toEqual(b(greater));
    });
  }
  it("compares the full 64 bits (little-endian)", () => {
    expect(run("lt", n(0xff), n(0x100))).toEqual(b(true));
    expect(run("gt", n(U64_MAX), n(U64_MAX - 1n))).toEqual(b(true));
  });
});

describe("wrong lengths give Nothing", () => {
  for (const op of U64_BINARY) {
    it(`${op} with a 7-byte, 9-byte or empty integer`, () => {
      for (const bad of [SEVEN_BYTES, NINE_BYTES, raw()]) {
        expect(run(op, bad, n(1))).toBeNull();
        expect(run(op, n(1), bad)).toBeNull();
      }
    });
  }
  it("bool ops reject anything but exactly 0x00 / 0x01", () => {
    for (const bad of [raw(2), raw(), raw(1, 0), raw(0xff)]) {
      expect(run("not", bad)).toBeNull();
      expect(run("and", bad, b(true))).toBeNull();
      expect(run("or", b(false), bad)).toBeNull();
    }
  });
  it("slice with a non-u64 start or length is Nothing", () => {
    expect(run("slice", raw(1, 2, 3), SEVEN_BYTES, n(1))).toBeNull();
    expect(run("slice", raw(1, 2, 3), n(0), NINE_BYTES)).toBeNull();
  });
});

describe("bool ops", () => {
  it("truth tables", () => {
    expect(run("not", b(true))).toEqual(b(false));
    expect(run("not", b(false))).toEqual(b(true));
    for (const x of [false, true]) {
      for (const y of [false, true]) {
        expect(run("and", b(x), b(y))).toEqual(b(x && y));
        expect(run("or", b(x), b(y))).toEqual(b(x || y));
      }
    }
  });
});

describe("byte ops", () => {
  it("bytes_eq compares content and length", () => {
    expect(run("bytes_eq", raw(1, 2), raw(1, 2))).toEqual(b(true));
    expect(run("bytes_eq", raw(1, 2), raw(1, 2, 0))).toEqual(b(false));
    expect(run("bytes_eq", raw(), raw())).toEqual(b(true));
  });
  it("concat joins 2..8 arguments and is Nothing past MAX_ARG_BYTES", () => {
    expect(run("concat", raw(1), raw(), raw(2, 3))).toEqual(raw(1, 2, 3));
    const half = { bytes: new Uint8Array(MAX_ARG_BYTES / 2) };
    expect(run("concat", half, half)?.bytes.length).toBe(MAX_ARG_BYTES);
    expect(run("concat", half, half, raw(0))).toBeNull();
  });
  it("slice within range, at the end, and out of range", () => {
    const s = raw(10, 11, 12, 13);
    expect(run("slice", s, n(1), n(2))).toEqual(raw(11, 12));
    expect(run("slice", s, n(4), n(0))).toEqual(raw());
    expect(run("slice", s, n(0), n(4))).toEqual(s);
    expect(run("slice", s, n(3), n(2))).toBeNull();
    expect(run("slice", s, n(5), n(0))).toBeNull();
    expect(run("slice", s, n(U64_MAX), n(U64_MAX))).toBeNull();
  });
  it("slice copies: changing the input later does not change the result", () => {
    const s = raw(1, 2, 3);
    const out = run("slice", s, n(0), n(2));
    s.bytes[0] = 9;
    expect(out).toEqual(raw(1, 2));
  });
  it("len is a u64", () => {
    expect(run("len", raw(1, 2, 3))).toEqual(n(3));
    expect(run("len", raw())).toEqual(n(0));
  });
});

describe("results and arity", () => {
  it("pure results carry no origin even when the inputs do", () => {
    const fromCall: Value = { bytes: encodeU64(1), origin: { contract: "tokenA", method: "balance" } };
    const out = run("add", fromCall, fromCall);
    expect(out).toEqual(n(2));
    expect(out && "origin" in out).toBe(false);
  });
  it("a wrong number of arguments throws BAD_ARITY for every op", () => {
    for (const op of PURE_OPS) {
      const { min, max } = PURE_OP_ARITY[op];
      for (const count of [min - 1, max + 1]) {
        try {
          evaluatePureOp(op, Array<Value>(count).fill(n(1)));
          expect.unreachable();
        } catch (e) {
          expect(isXshardError(e) && e.code).toBe("BAD_ARITY");
        }
      }
    }
  });
});

describe("encodeU64", () => {
  const reference = (v: bigint): Uint8Array => {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, v, true);
    return out;
  };
  it("is the 8-byte little-endian encoding, for numbers and bigints, at the edges and at random", () => {
    const edges = [0n, 1n, 255n, 256n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n, BigInt(Number.MAX_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER) + 1n, 2n ** 63n, 2n ** 64n - 1n];
    for (const v of edges) {
      expect(encodeU64(v)).toEqual(reference(v));
      if (v <= BigInt(Number.MAX_SAFE_INTEGER)) expect(encodeU64(Number(v))).toEqual(reference(v));
    }
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
      expect(encodeU64(v)).toEqual(reference(v));
    }));
    fc.assert(fc.property(fc.maxSafeNat(), (v) => {
      expect(encodeU64(v)).toEqual(reference(BigInt(v)));
    }));
  });
  it("returns a fresh array each time, and throws BAD_U64 outside u64 or for unsafe numbers", () => {
    const a = encodeU64(2n ** 60n);
    a[0] = 9;
    expect(encodeU64(2n ** 60n)[0]).toBe(0);
    for (const bad of [-1n, 2n ** 64n, -1, 1.5, 2 ** 53, Number.NaN]) expect(() => encodeU64(bad)).toThrow(expect.objectContaining({ code: "BAD_U64" }));
  });
});
