#!/usr/bin/env node
/**
 * Simulation speed of every protocol but the two-stage chain (issue 12, goal 1): one large
 * `transfer` run per protocol, each in its own child process so that its peak resident set and
 * CPU time are its own. Prints one JSON line per run:
 *   {protocol, txs, slots, rate, slotGas, wallSeconds, cpuSeconds, generateSeconds,
 *    simulateSeconds, maxRssMiB, outcomes, reasons, resultsHash}
 * wallSeconds and cpuSeconds cover the whole child process (start, imports, generation, genesis,
 * simulation); resultsHash is the sha256 of the results file the run would write.
 *
 *   node bench/simulation-all.mjs --txs 100000 [--protocols receipts:passive,sync] [--rounds 1]
 *                                 [--rate 125] [--signatures on|off] [--cpu-prof DIR] [--mem-every K] [--dist DIR]
 *                                 [--semi-space 64] [--threads N]
 *
 * --threads N: each child runs as `xshard run --threads N` (default every core; the same code,
 * `generateWorkloadThreaded` of src/runnerThreads.ts): from 2 threads up its transactions are
 * signed in N-1 worker threads and verified there while the run goes on; 1 = one thread. The
 * results (resultsHash) are the same bytes either way; cpuSeconds counts the workers too.
 *
 * --semi-space MB: each child runs with `node --max-semi-space-size=MB` (default 64, as
 * bin/xshard.js; 0 = V8's default young generation).
 *
 * --mem-every K: a full GC every K slots and the live heap after it (liveHeapMiBBySlot: what the
 * run retains as it goes, not what the collector has not collected yet).
 *
 * Configuration (the same for every protocol): 16 shards, 1,024 validators, 64 per committee,
 * 1,000 accounts, 256 tokens, 25 % cross-shard, --rate transactions per slot (default 125, what
 * sync carries: txs/rate slots), block limit 1,000 transactions, slot gas 200,000,000 per shard
 * (each transfer declares 100,000 gas per call step, so gas never binds here), 64 drain slots.
 * Needs `npm run build` (reads dist/). Figures: docs/benchmarks.md, "Simulation speed: receipts
 * and the baselines".
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";

const ALL = [
  "receipts:nonsequential",
  "receipts:sequential",
  "receipts:passive",
  "receipts:nonsequential+cc",
  "receipts:sequential+cc",
  "receipts:passive+cc",
  "sync",
  "lock2pc",
];
const SLOT_GAS = 200_000_000;

const { values } = parseArgs({
  options: {
    txs: { type: "string", default: "100000" },
    rate: { type: "string", default: "125" },
    protocols: { type: "string", default: ALL.join(",") },
    protocol: { type: "string" },
    rounds: { type: "string", default: "1" },
    signatures: { type: "string", default: "on" },
    "cpu-prof": { type: "string" },
    child: { type: "boolean", default: false },
    "mem-every": { type: "string" },
    dist: { type: "string" },
    "semi-space": { type: "string", default: "64" },
    threads: { type: "string" },
  },
});

const RATE = Number(values.rate);
if (values.child) {
  const t0 = performance.now();
  // --dist DIR: a build to measure other than ../dist (e.g. a copy of the build before a change).
  const dist = values.dist ? pathToFileURL(values.dist + "/").href : new URL("../dist/", import.meta.url).href;
  const { resolveRunConfig, runProtocol, stringifyResults } = await import(dist + "runner.js");
  const { getWorkload, planWorkload } = await import(dist + "workloads/index.js");
  const threadsModule = await import(dist + "runnerThreads.js");
  const { getDefaultThreads, MAX_THREADS } = threadsModule;
  // A --dist build from before `generateWorkloadThreaded` runs on one thread, as the bench did then.
  const generateWorkloadThreaded = threadsModule.generateWorkloadThreaded ?? (async (plan) => ({ workload: plan.generate(), threads: 0, close: async () => {} }));
  const threads = values.threads === undefined ? getDefaultThreads() : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw new RangeError(`--threads must be an integer in [1, ${MAX_THREADS}], got '${values.threads}'`);
  const txs = Number(values.txs);
  const slots = Math.max(1, Math.ceil(txs / RATE));
  const t1 = performance.now();
  const plan = planWorkload(getWorkload("transfer"), { slots, rate: Math.min(RATE, txs), accounts: 1000, contracts: 256, cross: 0.25 }, "bench");
  const loaded = await generateWorkloadThreaded(plan, threads);
  const workload = loaded.workload;
  const t2 = performance.now();
  const config = resolveRunConfig({
    protocol: values.protocol,
    seed: "bench",
    validators: 1024,
    committeeSize: 64,
    shards: 16,
    blockTxLimit: 1000,
    slotGas: SLOT_GAS,
    signatures: values.signatures === "on",
    drainSlots: 64,
  });
  // --mem-every K: a full GC every K slots and the live heap after it (needs node --expose-gc).
  const memEvery = Number(values["mem-every"] ?? 0);
  const live = [];
  const onSlot = memEvery > 0 && globalThis.gc
    ? (s) => {
        if (s % memEvery === 0) {
          globalThis.gc();
          live.push([s, Math.round(process.memoryUsage().heapUsed / 1048576)]);
        }
      }
    : undefined;
  const out = runProtocol(config, workload, onSlot);
  await loaded.close();
  const t3 = performance.now();
  const s = out.results.summary;
  const resultsHash = createHash("sha256").update(stringifyResults(out.results)).digest("hex").slice(0, 16);
  const ru = process.resourceUsage();
  console.log(
    JSON.stringify({
      protocol: values.protocol,
      txs: workload.submissions.length,
      slots,
      importSeconds: +((t1 - t0) / 1000).toFixed(2),
      generateSeconds: +((t2 - t1) / 1000).toFixed(2),
      simulateSeconds: +((t3 - t2) / 1000).toFixed(2),
      cpuSecondsInProcess: +((ru.userCPUTime + ru.systemCPUTime) / 1e6).toFixed(2),
      maxRssMiB: Math.round(ru.maxRSS / 1024),
      slotsRun: out.results.slots.length,
      throughputTxPerSlot: s.throughputTxPerSlot,
      latencySlotsP50: s.latencySlots.submitToFinal.p50,
      latencySlotsMax: s.latencySlots.submitToFinal.max,
      outcomes: s.outcomes,
      reasons: s.reasons,
      resultsHash,
      threads,
      poolThreads: loaded.threads,
      ...(live.length > 0 ? { liveHeapMiBBySlot: live } : {}),
    }),
  );
} else {
  const protocols = values.protocol ? [values.protocol] : values.protocols.split(",");
  const self = fileURLToPath(import.meta.url);
  const uptime = () => {
    try {
      return (spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout || "").split(" ").slice(0, 3).join(" ");
    } catch {
      return "";
    }
  };
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const protocol of protocols) {
      // V8's young generation at 64 MB per semi-space, as bin/xshard.js starts Node (12–15 % less
      // CPU and memory in large runs; results do not depend on it). `--semi-space 0`: V8's default.
      const nodeArgs = ["--max-old-space-size=8192"];
      if (Number(values["semi-space"]) > 0) nodeArgs.push(`--max-semi-space-size=${Number(values["semi-space"])}`);
      if (values["mem-every"]) nodeArgs.push("--expose-gc");
      if (values["cpu-prof"]) nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${values["cpu-prof"]}`, `--cpu-prof-name=${protocol.replace(/[:+]/g, "_")}-${values.txs}.cpuprofile`);
      const load0 = uptime();
      const t0 = performance.now();
      const res = spawnSync(
        "/usr/bin/time",
        ["-f", "TIME %e %U %S %M", process.execPath, ...nodeArgs, self, "--child", "--protocol", protocol, "--txs", values.txs, "--rate", values.rate, "--signatures", values.signatures, ...(values["mem-every"] ? ["--mem-every", values["mem-every"]] : []), ...(values.dist ? ["--dist", values.dist] : []), ...(values.threads !== undefined ? ["--threads", values.threads] : [])],
        { encoding: "utf8", maxBuffer: 1 << 26 },
      );
      const wall = (performance.now() - t0) / 1000;
      const line = res.stdout.trim().split("\n").pop();
      const time = (res.stderr.match(/TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/) || []).slice(1).map(Number);
      if (res.status !== 0 || !line) {
        console.log(JSON.stringify({ protocol, txs: Number(values.txs), error: res.stderr.trim().split("\n").slice(-5).join(" | ") }));
        continue;
      }
      const row = JSON.parse(line);
      console.log(
        JSON.stringify({
          round: r,
          ...row,
          rate: RATE,
          semiSpaceMiB: Number(values["semi-space"]),
          slotGas: SLOT_GAS,
          wallSeconds: +wall.toFixed(2),
          cpuSeconds: time.length ? +(time[1] + time[2]).toFixed(2) : null,
          timeMaxRssMiB: time.length ? Math.round(time[3] / 1024) : null,
          loadBefore: load0,
          loadAfter: uptime(),
        }),
      );
    }
  }
}
