/** The validator-work figures (issue 11 §2): the collector by hand, and small runs checked against the runtime's metering. */
import { describe, expect, it } from "vitest";
import { executeProgram } from "../../src/exec/executeTx.js";
import { computeTxId } from "../../src/program/index.js";
import { Runtime } from "../../src/runtime/index.js";
import { stringifyResults } from "../../src/runner.js";
import { deployGenesis } from "../../src/sim/world.js";
import { WorkCollector } from "../../src/sim/work.js";
import type { ResultsFile, WorkBlock } from "../../src/results/schema.js";
import type { GeneratedWorkload } from "../../src/workloads/types.js";
import { run, scenario, workload } from "../helpers/run.js";

describe("WorkCollector", () => {
  it("sums gas per slot per group by kind, bytes and signatures per slot, executions per transaction", () => {
    const c = new WorkCollector(2);
    c.onExecution(0, 0, 7, "execute", 100);
    c.onExecution(0, 1, 7, "execute", 40);
    c.onExecution(1, 1, 7, "speculate", 5);
    c.onExecution(1, 0, 8, "execute", 60);
    c.onExecution(2, -1, -1, "reexecute", 3); // beacon work, no transaction
    c.onTransfer(1, "witness", 300);
    c.onTransfer(1, "proof", 20);
    c.onTransfer(2, "receipt", 11);
    c.onSignatures(-1, 4, 0); // genesis work lands in slot 0
    c.onSignatures(1, 0, 8);
    const w = c.build(2, 2);
    expect(w.gas).toEqual({ execute: 200, foreign: 0, speculate: 5, reexecute: 3, total: 208 });
    expect(w.executions).toEqual({ execute: 3, foreign: 0, speculate: 1, reexecute: 1, total: 5 });
    // tx 7: 3 executions, tx 8: 1 (nearest rank: p50 of [1, 3] is 1).
    expect(w.executionsPerTx).toEqual({ txs: 2, total: 4, mean: 2, p50: 1, p90: 3, max: 3 });
    expect(w.bytes).toEqual({ witness: 300, proof: 20, receipt: 11, total: 331 });
    expect(w.signatures).toEqual({ made: 4, verified: 8 });
    expect(w.perFinalTx).toEqual({ finalTxs: 2, gas: 104, execute: 100, foreign: 0, speculate: 2.5, reexecute: 1.5, bytes: 165.5, signaturesMade: 2, signaturesVerified: 4 });
    // Dense rows: every group of every slot, the beacon (−1) only where it worked.
    expect(w.gasPerSlot.slot).toEqual([0, 0, 1, 1, 2, 2, 2]);
    expect(w.gasPerSlot.group).toEqual([0, 1, 0, 1, -1, 0, 1]);
    expect(w.gasPerSlot.total).toEqual([100, 40, 60, 5, 3, 0, 0]);
    expect(w.gasPerSlot.speculate).toEqual([0, 0, 0, 5, 0, 0, 0]);
    expect(w.perSlot).toEqual({
      slot: [0, 1, 2],
      gas: [140, 65, 3],
      witnessBytes: [0, 300, 0],
      proofBytes: [0, 20, 0],
      receiptBytes: [0, 0, 11],
      signaturesMade: [4, 0, 0],
      signaturesVerified: [0, 8, 0],
    });
  });

  it("counts executions per transaction for any number: small, past the first array, and far beyond a dense range", () => {
    const c = new WorkCollector(1);
    for (const tx of [0, 5000, 5000, 2 ** 30, 2 ** 30, 2 ** 30, 1.5, 0]) c.onExecution(0, 0, tx, "execute", 1);
    // tx 0: 2, tx 5000: 2, tx 2^30: 3, tx 1.5: 1.
    expect(c.build(0, 4).executionsPerTx).toEqual({ txs: 4, total: 8, mean: 2, p50: 2, p90: 3, max: 3 });
  });

  it("has null per-transaction figures when nothing ran or nothing became final", () => {
    const w = new WorkCollector(1).build(0, 0);
    expect(w.executionsPerTx).toEqual({ txs: 0, total: 0, mean: null, p50: null, p90: null, max: null });
    expect(w.perFinalTx.gas).toBeNull();
    expect(w.gasPerSlot).toEqual({ slot: [0], group: [0], execute: [0], foreign: [0], speculate: [0], reexecute: [0], total: [0] });
  });
});

const token = (id: string, placement: number) => ({
  id,
  code: "token",
  placement,
  init: [{ account: "alice" }, { u64: "1000" }, { account: "bob" }, { u64: "1000" }],
});
const transfer = (contract: string) => ({ call: `${contract}.transfer`, args: [{ account: "bob" }, { u64: "10" }] });

/** One transaction of alice: a transfer of `tokens` (each on its placement), in one program. */
function transfers(tokens: [string, number][]): GeneratedWorkload {
  return scenario({
    schema: "xshard.scenario/1",
    name: "transfers",
    accounts: [
      { name: "alice", balance: "1000000000000" },
      { name: "bob", balance: "1000000000000" },
    ],
    contracts: tokens.map(([id, p]) => token(id, p)),
    transactions: [{ slot: 0, sender: "alice", program: { steps: tokens.map(([id]) => transfer(id)) } }],
  });
}

/** Metered gas of the workload's one transaction run alone against genesis (the runtime's count). */
function meteredGas(w: GeneratedWorkload): number {
  const runtime = new Runtime();
  const states = new Map(deployGenesis(runtime, w.genesis).map((d) => [d.id, d]));
  const stx = (w.submissions[0] as GeneratedWorkload["submissions"][number]).tx;
  const ex = executeProgram(stx.tx.program, {
    runtime,
    sender: stx.tx.sender,
    txId: computeTxId(stx),
    gasLimit: stx.tx.gasLimit,
    contract: (id) => {
      const d = states.get(id);
      return d ? { codeHash: d.codeHash, state: d.state, ended: false } : undefined;
    },
  });
  expect(ex.run.status).toBe("committed");
  return Number(ex.gas);
}

const work = (r: ResultsFile): WorkBlock => r.work as WorkBlock;

describe("work figures of small runs", () => {
  it("receipts: one single-shard transfer is one execution whose gas is its metered gas", () => {
    const w = transfers([["tokenA", 0]]);
    const r = run("receipts:sequential", w, { shards: 2 }).results;
    expect(r.txs[0]?.outcome).toBe("committed");
    const gas = meteredGas(w);
    expect(gas).toBeGreaterThan(0);
    expect(work(r).gas).toEqual({ execute: gas, foreign: 0, speculate: 0, reexecute: 0, total: gas });
    expect(work(r).executionsPerTx).toEqual({ txs: 1, total: 1, mean: 1, p50: 1, p90: 1, max: 1 });
    expect(work(r).perFinalTx.gas).toBe(gas);
    expect(work(r).bytes.total).toBe(0);
    // The block holding it: the gas is on shard 0 in the slot it was included.
    const g = work(r).gasPerSlot;
    const row = g.total.findIndex((x) => x > 0);
    expect([g.slot[row], g.group[row]]).toEqual([r.txs[0]?.includedSlot, 0]);
  });

  it("receipts: a transfer over two shards is two segments, the receipt's bytes moved once, the same metered gas", () => {
    const w = transfers([
      ["tokenA", 0],
      ["tokenB", 1],
    ]);
    const r = run("receipts:sequential", w, { shards: 2 }).results;
    expect(r.txs[0]?.outcome).toBe("committed");
    expect(work(r).executionsPerTx).toEqual({ txs: 1, total: 2, mean: 2, p50: 2, p90: 2, max: 2 });
    expect(work(r).gas.execute).toBe(meteredGas(w));
    expect(work(r).bytes.receipt).toBeGreaterThan(0);
    expect(work(r).bytes.receipt).toBe(work(r).bytes.total);
    // One segment on each shard.
    const g = work(r).gasPerSlot;
    expect([0, 1].map((shard) => g.total.filter((_, i) => g.group[i] === shard && (g.total[i] as number) > 0).length)).toEqual([1, 1]);
  });

  it("receipts:nonsequential: the claim's proof bytes are what the claims carried", () => {
    const r = run("receipts:nonsequential", transfers([["tokenA", 0], ["tokenB", 1]]), { shards: 2 }).results;
    expect(r.summary.protocol.claims).toBe(1);
    expect(work(r).bytes.proof).toBe(r.summary.protocol.claimProofBytesMean);
    expect(work(r).bytes.proof).toBeGreaterThan(0);
  });

  it("sync and lock2pc: every shard a transaction lists runs the whole program (one execution each, its metered gas)", () => {
    const w = transfers([
      ["tokenA", 0],
      ["tokenB", 1],
    ]);
    const gas = meteredGas(w);
    for (const protocol of ["sync", "lock2pc"]) {
      const r = run(protocol, w, { shards: 2, options: protocol === "sync" ? { q: 1 } : {} }).results;
      expect(r.txs[0]?.outcome, protocol).toBe("committed");
      expect(work(r).executionsPerTx, protocol).toEqual({ txs: 1, total: 2, mean: 2, p50: 2, p90: 2, max: 2 });
      expect(work(r).gas.execute, protocol).toBe(2 * gas);
      expect(work(r).bytes.witness, protocol).toBeGreaterThan(0);
      expect(work(r).signatures.made, protocol).toBeGreaterThan(0);
      expect(work(r).signatures.verified, protocol).toBeGreaterThan(0);
    }
    const lock = run("lock2pc", w, { shards: 2 }).results;
    expect(work(lock).bytes.proof).toBeGreaterThan(0);
  });

  it("sync: the wrong confirmation's cone is executed again as reexecute work", () => {
    const w = workload("transfer", { slots: 4, rate: 8, accounts: 12, contracts: 6, cross: 1 });
    const honest = run("sync", w, { shards: 3, options: { q: 1 } }).results;
    const faulty = run("sync", w, { shards: 3, options: { q: 1, wrongConfirmation: "0:1" } }).results;
    expect(work(honest).gas.reexecute).toBe(0);
    expect(faulty.summary.protocol.reexecutedTxs).toBeGreaterThan(0);
    // Each re-executed transaction runs again on every shard of the cone's blocks that holds it.
    expect(work(faulty).executions.reexecute).toBeGreaterThanOrEqual(faulty.summary.protocol.reexecutedTxs as number);
    expect(work(faulty).gas.reexecute).toBeGreaterThan(0);
    // The first executions are the same work as without the fault.
    expect(work(faulty).gas.execute).toBe(work(honest).gas.execute);
  });

  it("is deterministic: the same configuration and seed give the same work block", () => {
    const w = transfers([
      ["tokenA", 0],
      ["tokenB", 1],
    ]);
    for (const protocol of ["receipts:passive", "sync", "lock2pc"]) {
      const a = stringifyResults(run(protocol, w, { shards: 2 }).results);
      const b = stringifyResults(run(protocol, w, { shards: 2 }).results);
      expect(a, protocol).toBe(b);
      expect(JSON.parse(a).work.gas.total, protocol).toBeGreaterThan(0);
    }
  });
});
