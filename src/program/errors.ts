/**
 * Error codes of the program module. Every error is an `XshardError` whose `data` names the
 * offending step (`step`) or JSON path (`path`) where there is one.
 */
import { XshardError } from "../errors.js";

export type ProgramErrorCode =
  /** The bytes are not an SSZ encoding of the schema (bad offsets, truncated values). */
  | "MALFORMED"
  /** A fixed-size value (a step reference) was given more bytes than its size. */
  | "TRAILING_BYTES"
  /** The bytes decode, but re-encoding the result gives different bytes. */
  | "NON_CANONICAL"
  /** A union selector (step kind or argument kind) is out of range. */
  | "BAD_SELECTOR"
  | "REF_NOT_EARLIER"
  | "UNKNOWN_OP"
  | "BAD_ARITY"
  | "TOO_MANY_STEPS"
  | "TOO_MANY_ARGS"
  | "ARG_TOO_LARGE"
  | "PROGRAM_TOO_LARGE"
  | "BAD_NAME"
  | "EMPTY_PROGRAM"
  /** The JSON form does not follow docs/programs.md; `path` says where. */
  | "BAD_JSON"
  /** A name resolver does not know an account or principal name. */
  | "UNKNOWN_NAME"
  /** An integer is outside u64, or a u64 encoding is not exactly 8 bytes. */
  | "BAD_U64"
  /** `evaluateProgram` resume options do not fit the program. */
  | "BAD_RESUME";

export type TxErrorCode =
  /** The signature does not verify against the public key. */
  | "BAD_SIGNATURE"
  /** The sender is not sha256 of the public key. */
  | "SENDER_MISMATCH"
  /** A transaction field has the wrong length or is outside u64. */
  | "BAD_FIELD";

export type ProgramError = XshardError<ProgramErrorCode>;

/** Builds a program-module error. */
export function programError(code: ProgramErrorCode, message: string, data: Record<string, unknown> = {}): ProgramError {
  return new XshardError(code, message, data);
}

/** Builds a transaction error. */
export function txError(code: TxErrorCode, message: string, data: Record<string, unknown> = {}): XshardError<TxErrorCode> {
  return new XshardError(code, message, data);
}
