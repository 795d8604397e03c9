/**
 * Runs too large for memory are refused before anything is generated: the estimate
 * (`computeRunMemoryEstimate`) against the V8 heap limit of this process, which is what a run
 * that outgrows it dies of. `--allow-large` runs anyway; `node --max-old-space-size=MB` raises the limit.
 */
import { getHeapStatistics } from "node:v8";
import { XshardError } from "../errors.js";
import { computeRunMemoryEstimate } from "../runner.js";
import type { RunConfig } from "../sim/protocol.js";
import type { WorkloadSize } from "../workloads/types.js";

const GIB = 1024 ** 3;

export function formatBytes(n: number): string {
  return n >= GIB ? `${(n / GIB).toFixed(1)} GiB` : `${Math.ceil(n / 1024 ** 2)} MiB`;
}

/** The heap limit a run must fit in (bytes). */
export function getHeapLimit(): number {
  return getHeapStatistics().heap_size_limit;
}

/** Refuses, with the figures, a run whose estimate exceeds `limit` (unless allowed). */
export function checkRunSize(size: WorkloadSize, configs: readonly RunConfig[], allowLarge: boolean, limit = getHeapLimit()): void {
  const need = computeRunMemoryEstimate(size, configs);
  if (allowLarge || need <= limit) return;
  const what = `${size.submissions} transactions, ${size.accounts} accounts, ${size.stateEntries} contract-state entries, ${Math.max(0, ...configs.map((c) => c.validators))} validators${configs.length > 1 ? `, ${configs.length} protocols` : ""}`;
  throw new XshardError(
    "RUN_TOO_LARGE",
    `this run needs about ${formatBytes(need)} of memory (${what}), more than the heap limit of ${formatBytes(limit)}: make it smaller, raise the limit (node --max-old-space-size=MB), or pass --allow-large`,
    { estimateBytes: need, limitBytes: limit, ...size },
  );
}
