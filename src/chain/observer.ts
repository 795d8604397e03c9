/**
 * The one observer interface every protocol reports its validators' work through (issue 11 §2),
 * whoever drives it: the simulator's metrics, a node's metrics endpoint. Each protocol's own
 * observer (`DelayedObserver`, `ReceiptsObserver`, `SyncObserver`, `Lock2pcObserver`) extends it
 * with the protocol's own events; what is common to all lives here, so that `compare` counts the
 * same things the same way for every design.
 *
 * Optional: a protocol calls it when present and keeps no statistics itself. Nothing here feeds
 * back into the rules.
 *
 * Units. Gas is metered gas as the runtime counts it (`src/runtime/`). `group` is the index of the
 * shard (receipts, sync, lock2pc) or contract committee (delayed) that does the work; −1 for the
 * beacon / Stage-1 chain. Work is counted once per group (every member of the group does it), not
 * once per validator.
 */

/**
 * Why an execution happened:
 * - `execute`: the group runs a transaction (or segment, or step) on its own contracts or shard for
 *   the first time;
 * - `foreign`: the group runs a part of a multi-group program on contracts it does not own (to learn
 *   values it needs: delayed's executions of other contracts' steps, sync's remote reads);
 * - `speculate`: conditional execution on assumed inputs (delayed conditional mode's executions of
 *   other contracts' dependency cones, including ones later discarded);
 * - `reexecute`: the same work again after a rollback, abort or retry (fraud-proof cones, lock
 *   retries, re-executed receipts).
 */
export type ExecutionKind = "execute" | "foreign" | "speculate" | "reexecute";
/** Every `ExecutionKind`, in the order results list them. */
export const EXECUTION_KINDS: readonly ExecutionKind[] = ["execute", "foreign", "speculate", "reexecute"];

/** What is moved between validators (or to light clients): witnesses and proofs, in bytes. */
export type TransferKind = "witness" | "proof" | "receipt";
/** Every `TransferKind`, in the order results list them. */
export const TRANSFER_KINDS: readonly TransferKind[] = ["witness", "proof", "receipt"];

export interface WorkObserver {
  /**
   * One execution by `group` in `slot` of transaction `tx`, costing `gas`. `tx` identifies the
   * transaction within the run — its sequence number where the protocol has one (delayed, sync,
   * lock2pc), else its submission index; −1 when none. A protocol whose rules know neither
   * (receipts: segments carry only the transaction id) passes −1 and the id as `txId`, and its
   * driver maps the id to a number.
   */
  onExecution?(slot: number, group: number, tx: number, kind: ExecutionKind, gas: number, txId?: Uint8Array): void;
  /** `bytes` of `kind` moved in `slot`. */
  onTransfer?(slot: number, kind: TransferKind, bytes: number): void;
  /** Signatures made (`made`) and checked (`verified`, counting each signature in an aggregate) in `slot`. */
  onSignatures?(slot: number, made: number, verified: number): void;
}
