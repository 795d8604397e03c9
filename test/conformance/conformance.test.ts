/**
 * The shared conformance suite: every registered protocol runs the same workloads and must keep
 * the same invariants — every transaction classified, value conserved (tokens and beacon fees),
 * no receipt consumed twice, byte-identical results for one seed.
 */
import { describe, expect, it } from "vitest";
import { listProtocols } from "../../src/registry.js";
import { stringifyResults } from "../../src/runner.js";
import { OUTCOMES } from "../../src/types.js";
import { genesisSupplies, run, tokenTotals, workload } from "../helpers/run.js";

const WORKLOADS: [string, Record<string, number | string>][] = [
  ["transfer", { slots: 3, rate: 8, accounts: 12, contracts: 6, cross: 0.5 }],
  ["exchange", { slots: 3, rate: 6, accounts: 12, pools: 2, form: "direct" }],
  ["exchange", { slots: 3, rate: 4, accounts: 12, pools: 2, form: "naive" }],
  ["train-hotel", { slots: 3, rate: 8, accounts: 12, capacity: 6, pairs: 2 }],
  ["interconnect", { slots: 3, rate: 8, accounts: 12, contracts: 8, p: 0.6, k: 3 }],
  ["hotspot", { slots: 3, rate: 6, accounts: 12, contracts: 4 }],
];

for (const protocol of listProtocols().map((p) => p.name)) {
  describe(`conformance: ${protocol}`, () => {
    for (const [name, params] of WORKLOADS) {
      const label = `${name} ${JSON.stringify(params)}`;
      it(`${label}: classifies every transaction and conserves value`, () => {
        const w = workload(name, params);
        const out = run(protocol, w);
        const r = out.results;
        expect(r.schema).toBe("xshard.results/1");
        expect(r.txs).toHaveLength(w.submissions.length);
        expect(OUTCOMES.reduce((s, o) => s + r.summary.outcomes[o], 0)).toBe(w.submissions.length);
        for (const t of r.txs) {
          expect(OUTCOMES).toContain(t.outcome);
          if (t.outcome === "committed" || t.outcome === "aborted" || t.outcome === "partial") {
            expect(t.includedSlot).not.toBeNull();
            expect(t.finalSlot as number).toBeGreaterThanOrEqual(t.includedSlot as number);
          }
        }
        // Tokens: balances sum to the supply, and the supply is what genesis minted.
        const supplies = genesisSupplies(w);
        for (const token of w.tokens) {
          const kv = out.end.contracts.get(token);
          expect(kv, token).toBeDefined();
          const t = tokenTotals(kv!);
          expect(t.balances, token).toBe(supplies.get(token));
          expect(t.supply, token).toBe(supplies.get(token));
        }
        // Beacon value: fees move from senders to proposers, nothing is created or lost.
        let beacon = 0n;
        for (const v of out.end.beacon.values()) beacon += v;
        expect(beacon).toBe(out.end.beaconGenesisTotal);
        // Exactly-once receipts.
        for (const [id, n] of out.end.receiptConsumptions ?? []) expect(n, id).toBeLessThanOrEqual(1);
        // Most transactions of a light workload finish.
        expect(r.summary.outcomes.committed).toBeGreaterThan(0);
      });
    }

    it("is deterministic: same seed → byte-identical results; another seed differs", () => {
      const params = { slots: 3, rate: 6, accounts: 12, pools: 2 };
      const a = stringifyResults(run(protocol, workload("exchange", params, "42"), { seed: "42" }).results);
      const b = stringifyResults(run(protocol, workload("exchange", params, "42"), { seed: "42" }).results);
      const c = stringifyResults(run(protocol, workload("exchange", params, "43"), { seed: "43" }).results);
      expect(a).toBe(b);
      expect(a).not.toBe(c);
    });
  });
}
