/**
 * What the two-stage chain reports to whoever drives it (the simulator's metrics, a node's
 * metrics endpoint). Optional: a no-op when absent. Nothing here feeds back into the rules, and no
 * figure is kept in chain state.
 */
import type { WorkObserver } from "../../chain/observer.js";
import type { ContractId } from "../../types.js";

/** Counters a driver may sum (each call adds `n`). */
export type DelayedFigure =
  | "witnessBytes"
  | "witnesses"
  | "signatures"
  | "speculativeExecutions"
  | "reexecutedTxs"
  | "conditionalDiscards"
  | "fraudProofBytes"
  | "handovers"
  | "handoverBytes";

/**
 * The shared work events (`WorkObserver`, group = contract committee, −1 for the Stage-1 chain and
 * full nodes; `tx` = sequence number) are reported as follows. Every execution a committee performs
 * is one `onExecution` with its gas (`budget.ts`: instructions + fixed cost + witness bytes), of kind:
 * - `reexecute` — the committee executed that transaction before (after a discard, rollback or hand-over);
 * - `speculate` — the transaction touches none of the committee's contracts (conditional mode: the
 *   dependency cone of a contract it does not follow);
 * - `execute` — the committee follows the transaction's first footprint contract (its home);
 * - `foreign` — it follows another contract of the footprint: it runs a program homed on another
 *   committee because the program touches its contract.
 * A full node's re-executions (fault runs) are `reexecute` of group −1. `onTransfer`: witness bytes
 * (`witness`), hand-over multiproofs and fraud proofs (`proof`). `onSignatures`: signatures made
 * (batch signers, slot committees) and verified (aggregates checked at import).
 */
export interface DelayedObserver extends WorkObserver {
  /** A counter moved. */
  count(figure: DelayedFigure, n: number): void;
  /** Something happened to transaction `seq` (for traces): `kind` at `where`, in `slot`. */
  txEvent(seq: number, slot: number, kind: string, where: string, detail: string): void;
  /** A committee executed transaction `seq` (every execution, speculative ones included). */
  executed(seq: number, committee: number): void;
  /** A fraud proof's dependency cone was rolled back (`txs`: sequence numbers). */
  rolledBack(txs: readonly number[], contract: ContractId, slot: number): void;
}

export const NOOP_OBSERVER: DelayedObserver = {
  count: () => {},
  txEvent: () => {},
  executed: () => {},
  rolledBack: () => {},
};
