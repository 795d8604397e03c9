/**
 * Workloads (DESIGN §5): the same intent expressed once, as transaction programs, and run unchanged
 * under every protocol. A workload is generated once per seed: genesis + timed submissions.
 */
import type { LaterSigner, SignedTx } from "../program/index.js";
import type { Genesis } from "../chain/genesis.js";

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
  /**
   * Set by `handOverSubmissions`: the one run given this workload empties `submissions` in place
   * once it has taken them in, so that each transaction is freed once the run is done with it.
   */
  readonly handOver?: boolean;
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

/**
 * How big a workload will be, from its parameters alone (before generating it): what the CLI's
 * up-front memory estimate multiplies (docs/scenarios.md "Run size").
 */
export interface WorkloadSize {
  /** Most transactions it submits (an upper bound where a share is drawn at random). */
  readonly submissions: number;
  /** User accounts (beacon accounts at genesis). */
  readonly accounts: number;
  /** Contracts at genesis (successors created later not counted). */
  readonly contracts: number;
  /** Entries of contract state at genesis: a token holds one balance per holder. */
  readonly stateEntries: number;
}

/** Called while a workload is generated: units done of the total (accounts created + transactions signed). */
export type GenerationProgress = (done: number, total: number) => void;

/** What a generator hands its `TxFactory`s: the progress tick and, optionally, a signer that signs later (a worker pool). */
export interface GenerationContext {
  /** Called once per account created and per transaction submitted. */
  readonly tick: () => void;
  /**
   * Signs transactions later (`signTxLater`): the generated workload must not be used until the
   * signer has filled every signature. Absent: each transaction is signed as it is made.
   */
  readonly signer?: LaterSigner;
}

export interface WorkloadDef {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  /** Validates the given parameters (typed error naming the first bad one) and fills defaults; generates nothing. */
  resolveParams(params: Readonly<Record<string, unknown>>): Record<string, number | string>;
  /** The size of the workload these (resolved) parameters describe. */
  computeSize(resolved: Readonly<Record<string, number | string>>): WorkloadSize;
  /** With `signer`, signatures are filled by it later (see `GenerationContext`). */
  generate(params: Readonly<Record<string, unknown>>, seed: string, onProgress?: GenerationProgress, signer?: LaterSigner): GeneratedWorkload;
}

/** A workload checked and sized but not generated yet (generation signs every transaction). */
export interface WorkloadPlan {
  readonly name: string;
  /** Resolved parameters (empty for explicit transactions). */
  readonly params: Readonly<Record<string, number | string>>;
  readonly size: WorkloadSize;
  /** With `signer`, signatures are filled by it later (see `GenerationContext`). */
  generate(onProgress?: GenerationProgress, signer?: LaterSigner): GeneratedWorkload;
}
