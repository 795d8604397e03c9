/**
 * The committees' local views as data (`committee.ts` holds and changes them): a contract's
 * frontier, a committee's view of a contract it does not follow, where an execution reads a
 * contract from, what the committees know of a transaction; one execution over given states and
 * its reuse by every committee executing it over the same states (`Run`, `findRun`); and the
 * witness check of a read.
 */
import type { SignatureVerifier } from "../../crypto/bls.js";
import { bytesEqual } from "../../crypto/hash.js";
import { isSameKeyList } from "../../crypto/keyListMemo.js";
import { describeAbort } from "../../exec/describe.js";
import { executeProgram, type ContractHandle, type CreatedSuccessor, type TxExecution } from "../../exec/executeTx.js";
import type { Runtime } from "../../runtime/index.js";
import { MerkleKV, decodeWitness, encodeWitness, verifyWitness } from "../../state/index.js";
import type { ContractId, MaybeValue, StateView, WriteSet } from "../../types.js";
import type { CommitteeBehaviour } from "./behaviour.js";
import { OUTCOME_CODES, computeValuesRoot, type ResultLeafValue } from "./containers.js";
import type { DelayedObserver } from "./observer.js";
import { computeResultLeafRoots, type AssumedRoot } from "./rules.js";
import { getLogItem, type Log, type SequencedTx } from "./state.js";

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
  /** The root of `snap` when known without hashing (the chain's, or the frontier's once computed); else `snap.kv.root()`. */
  readonly root: Uint8Array | undefined;
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
  /** Its executions over held states, by what they read (`findRun`): work done once for every committee. */
  runs?: Run[];
}

/** A transaction's footprint as two arrays (contracts and their queue positions, in the map's order): walked without an iterator. */
export interface Footprint {
  readonly ids: readonly ContractId[];
  readonly positions: readonly number[];
}

export function getFootprint(positions: ReadonlyMap<ContractId, number>): Footprint {
  const ids: ContractId[] = [];
  const at: number[] = [];
  positions.forEach((pos, d) => {
    ids.push(d);
    at.push(pos);
  });
  return { ids, positions: at };
}

/**
 * What one position of an execution read: the state (compared by its root: the same object has the
 * same root, so the root is computed only to compare different objects), whether it had ended, the
 * contract's code.
 */
export interface RunInput {
  readonly kv: MerkleKV | PartialState;
  readonly ended: boolean;
  readonly codeHash: string;
}

/**
 * One execution of a transaction and what follows from it alone: the program over the same states
 * (same roots), ended flags and code gives the same run, effects and gas, so another committee
 * executing it over the same states takes this one (a simulator's shortcut: each committee still
 * counts, pays for and records its own execution).
 */
export interface Run {
  readonly inputs: readonly RunInput[] | undefined;
  readonly ex: TxExecution;
  readonly reason: string | null;
  readonly valuesRoot: Uint8Array;
  /** Post-states of the (uncorrupted) writes, by contract, made when first asked (`getPostState`). */
  readonly posts: Map<ContractId, MerkleKV>;
  /** Witness checks of its reads (`checkReads`), by the state they were proved from and the keys. */
  readonly witnesses: { readonly kv: MerkleKV | PartialState; readonly keys: readonly string[]; readonly size: { bytes: number; count: number } }[];
}

/** Executions of one transaction kept at most (different inputs are rare: a view ahead of a root the chain affirmed otherwise). */
const MAX_RUNS = 4;

/** The kept execution of `local` over `inputs`, if any. */
export function findRun(local: TxLocal, inputs: readonly RunInput[]): Run | undefined {
  for (const run of local.runs ?? []) {
    const kept = run.inputs as readonly RunInput[];
    let same = kept.length === inputs.length;
    for (let i = 0; same && i < kept.length; i++) {
      const a = kept[i] as RunInput;
      const b = inputs[i] as RunInput;
      same = a.ended === b.ended && a.codeHash === b.codeHash && (a.kv === b.kv || bytesEqual(a.kv.root(), b.kv.root()));
    }
    if (same) return run;
  }
  return undefined;
}

/** What an execution over `sources` reads (`RunInput`s, in the sources' order). */
export function getRunInputs(sources: ReadonlyMap<ContractId, Source>, codeHashOf: (d: ContractId) => string): RunInput[] {
  const inputs: RunInput[] = [];
  for (const [d, src] of sources) inputs.push({ kv: src.snap.kv, ended: src.snap.ended, codeHash: codeHashOf(d) });
  return inputs;
}

/** Keeps `run` (made over `run.inputs`) for the transaction's next executions. */
export function keepRun(local: TxLocal, run: Run): void {
  const runs = (local.runs ??= []);
  if (runs.length >= MAX_RUNS) runs.shift();
  runs.push(run);
}

/** `kv` (a state of `d` with the root the run read) after the run's writes to `d`: made once per run. */
export function getPostState(run: Run, d: ContractId, kv: MerkleKV | PartialState, writes: WriteSet): MerkleKV | PartialState {
  if (run.inputs === undefined || "partial" in kv) return kv.applyWrites(writes);
  let post = run.posts.get(d);
  if (post === undefined) {
    post = kv.applyWrites(writes);
    run.posts.set(d, post);
  }
  return post;
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
  return { bytes: kv.witnessSizeOfHex(reads), count: 1 };
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

/**
 * Executes `t` over `sources` (a fresh `Run`, kept under `inputs` when given). Undefined when a node
 * reading through partial states (`remote`) met keys no fetched witness covers.
 */
export function executeRun(runtime: Runtime, t: SequencedTx, sources: ReadonlyMap<ContractId, Source>, codeHashOf: (d: ContractId) => string, inputs: readonly RunInput[] | undefined, remote: boolean, conditional: boolean): Run | undefined {
  const handles = new Map<ContractId, ContractHandle>();
  for (const [d, src] of sources) handles.set(d, { codeHash: codeHashOf(d), state: createReader(src.snap.kv), ended: src.snap.ended });
  const program = t.stx.tx.program;
  const ex = executeProgram(program, { runtime, sender: t.stx.tx.sender, txId: t.txId, gasLimit: t.stx.tx.gasLimit, contract: (id) => handles.get(id) });
  if (remote && hasMisses(new Map([...handles].map(([d, h]) => [d, h.state])), ex.effects.writes, conditional)) return undefined;
  const reason = ex.run.status === "committed" ? null : describeAbort(program, ex.run.at, ex.run.values, ex.run.failures);
  return { inputs, ex, reason, valuesRoot: computeValuesRoot(ex.run.values), posts: new Map(), witnesses: [] };
}

/**
 * A contract the committee does not follow is read through a witness: of the keys read, against
 * the affirmed root at `pos` (`chainRoots`); through a view, of the keys its own executions did not
 * write, against the affirmed root the view started from.
 */
export function checkReads(run: Run, d: ContractId, src: Source, chainRoots: Log<Uint8Array>, pos: number, reads: ReadonlySet<string> | undefined): { bytes: number; count: number } {
  if (src.kind === "chain") return checkWitnessOnce(run, d, src.snap.kv, getLogItem(chainRoots, pos), reads);
  if (src.kind !== "view" || !src.view || !reads) return { bytes: 0, count: 0 };
  const written = src.view.written;
  const unwritten = new Set<string>();
  for (const key of reads) if (!written.has(key)) unwritten.add(key);
  return checkWitnessOnce(run, d, src.view.baseKv, getLogItem(chainRoots, src.view.base), unwritten);
}

/**
 * `checkWitness`, its size computed once per run for the same state (object) and keys: committees
 * reading the same affirmed state read the same object (its owner's frontier). The root is checked every time.
 */
function checkWitnessOnce(run: Run, d: ContractId, kv: MerkleKV | PartialState, root: Uint8Array, reads: ReadonlySet<string> | undefined): { bytes: number; count: number } {
  if (!reads || reads.size === 0 || run.inputs === undefined || "partial" in kv) return checkWitness(d, kv, root, reads);
  if (!bytesEqual(kv.root(), root)) throw new Error(`internal: state of ${d} read through a witness is not at the trusted root`);
  const keys = [...reads];
  for (const w of run.witnesses) if (w.kv === kv && isSameKeyList(w.keys, keys)) return w.size;
  const size = checkWitness(d, kv, root, reads);
  run.witnesses.push({ kv, keys, size });
  return size;
}

/** A committee's view of a contract moved from state `pos` (read from `src`) to `pos + 1`: `post` after `writes`, or unchanged. */
export function computeNextView(pos: number, src: Source, post: MerkleKV | PartialState | undefined, writes: WriteSet | undefined, ended: boolean): View {
  const written = new Set(src.view?.written ?? []);
  for (const key of writes?.keys() ?? []) written.add(key);
  return { idx: pos + 1, snap: { kv: post ?? src.snap.kv, ended }, base: src.view?.base ?? pos, baseKv: src.view?.baseKv ?? src.snap.kv, written };
}

/** No root yet: an assumed root's placeholder until `OwnSteps.flush` fills it in. */
const NO_ROOT = new Uint8Array(0);

/**
 * A committee's own steps (`record`) and the roots its executions assumed (`assume`) while it
 * executes a round (`CommitteeViews.executeReady`): their post-state roots, result leaves and leaf
 * roots are computed together at the end (`flush`), every post-state tree hashed in one pass
 * (`MerkleKV.hashAll`: one hasher call a tree level for all of them) and the leaves in three calls,
 * instead of each on its own as it is made. Nothing during the round reads them: an execution
 * compares the states it reads by object first (`findRun`), and batches are built after it.
 */
export class OwnSteps {
  private readonly steps: { f: Frontier; pos: number; seq: number; txId: Uint8Array; outcome: number; valuesRoot: Uint8Array; kv: MerkleKV }[] = [];
  private readonly assumed: { a: { root: Uint8Array }; kv: MerkleKV }[] = [];

  /** The root an execution that read `src` for `d` at `pos` assumes: filled in by `flush` unless already known. */
  assume(d: ContractId, pos: number, src: Source): AssumedRoot {
    if (src.root !== undefined) return { contract: d, position: pos, root: src.root };
    const kv = src.snap.kv;
    if ("partial" in kv) return { contract: d, position: pos, root: kv.root() };
    const a = { contract: d, position: pos, root: NO_ROOT };
    this.assumed.push({ a, kv });
    return a;
  }

  /** `f` moves from state `pos` to `post` by `t` (the roots and the result leaf follow in `flush`). */
  record(f: Frontier, t: SequencedTx, pos: number, post: Snap, valuesRoot: Uint8Array, status: "committed" | "aborted", assumed: AssumedRoot[]): void {
    f.snaps[pos + 1] = post;
    f.assumed[pos] = assumed;
    f.localIdx = pos + 1;
    this.steps.push({ f, pos, seq: t.seq, txId: t.txId, outcome: OUTCOME_CODES[status], valuesRoot, kv: post.kv });
  }

  /** Computes what `record` and `assume` left: each step's post-root, result leaf and leaf root, each assumed root. */
  flush(): void {
    const steps = this.steps;
    const assumed = this.assumed;
    if (steps.length === 0 && assumed.length === 0) return;
    const states: MerkleKV[] = [];
    for (const s of steps) states.push(s.kv);
    for (const p of assumed) states.push(p.kv);
    MerkleKV.hashAll(states);
    const rootOf = new Map<MerkleKV, Uint8Array>();
    const leaves: ResultLeafValue[] = [];
    for (const s of steps) {
      const postRoot = s.kv.root();
      rootOf.set(s.kv, postRoot);
      s.f.roots[s.pos + 1] = postRoot;
      leaves.push({ seq: s.seq, txId: s.txId, outcome: s.outcome, valuesRoot: s.valuesRoot, postRoot });
    }
    const leafRoots = leaves.length === 0 ? undefined : computeResultLeafRoots(leaves);
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i] as (typeof steps)[number];
      s.f.leaves[s.pos] = leaves[i] as ResultLeafValue;
      s.f.leafRoots[s.pos] = (leafRoots as Uint8Array).subarray(32 * i, 32 * i + 32);
    }
    for (const p of assumed) p.a.root = rootOf.get(p.kv) ?? p.kv.root();
    steps.length = 0;
    assumed.length = 0;
  }
}

/**
 * A contract's state handed over at its affirmed `root` (`CommitteeViews.handOver`): every key with
 * a multiproof, encoded, decoded and checked against the root, and the state rebuilt from it — and
 * the bytes sent.
 */
export function sendState(id: ContractId, state: MerkleKV, root: Uint8Array): { kv: MerkleKV; bytes: Uint8Array } {
  const keys = [...state.entries()].map(([k]) => k);
  const bytes = encodeWitness(state.prove(keys));
  const received = decodeWitness(bytes);
  verifyWitness(root, received);
  const kv = MerkleKV.fromEntries(received.buckets.flatMap((b) => b.entries));
  if (!bytesEqual(kv.root(), root)) throw new Error(`internal: handed-over state of ${id} does not match its affirmed root`);
  return { kv, bytes };
}

/** Committee `k`'s result of transaction `seq` (`local`), checked against the other committees' unless runs keep history (faults). */
export function recordResult(local: TxLocal, k: number, seq: number, result: TxResult, keepHistory: boolean, observer: DelayedObserver): void {
  if (!keepHistory) {
    for (const other of local.results.values()) {
      if (other.status !== result.status || !bytesEqual(other.valuesRoot, result.valuesRoot)) throw new Error(`internal: committees disagree on transaction ${seq}`);
    }
  }
  local.results.set(k, result);
  if (local.executedBy.has(k)) observer.count("reexecutedTxs", 1);
  local.executedBy.add(k);
  local.executions++;
  observer.executed(seq, k);
}
