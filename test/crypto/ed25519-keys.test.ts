import { describe, expect, it } from "vitest";
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { sha256 } from "../../src/crypto/hash.js";
import { ed25519Sign, ed25519Verify, userKeyFromSeed } from "../../src/crypto/ed25519.js";

/** OpenSSL's (node:crypto's) key of a seed, through the PKCS#8 DER route: an independent implementation to compare with. */
function opensslKey(seed: Uint8Array): ReturnType<typeof createPrivateKey> {
  const pkcs8 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
  return createPrivateKey({ key: Buffer.concat([pkcs8, seed]), format: "der", type: "pkcs8" });
}

describe("Ed25519 through libsodium", () => {
  it("gives the same public keys and signatures as OpenSSL (node:crypto), and each verifies the other's", () => {
    for (let i = 0; i < 64; i++) {
      const seed = sha256("xshard:user:", `user${i}`);
      const msg = sha256("message", String(i));
      const key = userKeyFromSeed(seed);
      const ossl = opensslKey(seed);
      const spki = createPublicKey(ossl).export({ format: "der", type: "spki" });
      expect(Buffer.from(key.pubkey).equals(spki.subarray(spki.length - 32))).toBe(true);
      const sig = ed25519Sign(key, msg);
      expect(Buffer.from(sig).equals(sign(null, msg, ossl))).toBe(true);
      expect(verify(null, msg, createPublicKey(ossl), sig)).toBe(true);
      expect(ed25519Verify(key.pubkey, msg, sig)).toBe(true);
    }
  });

  it("rejects a changed message, a changed signature, another key and wrong lengths", () => {
    const key = userKeyFromSeed(sha256("a"));
    const other = userKeyFromSeed(sha256("b"));
    const msg = sha256("m");
    const sig = ed25519Sign(key, msg);
    expect(ed25519Verify(key.pubkey, sha256("n"), sig)).toBe(false);
    const bent = sig.slice();
    bent[5] = (bent[5] as number) ^ 1;
    expect(ed25519Verify(key.pubkey, msg, bent)).toBe(false);
    expect(ed25519Verify(other.pubkey, msg, sig)).toBe(false);
    expect(ed25519Verify(key.pubkey, msg, sig.subarray(0, 63))).toBe(false);
    expect(ed25519Verify(key.pubkey.subarray(0, 31), msg, sig)).toBe(false);
  });

  it("is strict: a non-canonical S (S + L) and a small-order public key are refused", () => {
    const key = userKeyFromSeed(sha256("strict"));
    const msg = sha256("m");
    const sig = ed25519Sign(key, msg);
    // S + L, little-endian in the signature's last 32 bytes: the same point equation, a non-canonical scalar.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i] as number);
    const bent = sig.slice();
    let t = s + L;
    for (let i = 32; i < 64; i++, t >>= 8n) bent[i] = Number(t & 0xffn);
    expect(ed25519Verify(key.pubkey, msg, bent)).toBe(false);
    // The identity point (order 1) as the public key, with R the identity and S = 0: the equation holds for any message.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const trivial = new Uint8Array(64);
    trivial[0] = 1;
    expect(ed25519Verify(identity, msg, trivial)).toBe(false);
  });

  it("a known vector: RFC 8032 test 1", () => {
    const seed = Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex");
    const key = userKeyFromSeed(seed);
    expect(Buffer.from(key.pubkey).toString("hex")).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    expect(Buffer.from(ed25519Sign(key, new Uint8Array(0))).toString("hex")).toBe(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
  });

  it("refuses a seed of the wrong length with BAD_KEY", () => {
    expect(() => userKeyFromSeed(new Uint8Array(31))).toThrow(expect.objectContaining({ code: "BAD_KEY" }));
  });
});
