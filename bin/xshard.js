#!/usr/bin/env -S node --max-semi-space-size=64
// A larger young generation: large runs spend ~12 % less CPU and peak memory in the garbage
// collector (docs/benchmarks.md, "Young-generation size"); results do not depend on it.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
