/**
 * `xshard compare`: the same transactions under every protocol (and, with `--seeds`, under
 * several seeds, with error bars).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_RUN_CONFIG, resolveRunConfig, runProtocol, stringifyResults } from "../runner.js";
import { computeSeedSummary, formatSeedTable, toSeedSummaryCsv, type SeedSummary } from "../report/seeds.js";
import { formatComparisonTable, toSummaryCsv } from "../report/table.js";
import { renderComparisonReport } from "../report/html.js";
import type { ResultsFile } from "../results/schema.js";
import { addRunOptions, runConfigFromFlags } from "./options.js";
import { createProgress } from "./progress.js";
import { loadWorkload } from "./workload.js";
import { assertWritableOut } from "./output.js";
import { fileNameOf, getRawArgs, parseProtocolList } from "./common.js";
import { parseSeeds } from "./sweepGrid.js";
import { readResultsFile } from "./resultsFile.js";
import { XshardError } from "../errors.js";


export interface CompareOutput {
  /** Results of the (first) seed, one per protocol. */
  readonly results: ResultsFile[];
  readonly dir: string;
  /** With `--seeds`: every figure's mean and 95 % interval over the seeds. */
  readonly seedSummary?: SeedSummary;
}

/**
 * Generates the workload of a seed once and runs it under each protocol; writes DIR/<protocol>.json
 * and DIR/summary.csv (and checks `outFiles` in DIR before generating, when given).
 */
function runSeed(o: Record<string, unknown>, protocols: readonly string[], seed: string, dir: string, outFiles?: string[], extra: readonly ResultsFile[] = []): { results: ResultsFile[]; workload: string } {
  const flags = { ...o, seed };
  const configs = protocols.map((p) => resolveRunConfig(runConfigFromFlags(flags, p)));
  const workload = loadWorkload(flags, seed, outFiles === undefined ? { configs } : { configs, out: { dir, files: outFiles } });
  mkdirSync(dir, { recursive: true });
  const results: ResultsFile[] = [];
  for (const config of configs) {
    const progress = createProgress(config.protocol);
    const out = runProtocol(config, workload, (s, last) => progress.update(s + 1, last + 1));
    progress.stop();
    writeFileSync(join(dir, fileNameOf(config.protocol)), stringifyResults(out.results));
    results.push(out.results);
  }
  results.push(...extra);
  writeFileSync(join(dir, "summary.csv"), toSummaryCsv(results));
  return { results, workload: workload.name };
}

/**
 * Runs the comparison and writes every file; returns the results. With `--seeds`, each seed's
 * files go to DIR/seeds/<seed>/, and DIR/summary.csv and the report give each figure's mean and
 * 95 % confidence interval over the seeds.
 */
export async function runCompare(o: Record<string, unknown>, argv: readonly string[]): Promise<CompareOutput> {
  const protocols = parseProtocolList(o.protocols);
  const seeds = parseSeeds(o.seeds, String(o.seed ?? DEFAULT_RUN_CONFIG.seed));
  const dir = resolve(String(o.out));
  const generatedBy = ["xshard", ...argv].join(" ");
  const files = protocols.map(fileNameOf);
  const extra = readExtraResults(o.with, protocols, o.seeds !== undefined);
  if (o.seeds === undefined) {
    // The out check names the path as given (an empty one is refused, not resolved to the cwd).
    const { results, workload } = runSeed(o, protocols, seeds[0] as string, String(o.out), [...files, "summary.csv", "report.html"], extra);
    writeFileSync(join(dir, "report.html"), await renderComparisonReport({ title: `xshard compare — ${workload}`, results, generatedBy }));
    return { results, dir };
  }
  assertWritableOut(String(o.out), ["summary.csv", "report.html"]);
  const runs = seeds.map((seed) => runSeed(o, protocols, seed, join(dir, "seeds", seed), [...files, "summary.csv"]));
  const seedSummary = computeSeedSummary(seeds, runs.map((r) => r.results));
  writeFileSync(join(dir, "summary.csv"), toSeedSummaryCsv(seedSummary));
  const first = runs[0] as { results: ResultsFile[]; workload: string };
  const title = `xshard compare — ${first.workload} × ${seeds.length} seeds`;
  writeFileSync(join(dir, "report.html"), await renderComparisonReport({ title, results: first.results, generatedBy, seedSummary }));
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
      .option("--out <dir>", "output directory", "xshard-report"),
  ).action(async (o: Record<string, unknown>, cmd: Command) => {
    const { results, dir, seedSummary } = await runCompare(o, ["compare", ...cmd.args, ...getRawArgs(cmd)]);
    console.log(seedSummary ? formatSeedTable(seedSummary) : formatComparisonTable(results));
    console.log(`report: ${join(dir, "report.html")}`);
  });
}
