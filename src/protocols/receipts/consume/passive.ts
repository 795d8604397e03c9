/**
 * `passive` consumption (DESIGN §3): receipts are delivered by the protocol into the destination's
 * mempool and compete with new transactions for block space by fee cap; a receipt whose cap is
 * below the base fee waits like a new transaction.
 */
import { XshardError } from "../../../errors.js";
import { getItemFeeCap } from "../items.js";
import type { ConsumeRule } from "./rule.js";

/** Block order when receipts and new transactions compete: higher fee cap first, then earlier arrival. */
export function compareByFee(a: { readonly maxFeePerGas: bigint; readonly arrival: number }, b: { readonly maxFeePerGas: bigint; readonly arrival: number }): number {
  if (a.maxFeePerGas !== b.maxFeePerGas) return a.maxFeePerGas > b.maxFeePerGas ? -1 : 1;
  return a.arrival - b.arrival;
}

export const passiveRule: ConsumeRule = {
  mode: "passive",
  description: "receipts and new transactions compete for block space by fee cap",
  delivery: "protocol",
  inbox: "mempool",
  waitsForFeeCap: true,
  orderMempool: (mempool) => [...mempool].sort(compareByFee),
  forcedLimit: () => 0,
  processReceipt: (shard) => shard,
  checkItems: (items) => {
    let last: bigint | undefined;
    for (const item of items) {
      const cap = getItemFeeCap(item);
      if (last !== undefined && cap > last) throw new XshardError("FEE_ORDER", "a passive block orders its items by fee cap, highest first", { cap, previous: last });
      last = cap;
    }
  },
};
