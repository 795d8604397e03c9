/**
 * The simulator's driver of the two-stage chain (DESIGN §2, §6): it owns time (slots are events on
 * the event queue), the network model and its seeded stream, the adversarial behaviours
 * (`--wrong-signers` through the protocol's `CommitteeBehaviour`, `--withhold` by a proposer that
 * never shows its block's data) and the metrics (the protocol's observer). The rules are the
 * protocol's: blocks are built with `buildStage1Block` / `buildStage2Block` and every block is
 * imported through `processStage1Block` / `processStage2Block` — one canonical import per block,
 * which stands for every node's (they would all compute the same state).
 *
 * Time is in milliseconds on one event queue; with slot length S and n Stage-2 blocks per slot
 * (interval I = S/n), slot s runs:
 * - round j (time s·S + j·I): evidence that has reached the proposer is applied; every committee
 *   executes what the rules let it, among the Stage-1 blocks that have reached it, and signs a
 *   batch; each batch reaches the proposers after its own network delay (an event);
 * - block j (time s·S + (j+1)·I − 1): the proposer builds from the batches that have arrived, the
 *   slot committee attests, the block is imported; a full node watching it sends evidence of any
 *   wrong root to the proposers (an event after the network delay);
 * - then the Stage-1 block of slot s (proposed at s·S, final within slot s) is imported; its data
 *   reaches each committee after its own network delay, and is used from slot s+1 on (DESIGN §1);
 * - at an epoch boundary under the adaptive rule, contracts are re-assigned.
 * Attestations are aggregated within their slot (not delayed); Stage-2 blocks reach committees
 * as they are imported.
 */
import type { SignatureVerifier } from "../../crypto/bls.js";
import { collectAttestation, computeGenesisAccounts, createValidators, deployGenesis, type AttestationFault } from "../../chain/index.js";
import { loadContractCode } from "../world.js";
import { getBeaconTotal } from "../../chain/beacon.js";
import type { SignedTx } from "../../program/index.js";
import { Runtime } from "../../runtime/index.js";
import { MerkleKV } from "../../state/index.js";
import type { ContractId } from "../../types.js";
import { computeLoadBound, computeLoads } from "../../protocols/delayed/assignment.js";
import { CommitteeViews, type TxResult } from "../../protocols/delayed/committee.js";
import { OUTCOME_CODES, Stage2Header } from "../../protocols/delayed/containers.js";
import type { ProvenEvidenceValue } from "../../protocols/delayed/faults.js";
import { processEpochBoundary } from "../../protocols/delayed/epoch.js";
import { createGenesisState } from "../../protocols/delayed/genesis.js";
import { parseDelayedOptions, type DelayedOptions } from "../../protocols/delayed/options.js";
import type { Stage2Mode } from "../../protocols/delayed/rules.js";
import { buildStage1Block, getStage1Committee, processStage1Block } from "../../protocols/delayed/stage1.js";
import {
  buildEvidence,
  buildStage2Block,
  checkBatchAttestation,
  computeStage2SigningRoot,
  getStage2Committee,
  processEvidence,
  processStage2Block,
  type AppliedAffirmation,
  type Batch,
  type Dispute,
  type SignedStage2Block,
  type Stage2Context,
} from "../../protocols/delayed/stage2.js";
import { getActiveValidators, getAffirmedIdx, getContract, getLiveAssignment, getLogItem, getTx, type DelayedState } from "../../protocols/delayed/state.js";
import { FullNode } from "../../protocols/delayed/watch.js";
import { computeDelayedConfigRecord } from "./config.js";
import { EventQueue } from "../events.js";
import { createNetworkModel, type NetworkModel } from "../network.js";
import type { ProtocolRunInput, ProtocolRunOutput } from "../protocol.js";
import { RngStreams } from "../rng.js";
import { DegradationRecorder } from "../liveness.js";
import { WrongSignersBehaviour } from "./behaviour.js";
import { DelayedMetrics } from "./metrics.js";
import { takeSubmissions } from "./intake.js";
import { AffirmationPool, type Pending } from "./pool.js";
import { KeptBlocks, TxRecords } from "./kept.js";
import { createProofOfTx, type ProofSource } from "./proofs.js";
import { createRunSignatures, getAttestationSigner, type DeferredSigner } from "./sharedBls.js";

/** Runs the two-stage chain over a generated workload; `mode` fixes the Stage-2 mode (else `options.stage2Mode`). */
export function runDelayed(input: ProtocolRunInput, protocolName = "delayed", mode?: Stage2Mode): ProtocolRunOutput {
  return new DelayedSimulation(input, protocolName, mode).run();
}

export class DelayedSimulation implements ProofSource {
  private readonly cfg;
  private readonly opts: DelayedOptions;
  private readonly streams: RngStreams;
  private readonly runtime = new Runtime();
  private readonly verifier: SignatureVerifier;
  private readonly roundSigner: DeferredSigner | undefined; // with a pool: a round's batches signed together (sharedBls.ts)
  private readonly network: NetworkModel;
  private readonly queue = new EventQueue();
  private readonly metrics: DelayedMetrics;
  private readonly behaviour: WrongSignersBehaviour;
  private readonly ctx: Stage2Context;
  chain: DelayedState;
  readonly local: CommitteeViews;
  private readonly fullNode: FullNode;
  private readonly keepHistory: boolean;
  private readonly n: number;
  private readonly pool = new AffirmationPool();
  private readonly indexOf = new Map<SignedTx, number>();
  private readonly slotMs: number;
  private roundPre: DelayedState;
  private roundEvidence: ProvenEvidenceValue[] = [];
  private disputesInFlight = 0;
  /** Imported Stage-2 blocks as proofs need them, packed: batches without their claims (candidates). */
  readonly blocks = new KeptBlocks();
  readonly records = new TxRecords();
  /** Records with a final block (the run is done when every record has one). */
  private finalCount = 0;
  private disputes: Dispute[] = [];
  /** Submission index → why it waits in the mempool (fee cap below Stage 1's base fee): its `hung` reason if the run ends. */
  private readonly waiting = new Map<number, string>();
  private readonly genesisTotal: bigint;
  private readonly liveness: DegradationRecorder;

  constructor(private readonly input: ProtocolRunInput, private readonly protocolName: string, mode?: Stage2Mode) {
    const cfg = (this.cfg = input.config);
    this.opts = parseDelayedOptions(cfg.options, cfg.shards, mode);
    this.keepHistory = this.opts.wrongSigners.length > 0;
    this.n = cfg.stage2PerSlot;
    this.streams = new RngStreams(cfg.seed);
    ({ verifier: this.verifier, roundSigner: this.roundSigner } = createRunSignatures(cfg.signatures, input.workload));
    this.network = createNetworkModel(cfg.network);
    this.metrics = new DelayedMetrics(cfg.slotSeconds, cfg.trace, cfg.shards);
    this.ctx = { verifier: this.verifier, runtime: this.runtime, cache: new WeakMap<Batch, AttestationFault | "ok">() };

    const deployed = deployGenesis(this.runtime, input.workload.genesis, loadContractCode);
    const validators = createValidators(cfg.validators, cfg.seed);
    this.chain = createGenesisState(
      {
        seed: cfg.seed,
        committees: cfg.shards,
        committeeSize: cfg.committeeSize,
        blockTxLimit: cfg.blockTxLimit,
        slotGas: cfg.slotGas,
        stage2PerSlot: cfg.stage2PerSlot,
        stage1Bytes: this.opts.stage1Bytes,
        stage2Mode: this.opts.stage2Mode,
        assignment: this.opts.assignment,
        loadBound: this.opts.loadBound,
      },
      validators,
      deployed.map((d) => ({ id: d.id, codeHash: d.codeHash, root: d.state.root(), ...(d.placement === undefined ? {} : { placement: d.placement }) })),
      computeGenesisAccounts(input.workload.genesis),
    );
    this.genesisTotal = getBeaconTotal(this.chain.beacon);
    this.liveness = new DegradationRecorder(cfg, ["stage1", "stage2"], "committee");
    this.behaviour = new WrongSignersBehaviour(this.opts.wrongSigners, this.chain.committees, this.liveness.enabled ? this.liveness.schedule : undefined);
    this.local = new CommitteeViews(this.chain, new Map(deployed.map((d) => [d.id, d.state])), {
      runtime: this.runtime,
      verifier: this.verifier,
      keepHistory: this.keepHistory,
      behaviour: this.behaviour,
      observer: this.metrics,
      onFrontierReset: (id) => this.pool.drop(id),
    });
    this.fullNode = new FullNode(this.local, this.runtime, this.metrics);
    this.slotMs = Math.round(cfg.slotSeconds * 1000);
    this.roundPre = this.chain;
  }

  private setChain(s: DelayedState): void {
    this.chain = s;
    this.local.chain = s;
  }

  run(): ProtocolRunOutput {
    const { bySlot, lastSubmission } = takeSubmissions(this.input.workload.submissions, this.metrics.recorder, this.indexOf, this.input.workload.handOver === true);
    const endSlot = lastSubmission + this.cfg.drainSlots;
    let mempool: SignedTx[] = [];
    let lastSlot = 0;
    const slotStart = (s: number): number => s * this.slotMs;
    const roundAt = (s: number, j: number): number => slotStart(s) + Math.floor((j * this.slotMs) / this.n);
    const round = (s: number, j: number) => (): void => {
      if (j === 0) lastSlot = s;
      const number = s * this.n + j;
      const ready = this.startRound(s, number);
      // The block closes its interval: batches that arrived by then are in it.
      this.queue.schedule(roundAt(s, j + 1) - 1, () => {
        if (ready) this.produceStage2Block(s, number);
        if (j + 1 < this.n) this.queue.schedule(roundAt(s, j + 1), round(s, j + 1));
        else this.queue.schedule(roundAt(s, j + 1) - 1, endSlot_(s));
      });
    };
    const endSlot_ = (s: number) => (): void => {
      mempool = mempool.concat(bySlot.get(s) ?? []);
      bySlot.delete(s);
      mempool = this.produceStage1Block(s, mempool);
      this.recordSlot(s);
      if (this.opts.assignment === "adaptive" && (s + 1) % this.opts.epochSlots === 0) this.reassign(s);
      this.input.onSlot?.(s, endSlot);
      const done = s >= lastSubmission && mempool.length === 0 && this.disputesInFlight === 0 && this.disputes.length === 0 && this.finalCount === this.records.length;
      if (!done && s < endSlot) this.queue.schedule(slotStart(s + 1), round(s + 1, 0));
    };
    this.queue.schedule(0, round(0, 0));
    this.queue.runUntil(Number.MAX_SAFE_INTEGER);
    return this.finish(lastSlot);
  }

  // ---------------------------------------------------------------- Stage 1

  private produceStage1Block(slot: number, mempool: SignedTx[]): SignedTx[] {
    const indexOf = this.indexOf;
    const built = buildStage1Block(this.chain, mempool, slot);
    if (!built) return mempool; // every validator slashed: no proposer, no block
    const committee = getStage1Committee(this.chain, slot);
    if (!this.liveness.isOnline(built.proposer.index, slot) || !this.liveness.hasQuorum(committee, slot)) {
      // Liveness fault: the proposer is offline (empty slot, no re-selection) or the online
      // attesters hold < 2/3 (no final block); every candidate stays in the mempool.
      this.liveness.recordMissed("stage1", slot);
      return mempool;
    }
    if (this.opts.withhold.has(slot)) {
      // The proposer withholds the block's data: no committee member can check it, none attests;
      // the block is not final and every candidate stays in the mempool.
      this.metrics.count("withheldBlocks", 1);
      this.metrics.count("withheldTxs", built.block.txs.length);
      for (const tx of built.block.txs) this.metrics.recorder.event(indexOf.get(tx) as number, slot, "withheld", "stage1", `proposer ${built.proposer.index}`);
      return mempool;
    }
    for (const { tx, reason } of built.rejected) this.metrics.recorder.finish(indexOf.get(tx) as number, null, "rejected", reason);
    for (const { tx } of built.rejected) indexOf.delete(tx); // dropped from the mempool
    // Below the base fee: the transaction waits, as a receipts shard keeps it (hung if still waiting at the end).
    for (const tx of built.belowBaseFee) this.waiting.set(indexOf.get(tx) as number, "base fee above cap on stage 1");
    for (const tx of built.block.txs) this.waiting.delete(indexOf.get(tx) as number);
    const signers = this.liveness.online(committee, slot);
    const attestation = collectAttestation(getAttestationSigner(this.verifier), signers, built.signingRoot);
    this.metrics.count("signatures", signers.length);
    this.metrics.onSignatures(slot, signers.length, signers.length);
    const baseFee = this.chain.stage1BaseFee;
    const { state, seqs, registered } = processStage1Block(this.chain, { ...built.block, attestation }, this.verifier);
    this.metrics.recorder.series(slot, "stage1BaseFee", Number(baseFee));
    this.metrics.recorder.series(slot, "stage1DeclaredGas", Number(built.block.txs.reduce((a, stx) => a + stx.tx.gasLimit, 0n)));
    this.setChain(state);
    for (const id of registered) this.local.addFrontier(id, getContract(state, id).committee, MerkleKV.empty());
    this.local.addTxs(seqs);
    seqs.forEach((seq, i) => {
      const tx = built.block.txs[i] as SignedTx;
      this.metrics.indexOf[seq] = indexOf.get(tx) as number;
      indexOf.delete(tx); // sequenced: never in the mempool again (its index is metrics.indexOf[seq])
      this.records.add(seq, getTx(state, seq).positions.size);
    });
    this.metrics.sequenced(slot, seqs, seqs.map((seq) => [...getTx(state, seq).positions.keys()].map((d) => getContract(state, d).committee)));
    // The block's data reaches each committee after its own delay; it is used from the next slot on.
    if (seqs.length > 0) {
      const first = seqs[0] as number;
      const end = (seqs[seqs.length - 1] as number) + 1;
      for (let k = 0; k < state.params.committees; k++) {
        const at = Math.max(slot * this.slotMs + this.delay("network:stage1"), (slot + 1) * this.slotMs);
        this.queue.schedule(at, () => this.local.deliverStage1(k, first, end));
      }
    }
    return [...built.deferred];
  }

  // ---------------------------------------------------------------- Stage 2

  /**
   * A Stage-2 round starts: evidence that reached the proposer is applied (the block carries it); each committee executes, then
   * signs (with a pool, signed there while the next ones execute: no execution reads another's batch); the batches travel once
   * all are signed. False when every validator is slashed (nobody to attest: no block).
   */
  private startRound(slot: number, number: number): boolean {
    this.roundPre = this.chain;
    // Liveness fault: the block's online attesters hold < 2/3 — no block this round (evidence waits).
    const attestable = !this.liveness.enabled || getActiveValidators(this.chain).length === 0 || this.liveness.hasQuorum(getStage2Committee(this.chain, number), slot);
    this.roundEvidence = attestable ? this.includeDisputes(slot) : [];
    if (getActiveValidators(this.chain).length === 0) return false;
    const made: { batch: Batch; variant: boolean }[] = [];
    for (let k = 0; k < this.chain.params.committees; k++) {
      this.local.executeReady(k, slot);
      if (this.liveness.enabled) this.checkCommitteeStall(k, slot);
      made.push(...this.local.produceBatches(k, slot, this.roundSigner?.verifier));
      this.roundSigner?.post();
    }
    this.roundSigner?.settle();
    for (const { batch, variant } of made) this.queue.schedule(this.queue.now + this.delay("network"), this.pool.send(batch, variant));
    if (!attestable) this.liveness.recordMissed("stage2", slot);
    return attestable;
  }

  /** A committee with executed, unsigned work whose online members hold < 2/3 of its stake is stalled. */
  private checkCommitteeStall(k: number, slot: number): void {
    const members = this.chain.committees[k] ?? [];
    if (members.length === 0 || this.liveness.hasQuorum(members, slot)) return;
    const waiting = (this.local.followed[k] ?? []).some((id) => {
      const f = this.local.frontier(id);
      return f.producedIdx < f.localIdx;
    });
    if (waiting) this.liveness.recordStall(k, slot);
  }

  /** One network delay (ms) from the stream of `purpose`. */
  private delay(purpose: string): number {
    return Math.max(0, Math.round(this.network.delayMs(this.streams.get(purpose))));
  }

  /** The end of a round: the proposer builds from what has arrived; the block is attested and imported. */
  private produceStage2Block(slot: number, number: number): void {
    const pre = this.roundPre;
    const block = buildStage2Block(this.chain, this.roundEvidence, this.pool.pending, slot, number, this.ctx);
    const attesters = getStage2Committee(this.chain, number);
    const signers = this.liveness.online(attesters, slot);
    const attestation = collectAttestation(getAttestationSigner(this.verifier), signers, computeStage2SigningRoot(this.chain, block.header));
    this.metrics.count("signatures", signers.length);
    this.metrics.onSignatures(slot, signers.length, signers.length + block.inclusions.reduce((a, i) => a + i.batch.attestation.signers.length, 0));
    const signed: SignedStage2Block = { ...block, root: Stage2Header.hashTreeRoot(block.header), attestation, attesters };
    // The canonical import: the same transition every node applies to this block.
    const { state, effects } = processStage2Block(pre, signed, this.ctx);
    this.setChain(state); // kept for proofs, which read the batches' signed parts: the claims behind them (candidates) go
    this.blocks.add(signed);
    for (const a of effects.applied) this.onApplied(a, slot, number);
    for (const c of effects.created) {
      const r = this.records.getCreatorResult(c.creator) as TxResult;
      const kv = MerkleKV.empty().applyWrites((r.created[c.index] as TxResult["created"][number]).writes);
      if (c.fresh) this.local.addFrontier(c.id, c.committee, kv);
      else this.local.resetGenesis(c.id, kv);
    }
    for (const id of effects.absent) this.local.resetGenesis(id, MerkleKV.empty(), true);
    this.prunePending(effects.applied, slot);
    this.local.discardConflictingWork();
    this.local.dropContracts(effects.dropped);
    if (this.keepHistory) this.watch(effects.applied, slot);
  }

  /** An affirmation the chain applied: locators for proofs, trace events, finality. */
  private onApplied(a: AppliedAffirmation, slot: number, number: number): void {
    const c = a.claim;
    const committee = a.batch.header.committee;
    this.metrics.count("affirmations", 1);
    if (c.assumptions.length > 0) this.metrics.count("conditionalAffirmations", 1);
    this.metrics.count("assumptions", c.assumptions.length);
    const queue = getContract(this.chain, c.contract).queue;
    for (let i = c.from; i < c.to; i++) {
      const seq = getLogItem(queue, i);
      const k = [...getTx(this.chain, seq).positions.keys()].indexOf(c.contract);
      this.records.setLocator(seq, k, { block: number, inclusion: a.inclusion, affirmation: a.affirmation, leaf: i - c.from });
      this.metrics.affirmed(seq, slot, committee, c.contract);
      if (a.finalized.includes(seq)) this.finalize(seq, slot, number, committee);
    }
  }

  private finalize(seq: number, slot: number, block: number, committee: number): void {
    const results = this.local.txs[seq]?.results as Map<number, TxResult>;
    const r = (results.get(committee) ?? [...results.values()][0]) as TxResult;
    const recs = this.records;
    recs.setResult(seq, r, OUTCOME_CODES[r.status]);
    if (recs.getFinalBlock(seq) === undefined) this.finalCount++;
    recs.setFinalBlock(seq, block);
    this.metrics.final(seq, getTx(this.chain, seq).stage1Slot, slot, r.status, r.reason);
    this.local.releaseStates(seq);
  }

  // ------------------------------------------------ evidence, slashing, fraud proofs

  /**
   * The evidence found after the previous block, applied for the block being built: a disproved
   * finalized root is rolled back with its cone; a disproved signed root costs its signers their
   * stake, and when it was a committee majority's own state, the committee's unaffirmed work is
   * done again.
   */
  private includeDisputes(slot: number): ProvenEvidenceValue[] {
    const out: ProvenEvidenceValue[] = [];
    for (const d of this.disputes) {
      const ev = buildEvidence(this.chain, d);
      if (!ev) continue;
      const before = this.chain;
      const { state, effect } = processEvidence(before, ev, this.ctx);
      this.setChain(state);
      if (effect.rolledBack) {
        this.metrics.count("fraudProofs", 1);
        this.rollback(before, d.contract, d.position, slot);
      }
      for (const i of effect.slashed) {
        this.metrics.count("slashed", 1);
        this.metrics.count("slashedStake", (before.validators[i] as { stake: number }).stake);
      }
      if (d.kind === "signed") {
        this.metrics.count("evidence", 1);
        if (!this.pool.isVariant(d.batch)) this.local.discardWork(d.batch.header.committee);
      }
      out.push(ev);
    }
    this.disputes = [];
    return out;
  }

  private rollback(before: DelayedState, contract: ContractId, position: number, slot: number): void {
    const cone = this.local.rollback(before, contract, position);
    this.metrics.rolledBack(cone);
    for (const seq of cone) {
      const recs = this.records;
      if (recs.getFinalBlock(seq) !== undefined) {
        recs.setFinalBlock(seq, undefined);
        this.finalCount--;
        this.metrics.unfinal(seq, getTx(this.chain, seq).stage1Slot, slot, contract);
      }
      recs.clearResult(seq);
      recs.clearLocators(seq);
    }
    this.pool.clear();
  }

  /**
   * Drops pending affirmations the chain has moved past. One whose range was just affirmed with
   * different leaves is a conflicting signature: a full node settles it by one-step re-execution
   * and, when it is the wrong one, keeps the evidence for the next block.
   */
  private prunePending(applied: readonly AppliedAffirmation[], slot: number): void {
    const appliedBy = new Map<string, Batch>();
    for (const a of applied) appliedBy.set(`${a.claim.contract}\u0000${a.claim.from}\u0000${a.claim.to}`, a.batch);
    const pending = this.pool.pending;
    for (const [c, q] of pending) {
      const at = getAffirmedIdx(getContract(this.chain, c));
      const keep: Pending[] = [];
      for (const e of q) {
        const cand = e.batch.candidates[e.index] as Batch["candidates"][number];
        if (cand.from >= at) {
          keep.push(e);
          continue;
        }
        const winner = appliedBy.get(`${c}\u0000${cand.from}\u0000${cand.to}`);
        if (winner && winner !== e.batch && this.keepHistory) this.check(e, "signed", slot);
      }
      if (keep.length > 0) pending.set(c, keep);
      else pending.delete(c);
    }
  }

  /**
   * After a block, a full node re-executes the leaves just applied and those of every affirmation
   * that carries ≥ 2/3 of its committee's stake but still waits (a committee majority's claim).
   */
  private watch(applied: readonly AppliedAffirmation[], slot: number): void {
    for (const a of applied) this.sendDispute(this.fullNode.checkAffirmation(a.batch, a.affirmation, "fraud", slot));
    for (const q of this.pool.pending.values()) {
      for (const e of q) if (!e.checked && checkBatchAttestation(this.chain, e.batch, this.ctx) === undefined) this.check(e, "signed", slot);
    }
  }

  private check(e: Pending, kind: Dispute["kind"], slot: number): void {
    e.checked = true;
    this.sendDispute(this.fullNode.checkAffirmation(e.batch, e.index, kind, slot));
  }

  /** The full node's evidence reaches the Stage-2 proposers after the network delay. */
  private sendDispute(d: Dispute | undefined): void {
    if (!d) return;
    this.disputesInFlight++;
    this.queue.schedule(this.queue.now + this.delay("network:evidence"), () => {
      this.disputesInFlight--;
      this.disputes.push(d);
    });
  }

  // ------------------------------------------------ adaptive assignment

  /** Epoch boundary: re-assign live contracts from the co-access graph; hand state over with proofs. */
  private reassign(slot: number): void {
    const { state, moves } = processEpochBoundary(this.chain);
    this.setChain(state);
    for (const m of moves) this.local.handOver(m.id, m.from, m.to, slot);
  }

  // ------------------------------------------------ metrics

  private recordSlot(s: number): void {
    const loads = computeLoads(getLiveAssignment(this.chain), this.chain.params.committees);
    this.metrics.recordSlot(s, this.n, Math.floor(s / this.opts.epochSlots), loads);
  }

  private finish(lastSlot: number): ProtocolRunOutput {
    const finals = this.records.finalBlocks();
    const summary = this.metrics.computeSummary(finals, this.n, this.blocks.size, this.records.length);
    const recorder = this.metrics.recorder;
    for (let seq = 0; seq < this.records.length; seq++) {
      const index = this.metrics.indexOf[seq] as number;
      if (finals[seq] === undefined && recorder.isFinished(index)) recorder.finish(index, null, "hung", "not final by the end of the run");
    }
    for (const [index, reason] of this.waiting) if (!recorder.isFinished(index)) recorder.finish(index, null, "hung", reason);
    const live = getLiveAssignment(this.chain);
    const results = this.liveness.apply(recorder.build(
      this.protocolName,
      computeDelayedConfigRecord(this.protocolName, this.cfg, this.opts, this.input.workload, this.network.name, this.chain.params),
      {
        ...summary,
        loadBound: this.opts.assignment === "adaptive" ? computeLoadBound(this.opts.loadBound, live.size, this.chain.params.committees) : null,
        faultyStakeShare: this.behaviour.faultyStakeShare,
      },
      lastSlot,
    ));
    const contracts = new Map<ContractId, MerkleKV>();
    // Contracts that exist: not the results contract, not successors never created.
    for (const r of this.chain.contracts.values()) if (r.codeHash !== "") contracts.set(r.id, this.local.getSnap(r.id, this.local.frontier(r.id).localIdx).kv);
    return {
      results,
      end: { contracts, beacon: this.chain.beacon.balances, beaconGenesisTotal: this.genesisTotal },
      proveTx: (index: number) => createProofOfTx(this, index),
    };
  }

  /** The sequence number of submission `index`. */
  getSeq(index: number): number | undefined {
    return this.metrics.indexOf.includes(index) ? this.metrics.indexOf.indexOf(index) : undefined;
  }
}
