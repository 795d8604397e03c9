import { describe, expect, it } from "vitest";
import { isXshardError } from "../../src/errors.js";
import type { ResultsFile, TxRecord } from "../../src/results/schema.js";
import {
  assertComparableResults,
  assertValidSweep,
  comparePlaces,
  computeConfigSplit,
  computeLatencyCdf,
  computeOutcomeCounts,
  computeProtocolColors,
  computeSlotSeries,
  computeSweepPoints,
  computeTimeline,
  getSweepValues,
  getTimelineTx,
  NO_PLACE,
  type SweepRow,
} from "../../src/report/model.js";
import { OUTCOMES } from "../../src/types.js";
import { FIXTURE_TRACED_TX, makeFixtureComparison, makeFixtureResults, makeFixtureSweep } from "./fixtures.js";

/** The `code` of the XshardError thrown by `fn` (fails if it does not throw one). */
function getErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isXshardError(e)) return e.code;
    throw e;
  }
  throw new Error("expected an XshardError");
}

function makeTx(index: number, submittedSlot: number, finalSlot: number | null): TxRecord {
  return {
    index,
    id: index.toString(16).padStart(64, "0"),
    footprint: ["a"],
    submittedSlot,
    includedSlot: finalSlot === null ? null : submittedSlot,
    finalSlot,
    outcome: finalSlot === null ? "rejected" : "committed",
    reason: finalSlot === null ? "bad-nonce" : null,
    extra: {},
  };
}

/** A fixture result with its transactions replaced. */
function withTxs(protocol: string, txs: TxRecord[]): ResultsFile {
  return { ...makeFixtureResults("delayed"), protocol, txs };
}

describe("assertComparableResults", () => {
  it("accepts the fixture and rejects empty, foreign-schema and duplicate inputs", () => {
    const results = makeFixtureComparison();
    expect(() => assertComparableResults(results)).not.toThrow();
    expect(getErrorCode(() => assertComparableResults([]))).toBe("REPORT_NO_RESULTS");
    const foreign = { ...results[0], schema: "xshard.results/0" } as unknown as ResultsFile;
    expect(getErrorCode(() => assertComparableResults([foreign]))).toBe("REPORT_BAD_SCHEMA");
    expect(getErrorCode(() => assertComparableResults([results[0] as ResultsFile, results[0] as ResultsFile]))).toBe(
      "REPORT_DUPLICATE_PROTOCOL",
    );
  });
});

describe("computeProtocolColors", () => {
  it("gives known protocols their fixed colour whatever the order, and unknown ones distinct colours", () => {
    const a = computeProtocolColors(["delayed", "receipts:passive", "mystery", "other"]);
    const b = computeProtocolColors(["other", "receipts:passive", "delayed"]);
    expect(a.get("delayed")).toBe(b.get("delayed"));
    expect(a.get("receipts:passive")).toBe(b.get("receipts:passive"));
    expect(new Set(a.values()).size).toBe(4);
    for (const c of a.values()) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("still colours every protocol when there are more than the palette holds", () => {
    const many = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const colors = computeProtocolColors(many);
    expect(colors.size).toBe(20);
  });
});

describe("computeLatencyCdf", () => {
  it("steps over all submitted transactions, starts at 0 and extends every curve to the largest latency", () => {
    const fast = withTxs("fast", [makeTx(0, 1, 1), makeTx(1, 1, 2), makeTx(2, 2, 3), makeTx(3, 0, 3), makeTx(4, 0, null)]);
    const slow = withTxs("slow", [makeTx(0, 0, 5), makeTx(1, 0, null)]);
    expect(computeLatencyCdf([fast, slow])).toEqual([
      { protocol: "fast", slots: 0, share: 0.2 },
      { protocol: "fast", slots: 1, share: 0.6 },
      { protocol: "fast", slots: 3, share: 0.8 },
      { protocol: "fast", slots: 5, share: 0.8 },
      { protocol: "slow", slots: 0, share: 0 },
      { protocol: "slow", slots: 5, share: 0.5 },
    ]);
  });

  it("ends each fixture curve at the share of transactions that became final", () => {
    const results = makeFixtureComparison();
    const points = computeLatencyCdf(results);
    for (const r of results) {
      const own = points.filter((p) => p.protocol === r.protocol);
      const shares = own.map((p) => p.share);
      expect(shares).toEqual([...shares].sort((x, y) => x - y));
      expect(own[own.length - 1]?.share).toBeCloseTo(r.txs.filter((t) => t.finalSlot !== null).length / r.txs.length, 12);
      expect(own[own.length - 1]?.slots).toBe(Math.max(...points.map((p) => p.slots)));
    }
  });
});

describe("computeOutcomeCounts", () => {
  it("lists every outcome of every protocol in OUTCOMES order with the summary's counts", () => {
    const results = makeFixtureComparison();
    const counts = computeOutcomeCounts(results);
    expect(counts).toHaveLength(results.length * OUTCOMES.length);
    for (const c of counts) {
      const r = results.find((x) => x.protocol === c.protocol) as ResultsFile;
      expect(c.count).toBe(r.summary.outcomes[c.outcome]);
      expect(OUTCOMES[c.rank]).toBe(c.outcome);
    }
  });
});

describe("computeSlotSeries", () => {
  it("gathers each series over the protocols that report it, known names first", () => {
    const series = computeSlotSeries(makeFixtureComparison());
    expect(series.map((s) => [s.name, s.perShard, s.protocols])).toEqual([
      ["lag", false, ["delayed"]],
      ["affirmed", false, ["delayed"]],
      ["stage2Blocks", false, ["delayed"]],
      ["receiptQueue", false, ["receipts:nonsequential", "receipts:sequential", "receipts:passive"]],
      ["baseFee", true, ["receipts:nonsequential", "receipts:sequential", "receipts:passive"]],
    ]);
    const baseFee = series[4];
    expect(baseFee?.points).toHaveLength(3 * 60 * 4);
    expect(new Set(baseFee?.points.map((p) => p.shard))).toEqual(new Set([0, 1, 2, 3]));
  });

  it("throws when one series name is a number in one place and an array in another", () => {
    const [a, b] = makeFixtureComparison() as [ResultsFile, ResultsFile];
    const clash = { ...b, slots: b.slots.map((s) => ({ ...s, series: { lag: [1, 2] } })) };
    expect(getErrorCode(() => computeSlotSeries([a, clash]))).toBe("REPORT_SERIES_SHAPE");
  });
});

describe("timeline", () => {
  it("picks the transaction every protocol traced, or the requested one, and refuses an untraced one", () => {
    const results = makeFixtureComparison();
    expect(getTimelineTx(results)).toBe(FIXTURE_TRACED_TX);
    expect(getTimelineTx(results, FIXTURE_TRACED_TX)).toBe(FIXTURE_TRACED_TX);
    expect(getErrorCode(() => getTimelineTx(results, 8))).toBe("REPORT_TX_NOT_TRACED");
    expect(getTimelineTx(results.map((r) => ({ ...r, trace: [] })))).toBeNull();
    const disjoint = results.map((r, i) => ({ ...r, trace: r.trace.map((e) => ({ ...e, tx: 100 - i })) }));
    expect(getTimelineTx(disjoint)).toBe(100);
  });

  it("orders places user, stage1, beacon, committees, shards (numerically), others", () => {
    const places = ["shard:10", "zone", "committee:2", "shard:2", "beacon", "stage1", "user", "committee:0"];
    expect([...places].sort(comparePlaces)).toEqual(["user", "stage1", "beacon", "committee:0", "committee:2", "shard:2", "shard:10", "zone"]);
  });

  it("puts events recorded without a place on their own row", () => {
    const r = makeFixtureResults("delayed");
    const unplaced = { ...r, trace: r.trace.map((e) => (e.kind === "final" ? { ...e, where: "" } : e)) };
    const events = computeTimeline([unplaced], FIXTURE_TRACED_TX);
    expect(events.filter((e) => e.where === NO_PLACE).map((e) => e.kind)).toEqual(["final"]);
  });

  it("places each event inside its slot's band, in the order of the transaction's life", () => {
    const results = makeFixtureComparison();
    const events = computeTimeline(results, FIXTURE_TRACED_TX);
    for (const r of results) {
      const own = events.filter((e) => e.protocol === r.protocol);
      expect(own.length).toBe(r.trace.filter((e) => e.tx === FIXTURE_TRACED_TX).length);
      own.forEach((e, i) => {
        expect(e.seq).toBe(i);
        expect(e.x).toBeGreaterThan(e.slot);
        expect(e.x).toBeLessThan(e.slot + 1);
        if (i > 0) expect(e.x).toBeGreaterThan((own[i - 1] as { x: number }).x);
      });
    }
  });
});

describe("computeConfigSplit", () => {
  it("separates keys every run shares from keys that differ", () => {
    const split = computeConfigSplit(makeFixtureComparison());
    expect(split.shared.map((s) => s.key)).toEqual(["seed", "workload", "txs", "slots", "slotSeconds", "contracts", "trace"]);
    const mode = split.differing.find((d) => d.key === "mode");
    expect(mode?.values).toEqual(["conditional", undefined, undefined, undefined]);
    const shards = split.differing.find((d) => d.key === "shards");
    expect(shards?.values).toEqual([undefined, 4, 4, 4]);
  });
});

describe("sweeps", () => {
  it("refuses empty sweeps, rows without the parameter, and two rows for one protocol and value", () => {
    const rows = makeFixtureSweep();
    expect(() => assertValidSweep("crossContractShare", rows)).not.toThrow();
    expect(getErrorCode(() => assertValidSweep("crossContractShare", []))).toBe("REPORT_NO_RESULTS");
    expect(getErrorCode(() => assertValidSweep("committees", rows))).toBe("REPORT_SWEEP_PARAM_MISSING");
    expect(getErrorCode(() => assertValidSweep("crossContractShare", [...rows, rows[0] as SweepRow]))).toBe("REPORT_SWEEP_DUPLICATE_ROW");
  });

  it("leaves out null figures and sorts numeric parameter values", () => {
    const rows: SweepRow[] = [
      { protocol: "b", params: { n: 4 }, figures: { f: 2 } },
      { protocol: "a", params: { n: 1 }, figures: { f: null } },
      { protocol: "b", params: { n: 1 }, figures: { f: 1 } },
      { protocol: "a", params: { n: 4 }, figures: { f: 3 } },
    ];
    expect(getSweepValues("n", rows)).toEqual([1, 4]);
    expect(computeSweepPoints("n", rows, "f")).toEqual([
      { protocol: "b", x: 1, value: 1 },
      { protocol: "b", x: 4, value: 2 },
      { protocol: "a", x: 4, value: 3 },
    ]);
    expect(getSweepValues("n", [{ protocol: "a", params: { n: "wide" }, figures: {} }, { protocol: "a", params: { n: "narrow" }, figures: {} }])).toEqual([
      "wide",
      "narrow",
    ]);
  });
});
