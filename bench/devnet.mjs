// Devnet throughput and latency (issue 13; not a timed test): starts `xshard devnet` (4 nodes,
// 16 validators, 4 committees, 1 s slots), submits the exchange workload at its rate over the HTTP
// API (round robin over the nodes), follows every transaction to finality on node 0 and reports
// finalized tx/s and submit→final latency in seconds; then runs the simulator on the same
// configuration and workload for its prediction. Usage: node bench/devnet.mjs [slots] [rate]
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const slots = Number(process.argv[2] ?? 10);
const rate = Number(process.argv[3] ?? 4);
const root = join(import.meta.dirname, "..");
const bin = join(root, "bin", "xshard.js");
const { getWorkload } = await import(join(root, "dist/workloads/index.js"));
const { encodeSignedTx, computeTxId } = await import(join(root, "dist/program/index.js"));
const { toHex } = await import(join(root, "dist/crypto/hash.js"));
const params = { pools: 2, accounts: 64, slots, rate };
const dir = mkdtempSync(join(tmpdir(), "xshard-bench-devnet-"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const devnet = spawn(process.execPath, [bin, "devnet", "--nodes", "4", "--validators", "16", "--committees", "4", "--slot-ms", "1000", "--seed", "bench", "--dir", dir, "--param", "pools=2", "accounts=64"], { stdio: ["ignore", "pipe", "inherit"] });
let out = "";
devnet.stdout.on("data", (d) => (out += d));
try {
  while (!out.includes("devnet up")) await sleep(500);
  const info = JSON.parse(readFileSync(join(dir, "devnet.json"), "utf8"));
  const apis = info.nodes.map((n) => n.api);
  const w = getWorkload("exchange").generate(params, "bench");
  const submitted = new Map();
  const finalAt = new Map();
  const t0 = Date.now();
  for (let s = 0; s < slots; s++) {
    const start = Date.now();
    for (const sub of w.submissions.filter((x) => x.slot === s)) {
      const id = `0x${toHex(computeTxId(sub.tx))}`;
      submitted.set(id, Date.now());
      await fetch(`${apis[sub.index % apis.length]}/v1/tx`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: encodeSignedTx(sub.tx) });
    }
    await sleep(Math.max(0, 1000 - (Date.now() - start)));
  }
  const until = Date.now() + 120_000;
  while (finalAt.size < submitted.size && Date.now() < until) {
    for (const id of submitted.keys()) {
      if (finalAt.has(id)) continue;
      const j = await (await fetch(`${apis[0]}/v1/tx/${id}`)).json();
      if (j.status === "final") finalAt.set(id, { t: Date.now(), outcome: j.outcome });
    }
    await sleep(250);
  }
  const lat = [...finalAt].map(([id, f]) => (f.t - submitted.get(id)) / 1000).sort((a, b) => a - b);
  const lastFinal = Math.max(...[...finalAt.values()].map((f) => f.t));
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  console.log(JSON.stringify({ submitted: submitted.size, final: finalAt.size, committed: [...finalAt.values()].filter((f) => f.outcome === "committed").length, txPerSecond: +(finalAt.size / ((lastFinal - t0) / 1000)).toFixed(2), latencySeconds: { p50: q(0.5), p90: q(0.9), max: lat[lat.length - 1] } }));
} finally {
  devnet.kill("SIGTERM");
  while (devnet.exitCode === null) await sleep(200);
  rmSync(dir, { recursive: true, force: true });
}
const simOut = join(tmpdir(), `xshard-bench-sim-${process.pid}`);
execFileSync(process.execPath, [bin, "run", "--protocol", "delayed", "--workload", "exchange", "--pools", "2", "--accounts", "64", "--slots", String(slots), "--rate", String(rate), "--validators", "16", "--committees", "4", "--committee-size", "4", "--slot-seconds", "1", "--seed", "bench", "--out", simOut], { stdio: "ignore" });
const r = JSON.parse(readFileSync(join(simOut, "results.json"), "utf8"));
console.log(JSON.stringify({ simulator: r.summary ?? Object.keys(r) }).slice(0, 1500));
rmSync(simOut, { recursive: true, force: true });
