/**
 * A fixed stock of numbered items (train seats, hotel rooms), shared by train.ts and hotel.ts.
 *
 * Storage: "c" → capacity, "v" → available count, "n" → next ticket number (u64);
 * "t"‖ticket(8) → holder principal (deleted on cancel).
 */
import { addU64, argU64, bytesEqual, caller, concat, encodeU64, getU64, putU64, returnBytes, returnU64, revert, storageDelete, storageGet, storageHas, storagePut, utf8 } from "./host";

const CAPACITY = utf8("c");
const AVAILABLE = utf8("v");
const NEXT = utf8("n");
const TICKET = utf8("t");

function ticketKey(ticket: u64): Uint8Array {
  return concat([TICKET, encodeU64(ticket)]);
}

function holderOf(ticket: u64): Uint8Array {
  const h = storageGet(ticketKey(ticket));
  if (h == null) revert("no such ticket");
  return <Uint8Array>h;
}

/** init(capacity), once. */
export function init(): void {
  if (storageHas(CAPACITY)) revert("already initialized");
  const capacity = argU64(0);
  putU64(CAPACITY, capacity);
  putU64(AVAILABLE, capacity);
  putU64(NEXT, 0);
}

/** reserve() → ticket, held by the caller; reverts "sold out". */
export function reserve(): void {
  const available = getU64(AVAILABLE);
  if (available == 0) revert("sold out");
  const ticket = getU64(NEXT);
  putU64(NEXT, addU64(ticket, 1));
  putU64(AVAILABLE, available - 1);
  storagePut(ticketKey(ticket), caller());
  returnU64(ticket);
}

/** cancel(ticket): only its holder; the item becomes available again. */
export function cancel(): void {
  const ticket = argU64(0);
  if (!bytesEqual(holderOf(ticket), caller())) revert("not the holder");
  storageDelete(ticketKey(ticket));
  putU64(AVAILABLE, getU64(AVAILABLE) + 1);
}

export function available(): void {
  returnU64(getU64(AVAILABLE));
}

/** holder(ticket) → principal */
export function holder(): void {
  returnBytes(holderOf(argU64(0)));
}
