/**
 * The `xshard` command line: a thin shell over the library (runner, workloads, protocols, report).
 * User mistakes print one readable line and exit non-zero; no stack traces.
 */
import { resolve } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { isXshardError, XshardError } from "../errors.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../runner.js";
import { handOverSubmissions, listWorkloads } from "../workloads/index.js";
import { listProtocols } from "../registry.js";
import { formatComparisonTable } from "../report/table.js";
import { toFlagName } from "../workloads/common.js";
import { addRunOptions, parseIndexList, runConfigFromFlags } from "./options.js";
import { checkIndicesExist, loadWorkloadThreaded, parseThreadsFlag } from "./workload.js";
import { writeOutFile } from "./output.js";
import { createProgress } from "./progress.js";
import { addCompareCommand } from "./compare.js";
import { addSweepCommands } from "./sweep.js";
import { addSendCommand } from "./send.js";
import { addStatusCommand } from "./status.js";
import { addStateCommand } from "./state.js";
import { addNodeCommand } from "./node.js";
import { addDevnetCommand } from "./devnet.js";
import { GENESIS_FILE_NAME, addVerifyCommand, computeRunAnchor, describeAnchor, formatGenesisFile } from "./verify.js";

/** `name: value` lines for a protocol's own figures (arrays shortened). */
export function formatProtocolFigures(figures: Record<string, number | number[] | null>): string {
  const names = Object.keys(figures);
  const width = Math.max(0, ...names.map((n) => n.length));
  return names
    .map((n) => {
      const v = figures[n];
      const text = Array.isArray(v) ? `[${v.slice(0, 8).join(", ")}${v.length > 8 ? ", …" : ""}]` : v === null ? "—" : String(v);
      return `  ${n.padEnd(width)}  ${text}`;
    })
    .join("\n");
}

const ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** One line for the terminal: newlines and other control characters (copied from files, inputs or libraries) shown escaped. */
export function toOneLine(text: string): string {
  return text.trim().replace(/[\u0000-\u001f\u007f]/g, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Commander's own errors ("error: unknown option '--x'\n(Did you mean --y?)") as one `xshard:` line. */
function formatCommanderError(text: string): string {
  return `xshard: ${toOneLine(text.replace(/^error:\s*/, "").replace(/\s*\n\s*/g, " "))}\n`;
}

export function buildProgram(): Command {
  const program = new Command("xshard")
    .description("cross-shard transaction protocols, side by side on one deterministic simulator")
    .showHelpAfterError(false)
    .configureOutput({ outputError: (s, write) => write(formatCommanderError(s)) })
    .exitOverride();

  addRunOptions(
    program
      .command("run")
      .description("run one protocol on a workload or scenario; writes DIR/results.json")
      .option("--protocol <name>", "protocol (see `xshard protocols`)", "delayed")
      .option("--out <dir>", "output directory", "xshard-out")
      .option("--prove <indices>", "delayed: also write light-client proofs of these transactions (comma-separated)")
      .option("--threads <n>", "threads of the run: N-1 workers sign and verify the transactions' Ed25519 signatures beside the simulation (default: cores; 1 = this thread alone); results are the same bytes")
      .addOption(new Option("--threads-min-txs <n>", "fewest transactions for which the signature threads start").hideHelp()),
  ).action(async (o: Record<string, unknown>) => {
    const config = resolveRunConfig(runConfigFromFlags(o, String(o.protocol)));
    const threads = parseThreadsFlag(o.threads);
    const prove = o.prove === undefined ? [] : parseIndexList("prove", o.prove);
    const files = ["results.json", ...(prove.length > 0 ? [GENESIS_FILE_NAME] : []), ...prove.map((i) => `proof-${i}.json`)];
    const loaded = await loadWorkloadThreaded(o, config.seed, { configs: [config], out: { dir: String(o.out), files } }, threads);
    if (loaded.threads > 0) process.stderr.write(`xshard: run: transactions signed and verified on ${loaded.threads} worker thread(s)\n`);
    const workload = loaded.workload;
    const dir = resolve(String(o.out));
    checkIndicesExist(workload, prove, "prove");
    if (prove.length > 0 && !config.signatures) throw new XshardError("BAD_PARAM", "--prove needs signatures on (a proof is checked with real BLS signatures)");
    const progress = createProgress(config.protocol);
    let out: ReturnType<typeof runProtocol>;
    try {
      // The one run of this workload takes its submissions over (the two-stage chain frees each transaction once sequenced).
      out = runProtocol(config, handOverSubmissions(workload), (s, last) => progress.update(s + 1, last + 1));
    } finally {
      await loaded.close();
    }
    progress.stop();
    const path = writeOutFile(dir, "results.json", stringifyResults(out.results));
    console.log(formatComparisonTable([out.results]));
    console.log(formatProtocolFigures(out.results.summary.protocol));
    console.log(`results: ${path}`);
    if (prove.length > 0) {
      const anchor = computeRunAnchor(config, workload);
      console.log(`trust anchor (${describeAnchor(anchor)}): ${writeOutFile(dir, GENESIS_FILE_NAME, formatGenesisFile(anchor))}`);
    }
    for (const i of prove) {
      const proof = out.proveTx?.(i);
      if (proof === undefined) throw new XshardError("NO_PROOF", `no light-client proof for transaction ${i} (not final, or the protocol has none); results were written to ${path}`, { index: i });
      console.log(`proof of transaction ${i}: ${writeOutFile(dir, `proof-${i}.json`, JSON.stringify(proof, null, 2) + "\n")}`);
    }
  });

  addVerifyCommand(program);

  program
    .command("workloads")
    .description("list workloads and their parameters")
    .action(() => {
      for (const w of listWorkloads()) {
        console.log(`${w.name}: ${w.description}`);
        for (const p of w.params) {
          const range = p.values ? `; ${p.values.join("|")}` : p.min !== undefined || p.max !== undefined ? `; ${p.min ?? "…"}..${p.max ?? "…"}` : "";
          console.log(`  ${toFlagName(p.name)} (${p.kind}, default ${p.default}${range}): ${p.help}`);
        }
      }
    });

  program
    .command("protocols")
    .description("list protocols")
    .action(() => {
      for (const p of listProtocols()) console.log(`${p.name}: ${p.description}`);
    });

  addCompareCommand(program);
  addSweepCommands(program);
  addSendCommand(program);
  addStatusCommand(program);
  addStateCommand(program);
  addNodeCommand(program);
  addDevnetCommand(program);
  return program;
}

/**
 * Runs the CLI; returns the exit code: 0, 2 for a user's mistake (one `xshard:` line on stderr),
 * 1 for a bug (one line too; `XSHARD_DEBUG=1` adds the stack trace).
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isXshardError(e)) {
      process.stderr.write(`xshard: ${toOneLine(e.message)}\n`);
      return 2;
    }
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stderr.write(`xshard: internal error (a bug, please report it): ${toOneLine(message)}\n`);
    if (process.env.XSHARD_DEBUG === "1" && e instanceof Error && e.stack) process.stderr.write(e.stack + "\n");
    return 1;
  }
}
