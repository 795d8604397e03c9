import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/sim/events.js";
import { RngStreams } from "../../src/sim/rng.js";
import { computeLatencyStats } from "../../src/sim/metrics.js";
import { createNetworkModel, parseNetworkSpec } from "../../src/sim/network.js";
import { XshardError } from "../../src/errors.js";

describe("seeded random streams", () => {
  it("same seed and purpose give the same draws; another purpose or seed differs", () => {
    const a = new RngStreams("7").get("proposer");
    const b = new RngStreams("7").get("proposer");
    const c = new RngStreams("7").get("workload");
    const d = new RngStreams("8").get("proposer");
    const da = Array.from({ length: 20 }, () => a.nextU32());
    expect(Array.from({ length: 20 }, () => b.nextU32())).toEqual(da);
    expect(Array.from({ length: 20 }, () => c.nextU32())).not.toEqual(da);
    expect(Array.from({ length: 20 }, () => d.nextU32())).not.toEqual(da);
  });

  it("draws from one purpose do not shift another's", () => {
    const s1 = new RngStreams("1");
    const s2 = new RngStreams("1");
    s1.get("noise").nextU32();
    s1.get("noise").nextU32();
    expect(s1.get("x").nextU32()).toBe(s2.get("x").nextU32());
  });

  it("weighted choice follows the weights", () => {
    const r = new RngStreams("w").get("w");
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.weighted([1, 2, 7])]!++;
    expect(counts[0]! / 30_000).toBeCloseTo(0.1, 1);
    expect(counts[2]! / 30_000).toBeCloseTo(0.7, 1);
  });

  it("shuffle is a permutation and sample gives distinct indices", () => {
    const r = new RngStreams("s").get("s");
    const xs = Array.from({ length: 50 }, (_, i) => i);
    expect(r.shuffle(xs).slice().sort((a, b) => a - b)).toEqual(xs);
    const s = r.sample(10, 4);
    expect(new Set(s).size).toBe(4);
    expect(() => r.int(0)).toThrow(XshardError);
  });
});

describe("event queue", () => {
  it("runs events in time order, ties in scheduling order", () => {
    const q = new EventQueue();
    const seen: string[] = [];
    q.schedule(10, () => seen.push("b"));
    q.schedule(5, () => seen.push("a"));
    q.schedule(10, () => seen.push("c"));
    q.schedule(20, () => seen.push("d"));
    q.runUntil(15);
    expect(seen).toEqual(["a", "b", "c"]);
    expect(q.now).toBe(15);
    q.runUntil(100);
    expect(seen).toEqual(["a", "b", "c", "d"]);
  });

  it("refuses events in the past and non-integer times", () => {
    const q = new EventQueue();
    q.runUntil(50);
    expect(() => q.schedule(49, () => {})).toThrow(/EVENT_IN_PAST|scheduled/);
    expect(() => q.schedule(60.5, () => {})).toThrow(XshardError);
  });
});

describe("metrics", () => {
  it("nearest-rank quantiles", () => {
    const s = computeLatencyStats([5, 1, 4, 2, 3, 6, 7, 8, 9, 10]);
    expect(s).toMatchObject({ count: 10, p50: 5, p90: 9, p99: 10, max: 10, mean: 5.5 });
    expect(computeLatencyStats([])).toMatchObject({ count: 0, p50: null });
  });
});

describe("network models", () => {
  it("parses specs and refuses bad ones", () => {
    expect(parseNetworkSpec("fixed:500")).toEqual({ kind: "fixed", ms: 500 });
    expect(parseNetworkSpec("uniform:10:20")).toEqual({ kind: "uniform", min: 10, max: 20 });
    expect(() => parseNetworkSpec("gauss:1")).toThrow(XshardError);
    expect(() => parseNetworkSpec("fixed:x")).toThrow(XshardError);
    expect(() => createNetworkModel({ kind: "uniform", min: 5, max: 1 })).toThrow(XshardError);
  });

  it("uniform delays stay within bounds and are seeded", () => {
    const m = createNetworkModel({ kind: "uniform", min: 100, max: 200 });
    const r1 = new RngStreams("n").get("net");
    const r2 = new RngStreams("n").get("net");
    const d1 = Array.from({ length: 100 }, () => m.delayMs(r1));
    expect(d1.every((d) => d >= 100 && d <= 200)).toBe(true);
    expect(Array.from({ length: 100 }, () => m.delayMs(r2))).toEqual(d1);
  });
});
