/**
 * Issue 12 item 1: a run without faults keeps what the rules still need, not every transaction's
 * working data — once a transaction is final its committees' results, and at each of its positions
 * the pre-state, its root, its result leaf and the roots it assumed, are released. Proofs are built
 * from what the driver records (test/protocols/delayed-outcomes.test.ts checks them).
 */
import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "../../src/runner.js";
import { DelayedSimulation } from "../../src/sim/delayed/driver.js";
import { getAffirmedIdx } from "../../src/protocols/delayed/state.js";
import { FAST, workload } from "../helpers/run.js";

function runSim(mode: "conditional" | "strict", options: Record<string, string | number> = {}): DelayedSimulation {
  const w = workload("transfer", { slots: 4, rate: 12, accounts: 10, contracts: 4, cross: 0.5 });
  const config = resolveRunConfig({ ...FAST, protocol: `delayed:${mode}`, options });
  const sim = new DelayedSimulation({ config, workload: w }, "delayed", mode);
  const out = sim.run();
  expect(out.results.summary.outcomes.committed).toBe(w.submissions.length);
  return sim;
}

describe("delayed: a final transaction's working data is released", () => {
  for (const mode of ["conditional", "strict"] as const) {
    it(`${mode}: no committee result, pre-state, root, leaf or assumption is held below the affirmed state`, () => {
      const sim = runSim(mode);
      expect(sim.records.length).toBeGreaterThan(0);
      for (let seq = 0; seq < sim.records.length; seq++) {
        expect(sim.records.getFinalBlock(seq)).toBeDefined();
        expect(sim.records.getOutcome(seq)).toBeDefined();
        expect(sim.local.txs[seq]).toBeUndefined();
      }
      let released = 0;
      for (const r of sim.chain.contracts.values()) {
        const f = sim.local.frontiers.get(r.id);
        if (!f || r.queue.length === 0) continue;
        for (let pos = 0; pos < Math.min(getAffirmedIdx(r), f.localIdx); pos++) {
          expect(f.snaps[pos]).toBeUndefined();
          expect(f.roots[pos]).toBeUndefined();
          expect(f.leaves[pos]).toBeUndefined();
          expect(f.leafRoots[pos]).toBeUndefined();
          expect(f.assumed[pos]).toBeUndefined();
          released++;
        }
        // The live frontier's state stays.
        expect(f.snaps[f.localIdx]).toBeDefined();
      }
      expect(released).toBeGreaterThan(20);
    });
  }

  it("a run with faults keeps every state (a fraud proof may roll any back)", () => {
    const sim = runSim("conditional", { wrongSigners: "0:0.2" });
    expect(sim.local.txs.some((t) => t !== undefined)).toBe(true);
  });
});
