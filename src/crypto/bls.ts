/**
 * Validator signatures: BLS12-381 (min-pubkey-size, as in Ethereum consensus) over @chainsafe/blst,
 * behind one verifier interface in the manner of Lodestar's IBlsVerifier, with a "signatures off"
 * implementation for very large simulations (consensus-spec tests' `bls_active = False`).
 */
import { PublicKey, SecretKey, Signature, aggregatePublicKeys, aggregateSignatures, fastAggregateVerify, verifyMultipleAggregateSignatures } from "@chainsafe/blst";
import { XshardError } from "../errors.js";
import { bytesEqual } from "./hash.js";
import { createKeyListMemo } from "./keyListMemo.js";

/** Compressed public key size. */
export const PUBKEY_BYTES = 48;
/** Compressed signature size. */
export const SIGNATURE_BYTES = 96;
/** Seed size for `validatorKeyFromSeed`. */
export const VALIDATOR_SEED_BYTES = 32;

/** A validator's signing key and its compressed public key. */
export interface ValidatorKey {
  readonly sk: SecretKey;
  readonly pubkey: Uint8Array;
}

/** One interface for signing and checking committee signatures. */
export interface SignatureVerifier {
  /** False for the no-op verifier, which checks nothing cryptographic. */
  readonly active: boolean;
  /** A 96-byte compressed signature of `msg`. */
  sign(sk: ValidatorKey, msg: Uint8Array): Uint8Array;
  /** The aggregate of signatures; BAD_SIGNATURE when the list is empty or any signature is malformed. */
  aggregate(sigs: readonly Uint8Array[]): Uint8Array;
  /**
   * The aggregate of every key's signature of the same `msg`, bit-identical to
   * `aggregate(keys.map((k) => sign(k, msg)))` but computed as one signature under the sum of the
   * secret keys (BLS is linear), so a simulated committee of n costs one signing, not n.
   */
  signAggregate(keys: readonly ValidatorKey[], msg: Uint8Array): Uint8Array;
  /**
   * Fast-aggregate-verify: all `pubkeys` signed the same `msg`. Malformed or empty input is false,
   * never a throw. Keys must carry proof of possession (ours are generated, so they do); counting
   * distinct signers against a committee is the caller's job.
   */
  verifyAggregate(pubkeys: readonly Uint8Array[], msg: Uint8Array, aggSig: Uint8Array): boolean;
}

/** A deterministic validator key from a 32-byte seed (BLS KeyGen with the seed as IKM). */
export function validatorKeyFromSeed(seed: Uint8Array): ValidatorKey {
  if (seed.length !== VALIDATOR_SEED_BYTES) {
    throw new XshardError("BAD_SEED", "validator seed must be 32 bytes", { length: seed.length });
  }
  const sk = SecretKey.fromKeygen(seed);
  return { sk, pubkey: sk.toPublicKey().toBytes(true) };
}

/** A signature parsed and subgroup-checked, or null when the bytes are not one. */
export function parseSignature(bytes: Uint8Array): Signature | null {
  if (bytes.length !== SIGNATURE_BYTES) return null;
  try {
    return Signature.fromBytes(bytes, true);
  } catch {
    return null;
  }
}

/** Parsed public keys by their bytes (parsing and validating costs as much as a pairing's share). */
const publicKeys = new Map<string, PublicKey | null>();
const MAX_CACHED_PUBKEYS = 1 << 16;

/** A public key parsed and validated (not infinity, in the subgroup), or null. Memoised. */
export function parsePublicKey(bytes: Uint8Array): PublicKey | null {
  if (bytes.length !== PUBKEY_BYTES) return null;
  const id = Buffer.from(bytes).toString("hex");
  let pk = publicKeys.get(id);
  if (pk === undefined) {
    try {
      pk = PublicKey.fromBytes(bytes, true);
    } catch {
      pk = null;
    }
    if (publicKeys.size >= MAX_CACHED_PUBKEYS) publicKeys.clear();
    publicKeys.set(id, pk);
  }
  return pk;
}

/** Order of the BLS12-381 scalar field (r). */
const BLS_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const scalars = new WeakMap<SecretKey, bigint>();

function getScalar(sk: SecretKey): bigint {
  let x = scalars.get(sk);
  if (x === undefined) {
    x = BigInt("0x" + Buffer.from(sk.toBytes()).toString("hex"));
    scalars.set(sk, x);
  }
  return x;
}

/** A signer list's summed secret key (null: the sum is zero), and that key parsed once it signs here. */
interface SummedKey {
  readonly bytes: Uint8Array | null;
  sk?: SecretKey;
}

/** Summed keys by signer list (committees sign with the same members round after round): a memo of a pure function. */
const getSummedKey = createKeyListMemo((keys: readonly ValidatorKey[]): SummedKey => {
  let sum = 0n;
  for (const k of keys) sum = (sum + getScalar(k.sk)) % BLS_ORDER;
  return { bytes: sum === 0n ? null : Uint8Array.from(Buffer.from(sum.toString(16).padStart(64, "0"), "hex")) };
});

/**
 * The sum of the keys' secret scalars (mod r) as a 32-byte secret key: what `signAggregate` signs
 * with (BLS is linear); null when the sum is zero (not a valid key), as for no keys.
 */
export function computeSummedSecretKey(keys: readonly ValidatorKey[]): Uint8Array | null {
  if (keys.length === 0) return null;
  return getSummedKey(keys).bytes?.slice() ?? null;
}

/** The compressed signature of `msg` under a 32-byte secret key (`computeSummedSecretKey`'s), on whichever thread. */
export function signWithSecretKey(sk: Uint8Array, msg: Uint8Array): Uint8Array {
  return SecretKey.fromBytes(sk).sign(msg).toBytes(true);
}

/** Real BLS12-381 signatures (the default). */
export function createBlsVerifier(): SignatureVerifier {
  return {
    active: true,
    sign(key: ValidatorKey, msg: Uint8Array): Uint8Array {
      return key.sk.sign(msg).toBytes(true);
    },
    aggregate(sigs: readonly Uint8Array[]): Uint8Array {
      if (sigs.length === 0) throw new XshardError("BAD_SIGNATURE", "cannot aggregate zero signatures", { count: 0 });
      const parsed = sigs.map((bytes, index) => {
        const sig = parseSignature(bytes);
        if (sig === null) throw new XshardError("BAD_SIGNATURE", "malformed signature", { index, length: bytes.length });
        return sig;
      });
      return aggregateSignatures(parsed).toBytes(true);
    },
    signAggregate(keys: readonly ValidatorKey[], msg: Uint8Array): Uint8Array {
      if (keys.length === 0) throw new XshardError("BAD_SIGNATURE", "cannot aggregate zero signatures", { count: 0 });
      const summed = getSummedKey(keys);
      // A zero sum (negligible) is not a valid secret key: sign one by one instead.
      if (summed.bytes === null) return this.aggregate(keys.map((k) => this.sign(k, msg)));
      // The same bytes as `signWithSecretKey(summed.bytes, msg)`, the key parsed once.
      summed.sk ??= SecretKey.fromBytes(summed.bytes);
      return summed.sk.sign(msg).toBytes(true);
    },
    verifyAggregate(pubkeys: readonly Uint8Array[], msg: Uint8Array, aggSig: Uint8Array): boolean {
      if (pubkeys.length === 0) return false;
      const sig = parseSignature(aggSig);
      const pks = pubkeys.map(parsePublicKey);
      if (sig === null || pks.some((pk) => pk === null)) return false;
      try {
        return fastAggregateVerify(msg, pks as PublicKey[], sig);
      } catch {
        return false;
      }
    },
  };
}

/**
 * The stub every no-op signature is: the compressed point at infinity, which the real verifier
 * always rejects, so a no-op signature can never pass as a real one.
 */
const NOOP_SIGNATURE: Uint8Array = (() => {
  const stub = new Uint8Array(SIGNATURE_BYTES);
  stub[0] = 0xc0;
  return stub;
})();

/**
 * "Signatures off": checks NOTHING cryptographic. `sign` returns `NOOP_SIGNATURE` whatever the key
 * and message; `aggregate` accepts only stubs and returns the stub; `verifyAggregate` is true iff
 * the signature is the stub and at least one public key is given. Use it only where the cost of
 * pairings would dominate a very large simulation and forged signatures are not being studied.
 */
export function createNoopVerifier(): SignatureVerifier {
  return {
    active: false,
    sign(): Uint8Array {
      return NOOP_SIGNATURE.slice();
    },
    aggregate(sigs: readonly Uint8Array[]): Uint8Array {
      if (sigs.length === 0) throw new XshardError("BAD_SIGNATURE", "cannot aggregate zero signatures", { count: 0 });
      sigs.forEach((sig, index) => {
        if (!bytesEqual(sig, NOOP_SIGNATURE)) throw new XshardError("BAD_SIGNATURE", "not a no-op signature", { index });
      });
      return NOOP_SIGNATURE.slice();
    },
    signAggregate(keys: readonly ValidatorKey[]): Uint8Array {
      if (keys.length === 0) throw new XshardError("BAD_SIGNATURE", "cannot aggregate zero signatures", { count: 0 });
      return NOOP_SIGNATURE.slice();
    },
    verifyAggregate(pubkeys: readonly Uint8Array[], _msg: Uint8Array, aggSig: Uint8Array): boolean {
      return pubkeys.length > 0 && bytesEqual(aggSig, NOOP_SIGNATURE);
    },
  };
}

/** One aggregate signature to check: every key of `pubkeys` signed `msg`. */
export interface AggregateSet {
  readonly pubkeys: readonly Uint8Array[];
  readonly msg: Uint8Array;
  readonly signature: Uint8Array;
}

/** A verifier that can also check many aggregate signatures at once. */
export interface BatchSignatureVerifier extends SignatureVerifier {
  /**
   * True iff every set passes `verifyAggregate` (malformed or empty input is false, never a throw).
   * The sets are combined with random 64-bit scalars and checked with one final exponentiation
   * (blst `verifyMultipleAggregateSignatures`, https://ethresear.ch/t/5407): a bad set makes the
   * answer false except with probability ≈ 2^-64, so the verdict does not depend on the draw. A
   * caller that needs to know WHICH set is bad checks them one by one after a false.
   */
  verifyAggregateSets(sets: readonly AggregateSet[]): boolean;
}

/** `createBlsVerifier()` plus `verifyAggregateSets` (light clients checking many proofs' signatures together). */
export function createBatchBlsVerifier(): BatchSignatureVerifier {
  const base = createBlsVerifier();
  return {
    ...base,
    verifyAggregateSets(sets: readonly AggregateSet[]): boolean {
      if (sets.length === 0) return true;
      if (sets.length === 1) {
        const [only] = sets as [AggregateSet];
        return base.verifyAggregate(only.pubkeys, only.msg, only.signature);
      }
      const parsed: { msg: Uint8Array; pk: PublicKey; sig: Signature }[] = [];
      try {
        for (const s of sets) {
          const sig = parseSignature(s.signature);
          const pks = s.pubkeys.map(parsePublicKey);
          if (sig === null || pks.length === 0 || pks.some((pk) => pk === null)) return false;
          parsed.push({ msg: s.msg, pk: aggregatePublicKeys(pks as PublicKey[], false), sig });
        }
        // Keys and signatures were validated (subgroup, infinity) when parsed.
        return verifyMultipleAggregateSignatures(parsed, false, false);
      } catch {
        return false;
      }
    },
  };
}

/** One aggregate signature to check under an aggregate public key already summed (compressed, 48 bytes). */
export interface AggregatedKeySet {
  readonly pubkey: Uint8Array;
  readonly msg: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * True iff every set's signature verifies under its (aggregate) key, checked as one batch as
 * `verifyAggregateSets` does; malformed input is false, never a throw. For a thread that is handed
 * aggregate keys (a run's signature workers): keys are parsed and validated here (memoised), each
 * signature is subgroup-checked.
 */
export function verifyAggregatedKeySets(sets: readonly AggregatedKeySet[]): boolean {
  if (sets.length === 0) return true;
  const parsed: { msg: Uint8Array; pk: PublicKey; sig: Signature }[] = [];
  for (const s of sets) {
    const pk = parsePublicKey(s.pubkey);
    const sig = parseSignature(s.signature);
    if (pk === null || sig === null) return false;
    parsed.push({ msg: s.msg, pk, sig });
  }
  try {
    return verifyMultipleAggregateSignatures(parsed, false, false);
  } catch {
    return false;
  }
}
