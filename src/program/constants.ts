/**
 * Limits and the pure-operation table of the transaction-program language (docs/programs.md).
 * Every bound here is checked by `validateProgram` and therefore by every decoder.
 */

/** Most steps in one program. */
export const MAX_STEPS = 64;
/** Most arguments of one step (a call's or a pure op's). */
export const MAX_ARGS = 8;
/** Largest literal argument, and largest `concat` result, in bytes. */
export const MAX_ARG_BYTES = 1024;
/** Largest canonical encoding of a whole program, in bytes. */
export const MAX_PROGRAM_BYTES = 16384;
/** Longest contract id, in bytes. */
export const MAX_CONTRACT_ID_BYTES = 64;
/** Longest method name, in bytes. */
export const MAX_METHOD_BYTES = 32;

/** Contract ids: printable ASCII from this set. Dots are allowed, so `call` JSON splits on the last dot. */
export const CONTRACT_ID_PATTERN = /^[A-Za-z0-9_.:/~-]+$/;
/** Method names: identifiers, so they never contain a dot. */
export const METHOD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Largest u64. */
export const U64_MAX = (1n << 64n) - 1n;

/** Pure operations; the index of a name is its opcode in the binary encoding. */
export const PURE_OPS = [
  "add",
  "sub",
  "mul",
  "div",
  "mod",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "min",
  "max",
  "not",
  "and",
  "or",
  "bytes_eq",
  "concat",
  "slice",
  "len",
] as const;
export type PureOpName = (typeof PURE_OPS)[number];

/** Number of arguments an op takes: `min..max` inclusive. */
export interface Arity {
  readonly min: number;
  readonly max: number;
}

const ONE: Arity = { min: 1, max: 1 };
const TWO: Arity = { min: 2, max: 2 };

/** Fixed arity of every pure op. */
export const PURE_OP_ARITY: Readonly<Record<PureOpName, Arity>> = {
  add: TWO,
  sub: TWO,
  mul: TWO,
  div: TWO,
  mod: TWO,
  eq: TWO,
  ne: TWO,
  lt: TWO,
  le: TWO,
  gt: TWO,
  ge: TWO,
  min: TWO,
  max: TWO,
  not: ONE,
  and: TWO,
  or: TWO,
  bytes_eq: TWO,
  concat: { min: 2, max: MAX_ARGS },
  slice: { min: 3, max: 3 },
  len: ONE,
};
