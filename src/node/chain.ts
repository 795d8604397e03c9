/**
 * A node's copy of the two-stage chain: the agreed state (`DelayedState`), the committees' local
 * views (`CommitteeViews` — of every committee, or with `followKeys` only of the committees those
 * validators sit on, the others' contracts read through witnesses: `following.ts`) and what it
 * knows of each transaction. Every block goes
 * through the spec's verifying transitions (`processStage1Block` / `processStage2Block`); the
 * reactions to a block's effects are the same as the simulator driver's. No clock, no network,
 * no store: the node (`node.ts`) calls it.
 */
import { createValidators, deployGenesis, computeGenesisAccounts, type Validator } from "../chain/index.js";
import { createBlsVerifier, createNoopVerifier, type SignatureVerifier } from "../crypto/bls.js";
import { bytesEqual, sha256, toHex } from "../crypto/hash.js";
import { isXshardError, XshardError } from "../errors.js";
import { computeTxId, type SignedTx } from "../program/index.js";
import { Runtime } from "../runtime/index.js";
import { MerkleKV } from "../state/index.js";
import type { ContractId } from "../types.js";
import type { AttestationFault } from "../chain/index.js";
import { buildRoundBatch } from "./roundBatch.js";
import { CommitteeViews, type Frontier, type TxResult } from "../protocols/delayed/committee.js";
import { decodeContractId, Stage1Header } from "../protocols/delayed/containers.js";
import { createGenesisState } from "../protocols/delayed/genesis.js";
import { processStage1Block, type SignedStage1Block } from "../protocols/delayed/stage1.js";
import { processStage2Block, type AppliedAffirmation, type Batch, type SignedStage2Block, type Stage2Context, type Stage2Effects } from "../protocols/delayed/stage2.js";
import { getAffirmedIdx, getContract, getLogItem, getTx, type DelayedState } from "../protocols/delayed/state.js";
import { computeDevnetParams, loadNodeContractCode, type DevnetGenesis } from "./genesis.js";
import { materializeStage2Block, type Stage2BlockValue } from "./wire.js";
import { executeObserved, WitnessCache } from "./witnessCache.js";

/** What a node knows of one transaction of the Stage-1 sequence. */
export interface NodeTxRecord {
  readonly seq: number;
  readonly txId: Uint8Array;
  readonly includedSlot: number;
  finalSlot?: number;
  result?: TxResult;
  /** Where its leaf on each contract was applied (for light-client proofs). */
  readonly affirmedIn: Map<ContractId, { block: SignedStage2Block; inclusion: number; affirmation: number; leaf: number }>;
}

export interface ChainHead {
  /** Blocks imported on this chain (its height). */
  readonly height: number;
  readonly slot: number;
  readonly root: Uint8Array;
}

/** What `NodeChain.restore` takes (read from a snapshot by `snapshot.ts`). */
export interface ChainRestore {
  readonly state: DelayedState;
  readonly frontiers: readonly { readonly id: ContractId; readonly position: number; readonly ended: boolean; readonly kv: MerkleKV }[];
  readonly followed: readonly (readonly ContractId[])[];
  readonly known: readonly number[];
  readonly records: readonly NodeTxRecord[];
  readonly stage2Blocks: readonly SignedStage2Block[];
  readonly stage1: ChainHead;
  readonly stage2: ChainHead;
  readonly stage1Roots: readonly Uint8Array[];
  readonly orderDigest: Uint8Array;
}

export class NodeChain {
  state: DelayedState;
  readonly views: CommitteeViews;
  readonly runtime = new Runtime();
  readonly verifier: SignatureVerifier = createBlsVerifier();
  readonly ctx: Stage2Context;
  readonly validators: readonly Validator[];
  readonly records: NodeTxRecord[] = [];
  readonly byId = new Map<string, NodeTxRecord>();
  stage1: ChainHead = { height: 0, slot: -1, root: new Uint8Array(32) };
  stage2: ChainHead = { height: 0, slot: -1, root: new Uint8Array(32) };
  /** Stage-2 blocks imported, in order (proofs are built from them). */
  readonly stage2Blocks: SignedStage2Block[] = [];
  /** Set when the node follows only some committees: the witnessed states of the others' contracts. */
  readonly witnessCache: WitnessCache | undefined;
  /** Final transactions this node has not executed yet (it imported their affirmations while catching up, or follows none of their contracts). */
  private readonly awaitingResult = new Set<number>();
  /** The last Stage-1 imports with the state just before each (for `reorderStage2`). */
  private readonly recent1: { height: number; stage2Height: number; state: DelayedState; orderDigest: Uint8Array; block: SignedStage1Block; registered: ContractId[] }[] = [];
  /** Roots of the Stage-1 blocks imported, by height − 1. */
  readonly stage1Roots: Uint8Array[] = [];
  /**
   * The order blocks were applied in, as one hash: sha256(previous ‖ chain byte ‖ block root) per
   * import (1 = Stage-1, 2 = Stage-2). Two nodes that applied the same blocks in the same order hold
   * the same digest.
   */
  orderDigest: Uint8Array = new Uint8Array(32);

  /**
   * @param reorderWindow how many recent Stage-1 imports `reorderStage2` can reach back over (0: never; replay instead).
   * @param followKeys validators whose genesis committees this node follows (undefined: every committee).
   */
  constructor(
    readonly genesis: DevnetGenesis,
    readonly reorderWindow = 16,
    readonly followKeys?: readonly number[],
  ) {
    const deployed = deployGenesis(this.runtime, genesis.genesis, loadNodeContractCode);
    this.validators = createValidators(genesis.validators, genesis.seed);
    this.state = createGenesisState(
      computeDevnetParams(genesis),
      this.validators,
      deployed.map((d) => ({ id: d.id, codeHash: d.codeHash, root: d.state.root(), ...(d.placement === undefined ? {} : { placement: d.placement }) })),
      computeGenesisAccounts(genesis.genesis),
    );
    if (genesis.anchorRoot !== undefined && genesis.anchorRoot !== toHex(this.state.genesisRoot)) {
      throw new XshardError("BAD_GENESIS", `genesis file: anchor.genesisRoot does not match the chain this file describes (${toHex(this.state.genesisRoot)})`, { path: "genesis.anchor.genesisRoot" });
    }
    this.ctx = { verifier: this.verifier, runtime: this.runtime, cache: new WeakMap<Batch, AttestationFault | "ok">() };
    const followed = new Set(this.state.committees.flatMap((c, k) => (c.some((v) => followKeys?.includes(v.index)) ? [k] : [])));
    this.witnessCache = followKeys && followed.size < this.state.params.committees ? new WitnessCache(followed) : undefined;
    const remote = this.witnessCache ? { remote: this.witnessCache } : {};
    this.views = new CommitteeViews(this.state, new Map(deployed.map((d) => [d.id, d.state])), { runtime: this.runtime, verifier: createNoopVerifier(), keepHistory: true, ...remote });
  }

  private setState(s: DelayedState): void {
    this.state = s;
    this.views.chain = s;
  }

  /** Verifies and applies a Stage-1 block (throws the rule's `XshardError`); returns the transactions it sequenced. */
  importStage1(block: SignedStage1Block): NodeTxRecord[] {
    const before = { height: this.stage1.height, stage2Height: this.stage2.height, state: this.state, orderDigest: this.orderDigest };
    const { state, seqs, registered } = processStage1Block(this.state, block, this.verifier);
    if (this.reorderWindow > 0) {
      this.recent1.push({ ...before, block, registered });
      if (this.recent1.length > this.reorderWindow) this.recent1.shift();
    }
    this.setState(state);
    for (const id of registered) this.views.addFrontier(id, getContract(state, id).committee, MerkleKV.empty());
    this.views.addTxs(seqs);
    const out: NodeTxRecord[] = [];
    for (const seq of seqs) {
      const t = getTx(state, seq);
      const rec: NodeTxRecord = { seq, txId: t.txId, includedSlot: block.header.slot, affirmedIn: new Map() };
      this.records[seq] = rec;
      this.byId.set(toHex(t.txId), rec);
      out.push(rec);
    }
    if (seqs.length > 0) {
      const first = seqs[0] as number;
      const end = (seqs[seqs.length - 1] as number) + 1;
      for (let k = 0; k < state.params.committees; k++) this.views.deliverStage1(k, first, end);
    }
    this.stage1 = { height: this.stage1.height + 1, slot: block.header.slot, root: Stage1Header.hashTreeRoot(block.header) };
    this.stage1Roots.push(this.stage1.root);
    this.orderDigest = sha256(this.orderDigest, Uint8Array.of(1), this.stage1.root);
    return out;
  }

  /** Verifies and applies a Stage-2 block; returns the transactions it made final. */
  importStage2(block: SignedStage2Block): NodeTxRecord[] {
    const pre = this.state;
    const { state, effects } = processStage2Block(pre, block, this.ctx);
    this.setState(state);
    for (const e of effects.evidence) if (e.rolledBack) this.rollBack(pre, decodeContractId(e.evidence.contract), e.evidence.position);
    return this.applyStage2Effects(block, effects);
  }

  /**
   * A Stage-2 block built on Stage-1 height `value.stage1Height`, which this chain has passed, put
   * in its canonical place without a replay from genesis: the agreed state is taken from just
   * before the next Stage-1 block (kept for the last `reorderWindow` Stage-1 blocks), the Stage-2
   * block is applied there and the later Stage-1 blocks again on top (their attestations were
   * checked at their import). The committee views then take the block's effects as at any import
   * (they are this node's execution cache; what it executed meanwhile stays valid). Returns
   * the transactions it made final, or undefined — nothing changed — where this does not apply: the base is out of the window, a
   * Stage-2 block was imported since, the block creates, ends or drops a contract, a later Stage-1
   * block registers other contracts or fails in its new place, or the block breaks a rule (the
   * caller replays from genesis, which decides and names the rule).
   */
  reorderStage2(value: Stage2BlockValue): NodeTxRecord[] | undefined {
    const i = this.recent1.findIndex((e) => e.height === value.stage1Height);
    const at = this.recent1[i];
    if (!at || at.stage2Height !== this.stage2.height) return undefined;
    const later = this.recent1.slice(i);
    const rewritten: typeof later = [];
    let block: SignedStage2Block;
    let state: DelayedState;
    let effects: Stage2Effects;
    let digest: Uint8Array;
    try {
      block = materializeStage2Block(at.state, value);
      ({ state, effects } = processStage2Block(at.state, block, this.ctx));
      if (effects.created.length + effects.absent.length + effects.dropped.length + effects.evidence.length > 0) return undefined;
      digest = sha256(at.orderDigest, Uint8Array.of(2), block.root);
      for (const e of later) {
        rewritten.push({ ...e, stage2Height: e.stage2Height + 1, state, orderDigest: digest });
        const r = processStage1Block(state, e.block, this.verifier, { verifyAttestation: false });
        if (r.registered.join("\n") !== e.registered.join("\n")) return undefined;
        state = r.state;
        digest = sha256(digest, Uint8Array.of(1), Stage1Header.hashTreeRoot(e.block.header));
      }
    } catch (e) {
      if (isXshardError(e)) return undefined;
      throw e;
    }
    this.recent1.splice(i, later.length, ...rewritten);
    this.setState(state);
    const finals = this.applyStage2Effects(block, effects);
    this.orderDigest = digest;
    return finals;
  }

  /**
   * The agreed state a Stage-2 block built on Stage-1 height `height` is applied to in its
   * canonical place: ours if `height` is our head, the kept state from just before the next
   * Stage-1 block if no Stage-2 block was imported since, else undefined.
   */
  getStateAtStage1(height: number): DelayedState | undefined {
    if (height === this.stage1.height) return this.state;
    const at = this.recent1.find((e) => e.height === height);
    return at && at.stage2Height === this.stage2.height ? at.state : undefined;
  }

  private applyStage2Effects(block: SignedStage2Block, effects: Stage2Effects): NodeTxRecord[] {
    this.stage2Blocks.push(block);
    const finals: NodeTxRecord[] = [];
    for (const a of effects.applied) this.onApplied(a, block, finals);
    for (const c of effects.created) {
      const r = this.records[c.creator]?.result;
      const created = r?.created[c.index];
      const kv = created ? MerkleKV.empty().applyWrites(created.writes) : MerkleKV.empty();
      if (c.fresh) this.views.addFrontier(c.id, c.committee, kv);
      else this.views.resetGenesis(c.id, kv);
    }
    for (const id of effects.absent) this.views.resetGenesis(id, MerkleKV.empty(), true);
    this.views.discardConflictingWork();
    this.views.dropContracts(effects.dropped);
    this.stage2 = { height: this.stage2.height + 1, slot: block.header.slot, root: block.root };
    this.orderDigest = sha256(this.orderDigest, Uint8Array.of(2), block.root);
    return finals;
  }

  /** A fraud proof rolled a root back: the cone's results, finality and proof locators are undone; the views execute it again. */
  private rollBack(pre: DelayedState, contract: ContractId, position: number): void {
    for (const seq of this.views.rollback(pre, contract, position)) {
      const rec = this.records[seq];
      if (!rec) continue;
      delete rec.finalSlot;
      delete rec.result;
      rec.affirmedIn.clear();
    }
  }

  private onApplied(a: AppliedAffirmation, block: SignedStage2Block, finals: NodeTxRecord[]): void {
    const c = a.claim;
    const queue = getContract(this.state, c.contract).queue;
    for (let i = c.from; i < c.to; i++) {
      const seq = getLogItem(queue, i);
      const rec = this.records[seq] as NodeTxRecord;
      rec.affirmedIn.set(c.contract, { block, inclusion: a.inclusion, affirmation: a.affirmation, leaf: i - c.from });
      if (!a.finalized.includes(seq)) continue;
      const results = this.views.local(seq).results;
      const r = results.get(a.batch.header.committee) ?? [...results.values()][0];
      if (r) rec.result = r;
      else this.awaitingResult.add(seq); // final before this node executed it (catching up)
      rec.finalSlot = block.header.slot;
      finals.push(rec);
      this.views.releaseStates(seq);
    }
  }

  /**
   * A Stage-2 round: every committee executes everything ready, then its batch is built from its
   * steps past the affirmed state, in chain order within the Stage-2 budget (`roundBatch.ts`;
   * unsigned: the node's validators sign its root, the proposer aggregates). Nodes that imported the
   * same blocks before the round build the same batch, whenever and in how many rounds they
   * executed; a node that did not signs another root, which simply does not count.
   */
  executeRound(slot: number): Map<number, Batch> {
    const K = this.state.params.committees;
    const out = new Map<number, Batch>();
    this.executeAll(slot);
    this.witnessCache?.prune();
    for (let k = 0; k < K; k++) {
      if (this.views.isRemote(k)) continue;
      this.views.resetRoundWork(k);
      // A function of the agreed chain and the round: the same root on every node (`roundBatch.ts`).
      const batch = buildRoundBatch(this.views, k, slot);
      if (batch) out.set(k, batch);
    }
    return out;
  }

  /** Every followed committee executes everything ready; final transactions waiting for a result get it. */
  executeAll(slot: number): void {
    const K = this.state.params.committees;
    // Passes until nothing moves: a node that imported blocks faster than it executed (catch-up)
    // brings each contract's own frontier up to its affirmed state before others read it.
    for (let pass = 0, moved = true; moved && pass < 64; pass++) {
      const before = this.countExecuted();
      for (let k = 0; k < K; k++) {
        if (this.views.isRemote(k)) continue;
        try {
          // Everything ready: the budget applies to what the batch claims (`roundBatch.ts`), so a
          // node that executed late or missed a round is not left behind for good.
          this.views.executeReady(k, slot, Infinity);
        } catch (e) {
          // A state another committee has not computed yet (catching up): a later pass. A state that
          // does not prove against its affirmed root (BAD_PROOF): a wrong root was applied and this
          // node's fraud proof is on its way (`evidence.ts`); the committee waits for the rollback.
          if (!(isXshardError(e) && (e.code === "STATE_NOT_AVAILABLE" || e.code === "BAD_PROOF"))) throw e;
        }
      }
      moved = this.countExecuted() !== before;
    }
    for (const seq of this.awaitingResult) {
      const rec = this.records[seq] as NodeTxRecord;
      const r = [...this.views.local(seq).results.values()][0] ?? this.observe(rec);
      if (!r) continue;
      rec.result = r;
      this.awaitingResult.delete(seq);
    }
  }

  /** A final transaction on no followed contract: executed from witnesses (`following.ts`), undefined while keys are missing. */
  private observe(rec: NodeTxRecord): TxResult | undefined {
    const cache = this.witnessCache;
    if (!cache || [...getTx(this.state, rec.seq).positions.keys()].some((d) => !this.views.isRemote(getContract(this.state, d).committee))) return undefined;
    try {
      return executeObserved(this, cache, rec);
    } catch (e) {
      // BAD_RESULT: a root the chain affirmed is wrong; a follower's fraud proof rolls it back.
      if (!isXshardError(e)) throw e;
      return undefined;
    }
  }

  private countExecuted(): number {
    let n = 0;
    for (const f of this.views.frontiers.values()) n += f.localIdx;
    return n;
  }

  /** No final transaction waits for this node's execution of it (part of a quiescent point, `snapshot.ts`). */
  isSettled(): boolean {
    return this.awaitingResult.size === 0;
  }

  /**
   * Takes the chain of a snapshot (`snapshot.ts`, quiescent point): a fresh chain (nothing imported)
   * gets the agreed state, each contract's affirmed state as its committee's frontier (no history
   * before it: witnesses of older states come from peers), the committees' `followed` lists and
   * delivered prefixes, the records, the Stage-2 blocks, heads, `stage1Roots` and order digest.
   */
  restore(s: ChainRestore): void {
    if (this.stage1.height + this.stage2.height > 0) throw new Error("internal: restore into a chain that imported blocks");
    this.setState(s.state);
    const v = this.views;
    v.frontiers.clear();
    for (const f of s.frontiers) {
      const snaps: Frontier["snaps"] = [];
      const roots: Uint8Array[] = [];
      snaps[f.position] = { kv: f.kv, ended: f.ended };
      roots[f.position] = f.kv.root();
      v.frontiers.set(f.id, { snaps, roots, leaves: [], leafRoots: [], assumed: [], localIdx: f.position, producedIdx: f.position });
    }
    s.followed.forEach((ids, k) => (v.followed[k] as ContractId[]).splice(0, Infinity, ...ids));
    s.known.forEach((n, k) => (v.known[k] = n));
    v.txs.length = 0;
    for (let seq = 0; seq < s.state.txs.length; seq++) v.txs.push({ executions: 0, results: new Map(), executedBy: new Set() });
    this.records.push(...s.records);
    for (const r of s.records) this.byId.set(toHex(r.txId), r);
    this.stage2Blocks.push(...s.stage2Blocks);
    this.stage1Roots.push(...s.stage1Roots);
    this.stage1 = s.stage1;
    this.stage2 = s.stage2;
    this.orderDigest = s.orderDigest;
  }

  getRecord(id: Uint8Array): NodeTxRecord | undefined {
    return this.byId.get(toHex(id));
  }

  /** Whether `stx` is already in the Stage-1 sequence. */
  isSequenced(stx: SignedTx): boolean {
    return this.byId.has(toHex(computeTxId(stx)));
  }

  /** Per live contract: affirmed position and root (for comparing nodes). */
  getAffirmedRoots(): Record<string, { position: number; root: string }> {
    const out: Record<string, { position: number; root: string }> = {};
    for (const r of this.state.contracts.values()) {
      const at = getAffirmedIdx(r);
      out[r.id] = { position: at, root: toHex(getLogItem(r.chainRoots, at)) };
    }
    return out;
  }

  /** Whether `root` is this chain's Stage-1 head. */
  isStage1Head(root: Uint8Array): boolean {
    return bytesEqual(root, this.state.stage1Root);
  }
}
