/**
 * `xshard compare` and `xshard sweep`: the same transactions under every protocol.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { XshardError } from "../errors.js";
import { listProtocols } from "../registry.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../runner.js";
import { formatComparisonTable, toSummaryCsv } from "../report/table.js";
import { renderComparisonReport } from "../report/html.js";
import type { ResultsFile } from "../results/schema.js";
import { addRunOptions, runConfigFromFlags } from "./options.js";
import { createProgress } from "./progress.js";
import { loadWorkload } from "./workload.js";
import { runSweep } from "./sweep.js";

/** Protocol names from `--protocols a,b,c` (default: every registered protocol not marked `inCompare: false`). */
export function parseProtocolList(text: unknown): string[] {
  const all = listProtocols().map((p) => p.name);
  if (text === undefined) return listProtocols().filter((p) => p.inCompare !== false).map((p) => p.name);
  const names = String(text).split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new XshardError("BAD_PARAM", "--protocols is empty");
  for (const n of names) if (!all.includes(n)) throw new XshardError("UNKNOWN_PROTOCOL", `unknown protocol '${n}' (known: ${all.join(", ")})`, { name: n });
  return names;
}

export function fileNameOf(protocol: string): string {
  return protocol.replace(/[^A-Za-z0-9_.-]/g, "-") + ".json";
}

export interface CompareOutput {
  readonly results: ResultsFile[];
  readonly dir: string;
}

/** Generates the workload once and runs it under each protocol; writes every file; returns the results. */
export async function runCompare(o: Record<string, unknown>, argv: readonly string[]): Promise<CompareOutput> {
  const protocols = parseProtocolList(o.protocols);
  const configs = protocols.map((p) => resolveRunConfig(runConfigFromFlags(o, p)));
  const seed = (configs[0] as { seed: string }).seed;
  const workload = loadWorkload(o, seed, { configs, out: { dir: String(o.out), files: [...configs.map((c) => fileNameOf(c.protocol)), "summary.csv", "report.html"] } });
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

export function addCompareCommands(program: Command): void {
  addRunOptions(
    program
      .command("compare")
      .description("run the same transactions under several protocols; writes DIR/<protocol>.json, summary.csv, report.html")
      .option("--protocols <list>", "comma-separated protocols (default: all)")
      .option("--out <dir>", "output directory", "xshard-report"),
  ).action(async (o: Record<string, unknown>, cmd: Command) => {
    const { results, dir } = await runCompare(o, ["compare", ...cmd.args, ...rawArgs(cmd)]);
    console.log(formatComparisonTable(results));
    console.log(`report: ${join(dir, "report.html")}`);
  });

  addRunOptions(
    program
      .command("sweep")
      .description("run compare over a grid of parameters in worker threads; writes sweep.csv and report.html")
      .option("--param <name=v1,v2,...>", "a swept parameter (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option("--protocols <list>", "comma-separated protocols (default: all)")
      .option("--workers <n>", "worker threads (default: cores)")
      .option("--out <dir>", "output directory", "xshard-sweep"),
  ).action(async (o: Record<string, unknown>, cmd: Command) => {
    await runSweep(o, ["sweep", ...rawArgs(cmd)]);
  });
}

function rawArgs(cmd: Command): string[] {
  const parent = cmd.parent;
  const argv = parent ? (parent as unknown as { rawArgs: string[] }).rawArgs : [];
  const i = argv.indexOf(cmd.name());
  return i >= 0 ? argv.slice(i + 1) : [];
}
