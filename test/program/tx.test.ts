import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressOfPubkey, ed25519Sign, ed25519Verify, userKeyFromSeed } from "../../src/crypto/ed25519.js";
import { fromHex, toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { ProgramBuilder, u64 } from "../../src/program/builder.js";
import { decodeSignedTx, encodeSignedTx, encodeTx } from "../../src/program/codec.js";
import { computeTxId, computeTxSigningMessage, signTx, verifySignedTx } from "../../src/program/tx.js";
import { SignedTxType, TxType } from "../../src/program/ssz.js";
import { toValidatedSszSignedTx, toValidatedSszTx } from "../../src/program/codec.js";
import { sha256 } from "../../src/crypto/hash.js";
import type { SignedTx, Tx } from "../../src/program/types.js";
import { programArb } from "./arbitraries.js";

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!isXshardError(e)) throw e;
    return e.code;
  }
  return "none";
}

const alice = userKeyFromSeed(new Uint8Array(32).fill(1));
const bob = userKeyFromSeed(new Uint8Array(32).fill(2));

function aliceTx(nonce = 0n): Tx {
  const b = new ProgramBuilder();
  b.require(b.call("tokenA", "transfer", [u64(100)]));
  return { sender: addressOfPubkey(alice.pubkey), nonce, maxFeePerGas: 7n, gasLimit: 1_000_000n, program: b.build() };
}

describe("Ed25519 keys", () => {
  it("matches RFC 8032 test vector 1 (empty message)", () => {
    const key = userKeyFromSeed(fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    expect(toHex(key.pubkey)).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    const sig = ed25519Sign(key, new Uint8Array());
    expect(toHex(sig)).toBe(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
    expect(ed25519Verify(key.pubkey, new Uint8Array(), sig)).toBe(true);
    expect(ed25519Verify(key.pubkey, Uint8Array.of(0), sig)).toBe(false);
  });
  it("wrong lengths verify false and bad seeds throw BAD_KEY", () => {
    const sig = ed25519Sign(alice, Uint8Array.of(1));
    expect(ed25519Verify(alice.pubkey.subarray(1), Uint8Array.of(1), sig)).toBe(false);
    expect(ed25519Verify(alice.pubkey, Uint8Array.of(1), sig.subarray(1))).toBe(false);
    expect(codeOf(() => userKeyFromSeed(new Uint8Array(31)))).toBe("BAD_KEY");
  });
});

describe("signed transactions", () => {
  it("a signed transaction verifies, also after an encode/decode round trip", () => {
    const stx = signTx(aliceTx(), alice);
    expect(() => verifySignedTx(stx)).not.toThrow();
    expect(() => verifySignedTx(decodeSignedTx(encodeSignedTx(stx)))).not.toThrow();
  });

  it("signing is deterministic and the id commits to the signature", () => {
    const a = signTx(aliceTx(), alice);
    expect(signTx(aliceTx(), alice)).toEqual(a);
    expect(computeTxId(a)).toEqual(computeTxId(signTx(aliceTx(), alice)));
    expect(computeTxId(a)).not.toEqual(computeTxId(signTx(aliceTx(1n), alice)));
    expect(computeTxSigningMessage(aliceTx())).not.toEqual(computeTxSigningMessage(aliceTx(1n)));
  });

  it("every flipped signature byte → BAD_SIGNATURE", () => {
    const stx = signTx(aliceTx(), alice);
    for (let i = 0; i < 64; i++) {
      const signature = stx.signature.slice();
      signature[i] = (signature[i] ?? 0) ^ 1;
      expect(codeOf(() => verifySignedTx({ ...stx, signature }))).toBe("BAD_SIGNATURE");
    }
  });

  it("every flipped byte of the encoded transaction is caught by decoding or by verification", () => {
    const stx = signTx(aliceTx(), alice);
    const bytes = encodeSignedTx(stx);
    const txStart = 4 + 32 + 64;
    const txLength = encodeTx(stx.tx).length;
    const codes = new Set<string>();
    for (let i = txStart; i < txStart + txLength; i++) {
      const mutated = bytes.slice();
      mutated[i] = (mutated[i] ?? 0) ^ 0x10;
      const code = codeOf(() => verifySignedTx(decodeSignedTx(mutated)));
      expect(code).not.toBe("none");
      codes.add(code);
    }
    expect(codes).toContain("BAD_SIGNATURE");
    expect(codes).toContain("SENDER_MISMATCH");
  });

  it("a changed program, nonce or fee → BAD_SIGNATURE", () => {
    const stx = signTx(aliceTx(), alice);
    const b = new ProgramBuilder();
    b.call("tokenA", "transfer", [u64(101)]);
    const changed: Tx[] = [
      { ...stx.tx, program: b.build() },
      { ...stx.tx, nonce: 1n },
      { ...stx.tx, maxFeePerGas: 8n },
      { ...stx.tx, gasLimit: 1n },
    ];
    for (const tx of changed) expect(codeOf(() => verifySignedTx({ ...stx, tx }))).toBe("BAD_SIGNATURE");
  });

  it("another key's pubkey → SENDER_MISMATCH; with the sender changed to match it → BAD_SIGNATURE", () => {
    const stx = signTx(aliceTx(), alice);
    expect(codeOf(() => verifySignedTx({ ...stx, pubkey: bob.pubkey }))).toBe("SENDER_MISMATCH");
    const forged: SignedTx = { tx: { ...stx.tx, sender: addressOfPubkey(bob.pubkey) }, pubkey: bob.pubkey, signature: stx.signature };
    expect(codeOf(() => verifySignedTx(forged))).toBe("BAD_SIGNATURE");
  });

  it("the sender check follows a public key array's bytes, also when they change after a check", () => {
    const stx = signTx(aliceTx(), alice);
    const pubkey = alice.pubkey.slice();
    const mine = { ...stx, pubkey };
    expect(codeOf(() => verifySignedTx(mine))).toBe("none");
    pubkey.set(bob.pubkey);
    expect(codeOf(() => verifySignedTx(mine))).toBe("SENDER_MISMATCH");
    pubkey.set(alice.pubkey);
    expect(codeOf(() => verifySignedTx(mine))).toBe("none");
  });

  it("signing with a key that is not the sender's → SENDER_MISMATCH", () => {
    expect(codeOf(() => signTx(aliceTx(), bob))).toBe("SENDER_MISMATCH");
  });

  it("fields of the wrong length or outside u64 → BAD_FIELD", () => {
    const tx = aliceTx();
    expect(codeOf(() => encodeTx({ ...tx, sender: new Uint8Array(31) }))).toBe("BAD_FIELD");
    expect(codeOf(() => encodeTx({ ...tx, nonce: -1n }))).toBe("BAD_FIELD");
    expect(codeOf(() => encodeTx({ ...tx, gasLimit: 1n << 64n }))).toBe("BAD_FIELD");
    const stx = signTx(tx, alice);
    expect(codeOf(() => encodeSignedTx({ ...stx, signature: new Uint8Array(63) }))).toBe("BAD_FIELD");
    expect(codeOf(() => computeTxId({ ...stx, pubkey: new Uint8Array(33) }))).toBe("BAD_FIELD");
  });

  it("the id and the signing message are the SSZ roots of the signed transaction and of the transaction, for any program and fields", () => {
    const u64Arb = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(programArb(), u64Arb, u64Arb, u64Arb, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (program, nonce, maxFeePerGas, gasLimit, sender, pubkey, signature) => {
        const tx: Tx = { sender, nonce, maxFeePerGas, gasLimit, program };
        const stx: SignedTx = { tx, pubkey, signature };
        expect(computeTxId(stx)).toEqual(SignedTxType.hashTreeRoot(toValidatedSszSignedTx(stx)));
        expect(computeTxSigningMessage(tx)).toEqual(sha256("xshard:tx:", TxType.hashTreeRoot(toValidatedSszTx(tx))));
      }),
      { numRuns: 200 },
    );
  });

  it("signatures and memoised ids are private: changing one changes no other transaction's, nor what the memo gives again", () => {
    const txs = Array.from({ length: 5 }, (_, i) => signTx(aliceTx(BigInt(10 + i)), alice));
    const ids = txs.map((stx) => computeTxId(stx));
    const sszIds = txs.map((stx) => SignedTxType.hashTreeRoot(toValidatedSszSignedTx(stx)));
    expect(ids).toEqual(sszIds);
    (ids[1] as Uint8Array).fill(0); // a caller's copy
    const b = txs[2] as SignedTx;
    const before = b.signature.slice();
    const c = txs[3] as SignedTx;
    const forged = { ...c, signature: c.signature };
    forged.signature[0] = (forged.signature[0] as number) ^ 1; // the array itself: only c's bytes
    expect(codeOf(() => verifySignedTx(forged))).toBe("BAD_SIGNATURE");
    expect(b.signature).toEqual(before);
    for (const i of [0, 1, 2, 4]) {
      expect(() => verifySignedTx(txs[i] as SignedTx)).not.toThrow();
      expect(computeTxId(txs[i] as SignedTx)).toEqual(sszIds[i]);
    }
    expect(txs.every((stx) => stx.signature.length === 64)).toBe(true);
  });

  it("the id checks the pubkey and signature lengths before the transaction, as the encoder does", () => {
    const stx = signTx(aliceTx(), alice);
    const bad = { ...stx, pubkey: new Uint8Array(31), tx: { ...stx.tx, nonce: -1n } };
    expect(codeOf(() => computeTxId(bad))).toBe(codeOf(() => encodeSignedTx(bad)));
    expect(codeOf(() => computeTxId({ ...stx, tx: { ...stx.tx, nonce: -1n } }))).toBe("BAD_FIELD");
    expect(codeOf(() => computeTxId({ ...stx, tx: { ...stx.tx, program: { steps: [] } } }))).toBe("EMPTY_PROGRAM");
  });
});
