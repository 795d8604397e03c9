/**
 * The observer the transitions call for what drivers want to count (optional; nothing happens
 * when absent — the spec keeps no statistics) and the options of the verification transitions.
 */
import type { WorkObserver } from "../../chain/observer.js";
import type { SegmentRecord } from "./blockItems.js";

/**
 * What a driver may count; the transitions call it when present, never keep statistics themselves.
 * The shared work figures (`WorkObserver`), reported by `processShardBlock` and
 * `processBeaconBlock`, once per shard (group = shard; −1 for the beacon chain):
 * - every applied segment is one `execute` by its shard, with its metered gas (`segment.metered`:
 *   the fixed segment charge and the proof-byte gas are fee gas, not execution), tx −1 and the
 *   transaction id as `txId` (the spec knows no sequence number);
 * - a consumed receipt moves its SSZ bytes (`receipt`), a claim also its proof (`proof`);
 * - a block's attestation: its signers' signatures, verified once (signatures made are counted by
 *   whoever drives the signers: the driver, where it builds the attestation).
 */
export interface ReceiptsObserver extends WorkObserver {
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
