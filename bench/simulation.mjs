#!/usr/bin/env node
/**
 * Simulation speed (issue 12: the two-stage chain): one large run of the transfer workload — the
 * whole process (workload generation, genesis, simulation) — its wall and CPU time and peak
 * memory. One run per process, so that the peak resident set is this run's alone. Run by
 * bench/run.mjs (`--sim-txs`, `--no-sim`), or directly:
 *
 *   node bench/simulation.mjs --txs 100000 --signatures on|off [--protocol delayed:conditional]
 *        [--rate 1000] [--slot-gas 20000000] [--mem-every 0] [--threads N] [--hash on|off]
 *        [--heap-growth P]
 *
 * --heap-growth P: V8's --heap-growing-percent for the run (0: V8's default); by default the
 * run's own rule (`limitHeapGrowth` of src/runnerThreads.ts: 100 from 200,000 transactions on).
 *
 * --threads N: as `xshard run --threads` (default every core; the same code,
 * `generateWorkloadThreaded` of src/runnerThreads.ts): from 2 threads up the transactions are
 * signed in N-1 worker threads and their signatures verified there while the run goes on;
 * `--threads 1` is the run on this thread alone. The results are the same bytes either way:
 * resultsSha256 is the sha256 of the results file `xshard run` would write (`--hash off` skips it,
 * e.g. at 1M where the file's text is ~0.4 GB; it is computed after the times are taken).
 *
 * The load is fixed (`--rate` transactions per slot) and the number of slots grows with `--txs`,
 * so 10k, 100k and 1M are the same chain run for longer. The slot gas is raised from the default
 * 2,000,000 to 20,000,000 so that both stages carry 1,000 transfers per slot (about 125,000,000 of
 * declared gas: 100,000 per call step, a quarter of them two-token): Stage 1's limit is
 * slotGas × committees = 320,000,000 and its EIP-1559 target half of that, above the load, so the
 * base fee does not climb until transactions wait (with 8,000,000 it does after ~20 slots, and at
 * 100k 14,001 transactions are still waiting at the end; with the default 2,000,000 Stage 1 orders
 * about a third of the load); each committee executes up to 20,000,000 metered gas per slot.
 * The bench fails (exit 1) unless every transaction is final (committed or
 * aborted or rejected, none hung).
 *
 * Prints one JSON line: {protocol, txs, signatures, generateSeconds, simulateSeconds, wallSeconds,
 * cpuSeconds, txPerSecond, maxRssMiB, outcomes, committed, stage2BlocksPerStage1Block, threads,
 * poolThreads, resultsSha256, mainThreadCpuSeconds}. cpuSeconds counts every thread of the process
 * (the workers too); mainThreadCpuSeconds the simulation's thread alone (the critical path).
 * With `--mem-every K`, prints the slot, CPU seconds, heap, array-buffer memory (off the heap) and
 * RSS every K slots on stderr (where time and memory grow; under `node --expose-gc` after a full
 * collection, so the heap is what is live).
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { createHash } from "node:crypto";
import { resolveRunConfig, runProtocol, stringifyResults } from "../dist/runner.js";
import { getWorkload, handOverSubmissions, planWorkload } from "../dist/workloads/index.js";
import { generateWorkloadThreaded, getDefaultThreads, MAX_THREADS } from "../dist/runnerThreads.js";
import { getMainThreadCpuSeconds } from "./threadCpu.mjs";

const { values } = parseArgs({
  options: {
    txs: { type: "string", default: "100000" },
    signatures: { type: "string", default: "on" },
    protocol: { type: "string", default: "delayed" },
    rate: { type: "string", default: "1000" },
    "slot-gas": { type: "string", default: "20000000" },
    "mem-every": { type: "string", default: "0" },
    threads: { type: "string" },
    hash: { type: "string", default: "on" },
    "heap-growth": { type: "string" },
  },
});
const threads = values.threads === undefined ? getDefaultThreads() : Number(values.threads);
if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
  console.error(`--threads must be an integer in [1, ${MAX_THREADS}], got '${values.threads}'`);
  process.exit(2);
}
// --heap-growth P: V8's --heap-growing-percent for this run, whatever its size (0: V8's default); by default the run's own rule (limitHeapGrowth: 100 from 200k transactions).
const heapGrowth = values["heap-growth"] === undefined ? undefined : Number(values["heap-growth"]);
if (heapGrowth !== undefined && !(Number.isInteger(heapGrowth) && heapGrowth >= 0 && heapGrowth <= 1000)) {
  console.error(`--heap-growth must be an integer percentage in [0, 1000], got '${values["heap-growth"]}'`);
  process.exit(2);
}
const t00 = performance.now();
const txs = Number(values.txs);
const rate = Number(values.rate);
const slots = Math.max(1, Math.ceil(txs / rate));
const t0 = performance.now();
const plan = planWorkload(getWorkload("transfer"), { slots, rate: Math.min(rate, txs), accounts: 1000, contracts: 256, cross: 0.25 }, "bench");
const loaded = await generateWorkloadThreaded(plan, threads, heapGrowth === undefined ? {} : { heapGrowingPercent: heapGrowth });
const workload = loaded.workload;
const submitted = workload.submissions.length;
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
const every = Number(values["mem-every"]);
const onSlot = every > 0
  ? (slot) => {
      if (slot % every !== 0) return;
      globalThis.gc?.(); // with node --expose-gc: the live heap, not the garbage not yet collected
      const u = process.resourceUsage();
      const m = process.memoryUsage();
      console.error(JSON.stringify({ slot, cpu: +((u.userCPUTime + u.systemCPUTime) / 1e6).toFixed(1), heapMiB: Math.round(m.heapUsed / 2 ** 20), heapTotalMiB: Math.round(m.heapTotal / 2 ** 20), bufMiB: Math.round(m.arrayBuffers / 2 ** 20), externalMiB: Math.round(m.external / 2 ** 20), rssMiB: Math.round(m.rss / 2 ** 20) }));
    }
  : undefined;
// The run takes the submissions over (the two-stage chain frees each transaction once sequenced).
const out = runProtocol(config, handOverSubmissions(workload), onSlot);
await loaded.close();
const t2 = performance.now();
const simulateSeconds = (t2 - t1) / 1000;
const usage = process.resourceUsage();
const mainThreadCpuSeconds = getMainThreadCpuSeconds();
const resultsSha256 = values.hash === "off" ? undefined : createHash("sha256").update(stringifyResults(out.results)).digest("hex");
const outcomes = out.results.summary.outcomes;
const pending = outcomes.hung;
console.log(
  JSON.stringify({
    protocol: values.protocol,
    txs: submitted,
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
    mainThreadCpuSeconds,
    txPerSecond: Math.round(submitted / simulateSeconds),
    maxRssMiB: Math.round(usage.maxRSS / 1024),
    outcomes,
    committed: outcomes.committed,
    runSlots: out.results.slots.length,
    maxLagSlots: out.results.summary.protocol.maxLagSlots,
    stage2BlocksPerStage1Block: out.results.summary.protocol.stage2BlocksPerStage1Block,
    threads,
    poolThreads: loaded.threads,
    heapGrowingPercent: loaded.heapGrowingPercent ?? null,
    resultsSha256,
  }),
);
// The workload is whole slots: `txs` rounds up to a multiple of the rate.
if (pending > 0 || submitted < txs) {
  console.error(`not every transaction is final: ${pending} hung of ${submitted} (asked ${txs})`);
  process.exit(1);
}
