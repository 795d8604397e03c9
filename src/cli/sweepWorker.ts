/** One sweep grid point in a worker thread: compare every protocol, return the figures. */
import { threadId } from "node:worker_threads";
import { isXshardError } from "../errors.js";
import { resolveRunConfig, runProtocol } from "../runner.js";
import type { ResultsFile } from "../results/schema.js";
import type { SweepRow } from "../report/model.js";
import { runConfigFromFlags } from "./options.js";
import { loadWorkload } from "./workload.js";
import type { SweepTask } from "./sweepGrid.js";

export interface SweepTaskResult {
  readonly rows: SweepRow[];
  readonly threadId: number;
  /** A typed error of this grid point, sent as data (classes do not cross threads). */
  readonly error?: { code: string; message: string; data: Record<string, unknown> };
}

/** The figures a sweep reports for one run (null when not defined for the protocol). */
export function computeSweepFigures(r: ResultsFile): Record<string, number | null> {
  const num = (x: unknown): number | null => (typeof x === "number" ? x : null);
  return {
    committed: r.summary.outcomes.committed,
    aborted: r.summary.outcomes.aborted,
    partial: r.summary.outcomes.partial,
    hung: r.summary.outcomes.hung,
    latencyP50: r.summary.latencySlots.submitToFinal.p50,
    latencyP90: r.summary.latencySlots.submitToFinal.p90,
    inclusionToFinalP50: r.summary.latencySlots.inclusionToFinal.p50,
    inclusionToFinalMean: r.summary.latencySlots.inclusionToFinal.mean,
    throughputTxPerSlot: r.summary.throughputTxPerSlot,
    stage2BlocksPerStage1Block: num(r.summary.protocol.stage2BlocksPerStage1Block),
    hopsMean: num(r.summary.protocol.hopsMean),
  };
}

/**
 * Errors lose their class when they cross the thread boundary, so a typed error (a user mistake
 * such as an out-of-range swept value) comes back as data; anything else is a bug and is thrown.
 */
export default function runPoint(task: SweepTask): SweepTaskResult {
  try {
    return { rows: runRows(task), threadId };
  } catch (e) {
    if (isXshardError(e)) return { rows: [], threadId, error: { code: e.code, message: e.message, data: e.data } };
    throw e;
  }
}

function runRows(task: SweepTask): SweepRow[] {
  const rows: SweepRow[] = [];
  const configs = task.protocols.map((p) => resolveRunConfig(runConfigFromFlags(task.options, p)));
  const workload = loadWorkload(task.options, (configs[0] as { seed: string }).seed);
  for (const config of configs) {
    const out = runProtocol(config, workload);
    rows.push({ protocol: config.protocol, params: task.point, figures: computeSweepFigures(out.results) });
  }
  return rows;
}
