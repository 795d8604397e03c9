/**
 * The operations of a lock2pc shard block, one transition per rule (DESIGN §4: Atomix, S-BAC,
 * two-phase commit), applied in block order by `applyOps` (block.ts):
 * - `processExecute`: a single-shard transaction runs at once unless one of its contracts is locked;
 * - `processLock`: a cross-shard transaction asks for a lock on each of its contracts here —
 *   accepted (state pinned) when no other transaction holds it, refused otherwise;
 * - `processCommit`: with a lock proof for every lock, all accepted, the shard runs the whole
 *   program against the pinned states, applies its own part and releases its locks;
 * - `processAbort`: with the lock proofs showing a refusal, the shard releases the locks it granted.
 * Each returns the new state and the block's result leaves; a broken rule is a typed error and the
 * input state is unchanged.
 */
import { bytesEqual } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import type { ContractHandle } from "../../exec/executeTx.js";
import type { ContractId } from "../../types.js";
import {
  checkWitness,
  computeExecOutcome,
  computePostState,
  createContractHandle,
  executeTx,
  getShard,
  processSuccessors,
  withStates,
  type AdmittedTx,
  type ExecOutcome,
  type ShardsContext,
  type ShardsState,
  type Snap,
} from "../shards/world.js";
import { RESULT_KINDS, type ResultKind, type ResultLeafValue, type ShardHeaderValue } from "./containers.js";
import { computeLockProofBytes, isLockFree, verifyLockProof, type LockProof } from "./rules.js";
import type { WorkObserver } from "../../chain/observer.js";

/** The agreed state of the lock2pc chain. */
export interface Lock2pcState {
  readonly world: ShardsState;
  /** contract → admission sequence number of the transaction holding its lock. */
  readonly locks: ReadonlyMap<ContractId, number>;
  /** Per shard: root and slot of its last block header (zero root and −1 at genesis). */
  readonly heads: readonly { readonly root: Uint8Array; readonly slot: number }[];
  /** Crosslinked shard headers, by `shard:slot` (what lock proofs are checked against). */
  readonly crosslinks: ReadonlyMap<string, ShardHeaderValue>;
}

/**
 * What a transition reports to a driver that counts (optional). The shared work figures
 * (`WorkObserver`), once per shard, in `slot` (the block's slot, passed by the caller; −1 when the
 * caller does not say): `processExecute` and `processCommit` are one `execute` each with the
 * program's metered gas (at commit every shard of the transaction runs the whole program, the
 * pinned remote contracts included), tx = the admission sequence number; each lock proof checked
 * moves its bytes (`proof`), each pinned remote contract read at commit its witness (`witness`).
 */
export interface Lock2pcObserver extends WorkObserver {
  onLock?(t: AdmittedTx, shard: number, contract: ContractId, accepted: boolean): void;
  onProofChecked?(bytes: number): void;
  onWitness?(bytes: number): void;
}

export interface OpResult {
  readonly state: Lock2pcState;
  readonly leaves: readonly ResultLeafValue[];
  /** execute: the outcome, or null when a locked contract refused it. commit: the outcome. */
  readonly outcome?: ExecOutcome | null;
  /** Metered gas of the op's execution (execute, commit; 0 for the others and a refused execute). */
  readonly gas: bigint;
}

export function createLock2pcState(world: ShardsState, shards: number): Lock2pcState {
  return { world, locks: new Map(), heads: Array.from({ length: shards }, () => ({ root: new Uint8Array(32), slot: -1 })), crosslinks: new Map() };
}

export function getCrosslinkKey(shard: number, slot: number): string {
  return `${shard}:${slot}`;
}

const utf8 = new TextEncoder();

function leaf(kind: ResultKind, t: AdmittedTx, contract: ContractId, snap: Snap): ResultLeafValue {
  return { kind: RESULT_KINDS[kind], txId: t.txId, contract: utf8.encode(contract), stateRoot: snap.kv.root() };
}

/** The distinct existing contracts of a transaction on `shard`, in footprint order. */
export function getLockContracts(world: ShardsState, shard: number, t: AdmittedTx): ContractId[] {
  const out: ContractId[] = [];
  for (const id of t.footprint) if (getShard(world, id) === shard && !out.includes(id)) out.push(id);
  return out;
}

/** A single-shard transaction runs in this block, unless a contract it touches is locked (then refused: outcome null). */
export function processExecute(state: Lock2pcState, shard: number, t: AdmittedTx, ctx: ShardsContext, observer: Lock2pcObserver = {}, slot = -1): OpResult {
  const world = state.world;
  const ids = t.footprint.filter((id) => getShard(world, id) !== undefined);
  if (ids.some((id) => getShard(world, id) !== shard)) throw new XshardError("NOT_SINGLE_SHARD", `transaction ${t.txIdHex} spans several shards`, { tx: t.txIdHex, shard });
  if (ids.some((id) => !isLockFree(state.locks.get(id), t.seq))) {
    return { state, leaves: ids.map((id) => leaf("refused", t, id, world.states.get(id) as Snap)), outcome: null, gas: 0n };
  }
  const ex = executeTx(ctx, t, new Map(ids.map((id) => [id, createContractHandle(world, id, world.states.get(id) as Snap)])));
  observer.onExecution?.(slot, shard, t.seq, "execute", Number(ex.gas));
  const outcome = computeExecOutcome(t.stx, ex);
  const updates = new Map<ContractId, Snap>();
  const leaves: ResultLeafValue[] = [];
  for (const id of ids) {
    const post = computePostState(id, updates.get(id) ?? (world.states.get(id) as Snap), ex);
    updates.set(id, post);
    leaves.push(leaf(outcome.status, t, id, post));
  }
  const next = processSuccessors(withStates(world, updates), outcome.created, ctx);
  return { state: { ...state, world: next }, leaves, outcome, gas: ex.gas };
}

/** A cross-shard transaction asks for a lock on each of its contracts on `shard`. */
export function processLock(state: Lock2pcState, shard: number, t: AdmittedTx, observer: Lock2pcObserver = {}): OpResult {
  const locks = new Map(state.locks);
  const leaves: ResultLeafValue[] = [];
  for (const id of getLockContracts(state.world, shard, t)) {
    const free = isLockFree(locks.get(id), t.seq);
    if (free) locks.set(id, t.seq);
    leaves.push(leaf(free ? "locked" : "refused", t, id, state.world.states.get(id) as Snap));
    observer.onLock?.(t, shard, id, free);
  }
  return { state: { ...state, locks }, leaves, gas: 0n };
}

/**
 * Checks a transaction's lock proofs on `shard`: one per lock of the transaction (every contract
 * of its footprint on every shard, MISSING_LOCK_PROOF otherwise), each against the crosslinked
 * header of its block (UNKNOWN_HEADER; BAD_LOCK_PROOF from `verifyLockProof`). Returns whether
 * each lock was accepted, by contract.
 */
export function checkLockProofs(state: Lock2pcState, t: AdmittedTx, proofs: readonly LockProof[], observer: Lock2pcObserver = {}, slot = -1): Map<ContractId, boolean> {
  const out = new Map<ContractId, boolean>();
  const decoder = new TextDecoder();
  for (const p of proofs) {
    const header = state.crosslinks.get(getCrosslinkKey(p.shard, p.slot));
    if (!header) throw new XshardError("UNKNOWN_HEADER", `lock proof names shard ${p.shard}'s block at ${p.slot}, which is not crosslinked`, { shard: p.shard, slot: p.slot });
    const contract = decoder.decode(p.leaf.contract);
    if (getShard(state.world, contract) !== p.shard) throw new XshardError("BAD_LOCK_PROOF", `lock proof rejected: ${contract} does not live on shard ${p.shard}`, { shard: p.shard, contract });
    out.set(contract, verifyLockProof(p, header, t.txId, p.leaf.contract));
    observer.onProofChecked?.(computeLockProofBytes(p));
    observer.onTransfer?.(slot, "proof", computeLockProofBytes(p));
  }
  for (const id of t.footprint) {
    if (getShard(state.world, id) !== undefined && !out.has(id)) throw new XshardError("MISSING_LOCK_PROOF", `no lock proof for ${id}`, { tx: t.txIdHex, contract: id });
  }
  return out;
}

/**
 * Commit on `shard`: every lock proof shows an accepted lock (NOT_ALL_LOCKED otherwise), every
 * contract of this shard is still locked by the transaction (LOCK_NOT_HELD). The shard executes the
 * whole program — its own contracts from its state (unchanged since the lock: the pinned root),
 * the others from `pinned` through a witness against the pinned root in their proof — applies its
 * own part if the program commits, and releases its locks.
 */
export function processCommit(
  state: Lock2pcState,
  shard: number,
  t: AdmittedTx,
  proofs: readonly LockProof[],
  pinned: ReadonlyMap<ContractId, Snap>,
  ctx: ShardsContext,
  observer: Lock2pcObserver = {},
  slot = -1,
): OpResult {
  const accepted = checkLockProofs(state, t, proofs, observer, slot);
  if ([...accepted.values()].some((a) => !a)) throw new XshardError("NOT_ALL_LOCKED", `commit of ${t.txIdHex} without every lock`, { tx: t.txIdHex });
  const world = state.world;
  const rootOf = new Map(proofs.map((p) => [new TextDecoder().decode(p.leaf.contract), p.leaf.stateRoot]));
  const handles = new Map<ContractId, ContractHandle>();
  for (const id of accepted.keys()) {
    const own = getShard(world, id) === shard;
    if (own && state.locks.get(id) !== t.seq) throw new XshardError("LOCK_NOT_HELD", `${id} is not locked by ${t.txIdHex}`, { tx: t.txIdHex, contract: id });
    const snap = own ? world.states.get(id) : pinned.get(id);
    if (!snap) throw new XshardError("MISSING_STATE", `no pinned state of ${id}`, { contract: id });
    if (!bytesEqual(snap.kv.root(), rootOf.get(id) as Uint8Array)) throw new XshardError("WRONG_PINNED_STATE", `state of ${id} is not the pinned one`, { contract: id });
    handles.set(id, createContractHandle(world, id, snap));
  }
  const ex = executeTx(ctx, t, handles);
  observer.onExecution?.(slot, shard, t.seq, "execute", Number(ex.gas));
  for (const id of handles.keys()) {
    if (getShard(world, id) === shard) continue;
    const bytes = checkWitness(id, pinned.get(id) as Snap, rootOf.get(id) as Uint8Array, ex.effects.reads.get(id));
    if (bytes > 0) observer.onWitness?.(bytes);
    if (bytes > 0) observer.onTransfer?.(slot, "witness", bytes);
  }
  const outcome = computeExecOutcome(t.stx, ex);
  const locks = new Map(state.locks);
  const updates = new Map<ContractId, Snap>();
  const leaves: ResultLeafValue[] = [];
  for (const id of handles.keys()) {
    if (getShard(world, id) !== shard) continue;
    const post = computePostState(id, world.states.get(id) as Snap, ex);
    updates.set(id, post);
    locks.delete(id);
    leaves.push(leaf(outcome.status, t, id, post));
  }
  const next = processSuccessors(withStates(world, updates), outcome.created, ctx);
  return { state: { ...state, world: next, locks }, leaves, outcome, gas: ex.gas };
}

/**
 * Abort on `shard`: the lock proofs show at least one refusal (ALL_LOCKED otherwise: a transaction
 * with every lock must commit); the shard releases the locks it granted the transaction.
 */
export function processAbort(state: Lock2pcState, shard: number, t: AdmittedTx, proofs: readonly LockProof[], observer: Lock2pcObserver = {}, slot = -1): OpResult {
  const accepted = checkLockProofs(state, t, proofs, observer, slot);
  if ([...accepted.values()].every(Boolean)) throw new XshardError("ALL_LOCKED", `abort of ${t.txIdHex} although every lock was granted`, { tx: t.txIdHex });
  const locks = new Map(state.locks);
  const leaves: ResultLeafValue[] = [];
  for (const [id, ok] of accepted) {
    if (!ok || getShard(state.world, id) !== shard) continue;
    if (locks.get(id) === t.seq) locks.delete(id);
    leaves.push(leaf("released", t, id, state.world.states.get(id) as Snap));
  }
  return { state: { ...state, locks }, leaves, gas: 0n };
}
