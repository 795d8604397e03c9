/**
 * Pure Stage-2 rules of the two-stage chain (DESIGN §2), one function per rule. The driver
 * (chain.ts) owns time and bookkeeping and calls these.
 *
 * Positions: a contract's queue lists the transactions touching it in chain order; "state `i`" of a
 * contract is its state after the first `i` of them, so transaction `queue[i]` reads state `i`.
 */
import { bytesEqual, digest64Many, sha256 } from "../../crypto/hash.js";
import type { ContractId } from "../../types.js";
import { isRoot } from "./containers.js";

export type Stage2Mode = "strict" | "conditional";

/** What one committee knows of one contract: its own frontier, or its speculative view of it. */
export interface KnownState {
  readonly own: boolean;
  /** Own contract: the committee's frontier. Another: the state its own view is at (-1: no view). */
  readonly idx: number;
  readonly affirmedIdx: number;
}

/**
 * What a committee still needs before it may execute a transaction:
 * `ready`, `blocked` (only finalized affirmations can help), or `first` — the transaction at
 * `position` of `contract`'s queue must be executed by this committee first.
 */
export type Need = { readonly kind: "ready" } | { readonly kind: "blocked" } | { readonly kind: "first"; readonly contract: ContractId; readonly position: number };

/**
 * The execution rule. For every contract `d` of the footprint (`positions`: `d` → the
 * transaction's index in `d`'s queue), the committee must know `d`'s state just before it:
 * - `d` is its own: its frontier is there (an earlier transaction of `d` comes first);
 * - a finalized affirmation covers `d` up to there (the state is read with a witness);
 * - `strict` (the seed's rule): nothing else — wait for the affirmation;
 * - `conditional`: its own view of `d` is there, built by executing `d`'s transactions since the
 *   last affirmed root itself (the dependency cone), the next of which comes first.
 */
export function computeNeed(mode: Stage2Mode, positions: ReadonlyMap<ContractId, number>, know: (d: ContractId) => KnownState): Need {
  let need: Need = READY;
  // forEach, not an iterator (no allocation per contract); after the first need, the rest are skipped.
  positions.forEach((pos, d) => {
    if (need !== READY) return;
    const s = know(d);
    if (s.own) {
      if (s.idx < pos) need = { kind: "first", contract: d, position: s.idx };
      return;
    }
    if (s.affirmedIdx >= pos) return;
    if (mode === "strict") {
      need = BLOCKED;
      return;
    }
    const at = Math.max(s.idx, s.affirmedIdx);
    if (at < pos) need = { kind: "first", contract: d, position: at };
  });
  return need;
}

const READY: Need = Object.freeze({ kind: "ready" });
const BLOCKED: Need = Object.freeze({ kind: "blocked" });

/** An affirmation continues a contract's affirmed chain: it starts where the chain is, from the chain's root there. */
export function isAffirmationApplicable(affirmedIdx: number, affirmedRoot: Uint8Array, from: number, preRoot: Uint8Array): boolean {
  return affirmedIdx === from && bytesEqual(affirmedRoot, preRoot);
}

/**
 * `stage2BlocksPerStage1Block` for one Stage-1 block: how many Stage-2 blocks it takes, counting
 * from the first one that may use the block, until all its transactions are final (1 at best).
 */
export function computeStage2BlocksFor(firstUsableStage2Block: number, lastFinalStage2Block: number): number {
  return lastFinalStage2Block - firstUsableStage2Block + 1;
}

/** A pre-root an affirmation rests on: `contract`'s state `position` has root `root`. */
export interface AssumedRoot {
  readonly contract: ContractId;
  readonly position: number;
  readonly root: Uint8Array;
}

/** An affirmation a Stage-2 block may accept: contract, transactions `from..to-1` of its queue, per-transaction post-roots. */
export interface CandidateAffirmation {
  readonly contract: ContractId;
  readonly from: number;
  readonly to: number;
  readonly preRoot: Uint8Array;
  /** postRoots[i]: root of state `from + i + 1`. */
  readonly postRoots: readonly Uint8Array[];
  readonly assumptions: readonly AssumedRoot[];
}

/** The chain as a block finds it: per contract, the affirmed position and the affirmed root of every state up to it. */
export interface AffirmedChain {
  affirmedIdx(contract: ContractId): number;
  /** Root of state `position` (≤ affirmedIdx) as affirmed on chain. */
  rootAt(contract: ContractId, position: number): Uint8Array;
}

/**
 * Which candidates a Stage-2 block accepts, per contract in chain order. First, per contract, the
 * candidates that continue its affirmed chain one after another (`isAffirmationApplicable`, then
 * each from where the previous ended; others — stale ones, conflicting variants — are passed over).
 * Then the greatest fixpoint: a candidate stays only if every root it assumes is affirmed — on
 * chain, or by an accepted candidate of the owning contract in this same block; dropping one drops
 * the later ones of its contract. Mutually dependent conditional affirmations of one round are
 * thus accepted together.
 */
export function selectAffirmations(candidates: ReadonlyMap<ContractId, readonly CandidateAffirmation[]>, chain: AffirmedChain): Map<ContractId, CandidateAffirmation[]> {
  const accepted = new Map<ContractId, CandidateAffirmation[]>();
  for (const [c, list] of candidates) {
    const run: CandidateAffirmation[] = [];
    let at = chain.affirmedIdx(c);
    let root = chain.rootAt(c, at);
    for (const a of list) {
      if (!isAffirmationApplicable(at, root, a.from, a.preRoot)) continue;
      run.push(a);
      at = a.to;
      root = a.postRoots[a.postRoots.length - 1] as Uint8Array;
    }
    accepted.set(c, run);
  }
  const tentativeRoot = (d: ContractId, position: number): Uint8Array | undefined => {
    if (position <= chain.affirmedIdx(d)) return chain.rootAt(d, position);
    for (const a of accepted.get(d) ?? []) if (position > a.from && position <= a.to) return a.postRoots[position - a.from - 1];
    return undefined;
  };
  const isSatisfied = (x: AssumedRoot): boolean => {
    const r = tentativeRoot(x.contract, x.position);
    return r !== undefined && bytesEqual(r, x.root);
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const run of accepted.values()) {
      const bad = run.findIndex((a) => !a.assumptions.every(isSatisfied));
      if (bad >= 0) {
        run.length = bad;
        changed = true;
      }
    }
  }
  for (const [c, run] of accepted) if (run.length === 0) accepted.delete(c);
  return accepted;
}

/** One queued transaction as the cone computation sees it: its index in each contract it reads, and whether anyone executed it. */
export interface QueuedTx {
  readonly seq: number;
  readonly positions: ReadonlyMap<ContractId, number>;
  readonly executed: boolean;
}

/**
 * The dependency cone of a wrong root: state `position + 1` of `contract` was wrong, so its
 * transaction at `position` and every executed transaction that read a state derived from it must
 * be executed again. Returns, per touched contract, the first queue position to execute again
 * (its state there is still good), and the cone's transactions (sequence numbers, ascending).
 * `queueOf(d)` is `d`'s queue; a transaction nobody executed derived nothing and stays out.
 */
export function computeCone(
  contract: ContractId,
  position: number,
  queueOf: (d: ContractId) => readonly QueuedTx[],
): { firstBad: Map<ContractId, number>; txs: number[] } {
  const firstBad = new Map<ContractId, number>([[contract, position]]);
  const cone = new Set<number>();
  const work: ContractId[] = [contract];
  while (work.length > 0) {
    const d = work.pop() as ContractId;
    const from = firstBad.get(d) as number;
    const q = queueOf(d);
    for (let i = from; i < q.length; i++) {
      const t = q[i] as QueuedTx;
      if (!t.executed || cone.has(t.seq)) continue;
      cone.add(t.seq);
      for (const [e, pos] of t.positions) {
        const f = firstBad.get(e);
        if (f !== undefined && f <= pos) continue;
        firstBad.set(e, pos);
        work.push(e);
      }
    }
  }
  return { firstBad, txs: [...cone].sort((a, b) => a - b) };
}

/** ≥ 2/3 of the weight: a committee with that much faulty stake finalizes what its faulty members sign. */
export function isMajorityFaulty(faultyWeight: number, totalWeight: number): boolean {
  return totalWeight > 0 && 3 * faultyWeight >= 2 * totalWeight;
}

/** The fields of a result leaf (`ResultLeaf` in containers.ts). */
export interface ResultLeafFields {
  readonly seq: number;
  readonly txId: Uint8Array;
  readonly outcome: number;
  readonly valuesRoot: Uint8Array;
  readonly postRoot: Uint8Array;
}

/** A u64-safe seq, a one-byte outcome and three 32-byte roots: what `computeResultLeafRoot` hashes. */
export function isResultLeafWellFormed(leaf: ResultLeafFields): boolean {
  const { seq, outcome } = leaf;
  return Number.isSafeInteger(seq) && seq >= 0 && Number.isInteger(outcome) && outcome >= 0 && outcome <= 255 && isRoot(leaf.txId) && isRoot(leaf.valuesRoot) && isRoot(leaf.postRoot);
}


/** sha256 of 64 zero bytes: the root of two zero chunks. */
const ZERO_PAIR = sha256(new Uint8Array(64));

/**
 * `ResultLeaf.hashTreeRoot(leaf)` (containers.ts) hashed directly: the container's eight chunks are
 * seq (u64 little-endian), txId, outcome (one byte), valuesRoot, postRoot and three zero chunks;
 * six hashes of 64 bytes in three batched calls (`digest64Many`), no SSZ value tree. test/protocols/delayed-rules.test.ts compares them.
 */
export function computeResultLeafRoot(leaf: ResultLeafFields): Uint8Array {
  if (!isResultLeafWellFormed(leaf)) throw new RangeError("computeResultLeafRoot: not a result leaf");
  // Level 1: (seq, txId), (outcome, valuesRoot), (postRoot, zero) in one call; level 2: (a, b), (c, zero pair).
  const w = leafScratch;
  w.fill(0);
  putResultLeafChunks(leafView, w, 0, leaf);
  digest64Many(w.subarray(0, 192), leafLevel1);
  leafLevel2In.set(leafLevel1);
  digest64Many(leafLevel2In, leafLevel2);
  const root = new Uint8Array(32);
  digest64Many(leafLevel2, root);
  return root;
}

/**
 * `computeResultLeafRoot` of many leaves, hashed together: the same six hashes each, in three
 * batched calls for all of them. The roots one after the other in one buffer (32 bytes each).
 * Throws like `computeResultLeafRoot` for a leaf that is not well-formed.
 */
export function computeResultLeafRoots(leaves: readonly ResultLeafFields[]): Uint8Array {
  const n = leaves.length;
  const w = new Uint8Array(192 * n);
  const view = new DataView(w.buffer);
  for (let i = 0; i < n; i++) {
    const leaf = leaves[i] as ResultLeafFields;
    if (!isResultLeafWellFormed(leaf)) throw new RangeError("computeResultLeafRoots: not a result leaf");
    putResultLeafChunks(view, w, 192 * i, leaf);
  }
  // Level 1: three pairs a leaf; level 2: (a, b), (c, zero pair); then the root.
  const level1 = new Uint8Array(96 * n);
  digest64Many(w, level1);
  const level2In = new Uint8Array(128 * n);
  for (let i = 0; i < n; i++) {
    level2In.set(level1.subarray(96 * i, 96 * i + 96), 128 * i);
    level2In.set(ZERO_PAIR, 128 * i + 96);
  }
  const level2 = new Uint8Array(64 * n);
  digest64Many(level2In, level2);
  const roots = new Uint8Array(32 * n);
  digest64Many(level2, roots);
  return roots;
}

/**
 * A well-formed leaf's first six chunks (seq, txId, outcome, valuesRoot, postRoot, zero) at `at` of
 * `w` (zero there already; `view` over the same buffer): the level-1 input of its root.
 */
function putResultLeafChunks(view: DataView, w: Uint8Array, at: number, leaf: ResultLeafFields): void {
  const lo = leaf.seq % 0x1_0000_0000;
  view.setUint32(at, lo, true);
  view.setUint32(at + 4, (leaf.seq - lo) / 0x1_0000_0000, true);
  w.set(leaf.txId, at + 32);
  w[at + 64] = leaf.outcome;
  w.set(leaf.valuesRoot, at + 96);
  w.set(leaf.postRoot, at + 128);
}

/** Scratch of `computeResultLeafRoot`: the three level-1 pairs, their hashes, and level 2's input (its last 32 bytes: `ZERO_PAIR`). */
const leafScratch = new Uint8Array(192);
const leafView = new DataView(leafScratch.buffer);
const leafLevel1 = new Uint8Array(96);
const leafLevel2In = new Uint8Array(128);
leafLevel2In.set(ZERO_PAIR, 96);
const leafLevel2 = new Uint8Array(64);
