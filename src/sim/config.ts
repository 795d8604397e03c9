/**
 * The `config` block of a results file: the resolved run configuration every protocol shares, then
 * the protocol's own settings. One place, so every results file names the same keys the same way.
 */
import type { GeneratedWorkload } from "../workloads/types.js";
import type { RunConfig } from "./protocol.js";

export function computeConfigRecord(
  protocol: string,
  c: RunConfig,
  workload: GeneratedWorkload,
  own: Record<string, unknown>,
  groups: "shards" | "committees" = "shards",
): Record<string, unknown> {
  return {
    protocol,
    seed: c.seed,
    workload: { name: workload.name, params: workload.params },
    slotSeconds: c.slotSeconds,
    drainSlots: c.drainSlots,
    validators: c.validators,
    committeeSize: c.committeeSize,
    [groups]: c.shards,
    blockTxLimit: c.blockTxLimit,
    slotGas: c.slotGas,
    offline: { share: c.offlineShare, from: c.offlineFrom, until: c.offlineUntil },
    signatures: c.signatures,
    trace: [...c.trace],
    ...own,
  };
}
