/**
 * CPU profile of the token-transfer blocks only (set-up and warm-up excluded), for docs/benchmarks.md:
 *
 *   node bench/profile-transfers.mjs [root|noroot] [--warmup N] [--blocks N] [--out FILE.cpuprofile]
 *
 * Prints the transfers per CPU-second of the profiled blocks (profiler on) and the top of the
 * profile by self time.
 */
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { xshardTransfer, xshardTransferWithRoot } from "./cases/xshard.mjs";
import { summarizeProfile } from "./profile.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { warmup: { type: "string", default: "300" }, blocks: { type: "string", default: "300" }, out: { type: "string" }, top: { type: "string", default: "25" } },
});
const mode = positionals[0] ?? "root";
const c = { root: xshardTransferWithRoot, noroot: xshardTransfer }[mode];
if (c === undefined) throw new Error(`mode must be root or noroot, got ${mode}`);
const ctx = await c.setup();
for (let i = 0; i < Number(values.warmup); i++) c.run(ctx);
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 200 });
await session.post("Profiler.start");
const cpu = process.cpuUsage();
const blocks = Number(values.blocks);
for (let i = 0; i < blocks; i++) c.run(ctx);
const used = process.cpuUsage(cpu);
const { profile } = await session.post("Profiler.stop");
if (values.out) writeFileSync(values.out, JSON.stringify(profile));
const perCpu = (blocks * c.opsPerRun * 1e6) / (used.user + used.system);
console.log(`${c.name}: ${blocks} blocks of ${c.opsPerRun}, ${Math.round(perCpu).toLocaleString("en-US")} transfers per CPU-second (profiler on)`);
for (const line of summarizeProfile(profile, Number(values.top))) console.log(line);
await c.describe(ctx);
