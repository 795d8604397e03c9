/**
 * The program interpreter. Pure: it knows nothing of WebAssembly or state; calls go through the
 * caller's `CallHandler`. See docs/programs.md "Evaluation".
 */
import type { ContractId, MaybeValue, Value } from "../types.js";
import { programError } from "./errors.js";
import { evaluatePureOp } from "./ops.js";
import type { Arg, CallStep, Program } from "./types.js";
import { getBool } from "./values.js";

/** What a call handler reports: return bytes, or a failure (trap, revert, out of gas, ...). */
export type CallOutcome =
  | { readonly ok: true; readonly returnData: Uint8Array; readonly gas: bigint }
  | { readonly ok: false; readonly failure: { readonly kind: string; readonly message: string }; readonly gas: bigint };

/** Runs one call step. Must not throw for failures of the call itself: those are outcomes. */
export type CallHandler = (contract: ContractId, method: string, args: Value[], stepIndex: number) => CallOutcome;

export interface EvalOptions {
  /** First step to run (default 0); steps before it take their values from `values`. */
  readonly start?: number;
  /** Values of the steps before `start`, e.g. the `values` of a suspended run. */
  readonly values?: readonly MaybeValue[];
  /**
   * Consulted before each call step that would run (its arguments are not Nothing), including
   * the one at `start`; returning true suspends the run before that step.
   */
  readonly suspendBefore?: (step: CallStep, index: number) => boolean;
}

export interface StepFailure {
  readonly step: number;
  readonly kind: string;
  readonly message: string;
}

export interface ProgramRun {
  readonly status: "committed" | "aborted" | "suspended";
  /** The step that aborted or suspended the run, or `steps.length` when committed. */
  readonly at: number;
  /** `values[i]` is the value of step i (null = Nothing), for every step before `at`. */
  readonly values: MaybeValue[];
  /** Gas reported by the calls made in this run (not earlier segments of a resumed run). */
  readonly gas: bigint;
  /** Calls that failed in this run. */
  readonly failures: StepFailure[];
}

/** The value of a successful `require`: the empty byte string. */
const REQUIRE_OK: Value = { bytes: new Uint8Array(0) };

/**
 * Runs the program from `opts.start` until it commits (runs past its last step), aborts (a
 * `require` sees Nothing or false) or suspends (`opts.suspendBefore`). The program must be valid
 * (decoded, built or checked by `validateProgram`); resume options that do not fit it throw
 * `BAD_RESUME`.
 */
export function evaluateProgram(p: Program, call: CallHandler, opts: EvalOptions = {}): ProgramRun {
  const start = opts.start ?? 0;
  const prior = opts.values ?? [];
  if (!Number.isInteger(start) || start < 0 || start > p.steps.length || prior.length < start) {
    throw programError("BAD_RESUME", "start and values do not fit the program", {
      start,
      values: prior.length,
      steps: p.steps.length,
    });
  }
  const values = prior.slice(0, start);
  let gas = 0n;
  const failures: StepFailure[] = [];
  const finish = (status: ProgramRun["status"], at: number): ProgramRun => ({ status, at, values, gas, failures });

  for (const [offset, step] of p.steps.slice(start).entries()) {
    const i = start + offset;
    if (step.kind === "require") {
      if (!isRequireSatisfied(getArgValue(step.arg, values))) return finish("aborted", i);
      values.push(REQUIRE_OK);
      continue;
    }
    const args = getArgValues(step.args, values);
    if (args === null) {
      values.push(null);
    } else if (step.kind === "pure") {
      values.push(evaluatePureOp(step.op, args));
    } else {
      if (opts.suspendBefore?.(step, i) === true) return finish("suspended", i);
      const outcome = call(step.contract, step.method, args, i);
      gas += outcome.gas;
      if (outcome.ok) {
        values.push({ bytes: outcome.returnData, origin: { contract: step.contract, method: step.method } });
      } else {
        values.push(null);
        failures.push({ step: i, kind: outcome.failure.kind, message: outcome.failure.message });
      }
    }
  }
  return finish("committed", p.steps.length);
}

/** A require passes unless its value is Nothing or false (exactly one byte 0x00). */
function isRequireSatisfied(v: MaybeValue): boolean {
  return v !== null && getBool(v.bytes) !== false;
}

/** The arguments' values, or null if any of them is Nothing. */
function getArgValues(args: readonly Arg[], values: readonly MaybeValue[]): Value[] | null {
  const out: Value[] = [];
  for (const arg of args) {
    const v = getArgValue(arg, values);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

function getArgValue(arg: Arg, values: readonly MaybeValue[]): MaybeValue {
  if (arg.kind === "lit") return { bytes: arg.bytes };
  const v = values[arg.step];
  if (v === undefined) {
    throw programError("REF_NOT_EARLIER", "a reference must name an earlier step", { step: values.length, ref: arg.step });
  }
  return v;
}
