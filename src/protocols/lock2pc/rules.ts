/**
 * Pure rules of the lock-based atomic-commit baseline (DESIGN §4: OmniLedger's Atomix, Chainspace's
 * S-BAC, ByShard's two-phase commit), one function per rule. The driver (chain.ts) owns time.
 */
import { bytesEqual } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { verifyListProof } from "../../state/index.js";
import { RESULT_KINDS, ResultLeaf, type ResultLeafValue, type ShardHeaderValue } from "./containers.js";

export type OnLocked = "abort" | "wait";

export interface Lock2pcOptions {
  /** What a transaction that meets a locked contract does: abort, or retry its locks next slot. */
  readonly onLocked: OnLocked;
}

/** Reads `onLocked` (default "abort"); other keys belong to other protocols. */
export function resolveLock2pcOptions(options: Readonly<Record<string, number | string>>): Lock2pcOptions {
  const v = options.onLocked ?? "abort";
  if (v !== "abort" && v !== "wait") {
    throw new XshardError("BAD_PARAM", `lock2pc option onLocked must be abort|wait, got '${String(v)}'`, { name: "onLocked", value: v });
  }
  return { onLocked: v };
}

/** A contract can be locked (or used by a single-shard transaction) when no other transaction holds it. */
export function isLockFree(holder: number | undefined, seq: number): boolean {
  return holder === undefined || holder === seq;
}

/** The client's proof that a shard accepted or refused one lock: a result leaf in a crosslinked block. */
export interface LockProof {
  readonly shard: number;
  readonly slot: number;
  readonly index: number;
  /** Number of leaves in the block's results list. */
  readonly length: number;
  readonly leaf: ResultLeafValue;
  readonly branch: readonly Uint8Array[];
}

function badProof(reason: string, proof: LockProof): never {
  throw new XshardError("BAD_LOCK_PROOF", `lock proof rejected: ${reason}`, { reason, shard: proof.shard, slot: proof.slot, index: proof.index });
}

/**
 * Checks a lock proof against the crosslinked header of its shard block and returns whether the
 * lock was accepted. Throws BAD_LOCK_PROOF unless the header is that block's, the leaf is a lock
 * result for this transaction and contract, and its branch leads to the header's results root.
 */
export function verifyLockProof(proof: LockProof, header: ShardHeaderValue, txId: Uint8Array, contract: Uint8Array): boolean {
  if (header.shard !== proof.shard || header.slot !== proof.slot) badProof("header of another block", proof);
  const { leaf } = proof;
  if (leaf.kind !== RESULT_KINDS.locked && leaf.kind !== RESULT_KINDS.refused) badProof("not a lock result", proof);
  if (!bytesEqual(leaf.txId, txId) || !bytesEqual(leaf.contract, contract)) badProof("lock result of another transaction or contract", proof);
  if (!verifyListProof(header.resultsRoot, proof.index, ResultLeaf.hashTreeRoot(leaf), proof.branch, proof.length)) badProof("branch does not lead to the results root", proof);
  return leaf.kind === RESULT_KINDS.locked;
}

/** Bytes a shard downloads to check one lock proof: the leaf and its branch. */
export function computeLockProofBytes(proof: LockProof): number {
  return ResultLeaf.serialize(proof.leaf).length + 32 * proof.branch.length;
}

/** After the lock phase: commit when every lock was accepted; otherwise abort, or retry in wait mode. */
export function decideAfterLocks(accepted: readonly boolean[], onLocked: OnLocked): "commit" | "abort" | "retry" {
  if (accepted.every(Boolean)) return "commit";
  return onLocked === "wait" ? "retry" : "abort";
}
