/**
 * lock2pc shard blocks: building (`buildLock2pcBlock` applies the operations and fills the roots)
 * separate from importing (`processLock2pcBlock` checks the header, re-applies the operations and
 * compares the roots, whoever built it), and the crosslink of headers (`processCrosslink`) that
 * lock proofs are checked against.
 */
import { bytesEqual, toHex } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { commitList, type ListCommitment } from "../../state/index.js";
import type { Attestation } from "../../chain/index.js";
import type { ContractId } from "../../types.js";
import { checkShardAttestation, checkShardProposer, computeShardProposer, getCommittee, type VerifyOptions } from "../shards/attestation.js";
import { computeShardState, isWithinSlotGas, type AdmittedTx, type ExecOutcome, type ShardsContext, type Snap } from "../shards/world.js";
import { DOMAIN_LOCK2PC_BLOCK, OP_KINDS, OpEntry, ResultLeaf, ShardHeader, type ResultLeafValue, type ShardHeaderValue } from "./containers.js";
import type { LockProof } from "./rules.js";
import type { WorkObserver } from "../../chain/observer.js";
import { getCrosslinkKey, processAbort, processCommit, processExecute, processLock, type Lock2pcObserver, type Lock2pcState } from "./transitions.js";

/** One operation of a shard block. */
export type Lock2pcOp =
  | { readonly kind: "execute"; readonly tx: AdmittedTx }
  | { readonly kind: "lock"; readonly tx: AdmittedTx }
  | { readonly kind: "commit"; readonly tx: AdmittedTx; readonly proofs: readonly LockProof[]; readonly pinned: ReadonlyMap<ContractId, Snap> }
  | { readonly kind: "abort"; readonly tx: AdmittedTx; readonly proofs: readonly LockProof[] };

export interface Lock2pcBlockBody {
  readonly header: ShardHeaderValue;
  readonly ops: readonly Lock2pcOp[];
}

export interface Lock2pcBlock extends Lock2pcBlockBody {
  readonly attestation: Attestation;
}

/** What applying a block's operations gave, op by op. */
export interface AppliedOp {
  readonly op: Lock2pcOp;
  /** Index of the op's first result leaf in the block's results list, and how many it added. */
  readonly first: number;
  readonly count: number;
  readonly outcome?: ExecOutcome | null;
}

export interface AppliedBlock {
  readonly state: Lock2pcState;
  /** Metered gas of the block's executions (at most the slot gas). */
  readonly gasUsed: bigint;
  readonly results: ListCommitment;
  readonly leaves: readonly ResultLeafValue[];
  readonly applied: readonly AppliedOp[];
}

export function computeOpsRoot(ops: readonly Lock2pcOp[]): Uint8Array {
  return commitList(ops.map((o) => OpEntry.hashTreeRoot({ kind: OP_KINDS[o.kind], txId: o.tx.txId }))).root;
}

export function computeLock2pcBlockRoot(header: ShardHeaderValue): Uint8Array {
  return ShardHeader.hashTreeRoot(header);
}

/**
 * Applies a shard's operations in order (one transition per op kind). The block's executions
 * (execute, commit) use at most the slot gas (BLOCK_GAS_EXCEEDED otherwise).
 */
export function applyOps(state: Lock2pcState, shard: number, ops: readonly Lock2pcOp[], ctx: ShardsContext, observer: Lock2pcObserver = {}, slot = -1): AppliedBlock {
  let s = state;
  let gasUsed = 0n;
  const leaves: ResultLeafValue[] = [];
  const applied: AppliedOp[] = [];
  for (const op of ops) {
    const r =
      op.kind === "execute"
        ? processExecute(s, shard, op.tx, ctx, observer, slot)
        : op.kind === "lock"
          ? processLock(s, shard, op.tx, observer)
          : op.kind === "commit"
            ? processCommit(s, shard, op.tx, op.proofs, op.pinned, ctx, observer, slot)
            : processAbort(s, shard, op.tx, op.proofs, observer, slot);
    if (!isWithinSlotGas(gasUsed, r.gas, ctx.slotGas)) {
      reject("BLOCK_GAS_EXCEEDED", `shard ${shard}'s block executes more than the slot gas ${ctx.slotGas} (${gasUsed + r.gas} at op ${applied.length})`, { shard, gas: String(gasUsed + r.gas), slotGas: String(ctx.slotGas) });
    }
    gasUsed += r.gas;
    applied.push({ op, first: leaves.length, count: r.leaves.length, ...(r.outcome === undefined ? {} : { outcome: r.outcome }) });
    leaves.push(...r.leaves);
    s = r.state;
  }
  return { state: s, gasUsed, results: commitList(leaves.map((l) => ResultLeaf.hashTreeRoot(l))), leaves, applied };
}

/**
 * Seals a shard block whose operations were applied (op by op, `applied` is the state after them):
 * fills the header's roots and moves the shard's head. The committee then signs the header.
 */
export function sealLock2pcBlock(
  applied: Lock2pcState,
  shard: number,
  slot: number,
  ops: readonly Lock2pcOp[],
  leaves: readonly ResultLeafValue[],
  ctx: ShardsContext,
): { state: Lock2pcState; body: Lock2pcBlockBody; results: ListCommitment } {
  const results = commitList(leaves.map((l) => ResultLeaf.hashTreeRoot(l)));
  const header: ShardHeaderValue = {
    shard,
    slot,
    proposer: computeShardProposer(ctx, shard, slot).index,
    parentRoot: (applied.heads[shard] as { root: Uint8Array }).root,
    opsRoot: computeOpsRoot(ops),
    resultsRoot: results.root,
    stateRoot: computeShardState(applied.world, shard).commitment.root,
  };
  const heads = applied.heads.slice();
  heads[shard] = { root: computeLock2pcBlockRoot(header), slot };
  return { state: { ...applied, heads }, body: { header, ops }, results };
}

/** The proposer of `shard` in `slot` builds its block: applies the ops and seals it. */
export function buildLock2pcBlock(
  state: Lock2pcState,
  shard: number,
  slot: number,
  ops: readonly Lock2pcOp[],
  ctx: ShardsContext,
  observer: Lock2pcObserver = {},
): { body: Lock2pcBlockBody; applied: AppliedBlock } {
  const applied = applyOps(state, shard, ops, ctx, observer, slot);
  const sealed = sealLock2pcBlock(applied.state, shard, slot, ops, applied.leaves, ctx);
  return { body: sealed.body, applied: { ...applied, state: sealed.state } };
}

function reject(code: string, message: string, data: Record<string, unknown>): never {
  throw new XshardError(code, message, data);
}

/**
 * The header checks of an import (the crosslink's and the shard's): it continues its shard's chain
 * (WRONG_SLOT, WRONG_PARENT), was proposed by the slot's proposer (WRONG_PROPOSER) and carries its
 * committee's final attestation (UNKNOWN_SIGNER, DUPLICATE_SIGNER, NO_SUPERMAJORITY, BAD_SIGNATURE).
 */
export function checkLock2pcHeader(state: Lock2pcState, header: ShardHeaderValue, attestation: Attestation, ctx: ShardsContext, opts: VerifyOptions = {}): Uint8Array {
  getCommittee(ctx, header.shard);
  const head = state.heads[header.shard] as { root: Uint8Array; slot: number };
  const at = { shard: header.shard, slot: header.slot };
  if (header.slot <= head.slot) reject("WRONG_SLOT", `block of shard ${header.shard} at slot ${header.slot} after ${head.slot}`, at);
  if (!bytesEqual(header.parentRoot, head.root)) reject("WRONG_PARENT", `block of shard ${header.shard} at ${header.slot} does not continue its chain`, { ...at, parentRoot: toHex(header.parentRoot) });
  checkShardProposer(ctx, header.shard, header.slot, header.proposer, opts);
  const root = computeLock2pcBlockRoot(header);
  checkShardAttestation(ctx, header.shard, DOMAIN_LOCK2PC_BLOCK, root, attestation, opts);
  return root;
}

/**
 * Imports one shard block as the shard's nodes do: the header checks, then its operations
 * re-applied (each transition's own errors), and the roots compared (WRONG_OPS_ROOT,
 * WRONG_RESULTS_ROOT, WRONG_STATE_ROOT; skipped with `verifyStateRoot: false`). Returns the
 * applied block; the input state is unchanged.
 */
export function processLock2pcBlock(state: Lock2pcState, block: Lock2pcBlock, ctx: ShardsContext, opts: VerifyOptions = {}, observer: Lock2pcObserver = {}): AppliedBlock {
  const h = block.header;
  const root = checkLock2pcHeader(state, h, block.attestation, ctx, opts);
  const at = { shard: h.shard, slot: h.slot };
  if (!bytesEqual(h.opsRoot, computeOpsRoot(block.ops))) reject("WRONG_OPS_ROOT", `ops root of shard ${h.shard}'s block at ${h.slot} does not commit its operations`, at);
  const applied = applyOps(state, h.shard, block.ops, ctx, observer, h.slot);
  if (opts.verifyStateRoot !== false) {
    if (!bytesEqual(h.resultsRoot, applied.results.root)) reject("WRONG_RESULTS_ROOT", `results root of shard ${h.shard}'s block at ${h.slot} is not what its operations give`, at);
    if (!bytesEqual(h.stateRoot, computeShardState(applied.state.world, h.shard).commitment.root)) reject("WRONG_STATE_ROOT", `state root of shard ${h.shard}'s block at ${h.slot} is not what its operations give`, at);
  }
  const heads = applied.state.heads.slice();
  heads[h.shard] = { root, slot: h.slot };
  return { ...applied, state: { ...applied.state, heads } };
}

/**
 * The crosslink of a shard header (the beacon chain's check, which lock proofs rely on): the
 * attestation of its committee (errors of `checkShardAttestation`) and the proposer. Records the
 * header under `shard:slot`; DUPLICATE_CROSSLINK when one is already there.
 */
export function processCrosslink(
  state: Lock2pcState,
  header: ShardHeaderValue,
  attestation: Attestation,
  ctx: ShardsContext,
  opts: VerifyOptions = {},
  observer: WorkObserver = {},
  slot = header.slot,
): Lock2pcState {
  const key = getCrosslinkKey(header.shard, header.slot);
  if (state.crosslinks.has(key)) reject("DUPLICATE_CROSSLINK", `shard ${header.shard}'s block at ${header.slot} is already crosslinked`, { shard: header.shard, slot: header.slot });
  checkShardProposer(ctx, header.shard, header.slot, header.proposer, opts);
  checkShardAttestation(ctx, header.shard, DOMAIN_LOCK2PC_BLOCK, computeLock2pcBlockRoot(header), attestation, opts);
  observer.onSignatures?.(slot, 0, attestation.signers.length);
  const crosslinks = new Map(state.crosslinks);
  crosslinks.set(key, header);
  return { ...state, crosslinks };
}

/** Forgets crosslinks older than `slot` (lock proofs of older blocks are no longer accepted). */
export function pruneCrosslinks(state: Lock2pcState, slot: number): Lock2pcState {
  const crosslinks = new Map([...state.crosslinks].filter(([, h]) => h.slot >= slot));
  return { ...state, crosslinks };
}
