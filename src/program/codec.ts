/**
 * Canonical binary encoding of programs and transactions (SSZ, schema in `ssz.ts`).
 * Encoders validate first, so every encoding they produce decodes. Decoders accept exactly the
 * encodings the encoders produce and throw a typed `XshardError` (never anything else) for the
 * rest; see docs/programs.md "Errors" for the order of the checks.
 */
import { bytesEqual } from "../crypto/hash.js";
import { isXshardError, XshardError } from "../errors.js";
import { MAX_PROGRAM_BYTES } from "./constants.js";
import { programError, txError } from "./errors.js";
import {
  fromSszStep,
  ProgramFrameType,
  ProgramType,
  SignedTxFrameType,
  SignedTxType,
  StepDecodeType,
  type SszSignedTx,
  type SszTx,
  TxFrameType,
  TxType,
} from "./ssz.js";
import type { Program, SignedTx, Step, Tx } from "./types.js";
import { toValidatedSszProgram, validateProgram } from "./validate.js";
import { isU64 } from "./values.js";

/** Largest encoded transaction: fixed part plus the largest program. */
const MAX_TX_BYTES = TxFrameType.fixedEnd + MAX_PROGRAM_BYTES;
/** Largest encoded signed transaction. */
const MAX_SIGNED_TX_BYTES = SignedTxFrameType.fixedEnd + MAX_TX_BYTES;

/** Canonical encoding of a valid program; throws the validation error otherwise. */
export function encodeProgram(p: Program): Uint8Array {
  return ProgramType.serialize(toValidatedSszProgram(p));
}

/** Decodes and validates a program. */
export function decodeProgram(bytes: Uint8Array): Program {
  if (bytes.length === 0) throw programError("EMPTY_PROGRAM", "a program has at least one step");
  assertMaxSize(bytes, MAX_PROGRAM_BYTES);
  return decodeStepFrames(deserializeOrThrow(() => ProgramFrameType.deserialize(bytes)));
}

/** Canonical encoding of a transaction; validates fields and program. */
export function encodeTx(tx: Tx): Uint8Array {
  return TxType.serialize(toValidatedSszTx(tx));
}

/** Decodes a transaction and validates its program. */
export function decodeTx(bytes: Uint8Array): Tx {
  assertMaxSize(bytes, MAX_TX_BYTES);
  const frame = deserializeOrThrow(() => TxFrameType.deserialize(bytes));
  return { ...frame, program: decodeStepFrames(frame.program) };
}

/** Canonical encoding of a signed transaction (the signature is not checked here). */
export function encodeSignedTx(stx: SignedTx): Uint8Array {
  return SignedTxType.serialize(toValidatedSszSignedTx(stx));
}

/**
 * Length of `encodeSignedTx(stx)`, without encoding: the same validation (and the same error for a
 * transaction that does not encode), then the SSZ size of the validated value.
 */
export function computeSignedTxSize(stx: SignedTx): number {
  return SignedTxType.value_serializedSize(toValidatedSszSignedTx(stx));
}

/** Decodes a signed transaction and validates its program; use `verifySignedTx` for the signature. */
export function decodeSignedTx(bytes: Uint8Array): SignedTx {
  assertMaxSize(bytes, MAX_SIGNED_TX_BYTES);
  const frame = deserializeOrThrow(() => SignedTxFrameType.deserialize(bytes));
  return { ...frame, tx: { ...frame.tx, program: decodeStepFrames(frame.tx.program) } };
}

/** Checks fields and program of a transaction and returns its SSZ value. */
export function toValidatedSszTx(tx: Tx): SszTx {
  assertFieldLength("sender", tx.sender, 32);
  for (const field of ["nonce", "maxFeePerGas", "gasLimit"] as const) {
    if (!isU64(tx[field])) throw txError("BAD_FIELD", `${field} outside u64`, { field, value: tx[field].toString() });
  }
  return { ...tx, program: toValidatedSszProgram(tx.program) };
}

/** Checks a signed transaction's fields and returns its SSZ value. */
export function toValidatedSszSignedTx(stx: SignedTx): SszSignedTx {
  assertSignatureFields(stx);
  return { tx: toValidatedSszTx(stx.tx), pubkey: stx.pubkey, signature: stx.signature };
}

/** Checks the lengths of a signed transaction's pubkey and signature (`toValidatedSszSignedTx`'s first checks). */
export function assertSignatureFields(stx: SignedTx): void {
  assertFieldLength("pubkey", stx.pubkey, 32);
  assertFieldLength("signature", stx.signature, 64);
}

function assertFieldLength(field: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw txError("BAD_FIELD", `${field} must be ${length} bytes`, { field, length: bytes.length });
}

function assertMaxSize(bytes: Uint8Array, max: number): void {
  if (bytes.length > max) throw programError("PROGRAM_TOO_LARGE", "input too large", { size: bytes.length, max });
}

/** Decodes each step frame, then validates the whole program. */
function decodeStepFrames(frames: readonly Uint8Array[]): Program {
  if (frames.length === 0) throw programError("EMPTY_PROGRAM", "a program has at least one step");
  const program = { steps: frames.map(decodeStep) };
  validateProgram(program);
  return program;
}

function decodeStep(frame: Uint8Array, index: number): Step {
  const ssz = deserializeOrThrow(() => StepDecodeType.deserialize(frame), index);
  if (!bytesEqual(StepDecodeType.serialize(ssz), frame)) {
    throw programError("NON_CANONICAL", "step does not re-encode to its bytes", { step: index });
  }
  return fromSszStep(ssz, index);
}

/**
 * Runs an SSZ deserializer; its own typed errors get the step index, anything else it throws
 * (offset errors, out-of-range reads) becomes `MALFORMED`.
 */
function deserializeOrThrow<T>(deserialize: () => T, step?: number): T {
  const at = step === undefined ? {} : { step };
  try {
    return deserialize();
  } catch (e) {
    if (isXshardError(e)) throw new XshardError(e.code, e.message, { ...at, ...e.data }, { cause: e });
    throw programError("MALFORMED", "not a valid SSZ encoding", { ...at, reason: e instanceof Error ? e.message : String(e) });
  }
}
