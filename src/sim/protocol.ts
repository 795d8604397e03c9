/**
 * What every protocol implements, so that the CLI, `compare`, `sweep` and the conformance suite
 * drive them all the same way.
 */
import type { ContractId } from "../types.js";
import type { ResultsFile } from "../results/schema.js";
import type { NetworkSpec } from "./network.js";
import type { GeneratedWorkload } from "../workloads/types.js";
import type { MerkleKV } from "../state/index.js";

/** Configuration of one run; everything a protocol reads comes from here (no globals). */
export interface RunConfig {
  readonly protocol: string;
  readonly seed: string;
  /** Extra slots after the last submission slot, so that late transactions can finish. */
  readonly drainSlots: number;
  readonly slotSeconds: number;
  readonly validators: number;
  readonly committeeSize: number;
  /** Shards (receipts, sync, lock2pc) or contract committees (delayed). */
  readonly shards: number;
  readonly stage2PerSlot: number;
  /** Most transactions (or segments / claims) in one block. */
  readonly blockTxLimit: number;
  /**
   * Execution capacity of one shard (receipts, sync, lock2pc) or one contract committee (delayed)
   * per slot, in metered gas: the same figure for every design (docs/protocols/resources.md).
   */
  readonly slotGas: number;
  /** Liveness faults: the seeded share of validators that is offline (never signs or proposes)… */
  readonly offlineShare: number;
  /** …from this slot… */
  readonly offlineFrom: number;
  /** …until this slot (exclusive); `null`: to the end of the run. */
  readonly offlineUntil: number | null;
  /** Real BLS signatures (default) or the no-op verifier for very large simulations. */
  readonly signatures: boolean;
  readonly network: NetworkSpec;
  /** Submission indices whose every step is recorded in `trace` (the timeline chart). */
  readonly trace: readonly number[];
  /** Protocol-specific options (e.g. consume mode), validated by the protocol. */
  readonly options: Readonly<Record<string, number | string>>;
}

export interface ProtocolRunInput {
  readonly config: RunConfig;
  readonly workload: GeneratedWorkload;
  /** Called once per simulated slot (for progress bars). */
  readonly onSlot?: (slot: number, lastSlot: number) => void;
}

/** The end state, for the conformance invariants (value conserved, exactly-once receipts). */
export interface EndState {
  /** Final contract states, by id. */
  readonly contracts: ReadonlyMap<ContractId, MerkleKV>;
  /** Beacon balances (users and validators), hex address → balance. */
  readonly beacon: ReadonlyMap<string, bigint>;
  /** Total beacon value at genesis. */
  readonly beaconGenesisTotal: bigint;
  /** For receipt-based protocols: how many times each receipt id was consumed. */
  readonly receiptConsumptions?: ReadonlyMap<string, number>;
}

export interface ProtocolRunOutput {
  readonly results: ResultsFile;
  readonly end: EndState;
  /** Protocols with light-client proofs (delayed): the proof of transaction `index`'s outcome, JSON-ready. */
  readonly proveTx?: (index: number) => unknown;
}

export interface ProtocolDef {
  /** e.g. "delayed", "receipts:nonsequential". */
  readonly name: string;
  readonly description: string;
  /** false: not in `xshard compare`'s default list (an alias whose variants are listed). */
  readonly inCompare?: false;
  run(input: ProtocolRunInput): ProtocolRunOutput;
}
