/**
 * Error bars: the mean of a figure over several seeds and its 95 % confidence interval from
 * Student's t distribution (two-sided, n − 1 degrees of freedom). Pure and deterministic: the
 * values are summed in the order given (the order of the seeds).
 */
import { createRequire } from "node:module";
import type TQuantile from "@stdlib/stats-base-dists-t-quantile";

/** Loaded on first use: the package is many small modules (≈0.3 s), and most runs need no interval. */
let tQuantile: typeof TQuantile | undefined;

/** Mean of `n` runs and the 95 % confidence interval `[low, high]` around it. */
export interface MeanInterval {
  readonly mean: number;
  /** `null` when there are fewer than two values (no spread known). */
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
}

/** Confidence level of every interval xshard reports. */
export const CONFIDENCE = 0.95;

/** The t quantile that multiplies the standard error (`t(0.975, n − 1)` for 95 %). */
export function computeTMultiplier(n: number): number {
  tQuantile ??= createRequire(import.meta.url)("@stdlib/stats-base-dists-t-quantile") as typeof TQuantile;
  return tQuantile(1 - (1 - CONFIDENCE) / 2, n - 1);
}

/**
 * Mean and 95 % interval of the values (runs without a value left out by the caller); `null`
 * for no values. One value has a mean but no interval.
 */
export function computeMeanInterval(values: readonly number[]): MeanInterval | null {
  const n = values.length;
  if (n === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, low: null, high: null, n };
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  const half = computeTMultiplier(n) * Math.sqrt(squares / (n - 1) / n);
  return { mean, low: mean - half, high: mean + half, n };
}
