/**
 * Library entry points behind the CLI: resolve a run configuration, generate (or load) the
 * workload once, run one protocol or several on it.
 */
import { XshardError } from "./errors.js";
import { getProtocol } from "./registry.js";
import type { ProtocolRunOutput, RunConfig } from "./sim/protocol.js";
import { checkNetworkSpec, type NetworkSpec } from "./sim/network.js";
import type { GeneratedWorkload, WorkloadSize } from "./workloads/types.js";

export const DEFAULT_RUN_CONFIG: Omit<RunConfig, "protocol"> = {
  seed: "1",
  drainSlots: 32,
  slotSeconds: 12,
  validators: 64,
  committeeSize: 16,
  shards: 4,
  stage2PerSlot: 1,
  blockTxLimit: 512,
  slotGas: 2_000_000,
  offlineShare: 0,
  offlineFrom: 0,
  offlineUntil: null,
  signatures: true,
  network: { kind: "fixed", ms: 500 } satisfies NetworkSpec,
  trace: [0],
  options: {},
};

/** Longest slot (one day): longer slots only move every latency figure off the chart. */
export const MAX_SLOT_SECONDS = 86_400;

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
    ["slotGas", 10_000, Number.MAX_SAFE_INTEGER],
    ["offlineFrom", 0, 10_000_000],
  ];
  for (const [k, lo, hi] of ints) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new XshardError("BAD_PARAM", `${k} must be an integer in [${lo}, ${hi}], got ${v}`, { name: k, value: v });
    }
  }
  if (!(Number.isFinite(c.slotSeconds) && c.slotSeconds > 0 && c.slotSeconds <= MAX_SLOT_SECONDS)) {
    throw new XshardError("BAD_PARAM", `slotSeconds must be a number in (0, ${MAX_SLOT_SECONDS}], got ${c.slotSeconds}`, { name: "slotSeconds", value: c.slotSeconds });
  }
  if (!(typeof c.offlineShare === "number" && c.offlineShare >= 0 && c.offlineShare < 1)) {
    throw new XshardError("BAD_PARAM", `offlineShare must be a number in [0, 1), got ${c.offlineShare}`, { name: "offlineShare", value: c.offlineShare });
  }
  if (c.offlineUntil !== null && !(Number.isInteger(c.offlineUntil) && c.offlineUntil > c.offlineFrom && c.offlineUntil <= 10_000_000)) {
    throw new XshardError("BAD_PARAM", `offlineUntil must be an integer slot after offlineFrom (${c.offlineFrom}), got ${c.offlineUntil}`, { name: "offlineUntil", value: c.offlineUntil });
  }
  if (typeof c.seed !== "string" || c.seed === "") throw new XshardError("BAD_PARAM", "seed must be a non-empty string", { name: "seed", value: c.seed });
  for (const i of c.trace) {
    if (!Number.isSafeInteger(i) || i < 0) throw new XshardError("BAD_PARAM", `trace indices must be integers ≥ 0, got ${i}`, { name: "trace", value: i });
  }
  for (const [k, v] of Object.entries(c.options)) {
    if (typeof v === "number" && !Number.isFinite(v)) throw new XshardError("BAD_PARAM", `option ${k} must be finite, got ${v}`, { name: k, value: v });
  }
  checkNetworkSpec(c.network);
  getProtocol(c.protocol);
  return c;
}

/**
 * Memory one unit of a run takes, in bytes: measured peaks, rounded up (docs/scenarios.md
 * "Run size"). A transaction's cost covers its signed form, the protocol's bookkeeping and its
 * results record; `compare` keeps every earlier protocol's results record too.
 */
export const MEMORY_PER_UNIT = {
  transaction: 16 * 1024,
  resultsRecord: 2 * 1024,
  stateEntry: 1024,
  account: 1024,
  validator: 2 * 1024,
} as const;

/** Estimated peak memory (bytes) of running `size` under each of `configs` in turn, as `compare` does. */
export function computeRunMemoryEstimate(size: WorkloadSize, configs: readonly RunConfig[]): number {
  const m = MEMORY_PER_UNIT;
  const validators = Math.max(0, ...configs.map((c) => c.validators));
  const perTx = m.transaction + m.resultsRecord * Math.max(0, configs.length - 1);
  return size.submissions * perTx + size.stateEntries * m.stateEntry + size.accounts * m.account + validators * m.validator;
}

export function runProtocol(config: RunConfig, workload: GeneratedWorkload, onSlot?: (slot: number, last: number) => void): ProtocolRunOutput {
  const p = getProtocol(config.protocol);
  return p.run(onSlot ? { config, workload, onSlot } : { config, workload });
}

/** Stable JSON for results files: 2-space indented, bigint as decimal strings. */
export function stringifyResults(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}
