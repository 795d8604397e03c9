/**
 * token — a fungible token. Amounts are u64 little-endian; principals are 32 bytes.
 *
 * Storage: "b"‖principal → balance, "s" → total supply, owner‖spender → allowance (untagged: the
 * only 64-byte keys, since a tag would exceed the 64-byte key limit), "q" → receipt sequence
 * counter, "u"‖authorizer‖nonce(8) → used PAY1 order (0x01).
 *
 * A transfer returns a receipt, RCT1(4) ‖ token(32) ‖ from(32) ‖ to(32) ‖ amount(8) ‖ seq(8); the
 * runtime tags it with this call as its origin, which is how other contracts trust it.
 * A contract pays out of its own balance by returning a PAY1 order,
 * PAY1(4) ‖ token(32) ‖ to(32) ‖ amount(8) ‖ nonce(8), that a program passes to transferAuthorized.
 */
import {
  addU64, argBytes, argCount, argPrincipal, argU64, bytesEqual, caller, concat, encodeU64,
  getU64, PRINCIPAL_LEN, putU64, readU64, requireOrigin, returnBytes, returnU64, revert, selfPrincipal,
  slice, storageHas, storagePut, utf8,
} from "./lib/host";

const SUPPLY = utf8("s");
const SEQUENCE = utf8("q");
const BALANCE = utf8("b");
const USED = utf8("u");
const RECEIPT_MAGIC = utf8("RCT1");
const ORDER_MAGIC = utf8("PAY1");
const ORDER_LEN = 4 + 32 + 32 + 8 + 8;

function balanceKey(owner: Uint8Array): Uint8Array {
  return concat([BALANCE, owner]);
}

function allowanceKey(owner: Uint8Array, spender: Uint8Array): Uint8Array {
  return concat([owner, spender]);
}

/** Moves amount from → to and returns the receipt; reverts on insufficient balance. */
function move(from: Uint8Array, to: Uint8Array, amount: u64): Uint8Array {
  const fromKey = balanceKey(from);
  const balance = getU64(fromKey);
  if (balance < amount) revert("insufficient balance");
  putU64(fromKey, balance - amount);
  const toKey = balanceKey(to);
  putU64(toKey, addU64(getU64(toKey), amount));
  const seq = getU64(SEQUENCE);
  putU64(SEQUENCE, seq + 1);
  return concat([RECEIPT_MAGIC, selfPrincipal(), from, to, encodeU64(amount), encodeU64(seq)]);
}

/** init(holder_1, amount_1, …, holder_n, amount_n): mints once. */
export function init(): void {
  if (storageHas(SUPPLY)) revert("already initialized");
  const n = argCount();
  if (n % 2 != 0) revert("bad argument: holder without amount");
  let supply: u64 = 0;
  for (let i = 0; i < n; i += 2) {
    const key = balanceKey(argPrincipal(i));
    const amount = argU64(i + 1);
    supply = addU64(supply, amount);
    putU64(key, getU64(key) + amount);
  }
  putU64(SUPPLY, supply);
}

export function totalSupply(): void {
  returnU64(getU64(SUPPLY));
}

/** balanceOf(principal) → u64 */
export function balanceOf(): void {
  returnU64(getU64(balanceKey(argPrincipal(0))));
}

/** transfer(to, amount) → receipt; from = caller. */
export function transfer(): void {
  returnBytes(move(caller(), argPrincipal(0), argU64(1)));
}

/** approve(spender, amount): the caller lets spender move up to amount. */
export function approve(): void {
  putU64(allowanceKey(caller(), argPrincipal(0)), argU64(1));
}

/** transferFrom(from, to, amount) → receipt; spender = caller, within its allowance. */
export function transferFrom(): void {
  const from = argPrincipal(0);
  const to = argPrincipal(1);
  const amount = argU64(2);
  const key = allowanceKey(from, caller());
  const allowance = getU64(key);
  if (allowance < amount) revert("insufficient allowance");
  putU64(key, allowance - amount);
  returnBytes(move(from, to, amount));
}

/**
 * transferAuthorized(order) → receipt: pays a PAY1 order out of the balance of the contract that
 * returned it (the argument's origin). Each (payer, nonce) is honoured once.
 */
export function transferAuthorized(): void {
  const payer = requireOrigin(0).principal;
  const order = argBytes(0);
  if (order.length != ORDER_LEN || !bytesEqual(slice(order, 0, 4), ORDER_MAGIC)) revert("bad order");
  if (!bytesEqual(slice(order, 4, PRINCIPAL_LEN), selfPrincipal())) revert("wrong token");
  const to = slice(order, 36, PRINCIPAL_LEN);
  const amount = readU64(order, 68);
  const usedKey = concat([USED, payer, slice(order, 76, 8)]);
  if (storageHas(usedKey)) revert("replayed");
  storagePut(usedKey, new Uint8Array(1).fill(1));
  returnBytes(move(payer, to, amount));
}
