/**
 * exchange — swaps token A for token B at a constant product (no fee), in the seed's two forms.
 *
 * Storage: "A", "B" → token principals; "ra", "rb" → reserves (u64); "n" → PAY1 nonce counter;
 * "k" → next order id; "o"‖id(8) → order = user(32) ‖ amountIn(8) ‖ amountOut(8) ‖ state(1)
 * (0 quoted, 1 paid, 2 done); "r"‖token(32)‖seq(8) → receipt already used (0x01).
 *
 * The exchange trusts a receipt only when the runtime vouches that it came from the expected
 * token's expected method (arg_origin), and pays out by returning a PAY1 order that the other
 * token honours (see token.ts).
 */
import {
  addU64, argBytes, argPrincipal, argU64, bytesEqual, caller, concat, encodeU64, getU64, mulU64,
  PRINCIPAL_LEN, putU64, readU64, requireOrigin, returnBytes, returnU64, revert, selfPrincipal, slice,
  storageGet, storageHas, storagePut, utf8,
} from "./lib/host";

const TOKEN_A = utf8("A");
const TOKEN_B = utf8("B");
const RESERVE_A = utf8("ra");
const RESERVE_B = utf8("rb");
const NONCE = utf8("n");
const NEXT_ORDER = utf8("k");
const ORDER = utf8("o");
const USED = utf8("r");
const RECEIPT_MAGIC = utf8("RCT1");
const ORDER_MAGIC = utf8("PAY1");
const RECEIPT_LEN = 4 + 32 + 32 + 32 + 8 + 8;

const QUOTED: u8 = 0;
const PAID: u8 = 1;
const DONE: u8 = 2;

class Receipt {
  constructor(public token: Uint8Array, public from: Uint8Array, public to: Uint8Array, public amount: u64, public seq: Uint8Array) {}
}

class Order {
  constructor(public user: Uint8Array, public amountIn: u64, public amountOut: u64, public state: u8) {}
}

function token(key: Uint8Array): Uint8Array {
  const t = storageGet(key);
  if (t == null) revert("not initialized");
  return <Uint8Array>t;
}

function nextCounter(key: Uint8Array): u64 {
  const v = getU64(key);
  putU64(key, v + 1);
  return v;
}

function parseReceipt(b: Uint8Array): Receipt {
  if (b.length != RECEIPT_LEN || !bytesEqual(slice(b, 0, 4), RECEIPT_MAGIC)) revert("bad receipt");
  return new Receipt(slice(b, 4, PRINCIPAL_LEN), slice(b, 36, PRINCIPAL_LEN), slice(b, 68, PRINCIPAL_LEN), readU64(b, 100), slice(b, 108, 8));
}

/**
 * Argument i as a receipt returned by `method` of the token `expected`, addressed to or from the
 * exchange as the caller then checks; marks it used so that it counts once.
 */
function acceptReceipt(i: i32, expected: Uint8Array, method: string): Receipt {
  const origin = requireOrigin(i);
  if (!bytesEqual(origin.principal, expected)) revert("receipt from the wrong token");
  if (origin.method != method) revert("receipt from the wrong method");
  const r = parseReceipt(argBytes(i));
  if (!bytesEqual(r.token, origin.principal)) revert("bad receipt");
  const usedKey = concat([USED, r.token, r.seq]);
  if (storageHas(usedKey)) revert("receipt already used");
  storagePut(usedKey, new Uint8Array(1).fill(1));
  return r;
}

/** Constant product: rOut*in/(rIn+in); updates the reserves and returns the amount out. */
function trade(inIsA: bool, amountIn: u64): u64 {
  const inKey = inIsA ? RESERVE_A : RESERVE_B;
  const outKey = inIsA ? RESERVE_B : RESERVE_A;
  const rIn = getU64(inKey);
  const rOut = getU64(outKey);
  const amountOut = mulU64(rOut, amountIn) / addU64(rIn, amountIn);
  if (amountOut == 0) revert("zero output");
  putU64(inKey, rIn + amountIn);
  putU64(outKey, rOut - amountOut);
  return amountOut;
}

function payOrder(tokenPrincipal: Uint8Array, to: Uint8Array, amount: u64): Uint8Array {
  return concat([ORDER_MAGIC, tokenPrincipal, to, encodeU64(amount), encodeU64(nextCounter(NONCE))]);
}

function orderKey(id: u64): Uint8Array {
  return concat([ORDER, encodeU64(id)]);
}

function loadOrder(id: u64): Order {
  const b = storageGet(orderKey(id));
  if (b == null) revert("no such order");
  const o = <Uint8Array>b;
  return new Order(slice(o, 0, PRINCIPAL_LEN), readU64(o, 32), readU64(o, 40), o[48]);
}

function saveOrder(id: u64, o: Order): void {
  const state = new Uint8Array(1);
  state[0] = o.state;
  storagePut(orderKey(id), concat([o.user, encodeU64(o.amountIn), encodeU64(o.amountOut), state]));
}

/** init(tokenA, tokenB, reserveA, reserveB), once. */
export function init(): void {
  if (storageHas(TOKEN_A)) revert("already initialized");
  const a = argPrincipal(0);
  const b = argPrincipal(1);
  if (bytesEqual(a, b)) revert("tokens must differ");
  storagePut(TOKEN_A, a);
  storagePut(TOKEN_B, b);
  putU64(RESERVE_A, argU64(2));
  putU64(RESERVE_B, argU64(3));
}

/** reserves() → ra ‖ rb */
export function reserves(): void {
  returnBytes(concat([encodeU64(getU64(RESERVE_A)), encodeU64(getU64(RESERVE_B))]));
}

/**
 * Direct form: swap(receipt) → PAY1. The receipt must come from token A's or token B's `transfer`
 * to the exchange; the order pays the other token to the receipt's sender.
 */
export function swap(): void {
  const a = token(TOKEN_A);
  const b = token(TOKEN_B);
  const origin = requireOrigin(0);
  const inIsA = bytesEqual(origin.principal, a);
  const r = acceptReceipt(0, inIsA ? a : b, "transfer");
  if (!bytesEqual(r.to, selfPrincipal())) revert("receipt not addressed to the exchange");
  const amountOut = trade(inIsA, r.amount);
  returnBytes(payOrder(inIsA ? b : a, r.from, amountOut));
}

/** Naive form, step 1: quote(amountIn) → order id, for the caller. */
export function quote(): void {
  const amountIn = argU64(0);
  if (amountIn == 0) revert("zero amount");
  const id = nextCounter(NEXT_ORDER);
  saveOrder(id, new Order(caller(), amountIn, 0, QUOTED));
  returnU64(id);
}

/** Naive form, step 2: paid(orderId, receipt of token A `transfer`) → PAY1 of token B to the user. */
export function paid(): void {
  const id = argU64(0);
  const o = loadOrder(id);
  if (o.state != QUOTED) revert("order not quoted");
  const r = acceptReceipt(1, token(TOKEN_A), "transfer");
  if (!bytesEqual(r.from, o.user)) revert("receipt not from the order's user");
  if (!bytesEqual(r.to, selfPrincipal())) revert("receipt not addressed to the exchange");
  if (r.amount != o.amountIn) revert("receipt amount differs from the order");
  o.amountOut = trade(true, o.amountIn);
  o.state = PAID;
  saveOrder(id, o);
  returnBytes(payOrder(token(TOKEN_B), o.user, o.amountOut));
}

/** Naive form, step 3: complete(orderId, receipt of token B `transferAuthorized`) closes the order. */
export function complete(): void {
  const id = argU64(0);
  const o = loadOrder(id);
  if (o.state != PAID) revert("order not paid");
  const r = acceptReceipt(1, token(TOKEN_B), "transferAuthorized");
  if (!bytesEqual(r.from, selfPrincipal())) revert("receipt not from the exchange");
  if (!bytesEqual(r.to, o.user)) revert("receipt not to the order's user");
  if (r.amount != o.amountOut) revert("receipt amount differs from the order");
  o.state = DONE;
  saveOrder(id, o);
}
