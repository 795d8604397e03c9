/** The synchronous baseline's own claims (DESIGN §4; issue "baselines"). */
import { describe, expect, it } from "vitest";
import { XshardError } from "../../src/errors.js";
import { decodeU64 } from "../../src/program/index.js";
import { computeReexecutionCone } from "../../src/protocols/sync/rules.js";
import type { ResultsFile } from "../../src/results/schema.js";
import type { MerkleKV } from "../../src/state/index.js";
import { TxFactory } from "../../src/workloads/common.js";
import { touchProgram } from "../../src/workloads/programs.js";
import type { GeneratedWorkload } from "../../src/workloads/types.js";
import type { ContractSpec } from "../../src/chain/genesis.js";
import { run, scenario, workload } from "../helpers/run.js";

const V = new TextEncoder().encode("v");
const valueOf = (kv: MerkleKV | undefined): bigint => decodeU64(kv!.get(V)!);

/** `m` transactions, all submitted in slot 0, each incrementing its own counter on each of `n` shards. */
function disjointTouches(m: number, n: number): GeneratedWorkload {
  const f = new TxFactory(16);
  const contracts: ContractSpec[] = [];
  for (let i = 0; i < m; i++) {
    const ids = Array.from({ length: n }, (_, j) => `c${i}_${j}`);
    ids.forEach((id, j) => contracts.push({ id, code: "counter", init: [], placement: j }));
    f.submit(0, f.users[i % 16]!, touchProgram(ids), `touch ${n}`);
  }
  return { name: "disjoint", params: {}, genesis: { contracts, accounts: f.accountSpecs() }, submissions: f.submissions, tokens: [], bookings: [] };
}

describe("sync: inclusion at the same height on every shard", () => {
  const M = 300;
  it.each([
    [0.9, 1],
    [0.9, 2],
    [0.9, 3],
    [0.9, 4],
    [0.6, 1],
    [0.6, 2],
    [0.6, 3],
  ])("q=%f over %i shards: mean attempts ≈ 1/q^N", (q, n) => {
    const r = run("sync", disjointTouches(M, n), { shards: 4, drainSlots: 150, options: { q } }).results;
    expect(r.summary.outcomes.committed).toBe(M);
    const attempts = r.txs.map((t) => t.extra.attempts!);
    const mean = attempts.reduce((a, b) => a + b, 0) / M;
    const p = q ** n;
    const se = Math.sqrt(1 - p) / p / Math.sqrt(M);
    expect(Math.abs(mean - 1 / p)).toBeLessThan(4 * se + 1e-9);
    expect(r.summary.protocol.attemptsMean).toBeCloseTo(mean, 3);
    expect(r.summary.protocol.attemptsMax).toBe(Math.max(...attempts));
    // Each retry costs one slot: final one slot after the height at which every shard included it.
    for (const t of r.txs) expect(t.finalSlot).toBe(t.submittedSlot + t.extra.attempts!);
  });

  it("q=1: every transaction runs at its first height and is final one slot after inclusion", () => {
    const r = run("sync", disjointTouches(20, 3), { shards: 3, options: { q: 1 } }).results;
    expect(r.txs.every((t) => t.extra.attempts === 1 && t.includedSlot === 0 && t.finalSlot === 1)).toBe(true);
  });

  it("at most one cross-shard transaction per address per height: a stream through one pool runs one swap per height", () => {
    const w = workload("exchange", { slots: 1, rate: 6, pools: 1, form: "direct", accounts: 8 });
    const r = run("sync", w, { shards: 3, options: { q: 1 } }).results;
    expect(r.summary.outcomes.committed).toBe(6);
    expect(r.txs.map((t) => t.finalSlot).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    // Each of the three shards turns away the 5, 4, 3, 2, 1 later swaps at heights 0..4.
    expect(r.summary.protocol.addressConflicts).toBe(3 * (5 + 4 + 3 + 2 + 1));
  });

  it("rejects bad options with a typed error", () => {
    const w = disjointTouches(1, 1);
    expect(() => run("sync", w, { shards: 3, options: { q: 0 } })).toThrowError(expect.objectContaining({ code: "BAD_PARAM" }));
    expect(() => run("sync", w, { shards: 3, options: { wrongConfirmation: "3:1" } })).toThrow(XshardError);
    expect(() => run("sync", w, { shards: 3, options: { fraudProofDelay: 0 } })).toThrowError(expect.objectContaining({ code: "BAD_PARAM" }));
  });
});

describe("sync: all or nothing", () => {
  it("train-hotel under contention: never partial; seats sold = rooms sold = committed bookings", () => {
    const w = workload("train-hotel", { slots: 4, rate: 8, capacity: 10, pairs: 1, accounts: 16 });
    const out = run("sync", w, { shards: 2, options: { q: 0.8 } });
    const r = out.results;
    expect(r.summary.outcomes.partial).toBe(0);
    expect(r.summary.outcomes.aborted).toBeGreaterThan(0);
    const committed = BigInt(r.summary.outcomes.committed);
    expect(committed).toBe(10n);
    expect(valueOf(out.end.contracts.get("train0"))).toBe(10n - committed);
    expect(valueOf(out.end.contracts.get("hotel0"))).toBe(10n - committed);
  });
});

describe("sync: a wrong light-client confirmation", () => {
  /**
   * Shards 0, 1, 2 hold counters a, b, c. The confirmation of shard 0's root after height 1 is
   * wrong. Height 2: t1 = {a, b} makes shard 1 use it → block (1,2) is in the cone; t2 = {c} is not.
   * Height 3: shard 1's state is wrong → (1,3); t3 = {b, c} makes shard 2 use shard 1's wrong root
   * → (2,3), with t5 = {c} in the same block; shard 0 (t4 = {a}) used nothing wrong.
   */
  const txs = [
    { slot: 0, steps: ["a"] },
    { slot: 2, steps: ["a", "b"] },
    { slot: 2, steps: ["c"] },
    { slot: 3, steps: ["b", "c"] },
    { slot: 3, steps: ["a"] },
    { slot: 3, steps: ["c"] },
  ];
  const w = scenario({
    accounts: [{ name: "alice", balance: "1000000000000" }],
    contracts: ["a", "b", "c"].map((id, placement) => ({ id, code: "counter", placement })),
    transactions: txs.map((t) => ({ slot: t.slot, sender: "alice", program: { steps: t.steps.map((c) => ({ call: `${c}.inc` })) } })),
  });
  const runWith = (delay: number): ResultsFile =>
    run("sync", w, { shards: 3, options: { q: 1, wrongConfirmation: "0:1", fraudProofDelay: delay } }).results;
  const redone = (r: ResultsFile): number[] => r.txs.filter((t) => t.extra.reexecuted === 1).map((t) => t.index);

  it("fraud proof usable 3 slots later (slot 5): blocks (1,2), (1,3), (2,3) and transactions 1, 3, 5 are redone", () => {
    const r = runWith(3);
    expect(r.summary.protocol.reexecutedBlocks).toBe(3);
    expect(r.summary.protocol.reexecutedTxs).toBe(3);
    expect(redone(r)).toEqual([1, 3, 5]);
    expect(r.txs.map((t) => t.finalSlot)).toEqual([1, 5, 3, 5, 4, 5]);
    expect(r.txs.every((t) => t.outcome === "committed")).toBe(true);
  });

  it("fraud proof usable 2 slots later (slot 4): only block (1,2) and transaction 1", () => {
    const r = runWith(2);
    expect(r.summary.protocol.reexecutedBlocks).toBe(1);
    expect(redone(r)).toEqual([1]);
    expect(r.txs.map((t) => t.finalSlot)).toEqual([1, 4, 3, 4, 4, 4]);
  });

  it("without the fault nothing is redone and the end state is the same", () => {
    const clean = run("sync", w, { shards: 3, options: { q: 1 } });
    const faulty = run("sync", w, { shards: 3, options: { q: 1, wrongConfirmation: "0:1", fraudProofDelay: 3 } });
    expect(clean.results.summary.protocol.reexecutedBlocks).toBe(0);
    for (const id of ["a", "b", "c"]) expect(valueOf(faulty.end.contracts.get(id))).toBe(valueOf(clean.end.contracts.get(id)));
    expect(valueOf(clean.end.contracts.get("a"))).toBe(3n);
  });

  it("the cone rule: the wrong shard's own chain is not in it unless it reads a wrong root later", () => {
    const block = (shard: number, height: number, remoteShards: number[] = []) => ({ shard, height, remoteShards });
    const cone = computeReexecutionCone({ shard: 0, height: 1 }, [
      block(0, 2),
      block(1, 2, [0]),
      block(0, 3, [1]),
      block(2, 3),
      block(2, 4, [0]),
      block(1, 1, [0]),
    ]);
    expect(cone.map((b) => `${b.shard}:${b.height}`)).toEqual(["1:2", "0:3", "2:4"]);
  });
});
