import { describe, expect, it } from "vitest";
import { computeOfflineValidators, createLivenessSchedule } from "../../src/sim/liveness.js";
import { resolveRunConfig } from "../../src/runner.js";
import { runConfigFromFlags } from "../../src/cli/options.js";

describe("liveness schedule (--offline)", () => {
  it("takes round(share × count) validators offline, the same for the same seed, others for another", () => {
    const a = computeOfflineValidators("s", 64, 0.1);
    expect(a.size).toBe(6);
    expect([...computeOfflineValidators("s", 64, 0.1)]).toEqual([...a]);
    expect([...computeOfflineValidators("t", 64, 0.1)].sort()).not.toEqual([...a].sort());
    for (const i of a) expect(i >= 0 && i < 64).toBe(true);
    expect(computeOfflineValidators("s", 64, 0).size).toBe(0);
    // a larger share contains the smaller one (the same ranking)
    const b = computeOfflineValidators("s", 64, 0.5);
    for (const i of a) expect(b.has(i)).toBe(true);
  });

  it("is offline only inside [from, until)", () => {
    const cfg = resolveRunConfig({ protocol: "delayed", seed: "s", validators: 64, offlineShare: 0.25, offlineFrom: 3, offlineUntil: 5 });
    const sched = createLivenessSchedule(cfg);
    const v = [...sched.offlineValidators][0] as number;
    expect(sched.isOnline(v, 2)).toBe(true);
    expect(sched.isOnline(v, 3)).toBe(false);
    expect(sched.isOnline(v, 4)).toBe(false);
    expect(sched.isOnline(v, 5)).toBe(true);
    expect(sched.anyOffline(4)).toBe(true);
    expect(sched.anyOffline(5)).toBe(false);
    const online = [...Array(64).keys()].find((i) => !sched.offlineValidators.has(i)) as number;
    expect(sched.isOnline(online, 4)).toBe(true);
  });

  it("refuses out-of-range shares and windows with a typed error", () => {
    expect(() => resolveRunConfig({ protocol: "delayed", offlineShare: 1 })).toThrow(/offlineShare/);
    expect(() => resolveRunConfig({ protocol: "delayed", offlineShare: -0.1 })).toThrow(/offlineShare/);
    expect(() => resolveRunConfig({ protocol: "delayed", offlineFrom: 5, offlineUntil: 5 })).toThrow(/offlineUntil/);
    expect(() => resolveRunConfig({ protocol: "delayed", slotGas: 10 })).toThrow(/slotGas/);
  });

  it("reads --offline, --offline-from, --offline-until and --slot-gas from flags", () => {
    const c = runConfigFromFlags({ offline: "0.1", offlineFrom: "2", offlineUntil: "9", slotGas: "3000000" }, "delayed");
    expect(c).toMatchObject({ offlineShare: 0.1, offlineFrom: 2, offlineUntil: 9, slotGas: 3_000_000 });
    expect(() => runConfigFromFlags({ offline: "0x1" }, "delayed")).toThrow(/--offline must be/);
  });
});
