/**
 * The committees' **local views** (DESIGN §2, Stage 2): for each contract, the frontier its
 * committee has executed to (states, roots, result leaves, assumed roots) and, in conditional mode,
 * each committee's own views of contracts it does not follow — kept apart from the agreed chain
 * state (`state.ts`), which they read but never change.
 *
 * Committees really execute: contracts they follow from their own state, the others from the
 * affirmed state (or, in conditional mode, their own view built since the last affirmed root)
 * through Merkle witnesses verified against affirmed roots (`computeNeed` says what comes first).
 * Each committee then signs one batch of affirmations per round (`produceBatches`).
 *
 * The simulator holds every committee's view in one object; so does a node following every
 * committee. A node following only some (`CommitteeViewsOptions.remote`) reads the others'
 * contracts through witnesses its shell fetched from peers, and holds no state of them.
 */
import { XshardError } from "../../errors.js";
import { getWeight, type Validator } from "../../chain/index.js";
import { bytesEqual } from "../../crypto/hash.js";
import type { SignatureVerifier } from "../../crypto/bls.js";
import type { MerkleKV } from "../../state/index.js";
import type { ContractId } from "../../types.js";
import { HONEST_BEHAVIOUR, type CommitteeBehaviour } from "./behaviour.js";
import { produceBatches } from "./batches.js";
import { computeExecutionGas, computeStage2Budget, isWithinStage2Budget } from "./budget.js";
import type { SignedBatch } from "./blocks.js";
export type { SignedBatch } from "./blocks.js";
import type { ResultLeafValue } from "./containers.js";
import { NOOP_OBSERVER, type DelayedObserver } from "./observer.js";
import { OwnSteps, checkReads, getFootprint, recordResult, sendState, type Footprint, computeNextView, executeRun, findRun, getPostState, getRunInputs, keepRun, type CommitteeViewsOptions, type Frontier, type Run, type Snap, type Source, type TxLocal, type TxResult, type View } from "./local.js";
export type { CommitteeViewsOptions, Frontier, PartialState, RemoteStates, Snap, TxLocal, TxResult } from "./local.js";
import { computeCone, computeNeed, type AssumedRoot, type KnownState } from "./rules.js";
import { getAffirmedIdx, getContract, getLogItem, getTx, getTxAt, type DelayedState, type SequencedTx } from "./state.js";

export class CommitteeViews {
  chain: DelayedState;
  readonly frontiers = new Map<ContractId, Frontier>();
  readonly followed: ContractId[][];
  private readonly views: Map<ContractId, View>[];
  readonly txs: TxLocal[] = [];
  /** Per committee: how many transactions of the Stage-1 sequence have reached it (a prefix). */
  readonly known: number[];
  /** Per committee: Stage-1 blocks that reached it ahead of an earlier one, [firstSeq, endSeq). */
  private readonly early: [number, number][][];
  readonly behaviour: CommitteeBehaviour;
  private readonly observer: DelayedObserver;
  private round = 0;
  /** Per committee: gas used and executions since its last batch (this round's work, `budget.ts`). */
  private readonly used: number[];
  private readonly ran: number[];
  /** Per committee, with `keepHistory`: the claim gas of its execution that made each own step, by sequence number (`getStepGas`). */
  private readonly stepGas: Map<number, number>[];
  /** Own steps and assumed roots of the round being executed, their roots computed together at its end. */
  private readonly steps = new OwnSteps();

  constructor(chain: DelayedState, genesis: ReadonlyMap<ContractId, MerkleKV>, private readonly o: CommitteeViewsOptions) {
    this.chain = chain;
    this.behaviour = o.behaviour ?? HONEST_BEHAVIOUR;
    this.observer = o.observer ?? NOOP_OBSERVER;
    this.followed = Array.from({ length: chain.params.committees }, () => []);
    this.views = Array.from({ length: chain.params.committees }, () => new Map());
    this.known = new Array<number>(chain.params.committees).fill(0);
    this.early = Array.from({ length: chain.params.committees }, () => []);
    this.used = new Array<number>(chain.params.committees).fill(0);
    this.ran = new Array<number>(chain.params.committees).fill(0);
    this.stepGas = Array.from({ length: chain.params.committees }, () => new Map());
    for (const rec of chain.contracts.values()) this.addFrontier(rec.id, rec.committee, genesis.get(rec.id) as MerkleKV);
  }

  /** The committee of `id` starts following it at state 0 (a node not following that committee holds no state of it). */
  addFrontier(id: ContractId, committee: number, kv: MerkleKV, ended = false): void {
    this.frontiers.set(id, { snaps: this.isRemote(committee) ? [] : [{ kv, ended }], roots: [kv.root()], leaves: [], leafRoots: [], assumed: [], localIdx: 0, producedIdx: 0 });
    (this.followed[committee] as ContractId[]).push(id);
  }

  /** New transactions were sequenced. */
  addTxs(seqs: readonly number[]): void {
    for (const seq of seqs) this.txs[seq] = { executions: 0, results: new Map(), executedBy: new Set() };
  }

  /**
   * Stage-1 transactions `firstSeq..endSeq-1` (one block) reached committee `k`. It executes a
   * transaction only once every block up to it has reached it (blocks may arrive out of order).
   */
  deliverStage1(k: number, firstSeq: number, endSeq: number): void {
    const early = this.early[k] as [number, number][];
    early.push([firstSeq, endSeq]);
    early.sort((a, b) => a[0] - b[0]);
    while (early.length > 0 && (early[0] as [number, number])[0] <= (this.known[k] as number)) {
      this.known[k] = Math.max(this.known[k] as number, (early.shift() as [number, number])[1]);
    }
  }

  frontier(id: ContractId): Frontier {
    return this.frontiers.get(id) as Frontier;
  }

  getSnap(id: ContractId, pos: number): Snap {
    const snap = this.frontier(id).snaps[pos];
    // In the simulator this is a bug; a node that imported blocks faster than it executed meets it and retries later.
    if (!snap) throw new XshardError("STATE_NOT_AVAILABLE", `state ${pos} of ${id} is not (or no longer) held`, { contract: id, position: pos });
    return snap;
  }

  /** Whether committee `k`'s contracts are read through witnesses here (a node not following `k`). */
  isRemote(k: number): boolean {
    return this.o.remote !== undefined && !this.o.remote.follows(k);
  }

  local(seq: number): TxLocal {
    return this.txs[seq] as TxLocal;
  }

  // ------------------------------------------------ execution

  /** What committee `k` knows of contract `d` (its own frontier, or its view of it). */
  private know(k: number, d: ContractId): KnownState {
    const rec = getContract(this.chain, d);
    const own = rec.committee === k;
    // An affirmed state is read from its own committee's frontier, so it is known once that frontier has reached it: always in the
    // simulator (affirmations come from those frontiers); a node that imported blocks faster than it executed, in a later pass.
    const affirmedIdx = this.isRemote(rec.committee) ? getAffirmedIdx(rec) : Math.min(getAffirmedIdx(rec), this.frontier(d).localIdx);
    return { own, idx: own ? this.frontier(d).localIdx : (this.views[k]?.get(d)?.idx ?? -1), affirmedIdx };
  }

  /** Gas committee `k` has used in this round, and its executions (what its next batch reports). */
  getRoundWork(k: number): { readonly gasUsed: number; readonly executions: number } {
    return { gasUsed: this.used[k] as number, executions: this.ran[k] as number };
  }

  /**
   * Committee `k` executes what the rule lets it, in chain order across its contracts (the lowest
   * sequence number first), until the next execution would exceed its round's budget
   * (`isWithinStage2Budget`): the rest waits for the next round. A node passes `Infinity`: it
   * executes everything ready and applies the budget to what its batch claims (`src/node/roundBatch.ts`).
   */
  executeReady(k: number, slot: number, budget = computeStage2Budget(this.chain.params)): void {
    try {
      this.executeReadyNow(k, slot, budget);
    } finally {
      this.steps.flush();
    }
  }

  private executeReadyNow(k: number, slot: number, budget: number): void {
    const known = this.known[k] as number;
    // Neither the chain nor the committee's contracts change while it executes: their queues and frontiers are looked up once.
    const followed = this.followed[k] as ContractId[];
    const queues = followed.map((id) => getContract(this.chain, id).queue);
    const fronts = followed.map((id) => this.frontier(id));
    const blocked = new Array<boolean>(followed.length).fill(false);
    for (;;) {
      let next = -1;
      let nextAt = -1;
      for (let i = 0; i < followed.length; i++) {
        const queue = queues[i] as (typeof queues)[number];
        const idx = (fronts[i] as Frontier).localIdx;
        if (blocked[i] || idx >= queue.length) continue;
        const seq = getLogItem(queue, idx);
        if (seq < known && (next < 0 || seq < next)) [next, nextAt] = [seq, i];
      }
      if (nextAt < 0) return;
      const r = this.executeWithCone(k, getTx(this.chain, next), slot, budget);
      if (r === "budget") return;
      if (r === "blocked") blocked[nextAt] = true;
    }
  }

  /**
   * Executes `target` for committee `k`, first executing whatever it needs (`computeNeed`): earlier
   * transactions of its own contracts and, in conditional mode, the dependency cone since the last
   * affirmed roots. An explicit stack: each needed transaction comes earlier in the chain.
   */
  private executeWithCone(k: number, target: SequencedTx, slot: number, budget: number): "done" | "blocked" | "budget" {
    const stack = [target];
    const done = new Set<number>();
    while (stack.length > 0) {
      const t = stack[stack.length - 1] as SequencedTx;
      const fp = getFootprint(t.positions);
      for (const d of fp.ids) if (getContract(this.chain, d).awaitingCreator) return "blocked";
      this.dropViewsAhead(k, fp);
      const need = computeNeed(this.chain.params.stage2Mode, t.positions, (d) => this.know(k, d));
      if (need.kind === "blocked") return "blocked";
      if (need.kind === "first") {
        const next = getTxAt(this.chain, need.contract, need.position);
        // Needed again after it ran: what it needs is not known yet (an owner's frontier behind its
        // affirmed state, in a node catching up) — blocked for now. Never in the simulator.
        if (done.has(next.seq)) return "blocked";
        stack.push(next);
      } else {
        const r = this.executeBy(k, t, fp, slot, budget);
        if (r !== "done") return r;
        done.add(t.seq);
        stack.pop();
      }
    }
    return "done";
  }

  /**
   * A view only moves forward, but a committee may come to need an earlier state of a contract it
   * does not follow than its view holds — for a contract handed over to it, whose queue is behind
   * the work it did for its other contracts. Such a view cannot serve: it is dropped, and the cone
   * is executed again from the affirmed state (issue 14 §4: "no view of cX at S").
   */
  private dropViewsAhead(k: number, fp: Footprint): void {
    const views = this.views[k] as Map<ContractId, View>;
    for (let i = 0; i < fp.ids.length; i++) {
      const d = fp.ids[i] as ContractId, pos = fp.positions[i] as number;
      const v = views.get(d);
      if (v && v.idx > pos && getAffirmedIdx(getContract(this.chain, d)) < pos) views.delete(d);
    }
  }

  /** The state committee `k` reads for `d` at `pos`, and what it rests on. */
  private sourceOf(k: number, d: ContractId, pos: number): Source {
    const rec = getContract(this.chain, d);
    if (rec.committee === k) return { snap: this.getSnap(d, pos), root: this.frontier(d).roots[pos] as Uint8Array, kind: "own" };
    const root = getAffirmedIdx(rec) >= pos ? getLogItem(rec.chainRoots, pos) : undefined;
    if (root) return { snap: this.o.remote && this.isRemote(rec.committee) ? { kv: this.o.remote.read(d, pos, root), ended: getLogItem(rec.endedAt, pos) } : this.getSnap(d, pos), root, kind: "chain" };
    const view = this.views[k]?.get(d);
    if (!view || view.idx !== pos) throw new Error(`internal: committee ${k} has no view of ${d} at ${pos}`);
    return { snap: view.snap, root: undefined, kind: "view", view };
  }

  /**
   * Committee `k` executes `t`: reads, checks witnesses, and — if the execution's gas fits the
   * round's budget — records its result, advances its own frontiers (as its behaviour records them)
   * and, in conditional mode, its views. `budget` (nothing recorded) when it does not fit; `blocked` when
   * it met keys no fetched witness covers (a view lacking them is dropped, to be built again).
   */
  private executeBy(k: number, t: SequencedTx, fp: Footprint, slot: number, budget: number): "done" | "budget" | "blocked" {
    const { ids, positions } = fp;
    const sources = new Map<ContractId, Source>();
    const srcs: Source[] = [];
    for (let i = 0; i < ids.length; i++) {
      const src = this.sourceOf(k, ids[i] as ContractId, positions[i] as number);
      srcs.push(src);
      sources.set(ids[i] as ContractId, src);
    }
    const run = this.run(k, t, sources);
    if (run === undefined) return "blocked";
    const ex = run.ex;
    const witnesses: { bytes: number; count: number }[] = [];
    let witnessBytes = 0;
    for (let i = 0; i < ids.length; i++) {
      const d = ids[i] as ContractId;
      const w = checkReads(run, d, srcs[i] as Source, getContract(this.chain, d).chainRoots, positions[i] as number, ex.effects.reads.get(d));
      witnesses.push(w);
      witnessBytes += w.bytes;
    }
    const gas = computeExecutionGas(ex.gas, witnessBytes);
    if (!isWithinStage2Budget(this.used[k] as number, gas, budget)) return "budget";
    this.used[k] = (this.used[k] as number) + gas;
    this.ran[k] = (this.ran[k] as number) + 1;
    for (const w of witnesses) {
      if (w.count === 0) continue;
      this.observer.count("witnessBytes", w.bytes);
      this.observer.count("witnesses", w.count);
    }
    if (witnessBytes > 0) this.observer.onTransfer?.(slot, "witness", witnessBytes);
    const again = this.local(t.seq).executedBy.has(k);
    const status = ex.run.status === "committed" ? "committed" : "aborted";
    const result: TxResult = {
      status,
      at: ex.run.at,
      reason: run.reason,
      values: ex.run.values,
      valuesRoot: run.valuesRoot,
      created: status === "committed" ? ex.effects.created : [],
    };
    recordResult(this.local(t.seq), k, t.seq, result, this.o.keepHistory, this.observer);
    const assumptions: AssumedRoot[] = [];
    for (let i = 0; i < ids.length; i++) if ((positions[i] as number) > getAffirmedIdx(getContract(this.chain, ids[i] as ContractId))) assumptions.push(this.steps.assume(ids[i] as ContractId, positions[i] as number, srcs[i] as Source));

    const members = this.chain.committees[k] as Validator[];
    const corrupting = this.behaviour.isCorrupting(k, slot, members);
    let ownTouched = false;
    for (let i = 0; i < ids.length; i++) {
      const d = ids[i] as ContractId, pos = positions[i] as number, src = srcs[i] as Source;
      const rec = getContract(this.chain, d);
      const writes = status === "committed" ? ex.effects.writes.get(d) : undefined;
      const ended = src.snap.ended || (status === "committed" && ex.effects.ended.has(d));
      if (rec.committee !== k) {
        if (this.chain.params.stage2Mode === "conditional" && (src.kind === "view" || pos === getAffirmedIdx(rec))) (this.views[k] as Map<ContractId, View>).set(d, computeNextView(pos, src, writes && getPostState(run, d, src.snap.kv, writes), writes, ended));
        continue;
      }
      ownTouched = true;
      const f = this.frontier(d);
      if (f.localIdx !== pos) continue; // executed again for a view of another contract: own state already there
      // What a batch claims for this step: a function of the agreed pre-states only (no witness
      // bytes — whether a read went through a view or the chain depends on when it ran).
      if (this.o.keepHistory) (this.stepGas[k] as Map<number, number>).set(t.seq, computeExecutionGas(ex.gas, 0));
      const applied = corrupting ? this.behaviour.corruptWrites(writes) : writes;
      const kv = (src.snap as Snap).kv; // own: held
      const post: Snap = { kv: applied === undefined ? kv : applied === writes ? (getPostState(run, d, kv, applied) as MerkleKV) : kv.applyWrites(applied), ended };
      this.steps.record(f, t, pos, post, result.valuesRoot, status, assumptions.filter((a) => a.contract !== d));
    }
    if (!ownTouched) this.observer.count("speculativeExecutions", 1);
    const home = ids[0];
    const kind = again ? "reexecute" : !ownTouched ? "speculate" : home === undefined || getContract(this.chain, home).committee === k ? "execute" : "foreign";
    this.observer.onExecution?.(slot, k, t.seq, kind, gas);
    this.observer.txEvent(t.seq, slot, "execute", `committee:${k}`, status);
    return "done";
  }

  /**
   * Executes `t` over `sources`, or takes its kept execution over states with the same roots
   * (`findRun`; not for a node reading through partial states). Undefined when it met keys no fetched
   * witness covers (a view lacking them is dropped, to be built again).
   */
  private run(k: number, t: SequencedTx, sources: ReadonlyMap<ContractId, Source>): Run | undefined {
    const local = this.local(t.seq);
    const codeHashOf = (d: ContractId): string => getContract(this.chain, d).codeHash;
    const inputs = this.o.remote ? undefined : getRunInputs(sources, codeHashOf);
    const kept = inputs && findRun(local, inputs);
    if (kept) return kept;
    const run = executeRun(this.o.runtime, t, sources, codeHashOf, inputs, this.o.remote !== undefined, this.chain.params.stage2Mode === "conditional");
    if (run === undefined) {
      for (const [d, src] of sources) if (src.kind === "view" && "partial" in src.snap.kv) this.views[k]?.delete(d);
    } else if (inputs) keepRun(local, run);
    return run;
  }

  /** A fresh round for committee `k`: for a driver that builds batches itself (a node). */
  resetRoundWork(k: number): void {
    this.used[k] = 0;
    this.ran[k] = 0;
  }

  /**
   * With `keepHistory`: the gas a batch claims for committee `k`'s own step(s) of transaction `seq`
   * — its metered instructions plus the fixed execution cost (`computeExecutionGas` without
   * witness bytes), the same on every node whenever it executed. Undefined if not executed.
   */
  getStepGas(k: number, seq: number): number | undefined {
    return this.stepGas[k]?.get(seq);
  }

  /** Committee `k` signs its batch(es) for this round (`batches.ts`) with `verifier` (default: the views'); every committee calls it once per round, in order. */
  produceBatches(k: number, slot: number, verifier: SignatureVerifier = this.o.verifier): SignedBatch[] {
    const round = this.round;
    if (k === this.chain.params.committees - 1) this.round++;
    const out = produceBatches(this, k, round, slot, this.getRoundWork(k), this.behaviour, verifier, this.observer);
    this.used[k] = 0;
    this.ran[k] = 0;
    return out;
  }

  // ------------------------------------------------ reactions to the chain

  /**
   * A committee whose not-yet-affirmed work assumed a root the chain has now affirmed differently
   * drops that work (its own frontiers back to the affirmed ones, its views) and executes again.
   */
  discardConflictingWork(): void {
    for (let k = 0; k < this.followed.length; k++) {
      const conflict = (this.followed[k] as ContractId[]).some((id) => {
        const f = this.frontier(id);
        for (let pos = getAffirmedIdx(getContract(this.chain, id)); pos < f.localIdx; pos++) {
          for (const a of f.assumed[pos] ?? []) {
            const d = getContract(this.chain, a.contract);
            if (a.position <= getAffirmedIdx(d) && !bytesEqual(getLogItem(d.chainRoots, a.position), a.root)) return true;
          }
        }
        return false;
      });
      if (!conflict) continue;
      this.observer.count("conditionalDiscards", 1);
      this.discardWork(k);
    }
  }

  /** Committee `k` drops everything it executed past the affirmed states (frontiers, views, batches). */
  discardWork(k: number): void {
    for (const id of this.followed[k] as ContractId[]) this.resetFrontier(id, k);
    (this.views[k] as Map<ContractId, View>).clear();
  }

  /** The frontier of `id` (followed by `committee`) goes back to the affirmed state; its unaffirmed batches are void. */
  private resetFrontier(id: ContractId, committee: number): void {
    const f = this.frontier(id);
    const rec = getContract(this.chain, id);
    const at = getAffirmedIdx(rec);
    for (let pos = at; pos < f.localIdx; pos++) this.local(getLogItem(rec.queue, pos)).results.delete(committee);
    f.localIdx = at;
    f.producedIdx = at;
    this.o.onFrontierReset?.(id);
  }

  /** Ended contracts the chain dropped: no committee follows them any more. */
  dropContracts(ids: readonly ContractId[]): void {
    for (const id of ids) {
      const list = this.followed[getContract(this.chain, id).committee] as ContractId[];
      list.splice(list.indexOf(id), 1);
    }
  }

  /**
   * The chain rolled back a disproved root (state `position + 1` of `contract`). Locally, the cone
   * is every *executed* transaction that read a state derived from it (`computeCone`): results
   * forgotten, frontiers and views go back, and it is executed again. `pre` is the chain before the
   * rollback. Returns the cone (sequence numbers, ascending).
   */
  rollback(pre: DelayedState, contract: ContractId, position: number): number[] {
    const createdBy = (seq: number): ContractId[] => [...this.local(seq).results.values()].flatMap((r) => r.created.map((c) => c.id)).filter((id) => this.chain.contracts.has(id));
    const { firstBad, txs } = computeCone(contract, position, (d) => {
      const queue = getContract(pre, d).queue;
      return Array.from({ length: queue.length }, (_, i) => {
        const seq = getLogItem(queue, i);
        const t = getTx(pre, seq);
        const executed = this.local(seq).executedBy.size > 0;
        const positions = new Map(t.positions);
        if (executed) for (const s of createdBy(seq)) positions.set(s, 0);
        return { seq, positions, executed };
      });
    });
    for (const seq of txs) this.local(seq).results.clear();
    for (const [d, first] of firstBad) {
      const f = this.frontier(d);
      const rec = getContract(this.chain, d);
      f.localIdx = Math.min(f.localIdx, first);
      if (getContract(pre, d).dropped && !rec.dropped) (this.followed[rec.committee] as ContractId[]).push(d);
      for (const views of this.views) {
        const v = views.get(d);
        if (v && (v.idx > first || v.base > getAffirmedIdx(rec))) views.delete(d);
      }
    }
    for (const [id, f] of this.frontiers) f.producedIdx = getAffirmedIdx(getContract(this.chain, id));
    return txs;
  }

  /** A successor's state 0 became known (its creation final, again after a rollback, or known never to have happened: `ended`). */
  resetGenesis(id: ContractId, kv: MerkleKV, ended = false): void {
    const f = this.frontier(id);
    if (!this.isRemote(getContract(this.chain, id).committee)) f.snaps[0] = { kv, ended };
    f.roots[0] = kv.root();
    f.localIdx = f.producedIdx = 0;
  }

  /**
   * Committee `to` takes over `id` from `from` at its affirmed root: it receives every key of the state with a multiproof,
   * checks it against the affirmed root and rebuilds the state; work the old committee did past it is dropped and done again.
   */
  handOver(id: ContractId, from: number, to: number, slot: number): void {
    const rec = getContract(this.chain, id);
    const at = getAffirmedIdx(rec);
    const snap = this.getSnap(id, at);
    const root = getLogItem(rec.chainRoots, at);
    const { kv, bytes } = sendState(id, snap.kv, root);
    this.observer.count("handovers", 1);
    this.observer.count("handoverBytes", bytes.length);
    this.observer.onTransfer?.(slot, "proof", bytes.length);
    this.resetFrontier(id, from);
    this.frontier(id).snaps[at] = { kv, ended: snap.ended };
    const list = this.followed[from] as ContractId[];
    list.splice(list.indexOf(id), 1);
    (this.followed[to] as ContractId[]).push(id);
    (this.views[to] as Map<ContractId, View>).delete(id);
  }

  /**
   * Releases what nobody needs any more once `seq` is final and its figures are recorded (runs
   * with faults keep all but its kept executions: a rollback may execute it again): at each of its
   * positions, the pre-state, its root, its result leaf and the roots it assumed (batches are built
   * from `producedIdx` on, past every final position), and the committees' results of it.
   */
  releaseStates(seq: number): void {
    if (this.o.keepHistory) {
      const local = this.txs[seq] as TxLocal | undefined;
      if (local) delete local.runs; // its kept executions (executed again after a rollback)
      return;
    }
    for (const [d, pos] of getTx(this.chain, seq).positions) {
      const f = this.frontier(d);
      if (pos >= f.localIdx) continue;
      f.snaps[pos] = undefined;
      (f.roots as (Uint8Array | undefined)[])[pos] = undefined;
      (f.leaves as (ResultLeafValue | undefined)[])[pos] = undefined;
      (f.leafRoots as (Uint8Array | undefined)[])[pos] = undefined;
      (f.assumed as (AssumedRoot[] | undefined)[])[pos] = undefined;
    }
    (this.txs as (TxLocal | undefined)[])[seq] = undefined;
  }

  /** The weight of committee `k`'s members among `signers`. */
  getCommitteeWeight(k: number): number {
    return getWeight(this.chain.committees[k] as Validator[]);
  }
}

