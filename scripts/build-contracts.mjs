#!/usr/bin/env node
/**
 * Compiles every library contract (each top-level contracts/<name>.ts; contracts/lib/ holds shared
 * code) with AssemblyScript into build/contracts/<name>.wasm.
 *
 * Release settings (-O3, asserts kept), the stub runtime (a bump allocator that never frees: the
 * runtime restores memory after every call, see docs/contracts.md) and paths relative to the package
 * root, so the output is byte-identical on every machine.
 */
import { mkdir, readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_DIR = "contracts";
const OUT_DIR = "build/contracts";

const FLAGS = ["--runtime", "stub", "--optimizeLevel", "3", "--shrinkLevel", "0", "--noColors"];

/** Names of the contract entry files, sorted. */
async function listContracts() {
  const entries = await readdir(new URL(`../${SOURCE_DIR}/`, import.meta.url), { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => e.name.slice(0, -3))
    .sort();
}

async function compile(name) {
  const { error, stderr } = await asc.main(
    [`${SOURCE_DIR}/${name}.ts`, "--baseDir", ROOT, "--outFile", `${OUT_DIR}/${name}.wasm`, ...FLAGS],
    {},
  );
  if (error) throw new Error(`asc failed on ${name}: ${error.message}\n${stderr.toString()}`);
}

await mkdir(new URL(`../${OUT_DIR}/`, import.meta.url), { recursive: true });
const names = await listContracts();
for (const name of names) await compile(name);
console.log(`built ${names.length} contracts into ${OUT_DIR}/: ${names.join(", ")}`);
