/**
 * What a shard block carries: new transactions (their first segment), claims (nonsequential) and
 * delivered receipts (sequential, passive), each running one segment.
 */
import type { SignedTx } from "../../program/index.js";
import type { Claim } from "./claims.js";
import type { ReceiptValue } from "./containers.js";

export type BlockItem =
  | { readonly kind: "tx"; readonly tx: SignedTx }
  | { readonly kind: "claim"; readonly claim: Claim }
  | { readonly kind: "receipt"; readonly receipt: ReceiptValue };

/** The receipt an item consumes, if any. */
export function getItemReceipt(item: BlockItem): ReceiptValue | undefined {
  return item.kind === "claim" ? item.claim.receipt : item.kind === "receipt" ? item.receipt : undefined;
}

/** The fee cap per gas of the transaction an item belongs to. */
export function getItemFeeCap(item: BlockItem): bigint {
  return item.kind === "tx" ? item.tx.tx.maxFeePerGas : (getItemReceipt(item) as ReceiptValue).maxFeePerGas;
}
