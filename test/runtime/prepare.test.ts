import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { Runtime } from "../../src/runtime/index.js";
import { Deployed, HOST_IMPORTS_WAT, deploy, u64, user, wat } from "./helpers.js";
import { PROBE_WASM } from "./probe.js";

const alice = user("alice");

/** The XshardError code registerCode throws, or "ok". */
function registerOutcome(wasm: Uint8Array, rt = new Runtime()): string {
  try {
    rt.registerCode(wasm);
    return "ok";
  } catch (e) {
    if (isXshardError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
}

const module = (body: string): Uint8Array => wat(`(module ${body})`);

describe("registerCode", () => {
  it("returns the hex sha256 of the original bytes, idempotently, without instantiating twice", () => {
    const rt = new Runtime();
    const h = rt.registerCode(PROBE_WASM);
    expect(h).toBe(toHex(sha256(PROBE_WASM)));
    expect(rt.registerCode(PROBE_WASM)).toBe(h);
    expect(rt.instantiations).toBe(1);
    expect(rt.hasCode(h)).toBe(true);
    expect(rt.hasCode(toHex(sha256("other")))).toBe(false);
  });

  const refused: [string, Uint8Array, RegExp][] = [
    ["garbage", new Uint8Array([0, 97, 115, 109, 9, 9]), /not a valid WebAssembly module/],
    ["an unknown import", module(`(import "env" "seed" (func (result f64))) (memory 1)`), /unknown import env.seed/],
    ["an import from another module", module(`(import "wasi" "arg_count" (func (result i32))) (memory 1)`), /unknown import wasi.arg_count/],
    ["a host import with the wrong signature", module(`(import "env" "arg_count" (func (param i32) (result i32))) (memory 1)`), /wrong signature/],
    ["an imported memory", module(`(import "env" "memory" (memory 1))`), /imported memory/],
    ["an imported global", module(`(import "env" "g" (global i32)) (memory 1)`), /global imports/],
    ["no memory", module(`(func (export "f"))`), /no memory/],
    ["more initial memory than the limit", module(`(memory 17)`), /17 pages exceeds the limit of 16/],
    ["SIMD", module(`(memory 1) (func (export "f") (drop (v128.const i32x4 1 2 3 4)))`), /value type/],
    ["atomics", module(`(memory 1 1 shared) (func (export "f") (drop (i32.atomic.load (i32.const 0))))`), /shared|atomic/],
    ["reference types", module(`(memory 1) (table 1 funcref) (func (export "f") (drop (table.get 0 (i32.const 0))))`), /value type|instruction/],
    ["a start function that traps", module(`(memory 1) (func $s unreachable) (start $s)`), /instantiation failed: unreachable/],
    ["a start function that calls the host", module(`${HOST_IMPORTS_WAT} (memory 1) (func $s (drop (call $arg_count))) (start $s)`), /outside a contract call/],
    ["a start function that never ends", module(`(memory 1) (func $s (loop $l (br $l))) (start $s)`), /instantiation failed/],
  ];
  for (const [what, wasm, message] of refused) {
    it(`refuses ${what} with BAD_WASM`, () => {
      const outcome = registerOutcome(wasm);
      expect(outcome).toMatch(/^BAD_WASM: /);
      expect(outcome).toMatch(message);
    });
  }

  it("lowers a memory maximum above the limit: growing past it fails", () => {
    const rt = new Runtime({ memoryPages: 4 });
    const grower = module(`(memory 1 100)
      (func (export "grow4") (if (i32.lt_s (memory.grow (i32.const 3)) (i32.const 0)) (then unreachable)))
      (func (export "grow5") (if (i32.lt_s (memory.grow (i32.const 4)) (i32.const 0)) (then unreachable)))`);
    const d = new Deployed(rt, "g", rt.registerCode(grower));
    expect(d.call(alice, "grow4").ok).toBe(true);
    const r = d.call(alice, "grow5");
    expect(r.ok ? "ok" : r.failure.kind).toBe("out-of-memory");
  });

  it("refuses bad options and bad requests with typed errors", () => {
    expect(() => new Runtime({ memoryPages: 0 })).toThrow(expect.objectContaining({ code: "BAD_RUNTIME_OPTIONS" }));
    expect(() => new Runtime({ instructionBudget: 0n })).toThrow(expect.objectContaining({ code: "BAD_RUNTIME_OPTIONS" }));
    const rt = new Runtime();
    const d = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    expect(() => rt.call({ ...d.request(alice, "spin"), codeHash: "00" })).toThrow(expect.objectContaining({ code: "UNKNOWN_CODE" }));
    expect(() => rt.call(d.request(new Uint8Array(31), "spin"))).toThrow(expect.objectContaining({ code: "BAD_CALL" }));
    expect(() => rt.call(d.request(alice, "spin", [], { txId: new Uint8Array(1) }))).toThrow(expect.objectContaining({ code: "BAD_CALL" }));
    expect(() => rt.call(d.request(alice, "spin", [], { budget: 0n }))).toThrow(expect.objectContaining({ code: "BAD_CALL" }));
    expect(() => rt.call(d.request(alice, "spin", [], { successorIndex: -1 }))).toThrow(expect.objectContaining({ code: "BAD_CALL" }));
  });

  it("lets an error thrown by the StateView propagate (it is not the contract's failure)", () => {
    const c = deploy(new Runtime(), "counter", "c", []);
    const broken = {
      get: (): never => {
        throw new Error("missing witness");
      },
    };
    expect(() => c.runtime.call(c.request(alice, "get", [], { state: broken }))).toThrow("missing witness");
    expect(c.ok(alice, "inc").bytes).toEqual(u64(1).bytes);
  });
});
