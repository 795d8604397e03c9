/**
 * Verdict boards attached to the beacon (`attachSignatureVerdicts`, src/chain/beacon.ts): a board's
 * verdict is read for the transaction objects it was attached for and no other, detaching one board
 * leaves another's transactions attached, and a verdict read is memoised. A board here is written by
 * hand (a worker writes it in a run), so that a verdict the beacon's own check would not give shows
 * that the board — and which board — was read.
 */
import { describe, expect, it } from "vitest";
import { attachSignatureVerdicts, getSignatureProblem } from "../../src/chain/beacon.js";
import { createUser } from "../../src/chain/genesis.js";
import { signTx, type SignedTx } from "../../src/program/index.js";
import { transferProgram } from "../../src/workloads/programs.js";

function validTx(nonce: bigint): SignedTx {
  const alice = createUser("alice");
  return signTx({ sender: alice.address, nonce, maxFeePerGas: 10n, gasLimit: 100_000n, program: transferProgram("token0", createUser("carol").address, 5n) }, alice.key);
}

describe("signature verdict boards", () => {
  it("two boards stay attached side by side; detaching one leaves the other's transactions attached", () => {
    const [a1, a2, b, c] = [validTx(1n), validTx(2n), validTx(3n), validTx(4n)];
    // Verdict 2 (invalid) for valid signatures: only a board read gives "bad signature".
    const boardA = new Uint8Array([2, 2]);
    const boardB = new Uint8Array([2, 0]);
    const detachA = attachSignatureVerdicts([a1, a2], boardA);
    attachSignatureVerdicts([b, c], boardB);
    expect(getSignatureProblem(a1)).toBe("bad signature"); // board A, still attached after B
    detachA();
    expect(getSignatureProblem(a2)).toBe(null); // detached: checked here
    expect(getSignatureProblem(b)).toBe("bad signature"); // board B, entry 0
    expect(getSignatureProblem(c)).toBe(null); // entry 1 not decided yet: checked here
    boardB[0] = 1;
    expect(getSignatureProblem(b)).toBe("bad signature"); // memoised once read
  });

  it("a board never overrides the sender rule", () => {
    const stx = validTx(5n);
    const forged: SignedTx = { ...stx, tx: { ...stx.tx, sender: createUser("mallory").address } };
    attachSignatureVerdicts([forged], new Uint8Array([1]));
    expect(getSignatureProblem(forged)).toBe("sender mismatch");
  });
});
