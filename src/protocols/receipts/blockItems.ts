/**
 * One item of a shard block, applied to a working copy of the state (`ShardBlockWork`): a new
 * transaction's first segment (`processTxItem`), a claim (`processClaimItem`) or a delivered
 * receipt (`processReceiptItem`), each ending in `processSegment`. Every function returns a
 * verdict — applied, wait (the item may fit a later block) or invalid (it never will) — and
 * changes the work only when it applies. The block transitions (shardBlock.ts, build.ts) open the
 * work, feed it items and seal it.
 */
import { bytesEqual, toHex } from "../../crypto/hash.js";
import { checkStage1Tx, type BeaconState, type RejectReason } from "../../chain/beacon.js";
import { DOMAIN_PROPOSER, type Validator } from "../../chain/index.js";
import { computeCommitteeProposer } from "../shards/attestation.js";
import { executeProgram, type TxExecution } from "../../exec/executeTx.js";
import { computeTxId as computeTxIdImpl, decodeProgram, encodeProgram, type CallStep, type Program, type ProgramRun, type SignedTx } from "../../program/index.js";
import { MerkleKV } from "../../state/index.js";
import type { ContractId, MaybeValue, StateView, WriteSet } from "../../types.js";
import { getKeyHex } from "../../runtime/keys.js";
import { computeClaimProofBytes, processClaim, type BeaconView, type Claim } from "./claims.js";
import { fromReceiptValues, Receipt, toReceiptValues, type ReceiptValue } from "./containers.js";
import type { ReceiptsContext } from "./context.js";
import {
  computeCallBudget,
  computePrepaidFee,
  computeSegmentFee,
  computeSegmentGas,
  isFeeCapSufficient,
  isGasLimitWithinBlock,
  isWithinBlockGas,
} from "./fees.js";
import type { BlockItem } from "./items.js";
import type { ReceiptsParams } from "./params.js";
import { computeReceiptId, hasEffects, isRemoteCall } from "./segments.js";
import type { Backlog, ContractRecord, OutboxRecord, ReceiptsState, ShardState } from "./state.js";
import { computeTxGasLimit, findCongestedShard } from "./congestion.js";
import { canListReceipt, consumeIncoming, listReceipt, processOutgoingBuffer } from "./outgoing.js";

/** What an applied segment did, for the observer and the driver's bookkeeping. */
export interface SegmentRecord {
  readonly kind: BlockItem["kind"];
  readonly txId: Uint8Array;
  readonly program: Program;
  readonly start: number;
  readonly run: ProgramRun;
  /** Gas charged to the block (fixed segment charge + proof bytes + metered instructions). */
  readonly gas: bigint;
  /** Metered gas of the segment's calls (what the runtime counted; the validator work figure). */
  readonly metered: bigint;
  readonly fee: bigint;
  /** The block's base fee. */
  readonly baseFee: bigint;
  /** The segment changed some state here. */
  readonly effects: boolean;
  /** Claim proof bytes charged (nonsequential). */
  readonly proofBytes: number;
  /** The receipt this segment consumed (claims, delivered receipts). */
  readonly consumed?: ReceiptValue;
  /** The receipt emitted when the segment stopped before a call to another shard. */
  readonly emitted?: ReceiptValue;
  /** Congestion control: the emitted receipt waits in the shard's outgoing buffer (listed by a later block). */
  readonly buffered?: boolean;
}

export type ItemVerdict =
  | { readonly ok: true; readonly segment: SegmentRecord }
  /** Not now: the item may fit a later block (nonce, base fee, block space). */
  | { readonly ok: "wait"; readonly code: string; readonly reason: string }
  /** Never: a rule is broken (`code` names it). */
  | { readonly ok: false; readonly code: string; readonly reason: string }
  /** Congestion control: a new transaction the block records as rejected (its nonce used, nothing run). */
  | { readonly ok: "rejected"; readonly code: string; readonly reason: string };

/** A shard block being applied: a private copy of what the block may change. */
export interface ShardBlockWork {
  readonly ctx: ReceiptsContext;
  readonly pre: ReceiptsState;
  readonly slot: number;
  readonly proposer: Validator;
  readonly baseFee: bigint;
  shard: ShardState;
  readonly ledger: BeaconState;
  escrow: bigint;
  readonly contracts: Map<ContractId, ContractRecord>;
  /** Writes of this block's segments per contract, applied to the Merkle trees once when the block is sealed. */
  readonly pending: Map<ContractId, PendingState>;
  readonly outbox: Map<string, OutboxRecord>;
  gasUsed: bigint;
  /** Gas of new transactions' first segments in this block (congestion control bounds it). */
  txGas: bigint;
  /** Per destination: receipts listed for it and not consumed (the agreed counter, updated by this block). */
  readonly incoming: Backlog[];
  /** Per destination: receipts this block listed for it. */
  readonly sent: number[];
  readonly items: BlockItem[];
  readonly receipts: ReceiptValue[];
  readonly receiptRoots: Uint8Array[];
  readonly segments: SegmentRecord[];
}

/**
 * A map that reads through to a base map and keeps its own writes: a block's working copy of the
 * ledger costs nothing to open (the ledger holds every account); `computeLedger` merges it once.
 */
export class OverlayMap<K, V> extends Map<K, V> {
  constructor(readonly base: ReadonlyMap<K, V>) {
    super();
  }
  override get(key: K): V | undefined {
    return super.has(key) ? super.get(key) : this.base.get(key);
  }
  override has(key: K): boolean {
    return super.has(key) || this.base.has(key);
  }
}

/** The ledger after a block: the base with the block's writes. */
export function computeLedger(ledger: BeaconState): BeaconState {
  const merge = (m: Map<string, bigint>): Map<string, bigint> => {
    if (!(m instanceof OverlayMap)) return m;
    const out = new Map(m.base as ReadonlyMap<string, bigint>);
    for (const [k, v] of Map.prototype.entries.call(m) as IterableIterator<[string, bigint]>) out.set(k, v);
    return out;
  };
  return { balances: merge(ledger.balances), nonces: merge(ledger.nonces) };
}

/** A contract's state during a block: its tree with the block's writes on top (read through). */
export class PendingState implements StateView {
  readonly writes: WriteSet = new Map();
  constructor(readonly base: MerkleKV) {}
  get(key: Uint8Array): Uint8Array | undefined {
    const written = this.writes.get(getKeyHex(key));
    if (written !== undefined) return written === null ? undefined : written.slice();
    return this.base.get(key);
  }
}

/** Applies the block's pending writes to the contracts' trees (one batch per contract). */
export function processPendingWrites(w: ShardBlockWork): void {
  for (const [id, p] of w.pending) {
    const c = w.contracts.get(id) as ContractRecord;
    w.contracts.set(id, { ...c, kv: c.kv.applyWrites(p.writes) });
  }
  w.pending.clear();
}

/** The proposer of shard `shard`'s block in `slot`: stake-weighted from its committee, by the chain's seed. */
export function computeShardProposer(ctx: ReceiptsContext, shard: number, slot: number): Validator {
  return computeCommitteeProposer(ctx.committees[shard] as readonly Validator[], ctx.seed, slot, `${DOMAIN_PROPOSER}:${shard}`);
}

/** Opens a block of `shard` in `slot` on a copy of the state. */
export function openShardBlock(pre: ReceiptsState, shard: number, slot: number, ctx: ReceiptsContext, proposer = computeShardProposer(ctx, shard, slot)): ShardBlockWork {
  const s = pre.shards[shard] as ShardState;
  const w: ShardBlockWork = {
    ctx,
    pre,
    slot,
    proposer,
    baseFee: s.baseFee,
    shard: s,
    ledger: { balances: new OverlayMap(pre.ledger.balances), nonces: new OverlayMap(pre.ledger.nonces) },
    escrow: pre.escrow,
    contracts: new Map(pre.contracts),
    pending: new Map(),
    outbox: new Map(pre.outbox),
    gasUsed: 0n,
    txGas: 0n,
    incoming: [...pre.incoming],
    sent: pre.shards.map(() => 0),
    items: [],
    receipts: [],
    receiptRoots: [],
    segments: [],
  };
  if (ctx.params.congestion.enabled && s.buffer.length > 0) processOutgoingBuffer(w);
  return w;
}

/** What a shard knows of the beacon chain when it processes a claim in `slot`. */
export function getBeaconView(state: ReceiptsState, slot: number, window: number): BeaconView {
  return { slot, window, getCrosslinks: (s) => state.beacon.crosslinks.get(s) };
}

const wait = (code: string, reason: string): ItemVerdict => ({ ok: "wait", code, reason });
const invalid = (code: string, reason: string): ItemVerdict => ({ ok: false, code, reason });

const REJECT_CODES: Record<RejectReason, string> = {
  "bad signature": "BAD_TX_SIGNATURE",
  "sender mismatch": "BAD_TX_SIGNATURE",
  "nonce too low": "NONCE_TOO_LOW",
  "insufficient balance for fee": "INSUFFICIENT_BALANCE",
  "unknown sender": "UNKNOWN_SENDER",
};

/** Applies one item to the work (or leaves it unchanged with a wait / invalid verdict). */
export function processBlockItem(w: ShardBlockWork, item: BlockItem): ItemVerdict {
  const v = item.kind === "tx" ? processTxItem(w, item.tx) : item.kind === "claim" ? processClaimItem(w, item.claim) : processReceiptItem(w, item.receipt);
  if (v.ok === true || v.ok === "rejected") w.items.push(item);
  return v;
}

/**
 * What refuses a transaction at submission, before any block: its whole gas budget must fit one
 * block (every segment is bounded by the gas left, so it then always fits an empty block; without
 * this it would wait forever and hold back its sender's later nonces).
 */
export function checkTxSubmission(stx: SignedTx, params: ReceiptsParams): { readonly code: string; readonly reason: string } | undefined {
  if (!isGasLimitWithinBlock(stx.tx.gasLimit, params.blockGas)) return { code: "GAS_LIMIT_ABOVE_BLOCK", reason: `gas limit ${stx.tx.gasLimit} above the block gas limit ${params.blockGas}` };
  return undefined;
}

/**
 * A new transaction: its gas limit within the block's, Stage-1 validity against the ledger as it
 * stands, then the fee cap, then block space.
 */
export function processTxItem(w: ShardBlockWork, stx: SignedTx): ItemVerdict {
  const tx = stx.tx;
  const i = w.shard.index;
  const refused = checkTxSubmission(stx, w.ctx.params);
  if (refused) return invalid(refused.code, refused.reason);
  const prepaid = computePrepaidFee(tx.gasLimit, tx.maxFeePerGas);
  const check = checkStage1Tx(w.ledger, stx, 0n, prepaid);
  if (check.ok === false) return invalid(REJECT_CODES[check.reason], check.reason);
  if (check.ok === "later") return wait("NONCE_NOT_REACHED", "nonce not reached");
  const cc = w.ctx.params.congestion;
  if (cc.enabled) {
    const shardOf = (id: ContractId): number | undefined => w.contracts.get(id)?.shard;
    const called = tx.program.steps.flatMap((step) => (step.kind === "call" ? [shardOf(step.contract)] : [])).filter((x): x is number => x !== undefined);
    const congested = findCongestedShard(called, i, w.shard.buffer.length, w.pre.congestion, cc);
    if (congested !== undefined) {
      // Rejected at inclusion: the block records it and its nonce is used (the sender's later
      // transactions are not held back); no fee, nothing runs.
      w.ledger.nonces.set(toHex(tx.sender), tx.nonce + 1n);
      return { ok: "rejected", code: "CONGESTED_DESTINATION", reason: `shard ${congested} is congested: new transactions calling it are rejected` };
    }
  }
  if (!isFeeCapSufficient(tx.maxFeePerGas, w.baseFee)) return wait("FEE_CAP_BELOW_BASE_FEE", `base fee above cap on shard ${i}`);
  const seg: SegmentInput = { kind: "tx", txId: computeTxIdOf(stx), sender: tx.sender, cap: tx.maxFeePerGas, program: tx.program, programBytes: undefined, start: 0, values: [], gasLeft: tx.gasLimit, prepaid, proofBytes: 0 };
  const run = runSegment(w, seg);
  if (run.ok !== "run") return run;
  if (cc.enabled && w.txGas + run.gas > computeTxGasLimit((w.incoming[i] as Backlog).receipts, w.ctx.params.blockGas, cc)) {
    return wait("TX_GAS_LIMIT", `gas for new transactions used up on congested shard ${i}`);
  }
  w.txGas += run.gas;
  const sender = toHex(tx.sender);
  w.ledger.balances.set(sender, (w.ledger.balances.get(sender) as bigint) - prepaid);
  w.ledger.nonces.set(sender, tx.nonce + 1n);
  w.escrow += prepaid;
  return { ok: true, segment: processSegment(w, seg, run.ex, run.gas) };
}

/** nonsequential: the claim waits while the base fee is above the sender's cap, then `processClaim` verifies it. */
export function processClaimItem(w: ShardBlockWork, claim: Claim): ItemVerdict {
  const r = claim.receipt;
  if (w.ctx.rule.delivery !== "claim") return invalid("NOT_A_CLAIM_MODE", `receipts:${w.ctx.rule.mode} consumes no claims`);
  if (w.ctx.rule.waitsForFeeCap && !isFeeCapSufficient(r.maxFeePerGas, w.baseFee)) return wait("FEE_CAP_BELOW_BASE_FEE", `claim waiting: base fee above cap on shard ${w.shard.index}`);
  let claims;
  try {
    claims = processClaim(w.shard.claims, claim, getBeaconView(w.pre, w.slot, w.ctx.params.window));
  } catch (e) {
    return invalid((e as { code?: string }).code ?? "BAD_CLAIM", (e as Error).message);
  }
  const seg = receiptSegment(r, computeClaimProofBytes(claim));
  const run = runSegment(w, seg);
  if (run.ok !== "run") return run;
  w.shard = { ...w.shard, claims };
  consumeIncoming(w, r);
  return { ok: true, segment: processSegment(w, seg, run.ex, run.gas) };
}

/**
 * Delivered modes: the receipt must be one the destination can read — emitted for this shard,
 * crosslinked, not consumed (`UNKNOWN_RECEIPT`) — and pass the mode's own rule (sequential: nonce order).
 */
export function processReceiptItem(w: ShardBlockWork, r: ReceiptValue): ItemVerdict {
  const rule = w.ctx.rule;
  const id = computeReceiptId(r);
  if (rule.delivery !== "protocol") return invalid("NOT_A_DELIVERY_MODE", `receipts:${rule.mode} consumes receipts only through claims`);
  if (rule.waitsForFeeCap && !isFeeCapSufficient(r.maxFeePerGas, w.baseFee)) return wait("FEE_CAP_BELOW_BASE_FEE", `receipt waiting: base fee above cap on shard ${w.shard.index}`);
  const known = w.outbox.get(id);
  if (!known || known.destShard !== w.shard.index || known.crosslinkedAt === null || !bytesEqual(known.root, Receipt.hashTreeRoot(r))) {
    return invalid("UNKNOWN_RECEIPT", `receipt ${id} is not a crosslinked, unconsumed receipt for shard ${w.shard.index}`);
  }
  let shard;
  try {
    shard = rule.processReceipt(w.shard, r);
  } catch (e) {
    return invalid((e as { code?: string }).code ?? "BAD_RECEIPT", (e as Error).message);
  }
  const seg = receiptSegment(r, 0);
  const run = runSegment(w, seg);
  if (run.ok !== "run") return run;
  w.shard = shard;
  w.outbox.delete(id);
  consumeIncoming(w, r);
  return { ok: true, segment: processSegment(w, seg, run.ex, run.gas) };
}

interface SegmentInput {
  readonly kind: BlockItem["kind"];
  readonly txId: Uint8Array;
  readonly sender: Uint8Array;
  readonly cap: bigint;
  readonly program: Program;
  /** The program's canonical encoding when known (receipts carry it). */
  readonly programBytes: Uint8Array | undefined;
  readonly start: number;
  readonly values: MaybeValue[];
  readonly gasLeft: bigint;
  readonly prepaid: bigint;
  readonly proofBytes: number;
  readonly consumed?: ReceiptValue;
}

const txIds = new WeakMap<SignedTx, Uint8Array>();
function computeTxIdOf(stx: SignedTx): Uint8Array {
  let id = txIds.get(stx);
  if (!id) {
    id = computeTxIdImpl(stx);
    txIds.set(stx, id);
  }
  return id;
}

const programs = new WeakMap<Uint8Array, Program>();
function decodeProgramOf(bytes: Uint8Array): Program {
  let p = programs.get(bytes);
  if (!p) {
    p = decodeProgram(bytes);
    programs.set(bytes, p);
  }
  return p;
}

function receiptSegment(r: ReceiptValue, proofBytes: number): SegmentInput {
  return {
    kind: proofBytes > 0 ? "claim" : "receipt",
    txId: r.txId,
    sender: r.sender,
    cap: r.maxFeePerGas,
    program: decodeProgramOf(r.program),
    programBytes: r.program,
    start: r.resumeAt,
    values: fromReceiptValues(r.values),
    gasLeft: r.gasLeft,
    prepaid: r.prepaid,
    proofBytes,
    consumed: r,
  };
}

/**
 * Runs a segment from its step until the program ends or calls another shard (applying nothing),
 * and checks that its gas fits the block. A segment that cannot fit even with no instructions is
 * not run at all.
 */
function runSegment(w: ShardBlockWork, seg: SegmentInput): { ok: "run"; ex: TxExecution; gas: bigint } | ItemVerdict {
  const p = w.ctx.params;
  const full = wait("BLOCK_GAS_EXCEEDED", `block full on shard ${w.shard.index}`);
  if (!isWithinBlockGas(w.gasUsed, computeSegmentGas(0n, seg.proofBytes, seg.gasLeft, p.segmentGas, p.proofByteGas), p.blockGas)) return full;
  const shard = w.shard.index;
  const shardOf = (id: ContractId): number | undefined => w.contracts.get(id)?.shard;
  const ex = executeProgram(
    seg.program,
    {
      runtime: w.ctx.runtime,
      sender: seg.sender,
      txId: seg.txId,
      gasLimit: computeCallBudget(seg.gasLeft, seg.proofBytes, p.segmentGas, p.proofByteGas),
      contract: (id) => {
        const c = w.contracts.get(id);
        return c && c.shard === shard ? { codeHash: c.codeHash, state: w.pending.get(id) ?? c.kv, ended: c.ended } : undefined;
      },
    },
    { start: seg.start, values: seg.values, suspendBefore: (step) => isRemoteCall(step, shard, shardOf) },
  );
  const gas = computeSegmentGas(ex.gas, seg.proofBytes, seg.gasLeft, p.segmentGas, p.proofByteGas);
  if (!isWithinBlockGas(w.gasUsed, gas, p.blockGas)) return full;
  return { ok: "run", ex, gas };
}

/**
 * Makes a segment part of the block: charges gas × base fee (capped) from the prepaid fee to the
 * proposer, applies its effects unless it aborted, then emits a receipt (suspended) or refunds the
 * unspent prepaid fee to the sender (the program ended).
 */
function processSegment(w: ShardBlockWork, seg: SegmentInput, ex: TxExecution, gas: bigint): SegmentRecord {
  const fee = computeSegmentFee(gas, w.baseFee, seg.cap);
  const prepaidLeft = seg.prepaid - fee;
  w.escrow -= fee;
  credit(w.ledger, w.proposer.account, fee);
  w.gasUsed += gas;
  const run = ex.run;
  if (run.status !== "aborted") applyEffects(w, ex);
  let emitted: ReceiptValue | undefined;
  let buffered = false;
  if (run.status === "suspended") {
    ({ receipt: emitted, buffered } = emitReceipt(w, seg, seg.program.steps, run.at, run.values, seg.gasLeft - gas, prepaidLeft));
  } else {
    credit(w.ledger, toHex(seg.sender), prepaidLeft);
    w.escrow -= prepaidLeft;
  }
  const record: SegmentRecord = {
    kind: seg.kind,
    txId: seg.txId,
    program: seg.program,
    start: seg.start,
    run,
    gas,
    metered: ex.gas,
    fee,
    baseFee: w.baseFee,
    effects: hasEffects(ex.effects),
    proofBytes: seg.proofBytes,
    ...(seg.consumed ? { consumed: seg.consumed } : {}),
    ...(emitted ? { emitted } : {}),
    ...(buffered ? { buffered } : {}),
  };
  w.segments.push(record);
  return record;
}

function applyEffects(w: ShardBlockWork, ex: TxExecution): void {
  for (const [id, writes] of ex.effects.writes) {
    let p = w.pending.get(id);
    if (!p) {
      p = new PendingState((w.contracts.get(id) as ContractRecord).kv);
      w.pending.set(id, p);
    }
    for (const [k, v] of writes) p.writes.set(k, v);
  }
  for (const id of ex.effects.ended) w.contracts.set(id, { ...(w.contracts.get(id) as ContractRecord), ended: true });
  for (const c of ex.effects.created) {
    if (w.contracts.has(c.id)) continue;
    w.contracts.set(c.id, { shard: w.shard.index, codeHash: c.codeHash, kv: MerkleKV.empty().applyWrites(c.writes), ended: false });
    w.shard = { ...w.shard, contracts: [...w.shard.contracts, c.id].sort() };
  }
}

/** The receipt of a suspended segment: listed in the block, or (congestion control) left in the outgoing buffer. */
function emitReceipt(w: ShardBlockWork, seg: SegmentInput, steps: Program["steps"], at: number, values: MaybeValue[], gasLeft: bigint, prepaid: bigint): { receipt: ReceiptValue; buffered: boolean } {
  const step = steps[at] as CallStep;
  const destShard = w.contracts.get(step.contract)?.shard as number;
  const draft: ReceiptValue = {
    sourceShard: w.shard.index,
    slot: w.slot,
    index: 0,
    destShard,
    nonce: 0,
    txId: seg.txId,
    sender: seg.sender,
    maxFeePerGas: seg.cap,
    gasLeft,
    prepaid,
    resumeAt: at,
    program: seg.programBytes ?? encodeProgram(seg.program),
    values: toReceiptValues(values),
  };
  if (w.ctx.params.congestion.enabled && (w.shard.buffer.some((r) => r.destShard === destShard) || !canListReceipt(w, destShard))) {
    w.shard = { ...w.shard, buffer: [...w.shard.buffer, draft] };
    return { receipt: draft, buffered: true };
  }
  return { receipt: listReceipt(w, draft), buffered: false };
}

function credit(ledger: BeaconState, account: string, amount: bigint): void {
  ledger.balances.set(account, (ledger.balances.get(account) ?? 0n) + amount);
}
