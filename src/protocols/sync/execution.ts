/**
 * Execution of a sync height and the light-client confirmations it rests on (DESIGN §4).
 *
 * Height h runs once every shard's block of h is known: a transaction runs only if every shard it
 * lists included it at h (`isEffective`). Each shard's executors run their block's effective
 * cross-shard transactions (by id) against the state after h−1 — own contracts from their state,
 * other shards' contracts through the contract leaf's branch to that shard's *confirmed* root after
 * h−1 and a witness of the keys read — then the block's single-shard transactions. Every shard
 * committee then confirms its new state root (`buildConfirmation`).
 */
import { toHex, sha256 } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { verifyListProof } from "../../state/index.js";
import type { Attestation } from "../../chain/index.js";
import type { ContractHandle } from "../../exec/executeTx.js";
import type { ContractId } from "../../types.js";
import { checkShardAttestation, type VerifyOptions } from "../shards/attestation.js";
import { CONTRACT_LEAF_BYTES } from "../shards/containers.js";
import {
  checkWitness,
  computeContractLeaf,
  computeExecOutcome,
  computePostState,
  computeShardState,
  createContractHandle,
  executeTx,
  getListedShards,
  getShard,
  isWithinSlotGas,
  isSameOutcome,
  processSuccessors,
  withStates,
  type AdmittedTx,
  type ExecOutcome,
  type ShardsContext,
  type ShardsState,
  type ShardStateCommitment,
  type Snap,
} from "../shards/world.js";
import { computeSyncBlockRoot, type SyncBlock, type SyncState } from "./block.js";
import { Confirmation, DOMAIN_CONFIRMATION, type ConfirmationValue } from "./containers.js";
import { isEffective } from "./rules.js";
import type { WorkObserver } from "../../chain/observer.js";

/** A shard's state root after a height as its committee confirmed it, with the states witnesses are taken from. */
export interface SyncConfirmation {
  readonly value: ConfirmationValue;
  readonly state: ShardStateCommitment;
  /** The contract states a witness against this root is taken from (what the shard's nodes serve). */
  readonly snaps: ReadonlyMap<ContractId, Snap>;
  readonly attestation: Attestation;
}

/**
 * What the spec reports to a driver that wants to count (all optional). The shared work figures
 * (`WorkObserver`), once per shard: every shard's run of a transaction at a height is one `execute`
 * with the program's metered gas (every shard a transaction lists runs the whole program, its
 * calls on other shards' contracts included), tx = the admission sequence number, slot = the
 * height; a remote read moves the contract leaf's branch and the state witness (`witness`); a
 * confirmation's signatures are verified once per reading shard, a block's once at import
 * (`processSyncBlock`).
 */
export interface SyncObserver extends WorkObserver {
  onExecute?(t: AdmittedTx, shard: number, height: number): void;
  /** A light-client check of a confirmation by the executors of `reader` (the first use of it). */
  onConfirmationCheck?(reader: number, key: string): void;
  /** Bytes of a contract-leaf branch or a state witness downloaded by an executor. */
  onWitness?(bytes: number, kind: "branch" | "witness"): void;
}

/** What one executed shard block rested on besides its own previous state. */
export interface ExecutedShardBlock {
  readonly shard: number;
  readonly height: number;
  /** Shards whose confirmed roots (of the previous height) its cross-shard transactions used. */
  readonly remoteShards: readonly number[];
  /** New states of the shard's contracts that changed. */
  readonly post: ReadonlyMap<ContractId, Snap>;
  /** Metered gas of the executions (within the slot gas). */
  readonly gasUsed: bigint;
  /** Single-shard transactions left for a later height: their execution did not fit the gas left. */
  readonly deferred: readonly AdmittedTx[];
}

/** The confirmation of `shard`'s state after `height` (unsigned): its block root and the state commitment. */
export function buildConfirmation(world: ShardsState, shard: number, height: number, blockRoot: Uint8Array, states: ReadonlyMap<ContractId, Snap>): Omit<SyncConfirmation, "attestation"> {
  const state = computeShardState(world, shard, states);
  const snaps = new Map(state.ids.map((id) => [id, states.get(id) as Snap]));
  return { value: { shard, height: Math.max(height, 0), blockRoot, stateRoot: state.commitment.root }, state, snaps };
}

export function computeConfirmationRoot(c: ConfirmationValue): Uint8Array {
  return Confirmation.hashTreeRoot(c);
}

const confirmationIds = new WeakMap<SyncConfirmation, string>();

/** The key a reader remembers a checked confirmation by (its root and signature; computed once per object). */
export function getConfirmationKey(reader: number, c: SyncConfirmation): string {
  let id = confirmationIds.get(c);
  if (id === undefined) {
    id = toHex(sha256(computeConfirmationRoot(c.value), c.attestation.signature));
    confirmationIds.set(c, id);
  }
  return `${reader}:${id}`;
}

const verifiedConfirmations = new WeakMap<ShardsContext, WeakSet<SyncConfirmation>>();

/**
 * The committee's attestation of a confirmation (checkShardAttestation). Every reading shard checks
 * it; the check is a pure function of the context and the (immutable) confirmation, so a full
 * signature check that passed once is remembered per context and confirmation object, and the
 * other readers' checks reuse it (the work figures still count each reader's check).
 */
function checkConfirmationAttestation(ctx: ShardsContext, conf: SyncConfirmation, opts: VerifyOptions): void {
  const full = opts.verifySignatures ?? true;
  let verified = verifiedConfirmations.get(ctx);
  if (full && verified?.has(conf)) return;
  checkShardAttestation(ctx, conf.value.shard, DOMAIN_CONFIRMATION, computeConfirmationRoot(conf.value), conf.attestation, opts);
  if (!full) return;
  if (!verified) {
    verified = new WeakSet();
    verifiedConfirmations.set(ctx, verified);
  }
  verified.add(conf);
}

/**
 * What an executor of `reader` checks before using another shard's contract: the confirmation
 * (the shard committee's attestation, once per reader and confirmation), the contract leaf's branch
 * to the confirmed state root (BAD_CONTRACT_LEAF), and the witness of the keys read (BAD_WITNESS).
 */
export function checkRemoteRead(
  ctx: ShardsContext,
  reader: number,
  conf: SyncConfirmation,
  id: ContractId,
  reads: ReadonlySet<string> | undefined,
  checked: Set<string>,
  observer: SyncObserver = {},
  opts: VerifyOptions = {},
  slot = conf.value.height + 1,
): void {
  const key = getConfirmationKey(reader, conf);
  if (!checked.has(key)) {
    checkConfirmationAttestation(ctx, conf, opts);
    checked.add(key);
    observer.onConfirmationCheck?.(reader, key);
    observer.onSignatures?.(slot, 0, conf.attestation.signers.length);
  }
  const i = conf.state.ids.indexOf(id);
  const snap = conf.snaps.get(id);
  if (i < 0 || !snap) throw new XshardError("BAD_CONTRACT_LEAF", `contract ${id} is not in shard ${conf.value.shard}'s confirmed state`, { contract: id });
  const branch = conf.state.commitment.prove(i);
  if (!verifyListProof(conf.value.stateRoot, i, computeContractLeaf(id, snap), branch, conf.state.ids.length)) {
    throw new XshardError("BAD_CONTRACT_LEAF", `contract leaf of ${id} is not in the confirmed root of shard ${conf.value.shard}`, { contract: id });
  }
  observer.onWitness?.(CONTRACT_LEAF_BYTES + 32 * branch.length, "branch");
  observer.onTransfer?.(slot, "witness", CONTRACT_LEAF_BYTES + 32 * branch.length);
  const bytes = checkWitness(id, snap, snap.kv.root(), reads);
  if (bytes > 0) observer.onWitness?.(bytes, "witness");
  if (bytes > 0) observer.onTransfer?.(slot, "witness", bytes);
}

/** The effective transactions of a block, in execution order: cross-shard by id, then single-shard in block order. */
export function getExecutionOrder(world: ShardsState, block: SyncBlock, effective: ReadonlySet<string>): AdmittedTx[] {
  const mine = block.txs.filter((t) => effective.has(t.txIdHex));
  const byId = (a: AdmittedTx, b: AdmittedTx): number => (a.txIdHex < b.txIdHex ? -1 : a.txIdHex > b.txIdHex ? 1 : 0);
  const cross = mine.filter((t) => getListedShards(world, t.footprint).length > 1).sort(byId);
  return [...cross, ...mine.filter((t) => getListedShards(world, t.footprint).length === 1)];
}

/**
 * One shard's executors run one block's effective transactions against `pre` (the states after the
 * previous height) and the confirmations of the previous height (`confs[z]` for shard z). Every
 * executor of a transaction must reach the same outcome (`outcomes`, shared between the shards of a
 * height; EXECUTORS_DISAGREE otherwise). With `gasLimit`, a single-shard transaction whose metered
 * gas does not fit what is left of it is not applied (deferred to a later height).
 */
export function executeSyncShardBlock(
  ctx: ShardsContext,
  world: ShardsState,
  block: SyncBlock,
  txs: readonly AdmittedTx[],
  pre: ReadonlyMap<ContractId, Snap>,
  confs: readonly SyncConfirmation[],
  outcomes: Map<string, ExecOutcome>,
  checked: Set<string>,
  observer: SyncObserver = {},
  opts: VerifyOptions = {},
  gasLimit?: bigint,
): ExecutedShardBlock {
  const shard = block.header.shard;
  const post = new Map<ContractId, Snap>();
  const remoteShards = new Set<number>();
  const deferred: AdmittedTx[] = [];
  let gasUsed = 0n;
  for (const t of txs) {
    const handles = new Map<ContractId, ContractHandle>();
    const remote: ContractId[] = [];
    for (const id of t.footprint) {
      const z = getShard(world, id);
      if (z === undefined || handles.has(id)) continue;
      const snap = z === shard ? (post.get(id) ?? pre.get(id)) : confs[z]?.snaps.get(id);
      if (!snap) throw new XshardError("MISSING_STATE", `no state of ${id} for height ${block.header.height}`, { contract: id, height: block.header.height });
      handles.set(id, createContractHandle(world, id, snap));
      if (z !== shard) {
        remote.push(id);
        remoteShards.add(z);
      }
    }
    const ex = executeTx(ctx, t, handles);
    if (gasLimit !== undefined && remote.length === 0 && getListedShards(world, t.footprint).length === 1 && !isWithinSlotGas(gasUsed, ex.gas, gasLimit)) {
      deferred.push(t);
      continue;
    }
    gasUsed += ex.gas;
    observer.onExecution?.(block.header.height, shard, t.seq, "execute", Number(ex.gas));
    for (const id of remote) {
      if (ex.effects.called.has(id)) checkRemoteRead(ctx, shard, confs[getShard(world, id) as number] as SyncConfirmation, id, ex.effects.reads.get(id), checked, observer, opts, block.header.height);
    }
    const outcome = computeExecOutcome(t.stx, ex);
    const prior = outcomes.get(t.txIdHex);
    if (prior && !isSameOutcome(prior, outcome)) throw new XshardError("EXECUTORS_DISAGREE", `executors disagree on transaction ${t.txIdHex}`, { tx: t.txIdHex });
    if (!prior) outcomes.set(t.txIdHex, outcome);
    for (const id of handles.keys()) {
      if (getShard(world, id) !== shard) continue;
      const before = post.get(id) ?? (pre.get(id) as Snap);
      const after = computePostState(id, before, ex);
      if (after !== before) post.set(id, after);
    }
    observer.onExecute?.(t, shard, block.header.height);
  }
  return { shard, height: block.header.height, remoteShards: [...remoteShards].sort((x, y) => x - y), post, gasUsed, deferred };
}

/**
 * The gas bound of a height (sync's execution budget): the effective cross-shard transactions, in
 * id order, run at this height only if their metered gas (the same on every shard that runs them:
 * they read the states after the previous height, one transaction per address) fits the gas left on
 * every shard they list; the others are deferred. Returns the cross-shard transactions that run
 * and the gas they use per shard; single-shard transactions then fill what is left, in block order
 * (`executeSyncShardBlock`). An execution costs what it meters: a transaction whose gas limit is
 * within the slot gas always fits an empty height.
 */
export function selectCrossShardWithinGas(ctx: ShardsContext, world: ShardsState, cross: readonly AdmittedTx[]): { run: Set<string>; used: bigint[] } {
  const used = Array.from({ length: ctx.shards }, () => 0n);
  const run = new Set<string>();
  for (const t of [...cross].sort((a, b) => (a.txIdHex < b.txIdHex ? -1 : a.txIdHex > b.txIdHex ? 1 : 0))) {
    const handles = new Map<ContractId, ContractHandle>();
    for (const id of t.footprint) {
      const snap = world.states.get(id);
      if (snap && getShard(world, id) !== undefined && !handles.has(id)) handles.set(id, createContractHandle(world, id, snap));
    }
    const gas = executeTx(ctx, t, handles).gas;
    const shards = getListedShards(world, t.footprint);
    if (!shards.every((z) => isWithinSlotGas(used[z] as bigint, gas, ctx.slotGas))) continue;
    for (const z of shards) used[z] = (used[z] as bigint) + gas;
    run.add(t.txIdHex);
  }
  return { run, used };
}

export interface HeightResult {
  readonly state: SyncState;
  /** Transactions that ran at this height, in admission order, with their outcomes. */
  readonly ran: readonly { tx: AdmittedTx; outcome: ExecOutcome }[];
  /** Every included transaction that did not run (not included by every shard it lists). */
  readonly dropped: readonly AdmittedTx[];
  /** Effective transactions that did not fit the slot gas of a shard they list: they wait for a later height. */
  readonly deferred: readonly AdmittedTx[];
  readonly executed: readonly ExecutedShardBlock[];
}

/**
 * Executes height `executed + 1` (the same-height inclusion rule and execution): `blocks` are the
 * imported blocks of that height, one per shard (WRONG_HEIGHT otherwise); `confs` the accepted
 * confirmations of the previous height, one per shard. Returns the new state (contract states,
 * successors registered) and what ran.
 */
export function processSyncHeight(
  state: SyncState,
  blocks: readonly SyncBlock[],
  confs: readonly SyncConfirmation[],
  ctx: ShardsContext,
  checked: Set<string>,
  observer: SyncObserver = {},
  opts: VerifyOptions = {},
): HeightResult {
  const height = state.executed + 1;
  blocks.forEach((b, y) => {
    if (b.header.shard !== y || b.header.height !== height) throw new XshardError("WRONG_HEIGHT", `height ${height} needs every shard's block of that height in shard order`, { height, shard: y });
    if (state.heads[y] === undefined || state.heads[y].height < height) throw new XshardError("UNKNOWN_BLOCK", `shard ${y}'s block at ${height} was not imported`, { height, shard: y });
  });
  if (blocks.length !== ctx.shards) throw new XshardError("WRONG_HEIGHT", `height ${height} needs ${ctx.shards} blocks, got ${blocks.length}`, { height });
  const world = state.world;
  const includedBy = new Map<string, Set<number>>();
  const byId = new Map<string, AdmittedTx>();
  for (const b of blocks) {
    for (const t of b.txs) {
      (includedBy.get(t.txIdHex) ?? includedBy.set(t.txIdHex, new Set()).get(t.txIdHex))?.add(b.header.shard);
      byId.set(t.txIdHex, t);
    }
  }
  const effective = new Set<string>();
  const dropped: AdmittedTx[] = [];
  for (const [id, t] of byId) {
    if (isEffective(getListedShards(world, t.footprint), includedBy.get(id) as Set<number>)) effective.add(id);
    else dropped.push(t);
  }
  const cross = [...effective].map((id) => byId.get(id) as AdmittedTx).filter((t) => getListedShards(world, t.footprint).length > 1);
  const fit = selectCrossShardWithinGas(ctx, world, cross);
  const deferred = cross.filter((t) => !fit.run.has(t.txIdHex));
  for (const t of deferred) effective.delete(t.txIdHex);
  const outcomes = new Map<string, ExecOutcome>();
  const executed: ExecutedShardBlock[] = [];
  const updates = new Map<ContractId, Snap>();
  for (const b of blocks) {
    // The shard's cross-shard transactions (which fit, `fit`) run first and count; single-shard ones fill the rest.
    const e = executeSyncShardBlock(ctx, world, b, getExecutionOrder(world, b, effective), world.states, confs, outcomes, checked, observer, opts, ctx.slotGas);
    for (const [id, snap] of e.post) updates.set(id, snap);
    for (const t of e.deferred) {
      effective.delete(t.txIdHex);
      deferred.push(t);
    }
    executed.push(e);
  }
  const ran = [...effective].map((id) => ({ tx: byId.get(id) as AdmittedTx, outcome: outcomes.get(id) as ExecOutcome })).sort((a, b) => a.tx.seq - b.tx.seq);
  let next = withStates(world, updates);
  for (const r of ran) next = processSuccessors(next, r.outcome.created, ctx);
  return { state: { ...state, world: next, executed: height }, ran, dropped: dropped.sort((a, b) => a.seq - b.seq), deferred: deferred.sort((a, b) => a.seq - b.seq), executed };
}

/** The root of a height's block of `shard` (what its confirmation names). */
export function getBlockRoot(block: SyncBlock): Uint8Array {
  return computeSyncBlockRoot(block.header);
}
