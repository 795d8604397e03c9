/**
 * Individual validator signatures a node has checked, grouped by what they sign (a Stage-1 header,
 * a Stage-2 header, an affirmation batch), and their aggregation once they carry ≥ 2/3 of the
 * committee's weight. Pure bookkeeping: verification is done before `add`.
 */
import { getWeight, isSupermajority, type Validator } from "../chain/index.js";
import type { SignatureVerifier } from "../crypto/bls.js";
import { toHex } from "../crypto/hash.js";

export class VotePool {
  /** key (kind:root) → validator → signature */
  private readonly votes = new Map<string, Map<number, Uint8Array>>();
  /** slot of each key, for pruning */
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
      this.slots.set(key, slot);
    }
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

  /** The validators whose votes for `root` are held, in index order (for diagnostics). */
  getVoters(kind: number, root: Uint8Array): number[] {
    return [...(this.votes.get(VotePool.key(kind, root))?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Forgets votes of slots before `slot`. */
  prune(slot: number): void {
    for (const [key, s] of this.slots) {
      if (s < slot) {
        this.slots.delete(key);
        this.votes.delete(key);
      }
    }
  }
}
