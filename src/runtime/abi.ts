/**
 * Byte formats of the library contracts, for programs, workloads and tests: u64 amounts, token
 * receipts (RCT1) and payment orders (PAY1). docs/contracts.md describes them.
 */
import { XshardError } from "../errors.js";
import { bytesEqual } from "../crypto/hash.js";
import { decodeU64, encodeU64 } from "../program/values.js";

/** u64 amounts are the program language's u64 (8 bytes little-endian). */
export { decodeU64, encodeU64 };

export const RECEIPT_MAGIC = new TextEncoder().encode("RCT1");
export const ORDER_MAGIC = new TextEncoder().encode("PAY1");
/** RCT1(4) ‖ token(32) ‖ from(32) ‖ to(32) ‖ amount(8) ‖ seq(8) */
export const RECEIPT_BYTES = 116;
/** PAY1(4) ‖ token(32) ‖ to(32) ‖ amount(8) ‖ nonce(8) */
export const ORDER_BYTES = 84;

export interface Receipt {
  readonly token: Uint8Array;
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly amount: bigint;
  readonly seq: bigint;
}

export interface PayOrder {
  readonly token: Uint8Array;
  readonly to: Uint8Array;
  readonly amount: bigint;
  readonly nonce: bigint;
}

function badEncoding(what: string, length: number): XshardError {
  return new XshardError("BAD_ENCODING", `not a ${what} (${length} bytes)`, { what, length });
}

function hasMagic(b: Uint8Array, magic: Uint8Array, length: number): boolean {
  return b.length === length && bytesEqual(b.subarray(0, 4), magic);
}

export function decodeReceipt(b: Uint8Array): Receipt {
  if (!hasMagic(b, RECEIPT_MAGIC, RECEIPT_BYTES)) throw badEncoding("receipt", b.length);
  return { token: b.slice(4, 36), from: b.slice(36, 68), to: b.slice(68, 100), amount: decodeU64(b.subarray(100, 108)), seq: decodeU64(b.subarray(108, 116)) };
}

export function decodePayOrder(b: Uint8Array): PayOrder {
  if (!hasMagic(b, ORDER_MAGIC, ORDER_BYTES)) throw badEncoding("payment order", b.length);
  return { token: b.slice(4, 36), to: b.slice(36, 68), amount: decodeU64(b.subarray(68, 76)), nonce: decodeU64(b.subarray(76, 84)) };
}

/** A PAY1 order; only honoured when a contract call returned it (see token.transferAuthorized). */
export function encodePayOrder(o: PayOrder): Uint8Array {
  return Buffer.concat([ORDER_MAGIC, o.token, o.to, encodeU64(o.amount), encodeU64(o.nonce)]);
}
