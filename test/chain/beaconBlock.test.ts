/**
 * The beacon's Stage-1 block rule (src/chain/beacon.ts): a proposer's choice without the new state
 * (`selectStage1Block`) is the choice `processStage1Block` makes, and the encoding made for a
 * transaction's size is the canonical one, handed over once (`takeSignedTxEncoding`).
 */
import { describe, expect, it } from "vitest";
import { createBeaconState, getEncodedSize, processStage1Block, selectStage1Block, takeSignedTxEncoding, type Stage1Limits } from "../../src/chain/beacon.js";
import { createUser } from "../../src/chain/genesis.js";
import { toHex } from "../../src/crypto/hash.js";
import { encodeSignedTx, signTx, type SignedTx } from "../../src/program/index.js";
import { transferProgram } from "../../src/workloads/programs.js";

const alice = createUser("alice");
const bob = createUser("bob");
const carol = createUser("carol");

function tx(user: typeof alice, nonce: bigint, gasLimit = 100_000n, maxFeePerGas = 10n): SignedTx {
  return signTx({ sender: user.address, nonce, maxFeePerGas, gasLimit, program: transferProgram("token0", carol.address, 5n) }, user.key);
}

describe("beacon Stage-1 block", () => {
  it("selectStage1Block chooses what processStage1Block chooses: nonces within the block, fees within the balance, room, base fee", () => {
    const pre = createBeaconState([
      [toHex(alice.address), 3_000_000n],
      [toHex(bob.address), 10_000_000n],
    ]);
    const forged: SignedTx = { ...tx(bob, 9n), tx: { ...tx(bob, 9n).tx, sender: alice.address } };
    // alice: three fees of 1,000,000 fit her balance, a fourth does not, 5 is a gap; bob's 1 comes before his 0; a fee cap below the base fee; a forged sender; an unknown sender; a gas limit over the block's.
    const candidates = [tx(alice, 0n), tx(bob, 1n), tx(alice, 1n), tx(alice, 2n), tx(alice, 3n), tx(alice, 5n), tx(bob, 0n), tx(bob, 1n), tx(bob, 2n, 100_000n, 1n), forged, tx(carol, 0n), tx(bob, 3n, 10n ** 9n)];
    const limits: Stage1Limits = { txs: 7, bytes: 100_000, gas: 2_000_000n, baseFee: 5n };
    for (const l of [limits, { ...limits, txs: 3 }, { ...limits, bytes: 1_000 }, { ...limits, gas: 350_000n }]) {
      const full = processStage1Block(pre, candidates, toHex(carol.address), l);
      const { state, ...choice } = full;
      expect(selectStage1Block(pre, candidates, l)).toEqual(choice);
      expect(choice.included.length).toBeGreaterThan(0);
      expect(state.balances.get(toHex(carol.address))).toBe(choice.fees);
    }
    const r = processStage1Block(pre, candidates, toHex(carol.address), limits);
    expect(r.included.map((s) => [toHex(s.tx.sender) === toHex(alice.address) ? "a" : "b", s.tx.nonce])).toEqual([
      ["a", 0n],
      ["a", 1n],
      ["a", 2n],
      ["b", 0n],
      ["b", 1n],
    ]);
    expect(r.rejected.map((x) => x.reason).sort()).toEqual(["gas limit above the block gas limit", "insufficient balance for fee", "sender mismatch", "unknown sender"].sort());
    expect(r.belowBaseFee.map((s) => s.tx.nonce)).toEqual([2n]);
    expect(pre.balances.get(toHex(alice.address))).toBe(3_000_000n); // the input state is not changed
  });

  it("the encoding made for a size is encodeSignedTx's, taken once; after that a fresh one is made", () => {
    const stx = tx(alice, 7n);
    const want = encodeSignedTx(stx);
    expect(getEncodedSize(stx)).toBe(want.length);
    const first = takeSignedTxEncoding(stx);
    expect(first).toEqual(want);
    const second = takeSignedTxEncoding(stx);
    expect(second).toEqual(want);
    expect(second).not.toBe(first);
    expect(getEncodedSize(stx)).toBe(want.length); // the size stays memoised
    expect(takeSignedTxEncoding(tx(bob, 1n))).toEqual(encodeSignedTx(tx(bob, 1n))); // never sized: encoded here
  });
});
