/** `xshard compare` on the seed's single swap: the table shows the seed's numbers. */
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import type { ResultsFile } from "../../src/results/schema.js";

let out = "";
beforeEach(() => {
  out = "";
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void (out += a.join(" ") + "\n"));
});
afterEach(() => vi.restoreAllMocks());

const inclToFinal = (r: ResultsFile) => r.txs[0]!.finalSlot! - r.txs[0]!.includedSlot!;
const read = (dir: string, protocol: string) => JSON.parse(readFileSync(join(dir, protocol.replace(/:/g, "-") + ".json"), "utf8")) as ResultsFile;

describe("xshard compare: one swap, exchange and both tokens on three shards", () => {
  for (const [form, hops] of [["naive", 4], ["direct", 2]] as const) {
    it(`${form}: receipts take ${hops} slots, delayed and lock2pc 1, and nothing is partial`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "xshard-compare-"));
      const code = await main(["compare", "--scenario", `scenarios/single-swap-${form}.json`, "--shards", "3", "--validators", "12", "--committee-size", "4", "--out", dir]);
      expect(code).toBe(0);
      for (const p of ["receipts:nonsequential", "receipts:sequential", "receipts:passive"]) {
        const r = read(dir, p);
        expect(r.txs[0]!.outcome, p).toBe("committed");
        expect(inclToFinal(r), p).toBe(hops);
        expect(r.summary.latencySeconds.inclusionToFinal.p50, p).toBe(hops * 12);
      }
      for (const p of ["delayed:strict", "delayed:conditional", "lock2pc"]) {
        expect(inclToFinal(read(dir, p)), p).toBe(1);
      }
      for (const p of ["delayed:strict", "delayed:conditional", "receipts:nonsequential", "sync", "lock2pc"]) expect(read(dir, p).summary.outcomes.partial, p).toBe(0);
      expect(existsSync(join(dir, "report.html"))).toBe(true);
      const csv = readFileSync(join(dir, "summary.csv"), "utf8").trim().split(/\r?\n/);
      expect(csv).toHaveLength(1 + 7);
      // The printed table has one row per protocol.
      for (const p of ["delayed:strict", "delayed:conditional", "receipts:nonsequential", "receipts:sequential", "receipts:passive", "sync", "lock2pc"]) expect(out).toContain(p);
    });
  }
});
