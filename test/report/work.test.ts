/** The report's validator-work views: per final transaction (gas by kind, bytes, signatures) and gas per group per slot. */
import { describe, expect, it } from "vitest";
import type { ResultsFile } from "../../src/results/schema.js";
import { renderComparisonReport } from "../../src/report/html.js";
import { formatComparisonTable, toSummaryCsv } from "../../src/report/table.js";
import { computeGroupGas, computeWorkPerFinalTx } from "../../src/report/work.js";
import { WorkCollector } from "../../src/sim/work.js";
import { makeFixtureComparison } from "./fixtures.js";

/** The fixture runs with a work block each: protocol i executes (i + 1) × 1000 gas per slot per group, delayed also speculates. */
function withWork(): ResultsFile[] {
  return makeFixtureComparison().map((r, i) => {
    const c = new WorkCollector(2);
    for (let slot = 0; slot < 10; slot++) {
      for (const group of [0, 1]) c.onExecution(slot, group, slot, "execute", (i + 1) * 1000);
      if (r.protocol === "delayed") c.onExecution(slot, 1, slot, "speculate", 500);
      c.onTransfer(slot, r.protocol === "delayed" ? "witness" : "receipt", 100);
      c.onSignatures(slot, 4, 8);
    }
    const finals = r.summary.outcomes.committed + r.summary.outcomes.aborted + r.summary.outcomes.partial;
    return { ...r, work: c.build(9, finals) };
  });
}

const finalsOf = (r: ResultsFile): number => r.summary.outcomes.committed + r.summary.outcomes.aborted + r.summary.outcomes.partial;

describe("work per finalized transaction", () => {
  it("divides every total by the final transactions, gas split by kind (speculation its own part)", () => {
    const results = withWork();
    const rows = computeWorkPerFinalTx(results);
    const get = (protocol: string, measure: string, part: string): number | undefined => rows.find((r) => r.protocol === protocol && r.measure === measure && r.part === part)?.value;
    const delayed = results[0] as ResultsFile;
    expect(get("delayed", "gas", "execute")).toBeCloseTo(20000 / finalsOf(delayed), 9);
    expect(get("delayed", "gas", "speculate")).toBeCloseTo(5000 / finalsOf(delayed), 9);
    expect(get("delayed", "bytes", "witness")).toBeCloseTo(1000 / finalsOf(delayed), 9);
    expect(get("delayed", "signatures", "verified")).toBeCloseTo(80 / finalsOf(delayed), 9);
    const seq = results.find((r) => r.protocol === "receipts:sequential") as ResultsFile;
    expect(get("receipts:sequential", "gas", "execute")).toBeCloseTo(60000 / finalsOf(seq), 9);
    expect(get("receipts:sequential", "gas", "speculate")).toBe(0);
    expect(get("receipts:sequential", "bytes", "receipt")).toBeCloseTo(1000 / finalsOf(seq), 9);
    // Four protocols × (4 gas kinds + 3 byte kinds + 2 signature kinds).
    expect(rows).toHaveLength(4 * 9);
    // Results without a work block are left out.
    expect(computeWorkPerFinalTx(makeFixtureComparison())).toEqual([]);
  });

  it("gives gas per slot per group, every group of every slot", () => {
    const points = computeGroupGas(withWork());
    expect(points).toHaveLength(4 * 10 * 2);
    expect(points.find((p) => p.protocol === "delayed" && p.slot === 3 && p.group === 1)?.gas).toBe(1500);
    expect(points.find((p) => p.protocol === "receipts:passive" && p.slot === 9 && p.group === 0)?.gas).toBe(4000);
  });

  it("the report draws both charts, and the summary table, terminal table and CSV show gas per final transaction", async () => {
    const results = withWork();
    const html = await renderComparisonReport({ title: "work", results, generatedBy: "test" });
    const figures = new Map([...html.matchAll(/<figure id="([^"]+)"[^>]*>([\s\S]*?)<\/figure>/g)].map((m) => [m[1] as string, m[2] as string]));
    for (const id of ["work-per-final-tx", "gas-per-group"]) {
      const body = figures.get(id) as string;
      expect(body, id).toMatch(/<svg /);
      expect(body.match(/<(path|rect|line)\b/g)?.length ?? 0, id).toBeGreaterThan(20);
    }
    for (const label of ["metered gas per final tx", "bytes moved per final tx", "signatures per final tx", "speculate", "reexecute"]) expect(figures.get("work-per-final-tx")).toContain(`>${label}</text>`);
    expect(figures.get("gas-per-group")).toContain(">shard / committee 1</text>");
    expect(html).toContain("Validator work (once per shard / committee)");
    // Without work blocks neither chart is drawn.
    const plain = await renderComparisonReport({ title: "work", results: makeFixtureComparison(), generatedBy: "test" });
    expect(plain).not.toContain('id="work-per-final-tx"');
    expect(plain).not.toContain('id="gas-per-group"');

    const table = formatComparisonTable(results).split("\n");
    expect(table[0]).toMatch(/gas\/final tx$/);
    const delayed = results[0] as ResultsFile;
    expect(table[2]?.split(/ {2,}/).at(-1)).toBe(String(Math.round(25000 / finalsOf(delayed))));

    const [header, first] = toSummaryCsv(results).split("\r\n");
    const cells = new Map((header as string).split(",").map((h, i) => [h, (first as string).split(",")[i]]));
    expect(Number(cells.get("work.gasPerFinalTx"))).toBe(delayed.work?.perFinalTx.gas);
    expect(Number(cells.get("work.perFinalTx.speculate"))).toBe(delayed.work?.perFinalTx.speculate);
    expect(Number(cells.get("work.executionsPerTx.max"))).toBe(3);
  });
});
