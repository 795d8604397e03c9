/**
 * What a committee may do differently from the rules (DESIGN §2 "Faults"): the hook through which a
 * driver plays Byzantine committee members. The protocol only ever asks; the honest default below
 * is what the rules prescribe. Adversarial implementations live in the driver (`src/sim/delayed/`).
 */
import type { Validator } from "../../chain/index.js";
import type { MerkleKV } from "../../state/index.js";
import type { WriteSet } from "../../types.js";

export interface CommitteeBehaviour {
  /** Members of committee `committee` that sign wrong post-roots in `slot` (honest: none). */
  getFaulty(committee: number, slot: number, members: readonly Validator[]): readonly Validator[];
  /** Whether the committee's own state is the faulty members' (they hold ≥ 2/3): then only they sign. */
  isCorrupting(committee: number, slot: number, members: readonly Validator[]): boolean;
  /** The writes a corrupting committee records instead of `writes`. */
  corruptWrites(writes: WriteSet | undefined): WriteSet;
  /** The state a faulty minority signs instead of `post` (a variant beside the committee's batch). */
  corruptVariant(post: MerkleKV): MerkleKV;
  /**
   * Whether `member` signs in `slot` (absent: every member signs). A member that does not sign (an
   * offline validator) is missing from the aggregate; a committee whose signers would hold less than
   * 2/3 of its stake for that reason signs nothing and waits for them (its work stays unsigned).
   */
  isSigning?(member: Validator, slot: number): boolean;
}

/** Every member follows the rules. */
export const HONEST_BEHAVIOUR: CommitteeBehaviour = {
  getFaulty: () => [],
  isCorrupting: () => false,
  corruptWrites: (writes) => writes ?? new Map(),
  corruptVariant: (post) => post,
};
