/**
 * `xshard compare`: the same transactions under every protocol (and, with `--seeds`, under
 * several seeds, with error bars).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { XshardError } from "../errors.js";
import { parseDecimalInteger } from "../numbers.js";
import { DEFAULT_RUN_CONFIG, resolveRunConfig } from "../runner.js";
import { computeSeedSummary, formatSeedTable, toSeedSummaryCsv, type SeedSummary } from "../report/seeds.js";
import { formatComparisonTable, toSummaryCsv } from "../report/table.js";
import type { ResultsFile } from "../results/schema.js";
import { addRunOptions, runConfigFromFlags } from "./options.js";
import { planRunWorkload } from "./workload.js";
import { assertWritableOut } from "./output.js";
import { checkRunSize } from "./size.js";
import { fileNameOf, getRawArgs, parseProtocolList, withoutPlacementArgs } from "./common.js";
import { canUseWorkers, runCompareSpecs } from "./compareRun.js";
import { parseSeeds } from "./sweepGrid.js";
import { readResultsFile } from "./resultsFile.js";


export interface CompareOutput {
  /** Results of the (first) seed, one per protocol. */
  readonly results: ResultsFile[];
  readonly dir: string;
  /** With `--seeds`: every figure's mean and 95 % interval over the seeds. */
  readonly seedSummary?: SeedSummary;
}

/** What each seed's directory holds. */
interface SeedRun {
  readonly seed: string;
  /** The out directory as given (single seed) or DIR/seeds/<seed>. */
  readonly dir: string;
  readonly results: ResultsFile[];
}

/**
 * Runs every protocol under every seed — in worker threads when more than one thread is asked for
 * (and the compiled worker exists), else here — and writes DIR/<protocol>.json and
 * DIR/summary.csv per seed. Everything that can be refused is checked before any work starts:
 * the configurations, the run size and each output directory.
 */
async function runSeeds(o: Record<string, unknown>, protocols: readonly string[], seeds: readonly string[], dirOf: (seed: string) => string, extraFiles: readonly string[], extra: readonly ResultsFile[] = []): Promise<{ runs: SeedRun[]; workload: string }> {
  let workload = "";
  for (const seed of seeds) {
    const flags = { ...o, seed };
    const configs = protocols.map((p) => resolveRunConfig(runConfigFromFlags(flags, p)));
    const plan = planRunWorkload(flags, seed);
    workload ||= plan.name;
    checkRunSize(plan.size, configs, o.allowLarge === true);
    assertWritableOut(dirOf(seed), [...protocols.map(fileNameOf), "summary.csv", ...extraFiles]);
  }
  const specs = seeds.flatMap((seed) => protocols.map((protocol) => ({ seed, protocol })));
  const threads = chooseThreads(o.workers, specs.length);
  for (const seed of seeds) mkdirSync(dirOf(seed), { recursive: true });
  const workersOnly = o.workersOnly === true;
  const { runs: done, workers, ranHere } = await runCompareSpecs(o, specs, { threads, workersOnly }, (spec, d) => writeFileSync(join(dirOf(spec.seed), fileNameOf(spec.protocol)), d.text));
  if (workers > 0) process.stderr.write(`xshard: compare: ${specs.length} runs on ${threads} threads: ${workersOnly ? "" : `${ranHere} in this one, `}${specs.length - ranHere} in ${workers} worker thread(s)\n`);
  const runs = seeds.map((seed, i) => {
    // `--with` files (single seed only) join the table, summary.csv and report after the simulated protocols.
    const results = [...done.slice(i * protocols.length, (i + 1) * protocols.length).map((d) => d.results), ...extra];
    writeFileSync(join(dirOf(seed), "summary.csv"), toSummaryCsv(results));
    return { seed, dir: dirOf(seed), results };
  });
  return { runs, workload };
}

/**
 * Threads for `compare`: `--workers N` (1 = in this thread; N: this thread and N-1 worker threads),
 * by default one per core, up to the number of runs; always 1 when the compiled worker file is
 * missing (running from the sources).
 */
export function chooseThreads(flag: unknown, runs: number): number {
  const asked = flag === undefined ? availableParallelism() : parseWorkersFlag(flag);
  if (!canUseWorkers()) return 1;
  return Math.max(1, Math.min(asked, runs));
}

function parseWorkersFlag(v: unknown): number {
  const n = parseDecimalInteger(String(v));
  if (n === undefined || n < 1 || n > 64) throw new XshardError("BAD_PARAM", `--workers must be an integer in [1, 64], got '${String(v)}'`, { name: "workers", value: v });
  return n;
}

/**
 * Runs the comparison and writes every file; returns the results. With `--seeds`, each seed's
 * files go to DIR/seeds/<seed>/, and DIR/summary.csv and the report give each figure's mean and
 * 95 % confidence interval over the seeds.
 */
/** The HTML report (vega, vega-lite) loads only when a report is written, so other commands start quickly. */
function loadReport(): Promise<typeof import("../report/html.js")> {
  return import("../report/html.js");
}

export async function runCompare(o: Record<string, unknown>, argv: readonly string[]): Promise<CompareOutput> {
  const protocols = parseProtocolList(o.protocols);
  const seeds = parseSeeds(o.seeds, String(o.seed ?? DEFAULT_RUN_CONFIG.seed));
  if (o.workers !== undefined) parseWorkersFlag(o.workers);
  const dir = resolve(String(o.out));
  // How many threads ran is not part of the result: the report's "generated by" line leaves --workers (and --workers-only) out.
  const generatedBy = ["xshard", ...withoutPlacementArgs(argv, ["--workers"]).filter((a) => a !== "--workers-only")].join(" ");
  const extra = readExtraResults(o.with, protocols, o.seeds !== undefined);
  // Loaded while the runs go on (this thread waits for worker threads at the end): the report is the only step after them.
  const report = loadReport();
  report.catch(() => {});
  if (o.seeds === undefined) {
    // The out check names the path as given (an empty one is refused, not resolved to the cwd).
    const { runs, workload } = await runSeeds(o, protocols, seeds, () => String(o.out), ["report.html"], extra);
    const results = (runs[0] as SeedRun).results;
    writeFileSync(join(dir, "report.html"), await (await report).renderComparisonReport({ title: `xshard compare — ${workload}`, results, generatedBy }));
    return { results, dir };
  }
  assertWritableOut(String(o.out), ["summary.csv", "report.html"]);
  const { runs, workload } = await runSeeds(o, protocols, seeds, (seed) => join(dir, "seeds", seed), []);
  const seedSummary = computeSeedSummary(seeds, runs.map((r) => r.results));
  writeFileSync(join(dir, "summary.csv"), toSeedSummaryCsv(seedSummary));
  const first = runs[0] as SeedRun;
  const title = `xshard compare — ${workload} × ${seeds.length} seeds`;
  writeFileSync(join(dir, "report.html"), await (await report).renderComparisonReport({ title, results: first.results, generatedBy, seedSummary }));
  return { results: first.results, dir, seedSummary };
}

/**
 * `--with FILE…`: results files (a devnet's `send` results, an earlier run) put beside the simulated
 * protocols in the table, summary.csv and the report, read and checked before anything runs. Their
 * protocols must differ from the simulated ones and from each other. Not with `--seeds` (a file is
 * one run, not a figure over seeds).
 */
function readExtraResults(files: unknown, protocols: readonly string[], withSeeds: boolean): ResultsFile[] {
  if (files === undefined) return [];
  const list = files as string[];
  if (withSeeds) throw new XshardError("BAD_PARAM", "--with cannot be combined with --seeds (a results file is one run)");
  const seen = new Set(protocols);
  return list.map((file) => {
    const r = readResultsFile(file, "with");
    if (seen.has(r.protocol)) throw new XshardError("BAD_PARAM", `--with ${file}: protocol ${r.protocol} is already in the comparison`, { file, protocol: r.protocol });
    seen.add(r.protocol);
    return r;
  });
}

export function addCompareCommand(program: Command): void {
  addRunOptions(
    program
      .command("compare")
      .description("run the same transactions under several protocols; writes DIR/<protocol>.json, summary.csv, report.html")
      .option("--protocols <list>", "comma-separated protocols (default: all)")
      .option("--seeds <n|list>", "run under N seeds counting up from --seed, or under the listed seeds; summary.csv and the report give mean and 95% interval")
      .option("--with <files...>", "results files to show beside the simulated protocols (e.g. `xshard send`'s results.json from a devnet)")
      .option("--out <dir>", "output directory", "xshard-report")
      .option("--workers <n>", "threads running protocols at the same time: this one and N-1 worker threads (default: cores; 1 = one after the other in this thread); results are the same bytes")
      .addOption(new Option("--workers-only", "with --workers N: N worker threads run the protocols and this thread only collects (for benchmarks and tests)").hideHelp()),
  ).action(async (o: Record<string, unknown>, cmd: Command) => {
    const { results, dir, seedSummary } = await runCompare(o, ["compare", ...cmd.args, ...getRawArgs(cmd)]);
    console.log(seedSummary ? formatSeedTable(seedSummary) : formatComparisonTable(results));
    console.log(`report: ${join(dir, "report.html")}`);
  });
}
