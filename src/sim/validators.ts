/**
 * The simulator's old, stream-drawn selection (stakes, proposer and committees drawn from running
 * random streams). Being replaced by `src/chain/` (selection from the chain's seed and the slot);
 * what both share is re-exported from there.
 */
import { sha256, toHex } from "../crypto/hash.js";
import { validatorKeyFromSeed } from "../crypto/bls.js";
import type { Validator } from "../chain/validators.js";
import type { Rng } from "./rng.js";

export type { Validator } from "../chain/validators.js";
export { getWeight, isSupermajority } from "../chain/validators.js";
export { collectAttestation, isAttestationFinal, type Attestation } from "../chain/attestation.js";

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

