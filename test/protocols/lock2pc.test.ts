/** The lock-based atomic-commit baseline's own claims (DESIGN §4; issue "baselines"). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeU64 } from "../../src/program/index.js";
import { RESULT_KINDS, ResultLeaf, type ResultLeafValue, type ShardHeaderValue } from "../../src/protocols/lock2pc/containers.js";
import { verifyLockProof, type LockProof } from "../../src/protocols/lock2pc/rules.js";
import { commitList, type MerkleKV } from "../../src/state/index.js";
import { run, scenario, workload } from "../helpers/run.js";

const V = new TextEncoder().encode("v");
const available = (kv: MerkleKV | undefined): bigint => decodeU64(kv!.get(V)!);
const inclToFinal = (r: { txs: { includedSlot: number | null; finalSlot: number | null }[] }) => r.txs.map((t) => (t.finalSlot as number) - (t.includedSlot as number));

describe("lock2pc: two phases", () => {
  for (const form of ["naive", "direct"]) {
    it(`a single swap (${form}) across three shards: locks in one slot, commit in the next`, () => {
      const doc = JSON.parse(readFileSync(`scenarios/single-swap-${form}.json`, "utf8"));
      const r = run("lock2pc", scenario(doc), { shards: 3, trace: [0] }).results;
      expect(r.txs[0]!.outcome).toBe("committed");
      expect(r.txs[0]!.includedSlot).toBe(0);
      expect(inclToFinal(r)).toEqual([1]);
      const kinds = (kind: string) => r.trace.filter((e) => e.kind === kind);
      expect(kinds("lock").map((e) => [e.slot, e.detail.split(" ")[0]])).toEqual([
        [0, "accepted"],
        [0, "accepted"],
        [0, "accepted"],
      ]);
      expect(kinds("commit").map((e) => e.slot)).toEqual([1, 1, 1]);
    });
  }

  it("exchange without contention: every swap final one slot after inclusion (delayed's best case)", () => {
    const w = workload("exchange", { slots: 6, rate: 1, pools: 1, form: "direct", accounts: 8 });
    const r = run("lock2pc", w, { shards: 3 }).results;
    expect(r.summary.outcomes.committed).toBe(6);
    expect(inclToFinal(r)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(r.summary.protocol.abortsByContention).toBe(0);
  });

  it("a single-shard transaction runs in its block (final in the slot of inclusion)", () => {
    const w = workload("transfer", { slots: 3, rate: 5, contracts: 4, cross: 0, accounts: 8 });
    const r = run("lock2pc", w, { shards: 4 }).results;
    expect(r.summary.outcomes.committed).toBe(15);
    expect(inclToFinal(r).every((d) => d === 0)).toBe(true);
  });
});

describe("lock2pc: contention", () => {
  const trips = (rate: number) => workload("train-hotel", { slots: 4, rate, capacity: 1000, pairs: 1, skew: 0, accounts: 32 });

  it("aborts grow with contention: one trip per slot gets both locks, the others abort", () => {
    const low = run("lock2pc", trips(2), { shards: 2 }).results;
    const high = run("lock2pc", trips(8), { shards: 2 }).results;
    expect(low.summary.protocol.abortsByContention).toBe(4 * 1);
    expect(high.summary.protocol.abortsByContention).toBe(4 * 7);
    expect(high.summary.reasons["lock contention"]).toBe(28);
    expect(high.summary.outcomes.committed).toBe(4);
    expect(high.summary.outcomes.partial + low.summary.outcomes.partial).toBe(0);
  });

  it("onLocked=wait: nobody aborts; trips commit one per slot and wait for the locks", () => {
    const r = run("lock2pc", trips(4), { shards: 2, options: { onLocked: "wait" } }).results;
    expect(r.summary.outcomes.committed).toBe(16);
    expect(r.summary.protocol.abortsByContention).toBe(0);
    expect(new Set(r.txs.map((t) => t.finalSlot)).size).toBe(16);
    const waits = r.txs.map((t) => t.extra.lockWaitSlots!);
    expect(Math.max(...waits)).toBeGreaterThan(4);
    expect(r.summary.protocol.lockWaitSlots).toBeCloseTo(waits.reduce((a, b) => a + b, 0) / 16, 3);
  });

  it("a locked contract refuses a single-shard transaction: it aborts, or waits one slot", () => {
    const w = scenario({
      accounts: [{ name: "alice", balance: "1000000000000" }],
      contracts: [
        { id: "a", code: "counter", placement: 0 },
        { id: "b", code: "counter", placement: 1 },
      ],
      transactions: [
        { slot: 0, sender: "alice", program: { steps: [{ call: "a.inc" }, { call: "b.inc" }] } },
        { slot: 0, sender: "alice", program: { steps: [{ call: "a.inc" }] } },
      ],
    });
    const aborting = run("lock2pc", w, { shards: 2 });
    expect(aborting.results.txs.map((t) => [t.outcome, t.finalSlot, t.reason])).toEqual([
      ["committed", 1, null],
      ["aborted", 0, "lock contention"],
    ]);
    expect(decodeU64(aborting.end.contracts.get("a")!.get(V)!)).toBe(1n);
    const waiting = run("lock2pc", w, { shards: 2, options: { onLocked: "wait" } });
    expect(waiting.results.txs.map((t) => [t.outcome, t.finalSlot, t.extra.lockWaitSlots])).toEqual([
      ["committed", 1, 0],
      ["committed", 1, 1],
    ]);
    expect(decodeU64(waiting.end.contracts.get("a")!.get(V)!)).toBe(2n);
  });

  it("rejects an unknown onLocked with a typed error", () => {
    expect(() => run("lock2pc", trips(1), { options: { onLocked: "spin" } })).toThrowError(expect.objectContaining({ code: "BAD_PARAM" }));
  });
});

describe("lock2pc: atomicity", () => {
  it("train-hotel, scarce: never partial; seats sold = rooms sold = committed trips per pair", () => {
    const w = workload("train-hotel", { slots: 6, rate: 6, capacity: 5, pairs: 2, skew: 0, accounts: 24 });
    for (const onLocked of ["abort", "wait"]) {
      const out = run("lock2pc", w, { shards: 4, options: { onLocked } });
      const r = out.results;
      expect(r.summary.outcomes.partial).toBe(0);
      expect(r.summary.outcomes.hung).toBe(0);
      for (const pair of [0, 1]) {
        const committed = BigInt(r.txs.filter((t) => t.outcome === "committed" && t.footprint.includes(`train${pair}`)).length);
        expect(available(out.end.contracts.get(`train${pair}`))).toBe(5n - committed);
        expect(available(out.end.contracts.get(`hotel${pair}`))).toBe(5n - committed);
      }
    }
  });

  it("the program's own require failing at commit aborts the whole transaction; nothing is applied", () => {
    const w = scenario({
      accounts: [{ name: "alice", balance: "1000000000000" }],
      contracts: [
        { id: "train", code: "train", placement: 0, init: [{ u64: "1" }] },
        { id: "hotel", code: "hotel", placement: 1, init: [{ u64: "0" }] },
      ],
      transactions: [
        { slot: 0, sender: "alice", program: { steps: [{ call: "train.reserve" }, { call: "hotel.reserve" }, { require: { ref: 0 } }, { require: { ref: 1 } }] } },
      ],
    });
    const out = run("lock2pc", w, { shards: 2 });
    expect(out.results.txs[0]).toMatchObject({ outcome: "aborted", reason: "require failed at step 3: hotel.reserve revert: sold out", includedSlot: 0, finalSlot: 1 });
    expect(available(out.end.contracts.get("train"))).toBe(1n);
    expect(available(out.end.contracts.get("hotel"))).toBe(0n);
  });
});

describe("lock2pc: lock proofs", () => {
  const txId = new Uint8Array(32).fill(7);
  const contract = new TextEncoder().encode("train0");
  const leaves: ResultLeafValue[] = [
    { kind: RESULT_KINDS.committed, txId: new Uint8Array(32).fill(1), contract, stateRoot: new Uint8Array(32) },
    { kind: RESULT_KINDS.refused, txId, contract, stateRoot: new Uint8Array(32).fill(2) },
    { kind: RESULT_KINDS.locked, txId: new Uint8Array(32).fill(3), contract: new TextEncoder().encode("hotel0"), stateRoot: new Uint8Array(32) },
  ];
  const list = commitList(leaves.map((l) => ResultLeaf.hashTreeRoot(l)));
  const header: ShardHeaderValue = { shard: 1, slot: 4, proposer: 0, parentRoot: new Uint8Array(32), opsRoot: new Uint8Array(32), resultsRoot: list.root, stateRoot: new Uint8Array(32) };
  const proof: LockProof = { shard: 1, slot: 4, index: 1, length: 3, leaf: leaves[1]!, branch: list.prove(1) };
  const bad = { code: "BAD_LOCK_PROOF" };

  it("a real proof of a refusal verifies as not accepted", () => {
    expect(verifyLockProof(proof, header, txId, contract)).toBe(false);
  });

  it("turning the refusal into an acceptance, or using another block, branch or transaction, is rejected", () => {
    expect(() => verifyLockProof({ ...proof, leaf: { ...proof.leaf, kind: RESULT_KINDS.locked } }, header, txId, contract)).toThrowError(expect.objectContaining(bad));
    expect(() => verifyLockProof(proof, { ...header, slot: 5 }, txId, contract)).toThrowError(expect.objectContaining(bad));
    expect(() => verifyLockProof({ ...proof, branch: list.prove(0) }, header, txId, contract)).toThrowError(expect.objectContaining(bad));
    expect(() => verifyLockProof(proof, header, new Uint8Array(32).fill(9), contract)).toThrowError(expect.objectContaining(bad));
    expect(() => verifyLockProof({ ...proof, index: 0, leaf: leaves[0]!, branch: list.prove(0) }, header, leaves[0]!.txId, contract)).toThrowError(expect.objectContaining(bad));
  });
});
