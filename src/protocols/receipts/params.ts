/**
 * Parameters of the receipts design, read from `RunConfig.options` and checked here (a bad value is
 * a typed error naming the option). The consume mode is resolved by `consume/index.ts`.
 */
import { XshardError } from "../../errors.js";
import { resolveCongestionParams, type CongestionParams } from "./congestion.js";

export interface ReceiptsParams {
  /** The consume mode's name (its rule: consume/). */
  readonly consume: string;
  /** sequential: most queued receipts a block must process before new transactions. */
  readonly forced: number;
  /** nonsequential: a claim's proof must reach a beacon block at most this many slots old. */
  readonly window: number;
  /**
   * Gas limit of a shard block; the base fee targets half of it. A transaction whose gas limit is
   * above it is refused at submission (`isGasLimitWithinBlock`). Default: the run's `slotGas`
   * (the same gas per slot per shard as every design); `--block-gas` overrides it for receipts.
   */
  readonly blockGas: bigint;
  /** Base fee of every shard at genesis. */
  readonly initialBaseFee: bigint;
  /** Gas every segment pays on top of its calls' instructions. */
  readonly segmentGas: bigint;
  /** Gas per byte of a claim's proof (the receipt's Merkle branches and the shard header). */
  readonly proofByteGas: bigint;
  /** Congestion control (NEP-539, `congestion.ts`); off unless `--congestion on` or a `+cc` protocol name. */
  readonly congestion: CongestionParams;
}

export const DEFAULT_RECEIPTS_PARAMS: Omit<ReceiptsParams, "consume" | "congestion"> = {
  forced: 16,
  window: 64,
  // Replaced by the run's slotGas (default 2,000,000). The workloads' default transaction gas
  // limit is 2,000,000: one such transaction fits a block.
  blockGas: 2_000_000n,
  initialBaseFee: 1n,
  segmentGas: 2_000n,
  proofByteGas: 4n,
};

/** Integer options: name → [field, min, max]. */
const INT_OPTIONS: readonly [string, keyof typeof DEFAULT_RECEIPTS_PARAMS, number, number][] = [
  ["forced", "forced", 1, 1_000_000],
  ["window", "window", 1, 1_000_000],
  ["blockGas", "blockGas", 10_000, Number.MAX_SAFE_INTEGER],
  ["baseFee", "initialBaseFee", 1, Number.MAX_SAFE_INTEGER],
  ["segmentGas", "segmentGas", 0, 1_000_000_000],
  ["proofByteGas", "proofByteGas", 0, 1_000_000],
];

/**
 * Parameters for consume mode `consume` from the run's options (options of other protocols are
 * ignored); `slotGas` is the run's gas per slot per shard (the block gas unless `blockGas` is given),
 * `congestionOn` forces congestion control on (the `+cc` protocol names); the congestion limit
 * defaults to `blockTxLimit` receipts (one full block).
 */
export function resolveReceiptsParams(
  consume: string,
  options: Readonly<Record<string, number | string>>,
  slotGas: number = Number(DEFAULT_RECEIPTS_PARAMS.blockGas),
  congestionOn = false,
  blockTxLimit = 512,
): ReceiptsParams {
  const out: Record<string, unknown> = { ...DEFAULT_RECEIPTS_PARAMS, blockGas: BigInt(slotGas), consume };
  for (const [option, field, lo, hi] of INT_OPTIONS) {
    const v = options[option];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi) {
      throw new XshardError("BAD_PARAM", `${option} must be an integer in [${lo}, ${hi}], got '${String(v)}'`, { name: option, value: v });
    }
    out[field] = typeof DEFAULT_RECEIPTS_PARAMS[field] === "bigint" ? BigInt(n) : n;
  }
  out.congestion = resolveCongestionParams(options, blockTxLimit, congestionOn);
  return out as unknown as ReceiptsParams;
}
