/**
 * The chain state every node of the receipts design agrees on: the beacon chain (its head and the
 * crosslinks of the recent blocks claims may prove against), the shard headers not yet crosslinked,
 * the receipts the destinations may read (delivered modes), the global beacon ledger with the fees
 * held for transactions in flight, every contract's state and, per shard, its head, base fee,
 * contracts, claimed bitfields and receipt nonces. Plain data and Merkle trees; no metrics, no
 * mempools (those are a shard's local view, view.ts).
 */
import { sha256 } from "../../crypto/hash.js";
import { createBeaconState, type BeaconState } from "../../chain/beacon.js";
import { commitList, type MerkleKV } from "../../state/index.js";
import type { ContractId } from "../../types.js";
import { createClaimState, type ClaimState } from "./claims.js";
import { ZERO_CONGESTION, type CongestionInfo } from "./congestion.js";
import type { ReceiptValue } from "./containers.js";

/** Next expected receipt nonce from each source shard (sequential). */
export type InboundNonces = ReadonlyMap<number, number>;

export interface ContractRecord {
  readonly shard: number;
  readonly codeHash: string;
  readonly kv: MerkleKV;
  readonly ended: boolean;
}

export interface ShardState {
  readonly index: number;
  /** Slot of the shard's last block (−1 before its first). */
  readonly lastSlot: number;
  /** Root of the shard's last header (zero at genesis). */
  readonly parentRoot: Uint8Array;
  /** Base fee of the shard's next block. */
  readonly baseFee: bigint;
  /** Contracts living here, sorted by id (the state root's order). */
  readonly contracts: readonly ContractId[];
  /** nonsequential: claimed bitfields per (source shard, slot). */
  readonly claims: ClaimState;
  /** sequential: next receipt nonce expected from each source shard. */
  readonly inbound: InboundNonces;
  /** Next receipt nonce towards each destination shard. */
  readonly outbound: readonly number[];
  /**
   * Congestion control: receipts emitted by this shard's segments and not sent yet (their
   * destination was congested), oldest first; a later block lists them first, in order per
   * destination (slot, index and nonce are set when listed).
   */
  readonly buffer: readonly ReceiptValue[];
}

/** Receipts listed for a shard and not consumed yet: their attached gas and count. */
export interface Backlog {
  readonly gas: bigint;
  readonly receipts: number;
}

/** A beacon block's crosslinks as a claim checks them: the list's root and length. */
export interface CrosslinksRecord {
  readonly root: Uint8Array;
  readonly count: number;
}

export interface BeaconChainState {
  /** Slot of the last beacon block (−1 before the first). */
  readonly slot: number;
  readonly parentRoot: Uint8Array;
  /** Crosslinks of the beacon blocks of the last `window` slots, by slot. */
  readonly crosslinks: ReadonlyMap<number, CrosslinksRecord>;
}

/** A shard header produced and not yet crosslinked, with the receipts of its block. */
export interface PendingHeader {
  readonly root: Uint8Array;
  readonly shard: number;
  readonly slot: number;
  readonly receiptIds: readonly string[];
  /** The congestion info the header publishes (congestion control on). */
  readonly congestion?: CongestionInfo;
}

/** A receipt a destination may read (delivered modes): its root, destination, and the beacon slot that crosslinked it. */
export interface OutboxRecord {
  readonly root: Uint8Array;
  readonly destShard: number;
  readonly crosslinkedAt: number | null;
}

export interface ReceiptsState {
  readonly beacon: BeaconChainState;
  readonly pendingHeaders: readonly PendingHeader[];
  /** Delivered modes: receipts emitted and not yet consumed, by id (`source:slot:index`). */
  readonly outbox: ReadonlyMap<string, OutboxRecord>;
  /** Beacon balances and nonces (users and validators). */
  readonly ledger: BeaconState;
  /** Fees bought at first segments and not yet spent or refunded. */
  readonly escrow: bigint;
  readonly contracts: ReadonlyMap<ContractId, ContractRecord>;
  readonly shards: readonly ShardState[];
  /** Per destination shard: receipts listed for it (in any shard block) and not consumed yet. */
  readonly incoming: readonly Backlog[];
  /** Per shard: the congestion info of its newest crosslinked header (what other shards' rules read). */
  readonly congestion: readonly CongestionInfo[];
  /** Per shard: the slot of that header (−1 before the first). */
  readonly congestionSlot: readonly number[];
}

/** The genesis state: contracts on their shards, the beacon accounts, every shard at the initial base fee. */
export function createReceiptsState(
  contracts: readonly { id: ContractId; codeHash: string; state: MerkleKV }[],
  assignment: ReadonlyMap<ContractId, number>,
  accounts: Iterable<[string, bigint]>,
  shardCount: number,
  initialBaseFee: bigint,
): ReceiptsState {
  const records = new Map<ContractId, ContractRecord>();
  for (const c of contracts) records.set(c.id, { shard: assignment.get(c.id) as number, codeHash: c.codeHash, kv: c.state, ended: false });
  const shards: ShardState[] = Array.from({ length: shardCount }, (_, index) => ({
    index,
    lastSlot: -1,
    parentRoot: new Uint8Array(32),
    baseFee: initialBaseFee,
    contracts: [...records].filter(([, r]) => r.shard === index).map(([id]) => id).sort(),
    claims: createClaimState(index),
    inbound: new Map(),
    outbound: Array.from({ length: shardCount }, () => 0),
    buffer: [],
  }));
  return {
    beacon: { slot: -1, parentRoot: new Uint8Array(32), crosslinks: new Map() },
    pendingHeaders: [],
    outbox: new Map(),
    ledger: createBeaconState(accounts),
    escrow: 0n,
    contracts: records,
    shards,
    incoming: Array.from({ length: shardCount }, () => ({ gas: 0n, receipts: 0 })),
    congestion: Array.from({ length: shardCount }, () => ZERO_CONGESTION),
    congestionSlot: Array.from({ length: shardCount }, () => -1),
  };
}

/** The shard a contract lives on, or undefined when it exists nowhere. */
export function getContractShard(state: Pick<ReceiptsState, "contracts">, id: ContractId): number | undefined {
  return state.contracts.get(id)?.shard;
}

/** Commitment to a shard's contracts: sha256(id ‖ state root ‖ ended) per contract, in id order. */
export function computeShardStateRoot(contracts: ReadonlyMap<ContractId, ContractRecord>, ids: readonly ContractId[]): Uint8Array {
  return commitList(
    ids.map((id) => {
      const c = contracts.get(id) as ContractRecord;
      return sha256(id, c.kv.root(), c.ended ? "1" : "0");
    }),
  ).root;
}
