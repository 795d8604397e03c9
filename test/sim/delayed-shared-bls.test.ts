import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash.js";
import { createBatchBlsVerifier, validatorKeyFromSeed, type AggregateSet, type AggregatedKeySet } from "../../src/crypto/bls.js";
import { BLS_CLAIMED, BLS_INVALID, BLS_PENDING, BLS_SIGNED, BLS_TAKEN, BLS_VALID, type BlsSignJob } from "../../src/crypto/ed25519Pool.js";
import { signBlsJob, verifyBlsCell } from "../../src/crypto/ed25519Worker.js";
import { createDeferredSigner, createSharedBatchVerifier, getAttestationSigner, MIN_SHARED_SETS } from "../../src/sim/delayed/sharedBls.js";
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

describe("delayed: sets checked in the pool ahead of the proposer's check (checkAhead)", () => {
  const hexes = (sets: readonly { signature: Uint8Array }[]) => sets.map((s) => Buffer.from(s.signature).toString("hex"));

  it("a set found valid ahead is not checked again; the rest are, and the verdict is the same as one batch check here", () => {
    const sets = goodSets();
    const p = pool();
    const v = createSharedBatchVerifier(bls, p.post, { chunk: 2 });
    expect(v.checkAhead(sets.slice(0, 2))).toBe(true);
    p.run(); // the worker checks the chunk
    expect(Atomics.load(p.posted[0]!.cells, p.posted[0]!.cell)).toBe(BLS_VALID);
    expect(v.checkAhead(sets.slice(2, 3))).toBe(true); // posted, never taken: claimed by the check below
    const before = p.posted.length;
    expect(v.verifyAggregateSets(sets)).toBe(true);
    expect(Atomics.load(p.posted[1]!.cells, p.posted[1]!.cell)).toBe(BLS_CLAIMED);
    // Only sets 2..5 were handed out again: the two found valid were not.
    expect(p.posted.slice(before).flatMap((c) => c.sets.map((s) => Buffer.from(s.signature).toString("hex")))).toEqual(hexes(sets.slice(2)));
  });

  const bad = (): AggregateSet[] => goodSets().map((x, i) => (i === 1 ? { ...x, signature: goodSets()[0]!.signature } : x));
  const cases: [string, (v: ReturnType<typeof createSharedBatchVerifier>, p: ReturnType<typeof pool>) => void][] = [
    ["checked by the worker", (_v, p) => p.run()],
    ["never taken (claimed here)", () => {}],
    ["taken by a worker that died", (_v, p) => p.posted.forEach((c) => Atomics.store(c.cells, c.cell, BLS_TAKEN))],
    ["said invalid by the worker", (_v, p) => p.posted.forEach((c) => Atomics.store(c.cells, c.cell, BLS_INVALID))],
  ];
  for (const [name, worker] of cases) {
    it(`a chunk ${name}: every call's verdict is its own sets' (a good set beside a bad one in a chunk is still good)`, () => {
      for (const sets of [goodSets(), bad()]) {
        const p = pool();
        const v = createSharedBatchVerifier(bls, p.post, { chunk: 2, takenWaitMs: 5 });
        // Sets 0 and 1 in one chunk, 2 and 3 in another (offered after the first was dealt with).
        expect(v.checkAhead(sets.slice(0, 2))).toBe(true);
        worker(v, p);
        if (Atomics.load(p.posted[0]!.cells, p.posted[0]!.cell) === BLS_PENDING) expect(v.checkAhead(sets.slice(2, 4))).toBe(false); // busy: not taken now
        else expect(v.checkAhead(sets.slice(2, 4))).toBe(true);
        for (const pick of [[0], [2], [0, 2], [1], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]]) {
          const asked = pick.map((i) => sets[i]!);
          expect(v.verifyAggregateSets(asked)).toBe(bls.verifyAggregateSets(asked));
        }
      }
    });
  }

  it("startVerifyAggregate: the verdict of verifyAggregate, whoever checks it (worker, here, a worker that died)", () => {
    const good = goodSets()[0]!;
    const inputs = [
      good,
      { ...good, msg: msgs[1]! },
      { ...good, signature: goodSets()[1]!.signature },
      { ...good, signature: new Uint8Array(96).fill(7) },
      { ...good, pubkeys: [] },
      { ...good, pubkeys: [new Uint8Array(48).fill(1)] },
    ];
    for (const worker of ["checks", "silent", "dies"] as const) {
      const p = pool();
      const v = createSharedBatchVerifier(bls, p.post, { takenWaitMs: 5 });
      const started = inputs.map((s) => v.startVerifyAggregate(s.pubkeys, s.msg, s.signature));
      expect(p.posted).toHaveLength(4); // no key or an invalid one: checked by the inner verifier when read
      if (worker === "checks") p.run();
      if (worker === "dies") p.posted.forEach((c) => Atomics.store(c.cells, c.cell, BLS_TAKEN));
      expect(started.map((read) => read())).toEqual(inputs.map((s) => bls.verifyAggregate(s.pubkeys, s.msg, s.signature)));
      expect(started.map((read) => read())).toEqual([true, false, false, false, false, false]);
    }
  });

  it("a set is found by its bytes: the same signature under another message or other keys is checked as itself", () => {
    const sets = goodSets();
    const p = pool();
    const v = createSharedBatchVerifier(bls, p.post);
    expect(v.checkAhead(sets)).toBe(true);
    p.run();
    const otherMsg = { ...sets[0]!, msg: msgs[1]! };
    const otherKeys = { ...sets[0]!, pubkeys: sets[1]!.pubkeys };
    expect(v.verifyAggregateSets([otherMsg])).toBe(false);
    expect(v.verifyAggregateSets([otherKeys, ...sets.slice(1)])).toBe(false);
    expect(v.verifyAggregateSets([{ ...sets[0]!, pubkeys: [] }])).toBe(false);
    expect(v.verifyAggregateSets(sets)).toBe(true);
  });

  it("the deferred signer offers what the pool has wholly signed, in order, each once, after posting the new job", () => {
    const offered: AggregateSet[][] = [];
    const jobs: BlsSignJob[] = [];
    let accept = true;
    const signer = createDeferredSigner(bls, (job) => jobs.push(job), 5, (sets) => {
      if (accept) offered.push([...sets]);
      return accept;
    });
    const sig = (i: number) => signer.verifier.signAggregate(committees[i]!, msgs[i]!);
    sig(0);
    signer.post(); // job 0: not signed yet, nothing to offer
    expect(offered).toHaveLength(0);
    signBlsJob(jobs[0]!);
    sig(1);
    sig(2);
    accept = false;
    signer.post(); // job 1 (two entries) posted; job 0 signed but refused: offered again next time
    expect(offered).toHaveLength(0);
    accept = true;
    signBlsJob(jobs[1]!);
    sig(3);
    signer.post(); // jobs 0 and 1 offered together (job 2 not signed)
    expect(offered).toHaveLength(1);
    expect(offered[0]!.map((s) => s.msg)).toEqual([msgs[0], msgs[1], msgs[2]]);
    expect(offered[0]!.map((s) => s.signature)).toEqual([0, 1, 2].map((i) => bls.signAggregate(committees[i]!, msgs[i]!)));
    expect(offered[0]!.map((s) => s.pubkeys)).toEqual([0, 1, 2].map((i) => committees[i]!.map((k) => k.pubkey)));
    for (const s of offered[0]!) expect(bls.verifyAggregate(s.pubkeys, s.msg, s.signature)).toBe(true);
    expect(signer.settle()).toBe(4);
    sig(4);
    signer.post(); // a new round: nothing signed yet
    expect(offered).toHaveLength(1);
    expect(signer.settle()).toBe(1);
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

describe("delayed: a block's attestation signed and checked in the pool (attestationSigner)", () => {
  const expected = committees.map((c, i) => bls.signAggregate(c, msgs[i]!));
  const pks = (c: readonly (typeof keys)[number][]): Uint8Array[] => c.map((k) => k.pubkey);
  const zeros = (s: Uint8Array): boolean => s.every((b) => b === 0);
  /** A verifier whose signing jobs the stand-in worker signs (and checks), leaves, takes and never finishes, or answers wrongly. */
  function setup(worker: "signs" | "silent" | "dies" | "lies") {
    const jobs: BlsSignJob[] = [];
    const p = pool();
    const v = createSharedBatchVerifier(bls, p.post, {
      takenWaitMs: 5,
      sign: (job) => {
        jobs.push(job);
        if (worker === "signs" || worker === "lies") signBlsJob(job);
        if (worker === "lies") Atomics.store(job.cells, 0, BLS_INVALID);
        if (worker === "dies") Atomics.store(job.cells, 0, BLS_TAKEN);
      },
    });
    return { v, signer: v.attestationSigner!, jobs, p };
  }

  it("the signature is the inner verifier's bytes, filled when the check of it is read; the verdict is the worker's or this thread's", () => {
    for (const worker of ["signs", "silent", "dies", "lies"] as const) {
      const { v, signer, jobs, p } = setup(worker);
      expect(getAttestationSigner(v)).toBe(signer);
      const sig = signer.signAggregate(committees[0]!, msgs[0]!);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]!.pks).toBeDefined();
      const read = v.startVerifyAggregate(pks(committees[0]!), msgs[0]!, sig);
      expect(p.posted).toHaveLength(0); // the signing job checks it: no chunk of its own
      expect(zeros(sig)).toBe(true);
      expect(read()).toBe(worker !== "lies"); // a worker's verdict is the one read
      expect(sig).toEqual(expected[0]);
      expect(read()).toBe(worker !== "lies");
      const states = { signs: BLS_VALID, silent: BLS_CLAIMED, dies: BLS_TAKEN, lies: BLS_INVALID };
      expect(Atomics.load(jobs[0]!.cells, 0)).toBe(states[worker]);
    }
  });

  it("checked against other keys or another message: filled at once and checked as itself; one never checked is filled by the next signature", () => {
    for (const worker of ["signs", "silent"] as const) {
      const { v, signer, p } = setup(worker);
      const a = signer.signAggregate(committees[0]!, msgs[0]!);
      const other = v.startVerifyAggregate(pks(committees[1]!), msgs[0]!, a);
      expect(a).toEqual(expected[0]);
      expect(p.posted).toHaveLength(1);
      expect(other()).toBe(false);
      const b = signer.signAggregate(committees[1]!, msgs[1]!);
      const otherMsg = v.startVerifyAggregate(pks(committees[1]!), msgs[0]!, b);
      expect(b).toEqual(expected[1]);
      expect(otherMsg()).toBe(false);
      const c = signer.signAggregate(committees[2]!, msgs[2]!);
      expect(zeros(c)).toBe(true);
      const d = signer.signAggregate(committees[3]!, msgs[3]!);
      expect(c).toEqual(expected[2]); // never checked: filled before the next one is started
      expect(v.startVerifyAggregate(pks(committees[3]!), msgs[3]!, d)()).toBe(true);
      expect(d).toEqual(expected[3]);
    }
  });

  it("what the pool cannot take is signed at once by the inner verifier; without a pool that signs there is no attestation signer", () => {
    const { signer, jobs } = setup("signs");
    const short = sha256("x").subarray(0, 16);
    expect(signer.signAggregate(committees[1]!, short)).toEqual(bls.signAggregate(committees[1]!, short));
    expect(() => signer.signAggregate([], msgs[0]!)).toThrow(/zero signatures/);
    expect(jobs).toHaveLength(0);
    const plain = createSharedBatchVerifier(bls, pool().post);
    expect(plain.attestationSigner).toBeUndefined();
    expect(getAttestationSigner(plain)).toBe(plain);
    expect(getAttestationSigner(bls)).toBe(bls);
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
      const seen = { chunks: 0, jobs: 0, signedThere: 0, attestations: 0 };
      const detach = attachBatchOffload(w, {
        post: (cells, cell, sets) => {
          seen.chunks++;
          if (seen.chunks % 2 === 0) verifyBlsCell(cells, cell, sets); // every other chunk checked "there"
        },
        sign: (job) => {
          seen.jobs++;
          // A block's attestation (signed and checked in one job): every other one left to the run's thread.
          if (job.pks !== undefined && seen.attestations++ % 2 === 1) return;
          signBlsJob(job);
          seen.signedThere += Array.from(job.cells).filter((s) => s === BLS_SIGNED).length;
        },
      });
      try {
        const out = runProtocol(config, handOverSubmissions(w));
        expect(seen.jobs).toBeGreaterThan(0);
        expect(seen.signedThere).toBeGreaterThan(0);
        expect(seen.attestations).toBeGreaterThan(1);
        expect(seen.chunks).toBeGreaterThan(0);
        expect(stringifyResults(out.results)).toBe(plain);
      } finally {
        detach();
      }
    });
  }
});
