/**
 * Turning command-line flags into a run configuration and workload parameters. Workload
 * parameters are plain flags; a flag the chosen workload does not have is an error, not ignored.
 */
import { Option, type Command } from "commander";
import { XshardError } from "../errors.js";
import { DEFAULT_RUN_CONFIG } from "../runner.js";
import { parseNetworkSpec } from "../sim/network.js";
import type { RunConfig } from "../sim/protocol.js";

/** Flags that become workload parameters (name in the workload spec → flag). */
export const WORKLOAD_FLAGS: readonly [param: string, flag: string, help: string][] = [
  ["slots", "--slots <n>", "slots in which transactions are submitted"],
  ["rate", "--rate <n>", "transactions submitted per slot"],
  ["accounts", "--accounts <n>", "user accounts"],
  ["contracts", "--contracts <n>", "contracts (token/counter workloads)"],
  ["pools", "--pools <n>", "exchange pools"],
  ["form", "--form <form>", "exchange program form: direct | naive"],
  ["amount", "--amount <n>", "largest swap amount"],
  ["cross", "--cross <share>", "transfer: share touching two tokens"],
  ["p", "--p <prob>", "interconnect: probability of touching several contracts"],
  ["k", "--k <n>", "interconnect: most contracts per transaction"],
  ["pairs", "--pairs <n>", "train-hotel: train/hotel pairs"],
  ["capacity", "--capacity <n>", "train-hotel: seats/rooms each"],
  ["skew", "--skew <share>", "train-hotel: share booking another city's hotel"],
  ["cap", "--cap <n>", "fee-shock: ordinary users' fee cap per gas"],
  ["shockStart", "--shock-start <slot>", "fee-shock: first slot of the shock"],
  ["shockEnd", "--shock-end <slot>", "fee-shock: slot after the shock's last"],
  ["shockRate", "--shock-rate <n>", "fee-shock: extra transactions per slot on the shocked shard"],
  ["shockCap", "--shock-cap <n>", "fee-shock: the shock's fee cap per gas"],
  ["collide", "--collide <share>", "collision: share of swaps followed by a draining transfer"],
];

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
  ["blockGas", "--block-gas <n>", "int", "receipts: shard block gas limit"],
  ["baseFee", "--base-fee <n>", "int", "receipts: initial base fee per gas"],
  ["segmentGas", "--segment-gas <n>", "int", "receipts: fixed gas of a segment"],
  ["proofByteGas", "--proof-byte-gas <n>", "int", "receipts: gas per claim-proof byte"],
  ["stage2Mode", "--stage2-mode <mode>", "string", "delayed: strict | conditional (default conditional)"],
  ["assignment", "--assignment <rule>", "string", "delayed: contracts to committees: shuffle | adaptive (default shuffle)"],
  ["epochSlots", "--epoch-slots <n>", "int", "delayed/adaptive: slots per re-assignment epoch (default 8)"],
  ["loadBound", "--load-bound <factor>", "number", "delayed/adaptive: most contracts per committee, times contracts/committees (default 1.25)"],
  ["wrongSigners", "--wrong-signers <spec>", "string", "delayed: committee:fraction[:fromSlot] of a committee's stake signs wrong post-roots (several joined by +)"],
  ["withhold", "--withhold <slots>", "string", "delayed: Stage-1 slots whose proposer withholds the block's data (joined by , or +)"],
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
    .option("--slot-seconds <s>", "slot length in seconds")
    .option("--network <model>", "network delay model: fixed:MS | uniform:MIN:MAX | lognormal:MEDIAN:SIGMA:MAX")
    .option("--no-signatures", "turn BLS signature work off (very large simulations)")
    .option("--trace <indices>", "transactions to trace for the timeline (comma-separated)")
  for (const [, flag, , help] of PROTOCOL_FLAGS) cmd.addOption(new Option(flag, help));
  for (const [, flag, help] of WORKLOAD_FLAGS) cmd.addOption(new Option(flag, help));
  return cmd;
}

function toInt(name: string, v: unknown): number {
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isInteger(n)) throw new XshardError("BAD_PARAM", `--${name} must be an integer, got '${String(v)}'`, { name, value: v });
  return n;
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
  ];
  for (const [flag, key] of intFlags) if (o[flag] !== undefined) c[key] = toInt(flag.replace(/[A-Z]/g, (m) => "-" + m.toLowerCase()), o[flag]);
  if (o.slotSeconds !== undefined) {
    const s = Number(o.slotSeconds);
    if (!(s > 0)) throw new XshardError("BAD_PARAM", `--slot-seconds must be positive, got '${String(o.slotSeconds)}'`, { value: o.slotSeconds });
    c.slotSeconds = s;
  }
  if (o.network !== undefined) c.network = parseNetworkSpec(String(o.network));
  if (o.signatures === false) c.signatures = false;
  if (o.trace !== undefined) c.trace = String(o.trace).split(",").map((x) => toInt("trace", x.trim()));
  const options: Record<string, number | string> = {};
  for (const [key, flag, kind] of PROTOCOL_FLAGS) {
    const v = o[key];
    if (v === undefined) continue;
    const name = flag.split(" ")[0]?.slice(2) ?? key;
    if (kind === "int") options[key] = toInt(name, v);
    else if (kind === "number") {
      const n = Number(v);
      if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n)) throw new XshardError("BAD_PARAM", `--${name} must be a number, got '${String(v)}'`, { name, value: v });
      options[key] = n;
    } else options[key] = String(v);
  }
  c.options = options;
  return c as Partial<RunConfig> & { protocol: string };
}

/** Workload parameters given on the command line (only those actually given). */
export function workloadParamsFromFlags(o: Record<string, unknown>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [param] of WORKLOAD_FLAGS) {
    const v = o[param];
    if (v === undefined) continue;
    const s = String(v);
    out[param] = s.trim() !== "" && Number.isFinite(Number(s)) ? Number(s) : s;
  }
  return out;
}
