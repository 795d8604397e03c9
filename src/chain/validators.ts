/**
 * Validators, stake and weight (DESIGN §2). A validator set is a pure function of the chain's seed
 * and its size: keys and stakes come from hashes of the seed, never from a running random stream,
 * so a node, the simulator and a light client all derive the same set from the genesis alone.
 */
import { readUint32BE, sha256, toHex } from "../crypto/hash.js";
import { validatorKeyFromSeed, type ValidatorKey } from "../crypto/bls.js";

export interface Validator {
  readonly index: number;
  readonly stake: number;
  readonly key: ValidatorKey;
  /** Beacon account (hex) that receives fees. */
  readonly account: string;
}

/** Smallest and largest stake (in stake units); drawn in between so that stake weighting matters. */
export const MIN_STAKE = 32;
export const MAX_STAKE = 64;

/** The stake of validator `index`: MIN_STAKE + (H(seed, index) mod (MAX_STAKE − MIN_STAKE + 1)). */
export function computeStake(seed: string, index: number): number {
  return MIN_STAKE + (readUint32BE(sha256("xshard:stake:", seed, ":", String(index))) % (MAX_STAKE - MIN_STAKE + 1));
}

/** The beacon account of a validator's public key. */
export function computeValidatorAccount(pubkey: Uint8Array): string {
  return toHex(sha256("xshard:validator-account:", pubkey));
}

/** `n` validators; keys and stakes from the seed. */
export function createValidators(n: number, seed: string): Validator[] {
  return Array.from({ length: n }, (_, index) => {
    const key = validatorKeyFromSeed(sha256("xshard:validator:", seed, ":", String(index)));
    return { index, stake: computeStake(seed, index), key, account: computeValidatorAccount(key.pubkey) };
  });
}

export function getWeight(members: readonly Pick<Validator, "stake">[]): number {
  let w = 0;
  for (const v of members) w += v.stake;
  return w;
}

/** ≥ 2/3 of the committee's weight: the one finality threshold of every committee in xshard. */
export function isSupermajority(weight: number, total: number): boolean {
  return 3 * weight >= 2 * total;
}
