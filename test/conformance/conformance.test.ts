/**
 * The shared conformance suite: every registered protocol runs the same workloads and must keep
 * the same invariants — every transaction classified, value conserved (tokens and beacon fees),
 * no receipt consumed twice, byte-identical results for one seed.
 */
import { describe, expect, it } from "vitest";
import { listProtocols } from "../../src/registry.js";
import { stringifyResults } from "../../src/runner.js";
import { run, workload } from "../helpers/run.js";
import { expectInvariants } from "./invariants.js";

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
        expectInvariants(w, out);
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
