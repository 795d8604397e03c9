/**
 * The `config` block of a delayed run's results: the shared run configuration, then the two-stage
 * chain's own settings (mode, assignment, faults, the resource limits its rules derive).
 */
import { computeStage1GasLimit, computeStage2Budget } from "../../protocols/delayed/budget.js";
import type { DelayedOptions } from "../../protocols/delayed/options.js";
import type { DelayedParams } from "../../protocols/delayed/state.js";
import type { GeneratedWorkload } from "../../workloads/types.js";
import { computeConfigRecord } from "../config.js";
import type { RunConfig } from "../protocol.js";

export function computeDelayedConfigRecord(protocolName: string, c: RunConfig, o: DelayedOptions, workload: GeneratedWorkload, network: string, params: DelayedParams): Record<string, unknown> {
  return computeConfigRecord(
    protocolName,
    c,
    workload,
    {
      network,
      stage2PerSlot: c.stage2PerSlot,
      stage2Mode: o.stage2Mode,
      assignment: o.assignment,
      epochSlots: o.epochSlots,
      loadBound: o.loadBound,
      wrongSigners: o.wrongSigners.map((w) => `${w.committee}:${w.fraction}:${w.fromSlot}`).join("+"),
      withhold: [...o.withhold].sort((a, b) => a - b),
      stage1Bytes: o.stage1Bytes,
      stage1GasLimit: Number(computeStage1GasLimit(params)),
      stage2Budget: computeStage2Budget(params),
    },
    "committees",
  );
}
