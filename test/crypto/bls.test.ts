import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash.js";
import { createBlsVerifier, createNoopVerifier, validatorKeyFromSeed } from "../../src/crypto/bls.js";
import { isXshardError } from "../../src/errors.js";

const keys = [0, 1, 2, 3].map((i) => validatorKeyFromSeed(sha256("validator", String(i))));
const pubkeys = keys.map((k) => k.pubkey);
const msg = sha256("affirmation: tokenA 1..7");

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isXshardError(e) ? e.code : "untyped";
  }
  return undefined;
}

function flip(bytes: Uint8Array, at: number): Uint8Array {
  return Uint8Array.from(bytes, (b, i) => (i === at ? b ^ 1 : b));
}

describe("BLS verifier", () => {
  const bls = createBlsVerifier();
  const sigs = keys.map((k) => bls.sign(k, msg));
  const agg = bls.aggregate(sigs);

  it("derives keys deterministically from a 32-byte seed", () => {
    const again = validatorKeyFromSeed(sha256("validator", "0"));
    expect(again.pubkey).toEqual(keys[0]!.pubkey);
    expect(again.pubkey.length).toBe(48);
    expect(keys[1]!.pubkey).not.toEqual(keys[0]!.pubkey);
    expect(code(() => validatorKeyFromSeed(new Uint8Array(31)))).toBe("BAD_SEED");
  });

  it("signs, aggregates and fast-aggregate-verifies", () => {
    expect(bls.active).toBe(true);
    expect(sigs.every((s) => s.length === 96)).toBe(true);
    expect(agg.length).toBe(96);
    expect(bls.verifyAggregate(pubkeys, msg, agg)).toBe(true);
    expect(bls.verifyAggregate([pubkeys[2]!], msg, sigs[2]!)).toBe(true);
  });

  it("rejects a wrong message, a missing or extra signer, and flipped bytes", () => {
    expect(bls.verifyAggregate(pubkeys, sha256("other"), agg)).toBe(false);
    expect(bls.verifyAggregate(pubkeys.slice(1), msg, agg)).toBe(false);
    expect(bls.verifyAggregate(pubkeys.slice(1), msg, bls.aggregate(sigs.slice(0, 3)))).toBe(false);
    expect(bls.verifyAggregate(pubkeys, msg, flip(agg, 40))).toBe(false);
    expect(bls.verifyAggregate([...pubkeys.slice(0, 3), flip(pubkeys[3]!, 20)], msg, agg)).toBe(false);
  });

  it("returns false, never throws, for malformed input", () => {
    expect(bls.verifyAggregate(pubkeys, msg, new Uint8Array(95))).toBe(false);
    expect(bls.verifyAggregate(pubkeys, msg, new Uint8Array(96))).toBe(false);
    expect(bls.verifyAggregate([new Uint8Array(48)], msg, sigs[0]!)).toBe(false);
    expect(bls.verifyAggregate([pubkeys[0]!.subarray(1)], msg, sigs[0]!)).toBe(false);
    expect(bls.verifyAggregate([], msg, agg)).toBe(false);
  });

  it("throws BAD_SIGNATURE when aggregating malformed or no signatures", () => {
    expect(code(() => bls.aggregate([sigs[0]!, new Uint8Array(96)]))).toBe("BAD_SIGNATURE");
    expect(code(() => bls.aggregate([sigs[0]!.subarray(1)]))).toBe("BAD_SIGNATURE");
    expect(code(() => bls.aggregate([]))).toBe("BAD_SIGNATURE");
  });

  it("never accepts a no-op signature", () => {
    const stub = createNoopVerifier().sign(keys[0]!, msg);
    expect(bls.verifyAggregate([pubkeys[0]!], msg, stub)).toBe(false);
    expect(code(() => bls.aggregate([stub]))).toBe("BAD_SIGNATURE");
  });
});

describe("no-op verifier (signatures off)", () => {
  const noop = createNoopVerifier();

  it("signs everything with one fixed 96-byte stub and checks only for that stub", () => {
    expect(noop.active).toBe(false);
    const a = noop.sign(keys[0]!, msg);
    const b = noop.sign(keys[1]!, sha256("anything"));
    expect(a.length).toBe(96);
    expect(a).toEqual(b);
    const agg = noop.aggregate([a, b]);
    expect(agg).toEqual(a);
    expect(noop.verifyAggregate(pubkeys, sha256("any message"), agg)).toBe(true);
    expect(noop.verifyAggregate(pubkeys, msg, flip(agg, 5))).toBe(false);
    expect(noop.verifyAggregate([], msg, agg)).toBe(false);
  });

  it("rejects real signatures", () => {
    const real = createBlsVerifier().sign(keys[0]!, msg);
    expect(noop.verifyAggregate([pubkeys[0]!], msg, real)).toBe(false);
    expect(code(() => noop.aggregate([real]))).toBe("BAD_SIGNATURE");
    expect(code(() => noop.aggregate([]))).toBe("BAD_SIGNATURE");
  });
});

describe("signAggregate", () => {
  it("is bit-identical to signing one by one and aggregating, and verifies against the individual keys", () => {
    const v = createBlsVerifier();
    const keys = Array.from({ length: 7 }, (_, i) => validatorKeyFromSeed(new Uint8Array(32).fill(i + 1)));
    const msg = new Uint8Array(32).fill(42);
    const one = v.signAggregate(keys, msg);
    expect(Buffer.from(one).equals(Buffer.from(v.aggregate(keys.map((k) => v.sign(k, msg)))))).toBe(true);
    expect(v.verifyAggregate(keys.map((k) => k.pubkey), msg, one)).toBe(true);
    expect(v.verifyAggregate(keys.slice(1).map((k) => k.pubkey), msg, one)).toBe(false);
    expect(() => v.signAggregate([], msg)).toThrow();
  });
});
