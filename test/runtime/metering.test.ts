import { describe, expect, it } from "vitest";
import { BULK_BYTES_PER_UNIT, Runtime } from "../../src/runtime/index.js";
import { Deployed, deploy, u64, user } from "./helpers.js";
import { PROBE_WASM, i32 } from "./probe.js";

const alice = user("alice");

function counter(runtime = new Runtime()): Deployed {
  return deploy(runtime, "counter", "c", []);
}

function probe(runtime = new Runtime()): Deployed {
  return new Deployed(runtime, "probe", runtime.registerCode(PROBE_WASM));
}

function instructions(d: Deployed, method: string, args = [i32(0)], budget?: bigint): bigint {
  const r = d.call(alice, method, args, budget === undefined ? {} : { budget });
  return r.instructions;
}

describe("metering", () => {
  it("an infinite loop ends out-of-budget with the same count on every run and every runtime", () => {
    const c = counter();
    const runs = [1, 2, 3].map(() => c.call(alice, "loop"));
    const fresh = counter().call(alice, "loop");
    for (const r of [...runs, fresh]) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.failure.kind).toBe("out-of-budget");
      expect(r.instructions).toBe(10_000_000n);
    }
  });

  it("a smaller budget gives a smaller count", () => {
    const r = counter().call(alice, "loop", [], { budget: 1_000_000n });
    expect(r.ok).toBe(false);
    expect(r.instructions).toBe(1_000_000n);
  });

  it("inc succeeds within budget, with a count that is exact: one instruction less fails", () => {
    const c = counter();
    const r = c.runtime.call(c.request(alice, "inc"));
    expect(r.ok).toBe(true);
    const cost = r.instructions;
    expect(cost).toBeGreaterThan(0n);
    expect(cost).toBeLessThan(100_000n);
    const exact = c.runtime.call(c.request(alice, "inc", [], { budget: cost }));
    expect(exact.ok).toBe(true);
    expect(exact.instructions).toBe(cost);
    const short = c.runtime.call(c.request(alice, "inc", [], { budget: cost - 1n }));
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.failure.kind).toBe("out-of-budget");
    expect(short.instructions).toBe(cost - 1n);
    expect(counter().runtime.call(counter().request(alice, "inc")).instructions).toBe(cost);
  });

  it("charges every loop iteration: the count is linear in the iterations", () => {
    const p = probe();
    const [i0, i1, i2, i100, i101] = [0, 1, 2, 100, 101].map((n) => instructions(p, "spin", [i32(n)])) as bigint[];
    const step = (i1 as bigint) - (i0 as bigint);
    expect(step).toBeGreaterThan(0n);
    expect((i2 as bigint) - (i1 as bigint)).toBe(step);
    expect((i101 as bigint) - (i100 as bigint)).toBe(step);
    expect(i100).toBe((i0 as bigint) + 100n * step);
  });

  it("a loop longer than the budget runs out of it", () => {
    const r = probe().call(alice, "spin", [i32(2 ** 31)]);
    expect(r.ok ? "ok" : r.failure.kind).toBe("out-of-budget");
  });

  it("charges bulk memory per byte", () => {
    const p = probe();
    const diff = instructions(p, "fill", [i32(64_000)]) - instructions(p, "fill", [i32(0)]);
    expect(diff).toBe(BigInt(64_000 / BULK_BYTES_PER_UNIT));
  });

  it("deep recursion traps at the same depth on every run, before the native stack overflows", () => {
    const p = probe();
    expect(p.call(alice, "recurse", [i32(100)]).ok).toBe(true);
    const runs = [1, 2].map(() => p.call(alice, "recurse", [i32(10_000_000)]));
    runs.push(probe().call(alice, "recurse", [i32(10_000_000)]));
    for (const r of runs) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.failure).toEqual({ kind: "trap", message: "call stack exhausted" });
      expect(r.instructions).toBe(runs[0]?.instructions);
    }
  });

  it("host functions charge their costs: storage costs more than arguments", () => {
    const p = probe();
    const small = instructions(p, "rw", [u64(1)]);
    expect(small).toBeGreaterThan(1_000n); // a storage write alone costs 1000
    expect(instructions(p, "spin", [i32(0)])).toBeLessThan(200n);
  });
});
