/** What a node is started with (`XshardNode`): its genesis, keys, network, store, clock and tuning. */
import type { NodeMetrics } from "./api/metrics.js";
import type { SlotClock } from "./clock.js";
import type { NodeFaults } from "./evidence.js";
import type { DevnetGenesis, NodeKey } from "./genesis.js";
import type { Network } from "./net/types.js";
import type { NodeStore } from "./store/store.js";

export interface NodeOptions {
  readonly genesis: DevnetGenesis;
  readonly keys: readonly NodeKey[];
  readonly network: Network;
  readonly store: NodeStore;
  readonly clock: SlotClock;
  readonly metrics?: NodeMetrics;
  readonly log?: (line: string) => void;
  /** Most transactions the mempool holds (`MEMPOOL_FULL` beyond). */
  readonly mempoolLimit?: number;
  /** Test-only: validators that sign wrong roots (`src/node/evidence.ts`). */
  readonly faults?: NodeFaults;
  /** Recent Stage-1 blocks a late Stage-2 block can be put before without a replay (`NodeChain`, default 16; 0: always replay). */
  readonly reorderWindow?: number;
  /** A chain snapshot at a quiescent point at most every this many blocks of both chains (`snapshot.ts`, default 16; 0: none). */
  readonly snapshotEvery?: number;
  /** Slots after which a skipped slot needs no skip certificate (`safety.ts`, default `SKIP_ESCAPE_SLOTS`). */
  readonly skipEscapeSlots?: number;
  /**
   * What the node executes (docs/node.md "Following"): `all` (default) — every contract (a full node;
   * also what a node without validators does); `committees` — only the contracts of the committees its
   * validators sit on, the others' read through Merkle witnesses from peers (not yet for contracts
   * created onto a followed committee by a contract not followed: docs/node.md "Following", Limits).
   */
  readonly follow?: "committees" | "all";
}
