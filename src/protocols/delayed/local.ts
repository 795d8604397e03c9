/**
 * The committees' local views as data (`committee.ts` holds and changes them): a contract's
 * frontier, a committee's view of a contract it does not follow, where an execution reads a
 * contract from, what the committees know of a transaction; and the witness check of a read.
 */
import type { SignatureVerifier } from "../../crypto/bls.js";
import { bytesEqual, fromHex } from "../../crypto/hash.js";
import type { CreatedSuccessor } from "../../exec/executeTx.js";
import type { Runtime } from "../../runtime/index.js";
import type { MerkleKV } from "../../state/index.js";
import type { ContractId, MaybeValue, StateView, WriteSet } from "../../types.js";
import type { CommitteeBehaviour } from "./behaviour.js";
import type { ResultLeafValue } from "./containers.js";
import type { DelayedObserver } from "./observer.js";
import type { AssumedRoot } from "./rules.js";

export interface Snap {
  readonly kv: MerkleKV;
  readonly ended: boolean;
}

/** What the committee following a contract has executed of it. */
export interface Frontier {
  /** snaps[i]: the committee's state `i`; released once not needed. */
  readonly snaps: (Snap | undefined)[];
  /** roots[i]: root of state `i` as the committee computed it. */
  readonly roots: Uint8Array[];
  /** leaves[i]: result leaf of queue[i], and its root. */
  readonly leaves: ResultLeafValue[];
  readonly leafRoots: Uint8Array[];
  /** assumed[i]: other contracts' roots the execution of queue[i] rested on, not yet affirmed then. */
  readonly assumed: AssumedRoot[][];
  localIdx: number;
  producedIdx: number;
}

/**
 * Part of a contract's state a node does not hold (it does not follow the contract): what Merkle
 * witnesses proved against an affirmed root (`CommitteeViewsOptions.remote`). A key outside it is
 * not guessed: `reader()` gives a fresh reader whose `missing` turns true once it reads (or
 * `require`s, for a write) such a key, and the node fetches that key before the next try.
 */
export interface PartialState extends StateView {
  readonly partial: true;
  /** The root of the proven part (after `applyWrites`: the post-root). */
  root(): Uint8Array;
  applyWrites(writes: WriteSet): PartialState;
  reader(): PartialState;
  /** Records keys (hex) written here: a post-root needs their buckets. */
  require(keys: Iterable<string>): void;
  readonly missing: boolean;
}

/** A snap of state held (`MerkleKV`) or proven in part (`PartialState`). */
export interface ReadSnap {
  readonly kv: MerkleKV | PartialState;
  readonly ended: boolean;
}

/** How a node that follows only some committees reads the contracts of the others. */
export interface RemoteStates {
  /** Whether this node executes for committee `k` (and holds its contracts' states). */
  follows(k: number): boolean;
  /** Affirmed state `pos` of `d` (root `root`, from the node's own chain), as far as fetched witnesses prove it. */
  read(d: ContractId, pos: number, root: Uint8Array): PartialState;
}

/** A committee's own view of a contract it does not follow (conditional mode): state `idx`, built from the affirmed state `base`. */
export interface View {
  readonly idx: number;
  readonly snap: ReadSnap;
  readonly base: number;
  readonly baseKv: MerkleKV | PartialState;
  /** Keys its own executions wrote since `base` (read without a witness). */
  readonly written: ReadonlySet<string>;
}

/** Where a committee's execution reads a contract's state from. */
export interface Source {
  readonly snap: ReadSnap;
  readonly root: Uint8Array;
  readonly kind: "own" | "chain" | "view";
  readonly view?: View;
}

export interface TxResult {
  readonly status: "committed" | "aborted";
  readonly at: number;
  /** Why it aborted (the failed call behind the `require`), null when committed. */
  readonly reason: string | null;
  readonly values: MaybeValue[];
  readonly valuesRoot: Uint8Array;
  readonly created: CreatedSuccessor[];
}

/** What the committees (and the simulator, which holds them all) know of one sequenced transaction. */
export interface TxLocal {
  executions: number;
  /** Per committee, the result of its latest execution. */
  readonly results: Map<number, TxResult>;
  /** Committees that executed it at least once (for re-execution counts and the cone). */
  readonly executedBy: Set<number>;
}


export interface CommitteeViewsOptions {
  readonly runtime: Runtime;
  readonly verifier: SignatureVerifier;
  /** Fault runs keep every state (a fraud proof may roll any back) and tolerate disagreement. */
  readonly keepHistory: boolean;
  readonly behaviour?: CommitteeBehaviour;
  readonly observer?: DelayedObserver;
  /** Called when a contract's unaffirmed batches become void (its frontier went back). */
  readonly onFrontierReset?: (id: ContractId) => void;
  /** A node following only some committees: the others' contracts are read through witnesses (unset: every committee is followed — the simulator). */
  readonly remote?: RemoteStates;
}

/**
 * The witness of the keys read, against `root`: its exact size (what the reader pays for,
 * `budget.ts`), and a count of one. The simulator holds the state `kv` the witness would be proved
 * from; when `kv`'s root is the trusted `root`, the witness verifies by construction (a proof from
 * a tree checks against that tree's root — test/state/witness.test.ts), so the check is that
 * root, and the size is computed without building, encoding and re-verifying the proof.
 */
export function checkWitness(id: ContractId, kv: MerkleKV | PartialState, root: Uint8Array, reads: ReadonlySet<string> | undefined): { bytes: number; count: number } {
  if (!reads || reads.size === 0) return { bytes: 0, count: 0 };
  // Proven against its trusted root when fetched (`src/node/witnesses.ts`); its bytes were the fetch's.
  if ("partial" in kv) return { bytes: 0, count: 1 };
  if (!bytesEqual(kv.root(), root)) throw new Error(`internal: state of ${id} read through a witness is not at the trusted root`);
  return { bytes: kv.witnessSize([...reads].map(fromHex)), count: 1 };
}

/** What an execution reads of a source: a held state as it is, a partial one through a fresh reader. */
export function createReader(kv: MerkleKV | PartialState): StateView {
  return "partial" in kv ? kv.reader() : kv;
}

/**
 * Whether an execution met keys no witness covered (then it counts for nothing: the node fetches
 * them and the transaction waits): read through a partial state, or — `viewWrites`, conditional
 * mode, where the committee's view takes the writes — written to one.
 */
export function hasMisses(states: ReadonlyMap<ContractId, StateView>, writes: ReadonlyMap<ContractId, WriteSet>, viewWrites: boolean): boolean {
  let missing = false;
  for (const [d, s] of states) {
    if (!("partial" in s)) continue;
    const p = s as PartialState;
    const w = writes.get(d);
    if (viewWrites && w) p.require(w.keys());
    missing ||= p.missing;
  }
  return missing;
}
