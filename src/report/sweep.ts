/**
 * The sweep's flat outputs: `sweep.csv` (one row per protocol and point; with several seeds, the
 * mean and 95 % interval of every figure), the seed aggregation behind it, and the rows the
 * sweep report plots. Pure and deterministic: rows come in grid order, figures sorted by name.
 */
import { computeMeanInterval } from "./statistics.js";
import type { SweepInterval, SweepRow } from "./model.js";

function escapeCsv(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * `sweep.csv`: `protocol`, the swept parameters, then every figure (sorted by name). Rows with
 * intervals (several seeds) add `seeds` and give each figure as `<f>.mean`, `<f>.ci95.low`,
 * `<f>.ci95.high`; a missing value is an empty field.
 */
export function toSweepCsv(rows: readonly SweepRow[]): string {
  const paramNames = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  const figureNames = [...new Set(rows.flatMap((r) => Object.keys(r.figures)))].sort();
  const withSeeds = rows.some((r) => r.intervals !== undefined);
  const head = withSeeds
    ? ["protocol", ...paramNames, "seeds", ...figureNames.flatMap((f) => [`${f}.mean`, `${f}.ci95.low`, `${f}.ci95.high`])]
    : ["protocol", ...paramNames, ...figureNames];
  const lines = [head.map(escapeCsv).join(",")];
  for (const r of rows) {
    const cells: unknown[] = [r.protocol, ...paramNames.map((p) => r.params[p])];
    if (withSeeds) {
      cells.push(r.seeds ?? 1);
      for (const f of figureNames) {
        const interval = r.intervals?.[f] ?? null;
        cells.push(r.figures[f], interval?.low, interval?.high);
      }
    } else cells.push(...figureNames.map((f) => r.figures[f]));
    lines.push(cells.map(escapeCsv).join(","));
  }
  return lines.join("\n") + "\n";
}

/**
 * One row per protocol for a parameter combination run under several seeds (`runs[i]`: the rows
 * of seed `i`, in seed order): each figure's mean over the seeds that report it and its 95 %
 * confidence interval (Student t). Protocols in the order of the first seed.
 */
export function computeSeedIntervals(runs: readonly (readonly SweepRow[])[]): SweepRow[] {
  const first = runs[0] ?? [];
  return first.map((head) => {
    const own = runs.map((rows) => rows.find((r) => r.protocol === head.protocol));
    const names = [...new Set(own.flatMap((r) => (r ? Object.keys(r.figures) : [])))];
    const figures: Record<string, number | null> = {};
    const intervals: Record<string, SweepInterval | null> = {};
    for (const name of names) {
      const values = own.map((r) => r?.figures[name]).filter((v): v is number => typeof v === "number");
      const m = computeMeanInterval(values);
      figures[name] = m === null ? null : m.mean;
      intervals[name] = m === null || m.low === null || m.high === null ? null : { low: m.low, high: m.high };
    }
    return { protocol: head.protocol, params: head.params, figures, seeds: runs.length, intervals };
  });
}

/**
 * The report plots each figure against the first swept parameter; with more parameters, each
 * combination of the others becomes its own line ("delayed:strict k=3").
 */
export function toReportRows(rows: readonly SweepRow[], param: string): SweepRow[] {
  return rows.map((r) => {
    const others = Object.entries(r.params).filter(([k]) => k !== param);
    if (others.length === 0) return r;
    return { ...r, protocol: `${r.protocol} ${others.map(([k, v]) => `${k}=${v}`).join(" ")}`, params: { [param]: r.params[param] as number | string } };
  });
}
