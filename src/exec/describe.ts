/**
 * Human-readable reasons for aborted (or partial) transactions, the same in every protocol:
 * "require failed at step 3: exchange.swap reverted: amount out is zero". The cause is the first
 * failed call that the failing `require`'s argument depends on (following references back through
 * the Nothing values), or "false" when the argument was a false value.
 */
import type { Program, StepFailure } from "../program/index.js";
import type { MaybeValue } from "../types.js";

export function describeAbort(program: Program, at: number, values: readonly MaybeValue[], failures: readonly StepFailure[]): string {
  const step = program.steps[at];
  if (!step || step.kind !== "require") return `aborted at step ${at}`;
  if (step.arg.kind !== "ref") return `require failed at step ${at}: literal false`;
  const byStep = new Map(failures.map((f) => [f.step, f]));
  const cause = findRootFailure(program, step.arg.step, values, byStep, new Set());
  if (cause === null) return `require failed at step ${at}: false`;
  const s = program.steps[cause.step];
  const where = s && s.kind === "call" ? `${s.contract}.${s.method}` : `step ${cause.step}`;
  return `require failed at step ${at}: ${where} ${cause.kind}${cause.message ? `: ${cause.message}` : ""}`;
}

function findRootFailure(program: Program, i: number, values: readonly MaybeValue[], failures: Map<number, StepFailure>, seen: Set<number>): StepFailure | null {
  if (seen.has(i) || values[i] !== null) return null;
  seen.add(i);
  const own = failures.get(i);
  if (own) return own;
  const s = program.steps[i];
  if (!s) return null;
  const args = s.kind === "require" ? [s.arg] : s.args;
  for (const a of args) {
    if (a.kind !== "ref") continue;
    const f = findRootFailure(program, a.step, values, failures, seen);
    if (f) return f;
  }
  if (s.kind === "pure") return { step: i, kind: `${s.op} gave Nothing`, message: "" };
  return null;
}
