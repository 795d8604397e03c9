import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash.js";
import { createBlsVerifier, createNoopVerifier, validatorKeyFromSeed } from "../../src/crypto/bls.js";
import { isXshardError } from "../../src/errors.js";
import { attachBatchOffload, createSignatureBatch, getBatchOffload, type BatchOffload } from "../../src/sim/shards/signatureBatch.js";
import { BLS_CLAIMED, BLS_INVALID, BLS_PENDING, BLS_SIGNED, BLS_VALID, type BlsSignJob } from "../../src/crypto/ed25519Pool.js";
import { signBlsJob, verifyBlsCell } from "../../src/crypto/ed25519Worker.js";
import type { AggregatedKeySet } from "../../src/crypto/bls.js";
import { thrownBy } from "../helpers/errors.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../../src/runner.js";
import { FAST, workload } from "../helpers/run.js";

const keys = Array.from({ length: 6 }, (_, i) => validatorKeyFromSeed(sha256("validator", String(i))));
const committeeA = keys.slice(0, 4);
const committeeB = keys.slice(2, 6);
const msgs = [0, 1, 2, 3].map((i) => sha256("header", String(i)));

function flushCode(flush: () => number): string | undefined {
  try {
    flush();
  } catch (e) {
    return isXshardError(e) ? e.code : "untyped";
  }
  return undefined;
}

describe("signature batch (drivers' end-of-slot verification)", () => {
  const bls = createBlsVerifier();

  it("records each check, answers true, and verifies them all as one batch at flush", () => {
    const batch = createSignatureBatch(bls);
    const v = batch.verifier;
    for (const [i, msg] of msgs.entries()) {
      const committee = i % 2 === 0 ? committeeA : committeeB;
      expect(v.verifyAggregate(committee.map((k) => k.pubkey), msg, v.signAggregate(committee, msg))).toBe(true);
    }
    expect(batch.pending).toBe(4);
    expect(batch.flush()).toBe(4);
    expect(batch.pending).toBe(0);
    expect(batch.flush()).toBe(0);
  });

  it("signs exactly as the inner verifier", () => {
    const batch = createSignatureBatch(bls);
    expect(batch.verifier.signAggregate(committeeA, msgs[0]!)).toEqual(bls.signAggregate(committeeA, msgs[0]!));
    expect(batch.verifier.sign(keys[0]!, msgs[0]!)).toEqual(bls.sign(keys[0]!, msgs[0]!));
  });

  it("throws BAD_SIGNATURE at flush when one check in the batch does not hold (wrong message, wrong signers, malformed)", () => {
    const wrongMessage = (v: ReturnType<typeof createSignatureBatch>["verifier"]) => v.verifyAggregate(committeeA.map((k) => k.pubkey), msgs[1]!, bls.signAggregate(committeeA, msgs[0]!));
    const wrongSigners = (v: ReturnType<typeof createSignatureBatch>["verifier"]) => v.verifyAggregate(committeeB.map((k) => k.pubkey), msgs[1]!, bls.signAggregate(committeeA, msgs[1]!));
    const malformed = (v: ReturnType<typeof createSignatureBatch>["verifier"]) => v.verifyAggregate(committeeA.map((k) => k.pubkey), msgs[1]!, new Uint8Array(96).fill(7));
    for (const bad of [wrongMessage, wrongSigners, malformed]) {
      const batch = createSignatureBatch(bls);
      const v = batch.verifier;
      v.verifyAggregate(committeeA.map((k) => k.pubkey), msgs[0]!, bls.signAggregate(committeeA, msgs[0]!));
      bad(v);
      v.verifyAggregate(committeeB.map((k) => k.pubkey), msgs[2]!, bls.signAggregate(committeeB, msgs[2]!));
      const error = thrownBy(() => batch.flush());
      expect(isXshardError(error) && error.code).toBe("BAD_SIGNATURE");
      expect(isXshardError(error) && error.data).toMatchObject({ index: 1, checks: 3 });
      expect(batch.pending).toBe(0);
    }
  });

  it("copies what it records: a caller reusing its message buffer does not change the check", () => {
    const batch = createSignatureBatch(bls);
    const msg = Uint8Array.from(msgs[0]!);
    batch.verifier.verifyAggregate(committeeA.map((k) => k.pubkey), msg, bls.signAggregate(committeeA, msgs[0]!));
    msg.fill(0);
    expect(flushCode(() => batch.flush())).toBeUndefined();
  });

  it("with signatures off is the inner verifier itself", () => {
    const noop = createNoopVerifier();
    const batch = createSignatureBatch(noop);
    expect(batch.verifier).toBe(noop);
    expect(batch.flush()).toBe(0);
  });
});

describe("signature batch handed to a worker (offload)", () => {
  const bls = createBlsVerifier();
  const good = (v: ReturnType<typeof createSignatureBatch>["verifier"], i: number) => {
    const committee = i % 2 === 0 ? committeeA : committeeB;
    v.verifyAggregate(committee.map((k) => k.pubkey), msgs[i]!, bls.signAggregate(committee, msgs[i]!));
  };
  const wrongMessage = (v: ReturnType<typeof createSignatureBatch>["verifier"]) => v.verifyAggregate(committeeA.map((k) => k.pubkey), msgs[1]!, bls.signAggregate(committeeA, msgs[0]!));

  /** An offload that keeps what it is handed; `run` plays the worker (the worker's own function). */
  function recorder(): BatchOffload & { posted: { cells: Int32Array; cell: number; sets: readonly AggregatedKeySet[] }[]; run(): void } {
    const posted: { cells: Int32Array; cell: number; sets: readonly AggregatedKeySet[] }[] = [];
    return { posted, post: (cells, cell, sets) => posted.push({ cells, cell, sets }), run: () => posted.forEach((p) => verifyBlsCell(p.cells, p.cell, p.sets)) };
  }

  it("flush hands the batch over (aggregate keys, messages, signatures) and settle reads the worker's verdict", () => {
    const off = recorder();
    const batch = createSignatureBatch(bls, off);
    for (const i of [0, 1, 2]) good(batch.verifier, i);
    expect(batch.flush()).toBe(3);
    expect(off.posted).toHaveLength(1);
    const p = off.posted[0]!;
    expect(p.sets.map((s) => s.pubkey.length)).toEqual([48, 48, 48]);
    expect(Atomics.load(p.cells, p.cell)).toBe(BLS_PENDING);
    off.run();
    expect(Atomics.load(p.cells, p.cell)).toBe(BLS_VALID);
    expect(() => batch.settle()).not.toThrow();
  });

  it("a batch no worker took is checked at settle by the run's own thread, and then the worker skips it", () => {
    const off = recorder();
    const batch = createSignatureBatch(bls, off);
    good(batch.verifier, 0);
    batch.flush();
    good(batch.verifier, 1);
    wrongMessage(batch.verifier);
    batch.flush();
    const error = thrownBy(() => batch.settle());
    expect(isXshardError(error) && error.code).toBe("BAD_SIGNATURE");
    expect(isXshardError(error) && error.data).toMatchObject({ index: 1, checks: 2 });
    off.run(); // too late: both cells were claimed by the run's thread
    expect(off.posted.map((p) => Atomics.load(p.cells, p.cell))).not.toContain(BLS_VALID);
  });

  it("a bad batch the worker found fails the run with the same error as in-thread, at the next flush or at settle", () => {
    for (const when of ["flush", "settle"] as const) {
      const off = recorder();
      const batch = createSignatureBatch(bls, off);
      good(batch.verifier, 0);
      wrongMessage(batch.verifier);
      batch.flush();
      off.run();
      expect(Atomics.load(off.posted[0]!.cells, off.posted[0]!.cell)).toBe(BLS_INVALID);
      good(batch.verifier, 2);
      const code = flushCode(() => {
        if (when === "flush") batch.flush();
        else batch.settle();
        return 0;
      });
      expect(code).toBe("BAD_SIGNATURE");
    }
  });

  it("is attached per workload object and detached", () => {
    const w1 = {};
    const w2 = {};
    const off = recorder();
    const detach = attachBatchOffload(w1, off);
    expect(getBatchOffload(w1)).toBe(off);
    expect(getBatchOffload(w2)).toBeUndefined();
    detach();
    expect(getBatchOffload(w1)).toBeUndefined();
  });

  it("presign: the signatures made ahead (half by the worker, half here) are the inner verifier's bytes, and signAggregate returns them once", () => {
    let worker: BlsSignJob | undefined;
    const off: BatchOffload = { post: () => {}, sign: (job) => (worker = job) };
    let innerCalls = 0;
    const counting = { ...bls, signAggregate: (k: Parameters<typeof bls.signAggregate>[0], m: Uint8Array) => (innerCalls++, bls.signAggregate(k, m)) };
    const batch = createSignatureBatch(counting, off);
    const requests = msgs.map((msg, i) => ({ keys: i % 2 === 0 ? committeeA : committeeB, msg }));
    // The "worker" signs the first two entries before the run's thread starts on the job.
    const realSign = off.sign!;
    off.sign = (job) => {
      realSign(job);
      const half = { ...job, msgs: job.msgs.subarray(0, 64) };
      signBlsJob(half);
    };
    batch.presign(requests);
    expect(worker).toBeDefined();
    expect(Array.from(worker!.cells.subarray(0, 4))).toEqual([BLS_SIGNED, BLS_SIGNED, BLS_CLAIMED, BLS_CLAIMED]);
    for (const r of requests) expect(batch.verifier.signAggregate([...r.keys], r.msg)).toEqual(bls.signAggregate(r.keys, r.msg));
    expect(innerCalls).toBe(0);
    // Used up: the next one is signed by the inner verifier; and a flush forgets what was not used.
    expect(batch.verifier.signAggregate(committeeA, msgs[0]!)).toEqual(bls.signAggregate(committeeA, msgs[0]!));
    expect(innerCalls).toBe(1);
    batch.presign(requests);
    batch.flush();
    batch.verifier.signAggregate(committeeA, msgs[0]!);
    expect(innerCalls).toBe(2);
  });

  it("presign: other keys than those presigned for the message are signed by the inner verifier", () => {
    const batch = createSignatureBatch(bls, { post: () => {}, sign: () => {} });
    batch.presign([{ keys: committeeA, msg: msgs[0]! }, { keys: committeeA, msg: msgs[1]! }]);
    expect(batch.verifier.signAggregate(committeeB, msgs[0]!)).toEqual(bls.signAggregate(committeeB, msgs[0]!));
    expect(batch.verifier.signAggregate(committeeA, msgs[0]!)).toEqual(bls.signAggregate(committeeA, msgs[0]!));
  });
});

describe("the drivers' batches go to the offload attached to the workload", () => {
  // sync, lock2pc (the sharded driver) and receipts: every slot's batch is posted, the worker's
  // verdicts are read at the end, and the results are the same bytes as a run without an offload.
  for (const protocol of ["sync", "lock2pc", "receipts:passive+cc"]) {
    it(`${protocol}: batches posted and verified there, same results`, () => {
      const make = () => workload("transfer", { slots: 3, rate: 6, accounts: 8, contracts: 4, cross: 0.5 });
      const config = resolveRunConfig({ ...FAST, signatures: true, protocol });
      const plain = stringifyResults(runProtocol(config, make()).results);
      const w = make();
      let posted = 0;
      let checks = 0;
      const detach = attachBatchOffload(w, {
        post: (cells, cell, sets) => {
          posted++;
          checks += sets.length;
          verifyBlsCell(cells, cell, sets);
        },
      });
      try {
        const out = runProtocol(config, w);
        expect(posted).toBeGreaterThan(0);
        expect(checks).toBeGreaterThan(posted);
        expect(stringifyResults(out.results)).toBe(plain);
      } finally {
        detach();
      }
    });
  }
});
