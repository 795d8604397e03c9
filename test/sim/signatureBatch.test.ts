import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash.js";
import { createBlsVerifier, createNoopVerifier, validatorKeyFromSeed } from "../../src/crypto/bls.js";
import { isXshardError } from "../../src/errors.js";
import { createSignatureBatch } from "../../src/sim/shards/signatureBatch.js";

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
      let error: unknown;
      try {
        batch.flush();
      } catch (e) {
        error = e;
      }
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
