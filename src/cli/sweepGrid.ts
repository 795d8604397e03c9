/**
 * The grid of a sweep: swept parameters × seeds, as points that carry everything a worker needs
 * (flags, protocols, seed) and a deterministic id — the hash of that configuration and the code
 * version — so that a point already done (in the out dir or on the queue) is not run again.
 */
import { createHash } from "node:crypto";
import { XshardError } from "../errors.js";
import { toOptionKey } from "./options.js";

/** One grid point as a worker thread or queue worker receives it. */
export interface SweepTask {
  /** Flags of the run (commander keys), swept values and the seed filled in. */
  readonly options: Record<string, unknown>;
  readonly protocols: readonly string[];
  /** The swept parameters of this point (flag names → value), copied into every row. */
  readonly point: Record<string, number | string>;
}

/** A grid point: parameters and seed, its place in the grid, and the task that runs it. */
export interface SweepPoint {
  /** Place in the grid: parameter combinations in `computeGrid` order, seeds inside each. */
  readonly index: number;
  /** Hash of the code version and the task: equal ids give equal results. */
  readonly id: string;
  readonly params: Record<string, number | string>;
  readonly seed: string;
  readonly task: SweepTask;
}

/** Flags of `sweep` that say how or where it runs, not what a point computes. */
const SHELL_KEYS: readonly string[] = ["param", "out", "workers", "queue", "seeds", "protocols"];

/** `name=v1,v2` → [name, values]; names are flag names (`p`, `rate`, `stage2-per-slot`, …). */
export function parseSweepParam(text: string): [string, (number | string)[]] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new XshardError("BAD_PARAM", `--param must look like name=v1,v2,..., got '${text}'`, { text });
  const name = text.slice(0, eq).trim();
  const values = text.slice(eq + 1).split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (values.length === 0) throw new XshardError("BAD_PARAM", `--param ${name} has no values`, { name });
  return [name, values.map((v) => (Number.isFinite(Number(v)) ? Number(v) : v))];
}

/** Cartesian product of the swept parameters, in a fixed order. */
export function computeGrid(params: readonly [string, (number | string)[]][]): Record<string, number | string>[] {
  let grid: Record<string, number | string>[] = [{}];
  for (const [name, values] of params) grid = grid.flatMap((g) => values.map((v) => ({ ...g, [name]: v })));
  return grid;
}

/** Flag name → the key commander uses for it (`stage2-per-slot` → `stage2PerSlot`). */

/**
 * The seeds of `--seeds`: a count N gives N consecutive integer seeds from `--seed` (default 1,
 * so `--seeds 5` is 1..5); a comma list gives exactly those seeds. Absent: the one `--seed`.
 */
export function parseSeeds(text: unknown, seed: string): string[] {
  if (text === undefined) return [seed];
  const s = String(text).trim();
  if (s.includes(",")) {
    const seeds = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
    if (seeds.length === 0) throw new XshardError("BAD_PARAM", "--seeds is empty", { text: s });
    if (new Set(seeds).size !== seeds.length) throw new XshardError("BAD_PARAM", `--seeds lists a seed twice: '${s}'`, { text: s });
    return seeds;
  }
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < 1 || n > 10_000) throw new XshardError("BAD_PARAM", `--seeds must be a count in [1, 10000] or a comma list of seeds, got '${s}'`, { text: s });
  if (!/^\d+$/.test(seed)) throw new XshardError("BAD_PARAM", `--seeds ${s} counts up from --seed, which must then be an integer, got '${seed}' (or list the seeds: --seeds a,b,c)`, { seed });
  const first = BigInt(seed);
  return Array.from({ length: n }, (_, i) => String(first + BigInt(i)));
}

/** JSON with object keys sorted at every level: one text per value. */
export function toCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(toCanonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toCanonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The id of a task under a code version: sha256 of both, hex (a valid BullMQ job id). */
export function computePointId(codeVersion: string, task: SweepTask): string {
  const text = toCanonicalJson({ codeVersion, options: task.options, protocols: task.protocols });
  return createHash("sha256").update(text).digest("hex");
}

/** Every point of the sweep, in grid order: each parameter combination under each seed. */
export function computeSweepPoints(
  o: Record<string, unknown>,
  params: readonly [string, (number | string)[]][],
  protocols: readonly string[],
  seeds: readonly string[],
  codeVersion: string,
): SweepPoint[] {
  const base: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!SHELL_KEYS.includes(k) && v !== undefined) base[k] = v;
  const points: SweepPoint[] = [];
  for (const combination of computeGrid(params)) {
    for (const seed of seeds) {
      const options: Record<string, unknown> = { ...base, seed };
      for (const [k, v] of Object.entries(combination)) options[toOptionKey(k)] = String(v);
      const task: SweepTask = { options, protocols: [...protocols], point: combination };
      points.push({ index: points.length, id: computePointId(codeVersion, task), params: combination, seed, task });
    }
  }
  return points;
}

/** `p=0.5 k=3 seed 2`: a point as a person reads it. */
export function describePoint(point: Pick<SweepPoint, "params" | "seed">): string {
  return [...Object.entries(point.params).map(([k, v]) => `${k}=${v}`), `seed ${point.seed}`].join(" ");
}
