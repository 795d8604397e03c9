/**
 * `nonsequential` consumption (DESIGN §3): the sender's client submits a claim on the destination
 * shard carrying the receipt and its Merkle proof to a crosslink (`processClaim`, claims.ts); the
 * claim waits while the destination's base fee is above the sender's cap.
 */
import type { ConsumeRule } from "./rule.js";

export const nonsequentialRule: ConsumeRule = {
  mode: "nonsequential",
  description: "the sender claims each receipt on the destination shard with a Merkle proof to a crosslink",
  delivery: "claim",
  inbox: "mempool",
  waitsForFeeCap: true,
  orderMempool: (mempool) => mempool,
  forcedLimit: () => 0,
  processReceipt: (shard) => shard,
  checkItems: () => undefined,
};
