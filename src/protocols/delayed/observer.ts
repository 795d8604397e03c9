/**
 * What the two-stage chain reports to whoever drives it (the simulator's metrics, a node's
 * metrics endpoint). Optional: a no-op when absent. Nothing here feeds back into the rules, and no
 * figure is kept in chain state.
 */
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

export interface DelayedObserver {
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
