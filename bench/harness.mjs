/**
 * A tiny benchmark harness: a case is `{name, title, unit, opsPerRun, baselines?, setup, run, describe?}`.
 *
 * For each case: `setup()` once (not timed); warm-up by calling `run(ctx)` until `warmupMs` have
 * passed (at least once); pick `k` runs per sample so that a sample lasts about `sampleMs`; then
 * take `reps` samples of `k` runs each. A sample's rate is `k * opsPerRun / seconds`; a case's
 * figure is the median rate over its samples. A case that names a `baseline` gets the ratio of its
 * median to the baseline's median, both measured in the same process. Everything runs on the main
 * thread, one case after the other: one core.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";

/**
 * @typedef {object} BenchCase
 * @property {string} name       stable id, e.g. "evm.erc20-transfer"
 * @property {string} title      one-line description for the table
 * @property {string} unit       what one operation is, plural ("transfers", "proofs")
 * @property {number} opsPerRun  operations performed by one `run(ctx)`
 * @property {string[]} [baselines] names of the cases this one is compared with (ratio = this / that)
 * @property {() => unknown | Promise<unknown>} setup            builds the context (not timed)
 * @property {(ctx: any) => void | Promise<void>} run           the timed work
 * @property {(ctx: any) => Record<string, unknown> | Promise<Record<string, unknown>>} [describe]
 *   facts about the finished case (state root, gas per op, …), checked and reported after timing
 */

/**
 * @typedef {object} HarnessOptions
 * @property {number} reps      samples per case (≥ 5 for the published figures)
 * @property {number} warmupMs  minimum warm-up time per case
 * @property {number} sampleMs  target duration of one sample
 */

/** @type {HarnessOptions} */
export const DEFAULT_OPTIONS = { reps: 7, warmupMs: 1500, sampleMs: 400 };

/** The median of a non-empty list of numbers. */
export function computeMedian(values) {
  if (values.length === 0) throw new Error("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Call `run(ctx)` `times` times and return the elapsed milliseconds. */
async function timeRuns(benchCase, ctx, times) {
  const start = performance.now();
  for (let i = 0; i < times; i++) await benchCase.run(ctx);
  return performance.now() - start;
}

/**
 * Warm up a case until `warmupMs` of the process's CPU time (not wall time: on a busy machine a
 * wall-clock warm-up can end before the JITs have run the code enough) have passed, at least one
 * run; return the mean wall milliseconds of one run observed during the warm-up.
 */
async function warmUp(benchCase, ctx, warmupMs) {
  let runs = 0;
  let elapsed = 0;
  const cpu0 = process.cpuUsage();
  const cpuMs = () => {
    const u = process.cpuUsage(cpu0);
    return (u.user + u.system) / 1000;
  };
  while (runs === 0 || cpuMs() < warmupMs) {
    elapsed += await timeRuns(benchCase, ctx, 1);
    runs++;
  }
  return elapsed / runs;
}

/**
 * Set up, warm up and measure one case.
 * @param {BenchCase} benchCase
 * @param {HarnessOptions} options
 */
export async function measureCase(benchCase, options) {
  const ctx = await benchCase.setup();
  const msPerRun = await warmUp(benchCase, ctx, options.warmupMs);
  const runsPerSample = Math.max(1, Math.round(options.sampleMs / msPerRun));
  const opsPerSample = runsPerSample * benchCase.opsPerRun;
  const samples = [];
  const cpuSamples = [];
  for (let rep = 0; rep < options.reps; rep++) {
    const cpu0 = process.cpuUsage();
    const ms = await timeRuns(benchCase, ctx, runsPerSample);
    const cpu = process.cpuUsage(cpu0);
    samples.push((opsPerSample * 1000) / ms);
    cpuSamples.push((opsPerSample * 1e6) / (cpu.user + cpu.system));
  }
  const details = benchCase.describe === undefined ? {} : await benchCase.describe(ctx);
  return {
    name: benchCase.name,
    title: benchCase.title,
    unit: benchCase.unit,
    baselines: benchCase.baselines ?? [],
    opsPerSample,
    samplesOpsPerSec: samples,
    medianOpsPerSec: computeMedian(samples),
    minOpsPerSec: Math.min(...samples),
    maxOpsPerSec: Math.max(...samples),
    /** The same samples timed by the process's CPU time (all its threads): less sensitive to a busy machine. */
    medianCpuOpsPerSec: computeMedian(cpuSamples),
    details,
  };
}

/**
 * Measure the cases in order. Calls `onResult(result)` after each case (for progress output).
 * @param {BenchCase[]} cases
 * @param {HarnessOptions} options
 */
export async function runCases(cases, options, onResult = () => {}) {
  const results = [];
  for (const benchCase of cases) {
    const result = await measureCase(benchCase, options);
    results.push(result);
    onResult(result);
  }
  return results;
}

/**
 * Ratios of each result to its named baselines, for baselines measured in the same run.
 * @returns {{name: string, baseline: string, ratio: number}[]}
 */
export function computeRatios(results) {
  const byName = new Map(results.map((r) => [r.name, r]));
  const ratios = [];
  for (const r of results) {
    for (const name of r.baselines) {
      const base = byName.get(name);
      if (base !== undefined) ratios.push({ name: r.name, baseline: name, ratio: r.medianOpsPerSec / base.medianOpsPerSec });
    }
  }
  return ratios;
}

/**
 * Whether `goal.name` reached `goal.factor` times `goal.baseline` in this run; `met` is null when
 * either case was not run.
 * @param {{name: string, baseline: string, factor: number}} goal
 */
export function evaluateGoal(results, goal) {
  const found = computeRatios(results).find((r) => r.name === goal.name && r.baseline === goal.baseline);
  return { ...goal, ratio: found?.ratio ?? null, met: found === undefined ? null : found.ratio >= goal.factor };
}

/** The machine the figures were measured on. */
export function getMachineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** Format a rate with thousands separators and no more precision than the noise allows. */
export function formatRate(opsPerSec) {
  const digits = opsPerSec >= 100 ? 0 : opsPerSec >= 10 ? 1 : 2;
  return opsPerSec.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** One line for a finished case: median rate and the spread of the samples. */
export function formatResult(r) {
  const spread = ((r.maxOpsPerSec - r.minOpsPerSec) / r.medianOpsPerSec) * 100;
  return (
    `${r.name.padEnd(30)} ${formatRate(r.medianOpsPerSec).padStart(12)} ${r.unit}/s` +
    `  (median of ${r.samplesOpsPerSec.length}, ${r.opsPerSample} ${r.unit}/sample, spread ${spread.toFixed(1)}%)`
  );
}
