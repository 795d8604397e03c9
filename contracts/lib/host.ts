/**
 * The host interface (import module "env") wrapped for AssemblyScript contracts, plus the byte and
 * u64 helpers every library contract uses. See docs/contracts.md for the interface and its costs.
 */

// @ts-ignore: decorator
@external("env", "arg_count") declare function host_arg_count(): i32;
// @ts-ignore: decorator
@external("env", "arg_len") declare function host_arg_len(i: i32): i32;
// @ts-ignore: decorator
@external("env", "arg_read") declare function host_arg_read(i: i32, ptr: usize): void;
// @ts-ignore: decorator
@external("env", "arg_origin") declare function host_arg_origin(i: i32, principalOut: usize, methodOut: usize): i32;
// @ts-ignore: decorator
@external("env", "caller") declare function host_caller(ptr: usize): void;
// @ts-ignore: decorator
@external("env", "self_principal") declare function host_self_principal(ptr: usize): void;
// @ts-ignore: decorator
@external("env", "self_code_hash") declare function host_self_code_hash(ptr: usize): void;
// @ts-ignore: decorator
@external("env", "storage_len") declare function host_storage_len(kptr: usize, klen: i32): i32;
// @ts-ignore: decorator
@external("env", "storage_read") declare function host_storage_read(kptr: usize, klen: i32, vptr: usize): void;
// @ts-ignore: decorator
@external("env", "storage_write") declare function host_storage_write(kptr: usize, klen: i32, vptr: usize, vlen: i32): void;
// @ts-ignore: decorator
@external("env", "storage_delete") declare function host_storage_delete(kptr: usize, klen: i32): void;
// @ts-ignore: decorator
@external("env", "ret") declare function host_ret(ptr: usize, len: i32): void;
// @ts-ignore: decorator
@external("env", "revert") declare function host_revert(ptr: usize, len: i32): void;
// @ts-ignore: decorator
@external("env", "create") declare function host_create(codeHashPtr: usize, principalOut: usize): i32;
// @ts-ignore: decorator
@external("env", "successor_write") declare function host_successor_write(index: i32, kptr: usize, klen: i32, vptr: usize, vlen: i32): void;
// @ts-ignore: decorator
@external("env", "end_contract") declare function host_end_contract(): void;

export const PRINCIPAL_LEN: i32 = 32;
const METHOD_MAX: i32 = 32;

// ---- bytes ----

/** The UTF-8 bytes of a string (used for storage tags and magic prefixes). */
export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

/** The concatenation of the parts. */
export function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (let i = 0; i < parts.length; i++) total += parts[i].length;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  return memory.compare(a.dataStart, b.dataStart, a.length) == 0;
}

/** Bytes [start, start + len) of b; reverts when out of range. */
export function slice(b: Uint8Array, start: i32, len: i32): Uint8Array {
  if (start < 0 || len < 0 || start + len > b.length) revert("bad encoding");
  return b.slice(start, start + len);
}

// ---- u64 (little-endian, 8 bytes) ----

export function encodeU64(v: u64): Uint8Array {
  const out = new Uint8Array(8);
  store<u64>(out.dataStart, v);
  return out;
}

/** The u64 at b[offset..offset+8]; reverts when out of range. */
export function readU64(b: Uint8Array, offset: i32): u64 {
  if (offset < 0 || offset + 8 > b.length) revert("bad encoding");
  return load<u64>(b.dataStart + <usize>offset);
}

export function addU64(a: u64, b: u64): u64 {
  const s = a + b;
  if (s < a) revert("overflow");
  return s;
}

export function mulU64(a: u64, b: u64): u64 {
  if (a != 0 && b > u64.MAX_VALUE / a) revert("overflow");
  return a * b;
}

// ---- call ----

/** Aborts the call with failure `revert` and this message; never returns. */
export function revert(message: string): void {
  const m = utf8(message);
  host_revert(m.dataStart, m.length);
  unreachable();
}

export function argCount(): i32 {
  return host_arg_count();
}

export function argBytes(i: i32): Uint8Array {
  const out = new Uint8Array(host_arg_len(i));
  host_arg_read(i, out.dataStart);
  return out;
}

/** Argument i as a 32-byte principal; reverts on any other length. */
export function argPrincipal(i: i32): Uint8Array {
  const b = argBytes(i);
  if (b.length != PRINCIPAL_LEN) revert("bad argument: principal");
  return b;
}

/** Argument i as a u64; reverts unless it is exactly 8 bytes. */
export function argU64(i: i32): u64 {
  const b = argBytes(i);
  if (b.length != 8) revert("bad argument: u64");
  return readU64(b, 0);
}

/** Which contract call produced an argument, as vouched for by the runtime. */
export class Origin {
  constructor(public principal: Uint8Array, public method: string) {}
}

/**
 * The origin of argument i, or null when it is a literal or a pure value (or came from a method
 * whose name is longer than the 32 bytes the host writes, which no library contract accepts).
 */
export function argOrigin(i: i32): Origin | null {
  const principal = new Uint8Array(PRINCIPAL_LEN);
  const method = new Uint8Array(METHOD_MAX);
  const len = host_arg_origin(i, principal.dataStart, method.dataStart);
  if (len < 0 || len > METHOD_MAX) return null;
  return new Origin(principal, String.UTF8.decodeUnsafe(method.dataStart, <usize>len));
}

/** The origin of argument i; reverts "unauthenticated" when it has none. */
export function requireOrigin(i: i32): Origin {
  const origin = argOrigin(i);
  if (origin == null) revert("unauthenticated");
  return <Origin>origin;
}

export function caller(): Uint8Array {
  const out = new Uint8Array(PRINCIPAL_LEN);
  host_caller(out.dataStart);
  return out;
}

export function selfPrincipal(): Uint8Array {
  const out = new Uint8Array(PRINCIPAL_LEN);
  host_self_principal(out.dataStart);
  return out;
}

export function selfCodeHash(): Uint8Array {
  const out = new Uint8Array(32);
  host_self_code_hash(out.dataStart);
  return out;
}

export function returnBytes(b: Uint8Array): void {
  host_ret(b.dataStart, b.length);
}

export function returnU64(v: u64): void {
  returnBytes(encodeU64(v));
}

// ---- storage ----

export function storageHas(key: Uint8Array): bool {
  return host_storage_len(key.dataStart, key.length) >= 0;
}

/** The value at key, or null when absent. */
export function storageGet(key: Uint8Array): Uint8Array | null {
  const len = host_storage_len(key.dataStart, key.length);
  if (len < 0) return null;
  const out = new Uint8Array(len);
  host_storage_read(key.dataStart, key.length, out.dataStart);
  return out;
}

export function storagePut(key: Uint8Array, value: Uint8Array): void {
  host_storage_write(key.dataStart, key.length, value.dataStart, value.length);
}

export function storageDelete(key: Uint8Array): void {
  host_storage_delete(key.dataStart, key.length);
}

/** The u64 at key, or 0 when absent. */
export function getU64(key: Uint8Array): u64 {
  const v = storageGet(key);
  return v == null ? 0 : readU64(<Uint8Array>v, 0);
}

export function putU64(key: Uint8Array, v: u64): void {
  storagePut(key, encodeU64(v));
}

// ---- lifecycle ----

/** A successor created in this call: its index (for successorPut) and principal. */
export class Successor {
  constructor(public index: i32, public principal: Uint8Array) {}
}

export function createSuccessor(codeHash: Uint8Array): Successor {
  const principal = new Uint8Array(PRINCIPAL_LEN);
  const index = host_create(codeHash.dataStart, principal.dataStart);
  return new Successor(index, principal);
}

export function successorPut(index: i32, key: Uint8Array, value: Uint8Array): void {
  host_successor_write(index, key.dataStart, key.length, value.dataStart, value.length);
}

export function endContract(): void {
  host_end_contract();
}
