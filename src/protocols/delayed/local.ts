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
import type { ContractId, MaybeValue } from "../../types.js";
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

/** A committee's own view of a contract it does not follow (conditional mode): state `idx`, built from the affirmed state `base`. */
export interface View {
  readonly idx: number;
  readonly snap: Snap;
  readonly base: number;
  readonly baseKv: MerkleKV;
  /** Keys its own executions wrote since `base` (read without a witness). */
  readonly written: ReadonlySet<string>;
}

/** Where a committee's execution reads a contract's state from. */
export interface Source {
  readonly snap: Snap;
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
}

/**
 * The witness of the keys read, against `root`: its exact size (what the reader pays for,
 * `budget.ts`), and a count of one. The simulator holds the state `kv` the witness would be proved
 * from; when `kv`'s root is the trusted `root`, the witness verifies by construction (a proof from
 * a tree checks against that tree's root — test/state/witness.test.ts), so the check is that
 * root, and the size is computed without building, encoding and re-verifying the proof.
 */
export function checkWitness(id: ContractId, kv: MerkleKV, root: Uint8Array, reads: ReadonlySet<string> | undefined): { bytes: number; count: number } {
  if (!reads || reads.size === 0) return { bytes: 0, count: 0 };
  if (!bytesEqual(kv.root(), root)) throw new Error(`internal: state of ${id} read through a witness is not at the trusted root`);
  return { bytes: kv.witnessSize([...reads].map(fromHex)), count: 1 };
}
