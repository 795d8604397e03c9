/**
 * Encodings of the program language's scalar values: u64 is exactly 8 bytes little-endian,
 * bool is exactly one byte 0x00 / 0x01.
 */
import { U64_MAX } from "./constants.js";
import { programError } from "./errors.js";

/** True when `n` is an integer in [0, 2^64 - 1]. */
export function isU64(n: bigint): boolean {
  return n >= 0n && n <= U64_MAX;
}

/** 8-byte little-endian encoding of a u64; throws `BAD_U64` outside [0, 2^64 - 1]. */
export function encodeU64(n: bigint | number): Uint8Array {
  if (typeof n === "number" && Number.isSafeInteger(n) && n >= 0) return encodeSafeU64(n);
  const value = typeof n === "number" ? toBigintInteger(n) : n;
  if (!isU64(value)) throw programError("BAD_U64", "integer outside u64", { value: value.toString() });
  if (value <= MAX_SAFE) return encodeSafeU64(Number(value));
  u64Scratch.setBigUint64(0, value, true);
  return u64Bytes.slice();
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const u64Bytes = new Uint8Array(8);
const u64Scratch = new DataView(u64Bytes.buffer);

/** `encodeU64` of a safe non-negative integer, without a bigint or a DataView. */
function encodeSafeU64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  const lo = n % 0x1_0000_0000;
  const hi = (n - lo) / 0x1_0000_0000;
  out[0] = lo & 0xff;
  out[1] = (lo >>> 8) & 0xff;
  out[2] = (lo >>> 16) & 0xff;
  out[3] = lo >>> 24;
  out[4] = hi & 0xff;
  out[5] = (hi >>> 8) & 0xff;
  out[6] = (hi >>> 16) & 0xff;
  out[7] = hi >>> 24;
  return out;
}

/** Reads an 8-byte little-endian u64; throws `BAD_U64` for any other length. */
export function decodeU64(bytes: Uint8Array): bigint {
  if (bytes.length !== 8) throw programError("BAD_U64", "u64 must be exactly 8 bytes", { length: bytes.length });
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}

/** One byte: 0x01 for true, 0x00 for false. */
export function encodeBool(b: boolean): Uint8Array {
  return Uint8Array.of(b ? 1 : 0);
}

/** Reads a bool; `null` unless the bytes are exactly 0x00 or 0x01. */
export function getBool(bytes: Uint8Array): boolean | null {
  if (bytes.length !== 1 || (bytes[0] !== 0 && bytes[0] !== 1)) return null;
  return bytes[0] === 1;
}

/** Reads a u64; `null` unless the bytes are exactly 8 long. */
export function getU64(bytes: Uint8Array): bigint | null {
  return bytes.length === 8 ? decodeU64(bytes) : null;
}

function toBigintInteger(n: number): bigint {
  if (!Number.isSafeInteger(n)) throw programError("BAD_U64", "not a safe integer", { value: String(n) });
  return BigInt(n);
}
