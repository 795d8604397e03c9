/** `xshard sweep`: the grid, reproducibility, and both cores used (runs the built binary: worker threads load dist/). */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { computeGrid, parseSweepParam } from "../../src/cli/sweepGrid.js";
import { toReportRows } from "../../src/report/sweep.js";
import { XshardError } from "../../src/errors.js";

describe("sweep grid", () => {
  it("parses name=v1,v2 and builds the cartesian product in a fixed order", () => {
    expect(parseSweepParam("p=0,0.5,1")).toEqual(["p", [0, 0.5, 1]]);
    expect(parseSweepParam("form=naive,direct")).toEqual(["form", ["naive", "direct"]]);
    expect(() => parseSweepParam("p")).toThrow(XshardError);
    expect(() => parseSweepParam("p=")).toThrow(XshardError);
    expect(computeGrid([["p", [0, 1]], ["k", [2, 3]]])).toEqual([
      { p: 0, k: 2 },
      { p: 0, k: 3 },
      { p: 1, k: 2 },
      { p: 1, k: 3 },
    ]);
  });

  it("with two parameters, each value of the second becomes its own line in the report", () => {
    const rows = toReportRows([{ protocol: "sync", params: { p: 0, k: 3 }, figures: {} }], "p");
    expect(rows).toEqual([{ protocol: "sync k=3", params: { p: 0 }, figures: {} }]);
  });
});

describe("xshard sweep (built binary)", () => {
  const sweep = (out: string) => {
    if (!existsSync("dist/cli/sweepWorker.js")) throw new Error("dist/ is missing: run `npm run build` (npm ci does it)");
    const values = Array.from({ length: 20 }, (_, i) => (i / 19).toFixed(3)).join(",");
    return spawnSync(
      process.execPath,
      ["bin/xshard.js", "sweep", "--workload", "interconnect", "--slots", "2", "--rate", "4", "--accounts", "8", "--validators", "8", "--committee-size", "4", "--no-signatures", "--protocols", "delayed:strict,delayed:conditional", "--param", `p=${values}`, "--seed", "5", "--out", out],
      { encoding: "utf8" },
    );
  };

  it("is reproducible with one seed and spreads 20 points over both cores", () => {
    const a = mkdtempSync(join(tmpdir(), "xshard-sweep-"));
    const b = mkdtempSync(join(tmpdir(), "xshard-sweep-"));
    const ra = sweep(a);
    const rb = sweep(b);
    expect(ra.status, ra.stderr).toBe(0);
    expect(rb.status, rb.stderr).toBe(0);
    expect(ra.stdout).toMatch(/20 points × 2 protocols in 2 worker thread\(s\)/);
    const csv = readFileSync(join(a, "sweep.csv"), "utf8");
    expect(csv).toBe(readFileSync(join(b, "sweep.csv"), "utf8"));
    expect(csv.trim().split("\n")).toHaveLength(1 + 40);
    expect(readFileSync(join(a, "report.html"), "utf8")).toMatch(/<svg/);
  });

  it("a bad swept value is one readable line and exit 2, not a stack trace from the worker", () => {
    const out = mkdtempSync(join(tmpdir(), "xshard-sweep-"));
    const r = spawnSync(
      process.execPath,
      ["bin/xshard.js", "sweep", "--workload", "interconnect", "--slots", "2", "--rate", "2", "--no-signatures", "--protocols", "delayed:strict", "--param", "p=0,2", "--out", out],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(2);
    // Progress lines (every few seconds when stderr is not a terminal) may come first; the error is one line, last.
    const lines = r.stderr.trim().split("\n");
    expect(lines.at(-1)).toBe("xshard: --p must be a number in [0, 1], got '2'");
    expect(lines.filter((l) => l.startsWith("xshard:"))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
