import { describe, expect, it } from "vitest";
import { Runtime, type CallResult } from "../../src/runtime/index.js";
import { Deployed, deploy, u64, user } from "./helpers.js";
import { PROBE_WASM } from "./probe.js";

const alice = user("alice");

/** What a call's result says, in comparable form. */
function summary(r: CallResult): unknown {
  return r.ok ? { ok: true, data: [...r.returnData], writes: [...r.writes], instructions: r.instructions } : r;
}

describe("instance cache", () => {
  it("1,000 calls reuse one instance", () => {
    const rt = new Runtime();
    const c = deploy(rt, "counter", "c", []);
    const after = rt.instantiations;
    expect(after).toBe(1);
    for (let i = 1; i <= 1000; i++) expect(c.ok(alice, "inc").bytes).toEqual(u64(i).bytes);
    expect(rt.instantiations).toBe(after);
  });

  it("a call gives the same result whatever ran before it", () => {
    const alone = deploy(new Runtime(), "counter", "c", []);
    const expected = summary(alone.runtime.call(alone.request(alice, "inc")));

    const busy = deploy(new Runtime(), "counter", "c", []);
    for (const m of ["fail", "trapAfterWrite", "loop", "spawn", "get", "end", "inc", "grow"]) busy.runtime.call(busy.request(alice, m));
    expect(summary(busy.runtime.call(busy.request(alice, "inc")))).toEqual(expected);
  });

  it("linear memory and mutable globals are restored between calls", () => {
    const rt = new Runtime();
    const probe = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    for (const method of ["bump", "mbump"]) {
      expect(probe.ok(alice, method).bytes).toEqual(new Uint8Array([1, 0, 0, 0]));
      expect(probe.ok(alice, method).bytes).toEqual(new Uint8Array([1, 0, 0, 0]));
    }
  });

  it("an instance whose memory grew is replaced, and the next call is unaffected", () => {
    const rt = new Runtime();
    const c = deploy(rt, "counter", "c", []);
    const expected = summary(rt.call(c.request(alice, "inc")));
    const before = rt.instantiations;
    expect(rt.call(c.request(alice, "grow")).ok).toBe(false);
    expect(summary(rt.call(c.request(alice, "inc")))).toEqual(expected);
    expect(rt.instantiations).toBe(before + 1);
  });

  it("non-method exports are not callable", () => {
    const rt = new Runtime();
    const probe = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    for (const m of ["withParam", "withResult", "__hidden", "_start", "memory", "__gas"]) {
      const r = rt.call(probe.request(alice, m));
      expect(r.ok ? "ok" : r.failure.kind).toBe("unknown-method");
      expect(r.instructions).toBe(0n);
    }
  });
});
