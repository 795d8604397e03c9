#!/usr/bin/env node
/**
 * Prepares every library contract (the metering pass, src/runtime/prepare.ts) with the runtime's
 * default limits and stores the result in the prepared-code cache (src/runtime/codeCache.ts), so
 * that even the first run after `npm run build` loads no binaryen. Runs after `build:ts` (it uses
 * dist/). The cache changes no result: a run without it prepares the same bytes.
 */
import { LIBRARY_CONTRACTS, Runtime, codeCacheStats, loadLibraryWasm, loadPreparer } from "../dist/runtime/index.js";

await loadPreparer();
const runtime = new Runtime();
for (const name of LIBRARY_CONTRACTS) runtime.registerCode(loadLibraryWasm(name));
const { prepared, diskHits } = codeCacheStats;
console.log(`prepared code of ${LIBRARY_CONTRACTS.length} library contracts cached (${prepared + diskHits} distinct modules: ${prepared} prepared, ${diskHits} already cached)`);
