/**
 * The beacon chain of the receipts design: one block per slot crosslinks the shard headers its
 * proposer has received since its parent. `buildBeaconBlock` makes one; `processBeaconBlock`
 * verifies one (slot, parent, crosslinks root, every crosslinked header produced and not yet
 * crosslinked, the slot committee's attestation) and applies it: claims may now prove against its
 * crosslinks, and delivered receipts of the crosslinked blocks become readable at their destinations.
 */
import { bytesEqual, sha256, toHex } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { checkAttestation, collectAttestation, computeSlotCommittee, type Validator } from "../../chain/index.js";
import { commitList, type ListCommitment } from "../../state/index.js";
import { BeaconBlock, DOMAIN_BEACON_BLOCK, type BeaconBlockValue } from "./containers.js";
import type { ReceiptsContext } from "./context.js";
import type { VerifyOptions } from "./observer.js";
import type { BlockAttestation } from "./shardBlock.js";
import type { CrosslinksRecord, OutboxRecord, PendingHeader, ReceiptsState } from "./state.js";
import type { CongestionInfo } from "./congestion.js";

export interface SignedBeaconBlock {
  readonly block: BeaconBlockValue;
  /** Roots of the crosslinked shard headers, in the order committed by `crosslinksRoot`. */
  readonly crosslinks: readonly Uint8Array[];
  readonly attestation: BlockAttestation;
}

/** What the slot committee signs for a beacon block. */
export function computeBeaconSigningRoot(block: BeaconBlockValue): Uint8Array {
  return sha256(DOMAIN_BEACON_BLOCK, BeaconBlock.hashTreeRoot(block));
}

/** The slot committee that attests the beacon block of `slot`. */
export function getBeaconCommittee(ctx: ReceiptsContext, slot: number): Validator[] {
  return computeSlotCommittee(ctx.validators, ctx.seed, slot, ctx.committeeSize);
}

/**
 * The beacon block of `slot` crosslinking `headerRoots`, attested by the slot's committee (`signers`
 * picks who signs among it: every member by default; offline members do not sign).
 */
export function buildBeaconBlock(
  state: ReceiptsState,
  slot: number,
  headerRoots: readonly Uint8Array[],
  ctx: ReceiptsContext,
  signers: (committee: readonly Validator[]) => readonly Validator[] = (c) => c,
): { signed: SignedBeaconBlock; crosslinks: ListCommitment } {
  const crosslinks = commitList(headerRoots);
  const block: BeaconBlockValue = { slot, parentRoot: state.beacon.parentRoot, crosslinksRoot: crosslinks.root, crosslinkCount: headerRoots.length };
  const committee = getBeaconCommittee(ctx, slot);
  return { signed: { block, crosslinks: headerRoots, attestation: collectAttestation(ctx.verifier, signers(committee), computeBeaconSigningRoot(block)) }, crosslinks };
}

function fail(code: string, message: string, data: Record<string, unknown> = {}): never {
  throw new XshardError(code, message, data);
}

/** Verifies and applies a beacon block (see the file's comment); typed error and nothing changed otherwise. */
export function processBeaconBlock(state: ReceiptsState, signed: SignedBeaconBlock, ctx: ReceiptsContext, opts: VerifyOptions = {}): ReceiptsState {
  const b = signed.block;
  if (!(b.slot > state.beacon.slot)) fail("SLOT_NOT_AFTER_PARENT", `beacon block of slot ${b.slot} does not follow slot ${state.beacon.slot}`, { slot: b.slot, parentSlot: state.beacon.slot });
  if (!bytesEqual(b.parentRoot, state.beacon.parentRoot)) fail("WRONG_PARENT", `beacon block of slot ${b.slot} does not build on the beacon head`, { slot: b.slot });
  const list = commitList(signed.crosslinks);
  if (b.crosslinkCount !== list.length || !bytesEqual(b.crosslinksRoot, list.root)) fail("WRONG_CROSSLINKS_ROOT", "the crosslinks root does not commit the listed headers", { count: list.length });
  const pending = new Map(state.pendingHeaders.map((h) => [toHex(h.root), h]));
  const linked = new Set<string>();
  for (const root of signed.crosslinks) {
    const key = toHex(root);
    if (!pending.has(key) || linked.has(key)) fail("UNKNOWN_HEADER", `crosslinked header ${key} is not a produced, uncrosslinked shard header`, { header: key });
    linked.add(key);
  }
  const committee = computeSlotCommittee(ctx.validators, ctx.seed, b.slot, ctx.committeeSize);
  const fault = checkAttestation(ctx.verifier, committee, signed.attestation, computeBeaconSigningRoot(b), opts.verifySignatures !== false);
  if (fault) fail("BAD_ATTESTATION", `the slot committee's attestation of beacon block ${b.slot} is not final: ${fault}`, { fault });
  opts.observer?.onSignatures?.(b.slot, 0, signed.attestation.signers.length);

  const crosslinks = new Map<number, CrosslinksRecord>();
  for (const [s, c] of state.beacon.crosslinks) if (s >= b.slot - ctx.params.window) crosslinks.set(s, c);
  crosslinks.set(b.slot, { root: list.root, count: list.length });
  let outbox: ReadonlyMap<string, OutboxRecord> = state.outbox;
  if (state.outbox.size > 0) {
    const next = new Map(state.outbox);
    for (const key of linked) {
      for (const id of (pending.get(key) as PendingHeader).receiptIds) {
        const r = next.get(id);
        if (r) next.set(id, { ...r, crosslinkedAt: b.slot });
      }
    }
    outbox = next;
  }
  // Congestion control: a crosslinked header's congestion info becomes its shard's known info,
  // unless a newer header of that shard was crosslinked before (headers may arrive out of order).
  let congestion = state.congestion;
  let congestionSlot = state.congestionSlot;
  for (const key of linked) {
    const h = pending.get(key) as PendingHeader;
    if (!h.congestion || h.slot <= (congestionSlot[h.shard] as number)) continue;
    if (congestion === state.congestion) {
      congestion = [...state.congestion];
      congestionSlot = [...state.congestionSlot];
    }
    (congestion as CongestionInfo[])[h.shard] = h.congestion;
    (congestionSlot as number[])[h.shard] = h.slot;
  }
  return {
    ...state,
    congestion,
    congestionSlot,
    beacon: { slot: b.slot, parentRoot: BeaconBlock.hashTreeRoot(b), crosslinks },
    pendingHeaders: state.pendingHeaders.filter((h) => !linked.has(toHex(h.root))),
    outbox,
  };
}
