/**
 * Issue 11 ("What it must show" #2): every registered protocol runs under every network model
 * (`fixed`, `uniform`, `lognormal` — delays that vary, so messages overtake each other) and with
 * 10 % of the validators offline, and keeps the shared invariants: every transaction classified,
 * value conserved, no receipt consumed twice, and a rerun with the same seed gives byte-identical
 * results. Small workloads: cross-shard hops (naive swaps) and multi-contract transactions.
 */
import { describe, expect, it } from "vitest";
import { listProtocols } from "../../src/registry.js";
import { stringifyResults } from "../../src/runner.js";
import type { RunConfig } from "../../src/sim/protocol.js";
import { run, workload } from "../helpers/run.js";
import { expectInvariants } from "./invariants.js";

const CONDITIONS: [string, Partial<RunConfig>][] = [
  ["fixed network", { network: { kind: "fixed", ms: 500 } }],
  ["uniform network", { network: { kind: "uniform", min: 100, max: 20_000 } }],
  ["lognormal network", { network: { kind: "lognormal", median: 2000, sigma: 1, max: 30_000 } }],
  ["10 % offline validators", { offlineShare: 0.1, validators: 40, committeeSize: 10 }],
];

const WORKLOADS: [string, Record<string, number | string>][] = [
  ["exchange", { slots: 3, rate: 3, accounts: 10, pools: 2, form: "naive" }],
  ["interconnect", { slots: 3, rate: 5, accounts: 10, contracts: 8, p: 0.6, k: 3 }],
];

for (const protocol of listProtocols().map((p) => p.name)) {
  describe(`conformance under network models and faults: ${protocol}`, () => {
    for (const [condition, config] of CONDITIONS) {
      for (const [name, params] of WORKLOADS) {
        it(`${condition}, ${name}: invariants hold and a rerun is byte-identical`, () => {
          const w = workload(name, params, "5");
          const cfg = { ...config, seed: "5" };
          const out = run(protocol, w, cfg);
          expectInvariants(w, out);
          expect(out.results.summary.outcomes.committed).toBeGreaterThan(0);
          if (config.offlineShare) {
            expect(out.results.liveness?.offlineValidators).toHaveLength(4);
            expect(out.results.summary.protocol["missedSlots"]).toBeGreaterThanOrEqual(0);
          } else expect(out.results.liveness).toBeUndefined();
          expect(stringifyResults(run(protocol, w, cfg).results)).toBe(stringifyResults(out.results));
        });
      }
    }
  });
}
