/**
 * Signing later in groups (`LaterSigning`, and `TxFactory` with a later signer): the signer gets
 * the same keys and messages, in the order the transactions were made, as `signTxLater` one by one;
 * every generated transaction reaches the signer, whatever workload made it.
 */
import { describe, expect, it } from "vitest";
import { ed25519Sign, type UserKey, userKeyFromSeed, addressOfPubkey } from "../../src/crypto/ed25519.js";
import { toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { ProgramBuilder, u64 } from "../../src/program/builder.js";
import { computeTxSigningMessage, LaterSigning, signTxLater, verifySignedTx, type LaterSigner } from "../../src/program/tx.js";
import type { Tx } from "../../src/program/types.js";
import { listWorkloads } from "../../src/workloads/index.js";

const keys = [1, 2, 3].map((i) => userKeyFromSeed(new Uint8Array(32).fill(i)));

function txOf(key: UserKey, nonce: number, amount: number): Tx {
  const b = new ProgramBuilder();
  b.require(b.call(`token${nonce % 3}`, "transfer", [u64(BigInt(amount))]));
  return { sender: addressOfPubkey(key.pubkey), nonce: BigInt(nonce), maxFeePerGas: 7n, gasLimit: 1_000_000n, program: b.build() };
}

/** A signer that records what it is given and signs at once. */
function recorder(): { signer: LaterSigner; log: string[] } {
  const log: string[] = [];
  const signer: LaterSigner = (key, message, into) => {
    log.push(`${toHex(key.pubkey)}:${toHex(message)}`);
    into.set(ed25519Sign(key, message));
  };
  return { signer, log };
}

describe("LaterSigning", () => {
  it("hands the signer what signTxLater does, in the order added, once flushed", () => {
    const txs = Array.from({ length: 40 }, (_, i) => ({ tx: txOf(keys[i % 3]!, i, i * 7), key: keys[i % 3]! }));
    const one = recorder();
    const alone = txs.map(({ tx, key }) => signTxLater(tx, key, one.signer));
    const many = recorder();
    const later = new LaterSigning(many.signer);
    // Fresh objects: no root memoised yet.
    const grouped = txs.map(({ tx, key }) => later.add({ ...tx }, key));
    expect(later.size).toBe(40);
    expect(many.log).toEqual([]);
    expect(grouped.every((s) => s.signature.every((b) => b === 0))).toBe(true);
    later.flush();
    expect(later.size).toBe(0);
    expect(many.log).toEqual(one.log);
    grouped.forEach((s, i) => {
      expect(toHex(s.signature)).toBe(toHex(alone[i]!.signature));
      expect(toHex(computeTxSigningMessage(s.tx))).toBe(toHex(computeTxSigningMessage(alone[i]!.tx)));
      verifySignedTx(s);
    });
  });

  it("refuses a sender that is not the key's at once; an invalid transaction throws when flushed", () => {
    const later = new LaterSigning(recorder().signer);
    let code = "";
    try {
      later.add(txOf(keys[0]!, 0, 1), keys[1]!);
    } catch (e) {
      code = isXshardError(e) ? e.code : "other";
    }
    expect(code).toBe("SENDER_MISMATCH");
    later.add({ ...txOf(keys[0]!, 0, 1), nonce: -1n }, keys[0]!);
    expect(() => later.flush()).toThrow();
  });
});

describe("TxFactory with a later signer", () => {
  it("every workload's transactions all reach the signer, each once, and verify", () => {
    for (const def of listWorkloads()) {
      const { signer, log } = recorder();
      const w = def.generate({ slots: 3, rate: 7, accounts: 20 }, "later", undefined, signer);
      expect(log.length, def.name).toBeGreaterThan(0);
      expect(new Set(log).size).toBe(log.length);
      const given = new Set(log);
      let later = 0;
      for (const s of w.submissions) {
        verifySignedTx(s.tx);
        if (given.has(`${toHex(s.tx.pubkey)}:${toHex(computeTxSigningMessage(s.tx.tx))}`)) later++;
      }
      expect(later, def.name).toBe(log.length);
    }
  });
});
