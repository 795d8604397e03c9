/**
 * The two-stage, delayed-execution chain (DESIGN §2; seed: "Proposal 2: even more sharding"),
 * driven slot by slot. docs/protocols/delayed.md describes it for people.
 *
 * Slot s: first the Stage-2 blocks of slot s (they use Stage-1 blocks up to s-1 and the Stage-2
 * blocks before them), then the Stage-1 block of slot s (final within s, usable from s+1), then,
 * at an epoch boundary under the adaptive rule, the re-assignment of contracts to committees.
 *
 * One Stage-2 block: (1) the evidence found after the previous block is included — signers of
 * wrong post-roots are slashed, a disproved root is rolled back with its dependency cone;
 * (2) every committee executes what the rule (`computeNeed`: strict or conditional) lets it;
 * (3) every committee signs one batch of affirmations (faulty members sign a wrong variant);
 * (4) the block accepts affirmations (`selectAffirmations`: chain continuity, assumed roots
 * affirmed, ≥ 2/3 of the committee's stake) and applies them; (5) a full node re-executes what
 * was applied and keeps evidence of any wrong root for the next block.
 *
 * Committees really execute: contracts they follow from their own state, the others from the
 * affirmed state (or, in conditional mode, their own view built since the last affirmed root)
 * through Merkle witnesses verified against affirmed roots. In a run without faults honest
 * committees must agree; a disagreement is a bug and throws.
 */
import { bytesEqual, fromHex, sha256, toHex } from "../../crypto/hash.js";
import { createBlsVerifier, createNoopVerifier, type SignatureVerifier } from "../../crypto/bls.js";
import { computeFootprint, computeTxId, type Program, type SignedTx } from "../../program/index.js";
import { Runtime } from "../../runtime/index.js";
import { commitList, decodeWitness, encodeWitness, MerkleKV, verifyWitness } from "../../state/index.js";
import { describeAbort } from "../../exec/describe.js";
import { executeProgram, type ContractHandle, type CreatedSuccessor } from "../../exec/executeTx.js";
import { MetricsRecorder, round } from "../../sim/metrics.js";
import { createNetworkModel } from "../../sim/network.js";
import { RngStreams } from "../../sim/rng.js";
import {
  collectAttestation,
  computeAssignment,
  computeCommittees,
  computeGenesisRoot,
  computeProposer,
  computeSigningRoot,
  computeSlotCommittee,
  computeSuccessorGroup,
  createUser,
  createValidators,
  DOMAIN_STAGE2_COMMITTEE,
  getWeight,
  isSupermajority,
  type Attestation,
  type Validator,
} from "../../chain/index.js";
import { deployGenesis } from "../../sim/world.js";
import type { ContractId, MaybeValue, WriteSet } from "../../types.js";
import { createBeaconState, getBeaconTotal, processStage1Block, type BeaconState } from "../../chain/beacon.js";
import { computeConfigRecord } from "../../sim/config.js";
import type { ProtocolRunInput, ProtocolRunOutput } from "../../sim/protocol.js";
import { CoAccessGraph, computeAdaptiveAssignment, computeLoadBound, computeLoads } from "./assignment.js";
import {
  Affirmation,
  BatchHeader,
  BatchInclusion,
  DOMAIN_AFFIRMATION,
  DOMAIN_STAGE1,
  DOMAIN_STAGE2,
  EVIDENCE_KINDS,
  Evidence,
  OUTCOME_CODES,
  ResultLeaf,
  Stage1Header,
  Stage2Header,
  computeValuesRoot,
  encodeContractId,
  type AffirmationValue,
  type BatchHeaderValue,
  type EvidenceValue,
  type Stage2HeaderValue,
} from "./containers.js";
import {
  computeCorruptedWrites,
  computeLeafRoot,
  computeProofRoot,
  createOneStepProof,
  getProofBytes,
  selectWrongSigners,
  verifyOneStepProof,
  type FullPreState,
  type LeafTx,
} from "./faults.js";
import { createTxOutcomeProof, type ProofMaterial } from "./lightclient.js";
import { parseDelayedOptions, type DelayedOptions } from "./options.js";
import {
  computeCone,
  computeNeed,
  computeStage2BlocksFor,
  isMajorityFaulty,
  selectAffirmations,
  type AssumedRoot,
  type CandidateAffirmation,
  type KnownState,
  type Stage2Mode,
} from "./rules.js";

/** Stake is counted in whole units; its beacon balance is stake × STAKE_UNIT (gwei per ether). */
export const STAKE_UNIT = 1_000_000_000n;
/** The beacon account slashed stake goes to (value is moved, never destroyed). */
export const TREASURY_ACCOUNT = toHex(sha256("xshard:treasury"));

/** The beacon account holding a validator's stake. */
export function getStakeAccount(v: Validator): string {
  return toHex(sha256("xshard:stake:", v.key.pubkey));
}

interface Snap {
  readonly kv: MerkleKV;
  readonly ended: boolean;
}

/** One contract as the Stage-2 layer sees it: its queue, its committee's frontier, what is affirmed. */
interface Track {
  readonly id: ContractId;
  committee: number;
  readonly codeHash: string;
  /** Global sequence numbers of the transactions touching it, in chain order. */
  readonly queue: number[];
  /** snaps[i]: the committee's state `i` (after i transactions of the queue); released once not needed. */
  readonly snaps: (Snap | undefined)[];
  /** roots[i]: root of state `i` as its committee computed it. */
  readonly roots: Uint8Array[];
  /** leaves[i]: result leaf root of queue[i]. */
  readonly leaves: Uint8Array[];
  /** assumed[i]: other contracts' roots the committee's execution of queue[i] rested on, not yet affirmed then. */
  readonly assumed: AssumedRoot[][];
  /** chainRoots[i]: root of state `i` as affirmed on the Stage-2 chain (i ≤ affirmedIdx). */
  readonly chainRoots: Uint8Array[];
  localIdx: number;
  producedIdx: number;
  affirmedIdx: number;
  /** Ended and fully affirmed: no committee follows it; later transactions find it absent. */
  dropped: boolean;
  /** A successor whose creating transaction is being executed again: its state 0 is not known. */
  awaitingCreator: boolean;
}

/** A committee's own view of a contract it does not follow (conditional mode): state `idx`, built from the affirmed state `base`. */
interface View {
  readonly idx: number;
  readonly snap: Snap;
  readonly base: number;
  readonly baseKv: MerkleKV;
  /** Keys its own executions wrote since `base` (read without a witness). */
  readonly written: ReadonlySet<string>;
}

/** Where a committee's execution reads a contract's state from. */
interface Source {
  readonly snap: Snap;
  readonly root: Uint8Array;
  readonly kind: "own" | "chain" | "view";
  readonly view?: View;
}

interface TxResult {
  readonly status: "committed" | "aborted";
  readonly at: number;
  /** Why it aborted (the failed call behind the `require`), null when committed. */
  readonly reason: string | null;
  readonly values: MaybeValue[];
  readonly valuesRoot: Uint8Array;
  readonly created: CreatedSuccessor[];
}

interface Locator {
  readonly block: number;
  readonly inclusion: number;
  readonly affirmation: number;
  readonly leaf: number;
}

interface TxTrack {
  readonly seq: number;
  readonly index: number;
  readonly stx: SignedTx;
  readonly program: Program;
  readonly txId: Uint8Array;
  /** Existing footprint contracts → position in their queue. */
  readonly positions: Map<ContractId, number>;
  readonly stage1Slot: number;
  executions: number;
  /** Per committee, the result of its latest execution. */
  readonly results: Map<number, TxResult>;
  /** Committees that executed it at least once (for re-execution counts and the cone). */
  readonly executedBy: Set<number>;
  result?: TxResult;
  finalBlock?: number;
  readonly affirmedIn: Map<ContractId, Locator>;
}

interface Batch {
  readonly header: BatchHeaderValue;
  readonly root: Uint8Array;
  readonly affirmations: AffirmationValue[];
  readonly affirmationRoots: Uint8Array[];
  /** Per affirmation: leaf roots and post-roots of its transactions. */
  readonly leaves: Uint8Array[][];
  readonly candidates: CandidateAffirmation[];
  readonly attestation: Attestation;
  /** The committee when it signed (for light-client proofs). */
  readonly members: readonly Validator[];
  readonly arrivalBlock: number;
  /** Signed by a faulty minority beside the committee's own batch (its roots are nobody's state). */
  readonly variant: boolean;
  signatureOk?: boolean;
}

interface Pending {
  readonly batch: Batch;
  readonly index: number;
  /** A full node has re-executed its leaves. */
  checked: boolean;
}

interface Inclusion {
  readonly batch: Batch;
  readonly applied: number[];
  readonly root: Uint8Array;
}

interface Stage2Block {
  readonly header: Stage2HeaderValue;
  readonly root: Uint8Array;
  readonly inclusions: Inclusion[];
  readonly evidence: EvidenceValue[];
  readonly attestation: Attestation;
  readonly attesters: readonly Validator[];
}

/** Evidence found after a block, included in the next: a wrong leaf, its proof, and who signed it. */
interface Dispute {
  readonly kind: keyof typeof EVIDENCE_KINDS;
  readonly contract: ContractId;
  readonly position: number;
  readonly batch: Batch;
  /** The disputed post-root (root of state `position + 1`) and leaf. */
  readonly postRoot: Uint8Array;
  readonly claimedLeaf: Uint8Array;
  readonly recomputedLeaf: Uint8Array;
  readonly proofRoot: Uint8Array;
}

interface WrongSigners {
  readonly members: ReadonlySet<number>;
  readonly fromSlot: number;
}

/** Runs the two-stage chain over a generated workload; `mode` fixes the Stage-2 mode (else `options.stage2Mode`). */
export function runDelayed(input: ProtocolRunInput, protocolName = "delayed", mode?: Stage2Mode): ProtocolRunOutput {
  return new DelayedChain(input, protocolName, mode).run();
}

export class DelayedChain {
  private readonly cfg;
  private readonly opts: DelayedOptions;
  private readonly streams: RngStreams;
  private readonly runtime = new Runtime();
  private readonly verifier: SignatureVerifier;
  private readonly validators: Validator[];
  private active: Validator[];
  /** The genesis anchor's root, mixed into every signed message (computeSigningRoot). */
  private readonly genesisRoot: Uint8Array;
  private readonly committees: Validator[][];
  private readonly tracks = new Map<ContractId, Track>();
  private readonly followed: ContractId[][];
  private readonly views: Map<ContractId, View>[];
  private readonly txs: TxTrack[] = [];
  private readonly metrics: MetricsRecorder;
  private readonly n: number;
  private readonly network;
  private beacon: BeaconState;
  private readonly beaconGenesisTotal: bigint;
  private readonly pending = new Map<ContractId, Pending[]>();
  private readonly blocks: Stage2Block[] = [];
  private readonly stage1Roots: Uint8Array[] = [];
  private readonly unfinishedBySlot = new Map<number, number>();
  private readonly stage1Blocks: { slot: number; seqs: number[] }[] = [];
  private readonly wrongSigners = new Map<number, WrongSigners>();
  private readonly slashedSet = new Set<number>();
  /** Fault runs keep every state: a fraud proof may roll any of them back. */
  private readonly keepHistory: boolean;
  private readonly graph = new CoAccessGraph();
  private disputes: Dispute[] = [];
  private fullyFinalSlot = -1;
  private maxLag = 0;
  private readonly figures = {
    witnessBytes: 0,
    witnesses: 0,
    signatures: 0,
    affirmations: 0,
    conditionalAffirmations: 0,
    assumptions: 0,
    speculativeExecutions: 0,
    reexecutedTxs: 0,
    conditionalDiscards: 0,
    evidence: 0,
    fraudProofs: 0,
    fraudProofBytes: 0,
    slashed: 0,
    slashedStake: 0,
    withheldBlocks: 0,
    withheldTxs: 0,
    handovers: 0,
    handoverBytes: 0,
    maxCommitteeLoad: 0,
    faultyStakeShare: 0,
  };
  private readonly coneSizes: number[] = [];
  private readonly crossByEpoch: { cross: number; total: number }[] = [];
  private crossThisSlot = { cross: 0, total: 0 };
  private affirmedThisSlot = 0;
  private round = 0;

  constructor(private readonly input: ProtocolRunInput, private readonly protocolName: string, mode?: Stage2Mode) {
    this.cfg = input.config;
    const K = this.cfg.shards;
    this.opts = parseDelayedOptions(this.cfg.options, K, mode);
    this.keepHistory = this.opts.wrongSigners.length > 0;
    this.n = this.cfg.stage2PerSlot;
    this.streams = new RngStreams(this.cfg.seed);
    this.verifier = this.cfg.signatures ? createBlsVerifier() : createNoopVerifier();
    this.network = createNetworkModel(this.cfg.network);
    this.metrics = new MetricsRecorder(this.cfg.slotSeconds, this.cfg.trace);

    const deployed = deployGenesis(this.runtime, input.workload.genesis);
    this.validators = createValidators(this.cfg.validators, this.cfg.seed);
    this.active = [...this.validators];
    this.genesisRoot = computeGenesisRoot({
      seed: this.cfg.seed,
      committeeSize: this.cfg.committeeSize,
      committees: K,
      validators: this.validators,
      contracts: deployed.map((d) => ({ id: d.id, codeHash: d.codeHash, root: d.state.root() })),
    });
    this.committees = computeCommittees(this.validators, this.cfg.seed, K, this.cfg.committeeSize);
    for (const f of this.opts.wrongSigners) {
      const committee = this.committees[f.committee] as Validator[];
      const members = selectWrongSigners(committee, f.fraction);
      this.wrongSigners.set(f.committee, { members: new Set(members.map((v) => v.index)), fromSlot: f.fromSlot });
      this.figures.faultyStakeShare = Math.max(this.figures.faultyStakeShare, round(getWeight(members) / getWeight(committee)));
    }
    const assignment = computeAssignment(deployed, K, this.cfg.seed);
    this.followed = Array.from({ length: K }, () => []);
    this.views = Array.from({ length: K }, () => new Map());
    for (const d of deployed) this.addTrack(d.id, assignment.get(d.id) as number, d.codeHash, d.state);

    const accounts: [string, bigint][] = input.workload.genesis.accounts.map((a) => [toHex(createUser(a.name).address), a.balance]);
    for (const v of this.validators) accounts.push([v.account, 0n], [getStakeAccount(v), BigInt(v.stake) * STAKE_UNIT]);
    accounts.push([TREASURY_ACCOUNT, 0n]);
    this.beacon = createBeaconState(accounts);
    this.beaconGenesisTotal = getBeaconTotal(this.beacon);
  }

  private addTrack(id: ContractId, committee: number, codeHash: string, kv: MerkleKV): void {
    const root = kv.root();
    this.tracks.set(id, {
      id,
      committee,
      codeHash,
      queue: [],
      snaps: [{ kv, ended: false }],
      roots: [root],
      leaves: [],
      assumed: [],
      chainRoots: [root],
      localIdx: 0,
      producedIdx: 0,
      affirmedIdx: 0,
      dropped: false,
      awaitingCreator: false,
    });
    (this.followed[committee] as ContractId[]).push(id);
  }

  private track = (id: ContractId): Track => this.tracks.get(id) as Track;

  private txAt(id: ContractId, position: number): TxTrack {
    return this.txs[this.track(id).queue[position] as number] as TxTrack;
  }

  run(): ProtocolRunOutput {
    const subs = this.input.workload.submissions;
    const bySlot = new Map<number, SignedTx[]>();
    const indexOf = new Map<SignedTx, number>();
    let lastSubmission = 0;
    for (const s of subs) {
      (bySlot.get(s.slot) ?? bySlot.set(s.slot, []).get(s.slot))?.push(s.tx);
      indexOf.set(s.tx, s.index);
      this.metrics.submit(s.index, toHex(computeTxId(s.tx)), computeFootprint(s.tx.tx.program), s.slot);
      lastSubmission = Math.max(lastSubmission, s.slot);
    }
    const endSlot = lastSubmission + this.cfg.drainSlots;
    let mempool: SignedTx[] = [];
    let lastSlot = 0;
    for (let s = 0; s <= endSlot; s++) {
      lastSlot = s;
      for (let j = 0; j < this.n; j++) this.produceStage2Block(s, s * this.n + j);
      mempool = mempool.concat(bySlot.get(s) ?? []);
      mempool = this.produceStage1Block(s, mempool, indexOf);
      this.recordSlot(s);
      if (this.opts.assignment === "adaptive" && (s + 1) % this.opts.epochSlots === 0) this.reassign();
      this.input.onSlot?.(s, endSlot);
      if (s >= lastSubmission && mempool.length === 0 && this.disputes.length === 0 && this.txs.every((t) => t.finalBlock !== undefined)) break;
    }
    return this.finish(lastSlot);
  }

  // ---------------------------------------------------------------- Stage 1

  private produceStage1Block(slot: number, mempool: SignedTx[], indexOf: Map<SignedTx, number>): SignedTx[] {
    if (this.active.length === 0) return mempool; // every validator slashed: no proposer, no block
    const proposer = computeProposer(this.active, this.cfg.seed, slot);
    const r = processStage1Block(this.beacon, mempool, proposer.account, this.cfg.blockTxLimit);
    if (this.opts.withhold.has(slot)) {
      // The proposer withholds the block's data: no committee member can check it, none attests;
      // the block is not final and every candidate stays in the mempool.
      this.figures.withheldBlocks++;
      this.figures.withheldTxs += r.included.length;
      for (const tx of r.included) this.metrics.event(indexOf.get(tx) as number, slot, "withheld", "stage1", `proposer ${proposer.index}`);
      return mempool;
    }
    for (const { tx, reason } of r.rejected) this.metrics.finish(indexOf.get(tx) as number, null, "rejected", reason);
    const firstSeq = this.txs.length;
    const txIds = r.included.map((stx) => computeTxId(stx));
    const header = {
      slot,
      proposer: proposer.index,
      parentRoot: this.stage1Roots[this.stage1Roots.length - 1] ?? new Uint8Array(32),
      txsRoot: commitList(txIds).root,
      firstSeq,
    };
    const root = Stage1Header.hashTreeRoot(header);
    const committee = computeSlotCommittee(this.active, this.cfg.seed, slot, this.cfg.committeeSize);
    const att = collectAttestation(this.verifier, committee, computeSigningRoot(DOMAIN_STAGE1, this.genesisRoot, root));
    this.figures.signatures += committee.length;
    if (!this.isAttestationFinal(att, committee)) throw new Error("internal: honest Stage-1 attestation not final");
    this.beacon = r.state;
    this.stage1Roots.push(root);

    const seqs: number[] = [];
    r.included.forEach((stx, i) => seqs.push(this.sequence(stx, txIds[i] as Uint8Array, indexOf.get(stx) as number, slot)));
    this.stage1Blocks.push({ slot, seqs });
    this.unfinishedBySlot.set(slot, seqs.length);
    return r.deferred;
  }

  /** Gives an included transaction its global sequence number and queues it on its contracts. */
  private sequence(stx: SignedTx, txId: Uint8Array, index: number, slot: number): number {
    const seq = this.txs.length;
    const positions = new Map<ContractId, number>();
    for (const id of computeFootprint(stx.tx.program)) {
      const tr = this.tracks.get(id);
      if (!tr || tr.dropped) continue; // absent when sequenced: calls to it fail
      positions.set(id, tr.queue.length);
      tr.queue.push(seq);
    }
    this.txs.push({
      seq,
      index,
      stx,
      program: stx.tx.program,
      txId,
      positions,
      stage1Slot: slot,
      executions: 0,
      results: new Map(),
      executedBy: new Set(),
      affirmedIn: new Map(),
    });
    const ids = [...positions.keys()];
    this.graph.record(ids);
    this.crossThisSlot.total++;
    if (new Set(ids.map((d) => this.track(d).committee)).size > 1) this.crossThisSlot.cross++;
    this.metrics.include(index, slot, "stage1", `seq ${seq}`);
    return seq;
  }

  // ---------------------------------------------------------------- Stage 2

  private produceStage2Block(slot: number, number: number): void {
    const evidence = this.includeDisputes(slot);
    if (this.active.length === 0) return; // every validator slashed: nobody to attest
    for (let k = 0; k < this.committees.length; k++) this.executeReady(k, slot);
    this.finishOrphans(slot, number);
    for (let k = 0; k < this.committees.length; k++) this.produceBatches(k, number, slot);
    this.round++;

    const chosen = this.chooseAffirmations(number);
    const inclusions = this.computeInclusions(chosen);
    const parent = this.blocks[this.blocks.length - 1];
    const header: Stage2HeaderValue = {
      number,
      slot,
      parentRoot: parent?.root ?? new Uint8Array(32),
      batchesRoot: commitList(inclusions.map((i) => i.root)).root,
      evidenceRoot: commitList(evidence.map((e) => Evidence.hashTreeRoot(e))).root,
    };
    const root = Stage2Header.hashTreeRoot(header);
    const attesters = computeSlotCommittee(this.active, this.cfg.seed, number, this.cfg.committeeSize, DOMAIN_STAGE2_COMMITTEE);
    const attestation = collectAttestation(this.verifier, attesters, computeSigningRoot(DOMAIN_STAGE2, this.genesisRoot, root));
    this.figures.signatures += attesters.length;
    this.blocks.push({ header, root, inclusions, evidence, attestation, attesters });

    const inclusionIndex = new Map(inclusions.map((inc, i) => [inc.batch, i]));
    const applied: Pending[] = [];
    for (const entries of chosen.values()) {
      for (const e of entries) {
        this.applyAffirmation(e, number, inclusionIndex.get(e.batch) as number, slot);
        applied.push(e);
      }
    }
    this.prunePending(applied);
    this.discardConflictingWork();
    this.dropEndedContracts();
    if (this.keepHistory) this.watch(applied, number);
  }

  /** The batches a block includes, in order of first use, each with the indices of the affirmations it applies. */
  private computeInclusions(chosen: ReadonlyMap<ContractId, readonly Pending[]>): Inclusion[] {
    const applied = new Map<Batch, number[]>();
    for (const entries of chosen.values()) {
      for (const e of entries) {
        const list = applied.get(e.batch);
        if (list) list.push(e.index);
        else applied.set(e.batch, [e.index]);
      }
    }
    return [...applied].map(([batch, indices]) => {
      const sorted = indices.sort((a, b) => a - b);
      return { batch, applied: sorted, root: BatchInclusion.hashTreeRoot({ batchRoot: batch.root, applied: sorted }) };
    });
  }

  // ------------------------------------------------ execution

  /** What committee `k` knows of contract `d` (its own frontier, or its view of it). */
  private know(k: number, d: ContractId): KnownState {
    const tr = this.track(d);
    const own = tr.committee === k;
    return { own, idx: own ? tr.localIdx : (this.views[k]?.get(d)?.idx ?? -1), affirmedIdx: tr.affirmedIdx };
  }

  /** Committee `k` executes, contract by contract and in queue order, everything the rule lets it. */
  private executeReady(k: number, slot: number): void {
    for (const id of [...(this.followed[k] as ContractId[])]) {
      const tr = this.track(id);
      while (tr.localIdx < tr.queue.length && this.executeWithCone(k, this.txAt(id, tr.localIdx), slot));
    }
  }

  /**
   * Executes `target` for committee `k`, first executing whatever it needs (`computeNeed`): earlier
   * transactions of its own contracts and, in conditional mode, the dependency cone since the last
   * affirmed roots. An explicit stack: each needed transaction comes earlier in the chain.
   */
  private executeWithCone(k: number, target: TxTrack, slot: number): boolean {
    const stack = [target];
    while (stack.length > 0) {
      const t = stack[stack.length - 1] as TxTrack;
      if ([...t.positions.keys()].some((d) => this.track(d).awaitingCreator)) return false;
      const need = computeNeed(this.opts.stage2Mode, t.positions, (d) => this.know(k, d));
      if (need.kind === "blocked") return false;
      if (need.kind === "first") stack.push(this.txAt(need.contract, need.position));
      else {
        this.executeBy(k, t, slot);
        stack.pop();
      }
    }
    return true;
  }

  /** The state committee `k` reads for `d` at `pos`, and what it rests on. */
  private sourceOf(k: number, d: ContractId, pos: number): Source {
    const tr = this.track(d);
    if (tr.committee === k) return { snap: this.snapAt(tr, pos), root: tr.roots[pos] as Uint8Array, kind: "own" };
    if (tr.affirmedIdx >= pos) return { snap: this.snapAt(tr, pos), root: tr.chainRoots[pos] as Uint8Array, kind: "chain" };
    const view = this.views[k]?.get(d);
    if (!view || view.idx !== pos) throw new Error(`internal: committee ${k} has no view of ${d} at ${pos}`);
    return { snap: view.snap, root: view.snap.kv.root(), kind: "view", view };
  }

  private snapAt(tr: Track, pos: number): Snap {
    const snap = tr.snaps[pos];
    if (!snap) throw new Error(`internal: state ${pos} of ${tr.id} released too early`);
    return snap;
  }

  /**
   * Committee `k` executes `t`: reads, checks witnesses, records its result, advances its own
   * frontiers (corrupted if its faulty members hold ≥ 2/3) and, in conditional mode, its views.
   */
  private executeBy(k: number, t: TxTrack, slot: number): void {
    const sources = new Map([...t.positions].map(([d, pos]) => [d, this.sourceOf(k, d, pos)]));
    const handles = new Map<ContractId, ContractHandle>();
    for (const [d, src] of sources) handles.set(d, { codeHash: this.track(d).codeHash, state: src.snap.kv, ended: src.snap.ended });
    const ex = executeProgram(t.program, {
      runtime: this.runtime,
      sender: t.stx.tx.sender,
      txId: t.txId,
      gasLimit: t.stx.tx.gasLimit,
      contract: (id) => handles.get(id),
    });
    for (const [d, src] of sources) this.checkReads(d, src, t.positions.get(d) as number, ex.effects.reads.get(d));
    const status = ex.run.status === "committed" ? "committed" : "aborted";
    const result: TxResult = {
      status,
      at: ex.run.at,
      reason: status === "aborted" ? describeAbort(t.program, ex.run.at, ex.run.values, ex.run.failures) : null,
      values: ex.run.values,
      valuesRoot: computeValuesRoot(ex.run.values),
      created: status === "committed" ? ex.effects.created : [],
    };
    this.recordResult(k, t, result);
    const assumptions: AssumedRoot[] = [];
    for (const [d, pos] of t.positions) if (pos > this.track(d).affirmedIdx) assumptions.push({ contract: d, position: pos, root: (sources.get(d) as Source).root });

    const corrupting = this.isCorrupting(k, slot);
    let ownTouched = false;
    for (const [d, pos] of t.positions) {
      const tr = this.track(d);
      const src = sources.get(d) as Source;
      const writes = status === "committed" ? ex.effects.writes.get(d) : undefined;
      const ended = src.snap.ended || (status === "committed" && ex.effects.ended.has(d));
      if (tr.committee !== k) {
        if (this.opts.stage2Mode === "conditional" && (src.kind === "view" || pos === tr.affirmedIdx)) this.advanceView(k, d, pos, src, writes, ended);
        continue;
      }
      ownTouched = true;
      if (tr.localIdx !== pos) continue; // executed again for a view of another contract: own state already there
      const applied = corrupting ? computeCorruptedWrites(writes) : writes;
      const post: Snap = { kv: applied ? src.snap.kv.applyWrites(applied) : src.snap.kv, ended };
      this.recordOwnStep(tr, t, pos, post, result.valuesRoot, status, assumptions.filter((a) => a.contract !== d));
    }
    if (!ownTouched) this.figures.speculativeExecutions++;
    this.metrics.event(t.index, slot, "execute", `committee:${k}`, status);
  }

  /**
   * A contract the committee does not follow is read through a witness: of the keys read, against
   * the affirmed root at `pos`; through a view, of the keys its own executions did not write,
   * against the affirmed root the view started from.
   */
  private checkReads(d: ContractId, src: Source, pos: number, reads: ReadonlySet<string> | undefined): void {
    const tr = this.track(d);
    if (src.kind === "chain") this.checkWitness(d, src.snap.kv, tr.chainRoots[pos] as Uint8Array, reads);
    if (src.kind !== "view" || !src.view || !reads) return;
    const written = src.view.written;
    this.checkWitness(d, src.view.baseKv, tr.chainRoots[src.view.base] as Uint8Array, new Set([...reads].filter((key) => !written.has(key))));
  }

  private recordResult(k: number, t: TxTrack, result: TxResult): void {
    if (!this.keepHistory) {
      for (const other of t.results.values()) {
        if (other.status !== result.status || !bytesEqual(other.valuesRoot, result.valuesRoot)) throw new Error(`internal: committees disagree on transaction ${t.seq}`);
      }
    }
    t.results.set(k, result);
    if (t.executedBy.has(k)) this.figures.reexecutedTxs++;
    t.executedBy.add(k);
    t.executions++;
  }

  /** Committee `k`'s view of `d` moves from state `pos` to `pos + 1`. */
  private advanceView(k: number, d: ContractId, pos: number, src: Source, writes: WriteSet | undefined, ended: boolean): void {
    const written = new Set(src.view?.written ?? []);
    for (const key of writes?.keys() ?? []) written.add(key);
    (this.views[k] as Map<ContractId, View>).set(d, {
      idx: pos + 1,
      snap: { kv: writes ? src.snap.kv.applyWrites(writes) : src.snap.kv, ended },
      base: src.view?.base ?? pos,
      baseKv: src.view?.baseKv ?? src.snap.kv,
      written,
    });
  }

  private recordOwnStep(tr: Track, t: TxTrack, pos: number, post: Snap, valuesRoot: Uint8Array, status: "committed" | "aborted", assumed: AssumedRoot[]): void {
    const postRoot = post.kv.root();
    tr.snaps[pos + 1] = post;
    tr.roots[pos + 1] = postRoot;
    tr.leaves[pos] = ResultLeaf.hashTreeRoot({ seq: t.seq, txId: t.txId, outcome: OUTCOME_CODES[status], valuesRoot, postRoot });
    tr.assumed[pos] = assumed;
    tr.localIdx = pos + 1;
  }

  private checkWitness(id: ContractId, kv: MerkleKV, root: Uint8Array, reads: ReadonlySet<string> | undefined): void {
    if (!reads || reads.size === 0) return;
    const keys = [...reads].sort().map(fromHex);
    const bytes = encodeWitness(kv.prove(keys));
    this.figures.witnessBytes += bytes.length;
    this.figures.witnesses++;
    const view = verifyWitness(root, decodeWitness(bytes));
    for (const key of keys) {
      const a = view.get(key);
      const b = kv.get(key);
      if ((a === undefined) !== (b === undefined) || (a && b && !bytesEqual(a, b))) throw new Error(`internal: witness for ${id} disagrees`);
    }
  }

  /** Transactions none of whose contracts existed when sequenced: every call fails; final at once. */
  private finishOrphans(slot: number, number: number): void {
    for (const t of this.txs) {
      if (t.positions.size > 0 || t.finalBlock !== undefined || t.stage1Slot >= slot) continue;
      const ex = executeProgram(t.program, { runtime: this.runtime, sender: t.stx.tx.sender, txId: t.txId, gasLimit: t.stx.tx.gasLimit, contract: () => undefined });
      const status = ex.run.status === "committed" ? "committed" : "aborted";
      const reason = status === "aborted" ? describeAbort(t.program, ex.run.at, ex.run.values, ex.run.failures) : null;
      t.results.set(-1, { status, at: ex.run.at, reason, values: ex.run.values, valuesRoot: computeValuesRoot(ex.run.values), created: [] });
      this.finalize(t, slot, number, -1);
    }
  }

  // ------------------------------------------------ faults: who signs what

  /** Active members of committee `k` that sign wrong post-roots in `slot`. */
  private getFaulty(k: number, slot: number): Validator[] {
    const w = this.wrongSigners.get(k);
    if (!w || slot < w.fromSlot) return [];
    return (this.committees[k] as Validator[]).filter((v) => w.members.has(v.index));
  }

  /** ≥ 2/3 of committee `k`'s stake is faulty: the committee's state itself is the wrong one. */
  private isCorrupting(k: number, slot: number): boolean {
    const faulty = this.getFaulty(k, slot);
    return faulty.length > 0 && isMajorityFaulty(getWeight(faulty), getWeight(this.committees[k] as Validator[]));
  }

  // ------------------------------------------------ affirmation batches

  /**
   * Committee `k` signs what it executed since its last batch: per contract, one affirmation per
   * run of transactions without assumed roots and one per transaction with them. An honest batch is signed by its honest members; with a faulty minority,
   * the faulty members sign a variant with wrong post-roots instead; with a faulty majority (whose
   * state is already wrong) only they sign, and the honest members refuse.
   */
  private produceBatches(k: number, number: number, slot: number): void {
    const members = this.committees[k] as Validator[];
    if (members.length === 0) return;
    const ranges: { tr: Track; from: number; to: number }[] = [];
    for (const id of this.followed[k] as ContractId[]) {
      const tr = this.track(id);
      // A transaction that assumed roots gets an affirmation of its own: one root that never comes
      // then holds up only what follows it, not the whole range (runs without assumptions stay whole).
      let from = tr.producedIdx;
      for (let i = tr.producedIdx; i < tr.localIdx; i++) {
        if ((tr.assumed[i] ?? []).length === 0) continue;
        if (from < i) ranges.push({ tr, from, to: i });
        ranges.push({ tr, from: i, to: i + 1 });
        from = i + 1;
      }
      if (from < tr.localIdx) ranges.push({ tr, from, to: tr.localIdx });
      tr.producedIdx = tr.localIdx;
    }
    if (ranges.length === 0) return;
    const faulty = this.getFaulty(k, slot);
    const corrupting = this.isCorrupting(k, slot);
    const honest = members.filter((v) => !faulty.includes(v));
    this.signBatch(k, number, ranges, corrupting ? faulty : honest, false);
    if (faulty.length > 0 && !corrupting) this.signBatch(k, number, ranges, faulty, true);
  }

  private signBatch(k: number, number: number, ranges: readonly { tr: Track; from: number; to: number }[], signers: readonly Validator[], wrong: boolean): void {
    const built = ranges.map(({ tr, from, to }) => this.buildAffirmation(tr, from, to, wrong));
    const affirmations = built.map((b) => b.affirmation);
    const candidates = built.map((b) => b.candidate);
    const affirmationRoots = affirmations.map((a) => Affirmation.hashTreeRoot(a));
    const header: BatchHeaderValue = { committee: k, round: this.round, affirmationsRoot: commitList(affirmationRoots).root };
    const root = BatchHeader.hashTreeRoot(header);
    const attestation = collectAttestation(this.verifier, signers, computeSigningRoot(DOMAIN_AFFIRMATION, this.genesisRoot, root));
    this.figures.signatures += signers.length;
    const interval = (this.cfg.slotSeconds * 1000) / this.n;
    const delay = this.network.delayMs(this.streams.get("network"));
    const slip = Math.max(0, Math.ceil(delay / interval) - 1);
    const batch: Batch = {
      header,
      root,
      affirmations,
      affirmationRoots,
      leaves: built.map((b) => b.leaves),
      candidates,
      attestation,
      members: [...(this.committees[k] as Validator[])],
      arrivalBlock: number + slip,
      variant: wrong,
    };
    candidates.forEach((c, index) => {
      const q = this.pending.get(c.contract);
      if (q) q.push({ batch, index, checked: false });
      else this.pending.set(c.contract, [{ batch, index, checked: false }]);
    });
  }

  /** The affirmation of transactions `from..to-1` of `tr` (the faulty minority's variant if `wrong`), with the roots they assumed. */
  private buildAffirmation(tr: Track, from: number, to: number, wrong: boolean): { affirmation: AffirmationValue; candidate: CandidateAffirmation; leaves: Uint8Array[] } {
    const postRoots: Uint8Array[] = [];
    const leaves: Uint8Array[] = [];
    const assumed = new Map<string, AssumedRoot>();
    for (let i = from; i < to; i++) {
      const [root, leaf] = wrong ? this.computeWrongStep(tr, i) : [tr.roots[i + 1] as Uint8Array, tr.leaves[i] as Uint8Array];
      postRoots.push(root);
      leaves.push(leaf);
      for (const a of tr.assumed[i] ?? []) assumed.set(`${a.contract}\u0000${a.position}`, a);
    }
    const assumptions = [...assumed.values()].sort((a, b) => (a.contract < b.contract ? -1 : a.contract > b.contract ? 1 : a.position - b.position));
    const preRoot = tr.roots[from] as Uint8Array;
    return {
      affirmation: {
        contract: encodeContractId(tr.id),
        first: tr.queue[from] as number,
        last: tr.queue[to - 1] as number,
        preRoot,
        postRoot: postRoots[postRoots.length - 1] as Uint8Array,
        resultsRoot: commitList(leaves).root,
        assumptions: assumptions.map((a) => ({ contract: encodeContractId(a.contract), position: a.position, root: a.root })),
      },
      candidate: { contract: tr.id, from, to, preRoot, postRoots, assumptions },
      leaves,
    };
  }

  /** What a faulty minority signs for queue[i] of `tr`: the committee's post-state plus FAULT_KEY — a real state, a wrong root. */
  private computeWrongStep(tr: Track, i: number): [Uint8Array, Uint8Array] {
    const t = this.txAt(tr.id, i);
    const r = t.results.get(tr.committee) as TxResult;
    const postRoot = this.snapAt(tr, i + 1).kv.applyWrites(computeCorruptedWrites(undefined)).root();
    return [postRoot, ResultLeaf.hashTreeRoot({ seq: t.seq, txId: t.txId, outcome: OUTCOME_CODES[r.status], valuesRoot: r.valuesRoot, postRoot })];
  }

  /** Valid aggregate, and its signers hold ≥ 2/3 of the committee's current stake (slashed members no longer count). */
  private isAttestationFinal(att: Attestation, committee: readonly Validator[]): boolean {
    if (committee.length === 0) return false;
    const signers = new Set(att.signers);
    const weight = getWeight(committee.filter((v) => signers.has(v.index)));
    if (!isSupermajority(weight, getWeight(committee))) return false;
    return this.verifier.verifyAggregate(
      att.signers.map((i) => (this.validators[i] as Validator).key.pubkey),
      att.message,
      att.signature,
    );
  }

  private isBatchFinal(b: Batch): boolean {
    const committee = this.committees[b.header.committee] as Validator[];
    const signers = new Set(b.attestation.signers);
    if (committee.length === 0 || !isSupermajority(getWeight(committee.filter((v) => signers.has(v.index))), getWeight(committee))) return false;
    b.signatureOk ??= this.verifier.verifyAggregate(
      b.attestation.signers.map((i) => (this.validators[i] as Validator).key.pubkey),
      b.attestation.message,
      b.attestation.signature,
    );
    return b.signatureOk;
  }

  /** The affirmations this block applies, per contract in order (see `selectAffirmations`). */
  private chooseAffirmations(number: number): Map<ContractId, Pending[]> {
    const entries = new Map<ContractId, Pending[]>();
    const candidates = new Map<ContractId, CandidateAffirmation[]>();
    for (const [c, q] of this.pending) {
      const ok = q.filter((e) => e.batch.arrivalBlock <= number && e.batch.header.committee === this.track(c).committee && this.isBatchFinal(e.batch));
      if (ok.length === 0) continue;
      entries.set(c, ok);
      candidates.set(c, ok.map((e) => e.batch.candidates[e.index] as CandidateAffirmation));
    }
    const accepted = selectAffirmations(candidates, {
      affirmedIdx: (d) => this.track(d).affirmedIdx,
      rootAt: (d, position) => this.track(d).chainRoots[position] as Uint8Array,
    });
    const out = new Map<ContractId, Pending[]>();
    for (const [c, run] of accepted) {
      const list = entries.get(c) as Pending[];
      out.set(c, run.map((cand) => list.find((e) => e.batch.candidates[e.index] === cand) as Pending));
    }
    return out;
  }

  private applyAffirmation(e: Pending, number: number, inclusion: number, slot: number): void {
    const cand = e.batch.candidates[e.index] as CandidateAffirmation;
    const tr = this.track(cand.contract);
    cand.postRoots.forEach((r, i) => (tr.chainRoots[cand.from + i + 1] = r));
    tr.affirmedIdx = cand.to;
    this.figures.affirmations++;
    if (cand.assumptions.length > 0) this.figures.conditionalAffirmations++;
    this.figures.assumptions += cand.assumptions.length;
    for (let i = cand.from; i < cand.to; i++) {
      const t = this.txAt(cand.contract, i);
      t.affirmedIn.set(cand.contract, { block: number, inclusion, affirmation: e.index, leaf: i - cand.from });
      this.affirmedThisSlot++;
      this.metrics.event(t.index, slot, "affirm", `committee:${e.batch.header.committee}`, cand.contract);
      if (t.affirmedIn.size === t.positions.size) this.finalize(t, slot, number, e.batch.header.committee);
    }
  }

  /**
   * Drops pending affirmations the chain has moved past. One whose range was just affirmed with
   * different leaves is a conflicting signature: a full node settles it by one-step re-execution
   * and, when it is the wrong one, keeps the evidence for the next block.
   */
  private prunePending(applied: readonly Pending[]): void {
    const appliedBy = new Map<string, Pending>();
    for (const e of applied) {
      const c = e.batch.candidates[e.index] as CandidateAffirmation;
      appliedBy.set(`${c.contract}\u0000${c.from}\u0000${c.to}`, e);
    }
    for (const [c, q] of this.pending) {
      const at = this.track(c).affirmedIdx;
      const keep: Pending[] = [];
      for (const e of q) {
        const cand = e.batch.candidates[e.index] as CandidateAffirmation;
        if (cand.from >= at) {
          keep.push(e);
          continue;
        }
        const winner = appliedBy.get(`${c}\u0000${cand.from}\u0000${cand.to}`);
        if (winner && winner.batch !== e.batch && this.keepHistory) this.checkEntry(e, "signed");
      }
      if (keep.length > 0) this.pending.set(c, keep);
      else this.pending.delete(c);
    }
  }

  /**
   * After a block, a full node re-executes the leaves just applied and those of every affirmation
   * that carries ≥ 2/3 of its committee's stake but still waits (a committee majority's claim);
   * a wrong leaf becomes evidence for the next block.
   */
  private watch(applied: readonly Pending[], number: number): void {
    for (const e of applied) this.checkEntry(e, "fraud");
    for (const q of this.pending.values()) for (const e of q) if (!e.checked && e.batch.arrivalBlock <= number && this.isBatchFinal(e.batch)) this.checkEntry(e, "signed");
  }

  /** Re-executes an affirmation's leaves in order; the first wrong one is kept as a dispute. */
  private checkEntry(e: Pending, kind: Dispute["kind"]): void {
    e.checked = true;
    const cand = e.batch.candidates[e.index] as CandidateAffirmation;
    const leaves = e.batch.leaves[e.index] as Uint8Array[];
    for (let i = 0; i < leaves.length; i++) {
      const verdict = this.proveLeaf(cand, i, leaves[i] as Uint8Array);
      if (verdict === "right") continue;
      if (verdict !== "unknown") {
        this.disputes.push({ kind, contract: cand.contract, position: cand.from + i, batch: e.batch, postRoot: cand.postRoots[i] as Uint8Array, claimedLeaf: leaves[i] as Uint8Array, ...verdict });
      }
      return;
    }
  }

  /**
   * Re-executes the `i`-th transaction of an affirmation over the states it claims to start from:
   * the affirmed roots, its own earlier post-roots and the roots it assumed. "right" if its leaf
   * is what it claims; "unknown" if no full state with those roots exists to build witnesses from;
   * else the one-step proof (checked by the verifier's code) of the right leaf.
   */
  private proveLeaf(cand: CandidateAffirmation, i: number, claimed: Uint8Array): "right" | "unknown" | { recomputedLeaf: Uint8Array; proofRoot: Uint8Array } {
    const t = this.txAt(cand.contract, cand.from + i);
    const rootOf = (d: ContractId, pos: number): Uint8Array | undefined => {
      if (d === cand.contract) return i === 0 ? cand.preRoot : cand.postRoots[i - 1];
      const tr = this.track(d);
      if (pos <= tr.affirmedIdx) return tr.chainRoots[pos];
      return cand.assumptions.find((a) => a.contract === d && a.position === pos)?.root;
    };
    const pre: FullPreState[] = [];
    for (const [d, pos] of t.positions) {
      const tr = this.track(d);
      const snap = tr.snaps[pos];
      const root = rootOf(d, pos);
      if (!snap || !root || !bytesEqual(root, snap.kv.root())) return "unknown";
      pre.push({ contract: d, codeHash: tr.codeHash, root, ended: snap.ended, kv: snap.kv });
    }
    const tx: LeafTx = { seq: t.seq, txId: t.txId, sender: t.stx.tx.sender, gasLimit: t.stx.tx.gasLimit, program: t.program };
    const states = new Map(pre.map((p) => [p.contract, { state: p.kv, codeHash: p.codeHash, ended: p.ended }]));
    if (bytesEqual(computeLeafRoot(this.runtime, tx, cand.contract, states).leaf, claimed)) return "right";
    const { proof, leaf } = createOneStepProof(this.runtime, tx, cand.contract, pre);
    if (!bytesEqual(verifyOneStepProof(this.runtime, tx, proof), leaf)) throw new Error("internal: one-step proof does not verify");
    this.figures.fraudProofBytes += getProofBytes(proof);
    return { recomputedLeaf: leaf, proofRoot: computeProofRoot(proof) };
  }

  /**
   * A committee whose not-yet-affirmed work assumed a root the chain has now affirmed differently
   * drops that work (its own frontiers back to the affirmed ones, its views) and executes again.
   */
  private discardConflictingWork(): void {
    for (let k = 0; k < this.committees.length; k++) {
      const conflict = (this.followed[k] as ContractId[]).some((id) => {
        const tr = this.track(id);
        for (let pos = tr.affirmedIdx; pos < tr.localIdx; pos++) {
          for (const a of tr.assumed[pos] ?? []) {
            const d = this.track(a.contract);
            if (a.position <= d.affirmedIdx && !bytesEqual(d.chainRoots[a.position] as Uint8Array, a.root)) return true;
          }
        }
        return false;
      });
      if (!conflict) continue;
      this.figures.conditionalDiscards++;
      this.discardWork(k);
    }
  }

  /** Committee `k` drops everything it executed past the affirmed states (frontiers, views, batches). */
  private discardWork(k: number): void {
    for (const id of this.followed[k] as ContractId[]) this.resetFrontier(this.track(id));
    (this.views[k] as Map<ContractId, View>).clear();
  }

  /** The committee's frontier of `tr` goes back to the affirmed state; its unaffirmed batches are dropped. */
  private resetFrontier(tr: Track): void {
    for (let pos = tr.affirmedIdx; pos < tr.localIdx; pos++) this.txAt(tr.id, pos).results.delete(tr.committee);
    tr.localIdx = tr.affirmedIdx;
    tr.producedIdx = tr.affirmedIdx;
    this.pending.delete(tr.id);
  }

  /** Ended contracts whose every transaction is affirmed: dropped from their committee (DESIGN §2). */
  private dropEndedContracts(): void {
    for (const tr of this.tracks.values()) {
      if (tr.dropped || tr.affirmedIdx < tr.queue.length || !tr.snaps[tr.affirmedIdx]?.ended) continue;
      tr.dropped = true;
      const list = this.followed[tr.committee] as ContractId[];
      list.splice(list.indexOf(tr.id), 1);
    }
  }

  // ------------------------------------------------ evidence, slashing, fraud proofs

  /**
   * Includes the evidence found after the previous block. A disproved finalized root is rolled
   * back with its cone; a disproved signed root costs its signers their stake, and when it was a
   * committee majority's own state, the committee's unaffirmed work is done again.
   */
  private includeDisputes(slot: number): EvidenceValue[] {
    const out: EvidenceValue[] = [];
    for (const d of this.disputes) {
      const tr = this.track(d.contract);
      if (d.kind === "fraud") {
        // Still on chain? An earlier rollback in this block may have removed it already.
        if (d.position >= tr.affirmedIdx || !bytesEqual(tr.chainRoots[d.position + 1] as Uint8Array, d.postRoot)) continue;
        this.figures.fraudProofs++;
        this.rollback(d.contract, d.position, slot);
      }
      const signers = this.slash(d.batch.attestation.signers);
      if (d.kind === "signed") {
        if (signers.length === 0) continue;
        this.figures.evidence++;
        if (!d.batch.variant) this.discardWork(d.batch.header.committee);
      }
      out.push({
        kind: EVIDENCE_KINDS[d.kind],
        contract: encodeContractId(d.contract),
        position: d.position,
        batchRoot: d.batch.root,
        claimedLeaf: d.claimedLeaf,
        recomputedLeaf: d.recomputedLeaf,
        proofRoot: d.proofRoot,
        signers,
      });
    }
    this.disputes = [];
    return out;
  }

  /**
   * Slashes validators: stake moves from their stake account to the treasury (value conserved);
   * they leave every committee and the active set. Returns those newly slashed.
   */
  private slash(indices: readonly number[]): number[] {
    const fresh = [...new Set(indices)].filter((i) => !this.slashedSet.has(i)).sort((a, b) => a - b);
    for (const i of fresh) {
      const v = this.validators[i] as Validator;
      const account = getStakeAccount(v);
      const stake = this.beacon.balances.get(account) ?? 0n;
      this.beacon.balances.set(account, 0n);
      this.beacon.balances.set(TREASURY_ACCOUNT, (this.beacon.balances.get(TREASURY_ACCOUNT) ?? 0n) + stake);
      this.slashedSet.add(i);
      this.figures.slashed++;
      this.figures.slashedStake += v.stake;
    }
    if (fresh.length > 0) {
      for (const c of this.committees) c.splice(0, c.length, ...c.filter((v) => !this.slashedSet.has(v.index)));
      this.active = this.active.filter((v) => !this.slashedSet.has(v.index));
    }
    return fresh;
  }

  /**
   * A disproved root: state `position + 1` of `contract` was wrong. Everything in its dependency
   * cone (`computeCone`) is rolled back — affirmations, finality, results, views, pending batches —
   * and executed again from the last good states.
   */
  private rollback(contract: ContractId, position: number, slot: number): void {
    const createdBy = (t: TxTrack): ContractId[] => [...t.results.values()].flatMap((r) => r.created.map((c) => c.id)).filter((id) => this.tracks.has(id));
    const { firstBad, txs } = computeCone(contract, position, (d) =>
      this.track(d).queue.map((seq) => {
        const t = this.txs[seq] as TxTrack;
        const positions = new Map(t.positions);
        if (t.executedBy.size > 0) for (const s of createdBy(t)) positions.set(s, 0);
        return { seq, positions, executed: t.executedBy.size > 0 };
      }),
    );
    this.coneSizes.push(txs.length);
    for (const seq of txs) {
      const t = this.txs[seq] as TxTrack;
      for (const s of createdBy(t)) this.track(s).awaitingCreator = true;
      if (t.finalBlock !== undefined) {
        delete t.finalBlock;
        this.unfinishedBySlot.set(t.stage1Slot, (this.unfinishedBySlot.get(t.stage1Slot) as number) + 1);
        this.fullyFinalSlot = Math.min(this.fullyFinalSlot, t.stage1Slot - 1);
        this.metrics.event(t.index, slot, "rollback", "stage2", `fraud proof on ${contract}`);
      }
      delete t.result;
      t.results.clear();
      t.affirmedIn.clear();
    }
    for (const [d, first] of firstBad) {
      const tr = this.track(d);
      tr.affirmedIdx = Math.min(tr.affirmedIdx, first);
      tr.chainRoots.length = tr.affirmedIdx + 1;
      tr.localIdx = Math.min(tr.localIdx, first);
      if (tr.dropped) {
        tr.dropped = false;
        (this.followed[tr.committee] as ContractId[]).push(d);
      }
      for (const views of this.views) {
        const v = views.get(d);
        if (v && (v.idx > first || v.base > tr.affirmedIdx)) views.delete(d);
      }
    }
    for (const tr of this.tracks.values()) tr.producedIdx = tr.affirmedIdx;
    this.pending.clear();
  }

  // ------------------------------------------------ finality and lifecycle

  private finalize(t: TxTrack, slot: number, block: number, committee: number): void {
    const r = (t.results.get(committee) ?? [...t.results.values()][0]) as TxResult;
    t.result = r;
    t.finalBlock = block;
    this.metrics.finish(t.index, slot, r.status, r.reason, "stage2");
    this.metrics.setExtra(t.index, "executions", t.executions);
    if (!this.keepHistory) {
      // Release pre-states no longer needed by anyone (every committee of the footprint has executed t).
      for (const [d, pos] of t.positions) {
        const tr = this.track(d);
        if (pos < tr.localIdx) tr.snaps[pos] = undefined;
      }
    }
    for (const c of r.created) {
      const existing = this.tracks.get(c.id);
      const kv = MerkleKV.empty().applyWrites(c.writes);
      if (!existing) this.addTrack(c.id, this.assignSuccessor(c.id), c.codeHash, kv);
      else if (existing.awaitingCreator) this.resetGenesis(existing, kv);
    }
    this.unfinishedBySlot.set(t.stage1Slot, (this.unfinishedBySlot.get(t.stage1Slot) as number) - 1);
  }

  /** A successor's committee, assigned afresh: a seeded hash (shuffle), or the least loaded committee (adaptive). */
  private assignSuccessor(id: ContractId): number {
    if (this.opts.assignment === "shuffle") return computeSuccessorGroup(this.cfg.seed, id, this.committees.length);
    const loads = computeLoads(this.getLiveAssignment(), this.committees.length);
    return loads.indexOf(Math.min(...loads));
  }

  /** A successor re-created by its creator's execution after a rollback gets its state 0 again. */
  private resetGenesis(tr: Track, kv: MerkleKV): void {
    const root = kv.root();
    tr.snaps[0] = { kv, ended: false };
    tr.roots[0] = root;
    tr.chainRoots.length = 0;
    tr.chainRoots.push(root);
    tr.localIdx = tr.producedIdx = tr.affirmedIdx = 0;
    tr.awaitingCreator = false;
  }

  // ------------------------------------------------ adaptive assignment

  private getLiveAssignment(): Map<ContractId, number> {
    const out = new Map<ContractId, number>();
    for (const tr of this.tracks.values()) if (!tr.dropped) out.set(tr.id, tr.committee);
    return out;
  }

  /** Epoch boundary: re-assign live contracts from the co-access graph; hand state over with proofs. */
  private reassign(): void {
    const current = this.getLiveAssignment();
    const bound = computeLoadBound(this.opts.loadBound, current.size, this.committees.length);
    const next = computeAdaptiveAssignment(current, this.graph, this.committees.length, bound);
    for (const [id, k] of next) if (k !== current.get(id)) this.handOver(this.track(id), k);
    this.graph.decay(0.5);
  }

  /**
   * Committee `to` takes over `tr` at its affirmed root: it receives every key of the state with a
   * multiproof, checks it against the affirmed root and rebuilds the state; work the old committee
   * did past the affirmed root is dropped and done again.
   */
  private handOver(tr: Track, to: number): void {
    const at = tr.affirmedIdx;
    const snap = this.snapAt(tr, at);
    const root = tr.chainRoots[at] as Uint8Array;
    const keys = [...snap.kv.entries()].map(([k]) => k);
    const bytes = encodeWitness(snap.kv.prove(keys));
    const received = decodeWitness(bytes);
    verifyWitness(root, received);
    const kv = MerkleKV.fromEntries(received.buckets.flatMap((b) => b.entries));
    if (!bytesEqual(kv.root(), root)) throw new Error(`internal: handed-over state of ${tr.id} does not match its affirmed root`);
    this.figures.handovers++;
    this.figures.handoverBytes += bytes.length;
    this.resetFrontier(tr);
    tr.snaps[at] = { kv, ended: snap.ended };
    const from = this.followed[tr.committee] as ContractId[];
    from.splice(from.indexOf(tr.id), 1);
    (this.followed[to] as ContractId[]).push(tr.id);
    (this.views[to] as Map<ContractId, View>).delete(tr.id);
    tr.committee = to;
  }

  // ------------------------------------------------ metrics

  private recordSlot(s: number): void {
    while (this.fullyFinalSlot < s && (this.unfinishedBySlot.get(this.fullyFinalSlot + 1) ?? 0) === 0) this.fullyFinalSlot++;
    const lag = s - this.fullyFinalSlot;
    this.maxLag = Math.max(this.maxLag, lag);
    this.metrics.series(s, "lag", lag);
    this.metrics.series(s, "affirmed", this.affirmedThisSlot);
    this.metrics.series(s, "stage2Blocks", this.n);
    const epoch = Math.floor(s / this.opts.epochSlots);
    this.metrics.series(s, "epoch", epoch);
    const loads = computeLoads(this.getLiveAssignment(), this.committees.length);
    this.figures.maxCommitteeLoad = Math.max(this.figures.maxCommitteeLoad, ...loads);
    this.metrics.series(s, "committeeLoad", loads);
    const e = this.crossByEpoch[epoch] ?? (this.crossByEpoch[epoch] = { cross: 0, total: 0 });
    e.cross += this.crossThisSlot.cross;
    e.total += this.crossThisSlot.total;
    if (this.crossThisSlot.total > 0) this.metrics.series(s, "crossCommitteeShare", round(this.crossThisSlot.cross / this.crossThisSlot.total));
    this.crossThisSlot = { cross: 0, total: 0 };
    this.affirmedThisSlot = 0;
  }

  private finish(lastSlot: number): ProtocolRunOutput {
    let sum = 0;
    let counted = 0;
    for (const b of this.stage1Blocks) {
      if (b.seqs.length === 0) continue;
      const finals = b.seqs.map((q) => (this.txs[q] as TxTrack).finalBlock);
      if (finals.some((f) => f === undefined)) continue;
      sum += computeStage2BlocksFor((b.slot + 1) * this.n, Math.max(...(finals as number[])));
      counted++;
    }
    for (const t of this.txs) if (t.finalBlock === undefined && this.metrics.isFinished(t.index)) this.metrics.finish(t.index, null, "hung", "not final by the end of the run");
    const f = this.figures;
    const executions = this.txs.reduce((a, t) => a + t.executions, 0);
    const cross = this.crossByEpoch.reduce((a, e) => ({ cross: a.cross + e.cross, total: a.total + e.total }), { cross: 0, total: 0 });
    const results = this.metrics.build(
      this.protocolName,
      this.configRecord(),
      {
        stage2BlocksPerStage1Block: counted > 0 ? round(sum / counted) : null,
        maxLagSlots: this.maxLag,
        stage2Blocks: this.blocks.length,
        affirmations: f.affirmations,
        conditionalAffirmations: f.conditionalAffirmations,
        assumptions: f.assumptions,
        executionsPerTx: this.txs.length > 0 ? round(executions / this.txs.length) : null,
        speculativeExecutions: f.speculativeExecutions,
        reexecutedTxs: f.reexecutedTxs,
        conditionalDiscards: f.conditionalDiscards,
        witnessBytesMean: f.witnesses > 0 ? round(f.witnessBytes / f.witnesses) : 0,
        witnessBytesTotal: f.witnessBytes,
        witnessBytesPerAffirmation: f.affirmations > 0 ? round(f.witnessBytes / f.affirmations) : 0,
        signatures: f.signatures,
        crossCommitteeShare: cross.total > 0 ? round(cross.cross / cross.total) : null,
        crossCommitteeShareByEpoch: this.crossByEpoch.slice(0, this.crossByEpoch.findLastIndex((e) => e.total > 0) + 1).map((e) => (e.total > 0 ? round(e.cross / e.total) : 0)),
        maxCommitteeLoad: f.maxCommitteeLoad,
        loadBound: this.opts.assignment === "adaptive" ? computeLoadBound(this.opts.loadBound, this.getLiveAssignment().size, this.committees.length) : null,
        handovers: f.handovers,
        handoverBytes: f.handoverBytes,
        evidence: f.evidence,
        fraudProofs: f.fraudProofs,
        fraudProofBytes: f.fraudProofBytes,
        faultyStakeShare: f.faultyStakeShare,
        slashed: f.slashed,
        slashedStake: f.slashedStake,
        coneSizeMax: this.coneSizes.length > 0 ? Math.max(...this.coneSizes) : 0,
        coneSizeMean: this.coneSizes.length > 0 ? round(this.coneSizes.reduce((a, b) => a + b, 0) / this.coneSizes.length) : 0,
        withheldBlocks: f.withheldBlocks,
        withheldTxs: f.withheldTxs,
      },
      lastSlot,
    );
    const contracts = new Map<ContractId, MerkleKV>();
    for (const [id, tr] of this.tracks) contracts.set(id, this.snapAt(tr, tr.localIdx).kv);
    return {
      results,
      end: { contracts, beacon: this.beacon.balances, beaconGenesisTotal: this.beaconGenesisTotal },
      proveTx: (index: number) => {
        const m = this.getProofMaterial(index);
        return m ? createTxOutcomeProof(m) : undefined;
      },
    };
  }

  private configRecord(): Record<string, unknown> {
    const c = this.cfg;
    const o = this.opts;
    return computeConfigRecord(
      this.protocolName,
      c,
      this.input.workload,
      {
        network: this.network.name,
        stage2PerSlot: c.stage2PerSlot,
        stage2Mode: o.stage2Mode,
        assignment: o.assignment,
        epochSlots: o.epochSlots,
        loadBound: o.loadBound,
        wrongSigners: o.wrongSigners.map((w) => `${w.committee}:${w.fraction}:${w.fromSlot}`).join("+"),
        withhold: [...o.withhold].sort((a, b) => a - b),
      },
      "committees",
    );
  }

  // ---------------------------------------------------------------- light client

  /** Everything a light client needs to check transaction `index`'s outcome (see lightclient.ts). */
  getProofMaterial(index: number, contract?: ContractId): ProofMaterial | undefined {
    const t = this.txs.find((x) => x.index === index);
    if (!t || t.finalBlock === undefined || !t.result) return undefined;
    const id = contract ?? [...t.affirmedIn.keys()][0];
    if (id === undefined) return undefined;
    const loc = t.affirmedIn.get(id);
    if (!loc) return undefined;
    const block = this.blocks[loc.block] as Stage2Block;
    const inclusion = block.inclusions[loc.inclusion] as Inclusion;
    const batch = inclusion.batch;
    const tr = this.track(id);
    const pos = t.positions.get(id) as number;
    return {
      txIndex: index,
      contract: id,
      genesisRoot: this.genesisRoot,
      block: { header: block.header, inclusionRoots: block.inclusions.map((i) => i.root), attestation: block.attestation, attesters: block.attesters },
      inclusionIndex: loc.inclusion,
      applied: inclusion.applied,
      batch,
      affirmationIndex: loc.affirmation,
      leafIndex: loc.leaf,
      leaf: { seq: t.seq, txId: t.txId, outcome: OUTCOME_CODES[t.result.status], postRoot: tr.chainRoots[pos + 1] as Uint8Array },
      values: t.result.values,
      committee: batch.members,
    };
  }
}
