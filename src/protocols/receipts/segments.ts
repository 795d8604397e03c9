/**
 * Segments of a transaction (DESIGN §3): where a transaction starts, where a segment stops, and the
 * outcome once a segment ends the program.
 */
import type { CallStep, Program } from "../../program/index.js";
import type { ContractId } from "../../types.js";
import type { TxEffects } from "../../exec/executeTx.js";

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

