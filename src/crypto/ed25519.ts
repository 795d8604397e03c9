/**
 * User keys: Ed25519 (RFC 8032) through node:crypto (OpenSSL). Signatures are deterministic,
 * keys are 32 raw bytes, and there is no dependency. See docs/programs.md "Signatures".
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { XshardError } from "../errors.js";
import { sha256 } from "./hash.js";

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
/** DER prefix of an SPKI Ed25519 public key; the 32-byte key follows. */
const SPKI_ED25519_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

export const ED25519_SEED_BYTES = 32;
export const ED25519_PUBKEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

export interface UserKey {
  readonly privateKey: KeyObject;
  /** Raw 32-byte public key. */
  readonly pubkey: Uint8Array;
}

/** The key pair of a 32-byte seed; throws `BAD_KEY` for any other length. */
export function userKeyFromSeed(seed: Uint8Array): UserKey {
  if (seed.length !== ED25519_SEED_BYTES) throw new XshardError("BAD_KEY", "seed must be 32 bytes", { length: seed.length });
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { privateKey, pubkey: new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length)) };
}

/** 64-byte Ed25519 signature of `msg`. */
export function ed25519Sign(key: UserKey, msg: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, msg, key.privateKey));
}

/** Imported public keys by raw key (hex): importing costs more than verifying. Bounded. */
const publicKeys = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 1 << 16;

function getPublicKey(pubkey: Uint8Array): KeyObject {
  const id = Buffer.from(pubkey).toString("hex");
  let key = publicKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, pubkey]), format: "der", type: "spki" });
    if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

/** True if `sig` is a valid signature of `msg` under the raw public key; false for wrong lengths. */
export function ed25519Verify(pubkey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (pubkey.length !== ED25519_PUBKEY_BYTES || sig.length !== ED25519_SIGNATURE_BYTES) return false;
  return verify(null, msg, getPublicKey(pubkey), sig);
}

/** A user's address: sha256 of the raw public key. */
export function addressOfPubkey(pubkey: Uint8Array): Uint8Array {
  return sha256(pubkey);
}
