import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash.js";
import { createBatchBlsVerifier, validatorKeyFromSeed, type AggregateSet, type AggregatedKeySet } from "../../src/crypto/bls.js";
import { BLS_CLAIMED, BLS_SIGNED, BLS_TAKEN, type BlsSignJob } from "../../src/crypto/ed25519Pool.js";
import { signBlsJob, verifyBlsCell } from "../../src/crypto/ed25519Worker.js";
import { createDeferredSigner, createSharedBatchVerifier, MIN_SHARED_SETS } from "../../src/sim/delayed/sharedBls.js";
import { attachBatchOffload, getBatchOffload } from "../../src/sim/shards/signatureBatch.js";
import { handOverSubmissions } from "../../src/workloads/index.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../../src/runner.js";
import { FAST, workload } from "../helpers/run.js";

const keys = Array.from({ length: 12 }, (_, i) => validatorKeyFromSeed(sha256("validator", String(i))));
const committees = [0, 1, 2, 3, 4, 5].map((c) => keys.slice(c, c + 4));
const msgs = committees.map((_, i) => sha256("batch", String(i)));
const bls = createBatchBlsVerifier();
const goodSets = (): AggregateSet[] => committees.map((c, i) => ({ pubkeys: c.map((k) => k.pubkey), msg: msgs[i]!, signature: bls.signAggregate(c, msgs[i]!) }));

/** A pool stand-in: keeps the chunks it is handed; `run` plays the worker (the worker's own function) on the first `n`. */
function pool() {
  const posted: { cells: Int32Array; cell: number; sets: readonly AggregatedKeySet[] }[] = [];
  return {
    posted,
    post: (cells: Int32Array, cell: number, sets: readonly AggregatedKeySet[]) => void posted.push({ cells, cell, sets }),
    run: (n = Infinity) => posted.slice(0, n).forEach((p) => verifyBlsCell(p.cells, p.cell, p.sets)),
  };
}

describe("delayed: the proposer's aggregate check shared out with the pool (createSharedBatchVerifier)", () => {
  const cases: [string, (sets: AggregateSet[]) => AggregateSet[]][] = [
    ["all good", (s) => s],
    ["a bad signature among good ones (first set)", (s) => s.map((x, i) => (i === 0 ? { ...x, signature: s[1]!.signature } : x))],
    ["a bad signature among good ones (last set)", (s) => s.map((x, i) => (i === s.length - 1 ? { ...x, msg: msgs[0]! } : x))],
    ["a malformed signature", (s) => s.map((x, i) => (i === 2 ? { ...x, signature: new Uint8Array(96).fill(7) } : x))],
    ["no signers", (s) => s.map((x, i) => (i === 3 ? { ...x, pubkeys: [] } : x))],
  ];
  for (const [name, change] of cases) {
    it(`${name}: the same verdict as one batch check here, whoever checks which chunk`, () => {
      const sets = change(goodSets());
      const local = bls.verifyAggregateSets(sets);
      expect(local).toBe(name === "all good");
      // The worker checks its chunks first (it took them all before this thread looked) ...
      const early = pool();
      const a = createSharedBatchVerifier(bls, (cells, cell, s) => {
        early.post(cells, cell, s);
        verifyBlsCell(cells, cell, s);
      }, { chunk: 2 });
      expect(a.verifyAggregateSets(sets)).toBe(local);
      // ... a worker that never answers (nothing taken): this thread checks every chunk ...
      const silent = pool();
      expect(createSharedBatchVerifier(bls, silent.post, { chunk: 2 }).verifyAggregateSets(sets)).toBe(local);
      if (name !== "no signers") {
        expect(silent.posted.length).toBe(3);
        expect(silent.posted.map((p) => Atomics.load(p.cells, p.cell))).toEqual([BLS_CLAIMED, BLS_CLAIMED, BLS_CLAIMED]);
      }
      // ... and the worker takes the first chunk and dies: this thread checks it after the bound.
      const dead = pool();
      const d = createSharedBatchVerifier(bls, (cells, cell, s) => {
        if (dead.posted.length === 0) Atomics.store(cells, cell, BLS_TAKEN);
        dead.post(cells, cell, s);
      }, { chunk: 2, takenWaitMs: 5 });
      expect(d.verifyAggregateSets(sets)).toBe(local);
    });
  }

  it("the worker's verdict is the one read for the chunks it took (a worker that says invalid makes the answer false)", () => {
    const sets = goodSets();
    const liar = createSharedBatchVerifier(bls, (cells, cell) => {
      if (cell % 3 === 0) Atomics.store(cells, cell, 3 /* BLS_INVALID */);
    }, { chunk: 2 });
    // The first chunk's cell says invalid: the answer is false although every set holds.
    expect(liar.verifyAggregateSets(sets)).toBe(false);
  });

  it(`fewer than ${MIN_SHARED_SETS} sets are checked here, as one batch; signing and single checks are the inner verifier's`, () => {
    const p = pool();
    const v = createSharedBatchVerifier(bls, p.post);
    expect(v.verifyAggregateSets(goodSets().slice(0, MIN_SHARED_SETS - 1))).toBe(true);
    expect(p.posted).toHaveLength(0);
    expect(v.verifyAggregateSets(goodSets())).toBe(true);
    expect(p.posted.length).toBeGreaterThan(1);
    expect(v.signAggregate(committees[0]!, msgs[0]!)).toEqual(bls.signAggregate(committees[0]!, msgs[0]!));
    const s = goodSets()[0]!;
    expect(v.verifyAggregate(s.pubkeys, s.msg, s.signature)).toBe(true);
  });
});

describe("delayed: a round's batch signatures made on both threads (createDeferredSigner)", () => {
  const expected = committees.map((c, i) => bls.signAggregate(c, msgs[i]!));

  it("fills each signature with the inner verifier's bytes, whoever signs it (worker first, here, or a worker that died)", () => {
    for (const worker of ["signs", "silent", "dies"] as const) {
      const jobs: BlsSignJob[] = [];
      const signer = createDeferredSigner(bls, (job) => {
        jobs.push(job);
        if (worker === "signs") signBlsJob(job);
        if (worker === "dies") Atomics.store(job.cells, 0, BLS_TAKEN);
      }, 5);
      const out = committees.map((c, i) => {
        const sig = signer.verifier.signAggregate(c, msgs[i]!);
        if (i % 2 === 1) signer.post(); // two committees per job
        return sig;
      });
      expect(out.every((s) => s.every((b) => b === 0))).toBe(true); // nothing signed before settle
      expect(signer.settle()).toBe(committees.length);
      expect(out).toEqual(expected);
      expect(jobs).toHaveLength(3);
      const states = jobs.flatMap((j) => Array.from(j.cells));
      if (worker === "signs") expect(states.every((s) => s === BLS_SIGNED)).toBe(true);
      if (worker === "silent") expect(states.every((s) => s === BLS_CLAIMED)).toBe(true);
      if (worker === "dies") expect(states.filter((s) => s === BLS_TAKEN)).toHaveLength(3);
      expect(signer.settle()).toBe(0);
    }
  });

  it("one signature and nothing posted is signed here; keys the inner verifier cannot sum are signed at once by it", () => {
    let posted = 0;
    const signer = createDeferredSigner(bls, () => posted++);
    const one = signer.verifier.signAggregate(committees[0]!, msgs[0]!);
    expect(signer.settle()).toBe(1);
    expect(one).toEqual(expected[0]);
    expect(posted).toBe(0);
    expect(() => signer.verifier.signAggregate([], msgs[0]!)).toThrow(/zero signatures/);
    const short = sha256("x").subarray(0, 16);
    expect(signer.verifier.signAggregate(committees[1]!, short)).toEqual(bls.signAggregate(committees[1]!, short));
    expect(signer.settle()).toBe(0);
  });
});

describe("delayed: a run with the pool attached has the same results", () => {
  it("the offload is found through a handed-over copy of the workload (shared submissions list)", () => {
    const w = workload("transfer", { slots: 2, rate: 4, accounts: 8, contracts: 4, cross: 0.5 });
    const off = { post: () => {} };
    const detach = attachBatchOffload(w, off);
    expect(getBatchOffload(handOverSubmissions(w))).toBe(off);
    detach();
    expect(getBatchOffload(handOverSubmissions(w))).toBeUndefined();
  });

  for (const protocol of ["delayed:strict", "delayed:conditional"]) {
    it(`${protocol}: batches signed and checked through the offload, same results as without`, () => {
      const make = () => workload("transfer", { slots: 4, rate: 12, accounts: 16, contracts: 8, cross: 0.5 });
      const config = resolveRunConfig({ ...FAST, validators: 32, committeeSize: 4, shards: 8, signatures: true, protocol });
      const plain = stringifyResults(runProtocol(config, make()).results);
      const w = make();
      const seen = { chunks: 0, jobs: 0, signedThere: 0 };
      const detach = attachBatchOffload(w, {
        post: (cells, cell, sets) => {
          seen.chunks++;
          if (seen.chunks % 2 === 0) verifyBlsCell(cells, cell, sets); // every other chunk checked "there"
        },
        sign: (job) => {
          seen.jobs++;
          signBlsJob(job);
          seen.signedThere += Array.from(job.cells).filter((s) => s === BLS_SIGNED).length;
        },
      });
      try {
        const out = runProtocol(config, handOverSubmissions(w));
        expect(seen.jobs).toBeGreaterThan(0);
        expect(seen.signedThere).toBeGreaterThan(0);
        expect(seen.chunks).toBeGreaterThan(0);
        expect(stringifyResults(out.results)).toBe(plain);
      } finally {
        detach();
      }
    });
  }
});
