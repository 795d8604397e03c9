/**
 * The simulator's driver of the receipts design (DESIGN §3). The rules are the spec in
 * `src/protocols/receipts/`; this file owns time, the shards' local views (mempools, queues), the
 * network model, the random streams and the metrics (through the spec's observer).
 *
 * Time is the event queue's, in milliseconds (slot s starts at s·S). Every message is an event
 * that arrives after the network model's delay, drawn from one seeded stream per kind of message:
 * - at s·S the beacon block of s crosslinks the shard headers its proposer has received and is
 *   imported (`processBeaconBlock`); it reaches each shard after a delay (`network:beacon`); the
 *   receipts of the headers it crosslinks leave for their destinations — a claim, or the receipt
 *   itself, per consume rule (`network`) — and the transactions submitted in s leave for the shard
 *   of their first call (`network:tx`);
 * - at s·S + S/2 every shard, in shard order, builds its block from its local view
 *   (`buildShardBlock`): what has arrived, and of the receipts only those whose crosslinking
 *   beacon block the shard has received; the block is imported with the same checks as any block
 *   received (`processBuiltShardBlock`: the header rules and every root, checked against the
 *   build's own execution of the items — a proposer does not execute its block twice; a block from
 *   any other builder goes through `processShardBlock`, which executes it), and its header leaves for the next
 *   beacon proposers (`network:header`). A header that arrives late is crosslinked by a later
 *   beacon block. The committee's attestation is aggregated when the block is built.
 */
import { toHex } from "../../crypto/hash.js";
import { createBlsVerifier, createNoopVerifier } from "../../crypto/bls.js";
import { computeFootprint, computeTxId, type SignedTx, type StepFailure } from "../../program/index.js";
import { describeAbort } from "../../exec/describe.js";
import { Runtime } from "../../runtime/index.js";
import { computeAssignment, computeCommittees, createUser, createValidators } from "../../chain/index.js";
import { getBeaconTotal } from "../../chain/beacon.js";
import type { ListCommitment } from "../../state/index.js";
import type { MerkleKV } from "../../state/index.js";
import { computeShardHeaderRoot, type ReceiptValue, type ShardHeaderValue } from "../../protocols/receipts/containers.js";
import { resolveConsumeRule, type ConsumeRule, type PoolEntry } from "../../protocols/receipts/consume/index.js";
import type { ReceiptsContext } from "../../protocols/receipts/context.js";
import type { ReceiptsObserver } from "../../protocols/receipts/observer.js";
import type { ExecutionKind, TransferKind } from "../../chain/observer.js";
import { resolveReceiptsParams, type ReceiptsParams } from "../../protocols/receipts/params.js";
import { createReceiptsState, getContractShard, type ReceiptsState } from "../../protocols/receipts/state.js";
import { createClaim } from "../../protocols/receipts/claims.js";
import { computeOutcome, computeReceiptId, computeStartShard } from "../../protocols/receipts/segments.js";
import { checkTxSubmission, computeShardProposer, type SegmentRecord } from "../../protocols/receipts/blockItems.js";
import { buildShardBlock, processBuiltShardBlock } from "../../protocols/receipts/build.js";
import { getItemReceipt } from "../../protocols/receipts/items.js";
import { buildBeaconBlock, getBeaconCommittee, processBeaconBlock } from "../../protocols/receipts/beaconBlock.js";
import { DegradationRecorder } from "../liveness.js";
import { MetricsRecorder, round } from "../metrics.js";
import { createNetworkModel, type NetworkModel } from "../network.js";
import { RngStreams } from "../rng.js";
import { EventQueue } from "../events.js";
import { deployGenesis } from "../world.js";
import { createSignatureBatch, getBatchOffload, type SignatureBatch } from "../shards/signatureBatch.js";
import { computeConfigRecord } from "../config.js";
import type { ProtocolRunInput, ProtocolRunOutput } from "../protocol.js";

/** A protocol name ending in this runs with congestion control on (`receipts:nonsequential+cc`). */
export const CONGESTION_SUFFIX = "+cc";

/** Beacon key under which fees bought at a first segment and not yet spent or refunded are held. */
export const ESCROW_ACCOUNT = "escrow:in-flight-fees";

/** The driver's record of one transaction (metrics only; the chain knows receipts, not these). */
interface TxTrack {
  readonly index: number;
  readonly stx: SignedTx;
  hops: number;
  segments: number;
  /** Some segment applied effects (a later failed `require` makes the transaction partial). */
  applied: boolean;
  /** Failed calls of every segment so far (for the abort reason). */
  readonly failures: StepFailure[];
  gasUsed: bigint;
  done: boolean;
  /** Why it is not finished yet (the `hung` reason if the run ends now). */
  waiting: string | undefined;
}

type Entry = PoolEntry<TxTrack>;
/** A shard's local view as the driver keeps it (appended to as messages arrive). */
interface MutableView {
  mempool: Entry[];
  queue: Entry[];
}

/** An imported shard block, kept until a beacon block crosslinks it (its receipts then leave). */
interface ImportedBlock {
  readonly header: ShardHeaderValue;
  readonly receipts: readonly ReceiptValue[];
  readonly receiptList: ListCommitment;
}

/** Runs the receipts design over a generated workload; `protocolName` fixes the consume rule. */
export function runReceipts(input: ProtocolRunInput, protocolName: string): ProtocolRunOutput {
  return new ReceiptsDriver(input, protocolName).run();
}

class ReceiptsDriver implements ReceiptsObserver {
  private readonly cfg;
  private readonly rule: ConsumeRule;
  private readonly params: ReceiptsParams;
  private readonly ctx: ReceiptsContext;
  private readonly streams: RngStreams;
  private readonly network: NetworkModel;
  private readonly metrics: MetricsRecorder;
  private state: ReceiptsState;
  private readonly beaconGenesisTotal: bigint;
  private readonly views: MutableView[];
  private readonly txs: TxTrack[] = [];
  private readonly byId = new Map<string, TxTrack>();
  /** Tracked transactions not yet done (the run may end early once it is 0). */
  private open = 0;
  private readonly consumptions = new Map<string, number>();
  private arrivals = 0;
  private readonly queue = new EventQueue();
  private readonly slotMs: number;
  /** Headers the beacon proposers have received and not yet crosslinked. */
  private headerInbox: ImportedBlock[] = [];
  /** The newest beacon slot each shard has received. */
  private readonly knownBeacon: number[];
  /** Receipts (or claims) that reached a shard before the beacon block that crosslinks them. */
  private readonly held: { beaconSlot: number; entry: Entry }[][];
  private pendingReceipts = 0;
  private maxReceiptQueue = 0;
  /** Per shard, max over the run: receipts listed for it and not consumed (count and attached gas), and its outgoing buffer. */
  private readonly maxIncoming: number[];
  private readonly maxIncomingGas: number[];
  private readonly maxBuffered: number[];
  private rejectedByCongestion = 0;
  private maxForced = 0;
  private claimsAccepted = 0;
  private claimsRejected = 0;
  private claimProofBytes = 0;
  private signatures = 0;
  private segmentsRun = 0;
  private readonly liveness: DegradationRecorder;
  private readonly batch: SignatureBatch; // a slot's committee signature checks, one batch at its end (in the run's workers if any)

  constructor(private readonly input: ProtocolRunInput, private readonly protocolName: string) {
    this.cfg = input.config;
    const cc = protocolName.endsWith(CONGESTION_SUFFIX);
    this.rule = resolveConsumeRule(cc ? protocolName.slice(0, -CONGESTION_SUFFIX.length) : protocolName, this.cfg.options);
    this.params = resolveReceiptsParams(this.rule.mode, this.cfg.options, this.cfg.slotGas, cc, this.cfg.blockTxLimit);
    this.streams = new RngStreams(this.cfg.seed);
    this.network = createNetworkModel(this.cfg.network);
    this.metrics = new MetricsRecorder(this.cfg.slotSeconds, this.cfg.trace, this.cfg.shards);

    const runtime = new Runtime();
    const deployed = deployGenesis(runtime, input.workload.genesis);
    const validators = createValidators(this.cfg.validators, this.cfg.seed);
    const K = this.cfg.shards;
    this.batch = createSignatureBatch(this.cfg.signatures ? createBlsVerifier() : createNoopVerifier(), getBatchOffload(input.workload));
    this.ctx = {
      params: this.params,
      rule: this.rule,
      seed: this.cfg.seed,
      committeeSize: this.cfg.committeeSize,
      blockTxLimit: this.cfg.blockTxLimit,
      validators,
      committees: computeCommittees(validators, this.cfg.seed, K, this.cfg.committeeSize),
      verifier: this.batch.verifier,
      runtime,
    };
    const accounts: [string, bigint][] = input.workload.genesis.accounts.map((a) => [toHex(createUser(a.name).address), a.balance]);
    for (const v of validators) accounts.push([v.account, 0n]);
    this.state = createReceiptsState(deployed, computeAssignment(deployed, K, this.cfg.seed), accounts, K, this.params.initialBaseFee);
    this.beaconGenesisTotal = getBeaconTotal(this.state.ledger);
    this.views = Array.from({ length: K }, () => ({ mempool: [], queue: [] }));
    this.knownBeacon = Array.from({ length: K }, () => -1);
    this.held = Array.from({ length: K }, () => []);
    this.maxIncoming = Array.from({ length: K }, () => 0);
    this.maxIncomingGas = Array.from({ length: K }, () => 0);
    this.maxBuffered = Array.from({ length: K }, () => 0);
    this.slotMs = Math.max(2, Math.round(this.cfg.slotSeconds * 1000));
    this.liveness = new DegradationRecorder(this.cfg, ["beacon", "shard"], "shard");
  }

  run(): ProtocolRunOutput {
    const subs = this.input.workload.submissions;
    const bySlot = new Map<number, TxTrack[]>();
    let lastSubmission = 0;
    for (const s of subs) {
      const t = this.track(s.index, s.tx, s.slot);
      (bySlot.get(s.slot) ?? bySlot.set(s.slot, []).get(s.slot))?.push(t);
      lastSubmission = Math.max(lastSubmission, s.slot);
    }
    const endSlot = lastSubmission + this.cfg.drainSlots;
    let lastSlot = 0;
    let over = false;
    const startSlot = (s: number): void => {
      lastSlot = s;
      this.produceBeaconBlock(s);
      for (const t of bySlot.get(s) ?? []) this.sendTx(t, s);
      this.queue.schedule(s * this.slotMs + Math.floor(this.slotMs / 2), () => {
        const built = this.state.shards.map((shard) => this.produceShardBlock(shard.index, s));
        this.recordSlot(s, built);
        this.batch.flush();
        this.input.onSlot?.(s, endSlot);
        if (s >= endSlot || (s >= lastSubmission && this.open === 0)) over = true;
        else this.queue.schedule((s + 1) * this.slotMs, () => startSlot(s + 1));
      });
    };
    this.queue.schedule(0, () => startSlot(0));
    while (!over && this.queue.size > 0) this.queue.runUntil(this.queue.now + this.slotMs);
    return this.finish(lastSlot);
  }

  /** A message leaves now and `deliver` runs when it arrives (the network model's delay, from `stream`). */
  private send(stream: string, deliver: () => void): void {
    const delay = Math.max(0, Math.ceil(this.network.delayMs(this.streams.get(stream))));
    this.queue.schedule(this.queue.now + delay, deliver);
  }

  private track(index: number, stx: SignedTx, slot: number): TxTrack {
    const t: TxTrack = { index, stx, hops: 0, segments: 0, applied: false, failures: [], gasUsed: 0n, done: false, waiting: undefined };
    const id = toHex(computeTxId(stx));
    this.txs[index] = t;
    this.open++;
    this.byId.set(id, t);
    this.metrics.submit(index, id, computeFootprint(stx.tx.program), slot);
    return t;
  }

  /** A new transaction is submitted: refused at once if no block could ever hold it, else sent to its first shard. */
  private sendTx(t: TxTrack, slot: number): void {
    const refused = checkTxSubmission(t.stx, this.params);
    if (refused) {
      this.setDone(t);
      this.metrics.event(t.index, slot, "reject", "user", refused.reason);
      this.metrics.finish(t.index, null, "rejected", refused.reason);
      return;
    }
    this.send("network:tx", () => this.submit(t));
  }

  /** A new transaction reaches the mempool of the shard of its first call. */
  private submit(t: TxTrack): void {
    const shard = computeStartShard(t.stx.tx.program, (id) => getContractShard(this.state, id));
    (this.views[shard] as MutableView).mempool.push({ item: { kind: "tx", tx: t.stx }, arrival: this.arrivals++, maxFeePerGas: t.stx.tx.maxFeePerGas, ref: t });
  }

  // ---------------------------------------------------------------- beacon chain

  /**
   * The beacon block of `slot` crosslinks the headers its proposer has received (in slot, shard
   * order) and is imported; it leaves for every shard, and the receipts of the crosslinked blocks
   * leave for their destinations.
   */
  private produceBeaconBlock(slot: number): void {
    if (this.liveness.enabled && !this.liveness.hasQuorum(getBeaconCommittee(this.ctx, slot), slot)) {
      // Liveness fault: the slot committee's online members hold < 2/3 — no final beacon block;
      // the headers wait for the next one.
      this.liveness.recordMissed("beacon", slot);
      return;
    }
    const linked = [...this.headerInbox].sort((a, b) => a.header.slot - b.header.slot || a.header.shard - b.header.shard);
    this.headerInbox = [];
    const { signed, crosslinks } = buildBeaconBlock(this.state, slot, linked.map((b) => computeShardHeaderRoot(b.header)), this.ctx, (c) => this.liveness.online(c, slot));
    this.state = processBeaconBlock(this.state, signed, this.ctx, { verifySignatures: this.cfg.signatures, observer: this });
    this.signatures += signed.attestation.signers.length;
    this.metrics.work.onSignatures(slot, signed.attestation.signers.length, 0);
    for (let shard = 0; shard < this.views.length; shard++) this.send("network:beacon", () => this.receiveBeacon(shard, slot));
    linked.forEach((block, position) => {
      for (const r of block.receipts) {
        const t = this.txOf(r.txId);
        this.metrics.event(t.index, slot, "crosslink", "beacon", `receipt ${computeReceiptId(r)} in shard ${block.header.shard}'s header`);
        const item = this.rule.delivery === "claim" ? { kind: "claim" as const, claim: createClaim(r, block.receiptList, block.header, crosslinks, slot, position) } : { kind: "receipt" as const, receipt: r };
        const entry: Entry = { item, arrival: 0, maxFeePerGas: r.maxFeePerGas, ref: t };
        this.send("network", () => this.receiveReceipt(r.destShard, slot, entry));
      }
    });
  }

  /** A beacon block reaches a shard: receipts it crosslinks that arrived first can now be used. */
  private receiveBeacon(shard: number, slot: number): void {
    if (slot <= (this.knownBeacon[shard] as number)) return;
    this.knownBeacon[shard] = slot;
    const held = this.held[shard] as { beaconSlot: number; entry: Entry }[];
    const ready = held.filter((h) => h.beaconSlot <= slot);
    this.held[shard] = held.filter((h) => h.beaconSlot > slot);
    for (const h of ready) this.deliver(shard, h.entry);
  }

  /** A receipt (or claim) reaches its destination; it waits there until the shard knows the beacon block that crosslinks it. */
  private receiveReceipt(dest: number, beaconSlot: number, entry: Entry): void {
    if (beaconSlot <= (this.knownBeacon[dest] as number)) this.deliver(dest, entry);
    else {
      entry.ref.waiting = `receipt waiting for beacon block ${beaconSlot} on shard ${dest}`;
      (this.held[dest] as { beaconSlot: number; entry: Entry }[]).push({ beaconSlot, entry });
    }
  }

  /** A receipt (or claim) enters its destination's inbox. */
  private deliver(dest: number, e: Entry): void {
    e.ref.waiting = `receipt waiting on shard ${dest}`;
    const view = this.views[dest] as MutableView;
    (this.rule.inbox === "queue" ? view.queue : view.mempool).push({ ...e, arrival: this.arrivals++ });
  }

  // ---------------------------------------------------------------- shard blocks

  private produceShardBlock(shard: number, slot: number): { block: ImportedBlock; forced: number } | undefined {
    if (this.liveness.enabled && this.isShardDown(shard, slot)) return undefined;
    const built = buildShardBlock(this.state, shard, slot, this.views[shard] as MutableView, this.ctx, { signers: (c) => this.liveness.online(c, slot) });
    this.views[shard] = { mempool: [...built.view.mempool], queue: [...built.view.queue] };
    for (const { entry, reason } of built.waiting) this.setWaiting(entry.ref, slot, shard, reason);
    for (const { entry, code, reason } of built.dropped) this.drop(entry, slot, shard, code, reason);
    // The shard's nodes check the block with the same rules as any block, against the build's execution (not a second one).
    const imported = processBuiltShardBlock(this.state, built, this.ctx, { verifySignatures: this.cfg.signatures, observer: this });
    this.state = imported.state;
    this.signatures += built.block.attestation.signers.length;
    this.metrics.work.onSignatures(slot, built.block.attestation.signers.length, 0);
    const block: ImportedBlock = { header: built.block.header, receipts: imported.receipts, receiptList: imported.receiptList };
    this.send("network:header", () => this.headerInbox.push(block));
    return { block, forced: built.forced };
  }

  /**
   * Liveness faults: the shard's proposer is offline (an empty slot, no re-selection) or its
   * committee's online members hold < 2/3 (no block can be final; the shard is stalled when it has
   * something to include). Its view keeps everything for a later block.
   */
  private isShardDown(shard: number, slot: number): boolean {
    const quorum = this.liveness.hasQuorum(this.ctx.committees[shard] ?? [], slot);
    if (quorum && this.liveness.isOnline(computeShardProposer(this.ctx, shard, slot).index, slot)) return false;
    this.liveness.recordMissed("shard", slot);
    const view = this.views[shard] as MutableView;
    if (!quorum && (view.mempool.length > 0 || view.queue.length > 0)) this.liveness.recordStall(shard, slot);
    return true;
  }

  /** An entry a block will never take: a new transaction is rejected; a receipt can never be consumed now. */
  private drop(entry: Entry, slot: number, shard: number, code: string, reason: string): void {
    const t = entry.ref;
    this.setDone(t);
    if (entry.item.kind === "tx") {
      if (code === "CONGESTED_DESTINATION") this.rejectedByCongestion++;
      this.metrics.finish(t.index, null, "rejected", reason);
      return;
    }
    const r = getItemReceipt(entry.item) as ReceiptValue;
    this.claimsRejected++;
    this.pendingReceipts--;
    this.metrics.event(t.index, slot, "claim", `shard:${shard}`, `receipt ${computeReceiptId(r)} rejected: ${code}`);
    this.metrics.finish(t.index, null, "hung", code === "STALE_PROOF" ? "receipt expired: claim window passed" : `claim rejected: ${code}`);
  }

  /** Records why a transaction waits (traced when the reason changes). */
  private setWaiting(t: TxTrack, slot: number, shard: number, reason: string): void {
    if (t.waiting !== reason) this.metrics.event(t.index, slot, "wait", `shard:${shard}`, reason);
    t.waiting = reason;
  }

  /** The transaction has its final outcome (or will never get one). */
  private setDone(t: TxTrack): void {
    if (t.done) return;
    t.done = true;
    this.open--;
  }

  private txOf(txId: Uint8Array): TxTrack {
    return this.byId.get(toHex(txId)) as TxTrack;
  }

  // Observer: the shared work figures, to the work collector (transactions by submission index).
  onExecution(slot: number, group: number, tx: number, kind: ExecutionKind, gas: number, txId?: Uint8Array): void {
    this.metrics.work.onExecution(slot, group, txId ? this.txOf(txId).index : tx, kind, gas);
  }

  onTransfer(slot: number, kind: TransferKind, bytes: number): void {
    this.metrics.work.onTransfer(slot, kind, bytes);
  }

  onSignatures(slot: number, made: number, verified: number): void {
    this.metrics.work.onSignatures(slot, made, verified);
  }

  /** Observer: a segment of an imported block (the spec calls this in block order). */
  onSegment(slot: number, shard: number, seg: SegmentRecord): void {
    const t = this.txOf(seg.txId);
    const where = `shard:${shard}`;
    if (seg.kind === "tx") this.metrics.include(t.index, slot, where, `base fee ${seg.baseFee}`);
    if (seg.consumed) {
      const id = computeReceiptId(seg.consumed);
      this.consumptions.set(id, (this.consumptions.get(id) ?? 0) + 1);
      this.pendingReceipts--;
      if (seg.kind === "claim") {
        this.claimsAccepted++;
        this.claimProofBytes += seg.proofBytes;
        this.metrics.event(t.index, slot, "claim", where, `receipt ${id} accepted, proof ${seg.proofBytes} bytes`);
      }
    }
    t.gasUsed += seg.gas;
    t.segments++;
    this.segmentsRun++;
    const run = seg.run;
    const failed = run.failures.map((f) => `; step ${f.step} failed: ${f.kind}: ${f.message}`).join("");
    this.metrics.event(t.index, slot, "segment", where, `steps ${seg.start}..${run.at - 1} ${run.status}, gas ${seg.gas}, fee ${seg.fee}${failed}`);
    if (run.status !== "aborted") t.applied ||= seg.effects;
    t.failures.push(...run.failures);
    if (seg.emitted) {
      t.hops++;
      t.waiting = "receipt in flight";
      this.pendingReceipts++;
      const what = seg.buffered ? `buffered for shard:${seg.emitted.destShard} (congested)` : `${computeReceiptId(seg.emitted)} → shard:${seg.emitted.destShard}`;
      this.metrics.event(t.index, slot, "receipt", where, `${what} at step ${run.at}`);
      return;
    }
    const status = run.status === "committed" ? "committed" : "aborted";
    const outcome = computeOutcome(status, t.applied);
    const reason = status === "committed" ? null : `${describeAbort(seg.program, run.at, run.values, t.failures)}${outcome === "partial" ? " (after earlier segments were final)" : ""}`;
    this.setDone(t);
    t.waiting = undefined;
    this.metrics.finish(t.index, slot, outcome, reason, where);
  }

  // ---------------------------------------------------------------- metrics
  private recordSlot(slot: number, built: ({ block: ImportedBlock; forced: number } | undefined)[]): void {
    this.maxReceiptQueue = Math.max(this.maxReceiptQueue, this.pendingReceipts);
    this.metrics.series(slot, "receiptQueue", this.pendingReceipts);
    const incoming = this.state.incoming.map((b) => b.receipts);
    this.state.incoming.forEach((b, d) => {
      this.maxIncoming[d] = Math.max(this.maxIncoming[d] as number, b.receipts);
      this.maxIncomingGas[d] = Math.max(this.maxIncomingGas[d] as number, Number(b.gas));
    });
    this.metrics.series(slot, "incomingQueue", incoming);
    if (this.params.congestion.enabled) {
      const buffered = this.state.shards.map((x) => x.buffer.length);
      buffered.forEach((n, d) => (this.maxBuffered[d] = Math.max(this.maxBuffered[d] as number, n)));
      this.metrics.series(slot, "outgoingBuffer", buffered);
    }
    // A missed shard block (liveness fault): its base fee stays, nothing is used or forced.
    this.metrics.series(
      slot,
      "baseFee",
      built.map((b, y) => Number(b ? b.block.header.baseFee : (this.state.shards[y] as { baseFee: bigint }).baseFee)),
    );
    this.metrics.series(
      slot,
      "gasUsed",
      built.map((b) => (b ? Number(b.block.header.gasUsed) : 0)),
    );
    if (this.rule.inbox === "queue") {
      const forced = built.map((b) => b?.forced ?? 0);
      this.maxForced = Math.max(this.maxForced, ...forced);
      this.metrics.series(slot, "forced", forced);
    }
  }

  private finish(lastSlot: number): ProtocolRunOutput {
    this.batch.flush();
    this.batch.settle();
    const included = this.txs.filter((t) => t && t.segments > 0);
    for (const t of included) {
      this.metrics.setExtra(t.index, "hops", t.hops);
      this.metrics.setExtra(t.index, "gas", Number(t.gasUsed));
    }
    for (const t of this.txs) if (t && !t.done) this.metrics.finish(t.index, null, "hung", t.waiting ?? "never included");
    const hops = included.map((t) => t.hops);
    const results = this.liveness.apply(this.metrics.build(
      this.protocolName,
      this.configRecord(),
      {
        hopsMean: hops.length > 0 ? round(hops.reduce((a, h) => a + h, 0) / hops.length) : null,
        hopsMax: hops.length > 0 ? hops.reduce((a, h) => Math.max(a, h), 0) : null,
        maxReceiptQueue: this.maxReceiptQueue,
        maxIncomingQueue: this.maxIncoming,
        maxIncomingQueueGas: this.maxIncomingGas,
        maxOutgoingBuffer: this.params.congestion.enabled ? this.maxBuffered : null,
        rejectedByCongestion: this.rejectedByCongestion,
        claims: this.claimsAccepted,
        claimsRejected: this.claimsRejected,
        claimProofBytesMean: this.rule.delivery === "claim" ? (this.claimsAccepted > 0 ? round(this.claimProofBytes / this.claimsAccepted) : 0) : null,
        maxForcedPerBlock: this.rule.inbox === "queue" ? this.maxForced : null,
        segments: this.segmentsRun,
        signatures: this.signatures,
      },
      lastSlot,
    ));
    const contracts = new Map<string, MerkleKV>();
    for (const [id, c] of this.state.contracts) contracts.set(id, c.kv);
    const beacon = new Map(this.state.ledger.balances);
    if (this.state.escrow !== 0n) beacon.set(ESCROW_ACCOUNT, this.state.escrow);
    return { results, end: { contracts, beacon, beaconGenesisTotal: this.beaconGenesisTotal, receiptConsumptions: this.consumptions } };
  }

  private configRecord(): Record<string, unknown> {
    const p = this.params;
    return computeConfigRecord(this.protocolName, this.cfg, this.input.workload, {
      network: this.network.name,
      consume: p.consume,
      forced: p.forced,
      window: p.window,
      blockGas: Number(p.blockGas),
      initialBaseFee: Number(p.initialBaseFee),
      segmentGas: Number(p.segmentGas),
      proofByteGas: Number(p.proofByteGas),
      congestion: p.congestion.enabled ? "on" : "off",
      congestionLimit: Number(p.congestion.limit),
      congestionRejectPermille: p.congestion.rejectPermille,
    });
  }
}
