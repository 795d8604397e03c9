/**
 * The fast host-call path: memory restored up to the write watermark, frames accounted without
 * wrapper functions, host costs settled by the import wrappers, copies that do not alias.
 */
import { describe, expect, it } from "vitest";
import { FRAME_OVERHEAD, HOST_COSTS, MAX_KEY_BYTES, Runtime, STACK_LIMIT } from "../../src/runtime/index.js";
import { Deployed, HOST_IMPORTS_WAT, lit, u64, user, wat } from "./helpers.js";
import { PROBE_WASM, i32 } from "./probe.js";

const alice = user("alice");

/** Writes far from the data segment by every means a call has, and reads them back. */
const SCRATCH_WASM = wat(`(module
  ${HOST_IMPORTS_WAT}
  (memory 2)
  (data (i32.const 16) "copied!!")
  (func (export "store") (i64.store offset=60000 (i32.const 0) (i64.const -1)))
  (func (export "fill") (memory.fill (i32.const 70000) (i32.const 7) (i32.const 16)))
  (func (export "copy") (memory.copy (i32.const 100000) (i32.const 16) (i32.const 8)))
  (func (export "host") (call $arg_read (i32.const 0) (i32.const 120000)))
  (func (export "read")
    (memory.copy (i32.const 200) (i32.const 60000) (i32.const 8))
    (memory.copy (i32.const 208) (i32.const 70000) (i32.const 16))
    (memory.copy (i32.const 224) (i32.const 100000) (i32.const 8))
    (memory.copy (i32.const 232) (i32.const 120000) (i32.const 8))
    (call $ret (i32.const 200) (i32.const 40)))
  (func (export "dirtyThenTrap") (i64.store (i32.const 130000) (i64.const 5)) unreachable)
  (func (export "readTrapped") (call $ret (i32.const 130000) (i32.const 8)))
  (func (export "growThenWrite")
    (drop (memory.grow (i32.const 1)))
    (call $arg_read (i32.const 0) (i32.const 131072))
    (call $ret (i32.const 131072) (call $arg_len (i32.const 0))))
  (func (export "echo")
    (call $arg_read (i32.const 0) (i32.const 1000))
    (call $ret (i32.const 1000) (call $arg_len (i32.const 0))))
  (func $early (param $x i32) (result i32) (if (local.get $x) (then (return (i32.const 1)))) (i32.const 2))
  (func $earlyVoid (param $x i32) (if (local.get $x) (then (return))) (nop))
  (func (export "earlyReturns") (local $i i32)
    (local.set $i (i32.const 5000))
    (loop $l
      (drop (call $early (i32.const 1)))
      (call $earlyVoid (i32.const 1))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $l (local.get $i))))
)`);

function scratch(rt = new Runtime()): Deployed {
  return new Deployed(rt, "scratch", rt.registerCode(SCRATCH_WASM));
}

describe("memory is restored after every call, up to what the call wrote", () => {
  for (const writer of ["store", "fill", "copy", "host"]) {
    it(`what ${writer === "host" ? "a host function" : writer} wrote far above the data does not reach the next call`, () => {
      const s = scratch();
      const zeros = new Uint8Array(40);
      expect(s.ok(alice, "read").bytes).toEqual(zeros);
      s.ok(alice, writer, [u64(0x0102030405060708n)]);
      expect(s.ok(alice, "read").bytes).toEqual(zeros);
    });
  }

  it("after a trap too", () => {
    const s = scratch();
    expect(s.call(alice, "dirtyThenTrap").ok).toBe(false);
    expect(s.ok(alice, "readTrapped").bytes).toEqual(new Uint8Array(8));
  });

  it("host functions write into memory that grew during the call", () => {
    const s = scratch();
    const arg = u64(0xdeadbeefn);
    expect(s.ok(alice, "growThenWrite", [arg]).bytes).toEqual(arg.bytes);
    expect(s.ok(alice, "read").bytes).toEqual(new Uint8Array(40));
  });
});

describe("copies out of memory", () => {
  it("return data of every size is a copy of its own: later calls do not change it", () => {
    const s = scratch();
    const filled = (b: Uint8Array, size: number, byte: number): boolean => b.length === size && b.every((x) => x === byte);
    for (const size of [1, 8, 9, 64, 65, 116, 1000, 9000]) {
      const r1 = s.ok(alice, "echo", [lit(new Uint8Array(size).fill(1))]).bytes;
      const r2 = s.ok(alice, "echo", [lit(new Uint8Array(size).fill(2))]).bytes;
      expect(filled(r1, size, 1), `first copy of ${size} bytes`).toBe(true);
      expect(filled(r2, size, 2), `second copy of ${size} bytes`).toBe(true);
    }
  });
});

describe("call depth", () => {
  /** The deepest recursion of `rec` (one parameter, plus `pending` operands waiting under each call) that succeeds. */
  function deepest(pending: number): number {
    let e = "(call $rec (i32.sub (local.get $d) (i32.const 1)))";
    for (let i = 0; i < pending; i++) e = `(i32.add (local.get $d) ${e})`;
    const rt = new Runtime();
    const p = new Deployed(rt, "rec", rt.registerCode(wat(`(module ${HOST_IMPORTS_WAT} (memory 1)
      (func $rec (param $d i32) (result i32) (if (result i32) (local.get $d) (then ${e}) (else (i32.const 0))))
      (func (export "go") (call $arg_read (i32.const 0) (i32.const 0)) (drop (call $rec (i32.load (i32.const 0))))))`)));
    let lo = 0;
    let hi = STACK_LIMIT;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const r = p.call(alice, "go", [i32(mid)]);
      if (r.ok) lo = mid;
      else {
        expect(r.failure).toEqual({ kind: "trap", message: "call stack exhausted" });
        hi = mid;
      }
    }
    return lo;
  }

  it("charges each frame its slots: overhead, parameters, locals and the operands pending under a call", () => {
    // depth d succeeds iff outer + (d + 1) × frame ≤ STACK_LIMIT, where frame grows by one slot per
    // pending operand; find a (frame, outer) that explains both depths, with a small frame.
    const d0 = deepest(0);
    const d60 = deepest(60);
    const fits = (d: number, frame: number, outer: number): boolean => outer + (d + 1) * frame <= STACK_LIMIT && outer + (d + 2) * frame > STACK_LIMIT;
    const explanations: number[] = [];
    for (let frame = FRAME_OVERHEAD + 1; frame <= FRAME_OVERHEAD + 12; frame++) {
      for (let outer = 0; outer < 4 * frame; outer++) if (fits(d0, frame, outer) && fits(d60, frame + 60, outer)) explanations.push(frame);
    }
    expect(explanations.length, `depths ${d0} and ${d60}`).toBeGreaterThan(0);
    expect(d60).toBeLessThan(d0 / 4);
  });

  it("a return from inside a function gives its frame back", () => {
    // 5,000 × two calls that return early: far beyond STACK_LIMIT if a frame leaked.
    expect(scratch().call(alice, "earlyReturns").ok).toBe(true);
  });
});

describe("host costs", () => {
  it("a budget that runs out inside a host function fails out-of-budget and counts the whole budget", () => {
    const rt = new Runtime();
    const p = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    const cost = p.call(alice, "rw", [u64(1)]).instructions;
    const wrong: string[] = [];
    for (let budget = cost - 1300n; budget < cost; budget++) {
      const r = rt.call(p.request(alice, "rw", [u64(1)], { budget }));
      if (r.ok || r.failure.kind !== "out-of-budget" || r.instructions !== budget) wrong.push(`${budget}: ${r.ok ? "ok" : r.failure.kind} ${r.instructions}`);
    }
    expect(wrong).toEqual([]);
    expect(p.call(alice, "rw", [u64(1)], { budget: cost }).ok).toBe(true);
  });

  it("host functions with a result charge less than 2^21 (their report packs the charge above a u32)", () => {
    const largest = Math.max(
      HOST_COSTS.call, // arg_count, arg_len
      HOST_COSTS.call + HOST_COSTS.byte * (32 + 32), // arg_origin
      HOST_COSTS.call + HOST_COSTS.storageRead + HOST_COSTS.byte * MAX_KEY_BYTES, // storage_len
      HOST_COSTS.call + HOST_COSTS.create + HOST_COSTS.byte * 64, // create
    );
    expect(largest).toBeLessThan(2 ** 21);
  });
});
