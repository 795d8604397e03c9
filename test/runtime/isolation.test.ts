import { describe, expect, it } from "vitest";
import { Runtime } from "../../src/runtime/index.js";
import { Deployed, deploy, lit, u64, user } from "./helpers.js";
import { PROBE_WASM } from "./probe.js";

const alice = user("alice");

function counterAt(value: number): Deployed {
  const c = deploy(new Runtime(), "counter", "c", []);
  for (let i = 0; i < value; i++) c.ok(alice, "inc");
  return c;
}

describe("a failed call leaves state byte-for-byte unchanged and returns no writes", () => {
  const cases: [method: string, args: Parameters<Deployed["call"]>[2], kind: string, message?: RegExp][] = [
    ["fail", [], "revert", /^fail$/],
    ["trapAfterWrite", [], "trap", /unreachable/],
    ["loop", [], "out-of-budget"],
    ["grow", [], "out-of-memory"],
    ["noSuchMethod", [], "unknown-method"],
    ["add", [], "bad-args", /argument 0 missing/],
  ];
  for (const [method, args, kind, message] of cases) {
    it(`${method} → ${kind}`, () => {
      const c = counterAt(3);
      const before = c.state.snapshot();
      const r = c.runtime.call(c.request(alice, method, args));
      expect(r.ok).toBe(false);
      expect("writes" in r).toBe(false);
      if (!r.ok) {
        expect(r.failure.kind).toBe(kind);
        if (message !== undefined) expect(r.failure.message).toMatch(message);
      }
      expect(c.state.snapshot()).toEqual(before);
      expect(c.ok(alice, "get").bytes).toEqual(u64(3).bytes);
    });
  }

  it("a wrongly encoded argument reverts (the contract checks it)", () => {
    counterAt(1).fails(alice, "add", [lit(new Uint8Array(3))], "revert", /bad argument/);
  });

  it("add reverts on overflow", () => {
    counterAt(1).fails(alice, "add", [u64(2n ** 64n - 1n)], "revert", /overflow/);
  });

  it("host limits: keys over 64 bytes and values over 1024 bytes are bad-args; wild pointers trap", () => {
    const rt = new Runtime();
    const probe = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    probe.fails(alice, "bigkey", [], "bad-args", /key of 65 bytes/);
    probe.fails(alice, "bigvalue", [], "bad-args", /value of 1025 bytes/);
    probe.fails(alice, "oob", [], "trap", /out-of-bounds/);
  });
});

describe("AssemblyScript abort", () => {
  it("is a trap carrying the decoded message, or out-of-memory when it comes from the allocator", () => {
    const rt = new Runtime();
    const probe = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    probe.fails(alice, "aborts", [], "trap", /^abort: boom \(:7:3\)$/);
    probe.fails(alice, "abortsInAllocator", [], "out-of-memory", /^abort: boom \(~lib\/rt\/x:1:2\)$/);
  });
});

describe("reads and writes", () => {
  it("a call reads its own writes; the runtime never writes to the StateView", () => {
    const rt = new Runtime();
    const probe = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    const value = new Uint8Array([1, 2, 3, 4, 5]);
    const r = rt.call(probe.request(alice, "rw", [lit(value)]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.returnData).toEqual(value);
    expect([...r.writes]).toEqual([["6b", value]]);
    expect(probe.state.snapshot()).toEqual([]);
  });

  it("a key read from the state, then written, then deleted, reads as each in turn", () => {
    const rt = new Runtime();
    const probe = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    probe.ok(alice, "rw", [lit(new Uint8Array(5))]);
    const r = rt.call(probe.request(alice, "rwd"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const lens = new DataView(r.returnData.buffer, r.returnData.byteOffset, 12);
    expect([lens.getInt32(0, true), lens.getInt32(4, true), lens.getInt32(8, true)]).toEqual([5, 2, -1]);
    expect([...r.writes]).toEqual([["6b", null]]);
  });

  it("floating-point NaNs are canonicalized to zero (deterministic bits on every platform)", () => {
    const rt = new Runtime();
    const probe = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    expect(probe.ok(alice, "nan").bytes).toEqual(new Uint8Array(8));
  });
});
