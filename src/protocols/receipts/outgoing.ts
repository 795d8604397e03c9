/**
 * Congestion control inside a shard block (rules: congestion.ts): which receipts a block may list
 * for a destination now, listing them (slot, index, nonce, the destination's incoming backlog),
 * the outgoing buffer forwarded first, and the backlog a consumed receipt leaves.
 */
import { Receipt, type ReceiptValue } from "./containers.js";
import { canSendReceipt, computeOutgoingLimit, ZERO_CONGESTION } from "./congestion.js";
import type { ReceiptsContext } from "./context.js";
import type { Backlog, ReceiptsState, ShardState } from "./state.js";

/** What these rules use of a block being applied (`ShardBlockWork` in blockItems.ts). */
export interface OutgoingWork {
  readonly ctx: ReceiptsContext;
  readonly pre: ReceiptsState;
  readonly slot: number;
  shard: ShardState;
  readonly incoming: Backlog[];
  readonly sent: number[];
  readonly receipts: ReceiptValue[];
  readonly receiptRoots: Uint8Array[];
}

/** May a receipt for `dest` be listed in this block now (congestion control; always when off)? */
export function canListReceipt(w: OutgoingWork, dest: number): boolean {
  const p = w.ctx.params.congestion;
  if (!p.enabled) return true;
  const limit = computeOutgoingLimit(w.pre.congestion[dest] ?? ZERO_CONGESTION, w.shard.index, dest, w.slot, w.pre.shards.length, p);
  return canSendReceipt(w.sent[dest] as number, limit, (w.incoming[dest] as Backlog).receipts, p);
}

/** Lists a receipt in the block (its slot, index and nonce are this block's). */
export function listReceipt(w: OutgoingWork, draft: ReceiptValue): ReceiptValue {
  const dest = draft.destShard;
  const receipt: ReceiptValue = { ...draft, slot: w.slot, index: w.receipts.length, nonce: w.shard.outbound[dest] as number };
  const outbound = [...w.shard.outbound];
  outbound[dest] = receipt.nonce + 1;
  w.shard = { ...w.shard, outbound };
  w.receipts.push(receipt);
  w.receiptRoots.push(Receipt.hashTreeRoot(receipt));
  const b = w.incoming[dest] as Backlog;
  w.incoming[dest] = { gas: b.gas + receipt.gasLeft, receipts: b.receipts + 1 };
  w.sent[dest] = (w.sent[dest] as number) + 1;
  return receipt;
}

/** A receipt consumed here leaves the shard's incoming backlog. */
export function consumeIncoming(w: OutgoingWork, r: ReceiptValue): void {
  const b = w.incoming[w.shard.index] as Backlog;
  w.incoming[w.shard.index] = { gas: b.gas - r.gasLeft, receipts: b.receipts - 1 };
}

/** Lists buffered receipts first, oldest first, in order per destination (a blocked destination keeps the rest of its receipts). */
export function processOutgoingBuffer(w: OutgoingWork): void {
  const blocked = new Set<number>();
  const keep: ReceiptValue[] = [];
  for (const r of w.shard.buffer) {
    if (!blocked.has(r.destShard) && canListReceipt(w, r.destShard)) listReceipt(w, r);
    else {
      blocked.add(r.destShard);
      keep.push(r);
    }
  }
  w.shard = { ...w.shard, buffer: keep };
}

