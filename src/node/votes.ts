/**
 * Individual validator signatures a node has checked, grouped by what they sign (a Stage-1 header,
 * a Stage-2 header, an affirmation batch, a skip of a slot — `safety.ts`), and their aggregation
 * once they carry ≥ 2/3 of the committee's weight. `checkVote` is the gossip check of one vote;
 * the pool itself is bookkeeping (verification is done before `add`).
 */
import { computeSigningRoot, getWeight, isSupermajority, type Validator } from "../chain/index.js";
import type { SignatureVerifier } from "../crypto/bls.js";
import { bytesEqual, toHex } from "../crypto/hash.js";
import { DOMAIN_AFFIRMATION, DOMAIN_STAGE1, DOMAIN_STAGE2 } from "../protocols/delayed/containers.js";
import { getStage1Committee } from "../protocols/delayed/stage1.js";
import { getStage2Committee } from "../protocols/delayed/stage2.js";
import type { DelayedState } from "../protocols/delayed/state.js";
import { ACCEPT, ignoreVerdict, rejectVerdict, type Verdict } from "./net/types.js";
import { computeSkipRoot, DOMAIN_SKIP, SKIP_STAGE1, SKIP_STAGE2 } from "./safety.js";
import { VOTE_KINDS, type VoteValue } from "./wire.js";

export class VotePool {
  /** key (kind:root) → validator → signature */
  private readonly votes = new Map<string, Map<number, Uint8Array>>();
  /** latest slot a vote of each key was added in, for pruning (a root signed again each slot stays) */
  private readonly slots = new Map<string, number>();

  static key(kind: number, root: Uint8Array): string {
    return `${kind}:${toHex(root)}`;
  }

  /** False when the validator's vote for this object was already held. */
  add(kind: number, root: Uint8Array, slot: number, validator: number, signature: Uint8Array): boolean {
    const key = VotePool.key(kind, root);
    let m = this.votes.get(key);
    if (!m) {
      m = new Map();
      this.votes.set(key, m);
    }
    this.slots.set(key, Math.max(slot, this.slots.get(key) ?? slot));
    if (m.has(validator)) return false;
    m.set(validator, signature);
    return true;
  }

  has(kind: number, root: Uint8Array, validator: number): boolean {
    return this.votes.get(VotePool.key(kind, root))?.has(validator) ?? false;
  }

  /**
   * The aggregate of the committee members' votes for `root` when they hold ≥ 2/3 of its weight
   * (signers in index order), else undefined.
   */
  aggregate(kind: number, root: Uint8Array, committee: readonly Validator[], verifier: SignatureVerifier): { signers: number[]; signature: Uint8Array; weight: number } | undefined {
    const m = this.votes.get(VotePool.key(kind, root));
    if (!m) return undefined;
    const members = committee.filter((v) => m.has(v.index)).sort((a, b) => a.index - b.index);
    const weight = getWeight(members);
    if (members.length === 0 || !isSupermajority(weight, getWeight(committee))) return undefined;
    return { signers: members.map((v) => v.index), signature: verifier.aggregate(members.map((v) => m.get(v.index) as Uint8Array)), weight };
  }

  /** True when the committee members' votes for `root` carry ≥ 2/3 of its weight (no aggregation). */
  hasSupermajority(kind: number, root: Uint8Array, committee: readonly Validator[]): boolean {
    const m = this.votes.get(VotePool.key(kind, root));
    if (!m) return false;
    const members = committee.filter((v) => m.has(v.index));
    return members.length > 0 && isSupermajority(getWeight(members), getWeight(committee));
  }

  /** The validators whose votes for `root` are held, in index order (for diagnostics). */
  getVoters(kind: number, root: Uint8Array): number[] {
    return [...(this.votes.get(VotePool.key(kind, root))?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Forgets votes of objects last voted for before `slot`. */
  prune(slot: number): void {
    for (const [key, s] of this.slots) {
      if (s < slot) {
        this.slots.delete(key);
        this.votes.delete(key);
      }
    }
  }
}

/** The signing domain and committee a vote claims, from the state (`stage2Committee`: who attests a Stage-2 header, evidence counted). */
function resolveVote(s: DelayedState, v: VoteValue, topicCommittee: number | undefined, stage2Committee: (root: Uint8Array, slot: number) => readonly Validator[]): { domain: string; members: readonly Validator[] } | string {
  if (topicCommittee !== undefined) {
    if (v.kind !== VOTE_KINDS.batch) return "WRONG_TOPIC";
    const committee = s.committees[v.committee];
    if (!committee) return "UNKNOWN_COMMITTEE";
    if (v.committee !== topicCommittee) return "WRONG_TOPIC";
    return { domain: DOMAIN_AFFIRMATION, members: committee };
  }
  if (v.kind === VOTE_KINDS.stage1) return { domain: DOMAIN_STAGE1, members: getStage1Committee(s, v.slot) };
  if (v.kind === VOTE_KINDS.stage2) return { domain: DOMAIN_STAGE2, members: stage2Committee(v.root, v.slot) };
  if (v.kind !== VOTE_KINDS.skip) return "WRONG_TOPIC";
  if (v.committee !== SKIP_STAGE1 && v.committee !== SKIP_STAGE2) return "BAD_SKIP";
  if (!bytesEqual(v.root, computeSkipRoot(v.committee, v.slot))) return "BAD_SKIP";
  return { domain: DOMAIN_SKIP, members: v.committee === SKIP_STAGE1 ? getStage1Committee(s, v.slot) : getStage2Committee(s, v.slot) };
}

/**
 * The gossip check of one validator's vote (attestation topic: `topicCommittee` undefined;
 * `affirmation_<k>`: k): a known signer, a member of the committee the vote is for, the signature
 * over the kind's domain. Adds it to `pool` when accepted.
 */
export function checkVote(s: DelayedState, v: VoteValue, topicCommittee: number | undefined, stage2Committee: (root: Uint8Array, slot: number) => readonly Validator[], verifier: SignatureVerifier, pool: VotePool): Verdict {
  const validator = s.validators[v.validator];
  if (!validator) return rejectVerdict("UNKNOWN_SIGNER");
  const r = resolveVote(s, v, topicCommittee, stage2Committee);
  if (typeof r === "string") return rejectVerdict(r);
  if (!r.members.some((x) => x.index === v.validator)) return rejectVerdict("NOT_IN_COMMITTEE");
  if (pool.has(v.kind, v.root, v.validator)) return ignoreVerdict("known");
  if (!verifier.verifyAggregate([validator.key.pubkey], computeSigningRoot(r.domain, s.genesisRoot, v.root), v.signature)) return rejectVerdict("BAD_SIGNATURE");
  pool.add(v.kind, v.root, v.slot, v.validator, v.signature);
  return ACCEPT;
}
