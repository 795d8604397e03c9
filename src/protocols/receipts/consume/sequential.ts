/**
 * `sequential` consumption (DESIGN §3): receipts are delivered by the protocol into a queue at the
 * destination, numbered per (source, destination) by nonces; each block must first process up to
 * `forced` queued receipts, in nonce order per source, before new transactions (forced inclusion).
 * A receipt that arrives ahead of its nonce (network delays vary) is held until the receipts before
 * it have been processed.
 */
import { XshardError } from "../../../errors.js";
import type { ReceiptValue } from "../containers.js";
import { computeReceiptId } from "../segments.js";
import type { InboundNonces } from "../state.js";
import type { ConsumeRule, PoolEntry } from "./rule.js";

export type { InboundNonces };

/** The nonce a destination expects next from `sourceShard`. */
export function getExpectedNonce(nonces: InboundNonces, sourceShard: number): number {
  return nonces.get(sourceShard) ?? 0;
}

/**
 * A destination processes the receipts from each source shard in nonce order. Returns the new
 * nonces; `OUT_OF_ORDER` (nothing changed) for any other receipt.
 */
export function processSequentialReceipt(nonces: InboundNonces, receipt: ReceiptValue): InboundNonces {
  const expected = getExpectedNonce(nonces, receipt.sourceShard);
  if (receipt.nonce !== expected) {
    throw new XshardError("OUT_OF_ORDER", `receipt ${computeReceiptId(receipt)} has nonce ${receipt.nonce}, expected ${expected}`, {
      receipt: computeReceiptId(receipt),
      nonce: receipt.nonce,
      expected,
    });
  }
  return new Map(nonces).set(receipt.sourceShard, expected + 1);
}

/** A block takes forced receipts while it has processed fewer than `forced` of them. */
export function isForcedSlotLeft(processed: number, forced: number): boolean {
  return processed < forced;
}

/**
 * The queued receipt to process next: the first, in arrival order, whose nonce is the one expected
 * from its source (later nonces are held); undefined when every queued receipt is held.
 */
export function computeNextInOrder<T>(queue: readonly PoolEntry<T>[], nonces: InboundNonces): number | undefined {
  for (let i = 0; i < queue.length; i++) {
    const item = (queue[i] as PoolEntry<T>).item;
    if (item.kind === "receipt" && item.receipt.nonce === getExpectedNonce(nonces, item.receipt.sourceShard)) return i;
  }
  return undefined;
}

export const sequentialRule: ConsumeRule = {
  mode: "sequential",
  description: "destination shards process receipts in order, up to --forced per block before new transactions",
  delivery: "protocol",
  inbox: "queue",
  waitsForFeeCap: false,
  orderMempool: (mempool) => mempool,
  forcedLimit: (params) => params.forced,
  pickForced: (queue, shard) => computeNextInOrder(queue, shard.inbound),
  getQueueWaitReason: (entry, shard) => {
    const r = entry.item.kind === "receipt" ? entry.item.receipt : undefined;
    const held = r !== undefined && r.nonce > getExpectedNonce(shard.inbound, r.sourceShard);
    return held ? `receipt held for nonce order on shard ${shard.index}` : `receipt queued on shard ${shard.index}`;
  },
  processReceipt: (shard, receipt) => ({ ...shard, inbound: processSequentialReceipt(shard.inbound, receipt) }),
  checkItems: (items, params) => {
    let receipts = 0;
    let sawTx = false;
    for (const item of items) {
      if (item.kind === "tx") sawTx = true;
      else if (sawTx) throw new XshardError("FORCED_ORDER", "a sequential block processes its queued receipts before new transactions", {});
      else receipts++;
    }
    if (receipts > params.forced) {
      throw new XshardError("FORCED_ORDER", `a sequential block processes at most ${params.forced} receipts, got ${receipts}`, { receipts, forced: params.forced });
    }
  },
};
