/**
 * A consume mode as a plug-in: how a crosslinked receipt reaches its destination (a claim the
 * sender's client builds, or the receipt itself delivered by the protocol), where it waits there,
 * how a block orders what it takes, what a destination must process first, and how a receipt item
 * is checked against the destination's agreed state. Adding a variant = one file with its rule +
 * one line in `consume/index.ts`; the transitions (`shardBlock.ts`, `build.ts`) and the driver
 * only call this interface.
 */
import type { BlockItem } from "../items.js";
import type { ReceiptsParams } from "../params.js";
import type { ReceiptValue } from "../containers.js";
import type { ShardState } from "../state.js";

/** An entry of a shard's local pools: a block item, when it arrived, and the driver's handle. */
export interface PoolEntry<T = unknown> {
  readonly item: BlockItem;
  /** Arrival order at this shard (ties of the fee order). */
  readonly arrival: number;
  /** The fee cap per gas of the transaction the item belongs to. */
  readonly maxFeePerGas: bigint;
  /** Opaque to the protocol: what the driver tracks the entry by. */
  readonly ref: T;
}

export interface ConsumeRule {
  /** The protocol name's suffix: `receipts:<mode>`. */
  readonly mode: string;
  readonly description: string;
  /** `claim`: the sender's client proves the receipt to a crosslink; `protocol`: the destination reads it from the crosslinked source block. */
  readonly delivery: "claim" | "protocol";
  /** Where an arrived receipt waits: the mempool (with new transactions) or a forced queue. */
  readonly inbox: "mempool" | "queue";
  /** A receipt (or claim) waits while the destination's base fee is above the sender's cap. */
  readonly waitsForFeeCap: boolean;
  /** The mempool in the order a block takes it. */
  orderMempool<T>(mempool: readonly PoolEntry<T>[]): readonly PoolEntry<T>[];
  /** Most queued receipts a block must process before new transactions (0: no queue). */
  forcedLimit(params: ReceiptsParams): number;
  /** Queue inbox: the index of the queued receipt to process next, or undefined when all are held. */
  pickForced?<T>(queue: readonly PoolEntry<T>[], shard: ShardState): number | undefined;
  /** Queue inbox: why a queued receipt the block did not take waits (traced, and the `hung` reason at the end). */
  getQueueWaitReason?<T>(entry: PoolEntry<T>, shard: ShardState): string;
  /** The destination's rule for a delivered receipt (e.g. nonce order): its new shard state, or a typed error. */
  processReceipt(shard: ShardState, receipt: ReceiptValue): ShardState;
  /** The block's items are in an order this mode allows; a typed error naming the rule otherwise. */
  checkItems(items: readonly BlockItem[], params: ReceiptsParams): void;
}
