/**
 * Honest ratios (issue 12 item 6): the EVM baseline and xshard run interleaved — A B A B … — each in
 * a child process of its own (bench/child.mjs), so that neither side's garbage, JIT state or heap
 * slows the other. Each pair gives a ratio xshard / EVM; the headline is the median of the pair
 * ratios (wall time), with their min and max, and the same from CPU time. Two headlines:
 *   - with state roots on both sides: xshard.token-transfer+root / evm.erc20-transfer+root (MPT root);
 *   - with roots on neither side:     xshard.token-transfer      / evm.erc20-transfer.
 */
import { execFileSync } from "node:child_process";
import { computeMedian } from "./harness.mjs";

const CHILD = new URL("./child.mjs", import.meta.url).pathname;

/** The headlines: the xshard case, its EVM counterpart, and the goal. */
export const HEADLINES = [
  { title: "state roots on both sides", xshard: "xshard.token-transfer+root", evm: "evm.erc20-transfer+root", goal: 200 },
  { title: "roots on neither side", xshard: "xshard.token-transfer", evm: "evm.erc20-transfer", goal: 150 },
];

/** Runs one case in its own process; returns its median rate. */
function runChild(name, childOptions) {
  const args = [CHILD, name, "--reps", String(childOptions.reps), "--warmup-ms", String(childOptions.warmupMs), "--sample-ms", String(childOptions.sampleMs)];
  const out = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 22 });
  return JSON.parse(out.trim().split("\n").pop());
}

/**
 * `pairs` interleaved pairs for one headline; the first side alternates (EVM first in even pairs,
 * xshard first in odd ones) so that neither always runs on a machine warmed by the other.
 */
export function measurePairs(headline, pairs, childOptions, onPair = () => {}) {
  const rows = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? ["evm", "xshard"] : ["xshard", "evm"];
    const r = {};
    for (const side of order) r[side] = runChild(headline[side], childOptions);
    const row = {
      pair: i + 1,
      evm: r.evm.medianOpsPerSec,
      xshard: r.xshard.medianOpsPerSec,
      ratio: r.xshard.medianOpsPerSec / r.evm.medianOpsPerSec,
      cpuRatio: r.xshard.medianCpuOpsPerSec / r.evm.medianCpuOpsPerSec,
    };
    rows.push(row);
    onPair(row);
  }
  const ratios = rows.map((row) => row.ratio);
  const cpuRatios = rows.map((row) => row.cpuRatio);
  const median = computeMedian(ratios);
  return {
    ...headline,
    pairs: rows,
    medianEvm: computeMedian(rows.map((row) => row.evm)),
    medianXshard: computeMedian(rows.map((row) => row.xshard)),
    ratio: { min: Math.min(...ratios), median, max: Math.max(...ratios) },
    cpuRatio: { min: Math.min(...cpuRatios), median: computeMedian(cpuRatios), max: Math.max(...cpuRatios) },
    met: median >= headline.goal,
  };
}
