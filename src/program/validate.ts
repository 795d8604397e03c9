/**
 * Static validation of programs: every rule of docs/programs.md "Limits" and "Well-formedness".
 * Decoders, `encodeProgram`, `programFromJson` and `ProgramBuilder.build` all run it.
 */
import {
  CONTRACT_ID_PATTERN,
  MAX_ARG_BYTES,
  MAX_ARGS,
  MAX_CONTRACT_ID_BYTES,
  MAX_METHOD_BYTES,
  MAX_PROGRAM_BYTES,
  MAX_STEPS,
  METHOD_PATTERN,
  PURE_OP_ARITY,
  PURE_OPS,
  type PureOpName,
} from "./constants.js";
import { programError } from "./errors.js";
import { ProgramType, type SszProgram, toSszProgram } from "./ssz.js";
import type { Arg, Program, Step } from "./types.js";

/** Throws the first rule the program breaks (see `ProgramErrorCode`); returns nothing if valid. */
export function validateProgram(p: Program): void {
  toValidatedSszProgram(p);
}

/** Validates the program and returns its SSZ value (the encoders' entry point). */
export function toValidatedSszProgram(p: Program): SszProgram {
  if (p.steps.length === 0) throw programError("EMPTY_PROGRAM", "a program has at least one step");
  if (p.steps.length > MAX_STEPS) {
    throw programError("TOO_MANY_STEPS", "too many steps", { steps: p.steps.length, max: MAX_STEPS });
  }
  p.steps.forEach(validateStep);
  const ssz = toSszProgram(p);
  const size = ProgramType.value_serializedSize(ssz);
  if (size > MAX_PROGRAM_BYTES) {
    throw programError("PROGRAM_TOO_LARGE", "encoded program too large", { size, max: MAX_PROGRAM_BYTES });
  }
  return ssz;
}

/** True if `id` is a syntactically valid contract id. */
export function isValidContractId(id: string): boolean {
  return id.length <= MAX_CONTRACT_ID_BYTES && CONTRACT_ID_PATTERN.test(id);
}

/** True if `method` is a syntactically valid method name. */
export function isValidMethod(method: string): boolean {
  return method.length <= MAX_METHOD_BYTES && METHOD_PATTERN.test(method);
}

/** True if `op` names a pure op. */
export function isPureOpName(op: string): op is PureOpName {
  return (PURE_OPS as readonly string[]).includes(op);
}

function validateStep(step: Step, index: number): void {
  switch (step.kind) {
    case "call":
      if (!isValidContractId(step.contract)) {
        throw programError("BAD_NAME", "bad contract id", { step: index, name: step.contract });
      }
      if (!isValidMethod(step.method)) throw programError("BAD_NAME", "bad method name", { step: index, name: step.method });
      validateArgs(step.args, index);
      return;
    case "pure":
      if (!isPureOpName(step.op)) throw programError("UNKNOWN_OP", "unknown pure op", { step: index, op: step.op });
      validateArgs(step.args, index);
      validateArity(step.op, step.args.length, index);
      return;
    case "require":
      validateArg(step.arg, index);
      return;
  }
}

function validateArgs(args: readonly Arg[], index: number): void {
  if (args.length > MAX_ARGS) {
    throw programError("TOO_MANY_ARGS", "too many arguments", { step: index, args: args.length, max: MAX_ARGS });
  }
  for (const arg of args) validateArg(arg, index);
}

function validateArg(arg: Arg, index: number): void {
  if (arg.kind === "lit") {
    if (arg.bytes.length > MAX_ARG_BYTES) {
      throw programError("ARG_TOO_LARGE", "literal too large", { step: index, size: arg.bytes.length, max: MAX_ARG_BYTES });
    }
  } else if (!(Number.isInteger(arg.step) && arg.step >= 0 && arg.step < index)) {
    throw programError("REF_NOT_EARLIER", "a reference must name an earlier step", { step: index, ref: arg.step });
  }
}

/** Throws `BAD_ARITY` unless `op` accepts `got` arguments. */
export function validateArity(op: PureOpName, got: number, step?: number): void {
  const { min, max } = PURE_OP_ARITY[op];
  if (got < min || got > max) {
    const want = min === max ? min : `${min}..${max}`;
    throw programError("BAD_ARITY", "wrong number of arguments", { ...(step === undefined ? {} : { step }), op, got, want });
  }
}
