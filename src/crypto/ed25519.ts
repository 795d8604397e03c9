/**
 * User keys: Ed25519 (RFC 8032) through node:crypto (OpenSSL). Signatures are deterministic,
 * keys are 32 raw bytes, and there is no dependency. See docs/programs.md "Signatures".
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { XshardError } from "../errors.js";
import { sha256 } from "./hash.js";
import { exportRawKey, importSeed, SPKI_ED25519_PREFIX, signRaw, verifyRaw } from "./ed25519Raw.js";

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

export const ED25519_SEED_BYTES = 32;
export const ED25519_PUBKEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

export interface UserKey {
  readonly privateKey: KeyObject;
  /** Raw 32-byte public key. */
  readonly pubkey: Uint8Array;
}

/**
 * The key pair of a 32-byte seed; throws `BAD_KEY` for any other length. Imported as a raw JWK
 * (`importSeed`): the same key bytes as the PKCS#8/SPKI DER route (`userKeyFromSeedDer`), about 8×
 * cheaper (test/crypto/ed25519-keys.test.ts compares both).
 */
export function userKeyFromSeed(seed: Uint8Array): UserKey {
  if (seed.length !== ED25519_SEED_BYTES) throw new XshardError("BAD_KEY", "seed must be 32 bytes", { length: seed.length });
  const privateKey = importSeed(seed);
  return { privateKey, pubkey: exportRawKey(privateKey).pubkey };
}

/** The same key pair through PKCS#8/SPKI DER, the route `userKeyFromSeed` replaced (kept for the test that compares them). */
export function userKeyFromSeedDer(seed: Uint8Array): UserKey {
  if (seed.length !== ED25519_SEED_BYTES) throw new XshardError("BAD_KEY", "seed must be 32 bytes", { length: seed.length });
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { privateKey, pubkey: new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length)) };
}

/** 64-byte Ed25519 signature of `msg`. */
export function ed25519Sign(key: UserKey, msg: Uint8Array): Uint8Array {
  return new Uint8Array(signRaw(key.privateKey, msg));
}

/** True if `sig` is a valid signature of `msg` under the raw public key; false for wrong lengths. */
export function ed25519Verify(pubkey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (pubkey.length !== ED25519_PUBKEY_BYTES || sig.length !== ED25519_SIGNATURE_BYTES) return false;
  return verifyRaw(pubkey, msg, sig);
}

/** A user's address: sha256 of the raw public key. */
export function addressOfPubkey(pubkey: Uint8Array): Uint8Array {
  return sha256(pubkey);
}
