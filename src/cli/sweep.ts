/**
 * `xshard sweep` and `xshard worker`: compare over a grid of parameters (× seeds), one task per
 * grid point, run locally in worker threads (piscina) or on a BullMQ queue served by
 * `xshard worker` processes anywhere. Each point generates its workload from its own seed, so a
 * sweep is reproducible, and its files are the same however and wherever the points ran.
 */
import { availableParallelism } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { XshardError } from "../errors.js";
import type { SweepRow } from "../report/model.js";
import { computeSeedIntervals, toReportRows, toSweepCsv } from "../report/sweep.js";
import { getCodeVersion } from "./codeVersion.js";
import { getRawArgs, parseProtocolList, withoutPlacementArgs } from "./common.js";
import { addRunOptions } from "./options.js";
import { parseQueueUrl } from "./queueConnection.js";
import { computeSweepPoints, describePoint, parseSeeds, parseSweepParam, type SweepPoint } from "./sweepGrid.js";
import { createSweepProgress } from "./sweepProgress.js";
import { createLocalRunner, type PointOutcome } from "./sweepRun.js";
import { computePointRecord, getStoredPoints, processPrunePoints, processWritePoint, type SweepPointRecord } from "./sweepStore.js";
import { checkSweepPoints } from "./workload.js";

export interface SweepOutput {
  /** Rows of `sweep.csv`: one per protocol and parameter combination (means over seeds when several). */
  readonly rows: SweepRow[];
  readonly dir: string;
  readonly points: number;
  /** Points found done in the out dir and not run again. */
  readonly resumed: number;
  /** Distinct threads or queue workers that ran points in this run. */
  readonly workers: number;
}

function parseIntegerFlag(name: string, v: unknown, low: number, high: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < low || n > high) throw new XshardError("BAD_PARAM", `--${name} must be an integer in [${low}, ${high}], got '${String(v)}'`, { name, value: v });
  return n;
}

/** Rows of the sweep in grid order; with several seeds, one row per protocol and combination (mean, interval). */
export function computeSweepRows(records: readonly SweepPointRecord[], seeds: number): SweepRow[] {
  if (seeds === 1) return records.flatMap((r) => r.rows);
  const rows: SweepRow[] = [];
  for (let i = 0; i < records.length; i += seeds) rows.push(...computeSeedIntervals(records.slice(i, i + seeds).map((r) => r.rows)));
  return rows;
}

export async function runSweep(o: Record<string, unknown>, argv: readonly string[]): Promise<SweepOutput> {
  const specs = (o.param as string[] | undefined) ?? [];
  if (specs.length === 0) throw new XshardError("BAD_PARAM", "sweep needs at least one --param name=v1,v2,...");
  const params = specs.map(parseSweepParam);
  const protocols = parseProtocolList(o.protocols);
  checkSweepPoints(o, protocols);
  const seeds = parseSeeds(o.seeds, String(o.seed ?? "1"));
  const target = o.queue !== undefined ? parseQueueUrl(o.queue) : undefined;
  if (target !== undefined && o.workers !== undefined) throw new XshardError("BAD_PARAM", "--workers sets local threads; with --queue, start `xshard worker` processes instead");
  const threads = o.workers !== undefined ? parseIntegerFlag("workers", o.workers, 1, 64) : Math.max(1, availableParallelism());
  const codeVersion = getCodeVersion();
  const points = computeSweepPoints(o, params, protocols, seeds, codeVersion);
  const dir = resolve(String(o.out));
  mkdirSync(dir, { recursive: true });

  const records: (SweepPointRecord | undefined)[] = points.map(() => undefined);
  const stored = getStoredPoints(dir);
  for (const p of points) {
    const old = stored.get(p.id);
    if (old === undefined) continue;
    const { text, record } = computePointRecord(p, codeVersion, old.rows);
    processWritePoint(dir, p.index, text);
    records[p.index] = record;
  }
  const todo = points.filter((p) => records[p.index] === undefined);
  const resumed = points.length - todo.length;
  const failures: { point: SweepPoint; outcome: PointOutcome }[] = [];
  const workers = new Set<string>();
  const progress = createSweepProgress(points.length, resumed);
  // BullMQ and ioredis are loaded only when a queue is used (they cost start-up time otherwise).
  const runner = target !== undefined ? (await import("./sweepQueue.js")).createQueueRunner(target, codeVersion) : createLocalRunner(threads);
  try {
    await runner.run(
      todo,
      (point, outcome) => {
        workers.add(outcome.worker);
        if (outcome.error) return void failures.push({ point, outcome });
        const { text, record } = computePointRecord(point, codeVersion, outcome.rows);
        processWritePoint(dir, point.index, text);
        records[point.index] = record;
      },
      (c) => progress.update({ ...c, done: c.done + resumed }),
    );
  } finally {
    progress.stop();
  }
  if (failures.length > 0) {
    failures.sort((a, b) => a.point.index - b.point.index);
    const { point, outcome } = failures[0] as { point: SweepPoint; outcome: PointOutcome };
    const error = outcome.error as NonNullable<PointOutcome["error"]>;
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more failed point(s); the first is point ${point.index}: ${describePoint(point)})` : "";
    throw new XshardError(error.code, error.message + more, { ...error.data, index: point.index });
  }
  processPrunePoints(dir, points.length);
  const rows = computeSweepRows(records as SweepPointRecord[], seeds.length);
  writeFileSync(join(dir, "sweep.csv"), toSweepCsv(rows));
  const param = (params[0] as [string, unknown])[0];
  const names = params.map((p) => p[0]).join(" × ");
  writeFileSync(
    join(dir, "report.html"),
    // The HTML report (vega) loads only when a report is written, so other commands start quickly.
    await (await import("../report/html.js")).renderSweepReport({
      title: `xshard sweep — ${names}${seeds.length > 1 ? ` × ${seeds.length} seeds` : ""}`,
      param,
      rows: toReportRows(rows, param),
      generatedBy: ["xshard", ...withoutPlacementArgs(argv)].join(" "),
    }),
  );
  return { rows, dir, points: points.length, resumed, workers: workers.size };
}

export function addSweepCommands(program: Command): void {
  addRunOptions(
    program
      .command("sweep")
      .description("run compare over a grid of parameters (and seeds), in worker threads or on a queue; writes sweep.csv, points/, report.html")
      .option("--param <name=v1,v2,...>", "a swept parameter (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option("--protocols <list>", "comma-separated protocols (default: all)")
      .option("--seeds <n|list>", "run every point under N seeds counting up from --seed, or under the listed seeds; figures become mean and 95% interval")
      .option("--workers <n>", "local worker threads (default: cores)")
      .option("--queue <url>", "put the points on the BullMQ queue at redis://HOST:PORT/N and collect results from `xshard worker` processes")
      .option("--out <dir>", "output directory", "xshard-sweep"),
  ).action(async (o: Record<string, unknown>, cmd: Command) => {
    const out = await runSweep(o, ["sweep", ...getRawArgs(cmd)]);
    const ran = out.points - out.resumed;
    const where = o.queue !== undefined ? `by ${out.workers} queue worker(s)` : `in ${out.workers} worker thread(s)`;
    const protocols = out.rows.length > 0 ? new Set(out.rows.map((r) => r.protocol)).size : 0;
    console.log(`${out.points} points × ${protocols} protocols${ran > 0 ? ` ${where}` : ""}${out.resumed > 0 ? ` (${out.resumed} already done, not run again)` : ""}`);
    console.log(`sweep: ${join(out.dir, "sweep.csv")}\nreport: ${join(out.dir, "report.html")}`);
  });

  program
    .command("worker")
    .description("run sweep points from a BullMQ queue (start any number, on any machine that reaches the Redis)")
    .requiredOption("--queue <url>", "the queue's Redis: redis://HOST:PORT/N")
    .option("--concurrency <n>", "points run at once, one worker thread each", "1")
    .option("--idle <seconds>", "exit after the queue has had nothing waiting or running this long", "10")
    .option("--keep-waiting", "never exit on an empty queue; wait for the next sweep (stop with Ctrl-C)")
    .addOption(new Option("--lock-ms <ms>", "job lock in ms: a killed worker's point is taken again within about 2× this").default("30000"))
    .action(async (o: Record<string, unknown>) => {
      const target = parseQueueUrl(o.queue);
      const { runQueueWorker } = await import("./queueWorker.js");
      const summary = await runQueueWorker(
        target,
        {
          concurrency: parseIntegerFlag("concurrency", o.concurrency, 1, 64),
          idleSeconds: parseIntegerFlag("idle", o.idle, 0, 86_400),
          keepWaiting: o.keepWaiting === true,
          lockMs: parseIntegerFlag("lock-ms", o.lockMs, 1000, 3_600_000),
        },
        (line) => process.stderr.write(line + "\n"),
      );
      console.log(`worker ${summary.name}: ${summary.points} point(s) run, stopped`);
    });
}
