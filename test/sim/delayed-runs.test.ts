/**
 * Issue 12 goal 1: a transaction several committees execute over the same states (the committees
 * of its contracts, and in conditional mode every committee whose dependency cone holds it) runs
 * its program once — the others take that run (`findRun`), each still counting, paying for and
 * recording its own execution. The golden hashes check that results do not move.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { MerkleKV } from "../../src/state/index.js";
import { Runtime } from "../../src/runtime/index.js";
import { resolveRunConfig } from "../../src/runner.js";
import { DelayedSimulation } from "../../src/sim/delayed/driver.js";
import { findRun, getPostState, keepRun, type Run, type RunInput, type TxLocal } from "../../src/protocols/delayed/local.js";
import type { TxExecution } from "../../src/exec/executeTx.js";
import { FAST, workload } from "../helpers/run.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function root(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

function runOver(inputs: RunInput[]): Run {
  return { inputs, ex: {} as TxExecution, reason: null, valuesRoot: root(0), posts: new Map(), witnesses: [] };
}

const newLocal = (): TxLocal => ({ executions: 0, results: new Map(), executedBy: new Set() });

/** A state holding one key, `byte` → `byte`: different bytes, different roots; the same byte, another object with the same root. */
function state(byte: number): MerkleKV {
  return MerkleKV.fromEntries([[Uint8Array.of(byte), Uint8Array.of(byte)]]);
}

describe("delayed: kept executions", () => {
  it("a kept run is found only for the same roots, ended flags and code, in the same order", () => {
    const local = newLocal();
    const a: RunInput = { kv: state(1), ended: false, codeHash: "c" };
    const b: RunInput = { kv: state(2), ended: false, codeHash: "c" };
    expect(findRun(local, [a, b])).toBeUndefined();
    const run = runOver([a, b]);
    keepRun(local, run);
    expect(findRun(local, [{ ...a }, { ...b }])).toBe(run);
    // Another object with the same root (not hashed yet: its root is computed to compare) is the same input.
    const again = state(1);
    expect(findRun(local, [{ ...a, kv: again }, { ...b }])).toBe(run);
    expect(findRun(local, [b, a])).toBeUndefined();
    expect(findRun(local, [a, { ...b, kv: state(3) }])).toBeUndefined();
    expect(findRun(local, [a, { ...b, ended: true }])).toBeUndefined();
    expect(findRun(local, [a, { ...b, codeHash: "d" }])).toBeUndefined();
    expect(findRun(local, [a])).toBeUndefined();
  });

  it("at most four runs are kept per transaction, the oldest dropped first", () => {
    const local = newLocal();
    const runs = [1, 2, 3, 4, 5].map((i) => runOver([{ kv: state(i), ended: false, codeHash: "c" }]));
    for (const r of runs) keepRun(local, r);
    expect(findRun(local, [{ kv: state(1), ended: false, codeHash: "c" }])).toBeUndefined();
    for (let i = 2; i <= 5; i++) expect(findRun(local, [{ kv: state(i), ended: false, codeHash: "c" }])).toBe(runs[i - 1]);
  });

  it("a run's post-state of a contract is made once and shared; a run kept under no inputs (a node's partial states) makes it each time", () => {
    const kv = MerkleKV.fromEntries([[Uint8Array.of(1), Uint8Array.of(1)]]);
    const writes = new Map([["02", Uint8Array.of(2)]]);
    const kept = runOver([{ kv, ended: false, codeHash: "c" }]);
    const post = getPostState(kept, "x", kv, writes);
    expect(post.root()).toEqual(kv.applyWrites(writes).root());
    expect(getPostState(kept, "x", kv, writes)).toBe(post);
    const fresh = { ...runOver([]), inputs: undefined };
    expect(getPostState(fresh, "x", kv, writes)).not.toBe(getPostState(fresh, "x", kv, writes));
  });

  for (const mode of ["conditional", "strict"] as const) {
    it(`${mode}: every transaction runs its program once however many committees execute it`, () => {
      const w = workload("transfer", { slots: 4, rate: 12, accounts: 10, contracts: 4, cross: 0.5 });
      const config = resolveRunConfig({ ...FAST, protocol: `delayed:${mode}` });
      const sim = new DelayedSimulation({ config, workload: w }, "delayed", mode);
      const calls = vi.spyOn(Runtime.prototype, "call");
      const out = sim.run();
      expect(out.results.summary.outcomes.committed).toBe(w.submissions.length);
      const executions = Math.round((out.results.summary.protocol.executionsPerTx as number) * w.submissions.length);
      expect(executions).toBeGreaterThan(w.submissions.length); // cross-contract transactions run on several committees
      // A transfer program makes one or two calls; each transaction's program ran once.
      expect(calls.mock.calls.length).toBeGreaterThanOrEqual(w.submissions.length);
      expect(calls.mock.calls.length).toBeLessThanOrEqual(2 * w.submissions.length);
      expect(new Set(calls.mock.calls.map(([req]) => `${Buffer.from(req.txId).toString("hex")}:${req.contract}:${req.method}`)).size).toBe(calls.mock.calls.length);
    });
  }

  it("a run with faults keeps every transaction's data but drops a final transaction's kept executions", () => {
    const w = workload("transfer", { slots: 4, rate: 12, accounts: 10, contracts: 4, cross: 0.5 });
    const config = resolveRunConfig({ ...FAST, protocol: "delayed:conditional", options: { wrongSigners: "0:0.2" } });
    const sim = new DelayedSimulation({ config, workload: w }, "delayed", "conditional");
    sim.run();
    let final = 0;
    for (let seq = 0; seq < sim.records.length; seq++) {
      const local = sim.local.txs[seq];
      expect(local).toBeDefined();
      if (sim.records.getFinalBlock(seq) === undefined) continue;
      expect(local?.runs).toBeUndefined();
      final++;
    }
    expect(final).toBeGreaterThan(0);
  });
});
