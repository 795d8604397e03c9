/**
 * `xshard compare`: the same transactions under every protocol.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { resolveRunConfig, runProtocol, stringifyResults } from "../runner.js";
import { formatComparisonTable, toSummaryCsv } from "../report/table.js";
import { renderComparisonReport } from "../report/html.js";
import type { ResultsFile } from "../results/schema.js";
import { addRunOptions, runConfigFromFlags } from "./options.js";
import { createProgress } from "./progress.js";
import { loadWorkload } from "./workload.js";
import { fileNameOf, getRawArgs, parseProtocolList } from "./common.js";

export { fileNameOf, parseProtocolList } from "./common.js";

export interface CompareOutput {
  readonly results: ResultsFile[];
  readonly dir: string;
}

/** Generates the workload once and runs it under each protocol; writes every file; returns the results. */
export async function runCompare(o: Record<string, unknown>, argv: readonly string[]): Promise<CompareOutput> {
  const protocols = parseProtocolList(o.protocols);
  const configs = protocols.map((p) => resolveRunConfig(runConfigFromFlags(o, p)));
  const seed = (configs[0] as { seed: string }).seed;
  const workload = loadWorkload(o, seed);
  const dir = resolve(String(o.out));
  mkdirSync(dir, { recursive: true });
  const results: ResultsFile[] = [];
  for (const config of configs) {
    const progress = createProgress(config.protocol);
    const out = runProtocol(config, workload, (s, last) => progress.update(s + 1, last + 1));
    progress.stop();
    writeFileSync(join(dir, fileNameOf(config.protocol)), stringifyResults(out.results));
    results.push(out.results);
  }
  writeFileSync(join(dir, "summary.csv"), toSummaryCsv(results));
  const title = `xshard compare — ${workload.name}`;
  writeFileSync(join(dir, "report.html"), await renderComparisonReport({ title, results, generatedBy: ["xshard", ...argv].join(" ") }));
  return { results, dir };
}

export function addCompareCommand(program: Command): void {
  addRunOptions(
    program
      .command("compare")
      .description("run the same transactions under several protocols; writes DIR/<protocol>.json, summary.csv, report.html")
      .option("--protocols <list>", "comma-separated protocols (default: all)")
      .option("--out <dir>", "output directory", "xshard-report"),
  ).action(async (o: Record<string, unknown>, cmd: Command) => {
    const { results, dir } = await runCompare(o, ["compare", ...cmd.args, ...getRawArgs(cmd)]);
    console.log(formatComparisonTable(results));
    console.log(`report: ${join(dir, "report.html")}`);
  });
}
