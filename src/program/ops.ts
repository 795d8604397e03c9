/**
 * The pure operations (docs/programs.md "Pure ops"). Every op is total: a wrong-length integer or
 * bool, an overflow, an underflow, a division by zero or an out-of-range slice yields Nothing.
 */
import { bytesEqual } from "../crypto/hash.js";
import type { MaybeValue, Value } from "../types.js";
import { MAX_ARG_BYTES, type PureOpName } from "./constants.js";
import { validateArity } from "./validate.js";
import { encodeBool, encodeU64, getBool, getU64, isU64 } from "./values.js";

type Bytes = Uint8Array;
type OpImpl = (args: readonly Bytes[]) => Bytes | null;

/**
 * Applies a pure op. The result has no origin; `null` is Nothing.
 * Throws `BAD_ARITY` if the number of arguments does not fit the op.
 */
export function evaluatePureOp(op: PureOpName, args: readonly Value[]): MaybeValue {
  validateArity(op, args.length);
  const bytes = PURE_OP_IMPLS[op](args.map((a) => a.bytes));
  return bytes === null ? null : { bytes };
}

const PURE_OP_IMPLS: Readonly<Record<PureOpName, OpImpl>> = {
  add: u64Op((a, b) => a + b),
  sub: u64Op((a, b) => a - b),
  mul: u64Op((a, b) => a * b),
  div: u64Op((a, b) => (b === 0n ? null : a / b)),
  mod: u64Op((a, b) => (b === 0n ? null : a % b)),
  eq: u64Compare((a, b) => a === b),
  ne: u64Compare((a, b) => a !== b),
  lt: u64Compare((a, b) => a < b),
  le: u64Compare((a, b) => a <= b),
  gt: u64Compare((a, b) => a > b),
  ge: u64Compare((a, b) => a >= b),
  min: u64Op((a, b) => (a < b ? a : b)),
  max: u64Op((a, b) => (a > b ? a : b)),
  not: unary((x) => {
    const b = getBool(x);
    return b === null ? null : encodeBool(!b);
  }),
  and: boolOp((a, b) => a && b),
  or: boolOp((a, b) => a || b),
  bytes_eq: binary((a, b) => encodeBool(bytesEqual(a, b))),
  concat: computeConcat,
  slice: computeSlice,
  len: unary((x) => encodeU64(x.length)),
};

/** Adapts a one-argument op; a missing argument (excluded by the arity check) gives Nothing. */
function unary(f: (a: Bytes) => Bytes | null): OpImpl {
  return ([a]) => (a === undefined ? null : f(a));
}

/** Adapts a two-argument op; a missing argument (excluded by the arity check) gives Nothing. */
function binary(f: (a: Bytes, b: Bytes) => Bytes | null): OpImpl {
  return ([a, b]) => (a === undefined || b === undefined ? null : f(a, b));
}

/** u64 × u64 → u64; a result outside u64 (overflow, underflow) is Nothing. */
function u64Op(f: (a: bigint, b: bigint) => bigint | null): OpImpl {
  return binary((x, y) => {
    const a = getU64(x);
    const b = getU64(y);
    if (a === null || b === null) return null;
    const r = f(a, b);
    return r === null || !isU64(r) ? null : encodeU64(r);
  });
}

/** u64 × u64 → bool. */
function u64Compare(f: (a: bigint, b: bigint) => boolean): OpImpl {
  return binary((x, y) => {
    const a = getU64(x);
    const b = getU64(y);
    return a === null || b === null ? null : encodeBool(f(a, b));
  });
}

/** bool × bool → bool. */
function boolOp(f: (a: boolean, b: boolean) => boolean): OpImpl {
  return binary((x, y) => {
    const a = getBool(x);
    const b = getBool(y);
    return a === null || b === null ? null : encodeBool(f(a, b));
  });
}

/** Concatenation; Nothing if the result would exceed MAX_ARG_BYTES. */
function computeConcat(args: readonly Bytes[]): Bytes | null {
  const total = args.reduce((n, a) => n + a.length, 0);
  if (total > MAX_ARG_BYTES) return null;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const a of args) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** slice(bytes, start, len); Nothing unless `start + len <= bytes.length`. */
function computeSlice([bytes, startBytes, lenBytes]: readonly Bytes[]): Bytes | null {
  if (bytes === undefined || startBytes === undefined || lenBytes === undefined) return null;
  const start = getU64(startBytes);
  const len = getU64(lenBytes);
  if (start === null || len === null || start + len > BigInt(bytes.length)) return null;
  return bytes.slice(Number(start), Number(start + len));
}
