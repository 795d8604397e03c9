/**
 * Liveness faults (issue 11 §4): `--offline SHARE` takes a seeded share of the validators offline
 * (they never sign or propose), optionally only over `--offline-from..--offline-until`. Per protocol:
 * with 10 % offline some proposals are missed and everything still finalizes; with 40 % offline over
 * slots 2..5 groups stall exactly in that window and finality resumes after it; `offlineShare: 0`
 * is byte-identical to no fault at all. (The schedule itself: test/sim/liveness.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { listProtocols } from "../../src/registry.js";
import { DegradationRecorder, createLivenessSchedule, hasOnlineQuorum } from "../../src/sim/liveness.js";
import { runConfigFromFlags } from "../../src/cli/options.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../../src/runner.js";
import type { RunConfig } from "../../src/sim/protocol.js";
import type { ResultsFile } from "../../src/results/schema.js";
import { run, workload } from "../helpers/run.js";
import { expectInvariants } from "../conformance/invariants.js";

const PROTOCOLS = listProtocols()
  .filter((p) => p.inCompare !== false)
  .map((p) => p.name);

const BASE: Partial<RunConfig> = { validators: 64, committeeSize: 16, shards: 4, signatures: false, drainSlots: 40 };
const W = (): ReturnType<typeof workload> => workload("transfer", { slots: 8, rate: 6, accounts: 12, contracts: 6, cross: 0.5 });

const finalizedIn = (r: ResultsFile, from: number, until: number): number => r.slots.filter((s) => s.slot >= from && s.slot < until).reduce((a, s) => a + s.finalized, 0);

describe("degradation figures", () => {
  it("a quorum needs 2/3 of the stake online, inside the window only", () => {
    const s = createLivenessSchedule({ seed: "1", validators: 6, offlineShare: 0.5, offlineFrom: 2, offlineUntil: 4 });
    const off = [...s.offlineValidators][0] as number;
    expect([1, 2, 3, 4].map((slot) => s.isOnline(off, slot))).toEqual([true, false, false, true]);
    const members = Array.from({ length: 6 }, (_, index) => ({ index, stake: 1 }) as never);
    expect(hasOnlineQuorum(s, members, 2)).toBe(false); // 3 of 6 online
    expect(hasOnlineQuorum(s, members, 4)).toBe(true);
  });

  it("merges stalled slots into intervals per group", () => {
    const d = new DegradationRecorder({ seed: "1", validators: 10, offlineShare: 0.2, offlineFrom: 0, offlineUntil: null }, ["shard"], "shard");
    for (const s of [3, 4, 5, 8]) d.recordStall(1, s);
    d.recordStall(0, 4);
    d.recordMissed("shard", 4);
    expect(d.getIntervals()).toEqual([
      { group: 0, from: 4, until: 5 },
      { group: 1, from: 3, until: 6 },
      { group: 1, from: 8, until: 9 },
    ]);
    expect(d.computeSummary()).toEqual({ missedSlotsShard: 1, missedSlots: 1, stalledGroups: 2, stalledGroupSlots: 5 });
    expect(d.computeSeries(4)).toEqual({ missed: 1, stalled: 2 });
  });
});

for (const protocol of PROTOCOLS) {
  describe(`liveness faults: ${protocol}`, () => {
    it("10 % offline: some proposals are missed, every transaction still finalizes", () => {
      const w = W();
      const out = run(protocol, w, { ...BASE, offlineShare: 0.1 });
      const r = out.results;
      expectInvariants(w, out);
      expect(r.summary.protocol["missedSlots"] as number).toBeGreaterThan(0);
      expect(r.liveness?.offlineValidators).toHaveLength(6);
      expect(r.summary.outcomes.hung).toBe(0);
      expect(r.summary.outcomes.committed).toBeGreaterThan(0);
      expect(r.slots.reduce((a, s) => a + (s.series["missed"] as number), 0)).toBe(r.summary.protocol["missedSlots"]);
    });

    it("40 % offline over slots 2..5: groups stall in the window only, finality resumes after it", () => {
      const w = W();
      const healthy = run(protocol, w, BASE).results;
      const out = run(protocol, w, { ...BASE, offlineShare: 0.4, offlineFrom: 2, offlineUntil: 6 });
      const r = out.results;
      expectInvariants(w, out);
      const intervals = r.liveness?.stalled.intervals ?? [];
      expect(intervals.length).toBeGreaterThan(0);
      for (const i of intervals) {
        expect(i.from).toBeGreaterThanOrEqual(2);
        expect(i.until).toBeLessThanOrEqual(6);
      }
      expect(intervals.some((i) => i.from === 2 && i.until === 6)).toBe(true);
      expect(r.summary.protocol["stalledGroups"]).toBe(new Set(intervals.map((i) => i.group)).size);
      // Finality: less in the window than without the fault; everything final afterwards.
      expect(finalizedIn(r, 2, 6)).toBeLessThan(finalizedIn(healthy, 2, 6));
      expect(finalizedIn(r, 6, r.slots.length)).toBeGreaterThan(finalizedIn(healthy, 6, healthy.slots.length));
      expect(r.summary.outcomes.hung).toBe(0);
      expect(r.summary.outcomes.committed + r.summary.outcomes.aborted).toBe(w.submissions.length);
      // Nothing is missed outside the window.
      for (const s of r.slots) if (s.slot < 2 || s.slot >= 6) expect(s.series["missed"], `slot ${s.slot}`).toBe(0);
    });

    it("--offline 0 (with or without a window) is byte-identical to no flag", () => {
      const w = workload("transfer", { slots: 3, rate: 6, accounts: 12, contracts: 6, cross: 0.5 });
      const fromFlags = (flags: Record<string, string>): string => stringifyResults(runProtocol(resolveRunConfig({ ...runConfigFromFlags({ ...flags }, protocol), ...BASE }), w).results);
      expect(fromFlags({ offline: "0" })).toBe(fromFlags({}));
      const plain = stringifyResults(run(protocol, w).results);
      const windowed = run(protocol, w, { offlineShare: 0, offlineFrom: 1, offlineUntil: 2 }).results;
      expect(windowed.liveness).toBeUndefined();
      expect(windowed.summary).toEqual(JSON.parse(plain).summary);
    });
  });
}
