/** The two-stage chain's own claims (DESIGN §2; issue "The two-stage delayed-execution chain"). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeU64 } from "../../src/program/index.js";
import { run as runWith, scenario, workload } from "../helpers/run.js";
import type { RunConfig } from "../../src/sim/protocol.js";
import type { GeneratedWorkload } from "../../src/workloads/types.js";

/**
 * These claims are about protocol latency, not capacity: the runs get room in the execution
 * budgets (issue 11 §1). The workloads declare 2,000,000 gas per transaction, so at the default
 * slotGas a Stage-1 block orders only `committees` transactions; 64,000,000 per committee and slot
 * orders 32 per committee (Stage-2 budgets then never bind either).
 */
const ROOM: Partial<RunConfig> = { slotGas: 64_000_000 };
const run = (protocol: string, w: GeneratedWorkload, cfg: Partial<RunConfig> = {}) => runWith(protocol, w, { ...ROOM, ...cfg });

const inclToFinal = (r: { txs: { includedSlot: number | null; finalSlot: number | null }[] }) =>
  r.txs.map((t) => (t.finalSlot as number) - (t.includedSlot as number));

/** k transactions, each incrementing counters a (committee 0) and b (committee 1): a dependency chain. */
function chainScenario(k: number) {
  return scenario({
    accounts: [{ name: "alice", balance: "1000000000000" }],
    contracts: [
      { id: "a", code: "counter", placement: 0 },
      { id: "b", code: "counter", placement: 1 },
    ],
    transactions: Array.from({ length: k }, () => ({
      slot: 0,
      sender: "alice",
      program: { steps: [{ call: "a.inc" }, { call: "b.inc" }, { require: { ref: 0 } }, { require: { ref: 1 } }] },
    })),
  });
}

describe("delayed: best case", () => {
  it("transactions touching one committee each: one Stage-2 block per Stage-1 block, final one slot after inclusion", () => {
    const w = workload("transfer", { slots: 6, rate: 20, accounts: 16, contracts: 8, cross: 0 });
    const r = run("delayed", w, { shards: 4 }).results;
    expect(r.summary.outcomes.committed).toBe(120);
    expect(inclToFinal(r).every((d) => d === 1)).toBe(true);
    expect(r.summary.protocol.stage2BlocksPerStage1Block).toBe(1);
    expect(r.summary.protocol.maxLagSlots).toBe(1);
  });
});

describe("delayed: dependency chains", () => {
  it.each([1, 3, 6])("a chain of %i cross-committee transactions: the last is final k Stage-2 blocks after inclusion", (k) => {
    const r = run("delayed:strict", chainScenario(k), { shards: 2 }).results;
    expect(r.summary.outcomes.committed).toBe(k);
    expect(inclToFinal(r)).toEqual(Array.from({ length: k }, (_, i) => i + 1));
    expect(r.summary.protocol.stage2BlocksPerStage1Block).toBe(k);
  });

  it("with two Stage-2 blocks per slot the same chain takes half the slots", () => {
    const r = run("delayed:strict", chainScenario(6), { shards: 2, stage2PerSlot: 2 }).results;
    expect(Math.max(...inclToFinal(r))).toBe(3);
    expect(r.summary.protocol.stage2BlocksPerStage1Block).toBe(6);
  });

  it("the final counter values equal a serial execution", () => {
    const out = run("delayed:strict", chainScenario(5), { shards: 2 });
    for (const id of ["a", "b"]) {
      const kv = out.end.contracts.get(id)!;
      const values = [...kv.entries()].map(([, v]) => v).filter((v) => v.length === 8).map(decodeU64);
      expect(values, id).toContain(5n);
    }
  });
});

describe("delayed: messages are events with millisecond delays", () => {
  it("a batch that takes longer than a Stage-2 interval misses its own block: each link of a chain costs two blocks", () => {
    // Two Stage-2 blocks per 12 s slot (6 s intervals); a batch signed at an interval's start and
    // 8 s on the wire reaches the proposer of the next block, not its own.
    const fast = run("delayed:strict", chainScenario(3), { shards: 2, stage2PerSlot: 2, network: { kind: "fixed", ms: 500 } }).results;
    const slow = run("delayed:strict", chainScenario(3), { shards: 2, stage2PerSlot: 2, network: { kind: "fixed", ms: 8000 } }).results;
    expect(fast.summary.protocol.stage2BlocksPerStage1Block).toBe(3);
    expect(slow.summary.protocol.stage2BlocksPerStage1Block).toBe(6);
    expect(inclToFinal(slow)).toEqual([1, 2, 3]);
  });

  it("Stage-1 data that reaches the committees after the next slot has begun is executed a slot later", () => {
    const w = workload("transfer", { slots: 2, rate: 4, accounts: 8, contracts: 4, cross: 0 });
    const at = (ms: number) => run("delayed:strict", w, { shards: 2, network: { kind: "fixed", ms } }).results;
    expect(inclToFinal(at(500)).every((d) => d === 1)).toBe(true);
    // 11.5 s: the data is there for slot s+1's round, the batch reaches that slot's block in time.
    expect(inclToFinal(at(11_500)).every((d) => d === 1)).toBe(true);
    // 13 s: the data comes after slot s+1's round began (executed in s+2), its batch after s+2's block (final in s+3).
    expect(inclToFinal(at(13_000)).every((d) => d === 3)).toBe(true);
  });
});

describe("delayed: the seed's exchange", () => {
  for (const form of ["naive", "direct"]) {
    it(`a single swap (${form}) across three committees is final one slot after inclusion`, () => {
      const doc = JSON.parse(readFileSync(`scenarios/single-swap-${form}.json`, "utf8"));
      const r = run("delayed", scenario(doc), { shards: 3 }).results;
      expect(r.txs[0]!.outcome).toBe("committed");
      expect(inclToFinal(r)).toEqual([1]);
    });

    it(`swaps on disjoint pools (${form}) are each final one slot after inclusion`, () => {
      // One swap per pool per slot: pools never share a contract, so nothing chains.
      const w = workload("exchange", { slots: 1, rate: 1, pools: 1, form, accounts: 4 });
      const r = run("delayed", w, { shards: 3 }).results;
      expect(inclToFinal(r)).toEqual([1]);
    });
  }

  it("a stream of swaps through one exchange on three committees: one swap per Stage-2 block (the seed's worst case)", () => {
    const w = workload("exchange", { slots: 1, rate: 8, pools: 1, form: "direct", accounts: 16 });
    const r = run("delayed:strict", w, { shards: 3 }).results;
    expect(r.summary.outcomes.committed).toBe(8);
    const finals = r.txs.map((t) => t.finalSlot as number).sort((a, b) => a - b);
    expect(new Set(finals).size).toBe(8); // every swap in its own Stage-2 block
    expect(inclToFinal(r).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.summary.protocol.stage2BlocksPerStage1Block).toBe(8);
  });

  it("the same stream on one committee needs no chaining", () => {
    const w = workload("exchange", { slots: 1, rate: 8, pools: 1, form: "direct", accounts: 16 });
    const r = run("delayed", w, { shards: 1 }).results;
    expect(inclToFinal(r).every((d) => d === 1)).toBe(true);
  });
});

describe("delayed: atomicity and fees", () => {
  it("train-hotel under contention: never partial; sold-out bookings abort whole", () => {
    const w = workload("train-hotel", { slots: 4, rate: 10, capacity: 8, pairs: 2, skew: 0.5, accounts: 20 });
    const r = run("delayed", w, { shards: 4 }).results;
    expect(r.summary.outcomes.partial).toBe(0);
    expect(r.summary.outcomes.aborted).toBeGreaterThan(0);
    expect(r.summary.outcomes.committed).toBeGreaterThan(0);
    expect(r.summary.outcomes.committed).toBeLessThanOrEqual(16);
  });

  it("a transaction whose fee exceeds the sender's pre-block balance is rejected with that reason", () => {
    const w = scenario({
      accounts: [
        { name: "rich", balance: "1000000000000" },
        { name: "poor", balance: "5" },
      ],
      contracts: [{ id: "c", code: "counter" }],
      transactions: [
        { slot: 0, sender: "rich", program: { steps: [{ call: "c.inc" }] } },
        { slot: 0, sender: "poor", program: { steps: [{ call: "c.inc" }] } },
      ],
    });
    const r = run("delayed", w).results;
    expect(r.txs[0]!.outcome).toBe("committed");
    expect(r.txs[1]!.outcome).toBe("rejected");
    expect(r.txs[1]!.reason).toBe("insufficient balance for fee");
    expect(r.txs[1]!.includedSlot).toBeNull();
  });
});
