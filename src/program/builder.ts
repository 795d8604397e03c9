/**
 * Building programs in code:
 * ```ts
 * const b = new ProgramBuilder();
 * const paid = b.call("tokenA", "transfer", [lit(exchange), u64(100n)]);
 * b.require(paid);
 * const program = b.build();
 * ```
 */
import type { ContractId } from "../types.js";
import type { PureOpName } from "./constants.js";
import type { Arg, LitArg, Program, RefArg, RequireStep, Step } from "./types.js";
import { validateProgram } from "./validate.js";
import { encodeBool, encodeU64 } from "./values.js";

/** A literal argument. */
export function lit(bytes: Uint8Array): LitArg {
  return { kind: "lit", bytes };
}

/** A u64 literal (8 bytes little-endian); throws `BAD_U64` outside u64. */
export function u64(n: bigint | number): LitArg {
  return lit(encodeU64(n));
}

/** A bool literal (one byte). */
export function bool(b: boolean): LitArg {
  return lit(encodeBool(b));
}

/** A UTF-8 string literal. */
export function utf8(s: string): LitArg {
  return lit(new TextEncoder().encode(s));
}

/**
 * References to the first steps and `require`s of them, made once and shared by every program that
 * uses them (programs are never changed after they are made): a generated workload of a million
 * transfers holds each once, not once a transaction.
 */
const SHARED_REFS = 16;
const refs: RefArg[] = [];
const requires: RequireStep[] = [];

/** A reference to the value of step `step`. */
export function ref(step: number): RefArg {
  if (Number.isInteger(step) && step >= 0 && step < SHARED_REFS) return (refs[step] ??= { kind: "ref", step });
  return { kind: "ref", step };
}

/** Appends steps; each method returns a reference to the step it added. */
export class ProgramBuilder {
  private readonly steps: Step[] = [];

  /** Appends `call(contract, method, args)`. */
  call(contract: ContractId, method: string, args: readonly Arg[] = []): RefArg {
    return this.push({ kind: "call", contract, method, args: [...args] });
  }

  /**
   * Appends `call(contract, method, args)` keeping `args` itself, not a copy: for argument lists
   * that are never changed, shared by many programs (a generated workload's).
   */
  callShared(contract: ContractId, method: string, args: readonly Arg[]): RefArg {
    return this.push({ kind: "call", contract, method, args });
  }

  /** Appends `pure(op, args)`. */
  pure(op: PureOpName, args: readonly Arg[]): RefArg {
    return this.push({ kind: "pure", op, args: [...args] });
  }

  /** Appends `require(arg)`; its value (the empty byte string) is rarely useful. */
  require(arg: Arg): RefArg {
    const shared = arg.kind === "ref" && refs[arg.step] === arg;
    return this.push(shared ? (requires[arg.step] ??= { kind: "require", arg }) : { kind: "require", arg });
  }

  /** The validated program (throws the first rule it breaks). */
  build(): Program {
    const program = { steps: [...this.steps] };
    validateProgram(program);
    return program;
  }

  private push(step: Step): RefArg {
    this.steps.push(step);
    return ref(this.steps.length - 1);
  }
}
