import { describe, expect, it } from "vitest";
import { sign } from "node:crypto";
import { sha256 } from "../../src/crypto/hash.js";
import { ed25519Sign, ed25519Verify, userKeyFromSeed, userKeyFromSeedDer } from "../../src/crypto/ed25519.js";

describe("userKeyFromSeed (JWK import)", () => {
  it("gives the same public key and signatures as the PKCS#8/SPKI DER route", () => {
    const msg = sha256("message");
    for (let i = 0; i < 64; i++) {
      const seed = sha256("xshard:user:", `user${i}`);
      const fast = userKeyFromSeed(seed);
      const der = userKeyFromSeedDer(seed);
      expect(Buffer.from(fast.pubkey).toString("hex")).toBe(Buffer.from(der.pubkey).toString("hex"));
      expect(Buffer.from(ed25519Sign(fast, msg)).equals(sign(null, msg, der.privateKey))).toBe(true);
      expect(ed25519Verify(fast.pubkey, msg, ed25519Sign(fast, msg))).toBe(true);
    }
  });

  it("a known vector: RFC 8032 test 1", () => {
    const seed = Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex");
    expect(Buffer.from(userKeyFromSeed(seed).pubkey).toString("hex")).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  });

  it("refuses a seed of the wrong length with BAD_KEY", () => {
    expect(() => userKeyFromSeed(new Uint8Array(31))).toThrow(expect.objectContaining({ code: "BAD_KEY" }));
  });
});
