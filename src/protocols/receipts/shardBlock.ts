/**
 * The shard-block transition: `processShardBlock(state, block, ctx, opts)` verifies a signed shard
 * block — whoever built it — and applies it: slot and parent, proposer, base fee, the committee's
 * attestation, the consume mode's item order, every item (re-executed), then the header's gas,
 * receipts root and state root. It returns the new state, or throws a typed `XshardError` whose
 * code names the rule broken and leaves the input state unchanged.
 */
import { sha256 } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { checkAttestation, collectAttestation, type Attestation, type Validator } from "../../chain/index.js";
import { commitList, type ListCommitment } from "../../state/index.js";
import { bytesEqual } from "../../crypto/hash.js";
import { pruneClaimState } from "./claims.js";
import { computeShardHeaderRoot, DOMAIN_SHARD_BLOCK, Receipt, type ReceiptValue, type ShardHeaderValue } from "./containers.js";
import { isSameCongestion, type CongestionInfo } from "./congestion.js";
import type { ReceiptsContext } from "./context.js";
import type { ReceiptsObserver, VerifyOptions } from "./observer.js";
import { computeNextBaseFee } from "./fees.js";
import { computeLedger, computeShardProposer, openShardBlock, processPendingWrites, processBlockItem, type SegmentRecord, type ShardBlockWork } from "./blockItems.js";
import type { BlockItem } from "./items.js";
import { computeReceiptId } from "./segments.js";
import { computeShardStateRoot, type ReceiptsState, type ShardState } from "./state.js";

export type BlockAttestation = Pick<Attestation, "signers" | "signature">;

/** A shard block as gossiped: header, items, and the shard committee's aggregate attestation of the header. */
export interface SignedShardBlock {
  readonly header: ShardHeaderValue;
  readonly items: readonly BlockItem[];
  readonly attestation: BlockAttestation;
}

export interface ShardBlockResult {
  readonly state: ReceiptsState;
  /** Receipts the block emitted, in its receipt list's order, and that list's commitment. */
  readonly receipts: readonly ReceiptValue[];
  readonly receiptList: ListCommitment;
  readonly segments: readonly SegmentRecord[];
}

/** What the committee signs for a shard header. */
export function computeShardSigningRoot(header: ShardHeaderValue): Uint8Array {
  return sha256(DOMAIN_SHARD_BLOCK, computeShardHeaderRoot(header));
}

/** The shard committee's attestation of a header (`signers`: every member by default; aggregated). */
export function signShardHeader(ctx: ReceiptsContext, header: ShardHeaderValue, signers: readonly Validator[] = ctx.committees[header.shard] as readonly Validator[]): BlockAttestation {
  return collectAttestation(ctx.verifier, signers, computeShardSigningRoot(header));
}

/** The congestion info a shard publishes after the block: its incoming backlog and its outgoing buffer. */
export function computeCongestionInfo(w: ShardBlockWork): CongestionInfo {
  const incoming = w.incoming[w.shard.index] as { gas: bigint; receipts: number };
  const bufferedGas = w.shard.buffer.reduce((a, r) => a + r.gasLeft, 0n);
  return { incomingGas: incoming.gas, incomingReceipts: incoming.receipts, bufferedGas, bufferedReceipts: w.shard.buffer.length };
}

/** The header of a block whose items have been applied to `w`. */
export function computeShardHeader(w: ShardBlockWork, receiptList: ListCommitment): ShardHeaderValue {
  processPendingWrites(w);
  return {
    ...(w.ctx.params.congestion.enabled ? { congestion: computeCongestionInfo(w) } : {}),
    shard: w.shard.index,
    slot: w.slot,
    proposer: w.proposer.index,
    parentRoot: w.pre.shards[w.shard.index]?.parentRoot as Uint8Array,
    stateRoot: computeShardStateRoot(w.contracts, w.shard.contracts),
    receiptsRoot: receiptList.root,
    receiptCount: w.receipts.length,
    gasUsed: w.gasUsed,
    baseFee: w.baseFee,
  };
}

/**
 * The state after the block: the shard's new head, next base fee and pruned claim bitfields; the
 * header waits to be crosslinked; delivered modes record the receipts their destinations may read.
 */
export function computePostState(w: ShardBlockWork, header: ShardHeaderValue): ReceiptsState {
  const ctx = w.ctx;
  const root = computeShardHeaderRoot(header);
  const shard: ShardState = {
    ...w.shard,
    lastSlot: w.slot,
    parentRoot: root,
    baseFee: computeNextBaseFee(w.baseFee, w.gasUsed, ctx.params.blockGas),
    claims: pruneClaimState(w.shard.claims, w.slot + 1, ctx.params.window),
  };
  const shards = [...w.pre.shards];
  shards[shard.index] = shard;
  const ids = w.receipts.map(computeReceiptId);
  if (ctx.rule.delivery === "protocol") {
    w.receipts.forEach((r, i) => w.outbox.set(ids[i] as string, { root: w.receiptRoots[i] as Uint8Array, destShard: r.destShard, crosslinkedAt: null }));
  }
  return {
    ...w.pre,
    pendingHeaders: [...w.pre.pendingHeaders, { root, shard: shard.index, slot: w.slot, receiptIds: ids, ...(header.congestion ? { congestion: header.congestion } : {}) }],
    incoming: w.incoming,
    outbox: w.outbox,
    ledger: computeLedger(w.ledger),
    escrow: w.escrow,
    contracts: w.contracts,
    shards,
  };
}

function fail(code: string, message: string, data: Record<string, unknown> = {}): never {
  throw new XshardError(code, message, data);
}

/** The checks a header must pass before its items are looked at. */
export function checkShardHeader(state: ReceiptsState, block: SignedShardBlock, ctx: ReceiptsContext, opts: VerifyOptions): ShardState {
  const h = block.header;
  const shard = state.shards[h.shard];
  if (!shard) fail("UNKNOWN_SHARD", `no shard ${h.shard}`, { shard: h.shard });
  if (!(h.slot > shard.lastSlot)) fail("SLOT_NOT_AFTER_PARENT", `block of slot ${h.slot} does not follow shard ${h.shard}'s block of slot ${shard.lastSlot}`, { slot: h.slot, parentSlot: shard.lastSlot });
  if (!bytesEqual(h.parentRoot, shard.parentRoot)) fail("WRONG_PARENT", `block does not build on shard ${h.shard}'s head`, { shard: h.shard, slot: h.slot });
  if (opts.verifyProposer !== false) {
    const expected = computeShardProposer(ctx, h.shard, h.slot).index;
    if (h.proposer !== expected) fail("WRONG_PROPOSER", `shard ${h.shard}'s proposer in slot ${h.slot} is validator ${expected}, not ${h.proposer}`, { expected, proposer: h.proposer });
  }
  if (h.baseFee !== shard.baseFee) fail("WRONG_BASE_FEE", `shard ${h.shard}'s base fee is ${shard.baseFee}, header says ${h.baseFee}`, { expected: shard.baseFee, baseFee: h.baseFee });
  const fault = checkAttestation(ctx.verifier, ctx.committees[h.shard] as readonly Validator[], block.attestation, computeShardSigningRoot(h), opts.verifySignatures !== false);
  if (fault) fail("BAD_ATTESTATION", `shard ${h.shard}'s committee attestation of slot ${h.slot} is not final: ${fault}`, { fault });
  if (block.items.length > ctx.blockTxLimit) fail("TOO_MANY_ITEMS", `a block holds at most ${ctx.blockTxLimit} items, got ${block.items.length}`, { items: block.items.length });
  ctx.rule.checkItems(block.items, ctx.params);
  return shard;
}

/** Verifies a signed shard block and applies it (see the file's comment). */
export function processShardBlock(state: ReceiptsState, block: SignedShardBlock, ctx: ReceiptsContext, opts: VerifyOptions = {}): ShardBlockResult {
  checkShardHeader(state, block, ctx, opts);
  const h = block.header;
  const w = openShardBlock(state, h.shard, h.slot, ctx);
  block.items.forEach((item, i) => {
    const v = processBlockItem(w, item);
    if (v.ok !== true && v.ok !== "rejected") fail(v.code, `item ${i} of shard ${h.shard}'s block of slot ${h.slot}: ${v.reason}`, { item: i });
  });
  const receiptList = commitList(w.receiptRoots);
  processPendingWrites(w);
  const stateRoot = opts.verifyStateRoot !== false ? computeShardStateRoot(w.contracts, w.shard.contracts) : h.stateRoot;
  return finishShardBlock(w, block, h, { gasUsed: w.gasUsed, receiptsRoot: receiptList.root, receiptCount: receiptList.length, stateRoot }, receiptList, opts);
}

/**
 * `processShardBlock`'s checks of a block built on `state` against the build's own execution `w`
 * (whose sealed header is `sealed`): the header rules, then gas, receipts root and state root —
 * without executing the items a second time (see `processBuiltShardBlock` in build.ts).
 */
export function checkBuiltShardBlock(state: ReceiptsState, block: SignedShardBlock, w: ShardBlockWork, sealed: ShardHeaderValue, ctx: ReceiptsContext, opts: VerifyOptions): ShardBlockResult {
  checkShardHeader(state, block, ctx, opts);
  const h = block.header;
  if (h.shard !== sealed.shard || h.slot !== sealed.slot || block.items.length !== w.items.length || block.items.some((item, i) => item !== w.items[i])) {
    fail("NOT_BUILT_ON_STATE", `shard ${h.shard}'s block of slot ${h.slot} is not the block whose execution is given`, { shard: h.shard, slot: h.slot });
  }
  return finishShardBlock(w, block, h, sealed, commitList(w.receiptRoots), opts);
}

/** The post-execution checks (gas, receipts root, state root) of header `h` against what the items did, then the post-state. */
function finishShardBlock(w: ShardBlockWork, block: SignedShardBlock, h: ShardHeaderValue, done: Pick<ShardHeaderValue, "gasUsed" | "receiptsRoot" | "receiptCount" | "stateRoot">, receiptList: ListCommitment, opts: VerifyOptions): ShardBlockResult {
  if (done.gasUsed !== h.gasUsed) fail("WRONG_GAS_USED", `items use ${done.gasUsed} gas, header says ${h.gasUsed}`, { gasUsed: done.gasUsed, header: h.gasUsed });
  if (h.receiptCount !== done.receiptCount || !bytesEqual(h.receiptsRoot, done.receiptsRoot)) {
    fail("WRONG_RECEIPTS_ROOT", `the header's receipts root does not commit the ${done.receiptCount} receipts the items emit`, { receipts: done.receiptCount });
  }
  if (w.ctx.params.congestion.enabled !== (h.congestion !== undefined) || (h.congestion && !isSameCongestion(h.congestion, computeCongestionInfo(w)))) {
    fail("WRONG_CONGESTION_INFO", `the header's congestion info is not shard ${h.shard}'s backlog and outgoing buffer after the block`, { shard: h.shard, slot: h.slot });
  }
  if (opts.verifyStateRoot !== false && !bytesEqual(h.stateRoot, done.stateRoot)) {
    fail("WRONG_STATE_ROOT", `the header's state root is not shard ${h.shard}'s state after the block`, { shard: h.shard, slot: h.slot });
  }
  const post = computePostState(w, h);
  const observer = opts.observer;
  if (observer) reportShardBlockWork(observer, h.slot, h.shard, block.attestation.signers.length, w.segments);
  if (observer?.onSegment) for (const s of w.segments) observer.onSegment(h.slot, h.shard, s);
  return { state: post, receipts: w.receipts, receiptList, segments: w.segments };
}

/** The validator work of an imported shard block, reported to the observer (see `ReceiptsObserver`). */
function reportShardBlockWork(observer: ReceiptsObserver, slot: number, shard: number, signers: number, segments: readonly SegmentRecord[]): void {
  observer.onSignatures?.(slot, 0, signers);
  for (const s of segments) {
    observer.onExecution?.(slot, shard, -1, "execute", Number(s.metered), s.txId);
    if (s.consumed) observer.onTransfer?.(slot, "receipt", Receipt.value_serializedSize(s.consumed));
    if (s.proofBytes > 0) observer.onTransfer?.(slot, "proof", s.proofBytes);
  }
}
