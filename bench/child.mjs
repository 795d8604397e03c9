#!/usr/bin/env node
/**
 * One bench case in a process of its own (used by bench/pairs.mjs): set up, warm up, take samples,
 * print one JSON line with the result. Usage:
 *   node bench/child.mjs CASE [--reps N] [--warmup-ms MS] [--sample-ms MS]
 */
import { parseArgs } from "node:util";
import { measureCase } from "./harness.mjs";
import { evmTransfer, evmTransferWithRoot } from "./cases/evm.mjs";
import { merkleProofVerify, xshardTransfer, xshardTransferWithRoot } from "./cases/xshard.mjs";

export const CHILD_CASES = [evmTransfer, evmTransferWithRoot, xshardTransferWithRoot, xshardTransfer, merkleProofVerify];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { reps: { type: "string", default: "3" }, "warmup-ms": { type: "string", default: "1000" }, "sample-ms": { type: "string", default: "400" } },
});
const benchCase = CHILD_CASES.find((c) => c.name === positionals[0]);
if (benchCase === undefined) {
  console.error(`bench/child: unknown case ${positionals[0]} (one of ${CHILD_CASES.map((c) => c.name).join(", ")})`);
  process.exit(2);
}
const options = { reps: Number(values.reps), warmupMs: Number(values["warmup-ms"]), sampleMs: Number(values["sample-ms"]) };
const result = await measureCase(benchCase, options);
console.log(JSON.stringify(result, (_, v) => (typeof v === "bigint" ? String(v) : v)));
