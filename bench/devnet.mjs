// Devnet throughput and latency against the simulator (issue 13; not a timed test): starts
// `xshard devnet` (4 nodes on loopback, 16 validators, 4 committees, 1 s slots), runs
// `xshard send` with the exchange workload against node 0 (submitted at its rate, followed to
// finality; seconds dated by the node's head events, docs/node.md "Clients"), then `xshard run`
// of the same workload and configuration under delayed:conditional for the simulator's
// prediction. Prints one JSON line per side and the nodes' CPU time.
// Usage: npm run build && node bench/devnet.mjs [slots] [rate] [repeats]  (KEEP=1 keeps the devnet's directory)
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";

const slots = Number(process.argv[2] ?? 20);
const rate = Number(process.argv[3] ?? 4);
const repeats = Number(process.argv[4] ?? 1);
const root = join(import.meta.dirname, "..");
const bin = join(root, "bin", "xshard.js");
const workload = ["--workload", "exchange", "--pools", "2", "--accounts", "64", "--slots", String(slots), "--rate", String(rate), "--seed", "bench"];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** User + system CPU seconds of a live process (Linux /proc, clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

function pick(r) {
  const s = r.summary;
  return {
    protocol: r.protocol,
    submitted: s.submitted,
    outcomes: Object.fromEntries(Object.entries(s.outcomes).filter(([, n]) => n > 0)),
    txPerSecond: +(s.throughputTxPerSlot / r.config.slotSeconds).toFixed(3),
    latencySlots: { p50: s.latencySlots.submitToFinal.p50, p90: s.latencySlots.submitToFinal.p90, max: s.latencySlots.submitToFinal.max },
    latencySeconds: { p50: s.latencySeconds.submitToFinal.p50, p90: s.latencySeconds.submitToFinal.p90, max: s.latencySeconds.submitToFinal.max },
    inclusionSeconds: { p50: s.latencySeconds.submitToInclusion.p50, p90: s.latencySeconds.submitToInclusion.p90 },
  };
}

for (let rep = 0; rep < repeats; rep++) {
  const dir = mkdtempSync(join(tmpdir(), "xshard-bench-devnet-"));
  const devnet = spawn(process.execPath, [bin, "devnet", "--nodes", "4", "--validators", "16", "--committees", "4", "--slot-ms", "1000", "--seed", "bench", "--dir", join(dir, "dn"), "--param", "pools=2", "accounts=64"], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  devnet.stdout.on("data", (d) => (out += d));
  try {
    while (!out.includes("devnet up")) {
      if (devnet.exitCode !== null) throw new Error(`devnet exited: ${out}`);
      await sleep(500);
    }
    const info = JSON.parse(readFileSync(join(dir, "dn", "devnet.json"), "utf8"));
    const headsOf = async () => {
      const h = await (await fetch(`${info.nodes[0].api}/v1/heads`)).json();
      return [h.stage1Finalized.number, h.stage2Finalized.number];
    };
    const heads0 = await headsOf();
    const cpu0 = info.nodes.map((n) => cpuSeconds(n.pid));
    const load0 = loadavg()[0];
    execFileSync(process.execPath, [bin, "send", "--rpc", info.nodes[0].api, ...workload, "--drain", "60", "--out", join(dir, "send")], { stdio: ["ignore", "ignore", "inherit"] });
    const cpu1 = info.nodes.map((n) => cpuSeconds(n.pid));
    const heads1 = await headsOf();
    const catchUps = info.nodes.map((n) => (readFileSync(n.log, "utf8").match(/catch-up requested/g) ?? []).length);
    const devnetResults = JSON.parse(readFileSync(join(dir, "send", "results.json"), "utf8"));
    execFileSync(process.execPath, [bin, "run", "--protocol", "delayed:conditional", ...workload, "--validators", "16", "--committees", "4", "--committee-size", "4", "--slot-seconds", "1", "--out", join(dir, "sim")], { stdio: "ignore" });
    const sim = JSON.parse(readFileSync(join(dir, "sim", "results.json"), "utf8"));
    const nodeCpu = cpu1.map((c, i) => (c === null || cpu0[i] === null ? null : +(c - cpu0[i]).toFixed(2)));
    console.log(JSON.stringify({ run: rep, slots, rate, loadavg: [+load0.toFixed(1), +loadavg()[0].toFixed(1)], nodeCpuSecondsDuringSend: nodeCpu, node0FinalizedHeads: { before: heads0, after: heads1 }, catchUpsPerNode: catchUps, devnet: pick(devnetResults), simulator: pick(sim) }));
  } finally {
    devnet.kill("SIGTERM");
    while (devnet.exitCode === null) await sleep(200);
    if (process.env.KEEP === "1") console.log(`kept ${dir} (logs, stores)`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
