/**
 * The simulator's driver of the synchronous baseline (spec: `src/protocols/sync/`). Height h is
 * slot h on every shard.
 *
 * Slot s (the slot event):
 * 1. If a wrong confirmation's fraud proof is usable from s, every block in its dependency cone is
 *    executed again (`computeReexecutionCone`, `executeSyncShardBlock`) and confirmed again.
 * 2. Execution: the next heights whose inputs have arrived — every shard's block of that height at
 *    every other shard, every shard's confirmation of the previous height at every other shard —
 *    run (`processSyncHeight`), oldest first; each shard committee then confirms its new root and
 *    sends the confirmation to the other shards. Their transactions are final in s.
 * 3. New transactions pass the fee check.
 * 4. The shard blocks of height s: every pending transaction is offered to each shard it lists; the
 *    shard's proposer includes it with probability q (the driver's stream `inclusion`, passed to
 *    `buildSyncBlock` as values). Every block is imported (`processSyncBlock`: proposer, chain,
 *    entries, attestation) and sent to the other shards. A transaction not included by every shard
 *    it lists is retried by its client at s+1 (the client is the driver: it sees every block at once).
 */
import { bytesEqual } from "../../crypto/hash.js";
import type { ContractId } from "../../types.js";
import { round } from "../metrics.js";
import type { ProtocolRunInput, ProtocolRunOutput } from "../protocol.js";
import { getListedShards, type ExecOutcome, type Snap } from "../../protocols/shards/world.js";
import { buildSyncBlock, computeSyncBlockRoot, createSyncState, processSyncBlock, type SyncBlock, type SyncBlockBody, type SyncParams, type SyncState } from "../../protocols/sync/block.js";
import { DOMAIN_CONFIRMATION, DOMAIN_SYNC_BLOCK } from "../../protocols/sync/containers.js";
import {
  buildConfirmation,
  computeConfirmationRoot,
  executeSyncShardBlock,
  getBlockRoot,
  getExecutionOrder,
  processSyncHeight,
  type ExecutedShardBlock,
  type SyncConfirmation,
  type SyncObserver,
} from "../../protocols/sync/execution.js";
import { computeReexecutionCone, resolveSyncOptions, type ShardHeight, type SyncOptions } from "../../protocols/sync/rules.js";
import { ShardsDriver, type DriverTx } from "../shards/driver.js";

interface SyncTx extends DriverTx {
  /** Shards listed at the current attempt. */
  shards: readonly number[];
  attempts: number;
}

/** What one height needs before it can run: deliveries of its blocks and of the previous confirmations. */
interface HeightInputs {
  blocks: SyncBlock[];
  /** Blocks of this height delivered to other shards (complete at shards × (shards − 1)). */
  blocksDelivered: number;
  /** Confirmations of this height delivered to other shards. */
  confirmationsDelivered: number;
  confirmations?: SyncConfirmation[];
}

/** A marker that no contract reads: a forged state differs from the true one only there. */
const FORGED_KEY = "ff666f72676564";
const FORGED_WRITES = new Map([[FORGED_KEY, new Uint8Array([1])]]);

/** Runs the synchronous baseline over a generated workload. */
export function runSync(input: ProtocolRunInput, protocolName = "sync"): ProtocolRunOutput {
  return new SyncDriver(input, protocolName).run();
}

export class SyncDriver {
  private readonly d: ShardsDriver;
  private readonly opts: SyncOptions;
  private readonly params: SyncParams;
  private readonly shards: number;
  private state: SyncState;
  private pending: SyncTx[] = [];
  private readonly byId = new Map<string, SyncTx>();
  /** Heights produced and not yet forgotten (their blocks, deliveries and confirmations). */
  private readonly heights = new Map<number, HeightInputs>();
  /** Light clients' confirmation checks (reader, confirmation) already made. */
  private readonly checked = new Set<string>();
  private readonly observer: SyncObserver;
  /** Fault window: the true confirmation the wrong one replaced, pre-states and executed blocks. */
  private honest: SyncConfirmation | undefined;
  private readonly preStates = new Map<number, ReadonlyMap<ContractId, Snap>>();
  private readonly executed: ExecutedShardBlock[] = [];
  /** In the fault window: which transactions ran at each height, and their outcomes. */
  private readonly ranAt = new Map<number, Set<string>>();
  private readonly outcomes = new Map<string, ExecOutcome>();
  private faultResolved = false;
  private readonly attemptsDone: number[] = [];
  private effectiveCross = 0;
  private effectiveTotal = 0;
  /** Effective transactions that did not fit the slot gas at their height and were offered again. */
  private deferredByGas = 0;
  private dropped = 0;
  private conflicts = 0;
  private reexecutedBlocks = 0;
  /** The fraud proof's cone is being executed again (its executions are `reexecute` work). */
  private reexecuting = false;
  private readonly reexecutedTxs = new Set<number>();
  private lightClientChecks = 0;

  constructor(input: ProtocolRunInput, protocolName: string) {
    this.d = new ShardsDriver(input, protocolName, true);
    this.shards = input.config.shards;
    this.opts = resolveSyncOptions(input.config.options, this.shards);
    this.params = { blockTxLimit: input.config.blockTxLimit };
    this.state = createSyncState(this.d.genesis, this.shards);
    const d = this.d;
    this.observer = {
      onExecute: (t, shard, height) => d.metrics.event((this.byId.get(t.txIdHex) as SyncTx).index, d.queue.now / d.slotMs, "execute", `shard:${shard}`, `height ${height}`),
      onConfirmationCheck: () => this.lightClientChecks++,
      onWitness: (bytes, kind) => d.countWitness(bytes, kind),
      // Work is recorded in the slot the driver runs it (a height runs once its inputs arrived);
      // executions of the fraud proof's cone are re-executions.
      onExecution: (_height, shard, tx, kind, gas) => d.metrics.work.onExecution(d.getCurrentSlot(), shard, tx, this.reexecuting ? "reexecute" : kind, gas),
      onTransfer: (_height, kind, bytes) => d.metrics.work.onTransfer(d.getCurrentSlot(), kind, bytes),
      onSignatures: (_height, made, verified) => d.metrics.work.onSignatures(d.getCurrentSlot(), made, verified),
    };
    // Genesis confirmations (height −1) are known to everyone from the start.
    const genesis: HeightInputs = { blocks: [], blocksDelivered: 0, confirmationsDelivered: this.shards * (this.shards - 1) };
    this.heights.set(-1, genesis);
    genesis.confirmations = this.confirm(-1, () => new Uint8Array(32));
  }

  run(): ProtocolRunOutput {
    const last = this.d.runSlots(
      (s) => this.step(s),
      () => this.isIdle(),
    );
    return this.finish(last);
  }

  private step(slot: number): void {
    if (slot === this.getDetectionSlot()) this.reexecuteCone(slot);
    // Liveness faults: a height is final when every shard's committee confirms it; one committee whose
    // online members hold < 2/3 stops every shard's finality until it is back.
    const canConfirm = this.canConfirm(slot);
    while (canConfirm && this.state.executed < slot - 1 && this.isReady(this.state.executed + 1)) this.executeHeight(this.state.executed + 1, slot);
    const r = this.d.admit(this.state.world, slot);
    this.state = { ...this.state, world: r.state };
    for (const t of r.admitted) {
      const st: SyncTx = { ...t, shards: [], attempts: 0 };
      this.pending.push(st);
      this.byId.set(t.txIdHex, st);
    }
    this.produceBlocks(slot);
  }

  /** Every shard's committee has ≥ 2/3 of its stake online at `slot`. */
  private canConfirm(slot: number): boolean {
    if (!this.d.liveness.enabled) return true;
    let all = true;
    for (let y = 0; y < this.shards; y++) all = this.d.hasQuorum(y, slot) && all;
    return all;
  }

  private isIdle(): boolean {
    const faultPending = this.opts.wrongConfirmation !== null && !this.faultResolved && this.getDetectionSlot() <= this.d.endSlot;
    let queued = false;
    for (const [h, x] of this.heights) {
      if ((h > this.state.executed || this.isInFaultWindow(h)) && x.blocks.some((b) => b.txs.length > 0)) queued = true;
    }
    return this.pending.length === 0 && !queued && !faultPending;
  }

  /** The slot from which the fraud proof of the wrong confirmation is usable. */
  private getDetectionSlot(): number {
    const w = this.opts.wrongConfirmation;
    return w ? w.height + 1 + this.opts.fraudProofDelay : -1;
  }

  private isInFaultWindow(height: number): boolean {
    const w = this.opts.wrongConfirmation;
    return w !== null && !this.faultResolved && height > w.height;
  }

  /** Every block of `height` and every confirmation of `height − 1` has reached every shard. */
  private isReady(height: number): boolean {
    const all = this.shards * (this.shards - 1);
    const x = this.heights.get(height);
    const prev = this.heights.get(height - 1);
    return x !== undefined && prev !== undefined && x.blocksDelivered >= all && prev.confirmations !== undefined && prev.confirmationsDelivered >= all;
  }

  // ---------------------------------------------------------------- blocks

  private produceBlocks(height: number): void {
    const d = this.d;
    const world = this.state.world;
    for (const t of this.pending) {
      t.shards = getListedShards(world, t.footprint);
      t.attempts++;
      d.metrics.setExtra(t.index, "attempts", t.attempts);
    }
    const rng = d.streams.get("inclusion");
    const includedBy = new Map<SyncTx, number>();
    let slotConflicts = 0;
    const blockSizes: number[] = [];
    const blocks: SyncBlock[] = new Array<SyncBlock>(this.shards);
    const inputs: HeightInputs = { blocks, blocksDelivered: 0, confirmationsDelivered: 0 };
    this.heights.set(height, inputs);
    // Without liveness faults the blocks are built first and imported after, so that their
    // attestations can be signed together on the run's threads (the same blocks, checks and counts:
    // building shard y's block reads only shard y's head, which importing another shard's does not move).
    const deferImport = !d.liveness.enabled;
    const built: { y: number; body: SyncBlockBody; root: Uint8Array }[] = [];
    for (let y = 0; y < this.shards; y++) {
      const offered = this.pending.filter((t) => t.shards.includes(y));
      const drawn = offered.map(() => rng.bool(this.opts.q));
      if (d.liveness.enabled && !this.isShardUp(y, height, offered.length > 0)) {
        blockSizes.push(0);
        continue;
      }
      const { body, included, conflicts } = buildSyncBlock(this.state, y, height, offered, drawn, this.params, d.ctx);
      slotConflicts += conflicts;
      for (const i of included) {
        const t = offered[i] as SyncTx;
        includedBy.set(t, (includedBy.get(t) ?? 0) + 1);
        d.metrics.include(t.index, height, `shard:${y}`, `attempt ${t.attempts}`);
      }
      blockSizes.push(included.length);
      const root = computeSyncBlockRoot(body.header);
      if (deferImport) built.push({ y, body, root });
      else this.importBlock(y, { ...body, attestation: d.attest(y, DOMAIN_SYNC_BLOCK, root, height) }, inputs, false);
    }
    d.presignAttestations(built.map(({ y, root }) => ({ shard: y, domain: DOMAIN_SYNC_BLOCK, root, slot: height })));
    for (const { y, body, root } of built) this.importBlock(y, { ...body, attestation: d.attest(y, DOMAIN_SYNC_BLOCK, root, height) }, inputs, false);
    this.conflicts += slotConflicts;
    for (let y = 0; y < this.shards; y++) {
      if (blocks[y] === undefined) continue;
      for (let z = 0; z < this.shards; z++) if (z !== y) d.send(() => inputs.blocksDelivered++);
    }

    const effective = this.pending.filter((t) => includedBy.get(t) === t.shards.length);
    const isEff = new Set(effective);
    for (const t of this.pending) {
      if (!isEff.has(t)) {
        this.dropped++;
        d.metrics.event(t.index, height, "dropped", "", `attempt ${t.attempts}: included by ${includedBy.get(t) ?? 0} of ${t.shards.length} shards`);
      }
    }
    this.pending = this.pending.filter((t) => !isEff.has(t));
    for (const t of effective) {
      this.attemptsDone.push(t.attempts);
      if (t.shards.length > 1) this.effectiveCross++;
    }
    this.effectiveTotal += effective.length;
    d.metrics.series(height, "effective", effective.length);
    d.metrics.series(height, "dropped", this.pending.length);
    d.metrics.series(height, "addressConflicts", slotConflicts);
    d.metrics.series(height, "blockTxs", blockSizes);
  }

  /** The import check every shard's executors run (one canonical check per block); the block joins its height. */
  private importBlock(y: number, block: SyncBlock, inputs: HeightInputs, send: boolean): void {
    this.state = processSyncBlock(this.state, block, this.params, this.d.ctx, {}, this.observer);
    inputs.blocks[y] = block;
    if (send) for (let z = 0; z < this.shards; z++) if (z !== y) this.d.send(() => inputs.blocksDelivered++);
  }

  /**
   * Liveness faults at `height` (= slot) for shard `y`. A committee whose online members hold < 2/3
   * signs nothing: the shard's chain stops (stalled when it has work) and its missing heights get
   * empty blocks once the committee is back (the same-height rule needs every shard's block at every
   * height). An offline proposer with a live committee: the height's block is empty. Both count as
   * missed shard slots. False when the shard makes no block now.
   */
  private isShardUp(y: number, height: number, hasWork: boolean): boolean {
    const d = this.d;
    const head = (this.state.heads[y] as { height: number }).height;
    if (!d.hasQuorum(y, height)) {
      d.liveness.recordMissed("shard", height);
      if (hasWork || head < height - 1) d.liveness.recordStall(y, height);
      return false;
    }
    for (let h = head + 1; h < height; h++) {
      const x = this.heights.get(h) as HeightInputs;
      const { body } = buildSyncBlock(this.state, y, h, [], [], this.params, d.ctx);
      this.importBlock(y, { ...body, attestation: d.attest(y, DOMAIN_SYNC_BLOCK, computeSyncBlockRoot(body.header), height) }, x, true);
    }
    if (d.isProposerOnline(y, height)) return true;
    d.liveness.recordMissed("shard", height);
    const { body } = buildSyncBlock(this.state, y, height, [], [], this.params, d.ctx);
    this.importBlock(y, { ...body, attestation: d.attest(y, DOMAIN_SYNC_BLOCK, computeSyncBlockRoot(body.header), height) }, this.heights.get(height) as HeightInputs, false);
    return false;
  }

  // ---------------------------------------------------------------- execution

  private executeHeight(height: number, slot: number): void {
    const d = this.d;
    const x = this.heights.get(height) as HeightInputs;
    const confs = (this.heights.get(height - 1) as HeightInputs).confirmations as SyncConfirmation[];
    const pre = this.state.world.states;
    const r = processSyncHeight(this.state, x.blocks, confs, d.ctx, this.checked, this.observer);
    this.state = r.state;
    if (this.isInFaultWindow(height)) {
      for (const e of r.executed) this.executed.push(e);
      this.preStates.set(height, pre);
      this.ranAt.set(height, new Set(r.ran.map((x) => x.tx.txIdHex)));
      for (const { tx, outcome } of r.ran) this.outcomes.set(tx.txIdHex, outcome);
    }
    for (const { tx, outcome } of r.ran) d.metrics.finish((this.byId.get(tx.txIdHex) as SyncTx).index, slot, outcome.status, outcome.reason);
    // Over the slot gas: the client offers them again (from the next blocks produced).
    for (const tx of r.deferred) {
      const t = this.byId.get(tx.txIdHex) as SyncTx;
      this.deferredByGas++;
      d.metrics.event(t.index, slot, "deferred", "", `height ${height}: over the slot gas of a shard it lists`);
      this.pending.push(t);
    }
    if (r.deferred.length > 0) this.pending.sort((a, b) => a.seq - b.seq);
    x.confirmations = this.confirm(height, (y) => getBlockRoot(x.blocks[y] as SyncBlock), slot);
    if (!this.isInFaultWindow(height)) this.forget(height - 1);
  }

  /** Drops what no later height or fault needs. */
  private forget(height: number): void {
    this.heights.delete(height);
  }

  /**
   * Every shard committee confirms its state root after `height` and sends it to the other shards.
   * The injected fault replaces one confirmation by a forged one, signed by the committee, whose
   * state differs from the true one in a key no contract reads — so executions that use it compute
   * the right values, but nobody can know that without executing them again.
   */
  private confirm(height: number, blockRoot: (shard: number) => Uint8Array, slot?: number): SyncConfirmation[] {
    const world = this.state.world;
    const confs: SyncConfirmation[] = [];
    const x = this.heights.get(height) as HeightInputs;
    // Every committee's confirmation first, then their attestations signed together on the run's threads.
    const unsigned = Array.from({ length: this.shards }, (_, y) => buildConfirmation(world, y, height, blockRoot(y), world.states));
    const roots = unsigned.map((c) => computeConfirmationRoot(c.value));
    this.d.presignAttestations(roots.map((root, y) => ({ shard: y, domain: DOMAIN_CONFIRMATION, root, slot })));
    for (let y = 0; y < this.shards; y++) {
      const honest = this.signConfirmation(unsigned[y] as Omit<SyncConfirmation, "attestation">, slot, roots[y]);
      const f = this.opts.wrongConfirmation;
      if (f && f.shard === y && f.height === height) {
        this.honest = honest;
        const forged = new Map<ContractId, Snap>();
        for (const id of honest.state.ids) {
          const s = world.states.get(id) as Snap;
          forged.set(id, { kv: s.kv.applyWrites(FORGED_WRITES), ended: s.ended });
        }
        confs.push(this.createConfirmation(y, height, blockRoot(y), forged, slot));
      } else confs.push(honest);
      if (height >= 0) for (let z = 0; z < this.shards; z++) if (z !== y) this.d.send(() => x.confirmationsDelivered++);

    }
    return confs;
  }

  /** A committee's confirmation (signed by its members online at `slot`; all of them when unset). */
  private createConfirmation(shard: number, height: number, blockRoot: Uint8Array, states: ReadonlyMap<ContractId, Snap>, slot?: number): SyncConfirmation {
    return this.signConfirmation(buildConfirmation(this.state.world, shard, height, blockRoot, states), slot);
  }

  /** `c` signed by its committee; `root` is `computeConfirmationRoot(c.value)` when the caller has it. */
  private signConfirmation(c: Omit<SyncConfirmation, "attestation">, slot?: number, root: Uint8Array = computeConfirmationRoot(c.value)): SyncConfirmation {
    return { ...c, attestation: this.d.attest(c.value.shard, DOMAIN_CONFIRMATION, root, slot) };
  }

  // ---------------------------------------------------------------- fault: the dependency cone

  /**
   * The fraud proof of the wrong confirmation is usable: light clients take the true one, and every
   * block of the dependency cone is executed again, in height order, against the true
   * confirmations; its committee signs its confirmation again. Its transactions become final now.
   */
  private reexecuteCone(slot: number): void {
    const d = this.d;
    const f = this.opts.wrongConfirmation as ShardHeight;
    const wrong = this.heights.get(f.height);
    if (wrong?.confirmations && this.honest) wrong.confirmations[f.shard] = this.honest;
    const cone = computeReexecutionCone(f, this.executed);
    const redone = new Map<number, SyncTx>();
    for (const c of cone) {
      const x = this.heights.get(c.height) as HeightInputs;
      const block = x.blocks[c.shard] as SyncBlock;
      const txs = getExecutionOrder(this.state.world, block, this.ranAt.get(c.height) ?? new Set());
      const confs = (this.heights.get(c.height - 1) as HeightInputs).confirmations as SyncConfirmation[];
      const outcomes = new Map<string, ExecOutcome>();
      this.reexecuting = true;
      const e = executeSyncShardBlock(d.ctx, this.state.world, block, txs, this.preStates.get(c.height) as ReadonlyMap<ContractId, Snap>, confs, outcomes, this.checked, this.observer);
      this.reexecuting = false;
      const recorded = (x.confirmations as SyncConfirmation[])[c.shard] as SyncConfirmation;
      for (const [id, snap] of e.post) {
        if (!bytesEqual(snap.kv.root(), (recorded.snaps.get(id) as Snap).kv.root())) throw new Error(`internal: re-execution of ${id} at ${c.height} differs`);
      }
      this.createConfirmation(c.shard, c.height, getBlockRoot(block), recorded.snaps);
      for (const t of txs) redone.set(t.seq, this.byId.get(t.txIdHex) as SyncTx);
    }
    this.reexecutedBlocks = cone.length;
    for (const t of [...redone.values()].sort((a, b) => a.seq - b.seq)) {
      this.reexecutedTxs.add(t.index);
      d.metrics.setExtra(t.index, "reexecuted", 1);
      d.metrics.event(t.index, slot, "reexecute", "", "");
      const o = this.outcomes.get(t.txIdHex) as ExecOutcome;
      d.metrics.finish(t.index, slot, o.status, o.reason);
    }
    this.faultResolved = true;
    for (const h of [...this.heights.keys()]) if (h < this.state.executed) this.forget(h);
    this.preStates.clear();
    this.ranAt.clear();
    this.outcomes.clear();
  }

  // ---------------------------------------------------------------- results

  private finish(lastSlot: number): ProtocolRunOutput {
    const a = this.attemptsDone;
    return this.d.finish(
      lastSlot,
      this.state.world,
      {
        attemptsMean: a.length > 0 ? round(a.reduce((x, y) => x + y, 0) / a.length) : null,
        attemptsMax: a.length > 0 ? a.reduce((x, y) => Math.max(x, y), 0) : null,
        droppedAttempts: this.dropped,
        deferredByGas: this.deferredByGas,
        addressConflicts: this.conflicts,
        crossShardShare: this.effectiveTotal > 0 ? round(this.effectiveCross / this.effectiveTotal) : null,
        lightClientChecks: this.lightClientChecks,
        reexecutedBlocks: this.reexecutedBlocks,
        reexecutedTxs: this.reexecutedTxs.size,
      },
      {
        q: this.opts.q,
        wrongConfirmation: this.opts.wrongConfirmation ? `${this.opts.wrongConfirmation.shard}:${this.opts.wrongConfirmation.height}` : null,
        fraudProofDelay: this.opts.fraudProofDelay,
      },
    );
  }
}
