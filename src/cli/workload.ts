/** The workload of a run, shared by `run`, `compare` and the sweep's worker threads. */
import { XshardError } from "../errors.js";
import { loadScenario } from "../scenario/load.js";
import { getWorkload } from "../workloads/index.js";
import type { GeneratedWorkload } from "../workloads/types.js";
import { workloadParamsFromFlags } from "./options.js";

/** The workload of a run: generated from flags, or loaded from a scenario file. */
export function loadWorkload(o: Record<string, unknown>, seed: string): GeneratedWorkload {
  const params = workloadParamsFromFlags(o);
  if (o.scenario !== undefined) {
    if (o.workload !== undefined) throw new XshardError("BAD_PARAM", "give --workload or --scenario, not both");
    return loadScenario(String(o.scenario), seed, params);
  }
  return getWorkload(String(o.workload ?? "exchange")).generate(params, seed);
}
