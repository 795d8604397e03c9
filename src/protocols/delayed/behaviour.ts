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

/** The key a wrong-roots committee sets in every post-state it signs (a real state, a wrong root). */
const WRONG_ROOT_KEY = "7873686172643a77726f6e67"; // hex of "xshard:wrong"

/**
 * Every member of `committee` signs, from `fromSlot`, a variant whose post-roots are the honest
 * post-states with one extra key; the committee's own state stays honest. Used by the node's
 * test-only faults (`src/node/evidence.ts`) to have a whole small committee affirm a wrong root.
 */
export function createWrongRootsBehaviour(committee: number, fromSlot = 0): CommitteeBehaviour {
  return {
    getFaulty: (k, slot, members) => (k === committee && slot >= fromSlot ? members : []),
    isCorrupting: () => false,
    corruptWrites: (writes) => writes ?? new Map(),
    corruptVariant: (post) => post.applyWrites(new Map([[WRONG_ROOT_KEY, new Uint8Array([1])]])),
  };
}
