/**
 * The results recorder keeps per-transaction figures in columns (src/sim/metrics.ts, issue 12):
 * what `build` writes is what the calls said — ids of any form, extras only where set, a
 * resubmission starting afresh, equal footprints shared but different ones kept apart.
 */
import { describe, expect, it } from "vitest";
import { MetricsRecorder } from "../../src/sim/metrics.js";

const HEX = "ab".repeat(32);

describe("MetricsRecorder columns", () => {
  it("writes back ids, slots, outcomes, reasons and extras as recorded", () => {
    const m = new MetricsRecorder(12, [1]);
    m.submit(0, HEX, ["token1", "token2"], 0);
    m.submit(1, "not-hex", [], 1);
    m.submit(3, "AB".repeat(32), [""], 2); // upper-case hex is kept as given; index 2 never submitted
    m.include(0, 1, "stage1");
    m.include(0, 4, "stage1"); // first inclusion only
    m.finish(0, 5, "committed");
    m.setExtra(0, "executions", 2);
    m.addExtra(1, "retries", 1);
    m.addExtra(1, "retries", 2);
    m.finish(1, null, "rejected", "bad nonce");
    expect(m.isFinished(0)).toBe(true);
    expect(m.isFinished(3)).toBe(false);
    expect(() => m.include(2, 1, "x")).toThrow(/never submitted/);
    expect(() => m.finish(7, 1, "committed")).toThrow(/never submitted/);
    const r = m.build("p", {}, {}, 6);
    expect(r.txs.map((t) => t.index)).toEqual([0, 1, 3]);
    expect(r.txs[0]).toEqual({ index: 0, id: HEX, footprint: ["token1", "token2"], submittedSlot: 0, includedSlot: 1, finalSlot: 5, outcome: "committed", reason: null, extra: { executions: 2 } });
    expect(r.txs[1]).toEqual({ index: 1, id: "not-hex", footprint: [], submittedSlot: 1, includedSlot: null, finalSlot: null, outcome: "rejected", reason: "bad nonce", extra: { retries: 3 } });
    expect(r.txs[2]).toEqual({ index: 3, id: "AB".repeat(32), footprint: [""], submittedSlot: 2, includedSlot: null, finalSlot: null, outcome: "hung", reason: "never included", extra: {} });
    expect(r.summary.outcomes).toMatchObject({ committed: 1, rejected: 1, hung: 1 });
    // Extras come out in sorted key order.
    m.setExtra(0, "alpha", 1);
    expect(Object.keys(m.build("p", {}, {}, 6).txs[0]?.extra ?? {})).toEqual(["alpha", "executions"]);
    // Only the traced transaction's events are kept.
    expect(r.trace.every((e) => e.tx === 1)).toBe(true);
    expect(r.trace.map((e) => e.kind)).toEqual(["submit"]);
  });

  it("a resubmission starts afresh; equal footprints are shared, different ones kept apart", () => {
    const m = new MetricsRecorder(12);
    m.submit(0, HEX, ["a", "b"], 0);
    m.include(0, 1, "x");
    m.setExtra(0, "executions", 4);
    m.finish(0, 2, "aborted", "out of gas");
    m.submit(0, HEX, ["a", "b"], 3);
    m.submit(1, HEX, ["a\u0000b"], 3);
    m.submit(2, HEX, ["a", "b"], 3);
    m.submit(3, HEX, ["a\u0000", "b"], 3);
    m.submit(4, HEX, ["a", "\u0000b"], 3);
    const r = m.build("p", {}, {}, 4);
    expect(r.txs[0]).toMatchObject({ submittedSlot: 3, includedSlot: null, finalSlot: null, outcome: "hung", reason: "never included", extra: {} });
    expect(r.txs[1]?.footprint).toEqual(["a\u0000b"]);
    expect(r.txs[2]?.footprint).toEqual(["a", "b"]);
    expect(r.txs[3]?.footprint).toEqual(["a\u0000", "b"]);
    expect(r.txs[4]?.footprint).toEqual(["a", "\u0000b"]);
  });
});
