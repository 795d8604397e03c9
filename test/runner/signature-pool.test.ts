/**
 * The Ed25519 worker pool (src/runnerThreads.ts): a workload signed in the pool is the same bytes
 * as one signed in this thread, and the verdicts the pool records are the ones the beacon's own
 * check finds — a forged signature is rejected with the same reason. The workers load the built
 * worker file (dist/), as the binary does.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BLS_INVALID, BLS_PENDING, BLS_TAKEN, BLS_VALID, BOARD_INVALID, BOARD_PENDING, BOARD_VALID, createVerdictBoard, Ed25519Pool } from "../../src/crypto/ed25519Pool.js";
import { createBlsVerifier, validatorKeyFromSeed } from "../../src/crypto/bls.js";
import { sha256 } from "../../src/crypto/hash.js";
import { aggregatePublicKeys, PublicKey } from "@chainsafe/blst";
import { getSignatureProblem } from "../../src/chain/beacon.js";
import { createUser } from "../../src/chain/genesis.js";
import { computeTxSigningMessage, encodeSignedTx, signTx, signTxLater, verifySignedTx, type SignedTx } from "../../src/program/index.js";
import { transferProgram } from "../../src/workloads/programs.js";
import { generateInPool, PoolSigner, startVerification } from "../../src/runnerThreads.js";
import { getWorkload, planWorkload } from "../../src/workloads/index.js";

const WORKER = new URL("../../dist/crypto/ed25519Worker.js", import.meta.url);
let pool: Ed25519Pool;

beforeAll(() => {
  if (!existsSync(WORKER)) throw new Error("dist/ is missing: run `npm run build`");
  pool = new Ed25519Pool(2, WORKER);
});
afterAll(async () => {
  await pool.close();
});

/** A fresh pool for `generateInPool`, which closes it. */
function newPool(): Ed25519Pool {
  return new Ed25519Pool(2, WORKER);
}

function hex(stx: SignedTx): string {
  return Buffer.from(encodeSignedTx(stx)).toString("hex");
}

function aliceTx(nonce: bigint): SignedTx {
  const alice = createUser("alice");
  const program = transferProgram("token0", createUser("carol").address, 5n);
  return signTx({ sender: alice.address, nonce, maxFeePerGas: 10n, gasLimit: 100_000n, program }, alice.key);
}

describe("signature pool", () => {
  for (const [name, params] of [
    ["transfer", { slots: 3, rate: 40, accounts: 20 }],
    ["lifecycle", { slots: 4, rate: 10, accounts: 8 }],
    ["fee-shock", { slots: 3, rate: 10, accounts: 8 }],
  ] as const) {
    it(`${name}: signed in the pool, every transaction is the same bytes as signed in this thread, and the pool verifies every signature as valid`, async () => {
      const plan = planWorkload(getWorkload(name), params, "9");
      const here = plan.generate();
      const run = await generateInPool(plan, newPool());
      const workload = run.workload;
      expect(workload.submissions.length).toBe(here.submissions.length);
      expect(workload.submissions.map((s) => hex(s.tx))).toEqual(here.submissions.map((s) => hex(s.tx)));
      expect(JSON.stringify(workload.genesis, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).toBe(
        JSON.stringify(here.genesis, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)),
      );
      expect(run.verification.entries).toBe(workload.submissions.length);
      await run.verification.done;
      for (const s of workload.submissions) expect(getSignatureProblem(s.tx)).toBe(null);
      await run.close();
    });
  }

  it("a forged signature is rejected through the pool with the reason the beacon's own check gives", async () => {
    const good = aliceTx(1n);
    const sig = good.signature.slice();
    sig[7] = (sig[7] as number) ^ 1;
    const forged: SignedTx = { ...good, signature: sig };
    const forgedHere: SignedTx = { ...good, signature: sig.slice() };
    const wrongLength: SignedTx = { ...good, signature: sig.slice(0, 63) };
    const bob = createUser("bob");
    const mismatch: SignedTx = { ...good, pubkey: bob.key.pubkey };
    const v = startVerification([good, forged, wrongLength, mismatch], pool);
    // On the board: the two whose check reaches the signature; the others are left to the beacon.
    expect(v.entries).toBe(2);
    await v.done;
    expect(getSignatureProblem(good)).toBe(null);
    expect(getSignatureProblem(forged)).toBe("bad signature");
    expect(getSignatureProblem(forgedHere)).toBe("bad signature");
    expect(getSignatureProblem(wrongLength)).toBe("bad signature");
    expect(getSignatureProblem(mismatch)).toBe("sender mismatch");
    v.detach();
  });

  it("the board's verdicts are the worker's: valid and forged, decided in the pool", async () => {
    const good = aliceTx(3n);
    const sig = good.signature.slice();
    sig[0] = (sig[0] as number) ^ 0x80;
    const signer = new PoolSigner(pool);
    expect(signer.takeMessages()(good)).toBe(undefined);
    const board = createVerdictBoard(2);
    const msg = computeTxSigningMessage(good.tx);
    board.pubkeys.set(good.pubkey, 0);
    board.pubkeys.set(good.pubkey, 32);
    board.msgs.set(msg, 0);
    board.msgs.set(msg, 32);
    board.sigs.set(good.signature, 0);
    board.sigs.set(sig, 64);
    await pool.verifyBoard(board, 0, 2);
    expect([...board.verdicts]).toEqual([BOARD_VALID, BOARD_INVALID]);
  });

  it("a request posted after the board's ranges is answered before the last range: ranges wait in the background", async () => {
    const one = new Ed25519Pool(1, WORKER);
    try {
      const good = aliceTx(5n);
      const msg = computeTxSigningMessage(good.tx);
      const ranges = 20;
      const per = 64;
      const board = createVerdictBoard(ranges * per);
      for (let i = 0; i < ranges * per; i++) {
        board.pubkeys.set(good.pubkey, i * 32);
        board.msgs.set(msg, i * 32);
        board.sigs.set(good.signature, i * 64);
      }
      const order: string[] = [];
      const all = Array.from({ length: ranges }, (_, r) => one.verifyBoard(board, r * per, (r + 1) * per).then(() => order.push(`range ${r}`)));
      const late = one.verify(good.pubkey.slice(), msg.slice(), good.signature.slice()).then((v) => order.push(`verify ${v[0]}`));
      await Promise.all([...all, late]);
      expect(order.indexOf("verify 1")).toBeGreaterThanOrEqual(0);
      expect(order.indexOf("verify 1")).toBeLessThan(order.indexOf(`range ${ranges - 1}`));
      expect(order.filter((o) => o.startsWith("range"))).toEqual(Array.from({ length: ranges }, (_, r) => `range ${r}`));
      expect([...board.verdicts].every((v) => v === BOARD_VALID)).toBe(true);
    } finally {
      await one.close();
    }
  });

  it("a request posted after one long range is answered before that range ends: a range is verified in slices", async () => {
    const one = new Ed25519Pool(1, WORKER);
    try {
      const good = aliceTx(5n);
      const msg = computeTxSigningMessage(good.tx);
      const n = 8192; // ≈ 0.5 s of checks, 256 slices of the worker's
      const board = createVerdictBoard(n);
      for (let i = 0; i < n; i++) {
        board.pubkeys.set(good.pubkey, i * 32);
        board.msgs.set(msg, i * 32);
        board.sigs.set(good.signature, i * 64);
      }
      const order: string[] = [];
      const range = one.verifyBoard(board, 0, n).then(() => order.push("range"));
      // Posted once the worker is inside the range (its first verdict is stored).
      while (Atomics.load(board.verdicts, 0) === BOARD_PENDING) await new Promise((r) => setTimeout(r, 1));
      const late = one.verify(good.pubkey.slice(), msg.slice(), good.signature.slice()).then((v) => order.push(`verify ${v[0]}`));
      await Promise.all([range, late]);
      expect(order).toEqual(["verify 1", "range"]);
      expect([...board.verdicts].every((v) => v === BOARD_VALID)).toBe(true);
    } finally {
      await one.close();
    }
  });

  it("the signer hands its messages over in signing order only, and none after release", async () => {
    const alice = createUser("alice");
    const program = transferProgram("token0", createUser("carol").address, 5n);
    const signer = new PoolSigner(pool);
    const txs = [10n, 11n, 12n].map((nonce) => signTxLater({ sender: alice.address, nonce, maxFeePerGas: 10n, gasLimit: 100_000n, program }, alice.key, signer.sign));
    await signer.finish();
    for (const stx of txs) expect(() => verifySignedTx(stx)).not.toThrow();
    const take = signer.takeMessages();
    expect(take(txs[1]!)).toBe(undefined); // not the next one signed
    expect(take(aliceTx(4n))).toBe(undefined); // not signed by it
    for (const stx of txs) expect(take(stx)).toEqual(computeTxSigningMessage(stx.tx));
    expect(take(txs[0]!)).toBe(undefined); // already taken
    signer.release();
    expect(signer.takeMessages()(txs[0]!)).toBe(undefined);
  });

  it("a garbage public key that makes the worker's check throw is left to the beacon", async () => {
    const good = aliceTx(2n);
    const verdicts = await pool.verify(new Uint8Array(32).fill(0xff), new Uint8Array(32), good.signature.slice());
    expect([0, 2]).toContain(verdicts[0]);
  });
});

describe("generateWorkloadThreaded (what `xshard run` and the simulation benches call)", () => {
  // From dist/: the pool starts only where the compiled worker file sits beside the module.
  const DIST = "../../dist/";

  it("2 threads and enough transactions: one worker signs and verifies, the same bytes as 1 thread, whose run has no pool", async () => {
    const threaded = (await import(`${DIST}runnerThreads.js`)) as typeof import("../../src/runnerThreads.js");
    const workloads = (await import(`${DIST}workloads/index.js`)) as typeof import("../../src/workloads/index.js");
    const program = (await import(`${DIST}program/index.js`)) as typeof import("../../src/program/index.js");
    const plan = workloads.planWorkload(workloads.getWorkload("transfer"), { slots: 3, rate: 30, accounts: 12 }, "4");
    const bytes = (w: { submissions: readonly { tx: SignedTx }[] }) => w.submissions.map((s) => Buffer.from(program.encodeSignedTx(s.tx)).toString("hex"));
    const one = await threaded.generateWorkloadThreaded(plan, 1, { minTxs: 1 });
    expect(one.threads).toBe(0);
    await one.close();
    const two = await threaded.generateWorkloadThreaded(plan, 2, { minTxs: 1 });
    expect(two.threads).toBe(1);
    expect(bytes(two.workload)).toEqual(bytes(one.workload));
    expect(two.workload.submissions.length).toBe(90);
    await two.close();
    // Below the threshold no pool starts, whatever the threads.
    const few = await threaded.generateWorkloadThreaded(plan, 2, { minTxs: 91 });
    expect(few.threads).toBe(0);
    expect(bytes(few.workload)).toEqual(bytes(one.workload));
  });
});

describe("BLS batches in the pool (the sharded drivers' committee signatures)", () => {
  it("a worker stores valid for a good batch and invalid for one with a wrong message, in shared cells", async () => {
    const bls = createBlsVerifier();
    const keys = Array.from({ length: 5 }, (_, i) => validatorKeyFromSeed(sha256("pool-validator", String(i))));
    const aggregate = aggregatePublicKeys(keys.map((k) => PublicKey.fromBytes(k.pubkey))).toBytes(true);
    const msgs = [sha256("m", "0"), sha256("m", "1")];
    const sig = (m: Uint8Array) => bls.signAggregate(keys, m);
    const cells = new Int32Array(new SharedArrayBuffer(8));
    pool.verifyAggregatedSets(cells, 0, msgs.map((m) => ({ pubkey: aggregate, msg: m, signature: sig(m) })));
    pool.verifyAggregatedSets(cells, 1, [{ pubkey: aggregate, msg: msgs[0]!, signature: sig(msgs[1]!) }]);
    for (const i of [0, 1]) {
      for (let t = 0; t < 500 && [BLS_PENDING, BLS_TAKEN].includes(Atomics.load(cells, i)); t++) await new Promise((r) => setTimeout(r, 10));
    }
    expect([Atomics.load(cells, 0), Atomics.load(cells, 1)]).toEqual([BLS_VALID, BLS_INVALID]);
  });
});

