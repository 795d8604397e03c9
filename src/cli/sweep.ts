/**
 * `xshard sweep`: compare over a grid of parameters, one grid point per task, in worker threads
 * (piscina). Each point generates its workload from the same seed, so a sweep is reproducible.
 */
import { availableParallelism } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Piscina } from "piscina";
import { XshardError } from "../errors.js";
import { renderSweepReport } from "../report/html.js";
import type { SweepRow } from "../report/model.js";
import { createProgress } from "./progress.js";
import { parseProtocolList } from "./compare.js";
import { checkSweepPoints } from "./workload.js";

export interface SweepTask {
  readonly options: Record<string, unknown>;
  readonly protocols: readonly string[];
  readonly point: Record<string, number | string>;
}

export interface SweepTaskResult {
  readonly rows: SweepRow[];
  readonly threadId: number;
  /** A typed error of this grid point, sent as data (classes do not cross threads). */
  readonly error?: { code: string; message: string; data: Record<string, unknown> };
}

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
export function toOptionKey(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function toCsv(rows: readonly SweepRow[]): string {
  const paramNames = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  const figureNames = [...new Set(rows.flatMap((r) => Object.keys(r.figures)))].sort();
  const esc = (v: unknown): string => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [["protocol", ...paramNames, ...figureNames].join(",")];
  for (const r of rows) lines.push([r.protocol, ...paramNames.map((p) => r.params[p]), ...figureNames.map((f) => r.figures[f])].map(esc).join(","));
  return lines.join("\n") + "\n";
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

export async function runSweep(o: Record<string, unknown>, argv: readonly string[]): Promise<SweepRow[]> {
  const specs = (o.param as string[] | undefined) ?? [];
  if (specs.length === 0) throw new XshardError("BAD_PARAM", "sweep needs at least one --param name=v1,v2,...");
  const params = specs.map(parseSweepParam);
  const protocols = parseProtocolList(o.protocols);
  const grid = computeGrid(params);
  checkSweepPoints(o, protocols);
  const threads = o.workers !== undefined ? Number(o.workers) : Math.max(1, availableParallelism());
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new XshardError("BAD_PARAM", `--workers must be an integer in [1, 64], got '${String(o.workers)}'`);
  const pool = new Piscina({ filename: new URL("./sweepWorker.js", import.meta.url).href, minThreads: Math.min(threads, grid.length), maxThreads: threads });
  const base = { ...o };
  delete base.param;
  const progress = createProgress("sweep", "grid points");
  let done = 0;
  const results = await Promise.all(
    grid.map(async (point) => {
      const options = { ...base };
      for (const [k, v] of Object.entries(point)) options[toOptionKey(k)] = String(v);
      const r = (await pool.run({ options, protocols, point } satisfies SweepTask)) as SweepTaskResult;
      progress.update(++done, grid.length);
      return r;
    }),
  ).finally(async () => {
    progress.stop();
    await pool.destroy();
  });
  const failed = results.find((r) => r.error !== undefined)?.error;
  if (failed) throw new XshardError(failed.code, failed.message, failed.data);
  const rows = results.flatMap((r) => r.rows);
  const dir = resolve(String(o.out));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "sweep.csv"), toCsv(rows));
  const param = (params[0] as [string, unknown])[0];
  writeFileSync(
    join(dir, "report.html"),
    await renderSweepReport({ title: `xshard sweep — ${params.map((p) => p[0]).join(" × ")}`, param, rows: toReportRows(rows, param), generatedBy: ["xshard", ...argv].join(" ") }),
  );
  const threadsUsed = new Set(results.map((r) => r.threadId)).size;
  console.log(`${grid.length} points × ${protocols.length} protocols in ${threadsUsed} worker thread(s)`);
  console.log(`sweep: ${join(dir, "sweep.csv")}\nreport: ${join(dir, "report.html")}`);
  return rows;
}
