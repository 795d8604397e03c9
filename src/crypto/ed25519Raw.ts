/**
 * The Ed25519 operations on raw bytes that the main thread and the signature worker threads share
 * (`ed25519.ts`, `ed25519Worker.ts`), through libsodium (`sodium-native`): signing ≈ 2.3× and
 * verifying ≈ 2.1× cheaper than node:crypto's OpenSSL 3.0 on this machine (docs/benchmarks.md,
 * "Ed25519 through libsodium"). Signatures are RFC 8032's, byte for byte the same as OpenSSL's
 * (test/crypto/ed25519-keys.test.ts); verification is libsodium's strict rule (docs/programs.md
 * "Why Ed25519"). Every thread uses these functions, so a verdict never depends on which thread made it.
 */
import sodium from "sodium-native";

/** libsodium's 64-byte secret key of a 32-byte seed (length checked by the caller: the seed, then the raw public key) and the raw public key. */
export function expandSeed(seed: Uint8Array): { secretKey: Uint8Array; pubkey: Uint8Array } {
  const secretKey = new Uint8Array(64);
  const pubkey = new Uint8Array(32);
  sodium.crypto_sign_seed_keypair(pubkey, secretKey, seed);
  return { secretKey, pubkey };
}

/** 64-byte signature of `msg` under a 64-byte secret key (`expandSeed`), written into `into` (64 bytes) or a new array. */
export function signRaw(secretKey: Uint8Array, msg: Uint8Array, into: Uint8Array = new Uint8Array(64)): Uint8Array {
  sodium.crypto_sign_detached(into, msg, secretKey);
  return into;
}

/** Copies for inputs in shared memory (the verdict board's), which the binding cannot read on Node 20. */
const scratch = { pubkey: new Uint8Array(32), msg: new Uint8Array(32), sig: new Uint8Array(64) };

/** `bytes`, or its copy into `spare` (`bytes.length` at most, or a new array) if it lies in shared memory. */
function unshared(bytes: Uint8Array, spare: Uint8Array): Uint8Array {
  if (!(bytes.buffer instanceof SharedArrayBuffer)) return bytes;
  const out = bytes.length === spare.length ? spare : new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** Whether `sig` (64 bytes) is a valid signature of `msg` under the raw 32-byte public key (lengths checked by the caller). */
export function verifyRaw(pubkey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  return sodium.crypto_sign_verify_detached(unshared(sig, scratch.sig), unshared(msg, scratch.msg), unshared(pubkey, scratch.pubkey)) === true;
}
