/**
 * Batched verification of committee signatures for the simulator's drivers (receipts, sync,
 * lock2pc): the drivers pass the specs a verifier whose `verifyAggregate` records the check and
 * answers true, and verify every recorded check at the end of the slot (`flush`) as one batch
 * (`verifyMultipleAggregateSignatures`: one random linear combination, one final exponentiation
 * for the whole batch instead of one pairing check per attestation — about 40 % less CPU per
 * attestation). Exactly the checks the specs ask for are made, with the messages and keys the
 * specs compute; only their time moves to the end of the slot.
 *
 * Why results cannot change: the drivers' committees sign honestly (`signAggregate` with the
 * members' own keys), so every recorded check holds; were one not to hold, the spec would have
 * thrown (a block with a bad attestation aborts the run, the drivers catch nothing), and `flush`
 * throws too — a typed `BAD_SIGNATURE` error naming the first bad check in the order they were
 * made — so a run either ends with the same results or fails as before. A batch that fails is
 * re-checked one by one with the inner verifier (a false batch never passes a bad signature).
 *
 * Not for code that expects `verifyAggregate` to answer false (fault injection, a node receiving
 * blocks from others): the specs' own verifier stays the default everywhere else.
 */
import { PublicKey, Signature, aggregatePublicKeys, verifyMultipleAggregateSignatures, type SignatureSet } from "@chainsafe/blst";
import type { SignatureVerifier } from "../../crypto/bls.js";
import { XshardError } from "../../errors.js";

interface PendingCheck {
  readonly pubkeys: readonly Uint8Array[];
  readonly msg: Uint8Array;
  readonly sig: Uint8Array;
}

/** The aggregate public key of a signer list (committees sign with the same members slot after slot). */
interface AggregateEntry {
  readonly pubkeys: readonly Uint8Array[];
  readonly pk: PublicKey;
}

export interface SignatureBatch {
  /** The verifier to hand the specs (signing is the inner verifier's; checks are recorded). */
  readonly verifier: SignatureVerifier;
  /** Verifies every check recorded since the last flush; throws BAD_SIGNATURE if one fails. Returns how many were checked. */
  flush(): number;
  /** Checks recorded and not yet verified. */
  readonly pending: number;
}

/**
 * A batch over `inner`. With an inactive inner verifier (signatures off) the checks are the inner
 * ones, made at once (nothing cryptographic to batch).
 */
export function createSignatureBatch(inner: SignatureVerifier): SignatureBatch {
  if (!inner.active) return { verifier: inner, flush: () => 0, pending: 0 };
  let pending: PendingCheck[] = [];
  const parsedKeys = new WeakMap<Uint8Array, PublicKey | null>();
  const aggregates = new WeakMap<Uint8Array, AggregateEntry[]>();

  const parseKey = (bytes: Uint8Array): PublicKey | null => {
    let pk = parsedKeys.get(bytes);
    if (pk === undefined) {
      try {
        pk = PublicKey.fromBytes(bytes, true);
      } catch {
        pk = null;
      }
      parsedKeys.set(bytes, pk);
    }
    return pk;
  };

  /** The aggregate of `pubkeys` (cached by the key objects, compared element by element), or null when one is not a valid key. */
  const aggregateOf = (pubkeys: readonly Uint8Array[]): PublicKey | null => {
    const first = pubkeys[0] as Uint8Array;
    const list = aggregates.get(first) ?? [];
    for (const e of list) {
      if (e.pubkeys.length === pubkeys.length && e.pubkeys.every((k, i) => k === pubkeys[i])) return e.pk;
    }
    const pks: PublicKey[] = [];
    for (const bytes of pubkeys) {
      const pk = parseKey(bytes);
      if (pk === null) return null;
      pks.push(pk);
    }
    const pk = aggregatePublicKeys(pks);
    list.push({ pubkeys: [...pubkeys], pk });
    if (list.length > 8) list.shift();
    aggregates.set(first, list);
    return pk;
  };

  /** The whole batch holds (false when any check is malformed or fails). */
  const verifyBatch = (checks: readonly PendingCheck[]): boolean => {
    const sets: SignatureSet[] = [];
    for (const c of checks) {
      if (c.pubkeys.length === 0) return false;
      const pk = aggregateOf(c.pubkeys);
      if (pk === null) return false;
      let sig: Signature;
      try {
        sig = Signature.fromBytes(c.sig, true);
      } catch {
        return false;
      }
      sets.push({ msg: c.msg, pk, sig });
    }
    try {
      return verifyMultipleAggregateSignatures(sets);
    } catch {
      return false;
    }
  };

  const verifier: SignatureVerifier = {
    active: true,
    sign: (key, msg) => inner.sign(key, msg),
    aggregate: (sigs) => inner.aggregate(sigs),
    signAggregate: (keys, msg) => inner.signAggregate(keys, msg),
    verifyAggregate(pubkeys, msg, aggSig) {
      // Copies: a caller may reuse its buffers after the call (the keys are the validators' own objects).
      pending.push({ pubkeys: [...pubkeys], msg: Uint8Array.from(msg), sig: Uint8Array.from(aggSig) });
      return true;
    },
  };

  return {
    verifier,
    get pending() {
      return pending.length;
    },
    flush(): number {
      const checks = pending;
      pending = [];
      if (checks.length === 0) return 0;
      if (verifyBatch(checks)) return checks.length;
      const bad = checks.findIndex((c) => !inner.verifyAggregate(c.pubkeys, c.msg, c.sig));
      if (bad < 0) return checks.length; // the batch's failure was a malformed input the single checks accept: none
      throw new XshardError("BAD_SIGNATURE", `committee signature check ${bad + 1} of ${checks.length} in this slot's batch does not hold`, { index: bad, checks: checks.length });
    },
  };
}
