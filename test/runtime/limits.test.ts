/**
 * Module limits checked at registration (limits.ts) and the instantiation charge: what instantiating
 * a module costs is bounded up front and paid by the call that makes a new instance necessary.
 */
import { describe, expect, it } from "vitest";
import { isXshardError } from "../../src/errors.js";
import { DATA_BYTES_PER_UNIT, GROW_PAGE_COST, INSTANTIATION_COSTS, MODULE_LIMITS, Runtime } from "../../src/runtime/index.js";
import { Deployed, HOST_IMPORTS_WAT, user, wat } from "./helpers.js";

const alice = user("alice");

/** The BAD_WASM data of registering `wasm`, or "registered". */
function refusal(wasm: Uint8Array): unknown {
  try {
    new Runtime().registerCode(wasm);
    return "registered";
  } catch (e) {
    if (!isXshardError(e)) throw e;
    expect(e.code).toBe("BAD_WASM");
    return e.data;
  }
}

const fn = (i: number): string => `(func $f${i} (result i32) (i32.const ${i}))`;

describe("module limits at registration", () => {
  it("refuses a table larger than tableElements, and accepts one at the limit", () => {
    expect(refusal(wat(`(module (memory 1) (table ${MODULE_LIMITS.tableElements + 1} funcref))`))).toMatchObject({ limit: "tableElements" });
    expect(refusal(wat(`(module (memory 1) (table 1000000 funcref))`))).toMatchObject({ limit: "tableElements", value: 1_000_000 });
    expect(refusal(wat(`(module (memory 1) (table ${MODULE_LIMITS.tableElements} funcref))`))).toBe("registered");
  });

  it("refuses more functions than the limit", () => {
    const many = Array.from({ length: MODULE_LIMITS.functions + 1 }, (_, i) => fn(i)).join("\n");
    expect(refusal(wat(`(module (memory 1) ${many})`))).toMatchObject({ limit: "functions", value: MODULE_LIMITS.functions + 1 });
  });

  it("refuses a function with more parameters and locals than the limit", () => {
    const locals = Array.from({ length: MODULE_LIMITS.functionLocals }, () => "(local i32)").join(" ");
    expect(refusal(wat(`(module (memory 1) (func (param i32) ${locals}))`))).toMatchObject({ limit: "functionLocals" });
  });

  it("refuses expressions nested deeper than the limit, and accepts them at the limit", () => {
    const nest = (n: number): string => {
      let e = "(i32.const 0)";
      for (let i = 1; i < n; i++) e = `(i32.eqz ${e})`;
      return e;
    };
    // the body is `drop` over the chain: depth = chain + 1
    expect(refusal(wat(`(module (memory 1) (func (drop ${nest(MODULE_LIMITS.expressionDepth)})))`))).toMatchObject({ limit: "expressionDepth" });
    expect(refusal(wat(`(module (memory 1) (func (drop ${nest(MODULE_LIMITS.expressionDepth - 1)})))`))).toBe("registered");
  });

  it("refuses a module larger than moduleBytes before parsing it", () => {
    const big = new Uint8Array(MODULE_LIMITS.moduleBytes + 1); // not even a module: the size is checked first
    expect(refusal(big)).toMatchObject({ limit: "moduleBytes", value: MODULE_LIMITS.moduleBytes + 1 });
  });

  it("refuses too many data segments", () => {
    const segments = Array.from({ length: MODULE_LIMITS.dataSegments + 1 }, (_, i) => `(data (i32.const ${i}) "x")`).join(" ");
    expect(refusal(wat(`(module (memory 1) ${segments})`))).toMatchObject({ limit: "dataSegments" });
  });
});

describe("instantiation charge", () => {
  const DATA = 100;
  const GROWER = wat(`(module ${HOST_IMPORTS_WAT}
    (memory 2 8)
    (table 10 funcref)
    (data (i32.const 0) "${"x".repeat(DATA)}")
    (global $g (mut i32) (i32.const 0))
    (func $start (local $i i32)
      (block $done (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.const 50)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))
    (start $start)
    (func (export "once") (drop (memory.grow (i32.const 1))))
    (func (export "twice") (drop (memory.grow (i32.const 1))) (drop (memory.grow (i32.const 1))))
    (func (export "none") (drop (memory.grow (i32.const 0))) (drop (memory.grow (i32.const 0)))))`);

  it("the first grow a call is granted pays the module's instantiation; later grows only their pages", () => {
    const rt = new Runtime();
    const c = new Deployed(rt, "g", rt.registerCode(GROWER));
    const before = rt.instantiations;
    const once = c.call(alice, "once");
    const twice = c.call(alice, "twice");
    expect(once.ok && twice.ok).toBe(true);
    expect(rt.instantiations).toBe(before + 1); // the instance after `once` was dropped; `twice` made a new one
    const secondGrow = twice.instructions - once.instructions;
    // the second grow costs its page and its own instructions (drop, const, grow, call), not the charge again
    expect(secondGrow).toBeGreaterThan(BigInt(GROW_PAGE_COST));
    expect(secondGrow).toBeLessThan(BigInt(GROW_PAGE_COST) + 200n);
    // a grow of zero pages is granted too (it succeeds): it pays the charge
    const none = c.call(alice, "none");
    const staticPart =
      INSTANTIATION_COSTS.base +
      2 * INSTANTIATION_COSTS.page +
      10 * INSTANTIATION_COSTS.tableElement +
      INSTANTIATION_COSTS.data * Math.ceil(DATA / DATA_BYTES_PER_UNIT);
    expect(none.instructions).toBeGreaterThan(BigInt(staticPart));
    // the charge includes the start function's count (50 iterations): more than the static part by that much
    const noStart = wat(`(module ${HOST_IMPORTS_WAT} (memory 2 8) (table 10 funcref) (data (i32.const 0) "${"x".repeat(DATA)}")
      (global $g (mut i32) (i32.const 0)) (func $start) (start $start)
      (func (export "once") (drop (memory.grow (i32.const 1))))
      (func (export "twice") (drop (memory.grow (i32.const 1))) (drop (memory.grow (i32.const 1))))
      (func (export "none") (drop (memory.grow (i32.const 0))) (drop (memory.grow (i32.const 0)))))`);
    const rt2 = new Runtime();
    const d = new Deployed(rt2, "n", rt2.registerCode(noStart));
    expect(once.instructions - d.call(alice, "once").instructions).toBeGreaterThan(50n * 4n);
  });
});
