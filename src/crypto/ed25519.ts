/**
 * User keys: Ed25519 (RFC 8032) through libsodium (`ed25519Raw.ts`). Signatures are deterministic
 * and keys are 32 raw bytes. See docs/programs.md "Signatures".
 */
import { XshardError } from "../errors.js";
import { sha256 } from "./hash.js";
import { expandSeed, signRaw, verifyRaw } from "./ed25519Raw.js";

export const ED25519_SEED_BYTES = 32;
export const ED25519_PUBKEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

export interface UserKey {
  /** libsodium's 64-byte secret key: the 32-byte seed, then the raw public key. */
  readonly secretKey: Uint8Array;
  /** Raw 32-byte public key. */
  readonly pubkey: Uint8Array;
}

/** The key pair of a 32-byte seed; throws `BAD_KEY` for any other length. */
export function userKeyFromSeed(seed: Uint8Array): UserKey {
  if (seed.length !== ED25519_SEED_BYTES) throw new XshardError("BAD_KEY", "seed must be 32 bytes", { length: seed.length });
  return expandSeed(seed);
}

/** 64-byte Ed25519 signature of `msg`. */
export function ed25519Sign(key: UserKey, msg: Uint8Array): Uint8Array {
  return signRaw(key.secretKey, msg);
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
