/**
 * One xshard node (DESIGN §8, docs/node.md): a full node of the two-stage chain that signs for the
 * validators whose keys it holds. It drives the spec (`src/protocols/delayed/`) from a `Network`,
 * a `NodeStore` and a `SlotClock` — the only source of time. Each slot `s`:
 * - t = 0: every committee's batch is built (`NodeChain.executeRound`) and the node's validators
 *   on that committee sign its root (gossip `affirmation_<k>`); the Stage-1 proposer of `s` builds
 *   from its mempool and gossips the proposal;
 * - the Stage-1 slot committee's members check the proposal with `processStage1Block` (signatures
 *   of the attestation aside) and sign it (gossip `attestation`); the proposer aggregates ≥ 2/3,
 *   imports the block and gossips it;
 * - t = slotMs/2: the Stage-2 proposer of `s` (the first member of its slot committee) aggregates
 *   each batch that holds ≥ 2/3 of its committee's weight, builds with `buildStage2Block` and
 *   gossips the proposal; the slot committee checks and signs; the proposer aggregates and gossips.
 * Every block, the node's own included, is imported through `processStage1Block` /
 * `processStage2Block`; a block that breaks a rule is `reject(<code>)` (its sender scored down).
 */
import type { Validator } from "../chain/index.js";
import { bytesEqual, toHex } from "../crypto/hash.js";
import { XshardError, isXshardError } from "../errors.js";
import { computeTxId, decodeSignedTx, verifySignedTx, type SignedTx } from "../program/index.js";
import { Stage1Header, Stage2Header } from "../protocols/delayed/containers.js";
import { buildStage1Block, getStage1Committee, getStage1Proposer, processStage1Block, type SignedStage1Block } from "../protocols/delayed/stage1.js";
import { buildStage2Block, computeBatchSigningRoot, computeStage2SigningRoot, getStage2Committee, processStage2Block, type Batch, type HeldAffirmation, type SignedStage2Block } from "../protocols/delayed/stage2.js";
import type { ContractId } from "../types.js";
import { NodeChain, type NodeTxRecord } from "./chain.js";
import type { NodeKey } from "./genesis.js";
import { computeTopic } from "./net/topics.js";
import { ACCEPT, ignoreVerdict, rejectVerdict, type GossipMessage, type Verdict } from "./net/types.js";
import { NodeSync } from "./sync.js";
import { checkVote, VotePool } from "./votes.js";
import { SKIP_STAGE1, SKIP_STAGE2 } from "./safety.js";
import { Attester } from "./attester.js";
import { decodeStage1Block, decodeStage2Block, encodeStage1Block, encodeStage2Block, materializeStage2Block, MSG_BLOCK, MSG_PROPOSAL, tagMessage, untagMessage, Vote, VOTE_KINDS, type Stage2BlockValue, type VoteValue } from "./wire.js";
import { encodeTxResult } from "./results.js";
import { NodeEvidence } from "./evidence.js";
import { checkStage1Base, rebuildWithStage2 } from "./order.js";
import { WitnessService } from "./witnesses.js";
import { resumeNode, SnapshotPolicy } from "./snapshot.js";
import { getFollowKeys, prefetchWitnesses, type WitnessFetchCounts } from "./following.js";
import { BatchGossip } from "./batchGossip.js";
import type { NodeOptions } from "./options.js";

export type { NodeOptions };

const ZERO_SIG = new Uint8Array(96);
/** Gossiped blocks kept while the node catches up (handled after it). */
const MAX_BUFFERED = 256;
/** Rules that mean "not on our head" rather than "invalid": the sender may be ahead of us. */
const NOT_OURS = new Set(["BAD_PARENT", "BAD_SEQUENCE", "STAGE1_BEHIND", "STAGE1_FORK"]);

export class XshardNode {
  chain: NodeChain;
  readonly netId: string;
  readonly mempool = new Map<string, SignedTx>();
  readonly votes = new VotePool();
  private readonly keys: Map<number, NodeKey>;
  private readonly sync: NodeSync;
  /** Evidence and slashing: what the proposer includes, the attesting committee after it, who was slashed. */
  readonly evidence: NodeEvidence;
  /** Merkle witnesses by request/response: served from the views, fetched and checked against our own roots. */
  readonly witnesses: WitnessService;
  readonly witnessFetches: WitnessFetchCounts = { ok: 0, bad: 0, unavailable: 0 }; // to execute contracts not followed (`following.ts`)
  readonly snapshots: SnapshotPolicy; // when chain snapshots are written (`snapshot.ts`)
  private own1: { slot: number; block: SignedStage1Block; root: Uint8Array; committee: Validator[] } | undefined;
  private own2: { slot: number; block: SignedStage2Block; root: Uint8Array; committee: Validator[]; stage1: { height: number; root: Uint8Array } } | undefined;
  private roundBatches = new Map<number, Batch>();
  readonly batchGossip = new BatchGossip(this); // bodies of the batches of committees this node does not follow
  /** What this node's validators sign as attesters: one header per slot, skips, the gap rule (`attester.ts`). */
  private readonly attester: Attester;
  /** Valid Stage-1 proposals by root: any node holding one and 2/3 of its votes makes it final. */
  private readonly proposals1 = new Map<string, { slot: number; block: SignedStage1Block; root: Uint8Array; committee: Validator[] }>();
  private readonly buffered: (() => Verdict)[] = [];
  private readonly headListeners = new Set<() => void>();
  private stopClock: (() => void) | undefined;
  private readonly timers = new Set<() => void>();
  private stopped = false;
  /** Final blocks a fork-choice rebuild dropped, per chain (`NodeSync.finalReverts`). */
  get finalReverts(): { readonly stage1: number; readonly stage2: number } {
    return this.sync.finalReverts;
  }
  /** Stage-2 blocks put in their canonical place behind our Stage-1 head (built on a Stage-1 height we had passed). */
  reorders = 0;
  /** Of those, how many needed a replay from genesis (`order.ts`) rather than `NodeChain.reorderStage2`. */
  replays = 0;

  constructor(readonly o: NodeOptions) {
    this.chain = new NodeChain(o.genesis, o.reorderWindow, getFollowKeys(o));
    this.netId = toHex(this.chain.state.genesisRoot).slice(0, 16);
    this.keys = new Map(o.keys.map((k) => [k.index, k]));
    this.sync = new NodeSync(this);
    this.evidence = new NodeEvidence(() => this.chain, (l) => this.log(l), o.faults);
    this.witnesses = new WitnessService(this);
    this.snapshots = new SnapshotPolicy(o.snapshotEvery);
    this.attester = new Attester(this, (index) => this.keys.has(index));
  }

  log(line: string): void {
    this.o.log?.(line);
  }

  topic(kind: "transaction" | "stage1_block" | "attestation" | "stage2_block" | "batch"): string;
  topic(kind: "affirmation", committee: number): string;
  topic(kind: "transaction" | "stage1_block" | "attestation" | "affirmation" | "stage2_block" | "batch", committee?: number): string {
    return computeTopic(this.netId, kind, committee);
  }

  /** Resumes from the store, serves and subscribes, catches up from `peers`' heads, then follows the clock. */
  async start(): Promise<void> {
    resumeNode(this, () => this.sync.resumeFromStore());
    this.attester.load(this.keys.keys()); // slashing protection: what our validators signed before a restart
    await this.sync.serve();
    await this.witnesses.serve();
    const n = this.o.network;
    n.subscribe(this.topic("transaction"), { validate: (m) => this.onTransaction(m) });
    n.subscribe(this.topic("stage1_block"), { validate: (m) => this.guard(() => this.onStage1(m), true) });
    n.subscribe(this.topic("stage2_block"), { validate: (m) => this.guard(() => this.onStage2(m), true) });
    // Votes are checked and pooled during a catch-up too (issue 13 stall: they were dropped, and never re-sent).
    n.subscribe(this.topic("attestation"), { validate: (m) => this.guard(() => this.onVote(m, undefined), false) });
    for (let k = 0; k < this.o.genesis.committees; k++) n.subscribe(this.topic("affirmation", k), { validate: (m) => this.guard(() => this.onVote(m, k), false) });
    n.subscribe(this.topic("batch"), { validate: (m) => this.guard(() => this.batchGossip.onMessage(m), false) });
    // Peers and rejected gossip in the log: a vote that never arrives leaves no other trace (issue 13 stall).
    const off = n.on((e) => this.log(e.type === "gossip:reject" || e.type === "response:reject" ? `${e.type} from ${e.from} (${e.type === "gossip:reject" ? e.topic : e.protocol}): ${e.rule}` : `${e.type} ${e.peer}${e.type === "peer:ban" ? ` (score ${e.score})` : ""}`));
    const stopClock = this.o.clock.onSlot((s) => void this.onSlot(s));
    this.stopClock = () => (off(), stopClock());
    this.o.clock.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopClock?.();
    this.o.clock.stop();
    for (const cancel of this.timers) cancel();
  }

  /** A gossip handler; a block arriving while the node catches up is kept and handled after it (`buffer`). */
  private guard(fn: () => Verdict, buffer: boolean): Verdict {
    if (buffer && this.sync.running) {
      if (this.buffered.length < MAX_BUFFERED) this.buffered.push(fn);
      return ignoreVerdict("syncing");
    }
    try {
      return fn();
    } catch (e) {
      // Bytes that do not decode are the sender's fault; anything else is ours (the network ignores it).
      if (isXshardError(e) && e.code === "WIRE_MALFORMED") return rejectVerdict("WIRE_MALFORMED");
      throw e;
    }
  }

  /** Drops the chain and starts again from genesis (our chain forked from the peers'; sync follows). */
  resetToGenesis(): void {
    this.chain = new NodeChain(this.o.genesis, this.o.reorderWindow, getFollowKeys(this.o));
    this.own1 = undefined;
    this.own2 = undefined;
  }

  onHeads(listener: () => void): () => void {
    this.headListeners.add(listener);
    return () => this.headListeners.delete(listener);
  }

  // ------------------------------------------------------------------ imports

  /** Imports a Stage-1 block (throws the rule's error), stores it with its effects. */
  importStage1(block: SignedStage1Block, bytes?: Uint8Array): NodeTxRecord[] {
    const seqd = this.chain.importStage1(block);
    for (const stx of block.txs) this.mempool.delete(toHex(computeTxId(stx)));
    const head = { number: this.chain.stage1.height, root: this.chain.stage1.root };
    this.o.store.processBlockWithEffects({
      chain: "stage1",
      block: { ...head, bytes: bytes ?? encodeStage1Block(block) },
      finalized: [head],
      results: seqd.map((r) => ({ id: r.txId, bytes: encodeTxResult(r) })),
      heads: { stage1: head, stage1Finalized: head },
      ...this.snapshots.field(this.chain, this.evidence.slashings),
    });
    this.afterImport("stage1", block.header.slot);
    return seqd;
  }

  /**
   * Imports a Stage-2 block in its canonical place (`order.ts`): on our Stage-1 head if it was built
   * on it, else — built on an earlier Stage-1 height of our chain — over the recent Stage-1 blocks
   * (`NodeChain.reorderStage2`) or by a replay from genesis with it in its place. Throws the rule's
   * error (`STAGE1_BEHIND` / `STAGE1_FORK` if its base is not ours).
   */
  importStage2(value: Stage2BlockValue, bytes: Uint8Array): NodeTxRecord[] {
    checkStage1Base(this.chain, value);
    let finals: NodeTxRecord[];
    if (value.stage1Height === this.chain.stage1.height) {
      const before = this.chain.state;
      const block = materializeStage2Block(before, value);
      finals = this.chain.importStage2(block);
      this.evidence.onImported(before, this.chain.state, block);
    } else {
      const ours = this.chain.stage1.height;
      const fast = this.chain.reorderStage2(value);
      if (fast) finals = fast;
      else {
        const rebuilt = rebuildWithStage2(this.o.genesis, this.o.store, bytes, this.chain.reorderWindow, this.chain.followKeys);
        [this.chain, finals] = [rebuilt.chain, rebuilt.finals];
        this.replays++;
      }
      this.reorders++;
      this.log(`Stage-2 block of slot ${value.header.slot} (built on Stage-1 height ${value.stage1Height}, ours ${ours}): put in its canonical place ${fast ? "over the recent Stage-1 blocks" : "by a replay from genesis"}`);
    }
    const head = { number: this.chain.stage2.height, root: this.chain.stage2.root };
    this.o.store.processBlockWithEffects({
      chain: "stage2",
      block: { ...head, bytes },
      finalized: [head],
      results: finals.map((r) => ({ id: r.txId, bytes: encodeTxResult(r) })),
      heads: { stage2: head, stage2Finalized: head },
      ...this.snapshots.field(this.chain, this.evidence.slashings),
    });
    this.afterImport("stage2", value.header.slot);
    return finals;
  }

  private afterImport(chain: "stage1" | "stage2", slot: number): void {
    this.o.metrics?.headSlot.set({ chain }, slot);
    this.o.metrics?.finalizedSlot.set({ chain }, slot);
    for (const l of this.headListeners) l();
  }

  // ------------------------------------------------------------------ gossip

  /** Checks a transaction and queues it (API and gossip alike); throws a typed error for bad input. */
  addTransaction(stx: SignedTx): string {
    verifySignedTx(stx);
    const id = toHex(computeTxId(stx));
    if (this.mempool.has(id) || this.chain.byId.has(id)) throw new XshardError("TX_KNOWN", `transaction 0x${id} is already known`, { id });
    if (this.mempool.size >= (this.o.mempoolLimit ?? 100_000)) throw new XshardError("MEMPOOL_FULL", "the mempool is full", {});
    this.mempool.set(id, stx);
    return id;
  }

  private onTransaction(m: GossipMessage): Verdict {
    let stx: SignedTx;
    try {
      stx = decodeSignedTx(m.data);
    } catch (e) {
      return rejectVerdict(isXshardError(e) ? e.code : "TX_MALFORMED");
    }
    try {
      this.addTransaction(stx);
      return ACCEPT;
    } catch (e) {
      if (isXshardError(e) && (e.code === "TX_KNOWN" || e.code === "MEMPOOL_FULL")) return ignoreVerdict(e.code);
      return rejectVerdict(isXshardError(e) ? e.code : "TX_INVALID");
    }
  }

  /** The verdict on a block that failed a rule: not ours (we may be behind) or invalid. */
  private verdictOf(e: unknown, slot: number, headSlot: number): Verdict {
    if (!isXshardError(e)) throw e;
    if (NOT_OURS.has(e.code)) {
      if (slot > headSlot) this.sync.request(`block of slot ${slot} does not extend our head`);
      return ignoreVerdict(e.code);
    }
    this.log(`reject ${e.code}: ${e.message}`);
    return rejectVerdict(e.code);
  }

  private onStage1(m: GossipMessage): Verdict {
    const { tag, bytes } = untagMessage(m.data);
    const block = decodeStage1Block(bytes);
    const root = Stage1Header.hashTreeRoot(block.header);
    if (bytesEqual(root, this.chain.stage1.root) || block.header.slot < this.chain.stage1.slot) return ignoreVerdict("known");
    if (tag === MSG_PROPOSAL) {
      const committee = getStage1Committee(this.chain.state, block.header.slot);
      try {
        processStage1Block(this.chain.state, block, this.chain.verifier, { verifyAttestation: false });
      } catch (e) {
        return this.verdictOf(e, block.header.slot, this.chain.stage1.slot);
      }
      // Attest only within the proposal's slot or the next (a loaded node runs late), and only over
      // skip certificates of the slots it skips (`safety.ts`).
      if (this.o.clock.getCurrentSlot() > block.header.slot + 1) return ignoreVerdict("late");
      this.proposals1.set(toHex(root), { slot: block.header.slot, block, root, committee });
      this.attester.onProposal({ chain: SKIP_STAGE1, slot: block.header.slot, root, parentRoot: block.header.parentRoot, committee });
      this.finalizeStage1(root);
      return ACCEPT;
    }
    try {
      this.importStage1(block, bytes);
    } catch (e) {
      return this.verdictOf(e, block.header.slot, this.chain.stage1.slot);
    }
    return ACCEPT;
  }

  private onStage2(m: GossipMessage): Verdict {
    const { tag, bytes } = untagMessage(m.data);
    const value = decodeStage2Block(bytes);
    const root = Stage2Header.hashTreeRoot(value.header);
    if (bytesEqual(root, this.chain.stage2.root) || value.header.slot <= this.chain.stage2.slot) return ignoreVerdict("known");
    try {
      checkStage1Base(this.chain, value);
    } catch (e) {
      if (!isXshardError(e)) throw e;
      this.sync.request(e.message);
      return ignoreVerdict(e.code);
    }
    if (tag === MSG_PROPOSAL) {
      // Checked on the state of its canonical place (`order.ts`); past the reorder window, on our
      // state (the import re-checks the final block in place).
      const at = this.chain.getStateAtStage1(value.stage1Height) ?? this.chain.state;
      const block = materializeStage2Block(at, value);
      const committee = this.evidence.getAttestingCommittee(at, block);
      try {
        processStage2Block(at, block, { verifier: this.chain.verifier, runtime: this.chain.runtime, verifyAttestation: false });
      } catch (e) {
        return this.verdictOf(e, value.header.slot, this.chain.stage2.slot);
      }
      if (this.o.clock.getCurrentSlot() > value.header.slot + 1) return ignoreVerdict("late");
      this.attester.onProposal({ chain: SKIP_STAGE2, slot: value.header.slot, root, parentRoot: value.header.parentRoot, committee });
      return ACCEPT;
    }
    try {
      this.importStage2(value, bytes);
    } catch (e) {
      return this.verdictOf(e, value.header.slot, this.chain.stage2.slot);
    }
    return ACCEPT;
  }

  /** Signs `vote` for the node's own validator (if held), keeps it and gossips it. */
  castVote(vote: VoteValue, msg: Uint8Array): void {
    const key = this.keys.get(vote.validator);
    if (!key) return;
    if (!this.attester.mayCast(vote)) return; // slashing protection: recorded in the store before it is signed
    const v = { ...vote, signature: this.chain.verifier.sign(key.key, msg) };
    this.votes.add(v.kind, v.root, v.slot, v.validator, v.signature);
    const topic = v.kind === VOTE_KINDS.batch ? this.topic("affirmation", v.committee) : this.topic("attestation");
    this.publish(topic, Vote.serialize(v));
    this.onOwnVote(v);
  }

  private publish(topic: string, data: Uint8Array): void {
    this.o.network.publish(topic, data).catch((e: unknown) => this.log(`publish ${topic}: ${(e as Error).message}`));
  }

  /** A validator's signature: checked against its key and the committee it claims to sign for (`checkVote`). */
  private onVote(m: GossipMessage, topicCommittee: number | undefined): Verdict {
    let v: VoteValue;
    try {
      v = Vote.deserialize(m.data);
    } catch {
      return rejectVerdict("WIRE_MALFORMED");
    }
    const verdict = checkVote(this.chain.state, v, topicCommittee, (root, slot) => this.evidence.getVoteCommittee(this.chain.state, root, slot), this.chain.verifier, this.votes);
    if (verdict.kind === "accept") this.onOwnVote(v);
    return verdict;
  }

  /** A vote arrived (or was cast): a proposer holding the voted header finalizes it at ≥ 2/3. */
  private onOwnVote(v: VoteValue): void {
    if (v.kind === VOTE_KINDS.skip) this.attester.retryPending();
    if (v.kind === VOTE_KINDS.stage1) this.finalizeStage1(v.root);
    if (v.kind === VOTE_KINDS.stage2 && this.own2 && bytesEqual(this.own2.root, v.root)) {
      const own = this.own2;
      const agg = this.votes.aggregate(v.kind, v.root, own.committee, this.chain.verifier);
      if (!agg) return;
      this.own2 = undefined;
      const block: SignedStage2Block = { ...own.block, attestation: { message: computeStage2SigningRoot(this.chain.state, own.block.header), ...agg } };
      const bytes = encodeStage2Block(block, own.stage1);
      try {
        this.importStage2(decodeStage2Block(bytes), bytes);
      } catch (e) {
        this.log(`own Stage-2 block of slot ${own.slot} not imported: ${(e as Error).message}`);
        return;
      }
      this.publish(this.topic("stage2_block"), tagMessage(MSG_BLOCK, bytes));
    }
  }

  /**
   * A Stage-1 proposal we hold with ≥ 2/3 of its committee's votes is final: its proposer imports
   * and gossips it; any other node holding it imports it too (its final form may come late).
   */
  private finalizeStage1(root: Uint8Array): void {
    const own = this.own1 && bytesEqual(this.own1.root, root) ? this.own1 : undefined;
    const seen = own ?? this.proposals1.get(toHex(root));
    if (!seen || (!own && !bytesEqual(seen.block.header.parentRoot, this.chain.stage1.root))) return;
    const agg = this.votes.aggregate(VOTE_KINDS.stage1, root, seen.committee, this.chain.verifier);
    if (!agg) return;
    if (own) this.own1 = undefined;
    this.proposals1.delete(toHex(root));
    const block: SignedStage1Block = { ...seen.block, attestation: { signers: agg.signers, signature: agg.signature } };
    try {
      this.importStage1(block);
    } catch (e) {
      this.log(`${own ? "own " : ""}Stage-1 block of slot ${seen.slot} not imported: ${(e as Error).message}`);
      return;
    }
    if (own) this.publish(this.topic("stage1_block"), tagMessage(MSG_BLOCK, encodeStage1Block(block)));
  }

  // ------------------------------------------------------------------ duties

  /** Runs duty `fn` `ms` into `slot` (by the slot clock), unless the node stops first; logs what it throws. */
  private later(slot: number, ms: number, what: string, fn: () => void): void {
    const cancel = this.o.clock.atMsIntoSlot(slot, ms, () => {
      this.timers.delete(cancel);
      try {
        if (!this.stopped) fn();
      } catch (e) {
        this.log(`slot ${slot} ${what}: ${(e as Error).stack ?? String(e)}`);
      }
    });
    this.timers.add(cancel);
  }

  private async onSlot(slot: number): Promise<void> {
    if (this.stopped) return;
    this.o.network.processTick();
    this.votes.prune(slot - this.attester.escape - 2); // skip votes of a slot count until its escape
    this.attester.closeWindows(slot);
    for (const [k, p] of this.proposals1) if (p.slot < slot - 2) this.proposals1.delete(k);
    if (this.sync.pending) {
      await this.sync.run();
      for (const fn of this.buffered.splice(0)) this.guard(fn, false);
    }
    if (this.chain.witnessCache && !this.sync.running) await prefetchWitnesses(this, slot).catch((e: unknown) => this.log(`slot ${slot} witnesses: ${(e as Error).stack ?? String(e)}`));
    if (this.sync.running || this.o.clock.getCurrentSlot() !== slot) return; // a missed slot: no duties
    try {
      const t0 = this.o.clock.getMsIntoSlot();
      this.stage2Round(slot);
      // Our head lacks the block of the previous slot we attested: give its final form a quarter slot.
      if (this.chain.stage1.slot < slot - 1 && this.attester.record.getAttested(SKIP_STAGE1, slot - 1)) this.later(slot, Math.floor(this.o.genesis.slotMs / 4), "Stage-1", () => this.proposeStage1(slot));
      else this.proposeStage1(slot);
      this.log(`slot ${slot}: duties ${t0}→${this.o.clock.getMsIntoSlot()} ms into the slot; heads ${this.chain.stage1.height}/${this.chain.stage2.height}`);
    } catch (e) {
      this.log(`slot ${slot}: ${(e as Error).stack ?? String(e)}`);
    }
    this.later(slot, Math.floor(this.o.genesis.slotMs / 2), "Stage-2", () => this.proposeStage2(slot));
  }

  /** Every committee's batch; this node's members of it sign its root. */
  private stage2Round(slot: number): void {
    this.roundBatches = this.evidence.signRound(this.chain.executeRound(slot), slot);
    const s = this.chain.state;
    for (const m of this.batchGossip.getMessages(this.roundBatches)) this.o.network.publish(this.topic("batch"), m).catch(() => {}); // often a duplicate: every member's node builds the same bytes
    for (const [k, batch] of this.roundBatches) {
      const msg = computeBatchSigningRoot(s, batch.root);
      for (const v of s.committees[k] ?? []) this.castVote({ kind: VOTE_KINDS.batch, slot, committee: k, root: batch.root, validator: v.index, signature: new Uint8Array(0) }, msg);
    }
  }

  private proposeStage1(slot: number): void {
    const s = this.chain.state;
    const proposer = getStage1Proposer(s, slot);
    // Never a second block of a slot our chain already has (a node restarted within that slot).
    if (!proposer || !this.keys.has(proposer.index) || this.chain.stage1.slot >= slot) return;
    const built = buildStage1Block(s, [...this.mempool.values()], slot);
    if (!built) return;
    for (const { tx } of built.rejected) this.mempool.delete(toHex(computeTxId(tx)));
    const committee = getStage1Committee(s, slot);
    const block: SignedStage1Block = { ...built.block, attestation: { signers: [], signature: ZERO_SIG } };
    const root = Stage1Header.hashTreeRoot(block.header);
    if (!this.attester.mayPropose(SKIP_STAGE1, proposer.index, slot, root)) return;
    this.own1 = { slot, block, root, committee };
    this.publish(this.topic("stage1_block"), tagMessage(MSG_PROPOSAL, encodeStage1Block(block)));
    this.attester.onProposal({ chain: SKIP_STAGE1, slot, root, parentRoot: block.header.parentRoot, committee });
  }

  /** The Stage-2 proposer of slot `s`: the first member of its slot committee. */
  getStage2Proposer(slot: number): Validator | undefined {
    return getStage2Committee(this.chain.state, slot)[0];
  }

  private proposeStage2(slot: number): void {
    const s = this.chain.state;
    const proposer = this.getStage2Proposer(slot);
    if (!proposer || !this.keys.has(proposer.index) || this.chain.stage2.slot >= slot) return;
    const held = new Map<ContractId, HeldAffirmation[]>();
    for (const [k, batch] of [...this.roundBatches, ...this.batchGossip.getBatches(slot, this.roundBatches)]) {
      const agg = this.votes.aggregate(VOTE_KINDS.batch, batch.root, s.committees[k] ?? [], this.chain.verifier);
      if (!agg) continue;
      const signed: Batch = { ...batch, attestation: { message: computeBatchSigningRoot(s, batch.root), ...agg } };
      if (!this.roundBatches.has(k) && !this.batchGossip.isProposable(s, signed, slot)) continue;
      signed.candidates.forEach((c, index) => (held.get(c.contract) ?? held.set(c.contract, []).get(c.contract))?.push({ batch: signed, index }));
    }
    const prepared = this.evidence.prepare(s, held, slot);
    const block = buildStage2Block(prepared.state, prepared.evidence, prepared.held, slot, slot, this.chain.ctx);
    // Below 2/3: our root and whose votes for it we hold (tells diverging roots from lost votes).
    const short = [...this.roundBatches].filter(([k]) => ![...held.values()].some((l) => l.some((e) => e.batch.header.committee === k)));
    if (this.roundBatches.size > 0) this.log(`slot ${slot}: Stage-2 proposal, ${block.inclusions.length} inclusions; batches at 2/3: ${[...this.roundBatches.keys()].filter((k) => !short.some(([j]) => j === k)).join(",")} of ${[...this.roundBatches.keys()].join(",")}${short.map(([k, b]) => `; ${k}: ${toHex(b.root).slice(0, 8)} by ${this.votes.getVoters(VOTE_KINDS.batch, b.root).join(",")}`).join("")}`);
    const root = Stage2Header.hashTreeRoot(block.header);
    const committee = this.evidence.getAttestingCommittee(s, { ...block, root });
    const proposal: SignedStage2Block = { ...block, root, attestation: { message: new Uint8Array(32), signers: [], signature: ZERO_SIG, weight: 0 }, attesters: committee };
    const stage1 = { height: this.chain.stage1.height, root: this.chain.stage1.root };
    if (!this.attester.mayPropose(SKIP_STAGE2, proposer.index, slot, root)) return;
    this.own2 = { slot, block: proposal, root, committee, stage1 };
    this.publish(this.topic("stage2_block"), tagMessage(MSG_PROPOSAL, encodeStage2Block(proposal, stage1)));
    this.attester.onProposal({ chain: SKIP_STAGE2, slot, root, parentRoot: block.header.parentRoot, committee });
  }
}

