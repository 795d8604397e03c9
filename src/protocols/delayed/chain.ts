/**
 * The two-stage, delayed-execution chain (DESIGN §2; seed: "Proposal 2: even more sharding"),
 * driven slot by slot.
 *
 * Slot s: first the Stage-2 blocks of slot s (they use Stage-1 blocks up to s-1 and the Stage-2
 * blocks before them), then the Stage-1 block of slot s (final within s, usable from s+1).
 * Before each Stage-2 block, every committee executes what the strict rule lets it execute,
 * affirms the new states (one signed batch per committee) and sends the batch to the next
 * Stage-2 proposer; a batch that arrives late (network model) waits for a later block.
 *
 * Every committee really executes every transaction that touches a contract it follows: contracts
 * it follows from its own state, the others from their affirmed state through a Merkle witness
 * that it verifies against the affirmed root. Honest committees must agree; a disagreement is a bug
 * and throws.
 */
import { bytesEqual, fromHex, sha256, toHex } from "../../crypto/hash.js";
import { createBlsVerifier, createNoopVerifier, type SignatureVerifier } from "../../crypto/bls.js";
import { computeFootprint, computeTxId, type Program, type SignedTx } from "../../program/index.js";
import { Runtime } from "../../runtime/index.js";
import { commitList, decodeWitness, encodeWitness, MerkleKV, verifyWitness } from "../../state/index.js";
import { executeProgram, type ContractHandle, type CreatedSuccessor } from "../../exec/executeTx.js";
import { MetricsRecorder, round } from "../../sim/metrics.js";
import { createNetworkModel } from "../../sim/network.js";
import { RngStreams } from "../../sim/rng.js";
import {
  collectAttestation,
  computeCommittees,
  computeProposer,
  createValidators,
  isAttestationFinal,
  type Attestation,
  type Validator,
} from "../../sim/validators.js";
import { assignContracts, deployGenesis, createUser } from "../../sim/world.js";
import type { MaybeValue } from "../../types.js";
import { createBeaconState, getBeaconTotal, processStage1Block, type BeaconState } from "../beacon.js";
import type { ProtocolRunInput, ProtocolRunOutput } from "../types.js";
import {
  Affirmation,
  BatchHeader,
  DOMAIN_AFFIRMATION,
  DOMAIN_STAGE1,
  DOMAIN_STAGE2,
  OUTCOME_CODES,
  ResultLeaf,
  Stage1Header,
  Stage2Header,
  computeValuesRoot,
  encodeContractId,
  type AffirmationValue,
  type BatchHeaderValue,
  type Stage2HeaderValue,
} from "./containers.js";
import { createTxOutcomeProof, type ProofMaterial } from "./lightclient.js";
import { computeStage2BlocksFor, isAffirmationApplicable, isExecutableStrict, type ContractFrontier } from "./rules.js";

interface Snap {
  readonly kv: MerkleKV;
  readonly ended: boolean;
}

/** One contract as the Stage-2 layer sees it: its queue, its committee's frontier, what is affirmed. */
interface Track extends ContractFrontier {
  readonly id: string;
  readonly committee: number;
  readonly codeHash: string;
  /** Global sequence numbers of the transactions touching it, in chain order. */
  readonly queue: number[];
  /** snaps[i]: the committee's state after i transactions of the queue (released once not needed). */
  readonly snaps: (Snap | undefined)[];
  /** roots[i]: root after i transactions, as its committee computed it. */
  readonly roots: Uint8Array[];
  /** leaves[i]: result leaf root of queue[i]. */
  readonly leaves: Uint8Array[];
  /** chainRoots[i]: root after i transactions as affirmed on the Stage-2 chain (i ≤ affirmedIdx). */
  readonly chainRoots: Uint8Array[];
  localIdx: number;
  producedIdx: number;
  affirmedIdx: number;
  affirmedRoot: Uint8Array;
}

interface TxResult {
  readonly status: "committed" | "aborted";
  readonly at: number;
  readonly values: MaybeValue[];
  readonly valuesRoot: Uint8Array;
  readonly created: CreatedSuccessor[];
}

interface Locator {
  readonly block: number;
  readonly batch: number;
  readonly affirmation: number;
  readonly leaf: number;
}

interface TxTrack {
  readonly seq: number;
  readonly index: number;
  readonly stx: SignedTx;
  readonly program: Program;
  readonly txId: Uint8Array;
  readonly footprint: string[];
  /** Existing footprint contracts → position in their queue. */
  readonly positions: Map<string, number>;
  readonly stage1Slot: number;
  remaining: number;
  executions: number;
  result?: TxResult;
  finalBlock?: number;
  readonly affirmedIn: Map<string, Locator>;
}

interface Batch {
  readonly header: BatchHeaderValue;
  readonly root: Uint8Array;
  readonly affirmations: AffirmationValue[];
  readonly affirmationRoots: Uint8Array[];
  /** Per affirmation: leaf roots and post-roots of its transactions. */
  readonly leaves: Uint8Array[][];
  readonly postRoots: Uint8Array[][];
  readonly attestation: Attestation;
  readonly arrivalBlock: number;
}

interface Stage2Block {
  readonly header: Stage2HeaderValue;
  readonly root: Uint8Array;
  readonly batches: Batch[];
  readonly attestation: Attestation;
  readonly attesters: readonly Validator[];
}

export interface DelayedChainOptions {
  readonly mode: "strict";
}

/** Runs the two-stage chain over a generated workload. */
export function runDelayed(input: ProtocolRunInput, protocolName = "delayed"): ProtocolRunOutput {
  return new DelayedChain(input, protocolName).run();
}

export class DelayedChain {
  private readonly cfg;
  private readonly streams: RngStreams;
  private readonly runtime = new Runtime();
  private readonly verifier: SignatureVerifier;
  private readonly validators: Validator[];
  private readonly committees: Validator[][];
  private readonly tracks = new Map<string, Track>();
  private readonly followed: string[][];
  private readonly txs: TxTrack[] = [];
  private readonly metrics: MetricsRecorder;
  private readonly n: number;
  private readonly network;
  private beacon: BeaconState;
  private readonly beaconGenesisTotal: bigint;
  private readonly pending: Batch[][];
  private readonly blocks: Stage2Block[] = [];
  private readonly stage1Roots: Uint8Array[] = [];
  private readonly unfinishedBySlot = new Map<number, number>();
  private readonly stage2PerStage1: number[] = [];
  private readonly stage1Blocks: { slot: number; seqs: number[] }[] = [];
  private fullyFinalSlot = -1;
  private maxLag = 0;
  private witnessBytes = 0;
  private witnesses = 0;
  private signatures = 0;
  private affirmationsApplied = 0;
  private affirmedThisSlot = 0;
  private round = 0;

  constructor(private readonly input: ProtocolRunInput, private readonly protocolName: string) {
    this.cfg = input.config;
    this.n = this.cfg.stage2PerSlot;
    this.streams = new RngStreams(this.cfg.seed);
    this.verifier = this.cfg.signatures ? createBlsVerifier() : createNoopVerifier();
    this.network = createNetworkModel(this.cfg.network);
    this.metrics = new MetricsRecorder(this.cfg.slotSeconds, this.cfg.trace);

    const deployed = deployGenesis(this.runtime, input.workload.genesis);
    this.validators = createValidators(this.cfg.validators, this.cfg.seed, this.streams.get("validators"));
    const K = this.cfg.shards;
    this.committees = computeCommittees(this.validators, K, this.cfg.committeeSize, this.streams.get("committees"));
    const assignRng = this.streams.get("assignment");
    const assignment = assignContracts(deployed, K, (xs) => assignRng.shuffle(xs));
    this.followed = Array.from({ length: K }, () => []);
    for (const d of deployed) this.addTrack(d.id, assignment.get(d.id) as number, d.codeHash, d.state);
    this.pending = Array.from({ length: K }, () => []);

    const accounts: [string, bigint][] = input.workload.genesis.accounts.map((a) => [toHex(createUser(a.name).address), a.balance]);
    for (const v of this.validators) accounts.push([v.account, 0n]);
    this.beacon = createBeaconState(accounts);
    this.beaconGenesisTotal = getBeaconTotal(this.beacon);
  }

  private addTrack(id: string, committee: number, codeHash: string, kv: MerkleKV): void {
    const root = kv.root();
    this.tracks.set(id, {
      id,
      committee,
      codeHash,
      queue: [],
      snaps: [{ kv, ended: false }],
      roots: [root],
      leaves: [],
      chainRoots: [root],
      localIdx: 0,
      producedIdx: 0,
      affirmedIdx: 0,
      affirmedRoot: root,
    });
    (this.followed[committee] as string[]).push(id);
  }

  private frontier = (id: string): Track => this.tracks.get(id) as Track;

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
      this.input.onSlot?.(s, endSlot);
      if (s >= lastSubmission && mempool.length === 0 && this.txs.every((t) => t.finalBlock !== undefined)) break;
    }
    return this.finish(lastSlot);
  }

  // ---------------------------------------------------------------- Stage 1

  private produceStage1Block(slot: number, mempool: SignedTx[], indexOf: Map<SignedTx, number>): SignedTx[] {
    const proposer = computeProposer(this.validators, this.streams.get("proposer"));
    const r = processStage1Block(this.beacon, mempool, proposer.account, this.cfg.blockTxLimit);
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
    const committee = this.sampleSlotCommittee();
    const att = collectAttestation(this.verifier, committee, sha256(DOMAIN_STAGE1, root));
    this.signatures += committee.length;
    if (!isAttestationFinal(this.verifier, committee, att)) throw new Error("internal: honest Stage-1 attestation not final");
    this.beacon = r.state;
    this.stage1Roots.push(root);

    const seqs: number[] = [];
    r.included.forEach((stx, i) => seqs.push(this.sequence(stx, txIds[i] as Uint8Array, indexOf.get(stx) as number, slot)));
    this.stage1Blocks.push({ slot, seqs });
    this.unfinishedBySlot.set(slot, seqs.length);
    return r.deferred;
  }

  private sampleSlotCommittee(): Validator[] {
    const rng = this.streams.get("slot-committee");
    return rng.sample(this.validators.length, this.cfg.committeeSize).map((i) => this.validators[i] as Validator);
  }

  /** Gives an included transaction its global sequence number and queues it on its contracts. */
  private sequence(stx: SignedTx, txId: Uint8Array, index: number, slot: number): number {
    const seq = this.txs.length;
    const footprint = computeFootprint(stx.tx.program);
    const positions = new Map<string, number>();
    for (const id of footprint) {
      const tr = this.tracks.get(id);
      if (!tr) continue; // absent when sequenced: calls to it fail
      positions.set(id, tr.queue.length);
      tr.queue.push(seq);
    }
    this.txs.push({
      seq,
      index,
      stx,
      program: stx.tx.program,
      txId,
      footprint,
      positions,
      stage1Slot: slot,
      remaining: positions.size,
      executions: 0,
      affirmedIn: new Map(),
    });
    this.metrics.include(index, slot, "stage1", `seq ${seq}`);
    return seq;
  }

  // ---------------------------------------------------------------- Stage 2

  private produceStage2Block(slot: number, number: number): void {
    // Work between the previous Stage-2 block and this one.
    for (let k = 0; k < this.committees.length; k++) this.executeReady(k, slot);
    this.finishOrphans(slot);
    for (let k = 0; k < this.committees.length; k++) this.produceBatch(k, number);
    this.round++;

    // The block: per committee, batches in order while they continue the affirmed chain.
    const included: Batch[] = [];
    for (let k = 0; k < this.committees.length; k++) {
      const q = this.pending[k] as Batch[];
      while (q.length > 0) {
        const b = q[0] as Batch;
        if (b.arrivalBlock > number || !this.isBatchApplicable(b)) break;
        if (!isAttestationFinal(this.verifier, this.committees[k] as Validator[], b.attestation)) break;
        q.shift();
        included.push(b);
      }
    }
    const parent = this.blocks[this.blocks.length - 1];
    const header: Stage2HeaderValue = {
      number,
      slot,
      parentRoot: parent?.root ?? new Uint8Array(32),
      batchesRoot: commitList(included.map((b) => b.root)).root,
    };
    const root = Stage2Header.hashTreeRoot(header);
    const attesters = this.sampleSlotCommittee();
    const attestation = collectAttestation(this.verifier, attesters, sha256(DOMAIN_STAGE2, root));
    this.signatures += attesters.length;
    this.blocks.push({ header, root, batches: included, attestation, attesters });
    included.forEach((b, bi) => this.applyBatch(b, number, bi, slot));
  }

  private isBatchApplicable(b: Batch): boolean {
    return b.affirmations.every((a) => {
      const tr = this.frontier(new TextDecoder().decode(a.contract));
      return isAffirmationApplicable(tr, tr.queue.indexOf(a.first), a.preRoot);
    });
  }

  /** Strict rule: execute, in order, every transaction whose footprint's pre-states are known. */
  private executeReady(k: number, slot: number): void {
    let progress = true;
    while (progress) {
      progress = false;
      for (const id of this.followed[k] as string[]) {
        const tr = this.frontier(id);
        while (tr.localIdx < tr.queue.length) {
          const t = this.txs[tr.queue[tr.localIdx] as number] as TxTrack;
          if (!isExecutableStrict(k, t.positions, this.frontier)) break;
          this.executeBy(k, t, slot);
          progress = true;
        }
      }
    }
  }

  private executeBy(k: number, t: TxTrack, slot: number): void {
    const handles = new Map<string, ContractHandle>();
    const remote: { id: string; snap: Snap; root: Uint8Array }[] = [];
    for (const [d, pos] of t.positions) {
      const tr = this.frontier(d);
      const own = tr.committee === k;
      const snap = tr.snaps[own ? tr.localIdx : pos];
      if (!snap) throw new Error(`internal: state of ${d} at ${pos} released too early`);
      handles.set(d, { codeHash: tr.codeHash, state: snap.kv, ended: snap.ended });
      if (!own) remote.push({ id: d, snap, root: tr.chainRoots[pos] as Uint8Array });
    }
    const ex = executeProgram(t.program, {
      runtime: this.runtime,
      sender: t.stx.tx.sender,
      txId: t.txId,
      gasLimit: t.stx.tx.gasLimit,
      contract: (id) => handles.get(id),
    });
    // Contracts it does not follow were read through witnesses against their affirmed roots.
    for (const r of remote) this.checkWitness(r.id, r.snap, r.root, ex.effects.reads.get(r.id));

    const status = ex.run.status === "committed" ? "committed" : "aborted";
    const valuesRoot = computeValuesRoot(ex.run.values);
    if (t.result) {
      if (t.result.status !== status || !bytesEqual(t.result.valuesRoot, valuesRoot)) {
        throw new Error(`internal: committees disagree on transaction ${t.seq}`);
      }
    } else {
      t.result = { status, at: ex.run.at, values: ex.run.values, valuesRoot, created: status === "committed" ? ex.effects.created : [] };
    }
    t.executions++;
    for (const [d, pos] of t.positions) {
      const tr = this.frontier(d);
      if (tr.committee !== k) continue;
      const pre = tr.snaps[pos] as Snap;
      const writes = status === "committed" ? ex.effects.writes.get(d) : undefined;
      const post: Snap = {
        kv: writes ? pre.kv.applyWrites(writes) : pre.kv,
        ended: pre.ended || (status === "committed" && ex.effects.ended.has(d)),
      };
      const postRoot = post.kv.root();
      tr.snaps[pos + 1] = post;
      tr.roots[pos + 1] = postRoot;
      tr.leaves[pos] = ResultLeaf.hashTreeRoot({ seq: t.seq, txId: t.txId, outcome: OUTCOME_CODES[status], valuesRoot, postRoot });
      tr.localIdx = pos + 1;
    }
    this.metrics.event(t.index, slot, "execute", `committee:${k}`, status);
  }

  private checkWitness(id: string, snap: Snap, root: Uint8Array, reads: Set<string> | undefined): void {
    if (!reads || reads.size === 0) return;
    const keys = [...reads].sort().map(fromHex);
    const bytes = encodeWitness(snap.kv.prove(keys));
    this.witnessBytes += bytes.length;
    this.witnesses++;
    const view = verifyWitness(root, decodeWitness(bytes));
    for (const key of keys) {
      const a = view.get(key);
      const b = snap.kv.get(key);
      if ((a === undefined) !== (b === undefined) || (a && b && !bytesEqual(a, b))) throw new Error(`internal: witness for ${id} disagrees`);
    }
  }

  /** Transactions none of whose contracts existed when sequenced: every call fails; final at once. */
  private finishOrphans(slot: number): void {
    for (const t of this.txs) {
      if (t.positions.size > 0 || t.result || t.stage1Slot >= slot) continue;
      const ex = executeProgram(t.program, { runtime: this.runtime, sender: t.stx.tx.sender, txId: t.txId, gasLimit: t.stx.tx.gasLimit, contract: () => undefined });
      const status = ex.run.status === "committed" ? "committed" : "aborted";
      t.result = { status, at: ex.run.at, values: ex.run.values, valuesRoot: computeValuesRoot(ex.run.values), created: [] };
      this.finalize(t, slot, this.blocks.length);
    }
  }

  private produceBatch(k: number, number: number): void {
    const affirmations: AffirmationValue[] = [];
    const leaves: Uint8Array[][] = [];
    const postRoots: Uint8Array[][] = [];
    for (const id of this.followed[k] as string[]) {
      const tr = this.frontier(id);
      if (tr.localIdx === tr.producedIdx) continue;
      const from = tr.producedIdx;
      const to = tr.localIdx;
      const ls = tr.leaves.slice(from, to);
      affirmations.push({
        contract: encodeContractId(id),
        first: tr.queue[from] as number,
        last: tr.queue[to - 1] as number,
        preRoot: tr.roots[from] as Uint8Array,
        postRoot: tr.roots[to] as Uint8Array,
        resultsRoot: commitList(ls).root,
      });
      leaves.push(ls);
      postRoots.push(tr.roots.slice(from + 1, to + 1));
      tr.producedIdx = to;
    }
    if (affirmations.length === 0) return;
    const affirmationRoots = affirmations.map((a) => Affirmation.hashTreeRoot(a));
    const header: BatchHeaderValue = { committee: k, round: this.round, affirmationsRoot: commitList(affirmationRoots).root };
    const root = BatchHeader.hashTreeRoot(header);
    const members = this.committees[k] as Validator[];
    const attestation = collectAttestation(this.verifier, members, sha256(DOMAIN_AFFIRMATION, root));
    this.signatures += members.length;
    const interval = (this.cfg.slotSeconds * 1000) / this.n;
    const delay = this.network.delayMs(this.streams.get("network"));
    const slip = Math.max(0, Math.ceil(delay / interval) - 1);
    (this.pending[k] as Batch[]).push({ header, root, affirmations, affirmationRoots, leaves, postRoots, attestation, arrivalBlock: number + slip });
  }

  private applyBatch(b: Batch, number: number, batchIndex: number, slot: number): void {
    b.affirmations.forEach((a, ai) => {
      const id = new TextDecoder().decode(a.contract);
      const tr = this.frontier(id);
      const from = tr.affirmedIdx;
      const pr = b.postRoots[ai] as Uint8Array[];
      for (let i = 0; i < pr.length; i++) tr.chainRoots[from + i + 1] = pr[i] as Uint8Array;
      tr.affirmedIdx = from + pr.length;
      tr.affirmedRoot = a.postRoot;
      this.affirmationsApplied++;
      for (let i = 0; i < pr.length; i++) {
        const t = this.txs[tr.queue[from + i] as number] as TxTrack;
        t.affirmedIn.set(id, { block: number, batch: batchIndex, affirmation: ai, leaf: i });
        this.affirmedThisSlot++;
        this.metrics.event(t.index, slot, "affirm", `committee:${b.header.committee}`, id);
        if (--t.remaining === 0) this.finalize(t, slot, number);
      }
    });
  }

  private finalize(t: TxTrack, slot: number, block: number): void {
    const r = t.result as TxResult;
    t.finalBlock = block;
    this.metrics.finish(t.index, slot, r.status, r.status === "aborted" ? `require failed at step ${r.at}` : null);
    this.metrics.setExtra(t.index, "executions", t.executions);
    // Release pre-states no longer needed by anyone (every committee of the footprint has executed t).
    for (const [d, pos] of t.positions) {
      const tr = this.frontier(d);
      if (pos < tr.localIdx) tr.snaps[pos] = undefined;
    }
    for (const c of r.created) {
      if (this.tracks.has(c.id)) continue;
      const committee = new DataView(sha256(this.cfg.seed, ":successor:", c.id).buffer).getUint32(0) % this.committees.length;
      this.addTrack(c.id, committee, c.codeHash, MerkleKV.empty().applyWrites(c.writes));
    }
    const left = (this.unfinishedBySlot.get(t.stage1Slot) as number) - 1;
    this.unfinishedBySlot.set(t.stage1Slot, left);
  }

  private recordSlot(s: number): void {
    while (this.fullyFinalSlot < s && (this.unfinishedBySlot.get(this.fullyFinalSlot + 1) ?? 0) === 0) this.fullyFinalSlot++;
    const lag = s - this.fullyFinalSlot;
    this.maxLag = Math.max(this.maxLag, lag);
    this.metrics.series(s, "lag", lag);
    this.metrics.series(s, "affirmed", this.affirmedThisSlot);
    this.metrics.series(s, "stage2Blocks", this.n);
    this.affirmedThisSlot = 0;
  }

  private finish(lastSlot: number): ProtocolRunOutput {
    let sum = 0;
    let counted = 0;
    for (const b of this.stage1Blocks) {
      if (b.seqs.length === 0) continue;
      const finals = b.seqs.map((q) => (this.txs[q] as TxTrack).finalBlock);
      if (finals.some((f) => f === undefined)) continue;
      const per = computeStage2BlocksFor((b.slot + 1) * this.n, Math.max(...(finals as number[])));
      this.stage2PerStage1.push(per);
      sum += per;
      counted++;
    }
    const executions = this.txs.reduce((a, t) => a + t.executions, 0);
    const results = this.metrics.build(
      this.protocolName,
      this.configRecord(),
      {
        stage2BlocksPerStage1Block: counted > 0 ? round(sum / counted) : null,
        maxLagSlots: this.maxLag,
        stage2Blocks: this.blocks.length,
        affirmations: this.affirmationsApplied,
        executionsPerTx: this.txs.length > 0 ? round(executions / this.txs.length) : null,
        witnessBytesMean: this.witnesses > 0 ? round(this.witnessBytes / this.witnesses) : 0,
        witnessBytesTotal: this.witnessBytes,
        signatures: this.signatures,
        crossCommitteeShare: this.txs.length > 0 ? round(this.txs.filter((t) => new Set([...t.positions.keys()].map((d) => this.frontier(d).committee)).size > 1).length / this.txs.length) : null,
      },
      lastSlot,
    );
    const contracts = new Map<string, MerkleKV>();
    for (const [id, tr] of this.tracks) contracts.set(id, (tr.snaps[tr.localIdx] as Snap).kv);
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
    return {
      protocol: this.protocolName,
      seed: c.seed,
      workload: { name: this.input.workload.name, params: this.input.workload.params },
      slotSeconds: c.slotSeconds,
      drainSlots: c.drainSlots,
      validators: c.validators,
      committeeSize: c.committeeSize,
      committees: c.shards,
      stage2PerSlot: c.stage2PerSlot,
      stage2Mode: "strict",
      blockTxLimit: c.blockTxLimit,
      signatures: c.signatures,
      network: this.network.name,
      trace: [...c.trace],
    };
  }

  // ---------------------------------------------------------------- light client

  /** Everything a light client needs to check transaction `index`'s outcome (see lightclient.ts). */
  getProofMaterial(index: number, contract?: string): ProofMaterial | undefined {
    const t = this.txs.find((x) => x.index === index);
    if (!t || t.finalBlock === undefined || !t.result) return undefined;
    const id = contract ?? [...t.affirmedIn.keys()][0];
    if (id === undefined) return undefined;
    const loc = t.affirmedIn.get(id);
    if (!loc) return undefined;
    const block = this.blocks[loc.block] as Stage2Block;
    const batch = block.batches[loc.batch] as Batch;
    const tr = this.frontier(id);
    const pos = t.positions.get(id) as number;
    return {
      txIndex: index,
      contract: id,
      block,
      batch,
      batchIndex: loc.batch,
      affirmationIndex: loc.affirmation,
      leafIndex: loc.leaf,
      leaf: { seq: t.seq, txId: t.txId, outcome: OUTCOME_CODES[t.result.status], postRoot: tr.chainRoots[pos + 1] as Uint8Array },
      values: t.result.values,
      committee: this.committees[batch.header.committee] as Validator[],
    };
  }
}
