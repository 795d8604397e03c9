/**
 * The Ed25519 worker pool (src/runnerThreads.ts): a workload signed in the pool is the same bytes
 * as one signed in this thread, and the verdicts the pool records are the ones the beacon's own
 * check finds — a forged signature is rejected with the same reason. The workers load the built
 * worker file (dist/), as the binary does.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ed25519Pool } from "../../src/crypto/ed25519Pool.js";
import { getSignatureProblem, hasSignatureVerdict } from "../../src/chain/beacon.js";
import { createUser } from "../../src/chain/genesis.js";
import { encodeSignedTx, signTx, type SignedTx } from "../../src/program/index.js";
import { transferProgram } from "../../src/workloads/programs.js";
import { generateInPool, verifyInPool } from "../../src/runnerThreads.js";
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
    it(`${name}: signed in the pool, every transaction is the same bytes as signed in this thread, and every verdict is recorded as valid`, async () => {
      const plan = planWorkload(getWorkload(name), params, "9");
      const here = plan.generate();
      const { workload, work } = await generateInPool(plan, pool);
      expect(workload.submissions.length).toBe(here.submissions.length);
      expect(workload.submissions.map((s) => hex(s.tx))).toEqual(here.submissions.map((s) => hex(s.tx)));
      expect(JSON.stringify(workload.genesis, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).toBe(
        JSON.stringify(here.genesis, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)),
      );
      expect(work.verified).toBe(workload.submissions.length);
      for (const s of workload.submissions) {
        expect(hasSignatureVerdict(s.tx)).toBe(true);
        expect(getSignatureProblem(s.tx)).toBe(null);
      }
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
    const recorded = await verifyInPool([good, forged, wrongLength, mismatch], pool);
    // Verdicts recorded for the two whose check reaches the signature; the others are left to the beacon.
    expect(recorded).toBe(2);
    expect(hasSignatureVerdict(good)).toBe(true);
    expect(hasSignatureVerdict(forged)).toBe(true);
    expect(hasSignatureVerdict(wrongLength)).toBe(false);
    expect(hasSignatureVerdict(mismatch)).toBe(false);
    expect(getSignatureProblem(good)).toBe(null);
    expect(getSignatureProblem(forged)).toBe("bad signature");
    expect(getSignatureProblem(forgedHere)).toBe("bad signature");
    expect(getSignatureProblem(wrongLength)).toBe("bad signature");
    expect(getSignatureProblem(mismatch)).toBe("sender mismatch");
  });

  it("a garbage public key that makes the worker's check throw is left to the beacon", async () => {
    const good = aliceTx(2n);
    const verdicts = await pool.verify(new Uint8Array(32).fill(0xff), new Uint8Array(32), good.signature.slice());
    expect([0, 2]).toContain(verdicts[0]);
  });
});
