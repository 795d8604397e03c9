#!/usr/bin/env node
/**
 * Simulation speed (issue 12: the two-stage chain): one large run of the transfer workload — the
 * whole process (workload generation, genesis, simulation) — its wall and CPU time and peak
 * memory. One run per process, so that the peak resident set is this run's alone. Run by
 * bench/run.mjs (`--sim-txs`, `--no-sim`), or directly:
 *
 *   node bench/simulation.mjs --txs 100000 --signatures on|off [--protocol delayed:conditional]
 *        [--rate 1000] [--slot-gas 8000000]
 *
 * The load is fixed (`--rate` transactions per slot) and the number of slots grows with `--txs`,
 * so 10k, 100k and 1M are the same chain run for longer. The slot gas is raised from the default
 * 2,000,000 to 8,000,000 so that Stage 1's capacity (declared gas slotGas × committees = 128,000,000
 * per block, about 1,280 transfers at 100,000 declared gas per call step) carries 1,000 tx/slot:
 * with the default, Stage 1 orders about a third of the load and most transactions are still
 * pending at the end. The bench fails (exit 1) unless every transaction is final (committed or
 * aborted or rejected, none hung).
 *
 * Prints one JSON line: {protocol, txs, signatures, generateSeconds, simulateSeconds, wallSeconds,
 * cpuSeconds, txPerSecond, maxRssMiB, outcomes, committed, stage2BlocksPerStage1Block}.
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
    rate: { type: "string", default: "1000" },
    "slot-gas": { type: "string", default: "8000000" },
  },
});
const t00 = performance.now();
const txs = Number(values.txs);
const rate = Number(values.rate);
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
  slotGas: Number(values["slot-gas"]),
  signatures: values.signatures === "on",
  drainSlots: 64,
});
const out = runProtocol(config, workload);
const t2 = performance.now();
const simulateSeconds = (t2 - t1) / 1000;
const usage = process.resourceUsage();
const outcomes = out.results.summary.outcomes;
const pending = outcomes.hung;
console.log(
  JSON.stringify({
    protocol: values.protocol,
    txs: workload.submissions.length,
    rate,
    slots,
    slotGas: Number(values["slot-gas"]),
    contracts: 256,
    validators: 1024,
    signatures: values.signatures,
    generateSeconds: +((t1 - t0) / 1000).toFixed(2),
    simulateSeconds: +simulateSeconds.toFixed(2),
    wallSeconds: +((t2 - t00) / 1000).toFixed(2),
    cpuSeconds: +((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(2),
    txPerSecond: Math.round(workload.submissions.length / simulateSeconds),
    maxRssMiB: Math.round(usage.maxRSS / 1024),
    outcomes,
    committed: outcomes.committed,
    stage2BlocksPerStage1Block: out.results.summary.protocol.stage2BlocksPerStage1Block,
  }),
);
if (pending > 0 || workload.submissions.length !== txs) {
  console.error(`not every transaction is final: ${pending} pending of ${workload.submissions.length} (asked ${txs})`);
  process.exit(1);
}
