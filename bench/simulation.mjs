#!/usr/bin/env node
/**
 * Simulation speed (issue: the two-stage chain): transactions simulated per wall-clock second and
 * peak memory, for one large run of the two-stage chain. One run per process, so that the peak
 * resident set is this run's alone. Run by bench/run.mjs (`--sim-txs`, `--no-sim`), or directly:
 *
 *   node bench/simulation.mjs --txs 100000 --signatures on|off [--protocol delayed]
 *
 * Prints one JSON line: {protocol, txs, signatures, generateSeconds, simulateSeconds, txPerSecond,
 * maxRssMiB, committed, stage2BlocksPerStage1Block}.
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { resolveRunConfig, runProtocol } from "../dist/runner.js";
import { getWorkload } from "../dist/workloads/index.js";

const { values } = parseArgs({
  options: {
    txs: { type: "string", default: "100000" },
    signatures: { type: "string", default: "on" },
    protocol: { type: "string", default: "delayed" },
  },
});
const txs = Number(values.txs);
const rate = 1000;
const slots = Math.max(1, Math.ceil(txs / rate));
const t0 = performance.now();
const workload = getWorkload("transfer").generate({ slots, rate: Math.min(rate, txs), accounts: 1000, contracts: 256, cross: 0.25 }, "bench");
const t1 = performance.now();
const config = resolveRunConfig({
  protocol: values.protocol,
  seed: "bench",
  validators: 1024,
  committeeSize: 64,
  shards: 16,
  blockTxLimit: rate,
  signatures: values.signatures === "on",
  drainSlots: 64,
});
const out = runProtocol(config, workload);
const t2 = performance.now();
const simulateSeconds = (t2 - t1) / 1000;
console.log(
  JSON.stringify({
    protocol: values.protocol,
    txs: workload.submissions.length,
    contracts: 256,
    validators: 1024,
    signatures: values.signatures,
    generateSeconds: +((t1 - t0) / 1000).toFixed(2),
    simulateSeconds: +simulateSeconds.toFixed(2),
    txPerSecond: Math.round(workload.submissions.length / simulateSeconds),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    committed: out.results.summary.outcomes.committed,
    stage2BlocksPerStage1Block: out.results.summary.protocol.stage2BlocksPerStage1Block,
  }),
);
