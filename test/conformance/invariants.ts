/**
 * The invariants every protocol keeps on every run (the shared conformance suite): every
 * transaction classified once, final ones included no later than final, token value conserved,
 * beacon value conserved (fees move, nothing is created or lost), no receipt consumed twice.
 */
import { expect } from "vitest";
import type { ProtocolRunOutput } from "../../src/sim/protocol.js";
import { OUTCOMES } from "../../src/types.js";
import type { GeneratedWorkload } from "../../src/workloads/types.js";
import { genesisSupplies, tokenTotals } from "../helpers/run.js";

export function expectInvariants(w: GeneratedWorkload, out: ProtocolRunOutput): void {
  const r = out.results;
  expect(r.schema).toBe("xshard.results/1");
  expect(r.txs).toHaveLength(w.submissions.length);
  expect(OUTCOMES.reduce((s, o) => s + r.summary.outcomes[o], 0)).toBe(w.submissions.length);
  for (const t of r.txs) {
    expect(OUTCOMES).toContain(t.outcome);
    if (t.outcome === "committed" || t.outcome === "aborted" || t.outcome === "partial") {
      expect(t.includedSlot).not.toBeNull();
      expect(t.finalSlot as number).toBeGreaterThanOrEqual(t.includedSlot as number);
    } else expect(t.finalSlot).toBeNull();
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
}
