/**
 * What the store keeps per transaction (`tx_results` bucket): a small JSON record — sequence
 * number, Stage-1 slot, and once final the final slot, outcome, reason and return values (0x-hex,
 * null for Nothing) — written when the transaction is sequenced and again when it becomes final.
 */
import { toHex } from "../crypto/hash.js";
import type { TxStatusView } from "./api/backend.js";
import type { NodeTxRecord } from "./chain.js";

const enc = new TextEncoder();

/** The API's status view of a sequenced transaction. */
export function computeTxStatusView(r: NodeTxRecord): TxStatusView {
  const id = `0x${toHex(r.txId)}`;
  if (r.finalSlot === undefined || !r.result) return { id, status: "included", includedSlot: r.includedSlot };
  return {
    id,
    status: "final",
    includedSlot: r.includedSlot,
    finalSlot: r.finalSlot,
    outcome: r.result.status,
    returnValues: r.result.values.map((v) => (v === null ? null : `0x${toHex(v.bytes)}`)),
    ...(r.result.reason === null ? {} : { reason: r.result.reason }),
  };
}

export function encodeTxResult(r: NodeTxRecord): Uint8Array {
  return enc.encode(JSON.stringify({ seq: r.seq, ...computeTxStatusView(r) }));
}
