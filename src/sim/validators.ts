/**
 * Validators with stake and BLS keys, the seeded stake-weighted proposer rule, committees and
 * attestations (every member signs, signatures are aggregated, the aggregate is verified).
 */
import { sha256, toHex } from "../crypto/hash.js";
import { validatorKeyFromSeed, type SignatureVerifier, type ValidatorKey } from "../crypto/bls.js";
import type { Rng } from "./rng.js";

export interface Validator {
  readonly index: number;
  readonly stake: number;
  readonly key: ValidatorKey;
  /** Beacon account (hex) that receives fees. */
  readonly account: string;
}

/** Stakes are drawn from 32..64 so that stake weighting matters; keys come from the seed. */
export function createValidators(n: number, seed: string, rng: Rng): Validator[] {
  return Array.from({ length: n }, (_, index) => {
    const key = validatorKeyFromSeed(sha256("xshard:validator:", seed, ":", String(index)));
    return { index, stake: 32 + rng.int(33), key, account: toHex(sha256("xshard:validator-account:", key.pubkey)) };
  });
}

/** The stake-weighted proposer of one slot (DESIGN §2: "a seeded, stake-weighted rule"). */
export function computeProposer(validators: readonly Validator[], rng: Rng): Validator {
  return validators[rng.weighted(validators.map((v) => v.stake))] as Validator;
}

/**
 * `count` committees of `size` members: a seeded shuffle of the validators dealt in turn, wrapping
 * around when count × size exceeds the validator set (then a validator follows several committees).
 */
export function computeCommittees(validators: readonly Validator[], count: number, size: number, rng: Rng): Validator[][] {
  const order = rng.shuffle(validators);
  const s = Math.min(size, validators.length);
  return Array.from({ length: count }, (_, c) => Array.from({ length: s }, (_, i) => order[(c * s + i) % order.length] as Validator));
}

export function getWeight(members: readonly Validator[]): number {
  return members.reduce((a, v) => a + v.stake, 0);
}

/** ≥ 2/3 of the committee's weight. */
export function isSupermajority(weight: number, total: number): boolean {
  return 3 * weight >= 2 * total;
}

export interface Attestation {
  readonly message: Uint8Array;
  readonly signers: readonly number[];
  readonly signature: Uint8Array;
  readonly weight: number;
}

/**
 * Every listed member signs `message`; the signatures are aggregated. (Computed as one signature
 * under the members' summed keys: bit-identical to signing one by one and aggregating — see
 * `SignatureVerifier.signAggregate` — and verified against the individual public keys.)
 */
export function collectAttestation(verifier: SignatureVerifier, signers: readonly Validator[], message: Uint8Array): Attestation {
  return {
    message,
    signers: signers.map((v) => v.index),
    signature: verifier.signAggregate(signers.map((v) => v.key), message),
    weight: getWeight(signers),
  };
}

/** Checks an attestation against a committee: valid aggregate and ≥ 2/3 of the committee's weight. */
export function isAttestationFinal(verifier: SignatureVerifier, committee: readonly Validator[], a: Attestation): boolean {
  const byIndex = new Map(committee.map((v) => [v.index, v]));
  const signers = a.signers.map((i) => byIndex.get(i));
  if (signers.some((v) => v === undefined)) return false;
  const vs = signers as Validator[];
  if (!isSupermajority(getWeight(vs), getWeight(committee))) return false;
  return verifier.verifyAggregate(
    vs.map((v) => v.key.pubkey),
    a.message,
    a.signature,
  );
}
