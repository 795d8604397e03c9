/**
 * Execution budgets of the two-stage chain (issue 11 §1, docs/protocols/resources.md): the pure
 * rules, and a run in which the Stage-2 budget binds — every committee's gas per slot stays within
 * it, what does not fit waits and shows as lag, and with budget to spare the same stream is final
 * one slot after inclusion.
 */
import { describe, expect, it } from "vitest";
import { computeNextBaseFee } from "../../src/chain/fees.js";
import { computeExecutionGas, computeNextStage1BaseFee, computeStage1GasLimit, computeStage2Budget, isBatchWithinBudget, isWithinStage2Budget } from "../../src/protocols/delayed/budget.js";
import type { DelayedParams } from "../../src/protocols/delayed/state.js";
import type { ResultsFile } from "../../src/results/schema.js";
import { run, scenario } from "../helpers/run.js";

describe("delayed: budget rules", () => {
  it("the Stage-2 budget splits slotGas over the slot's Stage-2 blocks; Stage 1 declares slotGas × committees", () => {
    expect(computeStage2Budget({ slotGas: 2_000_000, stage2PerSlot: 1 })).toBe(2_000_000);
    expect(computeStage2Budget({ slotGas: 2_000_000, stage2PerSlot: 3 })).toBe(666_666);
    expect(computeStage1GasLimit({ slotGas: 2_000_000, committees: 4 })).toBe(8_000_000n);
  });

  it("an execution fits while the round stays within the budget; the round's first always fits", () => {
    expect(isWithinStage2Budget(0, 5_000_000, 2_000_000)).toBe(true);
    expect(isWithinStage2Budget(1_500_000, 500_000, 2_000_000)).toBe(true);
    expect(isWithinStage2Budget(1_500_000, 500_001, 2_000_000)).toBe(false);
    expect(isBatchWithinBudget(2_000_000, 40, 2_000_000)).toBe(true);
    expect(isBatchWithinBudget(5_000_000, 1, 2_000_000)).toBe(true);
    expect(isBatchWithinBudget(2_000_001, 2, 2_000_000)).toBe(false);
  });

  it("an execution costs its instructions, a fixed 2,000 and 4 per witness byte (as a receipts segment)", () => {
    expect(computeExecutionGas(10_000n, 0)).toBe(12_000);
    expect(computeExecutionGas(10_000n, 100)).toBe(12_400);
  });

  it("Stage 1's base fee is the shared EIP-1559 rule over declared gas", () => {
    const p = { slotGas: 1_000_000, committees: 2 } as DelayedParams;
    expect(computeNextStage1BaseFee(p, 80n, 2_000_000n)).toBe(90n);
    expect(computeNextStage1BaseFee(p, 80n, 0n)).toBe(70n);
    expect(computeNextStage1BaseFee(p, 80n, 1_000_000n)).toBe(computeNextBaseFee(80n, 1_000_000n, 2_000_000n));
  });
});

/** `rate` direct swaps per slot through one exchange on three committees, each declaring `gas`. */
function hotPool(slots: number, rate: number, gas: number) {
  const accounts = 16;
  const initA = Array.from({ length: accounts }, (_, i) => [{ account: `u${i}` }, { u64: "100000000" }]).flat();
  const txs = Array.from({ length: slots * rate }, (_, n) => ({
    slot: Math.floor(n / rate),
    sender: `u${n % accounts}`,
    gasLimit: String(gas),
    program: {
      steps: [
        { call: "tokenA.transfer", args: [{ principal: "exchange" }, { u64: "100" }] },
        { call: "exchange.swap", args: [{ ref: 0 }] },
        { call: "tokenB.transferAuthorized", args: [{ ref: 1 }] },
        { require: { ref: 2 } },
      ],
    },
  }));
  return scenario({
    schema: "xshard.scenario/1",
    name: "hot pool",
    accounts: Array.from({ length: accounts }, (_, i) => ({ name: `u${i}`, balance: "1000000000000" })),
    contracts: [
      { id: "exchange", code: "exchange", placement: 0, init: [{ principal: "tokenA" }, { principal: "tokenB" }, { u64: "1000000000" }, { u64: "1000000000" }] },
      { id: "tokenA", code: "token", placement: 1, init: [...initA, { principal: "exchange" }, { u64: "1000000000" }] },
      { id: "tokenB", code: "token", placement: 2, init: [{ principal: "exchange" }, { u64: "1000000000" }] },
    ],
    transactions: txs,
  });
}

const inclToFinal = (r: ResultsFile): number[] => r.txs.map((t) => (t.finalSlot as number) - (t.includedSlot as number));
const gasSeries = (r: ResultsFile): number[][] => r.slots.map((s) => (s.series.stage2Gas as number[] | undefined) ?? []);

describe("delayed: the Stage-2 budget binds on a hot pool", () => {
  // 30 swaps per slot declaring 100,000 gas each: Stage 1 (3 × 1,000,000 declared) orders them
  // all; in conditional mode every committee executes every swap (about 46,000 gas each), which a
  // 1,000,000 budget cannot hold in one slot.
  const w = hotPool(3, 30, 100_000);

  it("every committee stays within its budget per slot; what does not fit waits (lag); nothing is lost", () => {
    const r = run("delayed:conditional", w, { shards: 3, slotGas: 1_000_000 }).results;
    expect(r.summary.outcomes.committed).toBe(90);
    for (const perCommittee of gasSeries(r)) for (const g of perCommittee) expect(g).toBeLessThanOrEqual(1_000_000);
    expect(Math.max(...gasSeries(r).flat())).toBeGreaterThan(900_000);
    expect(Math.max(...inclToFinal(r))).toBeGreaterThan(1);
    expect(r.summary.protocol.maxLagSlots as number).toBeGreaterThan(1);
  });

  it("with two Stage-2 blocks per slot, each gets half the slot's gas", () => {
    const r = run("delayed:conditional", w, { shards: 3, slotGas: 1_000_000, stage2PerSlot: 2 }).results;
    expect(r.summary.outcomes.committed).toBe(90);
    for (const perCommittee of gasSeries(r)) for (const g of perCommittee) expect(g).toBeLessThanOrEqual(1_000_000);
  });

  it("with budget to spare the same stream is final one slot after inclusion", () => {
    const r = run("delayed:conditional", w, { shards: 3, slotGas: 4_000_000 }).results;
    expect(r.summary.outcomes.committed).toBe(90);
    expect(inclToFinal(r).every((d) => d === 1)).toBe(true);
  });

  it("a fee cap below Stage 1's base fee waits and ends hung, as on a receipts shard", () => {
    // Every swap declares the whole Stage-1 limit: each block is full, the base fee rises 12.5 %
    // a block, past the workload's fee cap of 10 — the rest wait.
    const r = run("delayed:conditional", hotPool(20, 1, 3_000_000), { shards: 3, slotGas: 1_000_000, drainSlots: 4 }).results;
    expect(r.summary.reasons["base fee above cap on stage 1"]).toBeGreaterThan(0);
    expect(r.summary.outcomes.rejected).toBe(0);
  });
});
