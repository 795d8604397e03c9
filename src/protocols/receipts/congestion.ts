/**
 * Cross-shard congestion control for receipts, after NEAR's NEP-539 (`--congestion on`). Pure rules,
 * one function per rule, integer math only. Queues are measured in receipts (the limit's unit; the
 * headers also publish the receipts' attached gas, as NEP-539 does).
 *
 * - Every shard publishes its congestion info in its shard header (`CongestionInfo`: the receipts
 *   listed for it and not consumed yet — NEAR's delayed receipts — and the receipts waiting in its
 *   own outgoing buffer). Importers recompute it from the state after the block
 *   (`WRONG_CONGESTION_INFO`). The beacon block that crosslinks a header makes it the shard's known
 *   info (`ReceiptsState.congestion`): what the other shards' rules read.
 * - Congestion level of a shard = max(incoming, buffered) / limit, at most 1 (per mille).
 * - A shard rejects a new transaction at inclusion when a shard its program calls, other than the
 *   one it starts on, is at or above the rejection level by its known info, or when its own outgoing
 *   buffer is (`CONGESTED_DESTINATION`; the transaction is rejected).
 * - A shard spends at most `mix(blockGas, blockGas/25, own incoming level)` gas on new transactions
 *   per block (NEP-539's `process_tx_limit`); the rest is left to receipts.
 * - Receipts sent to a destination per block are limited by its known level:
 *   `mix(limit, limit/20, level)`, and at level 1 only the destination's allowed shard (round robin
 *   over the slot) may send, `limit/20` (NEP-539's `outgoing_gas_limit`, in receipts).
 * - The hard limit (`--congestion-limit`, receipts): a receipt is listed for a destination only while
 *   the receipts listed for it and not consumed stay within the limit (the agreed counter, exact).
 *   A receipt that may not be sent now waits in its sender's outgoing buffer (agreed shard state)
 *   and is listed, first and in order per destination, by a later block of the sender.
 */
import { XshardError } from "../../errors.js";

/** What a shard header publishes (NEP-539's `CongestionInfo`). */
export interface CongestionInfo {
  /** Gas attached to receipts listed for this shard and not consumed yet (its delayed receipts). */
  readonly incomingGas: bigint;
  readonly incomingReceipts: number;
  /** Gas attached to receipts waiting in this shard's outgoing buffers. */
  readonly bufferedGas: bigint;
  readonly bufferedReceipts: number;
}

export const ZERO_CONGESTION: CongestionInfo = { incomingGas: 0n, incomingReceipts: 0, bufferedGas: 0n, bufferedReceipts: 0 };

export interface CongestionParams {
  readonly enabled: boolean;
  /** Incoming (or buffered) receipts at which a shard is 100 % congested; also the hard bound of its incoming receipts. */
  readonly limit: number;
  /** New transactions calling a shard at or above this level (per mille) are rejected. */
  readonly rejectPermille: number;
}

/** NEP-539 rejects new transactions towards a shard from congestion level 0.5 on. */
export const DEFAULT_REJECT_PERMILLE = 500;
/** `--congestion on|off` and `--congestion-limit` (receipts, default `defaultLimit`: the block item limit) and `--congestion-reject` (per mille). */
export function resolveCongestionParams(options: Readonly<Record<string, number | string>>, defaultLimit: number, forcedOn: boolean): CongestionParams {
  const flag = options.congestion;
  if (flag !== undefined && flag !== "on" && flag !== "off") {
    throw new XshardError("BAD_PARAM", `--congestion must be on or off, got '${String(flag)}'`, { name: "congestion", value: flag });
  }
  const limit = options.congestionLimit === undefined ? defaultLimit : Number(options.congestionLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000_000) {
    throw new XshardError("BAD_PARAM", `congestionLimit must be an integer number of receipts in [1, 1000000000], got '${String(options.congestionLimit)}'`, { name: "congestionLimit", value: options.congestionLimit });
  }
  const reject = options.congestionReject === undefined ? DEFAULT_REJECT_PERMILLE : Number(options.congestionReject);
  if (!Number.isInteger(reject) || reject < 1 || reject > 1000) {
    throw new XshardError("BAD_PARAM", `congestionReject must be an integer per mille in [1, 1000], got '${String(options.congestionReject)}'`, { name: "congestionReject", value: options.congestionReject });
  }
  return { enabled: forcedOn || flag === "on", limit, rejectPermille: reject };
}

/** Congestion level in per mille: `receipts` over the limit, at most 1000. */
export function computeLevel(receipts: number, limit: number): number {
  return receipts >= limit ? 1000 : Math.floor((receipts * 1000) / limit);
}

/** A shard's congestion level in per mille: max(incoming, buffered) receipts over the limit, at most 1000. */
export function computeCongestionLevel(info: CongestionInfo, limit: number): number {
  return computeLevel(Math.max(info.incomingReceipts, info.bufferedReceipts), limit);
}

/** `mix(a, b, level)`: a at level 0, b at level 1000, linear in between (integer). */
export function mixGas(a: bigint, b: bigint, permille: number): bigint {
  return a - ((a - b) * BigInt(permille)) / 1000n;
}

/**
 * Which shard makes a new transaction rejected: a shard it calls (other than its start) at or above
 * the rejection level by its known info, or its start shard when its own outgoing buffer is
 * (`ownBuffered` receipts); undefined when accepted.
 */
export function findCongestedShard(calledShards: readonly number[], start: number, ownBuffered: number, known: readonly CongestionInfo[], p: CongestionParams): number | undefined {
  for (const s of calledShards) {
    if (s === start) continue;
    if (computeCongestionLevel(known[s] ?? ZERO_CONGESTION, p.limit) >= p.rejectPermille) return s;
  }
  return computeLevel(ownBuffered, p.limit) >= p.rejectPermille ? start : undefined;
}

/** Gas a block may spend on new transactions: less the more receipts wait for the shard (`incoming`). */
export function computeTxGasLimit(incoming: number, blockGas: bigint, p: CongestionParams): bigint {
  return mixGas(blockGas, blockGas / 25n, computeLevel(incoming, p.limit));
}

/** The shard allowed to send to a fully congested `dest` in `slot`: the other shards in turn. */
export function computeAllowedShard(dest: number, slot: number, shards: number): number {
  if (shards < 2) return dest;
  const k = slot % (shards - 1);
  return k < dest ? k : k + 1;
}

/** Receipts `sender` may send to `dest` in one block of `slot`, from `dest`'s known info. */
export function computeOutgoingLimit(destInfo: CongestionInfo, sender: number, dest: number, slot: number, shards: number, p: CongestionParams): number {
  const level = computeCongestionLevel(destInfo, p.limit);
  const min = Math.max(1, Math.floor(p.limit / 20));
  if (level < 1000) return Number(mixGas(BigInt(p.limit), BigInt(min), level));
  return computeAllowedShard(dest, slot, shards) === sender ? min : 0;
}

/**
 * A receipt may be listed for `dest` now: within this block's outgoing limit to `dest` (`sent`
 * receipts already listed for it in the block) and within the hard limit of `dest`'s incoming
 * receipts (`incoming`: listed and not consumed, the agreed counter).
 */
export function canSendReceipt(sent: number, outgoingLimit: number, incoming: number, p: CongestionParams): boolean {
  return incoming + 1 <= p.limit && sent + 1 <= outgoingLimit;
}

export function isSameCongestion(a: CongestionInfo, b: CongestionInfo): boolean {
  return a.incomingGas === b.incomingGas && a.incomingReceipts === b.incomingReceipts && a.bufferedGas === b.bufferedGas && a.bufferedReceipts === b.bufferedReceipts;
}
