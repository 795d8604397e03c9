/**
 * Turning command-line flags into a run configuration and workload parameters. Workload
 * parameters are plain flags; a flag the chosen workload does not have is an error, not ignored.
 */
import { Command, Option } from "commander";
import { XshardError } from "../errors.js";
import { parseDecimalInteger, parseDecimalNumber } from "../numbers.js";
import { DEFAULT_RUN_CONFIG } from "../runner.js";
import { parseNetworkSpec } from "../sim/network.js";
import type { RunConfig } from "../sim/protocol.js";
import { listWorkloads } from "../workloads/index.js";
import { toFlagName } from "../workloads/common.js";

/**
 * Flags that become workload parameters: every parameter of every registered workload, under the
 * flag `xshard workloads` lists (`shockStart` → `--shock-start`). Param name, flag, help.
 */
export const WORKLOAD_FLAGS: readonly [param: string, flag: string, help: string][] = computeWorkloadFlags();

function computeWorkloadFlags(): [string, string, string][] {
  const byName = new Map<string, { help: string; workloads: string[] }>();
  for (const w of listWorkloads()) {
    for (const p of w.params) {
      const e = byName.get(p.name) ?? { help: p.help, workloads: [] };
      e.workloads.push(w.name);
      byName.set(p.name, e);
    }
  }
  return [...byName].map(([name, e]) => [name, `${toFlagName(name)} <${name === "form" ? "form" : "value"}>`, `${e.workloads.join(", ")}: ${e.help}`]);
}

/**
 * Protocol-specific flags → `config.options` (each protocol validates its own and ignores others'):
 * option key, flag, value kind, help.
 */
export const PROTOCOL_FLAGS: readonly [key: string, flag: string, kind: "int" | "number" | "string", help: string][] = [
  ["consume", "--consume <mode>", "string", "receipts: nonsequential | sequential | passive"],
  ["forced", "--forced <n>", "int", "receipts/sequential: receipts forced into each block"],
  ["q", "--q <prob>", "number", "sync: probability that a shard includes a cross-shard transaction at a height"],
  ["wrongConfirmation", "--wrong-confirmation <shard:height>", "string", "sync: inject a wrong light-client confirmation"],
  ["fraudProofDelay", "--fraud-proof-delay <n>", "int", "sync: heights until a wrong confirmation is disproved"],
  ["onLocked", "--on-locked <mode>", "string", "lock2pc: abort | wait when a contract is locked"],
  ["window", "--window <slots>", "int", "receipts/nonsequential: how many recent beacon blocks a claim proof may use"],
  ["blockGas", "--block-gas <n>", "int", "receipts: shard block gas limit (default: --slot-gas)"],
  ["congestion", "--congestion <on|off>", "string", "receipts: NEP-539 congestion control (default off; the receipts:<mode>+cc protocols turn it on)"],
  ["congestionLimit", "--congestion-limit <gas>", "int", "receipts/congestion: attached gas of a shard's incoming receipts that is 100 % congested and their hard bound (default 20 x block gas)"],
  ["congestionReject", "--congestion-reject <permille>", "int", "receipts/congestion: congestion level (per mille) from which new transactions towards a shard are rejected (default 500)"],
  ["baseFee", "--base-fee <n>", "int", "receipts: initial base fee per gas"],
  ["segmentGas", "--segment-gas <n>", "int", "receipts: fixed gas of a segment"],
  ["proofByteGas", "--proof-byte-gas <n>", "int", "receipts: gas per claim-proof byte"],
  ["stage2Mode", "--stage2-mode <mode>", "string", "delayed: strict | conditional (default conditional)"],
  ["assignment", "--assignment <rule>", "string", "delayed: contracts to committees: shuffle | adaptive (default shuffle)"],
  ["epochSlots", "--epoch-slots <n>", "int", "delayed/adaptive: slots per re-assignment epoch (default 8)"],
  ["loadBound", "--load-bound <factor>", "number", "delayed/adaptive: most contracts per committee, times contracts/committees (default 1.25)"],
  ["wrongSigners", "--wrong-signers <spec>", "string", "delayed: committee:fraction[:fromSlot] of a committee's stake signs wrong post-roots (several joined by +)"],
  ["withhold", "--withhold <slots>", "string", "delayed: Stage-1 slots whose proposer withholds the block's data (joined by , or +)"],
  ["stage1Bytes", "--stage1-bytes <n>", "int", "delayed: most bytes of encoded transactions in a Stage-1 block (default 1048576)"],
];

/** Adds the options shared by `run`, `compare` and `sweep`. */
export function addRunOptions(cmd: Command): Command {
  cmd
    .option("--workload <name>", "workload to generate (see `xshard workloads`)")
    .option("--scenario <file>", "scenario file (JSON) instead of a generated workload")
    .option("--seed <seed>", "seed of every random stream", DEFAULT_RUN_CONFIG.seed)
    .option("--validators <n>", "validators")
    .option("--committee-size <n>", "validators per committee")
    .option("--shards <n>", "shards (receipts, baselines) or contract committees (delayed)")
    .option("--committees <n>", "alias of --shards for the two-stage chain")
    .option("--stage2-per-slot <n>", "Stage-2 blocks per slot (delayed)")
    .option("--drain <n>", "extra slots after the last submission")
    .option("--block-tx-limit <n>", "most transactions per block")
    .option("--slot-gas <n>", "execution gas per slot of one shard / contract committee (every protocol)")
    .option("--offline <share>", "share of validators (seeded) that never sign or propose, in [0, 1)")
    .option("--offline-from <slot>", "offline validators are offline from this slot (default 0)")
    .option("--offline-until <slot>", "…until this slot, exclusive (default: the end of the run)")
    .option("--slot-seconds <s>", "slot length in seconds")
    .option("--network <model>", "network delay model: fixed:MS | uniform:MIN:MAX | lognormal:MEDIAN:SIGMA:MAX")
    .option("--no-signatures", "turn BLS signature work off (very large simulations)")
    .option("--trace <indices>", "transactions to trace for the timeline (comma-separated)")
    .option("--allow-large", "run even when the memory estimate exceeds the heap limit (see docs/scenarios.md)");
  for (const [, flag, , help] of PROTOCOL_FLAGS) cmd.addOption(new Option(flag, help));
  for (const [, flag, help] of WORKLOAD_FLAGS) cmd.addOption(new Option(flag, help));
  return cmd;
}

/** The long names (without `--`) of the flags `addRunOptions` adds that take a value: what `sweep --param` may sweep. */
export function listRunFlagNames(): string[] {
  return addRunOptions(new Command())
    .options.filter((o) => o.required || o.optional)
    .map((o) => (o.long ?? "").slice(2));
}

/** Flag name → the key commander stores its value under (`stage2-per-slot` → `stage2PerSlot`). */
export function toOptionKey(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function flagText(flag: string, v: unknown): string {
  if (typeof v !== "string") throw new XshardError("BAD_PARAM", `--${flag} needs a value`, { name: flag });
  return v;
}

/** A flag's integer value: canonical decimal text only (`""`, `1.5`, `0x10`, `1e3` refused). */
export function parseIntFlag(flag: string, v: unknown): number {
  const n = parseDecimalInteger(flagText(flag, v));
  if (n === undefined) throw new XshardError("BAD_PARAM", `--${flag} must be an integer, got '${String(v)}'`, { name: flag, value: v });
  return n;
}

/** A flag's number value: finite decimal text only (`""`, `Infinity`, `NaN`, hex refused). */
export function parseNumberFlag(flag: string, v: unknown): number {
  const n = parseDecimalNumber(flagText(flag, v));
  if (n === undefined) throw new XshardError("BAD_PARAM", `--${flag} must be a finite decimal number, got '${String(v)}'`, { name: flag, value: v });
  return n;
}

/** `0,3,7` → [0, 3, 7]: transaction indices in canonical decimal, no empty items (`''`, `0,`, `0x0`, `-1` refused). */
export function parseIndexList(flag: string, v: unknown): number[] {
  const text = flagText(flag, v);
  return text.split(",").map((part) => {
    const n = parseDecimalInteger(part);
    if (n === undefined || n < 0) {
      throw new XshardError("BAD_PARAM", `--${flag} must be transaction indices (0, 1, 2, …) separated by commas, got '${text}'`, { name: flag, value: text });
    }
    return n;
  });
}

/** Run configuration from parsed flags (protocol set by the caller). */
export function runConfigFromFlags(o: Record<string, unknown>, protocol: string): Partial<RunConfig> & { protocol: string } {
  const c: Record<string, unknown> & { protocol: string } = { protocol };
  c.seed = String(o.seed ?? DEFAULT_RUN_CONFIG.seed);
  const intFlags: [string, string][] = [
    ["validators", "validators"],
    ["committeeSize", "committeeSize"],
    ["shards", "shards"],
    ["committees", "shards"],
    ["stage2PerSlot", "stage2PerSlot"],
    ["drain", "drainSlots"],
    ["blockTxLimit", "blockTxLimit"],
    ["slotGas", "slotGas"],
    ["offlineFrom", "offlineFrom"],
    ["offlineUntil", "offlineUntil"],
  ];
  for (const [flag, key] of intFlags) if (o[flag] !== undefined) c[key] = parseIntFlag(toFlagName(flag).slice(2), o[flag]);
  if (o.offline !== undefined) c.offlineShare = parseNumberFlag("offline", o.offline);
  if (o.slotSeconds !== undefined) c.slotSeconds = parseNumberFlag("slot-seconds", o.slotSeconds);
  if (o.network !== undefined) c.network = parseNetworkSpec(flagText("network", o.network));
  if (o.signatures === false) c.signatures = false;
  if (o.trace !== undefined) c.trace = parseIndexList("trace", o.trace);
  const options: Record<string, number | string> = {};
  for (const [key, flag, kind] of PROTOCOL_FLAGS) {
    const v = o[key];
    if (v === undefined) continue;
    const name = flag.split(" ")[0]?.slice(2) ?? key;
    if (kind === "int") options[key] = parseIntFlag(name, v);
    else if (kind === "number") options[key] = parseNumberFlag(name, v);
    else options[key] = flagText(name, v);
  }
  c.options = options;
  return c as Partial<RunConfig> & { protocol: string };
}

/** Workload parameters given on the command line (only those given; as text, checked by the workload). */
export function workloadParamsFromFlags(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [param] of WORKLOAD_FLAGS) {
    const v = o[param];
    if (v !== undefined) out[param] = flagText(toFlagName(param).slice(2), v);
  }
  return out;
}
