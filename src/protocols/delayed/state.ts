/**
 * The two-stage chain's **agreed state** (DESIGN §2): what every node of the chain computes alike
 * from genesis and the blocks it imports — beacon accounts, the validator set and who is slashed,
 * the contract committees, the Stage-1 sequence (every transaction with its queue positions) and,
 * per contract, its queue and the roots its committee affirmed. Plain data and Merkle roots only:
 * no metrics, no network, no committee's unaffirmed work (that is each committee's local view,
 * `committee.ts`).
 *
 * Transitions (`stage1.ts`, `stage2.ts`) never change a state they are given: they return a new
 * one. Growing lists (queues, affirmed roots, the sequence) are append-only `Log`s that a new state
 * shares with its parent and extends in place while nobody else has extended them (copy on fork),
 * kept compactly (`logs.ts`: roots packed 32 bytes each, transactions as their encodings).
 *
 * Positions: "state `i`" of a contract is its state after the first `i` transactions of its queue;
 * transaction `queue[i]` reads state `i`.
 */
import type { BeaconState } from "../../chain/beacon.js";
import type { Validator } from "../../chain/index.js";
import type { SignedTx } from "../../program/index.js";
import type { ContractId } from "../../types.js";
import type { CoAccessGraph } from "./assignment.js";
import type { Assignment } from "./options.js";
import { getLogItem, type Log } from "./logs.js";
import type { Stage2Mode } from "./rules.js";

export { appendLog, createFlagLog, createLog, createRootLog, getLogItem, getLogItems, truncateLog, PackedTx, type Log } from "./logs.js";

/** One contract on the Stage-2 chain. */
export interface ContractRecord {
  readonly id: ContractId;
  readonly committee: number;
  readonly codeHash: string;
  /** Global sequence numbers of the transactions touching it, in chain order. */
  readonly queue: Log<number>;
  /** chainRoots[i]: root of state `i` as affirmed on chain, for i ≤ affirmedIdx (length affirmedIdx + 1). */
  readonly chainRoots: Log<Uint8Array>;
  /** Whether affirmed state `affirmedIdx` has ended (carried beside the root: not committed by it). */
  readonly endedAt: Log<boolean>;
  /** Ended and fully affirmed: no committee follows it; later transactions find it absent. */
  readonly dropped: boolean;
  /** A successor whose creating transaction is being executed again: its state 0 is not known. */
  readonly awaitingCreator: boolean;
  /** Sequence number of the transaction that created it (undefined for genesis contracts). */
  readonly creator?: number;
  /**
   * A successor named by a transaction before any creation of it was final: it exists for that
   * transaction only if one of `parent`'s first `parentPosition` transactions created it, which is
   * known once they are all final (its state 0 waits until then; `awaitingCreator`).
   */
  readonly pendingCreation?: { readonly parent: ContractId; readonly parentPosition: number } | undefined;
}

/**
 * The designated results contract: a transaction none of whose contracts is live when it is
 * sequenced is queued here, so that its committee executes it and affirms its outcome like any
 * other's — every final outcome is in a results root a light client can check (DESIGN §7). No code,
 * an empty state that never changes; its committee is H(seed, id) mod committees; never dropped.
 */
export const RESULTS_CONTRACT = "xshard:results";

export function getAffirmedIdx(r: ContractRecord): number {
  return r.chainRoots.length - 1;
}

/** A sequenced transaction: what the Stage-1 chain fixed about it. */
export interface SequencedTx {
  readonly seq: number;
  readonly txId: Uint8Array;
  readonly stx: SignedTx;
  /** Footprint contracts that existed (and were not dropped) when it was sequenced → its position in their queues. */
  readonly positions: ReadonlyMap<ContractId, number>;
  readonly stage1Slot: number;
}

/** What every node of one chain agrees on before the first block (the chain's parameters). */
export interface DelayedParams {
  readonly seed: string;
  /** Number of standing contract committees. */
  readonly committees: number;
  readonly committeeSize: number;
  readonly blockTxLimit: number;
  /** Execution capacity of one contract committee per slot, in metered gas (`budget.ts`). */
  readonly slotGas: number;
  /** Stage-2 blocks per slot: each gets ⌊slotGas / stage2PerSlot⌋ of every committee's gas. */
  readonly stage2PerSlot: number;
  /** Most bytes of encoded transactions in a Stage-1 block. */
  readonly stage1Bytes: number;
  readonly stage2Mode: Stage2Mode;
  readonly assignment: Assignment;
  readonly loadBound: number;
}

export interface DelayedState {
  readonly params: DelayedParams;
  /** The genesis anchor's root, mixed into every signed message (computeSigningRoot). */
  readonly genesisRoot: Uint8Array;
  readonly validators: readonly Validator[];
  /** Members of each contract committee; slashed validators leave them. */
  readonly committees: readonly (readonly Validator[])[];
  readonly slashed: ReadonlySet<number>;
  readonly beacon: BeaconState;
  /** Base fee of the next Stage-1 block (EIP-1559 over declared gas, `budget.ts`). */
  readonly stage1BaseFee: bigint;
  /** Root of the newest final Stage-1 header (zero before the first). */
  readonly stage1Root: Uint8Array;
  /** Root of the newest Stage-2 header (zero before the first). */
  readonly stage2Root: Uint8Array;
  /** Slot of the newest final Stage-1 header (−1 before the first): the next block's slot must be greater (`BAD_SLOT`). */
  readonly stage1Slot: number;
  /** Number of the newest Stage-2 header (−1 before the first): the next block's must be greater (`BAD_NUMBER`). */
  readonly stage2Number: number;
  /** Slot of the newest Stage-2 header (−1 before the first): the next block's may not be smaller (`BAD_SLOT`; several Stage-2 blocks may share a slot). */
  readonly stage2Slot: number;
  readonly contracts: ReadonlyMap<ContractId, ContractRecord>;
  /** The Stage-1 sequence: item `seq` is transaction `seq` (`PackedTx` from Stage 1). */
  readonly txs: Log<SequencedTx>;
  /** Co-access graph of the adaptive assignment (null under `shuffle`). */
  readonly graph: CoAccessGraph | null;
}

export const ZERO_ROOT = new Uint8Array(32);

export function getContract(s: DelayedState, id: ContractId): ContractRecord {
  const r = s.contracts.get(id);
  if (!r) throw new RangeError(`no contract ${id} on chain`);
  return r;
}

export function getTx(s: DelayedState, seq: number): SequencedTx {
  return getLogItem(s.txs, seq);
}

/** The transaction at `position` of `id`'s queue. */
export function getTxAt(s: DelayedState, id: ContractId, position: number): SequencedTx {
  return getLogItem(s.txs, getLogItem(getContract(s, id).queue, position));
}

/** Validators not slashed, in index order: proposers and slot committees come from these. */
export function getActiveValidators(s: DelayedState): Validator[] {
  return s.slashed.size === 0 ? (s.validators as Validator[]) : s.validators.filter((v) => !s.slashed.has(v.index));
}

/** A transaction is final when every contract of its footprint has affirmed it (DESIGN §2). */
export function isTxFinal(s: DelayedState, seq: number): boolean {
  for (const [d, pos] of getTx(s, seq).positions) if (getAffirmedIdx(getContract(s, d)) <= pos) return false;
  return true;
}

/** Live (not dropped) contracts → committee, in registration order. */
export function getLiveAssignment(s: DelayedState): Map<ContractId, number> {
  const out = new Map<ContractId, number>();
  for (const r of s.contracts.values()) if (!r.dropped && r.id !== RESULTS_CONTRACT) out.set(r.id, r.committee);
  return out;
}
