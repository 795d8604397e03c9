/**
 * Issue 12 goal 1: a single run may take its workload's submissions over (`handOverSubmissions`):
 * the two-stage chain's driver empties them once taken in, so each transaction is freed once it is
 * sequenced, and the results are the same bytes as a run that leaves them alone.
 */
import { describe, expect, it } from "vitest";
import { resolveRunConfig, runProtocol, stringifyResults } from "../../src/runner.js";
import { handOverSubmissions } from "../../src/workloads/index.js";
import { setHotTxLimit } from "../../src/protocols/delayed/logs.js";
import { FAST, workload } from "../helpers/run.js";

describe("handing a workload's submissions over to the run", () => {
  for (const protocol of ["delayed:conditional", "delayed:strict"]) {
    it(`${protocol}: empties them, frees sequenced transactions, same results`, async () => {
      const make = () => workload("transfer", { slots: 4, rate: 12, accounts: 10, contracts: 4, cross: 0.5 });
      const config = resolveRunConfig({ ...FAST, protocol });
      const kept = make();
      const plain = stringifyResults(runProtocol(config, kept).results);
      expect(kept.submissions.length).toBe(48);

      const old = setHotTxLimit(2);
      try {
        const given = make();
        const freed = { n: 0 };
        const registry = new FinalizationRegistry<number>(() => void freed.n++);
        for (const s of given.submissions) registry.register(s.tx, s.index);
        const out = runProtocol(config, handOverSubmissions(given));
        expect(given.submissions.length).toBe(0);
        expect(stringifyResults(out.results)).toBe(plain);
        const gc = (globalThis as { gc?: () => void }).gc;
        if (gc) {
          // Under --expose-gc: the state keeps encodings, not the transactions (but the two newest).
          for (let i = 0; i < 5 && freed.n < 40; i++) {
            gc();
            await new Promise((r) => setTimeout(r, 10));
          }
          expect(freed.n).toBeGreaterThanOrEqual(40);
        }
      } finally {
        setHotTxLimit(old);
      }
    });
  }
});
