/**
 * The invariants of the conformance suite (test/conformance/conformance.test.ts) as one function,
 * for tests that draw their own runs: every transaction classified, value conserved (tokens and
 * beacon fees), no receipt consumed twice.
 */
import { expect } from "vitest";
import { OUTCOMES } from "../../src/types.js";
import type { ProtocolRunOutput } from "../../src/sim/protocol.js";
import type { GeneratedWorkload } from "../../src/workloads/types.js";
import { genesisSupplies, tokenTotals } from "./run.js";

export function expectConformingRun(w: GeneratedWorkload, out: ProtocolRunOutput, label = ""): void {
  const r = out.results;
  expect(r.schema, label).toBe("xshard.results/1");
  expect(r.txs, label).toHaveLength(w.submissions.length);
  expect(OUTCOMES.reduce((s, o) => s + r.summary.outcomes[o], 0), label).toBe(w.submissions.length);
  for (const t of r.txs) {
    expect(OUTCOMES, label).toContain(t.outcome);
    if (t.outcome === "committed" || t.outcome === "aborted" || t.outcome === "partial") {
      expect(t.includedSlot, label).not.toBeNull();
      expect(t.finalSlot as number, label).toBeGreaterThanOrEqual(t.includedSlot as number);
    }
  }
  const supplies = genesisSupplies(w);
  for (const token of w.tokens) {
    const kv = out.end.contracts.get(token);
    expect(kv, `${label} ${token}`).toBeDefined();
    const t = tokenTotals(kv!);
    expect(t.balances, `${label} ${token}`).toBe(supplies.get(token));
    expect(t.supply, `${label} ${token}`).toBe(supplies.get(token));
  }
  let beacon = 0n;
  for (const v of out.end.beacon.values()) beacon += v;
  expect(beacon, `${label} beacon value`).toBe(out.end.beaconGenesisTotal);
  for (const [id, n] of out.end.receiptConsumptions ?? []) expect(n, `${label} receipt ${id}`).toBeLessThanOrEqual(1);
}
