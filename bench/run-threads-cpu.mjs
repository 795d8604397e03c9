// One run as `xshard run` makes it (transfer workload, delayed:conditional by default), with the
// Ed25519 work in this thread (--threads 1) or in the pool (--threads 2), printing the wall time,
// the MAIN thread's CPU time (from /proc: the critical path when the workers have a core of their
// own — what the wall time is on an idle machine), the whole process's CPU time, and the sha256 of
// the results (docs/benchmarks.md "run on both cores"). Linux only (/proc/self/task).
//   node bench/run-threads-cpu.mjs --threads 2 [--slots 100 --rate 100 --protocol delayed:conditional]
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { resolveRunConfig, runProtocol, stringifyResults } from "../dist/runner.js";
import { generateInPool, openSignaturePool } from "../dist/runnerThreads.js";
import { getWorkload, planWorkload } from "../dist/workloads/index.js";

const { values } = parseArgs({
  options: {
    threads: { type: "string", default: "2" },
    slots: { type: "string", default: "100" },
    rate: { type: "string", default: "100" },
    protocol: { type: "string", default: "delayed:conditional" },
  },
});
const TICK = 100; // USER_HZ (getconf CLK_TCK)
function mainThreadCpu() {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / TICK; // utime, stime (fields 14, 15)
}
const proc = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const t0 = performance.now();
const c0 = mainThreadCpu();
const params = { slots: values.slots, rate: values.rate, accounts: 1000, contracts: 64 };
const plan = planWorkload(getWorkload("transfer"), params, "1");
const config = resolveRunConfig({ protocol: values.protocol, drainSlots: 40, slotGas: 100_000_000 });
const pool = openSignaturePool(Number(values.threads), plan.size.submissions);
let workload, close = async () => {};
if (pool) ({ workload, close } = await generateInPool(plan, pool));
else workload = plan.generate();
const tGen = performance.now();
const cGen = mainThreadCpu();
let out;
try {
  out = runProtocol(config, workload);
} finally {
  await close();
}
const text = stringifyResults(out.results);
const s = out.results.summary;
console.log(JSON.stringify({
  threads: Number(values.threads),
  workers: pool ? pool.size : 0,
  txs: s.submitted,
  committed: s.outcomes.committed,
  wallSeconds: +((performance.now() - t0) / 1000).toFixed(2),
  mainThreadCpuSeconds: +(mainThreadCpu() - c0).toFixed(2),
  mainThreadCpuGenerate: +(cGen - c0).toFixed(2),
  wallGenerate: +((tGen - t0) / 1000).toFixed(2),
  processCpuSeconds: +proc().toFixed(2),
  sha256: createHash("sha256").update(text).digest("hex"),
}));
