import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contractPrincipal, sha256 } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { bool, lit, ProgramBuilder, ref, u64, utf8 } from "../../src/program/builder.js";
import { literalFromJson, programFromJson, programToJson } from "../../src/program/json.js";
import { programArb } from "./arbitraries.js";

function errorOf(f: () => unknown): { code: string; data: Record<string, unknown> } {
  try {
    f();
  } catch (e) {
    if (!isXshardError(e)) throw e;
    return { code: e.code, data: e.data };
  }
  throw new Error("expected an XshardError");
}

const step = (s: unknown): unknown => ({ steps: [s] });

describe("JSON form", () => {
  it("reads the documented example", () => {
    const p = programFromJson({
      steps: [
        { call: "tokenA.transfer", args: [{ principal: "exchange" }, { u64: "100" }] },
        { pure: "add", args: [{ ref: 0 }, { u64: 5 }] },
        { require: { ref: 0 } },
      ],
    });
    expect(p).toEqual({
      steps: [
        { kind: "call", contract: "tokenA", method: "transfer", args: [lit(contractPrincipal("exchange")), u64(100)] },
        { kind: "pure", op: "add", args: [ref(0), u64(5)] },
        { kind: "require", arg: ref(0) },
      ],
    });
  });

  it("every literal form", () => {
    const accounts: Record<string, Uint8Array> = { alice: sha256("alice") };
    const p = programFromJson(
      step({
        call: "c.m",
        args: [
          { hex: "0x00ff" },
          { hex: "" },
          { u64: "18446744073709551615" },
          { utf8: "hé" },
          { bool: true },
          { bool: false },
          { account: "alice" },
          { principal: "bank" },
        ],
      }),
      (kind, name) => (kind === "account" ? (accounts[name] ?? new Uint8Array()) : sha256("custom", name)),
    );
    const b = new ProgramBuilder();
    b.call("c", "m", [
      lit(Uint8Array.of(0, 0xff)),
      lit(new Uint8Array()),
      u64((1n << 64n) - 1n),
      utf8("hé"),
      bool(true),
      bool(false),
      lit(sha256("alice")),
      lit(sha256("custom", "bank")),
    ]);
    expect(p).toEqual(b.build());
  });

  it("call splits on the last dot: contract ids may contain dots, methods never do", () => {
    const p = programFromJson(step({ call: "dex.v2.pool.swap" }));
    expect(p.steps[0]).toEqual({ kind: "call", contract: "dex.v2.pool", method: "swap", args: [] });
  });

  it("property: program → JSON → program is the identity, and JSON → program → JSON too", () => {
    fc.assert(
      fc.property(programArb(), (p) => {
        const json = programToJson(p);
        const viaText = JSON.parse(JSON.stringify(json)) as unknown;
        const back = programFromJson(viaText);
        expect(back).toEqual(p);
        expect(programToJson(back)).toEqual(json);
      }),
      { numRuns: 200 },
    );
  });
});

describe("JSON errors", () => {
  const cases: { name: string; json: unknown; code: string; data: Record<string, unknown> }[] = [
    { name: "not an object", json: [], code: "BAD_JSON", data: { path: "$" } },
    { name: "steps missing", json: {}, code: "BAD_JSON", data: { path: "$.steps" } },
    { name: "unexpected top-level key", json: { steps: [], x: 1 }, code: "BAD_JSON", data: { path: "$.x" } },
    { name: "step without a kind", json: step({ args: [] }), code: "BAD_JSON", data: { path: "$.steps[0]" } },
    { name: "step with two kinds", json: step({ call: "a.b", pure: "add" }), code: "BAD_JSON", data: { path: "$.steps[0].pure" } },
    { name: "call without a dot", json: step({ call: "transfer" }), code: "BAD_JSON", data: { path: "$.steps[0].call" } },
    { name: "args not an array", json: step({ pure: "len", args: { hex: "0x" } }), code: "BAD_JSON", data: { path: "$.steps[0].args" } },
    { name: "arg with two keys", json: step({ require: { u64: 1, hex: "0x" } }), code: "BAD_JSON", data: { path: "$.steps[0].require" } },
    { name: "unknown arg kind", json: step({ require: { int: 1 } }), code: "BAD_JSON", data: { path: "$.steps[0].require.int" } },
    { name: "odd hex", json: step({ require: { hex: "0x123" } }), code: "BAD_JSON", data: { path: "$.steps[0].require.hex" } },
    { name: "negative u64", json: step({ require: { u64: -1 } }), code: "BAD_JSON", data: { path: "$.steps[0].require.u64" } },
    { name: "u64 past 2^64-1", json: step({ require: { u64: "18446744073709551616" } }), code: "BAD_JSON", data: { path: "$.steps[0].require.u64" } },
    { name: "unsafe u64 number", json: step({ require: { u64: 2 ** 60 } }), code: "BAD_JSON", data: { path: "$.steps[0].require.u64" } },
    { name: "fractional ref", json: step({ require: { ref: 0.5 } }), code: "BAD_JSON", data: { path: "$.steps[0].require.ref" } },
    { name: "bool as a string", json: step({ require: { bool: "true" } }), code: "BAD_JSON", data: { path: "$.steps[0].require.bool" } },
    { name: "unknown op", json: step({ pure: "pow", args: [] }), code: "UNKNOWN_OP", data: { step: 0, op: "pow" } },
    { name: "account without a resolver", json: step({ require: { account: "alice" } }), code: "UNKNOWN_NAME", data: { kind: "account", name: "alice", path: "$.steps[0].require.account" } },
    { name: "reference to the same step", json: step({ require: { ref: 0 } }), code: "REF_NOT_EARLIER", data: { step: 0, ref: 0 } },
    { name: "bad contract id", json: step({ call: "a b.m" }), code: "BAD_NAME", data: { step: 0, name: "a b" } },
    { name: "no steps", json: { steps: [] }, code: "EMPTY_PROGRAM", data: {} },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code}`, () => {
      const err = errorOf(() => programFromJson(c.json));
      expect(err.code).toBe(c.code);
      expect(err.data).toMatchObject(c.data);
    });
  }
});

describe("literalFromJson", () => {
  it("reads each literal form to bytes", () => {
    expect(literalFromJson({ hex: "0xabcd" })).toEqual(Uint8Array.of(0xab, 0xcd));
    expect(literalFromJson({ u64: 258 })).toEqual(u64(258).bytes);
    expect(literalFromJson({ utf8: "ok" })).toEqual(Uint8Array.of(0x6f, 0x6b));
    expect(literalFromJson({ bool: false })).toEqual(Uint8Array.of(0));
    expect(literalFromJson({ principal: "bank" })).toEqual(contractPrincipal("bank"));
    expect(literalFromJson({ account: "bob" }, "$", () => Uint8Array.of(9))).toEqual(Uint8Array.of(9));
  });
  it("a reference is not a literal; errors carry the caller's path", () => {
    expect(errorOf(() => literalFromJson({ ref: 0 }, "$.contracts[0].init[1]"))).toEqual({
      code: "BAD_JSON",
      data: { path: "$.contracts[0].init[1].ref" },
    });
    expect(errorOf(() => literalFromJson({ account: "eve" }, "$.init[0]")).data).toMatchObject({ path: "$.init[0].account" });
  });
});

describe("builder", () => {
  it("returns references to the steps it adds, in order", () => {
    const b = new ProgramBuilder();
    expect(b.call("a", "m")).toEqual(ref(0));
    expect(b.pure("len", [ref(0)])).toEqual(ref(1));
    expect(b.require(ref(1))).toEqual(ref(2));
    expect(b.build().steps).toHaveLength(3);
  });
  it("build validates", () => {
    const b = new ProgramBuilder();
    b.pure("add", [u64(1)]);
    expect(errorOf(() => b.build()).code).toBe("BAD_ARITY");
    expect(errorOf(() => new ProgramBuilder().build()).code).toBe("EMPTY_PROGRAM");
  });
  it("u64 literals outside u64 throw BAD_U64", () => {
    expect(errorOf(() => u64(-1)).code).toBe("BAD_U64");
    expect(errorOf(() => u64(1n << 64n)).code).toBe("BAD_U64");
    expect(errorOf(() => u64(0.5)).code).toBe("BAD_U64");
  });
});
