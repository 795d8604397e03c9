/**
 * Shard-committee attestations and shard proposers: what a shard block (or a sync confirmation)
 * must carry, and the one check whoever imports it runs. Signatures bind to the chain
 * (`computeSigningRoot(domain, genesisRoot, root)`); the finality rule is `checkAttestation`'s
 * (≥ 2/3 of the committee's stake, every signer a member once, valid aggregate).
 */
import { XshardError } from "../../errors.js";
import { checkAttestation, collectAttestation, computeProposer, computeSigningRoot, type Attestation, type Validator } from "../../chain/index.js";
import type { ShardsContext } from "./world.js";

/** Seed domain of a shard's block proposers (one stream of proposers per shard). */
export const DOMAIN_SHARD_PROPOSER = "xshard:seed:shard-proposer";

/** Verification switches of an import (Lodestar's `verifySignatures`, `verifyProposer`, `verifyStateRoot`). */
export interface VerifyOptions {
  readonly verifySignatures?: boolean;
  readonly verifyProposer?: boolean;
  readonly verifyStateRoot?: boolean;
}

export function getCommittee(ctx: ShardsContext, shard: number): readonly Validator[] {
  const c = ctx.committees[shard];
  if (!c) throw new XshardError("UNKNOWN_SHARD", `shard ${shard} does not exist (shards: ${ctx.shards})`, { shard, shards: ctx.shards });
  return c;
}

/** The proposer of `shard`'s block in `slot` (height): a member of its committee, stake-weighted. */
export function computeShardProposer(ctx: ShardsContext, shard: number, slot: number): Validator {
  return computeCommitteeProposer(getCommittee(ctx, shard), ctx.seed, slot, `${DOMAIN_SHARD_PROPOSER}:${shard}`);
}

const proposers = new WeakMap<readonly Validator[], Map<string, Validator>>();

/**
 * `computeProposer` over a committee, memoised per committee object for the recent slots (a
 * shard's proposer is asked for when its block is built and again when it is imported: 90 rounds
 * of shuffling each time). A pure function of its arguments, so the memo changes no result.
 */
export function computeCommitteeProposer(committee: readonly Validator[], seed: string, slot: number, domain: string): Validator {
  let memo = proposers.get(committee);
  if (!memo) proposers.set(committee, (memo = new Map()));
  const key = `${seed}\n${domain}\n${slot}`;
  let v = memo.get(key);
  if (v === undefined) {
    v = computeProposer(committee, seed, slot, domain);
    if (memo.size >= 64) memo.clear();
    memo.set(key, v);
  }
  return v;
}

/** The shard committee's members sign `root` under `domain` (honest: every member). */
export function buildShardAttestation(ctx: ShardsContext, shard: number, domain: string, root: Uint8Array, signers: readonly Validator[] = getCommittee(ctx, shard)): Attestation {
  return collectAttestation(ctx.verifier, signers, computeSigningRoot(domain, ctx.genesisRoot, root));
}

/**
 * The import check of an attestation of `root` by `shard`'s committee. Throws an `XshardError`
 * whose code names the broken rule: UNKNOWN_SIGNER, DUPLICATE_SIGNER, NO_SUPERMAJORITY, BAD_SIGNATURE.
 */
export function checkShardAttestation(ctx: ShardsContext, shard: number, domain: string, root: Uint8Array, att: Pick<Attestation, "signers" | "signature">, opts: VerifyOptions = {}): void {
  const fault = checkAttestation(ctx.verifier, getCommittee(ctx, shard), att, computeSigningRoot(domain, ctx.genesisRoot, root), opts.verifySignatures ?? true);
  if (fault) throw new XshardError(fault, `attestation of shard ${shard}'s committee rejected: ${fault}`, { shard, domain });
}

/** The import check of a block's proposer index. WRONG_PROPOSER when it is not the slot's proposer. */
export function checkShardProposer(ctx: ShardsContext, shard: number, slot: number, proposer: number, opts: VerifyOptions = {}): void {
  if (opts.verifyProposer === false) return;
  const expected = computeShardProposer(ctx, shard, slot).index;
  if (proposer !== expected) throw new XshardError("WRONG_PROPOSER", `block of shard ${shard} at ${slot} proposed by ${proposer}, expected ${expected}`, { shard, slot, proposer, expected });
}
