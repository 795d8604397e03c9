/**
 * The workload of a run, shared by `run`, `compare` and the sweep's worker threads: checked and
 * sized from the flags first (`planRunWorkload`), then — once everything else has been checked —
 * generated, with progress on stderr.
 */
import { XshardError } from "../errors.js";
import { resolveRunConfig } from "../runner.js";
import { loadScenarioPlan } from "../scenario/load.js";
import { getWorkload, planWorkload } from "../workloads/index.js";
import type { GeneratedWorkload, WorkloadPlan } from "../workloads/types.js";
import type { RunConfig } from "../sim/protocol.js";
import { listRunFlagNames, runConfigFromFlags, toOptionKey, workloadParamsFromFlags } from "./options.js";
import { createProgress } from "./progress.js";
import { assertWritableOut } from "./output.js";
import { checkRunSize } from "./size.js";
import { generateWorkloadThreaded, getDefaultThreads, MAX_THREADS, MIN_POOL_TXS, type ThreadedWorkload } from "../runnerThreads.js";
import { parseIntFlag } from "./options.js";

/** The workload named by the flags (generator or scenario file), checked and sized, not generated. */
export function planRunWorkload(o: Record<string, unknown>, seed: string): WorkloadPlan {
  const params = workloadParamsFromFlags(o);
  if (o.scenario !== undefined) {
    if (o.workload !== undefined) throw new XshardError("BAD_PARAM", "give --workload or --scenario, not both");
    return loadScenarioPlan(String(o.scenario), seed, params);
  }
  return planWorkload(getWorkload(String(o.workload ?? "exchange")), params, seed);
}

/** What the CLI checks before it generates a workload and runs it. */
export interface RunChecks {
  /** The runs the workload is for (one for `run`, one per protocol for `compare`). */
  readonly configs: readonly RunConfig[];
  /** The output directory and the files that will be written into it. */
  readonly out?: { readonly dir: string; readonly files: readonly string[] };
}

/**
 * The workload of a run: generated from flags, or loaded from a scenario file. With `checks`
 * (the CLI's commands): the run's memory estimate and the output directory are checked before
 * generation starts, generation shows progress, and traced indices must exist.
 */
export function loadWorkload(o: Record<string, unknown>, seed: string, checks?: RunChecks): GeneratedWorkload {
  const plan = planRunWorkload(o, seed);
  if (checks === undefined) return plan.generate();
  checkPlan(o, plan, checks);
  const progress = createProgress(`generating ${plan.name}`, "accounts+transactions");
  const workload = plan.generate((done, total) => progress.update(done, total));
  progress.stop();
  if (o.trace !== undefined) for (const c of checks.configs) checkIndicesExist(workload, c.trace, "trace");
  return workload;
}

function checkPlan(o: Record<string, unknown>, plan: WorkloadPlan, checks: RunChecks): void {
  checkRunSize(plan.size, checks.configs, o.allowLarge === true);
  if (checks.out) assertWritableOut(checks.out.dir, checks.out.files);
}

/** `--threads N` of `run`: an integer in [1, MAX_THREADS]; by default every core (`os.availableParallelism()`). */
export function parseThreadsFlag(v: unknown): number {
  if (v === undefined) return getDefaultThreads();
  const n = parseIntFlag("threads", v);
  if (n < 1 || n > MAX_THREADS) throw new XshardError("BAD_PARAM", `--threads must be an integer in [1, ${MAX_THREADS}], got '${String(v)}'`, { name: "threads", value: v });
  return n;
}

/**
 * `loadWorkload` with the checks, on `threads` threads: from `MIN_POOL_TXS` transactions (or the
 * hidden `--threads-min-txs`) and 2 threads up, the transactions are signed in a worker pool, which
 * then verifies every signature while the run goes on (src/runnerThreads.ts) — the same workload
 * bytes and the same verdicts. `threads`: how many threads do the signature work (0: this thread
 * alone); call `close()` after the run.
 */
export async function loadWorkloadThreaded(
  o: Record<string, unknown>,
  seed: string,
  checks: RunChecks,
  threads: number,
): Promise<ThreadedWorkload> {
  const minTxs = o.threadsMinTxs === undefined ? MIN_POOL_TXS : parseIntFlag("threads-min-txs", o.threadsMinTxs);
  const plan = planRunWorkload(o, seed);
  checkPlan(o, plan, checks);
  const progress = createProgress(`generating ${plan.name}`, "accounts+transactions");
  const run = await generateWorkloadThreaded(plan, threads, { minTxs, onProgress: (done, total) => progress.update(done, total) });
  progress.stop();
  try {
    if (o.trace !== undefined) for (const c of checks.configs) checkIndicesExist(run.workload, c.trace, "trace");
  } catch (e) {
    await run.close();
    throw e;
  }
  return run;
}
/** Every index names a transaction of the workload. */
export function checkIndicesExist(workload: GeneratedWorkload, indices: readonly number[], flag: string): void {
  const n = workload.submissions.length;
  const bad = indices.find((i) => i >= n);
  if (bad !== undefined) throw new XshardError("BAD_PARAM", `--${flag} ${bad}: the workload has ${n} transactions (indices 0..${n - 1})`, { name: flag, value: bad, transactions: n });
}

/**
 * `sweep`: every swept name is a flag of `run` that takes a value, every value is non-empty, and
 * every grid point is a valid run (configuration, workload parameters, memory estimate) — all
 * checked before a worker starts; then the output directory. The swept values are checked as
 * written (`0x10` is refused, not read as 16).
 */
export function checkSweepPoints(o: Record<string, unknown>, protocols: readonly string[]): void {
  const known = listRunFlagNames();
  const axes = ((o.param as string[] | undefined) ?? []).map((text) => {
    const eq = text.indexOf("=");
    const name = text.slice(0, eq).trim();
    if (!known.includes(name)) {
      throw new XshardError("UNKNOWN_PARAM", `sweep --param '${name}': not a flag of run (sweepable: ${known.join(", ")})`, { name });
    }
    const values = text.slice(eq + 1).split(",").map((v) => v.trim());
    if (values.some((v) => v === "")) throw new XshardError("BAD_PARAM", `sweep --param ${name}: empty value in '${text.slice(eq + 1)}'`, { name });
    return { key: toOptionKey(name), values };
  });
  let points: Record<string, unknown>[] = [{ ...o, param: undefined }];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.key]: v })));
  for (const p of points) {
    const configs = protocols.map((name) => resolveRunConfig(runConfigFromFlags(p, name)));
    checkRunSize(planRunWorkload(p, (configs[0] as RunConfig).seed).size, configs, o.allowLarge === true);
  }
  assertWritableOut(String(o.out), ["sweep.csv", "report.html"]);
}
