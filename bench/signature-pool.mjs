// Phases of a run's Ed25519 work, in one process (docs/benchmarks.md "run on both cores"):
// generating the transfer workload signed in this thread vs in the pool (generation, waiting for
// the last signatures, the verification pass), and verifying every submission in this thread.
//   node bench/signature-pool.mjs [--txs 20000] [--threads 2]
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { cpuUsage } from "node:process";
import { Ed25519Pool } from "../dist/crypto/ed25519Pool.js";
import { PoolSigner, startVerification } from "../dist/runnerThreads.js";
import { getWorkload, planWorkload } from "../dist/workloads/index.js";
import { verifySignedTx } from "../dist/program/index.js";
import { encodeSignedTx } from "../dist/program/index.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const { values } = parseArgs({ options: { txs: { type: "string", default: "20000" }, threads: { type: "string", default: "2" } } });
const txs = Number(values.txs);
const threads = Number(values.threads);
const params = { slots: 100, rate: Math.ceil(txs / 100), accounts: 1000, contracts: 64, cross: 0.25 };
const cpu = () => { const u = cpuUsage(); return (u.user + u.system) / 1e6; };
// This (main) thread's CPU seconds, from /proc (Linux; USER_HZ 100).
const mainCpu = () => { const f = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) / 100; };
const digest = (w) => { const h = createHash("sha256"); for (const s of w.submissions) h.update(encodeSignedTx(s.tx)); return h.digest("hex").slice(0, 16); };
let m0 = mainCpu();
const phase = (label, t0, c0) => {
  console.log(`${label.padEnd(36)} wall ${((performance.now() - t0) / 1000).toFixed(2)} s, process CPU ${(cpu() - c0).toFixed(2)} s, main thread CPU ${(mainCpu() - m0).toFixed(2)} s`);
  m0 = mainCpu();
};

const plan = planWorkload(getWorkload("transfer"), params, "bench");
let t = performance.now(), c = cpu();
const here = plan.generate();
phase("generate, signed in this thread", t, c);
t = performance.now(); c = cpu();
for (const s of here.submissions) verifySignedTx(s.tx);
phase("verify all in this thread", t, c);

t = performance.now(); c = cpu();
const pool = new Ed25519Pool(threads);
await Promise.all([pool.verify(new Uint8Array(32), new Uint8Array(32), new Uint8Array(64)), pool.verify(new Uint8Array(32), new Uint8Array(32), new Uint8Array(64))]);
phase(`start ${threads} workers`, t, c);
// The same steps as generateInPool, timed one by one (in a run, the simulation starts once the board is filled).
t = performance.now(); c = cpu();
const signer = new PoolSigner(pool);
const w = plan.generate(undefined, signer.sign);
phase("generate, signing in the pool", t, c);
t = performance.now(); c = cpu();
await signer.finish();
phase("wait for the last signatures", t, c);
t = performance.now(); c = cpu();
const v = startVerification(w.submissions.map((s) => s.tx), pool, (stx) => signer.messageOf(stx.signature));
phase(`fill the board (${v.entries}), main thread`, t, c);
await v.done;
phase(`verify all in the pool (board)`, t, c);
v.detach();
await pool.close();
console.log(`transactions ${w.submissions.length}; sha256 of the encoded transactions: here ${digest(here)}, pool ${digest(w)}`);
