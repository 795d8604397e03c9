/**
 * CPU profile of the light-client passes only (set-up excluded), for docs/benchmarks.md:
 *
 *   node bench/profile-lightclient.mjs warm|batch [--passes N] [--out FILE.cpuprofile] [--wide]
 *
 * `--wide`: the proofs of the sweep's widest run instead (delayed:conditional, 1,000 transfers per
 * slot for 4 slots, 64,000,000 gas per slot: 1,000 proofs per header).
 * Prints the top of the profile by self time.
 */
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { WIDE_RUN, lightclientBatch, lightclientWarm, proofsOf } from "./cases/lightclient.mjs";
import { summarizeProfile } from "./profile.mjs";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { passes: { type: "string", default: "20" }, out: { type: "string" }, wide: { type: "boolean", default: false } } });
const mode = positionals[0] ?? "warm";
const c = { warm: lightclientWarm, batch: lightclientBatch }[mode];
if (c === undefined) throw new Error(`mode must be warm or batch, got ${mode}`);
const ctx = await c.setup();
if (values.wide) {
  Object.assign(ctx, await proofsOf(...WIDE_RUN));
  c.opsPerRun = ctx.proofs.length;
}
for (let i = 0; i < 3; i++) c.run(ctx);
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 200 });
await session.post("Profiler.start");
const cpu = process.cpuUsage();
const passes = Number(values.passes);
for (let i = 0; i < passes; i++) c.run(ctx);
const used = process.cpuUsage(cpu);
const { profile } = await session.post("Profiler.stop");
if (values.out) writeFileSync(values.out, JSON.stringify(profile));
const perCpu = (passes * c.opsPerRun * 1e6) / (used.user + used.system);
console.log(`${mode}: ${passes} passes of ${c.opsPerRun} proofs, ${Math.round(perCpu).toLocaleString("en-US")} proofs per CPU-second (profiler on)`);
for (const line of summarizeProfile(profile, 20)) console.log(line);
