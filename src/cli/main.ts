/**
 * The `xshard` command line: a thin shell over the library (runner, workloads, protocols, report).
 * User mistakes print one readable line and exit non-zero; no stack traces.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { isXshardError, XshardError } from "../errors.js";
import { createBlsVerifier } from "../crypto/bls.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../runner.js";
import { listWorkloads } from "../workloads/index.js";
import { listProtocols } from "../registry.js";
import { verifyTxOutcomeProof, type TxOutcomeProof } from "../protocols/delayed/lightclient.js";
import { formatComparisonTable } from "../report/table.js";
import { toHex } from "../crypto/hash.js";
import { addRunOptions, runConfigFromFlags } from "./options.js";
import { loadWorkload } from "./workload.js";
import { createProgress } from "./progress.js";
import { addCompareCommand } from "./compare.js";
import { addSweepCommands } from "./sweep.js";

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

function writeOut(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export function buildProgram(): Command {
  const program = new Command("xshard")
    .description("cross-shard transaction protocols, side by side on one deterministic simulator")
    .showHelpAfterError(false)
    .exitOverride();

  addRunOptions(
    program
      .command("run")
      .description("run one protocol on a workload or scenario; writes DIR/results.json")
      .option("--protocol <name>", "protocol (see `xshard protocols`)", "delayed")
      .option("--out <dir>", "output directory", "xshard-out")
      .option("--prove <indices>", "delayed: also write light-client proofs of these transactions (comma-separated)"),
  ).action((o: Record<string, unknown>) => {
    const config = resolveRunConfig(runConfigFromFlags(o, String(o.protocol)));
    const workload = loadWorkload(o, config.seed);
    const progress = createProgress(config.protocol);
    const out = runProtocol(config, workload, (s, last) => progress.update(s + 1, last + 1));
    progress.stop();
    const dir = resolve(String(o.out));
    const path = writeOut(dir, "results.json", stringifyResults(out.results));
    if (o.prove !== undefined) {
      for (const part of String(o.prove).split(",")) {
        const i = Number(part);
        const proof = out.proveTx?.(i);
        if (proof === undefined) throw new XshardError("NO_PROOF", `no light-client proof for transaction ${part} (not final, or the protocol has none)`, { index: part });
        console.log(`proof of transaction ${i}: ${writeOut(dir, `proof-${i}.json`, JSON.stringify(proof, null, 2) + "\n")}`);
      }
    }
    console.log(formatComparisonTable([out.results]));
    console.log(formatProtocolFigures(out.results.summary.protocol));
    console.log(`results: ${path}`);
  });

  program
    .command("verify")
    .description("check a light-client proof of a transaction's outcome (written by `run --prove`)")
    .argument("<proof>", "proof file (JSON)")
    .action((file: string) => {
      let proof: TxOutcomeProof;
      try {
        proof = JSON.parse(readFileSync(file, "utf8")) as TxOutcomeProof;
      } catch (e) {
        throw new XshardError("UNREADABLE_PROOF", `cannot read proof ${file}: ${(e as Error).message}`, { file });
      }
      const v = verifyTxOutcomeProof(proof, createBlsVerifier());
      console.log(`valid: transaction ${v.txId} ${v.outcome} (Stage-2 block ${v.stage2Block}, slot ${v.slot})`);
      v.values.forEach((b, i) => console.log(`  step ${i}: ${b === null ? "Nothing" : "0x" + toHex(b)}`));
    });

  program
    .command("workloads")
    .description("list workloads and their parameters")
    .action(() => {
      for (const w of listWorkloads()) {
        console.log(`${w.name}: ${w.description}`);
        for (const p of w.params) console.log(`  --${p.name} (${p.kind}, default ${p.default}${p.values ? `; ${p.values.join("|")}` : ""}): ${p.help}`);
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
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith("error:") ? `xshard: ${s}` : s) });
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isXshardError(e)) {
      process.stderr.write(`xshard: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
