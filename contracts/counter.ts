/**
 * counter — a test contract: one u64 at key "v", plus methods that fail in each way the runtime
 * distinguishes (revert, trap, out-of-budget, out-of-memory) and lifecycle methods.
 */
import {
  addU64, argU64, createSuccessor, encodeU64, endContract, getU64, putU64, returnBytes, returnU64, revert,
  selfCodeHash, storageHas, successorPut, utf8,
} from "./lib/host";

const VALUE = utf8("v");

export function init(): void {
  if (storageHas(VALUE)) revert("already initialized");
  putU64(VALUE, 0);
}

export function inc(): void {
  const v = addU64(getU64(VALUE), 1);
  putU64(VALUE, v);
  returnU64(v);
}

export function add(): void {
  const v = addU64(getU64(VALUE), argU64(0));
  putU64(VALUE, v);
  returnU64(v);
}

export function get(): void {
  returnU64(getU64(VALUE));
}

/** Writes, then reverts: the write must not survive. */
export function fail(): void {
  putU64(VALUE, getU64(VALUE) + 1);
  revert("fail");
}

/** Writes, then traps: the write must not survive. */
export function trapAfterWrite(): void {
  putU64(VALUE, getU64(VALUE) + 1);
  unreachable();
}

/** Never ends: the call must run out of budget. */
export function loop(): void {
  let i: u64 = 0;
  while (i != u64.MAX_VALUE) i = (i + 1) % u64.MAX_VALUE;
  returnU64(i);
}

/** Allocates until linear memory runs out. */
export function grow(): void {
  const chunks: Uint8Array[] = [];
  while (true) chunks.push(new Uint8Array(65536));
}

/** Creates a successor counter holding this counter's value; returns its principal. */
export function spawn(): void {
  const s = createSuccessor(selfCodeHash());
  successorPut(s.index, VALUE, encodeU64(getU64(VALUE)));
  returnBytes(s.principal);
}

/** Ends this contract: later calls to it are refused by the caller of the runtime. */
export function end(): void {
  endContract();
}
