#!/usr/bin/env node
/**
 * `npm run bench`: every case on one core, medians of several samples after a warm-up; then the
 * headline ratios to the EVM baseline from interleaved pairs of child processes (bench/pairs.mjs).
 * See docs/benchmarks.md.
 *
 *   node bench/run.mjs [--only PREFIX[,PREFIX…]] [--reps N] [--warmup-ms MS] [--sample-ms MS]
 *                      [--pairs N] [--json FILE] [--list]
 *
 * To add a case, append a `{name, title, unit, opsPerRun, baselines?, setup, run, describe?}` to
 * CASES (see bench/harness.mjs).
 */
import { writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import {
  DEFAULT_OPTIONS,
  computeRatios,
  evaluateGoal,
  formatRate,
  formatResult,
  getMachineInfo,
  runCases,
} from "./harness.mjs";
import { evmTransfer, evmTransferWithRoot } from "./cases/evm.mjs";
import { merkleProofVerify, xshardTransfer, xshardTransferWithRoot } from "./cases/xshard.mjs";
import { HEADLINES, measurePairs } from "./pairs.mjs";

/** Every case, in the order they run. Baselines first so a ratio's two figures are close in time. */
const CASES = [evmTransfer, evmTransferWithRoot, xshardTransferWithRoot, xshardTransfer, merkleProofVerify, ...(await import("./cases/lightclient.mjs")).lightclientCases];

/** The in-process goal kept for reference; the headlines come from interleaved pairs (pairs.mjs). */
const GOAL = { name: xshardTransferWithRoot.name, baseline: evmTransferWithRoot.name, factor: 200 };

/** Parse the command line into harness options and a case selection. */
function parseCommandLine(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: "string" },
      reps: { type: "string" },
      "warmup-ms": { type: "string" },
      "sample-ms": { type: "string" },
      json: { type: "string" },
      list: { type: "boolean", default: false },
      "sim-txs": { type: "string" },
      "no-sim": { type: "boolean", default: false },
      pairs: { type: "string" },
    },
  });
  const options = {
    reps: parsePositiveInt(values.reps, "--reps", DEFAULT_OPTIONS.reps),
    warmupMs: parsePositiveInt(values["warmup-ms"], "--warmup-ms", DEFAULT_OPTIONS.warmupMs),
    sampleMs: parsePositiveInt(values["sample-ms"], "--sample-ms", DEFAULT_OPTIONS.sampleMs),
  };
  const prefixes = values.only === undefined ? [""] : values.only.split(",");
  const cases = CASES.filter((c) => prefixes.some((p) => c.name.startsWith(p)));
  if (cases.length === 0 && !prefixes.some((p) => p.startsWith("sim"))) throw new Error(`--only ${values.only}: no case matches (see --list)`);
  const simTxs = parsePositiveInt(values["sim-txs"], "--sim-txs", 100_000);
  const sim = !values["no-sim"] && (values.only === undefined || prefixes.some((p) => "sim".startsWith(p) || p.startsWith("sim")));
  const pairs = values.pairs === "0" ? 0 : parsePositiveInt(values.pairs, "--pairs", values.only === undefined ? 10 : 0);
  return { options, cases: values.only !== undefined && cases.length === 0 ? [] : cases, json: values.json, list: values.list, sim, simTxs, pairs };
}

/** A positive integer option, or the default when absent. */
function parsePositiveInt(text, flag, fallback) {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got ${text}`);
  return n;
}

/** The goal line: met, not met, or not evaluated in this run. */
function formatGoal(goal) {
  const head = `goal: ≥${goal.factor}× EVM baseline (${goal.name} / ${goal.baseline})`;
  if (goal.met === null) return `${head} — not evaluated (run both cases)`;
  return `${head} — ${goal.met ? "met" : "not met"} (${goal.ratio.toFixed(1)}×)`;
}

async function main() {
  let command;
  try {
    command = parseCommandLine(process.argv.slice(2));
  } catch (e) {
    console.error(`bench: ${e.message}`);
    process.exitCode = 2;
    return;
  }
  const { options, cases, json, list, sim, simTxs, pairs } = command;
  if (list) {
    for (const c of CASES) console.log(`${c.name.padEnd(30)} ${c.title}`);
    console.log(`${"sim".padEnd(30)} simulation speed: the two-stage chain, --sim-txs transactions, 256 contracts, 1,024 validators, signatures on and off`);
    return;
  }
  const machine = getMachineInfo();
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores (bench uses one), ${machine.memoryGiB} GiB, ` +
      `node ${machine.node} (V8 ${machine.v8}), ${machine.platform}`,
  );
  console.log(`harness: warm-up ≥${options.warmupMs} ms, ${options.reps} samples of ~${options.sampleMs} ms, figure = median\n`);

  const results = await runCases(cases, options, (r) => console.log(formatResult(r)));
  const ratios = computeRatios(results);
  if (ratios.length > 0) console.log("\nratios (same run):");
  for (const r of ratios) console.log(`  ${r.name} / ${r.baseline} = ${r.ratio.toFixed(1)}×`);
  const goal = evaluateGoal(results, GOAL);
  console.log(`\n${formatGoal(goal)} (one process, cases one after the other: see the headlines)`);

  const headlines = pairs > 0 ? runHeadlines(pairs) : [];

  const simulations = sim ? runSimulations(simTxs) : [];

  if (json !== undefined) {
    const report = { schema: "xshard.bench/1", date: new Date().toISOString(), machine, options, results, ratios, goal, headlines, simulations };
    writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${json}`);
  }
}

/** The headline ratios: `pairs` interleaved pairs of child processes per headline (pairs.mjs). */
function runHeadlines(pairs) {
  const childOptions = { reps: 3, warmupMs: 1000, sampleMs: 400 };
  console.log(`\nheadlines: ${pairs} interleaved pairs per headline, each side in its own process (warm-up ${childOptions.warmupMs} ms of CPU time, median of ${childOptions.reps} samples)`);
  return HEADLINES.map((h) => {
    console.log(`  ${h.title}: ${h.xshard} / ${h.evm}`);
    const r = measurePairs(h, pairs, childOptions, (row) =>
      console.log(
        `    pair ${String(row.pair).padStart(2)}  evm ${formatRate(row.evm).padStart(8)}  xshard ${formatRate(row.xshard).padStart(10)}  ` +
          `ratio ${row.ratio.toFixed(1)}× (CPU time ${row.cpuRatio.toFixed(1)}×)`,
      ),
    );
    console.log(
      `  → ${h.title}: median ${r.ratio.median.toFixed(1)}× (min ${r.ratio.min.toFixed(1)}×, max ${r.ratio.max.toFixed(1)}×) — goal ≥${h.goal}× ${r.met ? "met" : "not met"}; ` +
        `by CPU time median ${r.cpuRatio.median.toFixed(1)}× (min ${r.cpuRatio.min.toFixed(1)}×, max ${r.cpuRatio.max.toFixed(1)}×)`,
    );
    return r;
  });
}

/** One child process per run (peak memory is per process), signatures off then on. */
function runSimulations(txs) {
  console.log(`\nsimulation speed: ${txs} transactions, 256 contracts, 1,024 validators (one run each, own process)`);
  const out = [];
  for (const signatures of ["off", "on"]) {
    const line = execFileSync(process.execPath, [new URL("./simulation.mjs", import.meta.url).pathname, "--txs", String(txs), "--signatures", signatures], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(line.trim().split("\n").pop());
    out.push(r);
    console.log(
      `  sim.delayed signatures ${signatures.padEnd(3)}  ${String(r.txPerSecond).padStart(7)} tx/s simulated  ` +
        `(${r.simulateSeconds} s for ${r.txs} txs; generation ${r.generateSeconds} s)  peak RSS ${r.maxRssMiB} MiB`,
    );
  }
  return out;
}

await main();
