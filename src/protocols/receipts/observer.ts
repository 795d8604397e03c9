/**
 * The observer the transitions call for what drivers want to count (optional; nothing happens
 * when absent — the spec keeps no statistics) and the options of the verification transitions.
 */
import type { SegmentRecord } from "./blockItems.js";

/** What a driver may count; the transitions call it when present, never keep statistics themselves. */
export interface ReceiptsObserver {
  /** A segment was applied by an imported shard block (in block order). */
  onSegment?(slot: number, shard: number, segment: SegmentRecord): void;
}

/** Options of the verification transitions (as Lodestar's `stateTransition`). */
export interface VerifyOptions {
  readonly verifySignatures?: boolean;
  readonly verifyProposer?: boolean;
  readonly verifyStateRoot?: boolean;
  readonly observer?: ReceiptsObserver;
}
