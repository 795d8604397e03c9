/**
 * The results file (`results.json`, one per protocol run): schema "xshard.results/1".
 * Documented for people in docs/results.md. Every protocol writes exactly this shape, so a report,
 * a notebook or pandas reads any of them the same way. Numbers only (no bigint), arrays in a
 * deterministic order, keys in a fixed order: the same config and seed give byte-identical files.
 */
import type { Outcome } from "../types.js";

export const RESULTS_SCHEMA = "xshard.results/1" as const;

/** Quantiles of a latency distribution, over the transactions that reached a final slot. */
export interface LatencyStats {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export interface LatencyBlock {
  submitToInclusion: LatencyStats;
  submitToFinal: LatencyStats;
  inclusionToFinal: LatencyStats;
}

export interface ResultsSummary {
  submitted: number;
  outcomes: Record<Outcome, number>;
  /** reason → count, for `rejected`, `aborted`, `partial` and `hung` transactions. */
  reasons: Record<string, number>;
  latencySlots: LatencyBlock;
  latencySeconds: LatencyBlock;
  /** Final transactions (committed + aborted + partial) per slot over the run. */
  throughputTxPerSlot: number;
  /** Protocol-specific figures (flat: name → number or number[]). */
  protocol: Record<string, number | number[] | null>;
}

export interface TxRecord {
  /** Index in the workload's submission order (the same index for every protocol). */
  index: number;
  /** Transaction id, hex. */
  id: string;
  /** Contracts named by the program's call steps. */
  footprint: string[];
  submittedSlot: number;
  includedSlot: number | null;
  finalSlot: number | null;
  outcome: Outcome;
  reason: string | null;
  /** Protocol-specific per-transaction figures (e.g. hops, attempts), flat numbers. */
  extra: Record<string, number>;
}

/** One row per slot; series specific to a protocol go in `series` (name → number or per-shard array). */
export interface SlotRecord {
  slot: number;
  /** Transactions first included in this slot. */
  included: number;
  /** Transactions whose final slot is this slot. */
  finalized: number;
  series: Record<string, number | number[]>;
}

/** A step in one transaction's life, for the timeline chart (the seed's sequence diagram). */
export interface TraceEvent {
  tx: number;
  slot: number;
  /** e.g. "submit", "include", "execute", "affirm", "final", "receipt", "claim", "lock", "commit", "abort". */
  kind: string;
  /** Where it happened: "stage1", "committee:3", "shard:1", "beacon". */
  where: string;
  detail: string;
}

/** Quantiles of how many executions each executed transaction needed (nearest rank). */
export interface ExecutionsPerTx {
  /** Transactions executed at least once. */
  txs: number;
  /** Executions of those transactions in all. */
  total: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  max: number | null;
}

/**
 * Validator work of a run (issue 11 §2), counted once per group (shard or contract committee,
 * −1 = beacon / Stage-1 chain), never per validator: the `WorkObserver` calls of the protocol's
 * rules, summed by `src/sim/work.ts`. Gas is metered gas. Series are columnar (pandas:
 * `pd.DataFrame(work["gasPerSlot"])`).
 */
export interface WorkBlock {
  /** Shards or contract committees of the run. */
  groups: number;
  /** Gas executed in the run, by execution kind, and in all. */
  gas: { execute: number; foreign: number; speculate: number; reexecute: number; total: number };
  /** Executions by kind, and in all. */
  executions: { execute: number; foreign: number; speculate: number; reexecute: number; total: number };
  executionsPerTx: ExecutionsPerTx;
  /** Bytes moved between validators: witnesses, proofs, receipts, and in all. */
  bytes: { witness: number; proof: number; receipt: number; total: number };
  /** Signatures made, and verified (each signature in an aggregate counted). */
  signatures: { made: number; verified: number };
  /** The totals divided by the final transactions (committed + aborted + partial); `null` when none. */
  perFinalTx: {
    finalTxs: number;
    gas: number | null;
    execute: number | null;
    foreign: number | null;
    speculate: number | null;
    reexecute: number | null;
    bytes: number | null;
    signaturesMade: number | null;
    signaturesVerified: number | null;
  };
  /** Gas per slot per group, by kind: one row per (slot, group), every group of every slot. */
  gasPerSlot: { slot: number[]; group: number[]; execute: number[]; foreign: number[]; speculate: number[]; reexecute: number[]; total: number[] };
  /** Per slot: gas of all groups, bytes moved by kind, signatures made and verified. */
  perSlot: { slot: number[]; gas: number[]; witnessBytes: number[]; proofBytes: number[]; receiptBytes: number[]; signaturesMade: number[]; signaturesVerified: number[] };
}

export interface ResultsFile {
  schema: typeof RESULTS_SCHEMA;
  protocol: string;
  config: Record<string, unknown>;
  summary: ResultsSummary;
  txs: TxRecord[];
  slots: SlotRecord[];
  /** Events for the traced transactions only (config.trace lists them). */
  trace: TraceEvent[];
  /** Validator work (every simulator driver writes it; absent in files from before it existed). */
  work?: WorkBlock;
  /** Liveness faults (`config.offline`): present only when some validator is offline. */
  liveness?: LivenessBlock;
}

/** How a run degraded under liveness faults (docs/results.md, docs/protocols/faults.md). */
export interface LivenessBlock {
  /** Indices of the validators offline during the window. */
  offlineValidators: number[];
  /** Proposals missed (empty slots) per chain: `stage1`/`stage2`, `beacon`/`shard`, `shard`. */
  missedSlots: Record<string, number>;
  /** Groups (`kind`: committee or shard) that could not gather 2/3 while they had something to sign. */
  stalled: { kind: string; count: number; intervals: { group: number; from: number; until: number }[] };
}
