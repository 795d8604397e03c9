/**
 * Pure Stage-2 rules of the two-stage chain (DESIGN §2), one function per rule. The driver
 * (chain.ts) owns time and bookkeeping and calls these.
 */
import { bytesEqual } from "../../crypto/hash.js";
import type { ContractId } from "../../types.js";

/** What Stage 2 knows of one contract: the frontier of its committee and what is affirmed on chain. */
export interface ContractFrontier {
  readonly committee: number;
  /** Transactions of this contract's queue executed by its committee. */
  readonly localIdx: number;
  /** Transactions of this contract's queue covered by finalized affirmations. */
  readonly affirmedIdx: number;
  /** The affirmed root (root after `affirmedIdx` transactions). */
  readonly affirmedRoot: Uint8Array;
}

export type Stage2Mode = "strict" | "conditional";

/**
 * Strict rule (the seed's): committee `k` may execute transaction `t` when, for every contract
 * `d` of `t`'s footprint, `d`'s state just before `t` is known to `k`: `k` follows `d` and its
 * frontier is exactly at `t`, or a finalized affirmation covers `d` up to `t`.
 * `positions` maps each existing footprint contract to `t`'s index in that contract's queue.
 */
export function isExecutableStrict(k: number, positions: ReadonlyMap<ContractId, number>, frontier: (id: ContractId) => ContractFrontier): boolean {
  for (const [d, pos] of positions) {
    const f = frontier(d);
    if (f.committee === k) {
      if (f.localIdx !== pos) return false;
    } else if (f.affirmedIdx < pos) return false;
  }
  return true;
}

/** A Stage-2 block accepts an affirmation only if it continues the contract's affirmed chain. */
export function isAffirmationApplicable(f: ContractFrontier, first: number, preRoot: Uint8Array): boolean {
  return f.affirmedIdx === first && bytesEqual(f.affirmedRoot, preRoot);
}

/** A transaction is final when every contract of its footprint has a finalized affirmation covering it. */
export function isTxFinal(positions: ReadonlyMap<ContractId, number>, frontier: (id: ContractId) => ContractFrontier): boolean {
  for (const [d, pos] of positions) if (frontier(d).affirmedIdx <= pos) return false;
  return true;
}

/**
 * `stage2BlocksPerStage1Block` for one Stage-1 block: how many Stage-2 blocks it takes, counting
 * from the first one that may use the block, until all its transactions are final (1 at best).
 */
export function computeStage2BlocksFor(firstUsableStage2Block: number, lastFinalStage2Block: number): number {
  return lastFinalStage2Block - firstUsableStage2Block + 1;
}
