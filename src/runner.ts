/**
 * Library entry points behind the CLI: resolve a run configuration, generate (or load) the
 * workload once, run one protocol or several on it.
 */
import { XshardError } from "./errors.js";
import { getProtocol } from "./registry.js";
import type { ProtocolRunOutput, RunConfig } from "./sim/protocol.js";
import type { NetworkSpec } from "./sim/network.js";
import type { GeneratedWorkload } from "./workloads/types.js";

export const DEFAULT_RUN_CONFIG: Omit<RunConfig, "protocol"> = {
  seed: "1",
  drainSlots: 32,
  slotSeconds: 12,
  validators: 64,
  committeeSize: 16,
  shards: 4,
  stage2PerSlot: 1,
  blockTxLimit: 512,
  signatures: true,
  network: { kind: "fixed", ms: 500 } satisfies NetworkSpec,
  trace: [0],
  options: {},
};

/** Fills defaults and checks ranges; a bad value is a typed error naming the option. */
export function resolveRunConfig(partial: Partial<RunConfig> & { protocol: string }): RunConfig {
  const c: RunConfig = { ...DEFAULT_RUN_CONFIG, ...partial };
  const ints: [keyof RunConfig, number, number][] = [
    ["drainSlots", 0, 100_000],
    ["validators", 1, 1_000_000],
    ["committeeSize", 1, 100_000],
    ["shards", 1, 4096],
    ["stage2PerSlot", 1, 64],
    ["blockTxLimit", 1, 1_000_000],
  ];
  for (const [k, lo, hi] of ints) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new XshardError("BAD_PARAM", `${k} must be an integer in [${lo}, ${hi}], got ${v}`, { name: k, value: v });
    }
  }
  if (!(c.slotSeconds > 0)) throw new XshardError("BAD_PARAM", `slotSeconds must be positive, got ${c.slotSeconds}`, { value: c.slotSeconds });
  getProtocol(c.protocol);
  return c;
}

export function runProtocol(config: RunConfig, workload: GeneratedWorkload, onSlot?: (slot: number, last: number) => void): ProtocolRunOutput {
  const p = getProtocol(config.protocol);
  return p.run(onSlot ? { config, workload, onSlot } : { config, workload });
}

/** Stable JSON for results files: 2-space indented, bigint as decimal strings. */
export function stringifyResults(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}
