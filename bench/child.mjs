#!/usr/bin/env node
/**
 * One bench case in a process of its own (used by bench/pairs.mjs): set up, warm up, take samples,
 * print one JSON line with the result. Usage:
 *   node bench/child.mjs CASE [--reps N] [--warmup-ms MS] [--sample-ms MS]
 */
import { parseArgs } from "node:util";
import { measureCase } from "./harness.mjs";

/**
 * The cases by name, each with the module that defines it: a child loads only its own side's
 * module, so an xshard child carries no solc or EVM in its heap (and an EVM child no xshard).
 */
const CASE_MODULES = {
  "evm.erc20-transfer": ["./cases/evm.mjs", "evmTransfer"],
  "evm.erc20-transfer+root": ["./cases/evm.mjs", "evmTransferWithRoot"],
  "xshard.token-transfer+root": ["./cases/xshard.mjs", "xshardTransferWithRoot"],
  "xshard.token-transfer": ["./cases/xshard.mjs", "xshardTransfer"],
  "xshard.merkle-proof-verify": ["./cases/xshard.mjs", "merkleProofVerify"],
};
export const CHILD_CASE_NAMES = Object.keys(CASE_MODULES);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { reps: { type: "string", default: "3" }, "warmup-ms": { type: "string", default: "1000" }, "sample-ms": { type: "string", default: "400" } },
});
const entry = Object.hasOwn(CASE_MODULES, positionals[0] ?? "") ? CASE_MODULES[positionals[0]] : undefined;
if (entry === undefined) {
  console.error(`bench/child: unknown case ${positionals[0]} (one of ${CHILD_CASE_NAMES.join(", ")})`);
  process.exit(2);
}
const benchCase = (await import(entry[0]))[entry[1]];
const options = { reps: Number(values.reps), warmupMs: Number(values["warmup-ms"]), sampleMs: Number(values["sample-ms"]) };
const result = await measureCase(benchCase, options);
console.log(JSON.stringify(result, (_, v) => (typeof v === "bigint" ? String(v) : v)));
