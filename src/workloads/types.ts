/**
 * Workloads (DESIGN §5): the same intent expressed once, as transaction programs, and run unchanged
 * under every protocol. A workload is generated once per seed: genesis + timed submissions.
 */
import type { SignedTx } from "../program/index.js";
import type { Genesis } from "../sim/world.js";

export interface Submission {
  /** Position in submission order; the same index names the same transaction in every protocol. */
  readonly index: number;
  /** Slot at whose start the transaction reaches the mempool. */
  readonly slot: number;
  readonly tx: SignedTx;
  /** Sender's name (for people and for the receipts client that submits claims). */
  readonly sender: string;
  /** Short label: what the transaction is for (e.g. "swap pool 2", "transfer"). */
  readonly label: string;
}

export interface GeneratedWorkload {
  readonly name: string;
  readonly params: Readonly<Record<string, number | string>>;
  readonly genesis: Genesis;
  readonly submissions: readonly Submission[];
  /** Token contracts whose total supply every run must conserve. */
  readonly tokens: readonly string[];
  /** Scarce-item contracts (train/hotel) for the conformance checks. */
  readonly bookings: readonly string[];
}

export type ParamKind = "int" | "float" | "enum";

export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  readonly default: number | string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  readonly help: string;
}

export interface WorkloadDef {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  generate(params: Readonly<Record<string, number | string>>, seed: string): GeneratedWorkload;
}
