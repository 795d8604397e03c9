#!/usr/bin/env node
/**
 * Same-process A/B of the token-transfer case between two builds, for a machine too busy for
 * separate processes to compare: both builds' case modules are loaded into one process (each
 * imports its own dist/), set up, warmed up, then timed in alternating chunks of blocks (A B, B A,
 * …) by the process's CPU time. Prints the median rate of each side, the median of the per-round
 * ratios B/A with their min and max, and checks that both sides give the same results (same
 * state root, same instructions per transfer).
 *
 *   node bench/ab-transfers.mjs OLD_ROOT NEW_ROOT [root|noroot] [--rounds N] [--blocks N]
 *
 * OLD_ROOT and NEW_ROOT are package roots holding bench/cases/xshard.mjs, dist/ and build/ (e.g. a
 * copy of this checkout made before a change, with node_modules linked in).
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import os from "node:os";
import { computeMedian } from "./harness.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: "string", default: "30" }, blocks: { type: "string", default: "20" }, warmup: { type: "string", default: "40" } },
});
const [oldRoot, newRoot, mode = "root"] = positionals;
if (oldRoot === undefined || newRoot === undefined || !["root", "noroot"].includes(mode)) {
  console.error("usage: node bench/ab-transfers.mjs OLD_ROOT NEW_ROOT [root|noroot] [--rounds N] [--blocks N]");
  process.exit(2);
}
const exportName = mode === "root" ? "xshardTransferWithRoot" : "xshardTransfer";
const load = async (root) => (await import(`${resolve(root)}/bench/cases/xshard.mjs`))[exportName];
const sides = [await load(oldRoot), await load(newRoot)];
const ctxs = [await sides[0].setup(), await sides[1].setup()];
const blocks = Number(values.blocks);

/** Transfers per CPU-second of `blocks` blocks of one side. */
function time(i) {
  const t = process.cpuUsage();
  for (let b = 0; b < blocks; b++) sides[i].run(ctxs[i]);
  const u = process.cpuUsage(t);
  return (blocks * sides[i].opsPerRun * 1e6) / (u.user + u.system);
}

for (let b = 0; b < Number(values.warmup); b++) for (const i of [0, 1]) sides[i].run(ctxs[i]);
const rates = [[], []];
const ratios = [];
for (let r = 0; r < Number(values.rounds); r++) {
  const order = r % 2 === 0 ? [0, 1] : [1, 0];
  const got = [];
  for (const i of order) got[i] = time(i);
  rates[0].push(got[0]);
  rates[1].push(got[1]);
  ratios.push(got[1] / got[0]);
}
const facts = [JSON.stringify(await sides[0].describe(ctxs[0])), JSON.stringify(await sides[1].describe(ctxs[1]))];
console.log(facts[0] === facts[1] ? `same results: ${facts[1]}` : `RESULTS DIFFER:\n  A ${facts[0]}\n  B ${facts[1]}`);
console.log(
  `${sides[0].name}: ${ratios.length} rounds of ${blocks} blocks; transfers per CPU-second median A ${Math.round(computeMedian(rates[0])).toLocaleString("en-US")}, ` +
    `B ${Math.round(computeMedian(rates[1])).toLocaleString("en-US")}; B/A median ${computeMedian(ratios).toFixed(3)} ` +
    `(min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}); load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
);
if (facts[0] !== facts[1]) process.exitCode = 1;
