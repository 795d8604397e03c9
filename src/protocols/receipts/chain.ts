/**
 * Asynchronous receipts (DESIGN §3; seed: "Appraisal of Non-sequential Receipt Cross-shard
 * Transactions"), driven slot by slot.
 *
 * Slot s: the beacon block of s crosslinks the shard headers of s-1; the receipts of those headers
 * are delivered (a claim with its Merkle proof, a forced-inclusion queue, or a fee-priced pool
 * entry, per consume mode) and reach their destination after the network delay; the transactions
 * submitted in s reach the mempool of the shard of their first call; then every shard, in shard
 * order, produces its block: it runs segments (new transactions, claims, receipts) against its
 * contracts, applies each segment's effects at once, charges each segment gas × base fee, emits a
 * receipt for every segment that stopped before a call to another shard, commits the receipts in
 * its header and moves its base fee. A shard committee attests each shard block, a slot committee
 * the beacon block (aggregated BLS, or the no-op verifier).
 */
import { sha256, toHex } from "../../crypto/hash.js";
import { createBlsVerifier, createNoopVerifier, type SignatureVerifier } from "../../crypto/bls.js";
import { isXshardError } from "../../errors.js";
import { executeProgram, type ContractHandle, type TxExecution } from "../../exec/executeTx.js";
import { computeFootprint, computeTxId, decodeProgram, encodeProgram, type CallStep, type Program, type SignedTx, type StepFailure } from "../../program/index.js";
import { describeAbort } from "../../exec/describe.js";
import { Runtime } from "../../runtime/index.js";
import { MetricsRecorder, round } from "../../sim/metrics.js";
import { createNetworkModel, type NetworkModel } from "../../sim/network.js";
import { RngStreams } from "../../sim/rng.js";
import {
  collectAttestation,
  computeAssignment,
  computeCommittees,
  computeProposer,
  computeSlotCommittee,
  createUser,
  createValidators,
  DOMAIN_PROPOSER,
  isAttestationFinal,
  type Validator,
} from "../../chain/index.js";
import { deployGenesis } from "../../sim/world.js";
import { commitList, MerkleKV, type ListCommitment } from "../../state/index.js";
import type { ContractId, MaybeValue } from "../../types.js";
import { checkStage1Tx, createBeaconState, getBeaconTotal, type BeaconState } from "../../chain/beacon.js";
import { computeConfigRecord } from "../../sim/config.js";
import type { ProtocolRunInput, ProtocolRunOutput } from "../../sim/protocol.js";
import {
  BeaconBlock,
  DOMAIN_BEACON_BLOCK,
  DOMAIN_SHARD_BLOCK,
  Receipt,
  ShardHeader,
  fromReceiptValues,
  toReceiptValues,
  type ReceiptValue,
  type ShardHeaderValue,
} from "./containers.js";
import { resolveReceiptsParams, type ReceiptsParams } from "./params.js";
import {
  compareByFee,
  computeCallBudget,
  computeClaimProofBytes,
  computeNextBaseFee,
  computeOutcome,
  computePrepaidFee,
  computeReceiptId,
  computeSegmentFee,
  computeSegmentGas,
  computeStartShard,
  createClaim,
  createClaimState,
  hasEffects,
  isFeeCapSufficient,
  isForcedSlotLeft,
  isRemoteCall,
  isWithinBlockGas,
  processClaim,
  processSequentialReceipt,
  pruneClaimState,
  type BeaconView,
  type Claim,
  type ClaimState,
  type InboundNonces,
} from "./rules.js";

/** Beacon key under which fees bought at a first segment and not yet spent or refunded are held. */
export const ESCROW_ACCOUNT = "escrow:in-flight-fees";

interface ContractSlot {
  readonly shard: number;
  readonly codeHash: string;
  kv: MerkleKV;
  ended: boolean;
}

interface TxTrack {
  readonly index: number;
  readonly stx: SignedTx;
  readonly txId: Uint8Array;
  readonly sender: string;
  readonly cap: bigint;
  readonly programBytes: Uint8Array;
  hops: number;
  segments: number;
  /** Some segment applied effects (a later failed `require` makes the transaction partial). */
  applied: boolean;
  /** Failed calls of every segment so far (for the abort reason). */
  readonly failures: StepFailure[];
  gasUsed: bigint;
  /** Fee bought at the first segment and not yet spent. */
  prepaid: bigint;
  done: boolean;
  /** Why it is not finished yet (the `hung` reason if the run ends now). */
  waiting: string | undefined;
}

/** A receipt on its way to, or waiting at, its destination. */
interface Delivery {
  readonly id: string;
  readonly receipt: ReceiptValue;
  readonly tx: TxTrack;
  /** nonsequential: the claim the sender's client submits. */
  readonly claim?: Claim;
}

/** A mempool entry: a new transaction, or a receipt (a claim under nonsequential). */
interface Item {
  readonly tx: TxTrack;
  readonly arrival: number;
  readonly maxFeePerGas: bigint;
  readonly delivery?: Delivery;
}

interface Shard {
  readonly index: number;
  readonly committee: readonly Validator[];
  /** Contracts living here, sorted by id (the state root's order). */
  contracts: ContractId[];
  baseFee: bigint;
  parentRoot: Uint8Array;
  claims: ClaimState;
  inbound: InboundNonces;
  /** Next receipt nonce towards each destination shard. */
  readonly outbound: number[];
  mempool: Item[];
  /** sequential: receipts waiting for forced inclusion, in arrival order. */
  queue: Delivery[];
}

/** What one shard block accumulates while it is built. */
interface BlockBuild {
  readonly shard: Shard;
  readonly slot: number;
  readonly baseFee: bigint;
  readonly proposer: Validator;
  gasUsed: bigint;
  count: number;
  readonly receipts: Delivery[];
}

/** A produced shard block, kept until the next beacon block crosslinks it. */
interface ShardBlock {
  readonly header: ShardHeaderValue;
  readonly receipts: Delivery[];
  readonly receiptList: ListCommitment;
}

interface BeaconRecord {
  readonly root: Uint8Array;
  readonly crosslinks: ListCommitment;
}

type Verdict = "included" | "wait" | "dropped";

/** Runs the receipts design over a generated workload; `protocolName` fixes the consume mode (see params.ts). */
export function runReceipts(input: ProtocolRunInput, protocolName: string): ProtocolRunOutput {
  return new ReceiptsChain(input, protocolName).run();
}

export class ReceiptsChain {
  private readonly cfg;
  private readonly params: ReceiptsParams;
  private readonly streams: RngStreams;
  private readonly runtime = new Runtime();
  private readonly verifier: SignatureVerifier;
  private readonly network: NetworkModel;
  private readonly validators: Validator[];
  private readonly metrics: MetricsRecorder;
  private readonly contracts = new Map<ContractId, ContractSlot>();
  private readonly shards: Shard[];
  private readonly txs: TxTrack[] = [];
  private readonly beacon: BeaconState;
  private readonly beaconGenesisTotal: bigint;
  private readonly beaconBlocks = new Map<number, BeaconRecord>();
  private readonly consumptions = new Map<string, number>();
  private beaconParent: Uint8Array = new Uint8Array(32);
  private escrow = 0n;
  private arrivals = 0;
  /** Shard blocks of the previous slot, in shard order (crosslinked by the next beacon block). */
  private lastBlocks: ShardBlock[] = [];
  /** Deliveries on the network: they reach their destination at slot `at`. */
  private transit: { at: number; d: Delivery }[] = [];
  private pendingReceipts = 0;
  private maxReceiptQueue = 0;
  private maxForced = 0;
  private claimsAccepted = 0;
  private claimsRejected = 0;
  private claimProofBytes = 0;
  private signatures = 0;
  private segmentsRun = 0;

  constructor(private readonly input: ProtocolRunInput, private readonly protocolName: string) {
    this.cfg = input.config;
    this.params = resolveReceiptsParams(protocolName, this.cfg.options);
    this.streams = new RngStreams(this.cfg.seed);
    this.verifier = this.cfg.signatures ? createBlsVerifier() : createNoopVerifier();
    this.network = createNetworkModel(this.cfg.network);
    this.metrics = new MetricsRecorder(this.cfg.slotSeconds, this.cfg.trace);

    const deployed = deployGenesis(this.runtime, input.workload.genesis);
    this.validators = createValidators(this.cfg.validators, this.cfg.seed);
    const K = this.cfg.shards;
    const committees = computeCommittees(this.validators, this.cfg.seed, K, this.cfg.committeeSize);
    this.shards = committees.map((committee, index) => ({
      index,
      committee,
      contracts: [],
      baseFee: this.params.initialBaseFee,
      parentRoot: new Uint8Array(32),
      claims: createClaimState(index),
      inbound: new Map(),
      outbound: Array.from({ length: K }, () => 0),
      mempool: [],
      queue: [],
    }));
    const assignment = computeAssignment(deployed, K, this.cfg.seed);
    for (const d of deployed) this.addContract(d.id, assignment.get(d.id) as number, d.codeHash, d.state);

    const accounts: [string, bigint][] = input.workload.genesis.accounts.map((a) => [toHex(createUser(a.name).address), a.balance]);
    for (const v of this.validators) accounts.push([v.account, 0n]);
    this.beacon = createBeaconState(accounts);
    this.beaconGenesisTotal = getBeaconTotal(this.beacon);
  }

  private addContract(id: ContractId, shard: number, codeHash: string, kv: MerkleKV): void {
    this.contracts.set(id, { shard, codeHash, kv, ended: false });
    const s = this.shards[shard] as Shard;
    s.contracts = [...s.contracts, id].sort();
  }

  private shardOf = (id: ContractId): number | undefined => this.contracts.get(id)?.shard;

  run(): ProtocolRunOutput {
    const subs = this.input.workload.submissions;
    const bySlot = new Map<number, TxTrack[]>();
    let lastSubmission = 0;
    for (const s of subs) {
      const t = this.track(s.index, s.tx);
      (bySlot.get(s.slot) ?? bySlot.set(s.slot, []).get(s.slot))?.push(t);
      this.metrics.submit(s.index, toHex(t.txId), computeFootprint(s.tx.tx.program), s.slot);
      lastSubmission = Math.max(lastSubmission, s.slot);
    }
    const endSlot = lastSubmission + this.cfg.drainSlots;
    let lastSlot = 0;
    for (let s = 0; s <= endSlot; s++) {
      lastSlot = s;
      this.produceBeaconBlock(s);
      this.deliverReceipts(s);
      this.receiveTransit(s);
      for (const t of bySlot.get(s) ?? []) this.submit(t);
      const built = this.shards.map((shard) => this.produceShardBlock(shard, s));
      this.lastBlocks = built.map((b) => b.block);
      this.recordSlot(s, built);
      this.input.onSlot?.(s, endSlot);
      if (s >= lastSubmission && this.txs.every((t) => t.done)) break;
    }
    return this.finish(lastSlot);
  }

  private track(index: number, stx: SignedTx): TxTrack {
    const t: TxTrack = {
      index,
      stx,
      txId: computeTxId(stx),
      sender: toHex(stx.tx.sender),
      cap: stx.tx.maxFeePerGas,
      programBytes: encodeProgram(stx.tx.program),
      hops: 0,
      segments: 0,
      applied: false,
      failures: [],
      gasUsed: 0n,
      prepaid: 0n,
      done: false,
      waiting: undefined,
    };
    this.txs[index] = t;
    return t;
  }

  /** A new transaction reaches the mempool of the shard of its first call. */
  private submit(t: TxTrack): void {
    const shard = this.shards[computeStartShard(t.stx.tx.program, this.shardOf)] as Shard;
    shard.mempool.push({ tx: t, arrival: this.arrivals++, maxFeePerGas: t.cap });
  }

  // ---------------------------------------------------------------- beacon chain

  private produceBeaconBlock(slot: number): void {
    const headerRoots = this.lastBlocks.map((b) => ShardHeader.hashTreeRoot(b.header));
    const crosslinks = commitList(headerRoots);
    const root = BeaconBlock.hashTreeRoot({ slot, parentRoot: this.beaconParent, crosslinksRoot: crosslinks.root, crosslinkCount: headerRoots.length });
    const committee = computeSlotCommittee(this.validators, this.cfg.seed, slot, this.cfg.committeeSize);
    const att = collectAttestation(this.verifier, committee, sha256(DOMAIN_BEACON_BLOCK, root));
    this.signatures += committee.length;
    if (!isAttestationFinal(this.verifier, committee, att)) throw new Error("internal: honest beacon attestation not final");
    this.beaconBlocks.set(slot, { root, crosslinks });
    this.beaconBlocks.delete(slot - this.params.window - 1);
    this.beaconParent = root;
  }

  private beaconView(slot: number): BeaconView {
    return {
      slot,
      window: this.params.window,
      getCrosslinks: (s) => {
        const b = this.beaconBlocks.get(s);
        return b && { root: b.crosslinks.root, count: b.crosslinks.length };
      },
    };
  }

  /** The receipts of the headers the beacon block of `slot` just crosslinked leave for their destinations. */
  private deliverReceipts(slot: number): void {
    const beacon = this.beaconBlocks.get(slot) as BeaconRecord;
    const slotMs = this.cfg.slotSeconds * 1000;
    for (const block of this.lastBlocks) {
      for (const d of block.receipts) {
        this.metrics.event(d.tx.index, slot, "crosslink", "beacon", `receipt ${d.id} in shard ${block.header.shard}'s header`);
        const delivery: Delivery =
          this.params.consume === "nonsequential"
            ? { ...d, claim: createClaim(d.receipt, block.receiptList, block.header, beacon.crosslinks, slot) }
            : d;
        const slip = Math.max(0, Math.ceil(this.network.delayMs(this.streams.get("network")) / slotMs) - 1);
        this.transit.push({ at: slot + slip, d: delivery });
      }
    }
  }

  private receiveTransit(slot: number): void {
    const arrived = this.transit.filter((x) => x.at <= slot);
    this.transit = this.transit.filter((x) => x.at > slot);
    for (const { d } of arrived) {
      const dest = this.shards[d.receipt.destShard] as Shard;
      d.tx.waiting = `receipt waiting on shard ${dest.index}`;
      if (this.params.consume === "sequential") dest.queue.push(d);
      else dest.mempool.push({ tx: d.tx, arrival: this.arrivals++, maxFeePerGas: d.receipt.maxFeePerGas, delivery: d });
    }
  }

  // ---------------------------------------------------------------- shard blocks

  private produceShardBlock(shard: Shard, slot: number): { block: ShardBlock; forced: number } {
    const proposer = computeProposer(shard.committee, this.cfg.seed, slot, `${DOMAIN_PROPOSER}:${shard.index}`);
    const b: BlockBuild = { shard, slot, baseFee: shard.baseFee, proposer, gasUsed: 0n, count: 0, receipts: [] };
    const forced = this.params.consume === "sequential" ? this.processForcedReceipts(b) : 0;

    const order = this.params.consume === "passive" ? [...shard.mempool].sort(compareByFee) : shard.mempool;
    const gone = new Set<Item>();
    for (const item of order) {
      if (b.count >= this.cfg.blockTxLimit) {
        this.setWaiting(item.tx, slot, shard, `block full on shard ${shard.index}`);
        continue;
      }
      const v = item.delivery ? this.processDelivery(b, item.delivery) : this.processNewTx(b, item.tx);
      if (v !== "wait") gone.add(item);
    }
    shard.mempool = shard.mempool.filter((i) => !gone.has(i));

    const receiptList = commitList(b.receipts.map((d) => Receipt.hashTreeRoot(d.receipt)));
    const header: ShardHeaderValue = {
      shard: shard.index,
      slot,
      proposer: proposer.index,
      parentRoot: shard.parentRoot,
      stateRoot: this.computeStateRoot(shard),
      receiptsRoot: receiptList.root,
      receiptCount: b.receipts.length,
      gasUsed: b.gasUsed,
      baseFee: b.baseFee,
    };
    const root = ShardHeader.hashTreeRoot(header);
    const att = collectAttestation(this.verifier, shard.committee, sha256(DOMAIN_SHARD_BLOCK, root));
    this.signatures += shard.committee.length;
    if (!isAttestationFinal(this.verifier, shard.committee, att)) throw new Error("internal: honest shard attestation not final");
    shard.parentRoot = root;
    shard.baseFee = computeNextBaseFee(b.baseFee, b.gasUsed, this.params.blockGas);
    shard.claims = pruneClaimState(shard.claims, slot + 1, this.params.window);
    return { block: { header, receipts: b.receipts, receiptList }, forced };
  }

  /** sequential: the block first processes queued receipts in order, at most `forced` of them. */
  private processForcedReceipts(b: BlockBuild): number {
    const shard = b.shard;
    let processed = 0;
    while (shard.queue.length > 0 && isForcedSlotLeft(processed, this.params.forced) && b.count < this.cfg.blockTxLimit) {
      if (this.processDelivery(b, shard.queue[0] as Delivery) === "wait") break;
      shard.queue.shift();
      processed++;
    }
    for (const d of shard.queue) this.setWaiting(d.tx, b.slot, shard, `receipt queued on shard ${shard.index}`);
    return processed;
  }

  /** Commitment to the shard's contracts: sha256(id ‖ state root ‖ ended) per contract, in id order. */
  private computeStateRoot(shard: Shard): Uint8Array {
    return commitList(
      shard.contracts.map((id) => {
        const c = this.contracts.get(id) as ContractSlot;
        return sha256(id, c.kv.root(), c.ended ? "1" : "0");
      }),
    ).root;
  }

  /** A new transaction: Stage-1 validity, fee cap, then its first segment if the block has room. */
  private processNewTx(b: BlockBuild, t: TxTrack): Verdict {
    const tx = t.stx.tx;
    const prepaid = computePrepaidFee(tx.gasLimit, tx.maxFeePerGas);
    const check = checkStage1Tx(this.beacon, t.stx, 0n, prepaid);
    if (check.ok === false) {
      t.done = true;
      this.metrics.finish(t.index, null, "rejected", check.reason);
      return "dropped";
    }
    if (check.ok === "later") return this.setWaiting(t, b.slot, b.shard, "nonce not reached");
    if (!isFeeCapSufficient(t.cap, b.baseFee)) return this.setWaiting(t, b.slot, b.shard, `base fee above cap on shard ${b.shard.index}`);
    const ex = this.executeSegment(b.shard.index, t, tx.program, 0, [], tx.gasLimit, 0);
    const gas = computeSegmentGas(ex.gas, 0, tx.gasLimit, this.params.segmentGas, this.params.proofByteGas);
    if (!isWithinBlockGas(b.gasUsed, gas, this.params.blockGas)) return this.setWaiting(t, b.slot, b.shard, `block full on shard ${b.shard.index}`);

    this.beacon.balances.set(t.sender, (this.beacon.balances.get(t.sender) as bigint) - prepaid);
    this.beacon.nonces.set(t.sender, tx.nonce + 1n);
    this.escrow += prepaid;
    t.prepaid = prepaid;
    this.metrics.include(t.index, b.slot, `shard:${b.shard.index}`, `base fee ${b.baseFee}`);
    this.applySegment(b, t, tx.program, 0, ex, gas);
    return "included";
  }

  /**
   * A receipt at its destination. nonsequential: the claim waits while the base fee is above the
   * sender's cap, then `processClaim` verifies it (a rejected claim drops the receipt). sequential:
   * forced, in nonce order, at the base fee capped by the sender's cap. passive: waits while the
   * base fee is above the cap.
   */
  private processDelivery(b: BlockBuild, d: Delivery): Verdict {
    const shard = b.shard;
    const r = d.receipt;
    const mode = this.params.consume;
    if (mode !== "sequential" && !isFeeCapSufficient(r.maxFeePerGas, b.baseFee)) {
      const what = mode === "nonsequential" ? "claim" : "receipt";
      return this.setWaiting(d.tx, b.slot, shard, `${what} waiting: base fee above cap on shard ${shard.index}`);
    }
    let claims = shard.claims;
    let inbound = shard.inbound;
    let proofBytes = 0;
    if (d.claim) {
      try {
        claims = processClaim(shard.claims, d.claim, this.beaconView(b.slot));
      } catch (e) {
        if (!isXshardError(e)) throw e;
        this.rejectClaim(d, b.slot, shard, e.code);
        return "dropped";
      }
      proofBytes = computeClaimProofBytes(d.claim);
    }
    if (mode === "sequential") inbound = processSequentialReceipt(shard.inbound, r);

    const program = decodeProgram(r.program);
    const ex = this.executeSegment(shard.index, d.tx, program, r.resumeAt, fromReceiptValues(r.values), r.gasLeft, proofBytes);
    const gas = computeSegmentGas(ex.gas, proofBytes, r.gasLeft, this.params.segmentGas, this.params.proofByteGas);
    if (!isWithinBlockGas(b.gasUsed, gas, this.params.blockGas)) return this.setWaiting(d.tx, b.slot, shard, `block full on shard ${shard.index}`);

    shard.claims = claims;
    shard.inbound = inbound;
    this.consumptions.set(d.id, (this.consumptions.get(d.id) ?? 0) + 1);
    this.pendingReceipts--;
    if (d.claim) {
      this.claimsAccepted++;
      this.claimProofBytes += proofBytes;
      this.metrics.event(d.tx.index, b.slot, "claim", `shard:${shard.index}`, `receipt ${d.id} accepted, proof ${proofBytes} bytes`);
    }
    this.applySegment(b, d.tx, program, r.resumeAt, ex, gas);
    return "included";
  }

  private rejectClaim(d: Delivery, slot: number, shard: Shard, code: string): void {
    this.claimsRejected++;
    this.pendingReceipts--;
    this.metrics.event(d.tx.index, slot, "claim", `shard:${shard.index}`, `receipt ${d.id} rejected: ${code}`);
    // The receipt can never be consumed now: the transaction stays unfinished for good.
    d.tx.done = true;
    this.metrics.finish(d.tx.index, null, "hung", code === "STALE_PROOF" ? "receipt expired: claim window passed" : `claim rejected: ${code}`);
  }

  /** Records why a transaction waits (traced when the reason changes). */
  private setWaiting(t: TxTrack, slot: number, shard: Shard, reason: string): "wait" {
    if (t.waiting !== reason) this.metrics.event(t.index, slot, "wait", `shard:${shard.index}`, reason);
    t.waiting = reason;
    return "wait";
  }

  /** Runs a segment on `shard` from step `start` until the program ends or calls another shard. Applies nothing. */
  private executeSegment(shard: number, t: TxTrack, program: Program, start: number, values: MaybeValue[], gasLeft: bigint, proofBytes: number): TxExecution {
    return executeProgram(
      program,
      {
        runtime: this.runtime,
        sender: t.stx.tx.sender,
        txId: t.txId,
        gasLimit: computeCallBudget(gasLeft, proofBytes, this.params.segmentGas, this.params.proofByteGas),
        contract: (id) => this.getHandle(shard, id),
      },
      { start, values, suspendBefore: (step) => isRemoteCall(step, shard, this.shardOf) },
    );
  }

  private getHandle(shard: number, id: ContractId): ContractHandle | undefined {
    const c = this.contracts.get(id);
    return c && c.shard === shard ? { codeHash: c.codeHash, state: c.kv, ended: c.ended } : undefined;
  }

  /**
   * Makes a segment final in this block: charges its fee, applies its effects (unless it aborted),
   * then emits a receipt (suspended) or finishes the transaction.
   */
  private applySegment(b: BlockBuild, t: TxTrack, program: Program, start: number, ex: TxExecution, gas: bigint): void {
    const shard = b.shard;
    const fee = computeSegmentFee(gas, b.baseFee, t.cap);
    t.prepaid -= fee;
    this.escrow -= fee;
    this.credit(b.proposer.account, fee);
    t.gasUsed += gas;
    t.segments++;
    b.gasUsed += gas;
    b.count++;
    this.segmentsRun++;
    const run = ex.run;
    const failed = run.failures.map((f) => `; step ${f.step} failed: ${f.kind}: ${f.message}`).join("");
    this.metrics.event(t.index, b.slot, "segment", `shard:${shard.index}`, `steps ${start}..${run.at - 1} ${run.status}, gas ${gas}, fee ${fee}${failed}`);
    if (run.status !== "aborted") {
      this.applyEffects(shard.index, ex);
      t.applied ||= hasEffects(ex.effects);
    }
    t.failures.push(...run.failures);
    if (run.status === "suspended") {
      this.emitReceipt(b, t, program.steps[run.at] as CallStep, run.at, run.values);
      return;
    }
    const outcome = computeOutcome(run.status, t.applied);
    const reason =
      run.status === "committed" ? null : `${describeAbort(program, run.at, run.values, t.failures)}${outcome === "partial" ? " (after earlier segments were final)" : ""}`;
    this.finishTx(t, b.slot, outcome, reason, `shard:${shard.index}`);
  }

  private applyEffects(shard: number, ex: TxExecution): void {
    for (const [id, writes] of ex.effects.writes) {
      const c = this.contracts.get(id) as ContractSlot;
      c.kv = c.kv.applyWrites(writes);
    }
    for (const id of ex.effects.ended) (this.contracts.get(id) as ContractSlot).ended = true;
    for (const c of ex.effects.created) {
      if (!this.contracts.has(c.id)) this.addContract(c.id, shard, c.codeHash, MerkleKV.empty().applyWrites(c.writes));
    }
  }

  private emitReceipt(b: BlockBuild, t: TxTrack, step: CallStep, at: number, values: MaybeValue[]): void {
    const destShard = this.shardOf(step.contract) as number;
    const receipt: ReceiptValue = {
      sourceShard: b.shard.index,
      slot: b.slot,
      index: b.receipts.length,
      destShard,
      nonce: b.shard.outbound[destShard] as number,
      txId: t.txId,
      sender: t.stx.tx.sender,
      maxFeePerGas: t.cap,
      gasLeft: t.stx.tx.gasLimit - t.gasUsed,
      prepaid: t.prepaid,
      resumeAt: at,
      program: t.programBytes,
      values: toReceiptValues(values),
    };
    b.shard.outbound[destShard] = receipt.nonce + 1;
    const id = computeReceiptId(receipt);
    b.receipts.push({ id, receipt, tx: t });
    t.hops++;
    t.waiting = "receipt in flight";
    this.pendingReceipts++;
    this.metrics.event(t.index, b.slot, "receipt", `shard:${b.shard.index}`, `${id} → shard:${destShard} at step ${at}`);
  }

  private credit(account: string, amount: bigint): void {
    this.beacon.balances.set(account, (this.beacon.balances.get(account) ?? 0n) + amount);
  }

  /** The transaction's last segment is final: the unspent prepaid fee goes back to the sender. */
  private finishTx(t: TxTrack, slot: number, outcome: "committed" | "aborted" | "partial", reason: string | null, where: string): void {
    this.credit(t.sender, t.prepaid);
    this.escrow -= t.prepaid;
    t.prepaid = 0n;
    t.done = true;
    t.waiting = undefined;
    this.metrics.finish(t.index, slot, outcome, reason, where);
  }

  // ---------------------------------------------------------------- metrics

  private recordSlot(slot: number, built: { block: ShardBlock; forced: number }[]): void {
    this.maxReceiptQueue = Math.max(this.maxReceiptQueue, this.pendingReceipts);
    this.metrics.series(slot, "receiptQueue", this.pendingReceipts);
    this.metrics.series(
      slot,
      "baseFee",
      built.map((b) => Number(b.block.header.baseFee)),
    );
    this.metrics.series(
      slot,
      "gasUsed",
      built.map((b) => Number(b.block.header.gasUsed)),
    );
    if (this.params.consume === "sequential") {
      const forced = built.map((b) => b.forced);
      this.maxForced = Math.max(this.maxForced, ...forced);
      this.metrics.series(slot, "forced", forced);
    }
  }

  private finish(lastSlot: number): ProtocolRunOutput {
    const included = this.txs.filter((t) => t && t.segments > 0);
    for (const t of included) {
      this.metrics.setExtra(t.index, "hops", t.hops);
      this.metrics.setExtra(t.index, "gas", Number(t.gasUsed));
    }
    for (const t of this.txs) if (t && !t.done) this.metrics.finish(t.index, null, "hung", t.waiting ?? "never included");
    const hops = included.map((t) => t.hops);
    const p = this.params;
    const results = this.metrics.build(
      this.protocolName,
      this.configRecord(),
      {
        hopsMean: hops.length > 0 ? round(hops.reduce((a, h) => a + h, 0) / hops.length) : null,
        hopsMax: hops.length > 0 ? Math.max(...hops) : null,
        maxReceiptQueue: this.maxReceiptQueue,
        claims: this.claimsAccepted,
        claimsRejected: this.claimsRejected,
        claimProofBytesMean: p.consume === "nonsequential" ? (this.claimsAccepted > 0 ? round(this.claimProofBytes / this.claimsAccepted) : 0) : null,
        maxForcedPerBlock: p.consume === "sequential" ? this.maxForced : null,
        segments: this.segmentsRun,
        signatures: this.signatures,
      },
      lastSlot,
    );
    const contracts = new Map<string, MerkleKV>();
    for (const [id, c] of this.contracts) contracts.set(id, c.kv);
    const beacon = new Map(this.beacon.balances);
    if (this.escrow !== 0n) beacon.set(ESCROW_ACCOUNT, this.escrow);
    return { results, end: { contracts, beacon, beaconGenesisTotal: this.beaconGenesisTotal, receiptConsumptions: this.consumptions } };
  }

  private configRecord(): Record<string, unknown> {
    const c = this.cfg;
    const p = this.params;
    return computeConfigRecord(this.protocolName, c, this.input.workload, {
      network: this.network.name,
      consume: p.consume,
      forced: p.forced,
      window: p.window,
      blockGas: Number(p.blockGas),
      initialBaseFee: Number(p.initialBaseFee),
      segmentGas: Number(p.segmentGas),
      proofByteGas: Number(p.proofByteGas),
    });
  }
}
