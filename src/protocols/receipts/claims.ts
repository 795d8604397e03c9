/**
 * Nonsequential consumption (DESIGN §3): a claim carries a receipt and its Merkle proof to a
 * crosslink. `processClaim(shardState, claim, beaconView)` checks one rule per function and
 * returns the destination's new claimed-bitfields, or throws a typed error (`STALE_PROOF`,
 * `WRONG_SHARD`, `BAD_PROOF`, `ALREADY_CLAIMED`) and changes nothing.
 */
import { XshardError } from "../../errors.js";
import { verifyListProof, type ListCommitment } from "../../state/index.js";
import { computeShardHeaderRoot, Receipt, serializeShardHeader, type ReceiptValue, type ShardHeaderValue } from "./containers.js";
import { computeReceiptId } from "./segments.js";


/** A claim: the receipt, its proof to the receipts root, the shard header and its proof to a beacon block. */
export interface Claim {
  readonly receipt: ReceiptValue;
  /** Sibling roots from the receipt's root to the header's receipts root (`commitList` proof). */
  readonly receiptBranch: readonly Uint8Array[];
  readonly header: ShardHeaderValue;
  /** Sibling roots from the header's root to the beacon block's crosslinks root. */
  readonly headerBranch: readonly Uint8Array[];
  /** The beacon block that crosslinks `header` (after the header's slot). */
  readonly beaconSlot: number;
  /** The header's position in that beacon block's crosslinks. */
  readonly crosslinkIndex: number;
}

/**
 * The claim a sender's client builds for receipt `receipt.index` of a shard block, from that block's
 * receipt list and the crosslinks of the beacon block of `beaconSlot` that holds its header.
 */
export function createClaim(
  receipt: ReceiptValue,
  receiptList: ListCommitment,
  header: ShardHeaderValue,
  crosslinks: ListCommitment,
  beaconSlot: number,
  crosslinkIndex: number = header.shard,
): Claim {
  return { receipt, receiptBranch: receiptList.prove(receipt.index), header, headerBranch: crosslinks.prove(crosslinkIndex), beaconSlot, crosslinkIndex };
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
  return 32 * (claim.receiptBranch.length + claim.headerBranch.length) + serializeShardHeader(claim.header).length;
}

/**
 * The proof must reach a beacon block within the window: older bitfields are pruned, so a stale
 * claim could not be checked for double spending. A beacon block crosslinks headers of earlier slots only.
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
  if (claim.header.slot < beacon.slot - beacon.window - 1) {
    // A header crosslinked late: its bitfield is pruned by header slot, so it must be recent too.
    throw new XshardError("STALE_PROOF", `claim's header of slot ${claim.header.slot} is older than the window of ${beacon.window} slots before ${beacon.slot}`, {
      headerSlot: claim.header.slot,
      slot: beacon.slot,
      window: beacon.window,
    });
  }
  if (claim.beaconSlot <= claim.header.slot) {
    throw new XshardError("BAD_PROOF", "a header of slot s is crosslinked by a beacon block of a later slot", { headerSlot: claim.header.slot, beaconSlot: claim.beaconSlot });
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
  const ok = links !== undefined && verifyListProof(links.root, claim.crosslinkIndex, computeShardHeaderRoot(claim.header), claim.headerBranch, links.count);
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

