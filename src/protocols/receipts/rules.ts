/**
 * Pure rules of the receipts design (DESIGN §3), one function per rule. The driver (chain.ts) owns
 * time, the mempools and the bookkeeping, and calls these. Claim verification is
 * `processClaim(shardState, claim, beaconView)`: a typed error (`STALE_PROOF`, `WRONG_SHARD`,
 * `BAD_PROOF`, `ALREADY_CLAIMED`) and nothing changed, or the shard's new claimed-bitfields.
 */
import { XshardError } from "../../errors.js";
import type { CallStep, Program } from "../../program/index.js";
import { verifyListProof, type ListCommitment } from "../../state/index.js";
import type { ContractId } from "../../types.js";
import type { TxEffects } from "../../exec/executeTx.js";
import { Receipt, ShardHeader, type ReceiptValue, type ShardHeaderValue } from "./containers.js";

// ---------------------------------------------------------------- fee market (EIP-1559 per shard)

/**
 * The next block's base fee: `base + base·(used − target)/target/8` in integer math, target = half
 * the gas limit (±12.5 % per block at most). As in EIP-1559 an increase is at least 1 (otherwise a
 * base fee below 8 could never rise), and the base fee never falls below 1.
 */
export function computeNextBaseFee(base: bigint, gasUsed: bigint, gasLimit: bigint): bigint {
  const target = gasLimit / 2n;
  if (gasUsed > target) {
    const delta = (base * (gasUsed - target)) / target / 8n;
    return base + (delta > 1n ? delta : 1n);
  }
  const next = base - (base * (target - gasUsed)) / target / 8n;
  return next > 1n ? next : 1n;
}

/** A segment (new transaction, claim or receipt) may enter a block only if its fee cap covers the base fee. */
export function isFeeCapSufficient(maxFeePerGas: bigint, baseFee: bigint): boolean {
  return maxFeePerGas >= baseFee;
}

/** Gas a segment uses: the fixed segment cost, its proof bytes, its calls' instructions; never more than the gas left. */
export function computeSegmentGas(instructions: bigint, proofBytes: number, gasLeft: bigint, segmentGas: bigint, proofByteGas: bigint): bigint {
  const gas = segmentGas + BigInt(proofBytes) * proofByteGas + instructions;
  return gas < gasLeft ? gas : gasLeft;
}

/** Instructions a segment's calls may use: the gas left after the segment's fixed costs. */
export function computeCallBudget(gasLeft: bigint, proofBytes: number, segmentGas: bigint, proofByteGas: bigint): bigint {
  const budget = gasLeft - segmentGas - BigInt(proofBytes) * proofByteGas;
  return budget > 0n ? budget : 0n;
}

/** A segment's fee: gas used × the shard's base fee, never above the sender's cap per gas. */
export function computeSegmentFee(gas: bigint, baseFee: bigint, maxFeePerGas: bigint): bigint {
  return gas * (baseFee < maxFeePerGas ? baseFee : maxFeePerGas);
}

/** The fee bought at the first segment and carried by the receipts: the whole budget at the cap. */
export function computePrepaidFee(gasLimit: bigint, maxFeePerGas: bigint): bigint {
  return gasLimit * maxFeePerGas;
}

/** A block takes a segment only while its gas used stays within the gas limit. */
export function isWithinBlockGas(blockGasUsed: bigint, segmentGas: bigint, gasLimit: bigint): boolean {
  return blockGasUsed + segmentGas <= gasLimit;
}

// ---------------------------------------------------------------- segments

/** A transaction starts on the shard of its first `call` (shard 0 when it calls nothing that exists). */
export function computeStartShard(program: Program, shardOf: (id: ContractId) => number | undefined): number {
  for (const step of program.steps) {
    if (step.kind !== "call") continue;
    const shard = shardOf(step.contract);
    if (shard !== undefined) return shard;
  }
  return 0;
}

/**
 * A segment stops before a call to a contract that lives on another shard. A call to a contract
 * that exists nowhere runs (and fails) where the segment is.
 */
export function isRemoteCall(step: CallStep, shard: number, shardOf: (id: ContractId) => number | undefined): boolean {
  const s = shardOf(step.contract);
  return s !== undefined && s !== shard;
}

/** True when a segment changed some state (writes, successors, an ended contract). */
export function hasEffects(effects: TxEffects): boolean {
  return effects.writes.size > 0 || effects.created.length > 0 || effects.ended.size > 0;
}

/**
 * The outcome of a transaction whose segment has just ended the program: committed, or — for a
 * failed `require` — aborted when no earlier segment applied anything, partial otherwise (earlier
 * segments' effects are final and cannot be undone).
 */
export function computeOutcome(status: "committed" | "aborted", earlierEffects: boolean): "committed" | "aborted" | "partial" {
  if (status === "committed") return "committed";
  return earlierEffects ? "partial" : "aborted";
}

/** The printable id of a receipt: `sourceShard:slot:index`. */
export function computeReceiptId(r: { readonly sourceShard: number; readonly slot: number; readonly index: number }): string {
  return `${r.sourceShard}:${r.slot}:${r.index}`;
}

// ---------------------------------------------------------------- nonsequential: claims

/** A claim: the receipt, its proof to the receipts root, the shard header and its proof to a beacon block. */
export interface Claim {
  readonly receipt: ReceiptValue;
  /** Sibling roots from the receipt's root to the header's receipts root (`commitList` proof). */
  readonly receiptBranch: readonly Uint8Array[];
  readonly header: ShardHeaderValue;
  /** Sibling roots from the header's root to the beacon block's crosslinks root. */
  readonly headerBranch: readonly Uint8Array[];
  /** The beacon block that crosslinks `header` (always `header.slot + 1`). */
  readonly beaconSlot: number;
}

/**
 * The claim a sender's client builds for receipt `receipt.index` of a shard block, from that block's
 * receipt list and the crosslinks of the beacon block of `beaconSlot` that holds its header.
 */
export function createClaim(receipt: ReceiptValue, receiptList: ListCommitment, header: ShardHeaderValue, crosslinks: ListCommitment, beaconSlot: number): Claim {
  return { receipt, receiptBranch: receiptList.prove(receipt.index), header, headerBranch: crosslinks.prove(header.shard), beaconSlot };
}

/** What a shard knows of the beacon chain when it processes a claim. */
export interface BeaconView {
  /** The current slot (its beacon block is known). */
  readonly slot: number;
  /** Claims must prove against a beacon block at most `window` slots old. */
  readonly window: number;
  /** The crosslinks of a known beacon block, or undefined. */
  getCrosslinks(slot: number): { readonly root: Uint8Array; readonly count: number } | undefined;
}

/** A destination shard's claim state: one bitfield of claimed receipts per (source shard, slot). */
export interface ClaimState {
  readonly shard: number;
  /** `source:slot` → bitfield over the receipt indices of that block. */
  readonly claimed: ReadonlyMap<string, Uint8Array>;
}

export function createClaimState(shard: number): ClaimState {
  return { shard, claimed: new Map() };
}

/** Bytes of a claim's proof: both branches and the shard header. */
export function computeClaimProofBytes(claim: Claim): number {
  return 32 * (claim.receiptBranch.length + claim.headerBranch.length) + ShardHeader.serialize(claim.header).length;
}

/**
 * The proof must reach a beacon block within the window: older bitfields are pruned, so a stale
 * claim could not be checked for double spending. The header must be the one that block crosslinks.
 */
export function assertClaimFresh(claim: Claim, beacon: BeaconView): void {
  const age = beacon.slot - claim.beaconSlot;
  if (age < 0 || age > beacon.window) {
    throw new XshardError("STALE_PROOF", `claim proves against beacon slot ${claim.beaconSlot}, outside the window of ${beacon.window} slots before ${beacon.slot}`, {
      beaconSlot: claim.beaconSlot,
      slot: beacon.slot,
      window: beacon.window,
    });
  }
  if (claim.beaconSlot !== claim.header.slot + 1) {
    throw new XshardError("BAD_PROOF", "a header of slot s is crosslinked by the beacon block of slot s+1", { headerSlot: claim.header.slot, beaconSlot: claim.beaconSlot });
  }
}

/** The receipt must be addressed to the shard that processes the claim. */
export function assertClaimForShard(claim: Claim, state: ClaimState): void {
  if (claim.receipt.destShard !== state.shard) {
    throw new XshardError("WRONG_SHARD", `receipt is for shard ${claim.receipt.destShard}, not ${state.shard}`, { destShard: claim.receipt.destShard, shard: state.shard });
  }
}

/** receipt → receipts root of the header of its source shard and slot. */
export function assertReceiptInHeader(claim: Claim): void {
  const { receipt, header } = claim;
  const ok =
    receipt.sourceShard === header.shard &&
    receipt.slot === header.slot &&
    verifyListProof(header.receiptsRoot, receipt.index, Receipt.hashTreeRoot(receipt), claim.receiptBranch, header.receiptCount);
  if (!ok) throw new XshardError("BAD_PROOF", "receipt is not in the shard header's receipts root", { receipt: computeReceiptId(receipt) });
}

/** shard header → crosslinks root of a beacon block the shard knows. */
export function assertHeaderCrosslinked(claim: Claim, beacon: BeaconView): void {
  const links = beacon.getCrosslinks(claim.beaconSlot);
  const ok = links !== undefined && verifyListProof(links.root, claim.header.shard, ShardHeader.hashTreeRoot(claim.header), claim.headerBranch, links.count);
  if (!ok) throw new XshardError("BAD_PROOF", "shard header is not crosslinked by the beacon block", { shard: claim.header.shard, beaconSlot: claim.beaconSlot });
}

function bitfieldKey(sourceShard: number, slot: number): string {
  return `${sourceShard}:${slot}`;
}

/** True when the receipt's bit is set in its (source shard, slot) bitfield. */
export function isClaimed(state: ClaimState, receipt: ReceiptValue): boolean {
  const bits = state.claimed.get(bitfieldKey(receipt.sourceShard, receipt.slot));
  return bits !== undefined && ((bits[receipt.index >> 3] ?? 0) & (1 << (receipt.index & 7))) !== 0;
}

/** The state with the receipt's bit set (a new bitfield of `receiptCount` bits when it is the block's first claim). */
export function computeClaimedState(state: ClaimState, receipt: ReceiptValue, receiptCount: number): ClaimState {
  const key = bitfieldKey(receipt.sourceShard, receipt.slot);
  const bits = new Uint8Array(state.claimed.get(key) ?? new Uint8Array(Math.ceil(receiptCount / 8)));
  bits[receipt.index >> 3] = (bits[receipt.index >> 3] ?? 0) | (1 << (receipt.index & 7));
  return { shard: state.shard, claimed: new Map(state.claimed).set(key, bits) };
}

/**
 * Processes a claim: fresh, for this shard, receipt proven into a crosslinked header, not claimed
 * before. Returns the new claim state; throws a typed error and changes nothing otherwise.
 */
export function processClaim(state: ClaimState, claim: Claim, beacon: BeaconView): ClaimState {
  assertClaimFresh(claim, beacon);
  assertClaimForShard(claim, state);
  assertReceiptInHeader(claim);
  assertHeaderCrosslinked(claim, beacon);
  if (isClaimed(state, claim.receipt)) {
    throw new XshardError("ALREADY_CLAIMED", `receipt ${computeReceiptId(claim.receipt)} was claimed before`, { receipt: computeReceiptId(claim.receipt) });
  }
  return computeClaimedState(state, claim.receipt, claim.header.receiptCount);
}

/** Drops the bitfields of blocks whose claims are now stale (header slot < slot − window − 1). */
export function pruneClaimState(state: ClaimState, slot: number, window: number): ClaimState {
  const oldest = slot - window - 1;
  const claimed = new Map([...state.claimed].filter(([key]) => Number(key.slice(key.indexOf(":") + 1)) >= oldest));
  return { shard: state.shard, claimed };
}

// ---------------------------------------------------------------- sequential: ordered receipts

/** Next expected receipt nonce from each source shard. */
export type InboundNonces = ReadonlyMap<number, number>;

/**
 * A destination processes the receipts from each source shard in nonce order. Returns the new
 * nonces; `OUT_OF_ORDER` (nothing changed) for any other receipt.
 */
export function processSequentialReceipt(nonces: InboundNonces, receipt: ReceiptValue): InboundNonces {
  const expected = nonces.get(receipt.sourceShard) ?? 0;
  if (receipt.nonce !== expected) {
    throw new XshardError("OUT_OF_ORDER", `receipt ${computeReceiptId(receipt)} has nonce ${receipt.nonce}, expected ${expected}`, {
      receipt: computeReceiptId(receipt),
      nonce: receipt.nonce,
      expected,
    });
  }
  return new Map(nonces).set(receipt.sourceShard, expected + 1);
}

/** A block takes forced receipts while it has processed fewer than `forced` of them. */
export function isForcedSlotLeft(processed: number, forced: number): boolean {
  return processed < forced;
}

// ---------------------------------------------------------------- passive: fee priority

/** Block order when receipts and new transactions compete: higher fee cap first, then earlier arrival. */
export function compareByFee(a: { readonly maxFeePerGas: bigint; readonly arrival: number }, b: { readonly maxFeePerGas: bigint; readonly arrival: number }): number {
  if (a.maxFeePerGas !== b.maxFeePerGas) return a.maxFeePerGas > b.maxFeePerGas ? -1 : 1;
  return a.arrival - b.arrival;
}
