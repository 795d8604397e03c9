/**
 * The synchronous cross-shard baseline (DESIGN §4; ethresear.ch "Simple synchronous cross-shard
 * transaction protocol"), driven slot by slot. Height h is slot h on every shard.
 *
 * Slot s:
 * 1. If a wrong confirmation's fraud proof is usable from s, every block in its dependency cone is
 *    executed again (rules.ts `computeReexecutionCone`) and its confirmation signed again.
 * 2. Execution of height s−1 (its blocks were produced in slot s−1, usable from s). Each shard's
 *    executors run the block's effective cross-shard transactions (canonical order: by id) against
 *    the state after s−2 — their own contracts from their state, other shards' contracts through a
 *    Merkle witness (contract leaf → shard state root, keys → contract root) against the other
 *    shard's *confirmed* root after s−2, checked as a light client checks it — then the block's
 *    single-shard transactions. Each shard committee then confirms (BLS) its new state root.
 *    Transactions of height s−1 are final in slot s.
 * 3. New transactions pass the fee check (shardWorld.ts `admit`).
 * 4. The shard blocks of height s: every pending transaction is offered to each shard it lists; that
 *    shard includes it with probability q (a seeded stream), at most one cross-shard transaction per
 *    address. A transaction included by every shard it lists is effective and runs at height s;
 *    otherwise it is dropped and the client retries at s+1 (`txs[].extra.attempts`).
 *
 * Outcomes are all-or-nothing: every shard of an effective transaction executes the same program
 * on the same states and applies its own part only if the program commits.
 */
import { bytesEqual, sha256, toHex } from "../../crypto/hash.js";
import { commitList, verifyListProof } from "../../state/index.js";
import { round } from "../../sim/metrics.js";
import type { Attestation } from "../../sim/validators.js";
import type { ContractHandle } from "../../exec/executeTx.js";
import type { ContractId } from "../../types.js";
import type { ProtocolRunInput, ProtocolRunOutput } from "../../sim/protocol.js";
import { BlockEntry, Confirmation, DOMAIN_CONFIRMATION, DOMAIN_SYNC_BLOCK, SyncBlockHeader } from "./containers.js";
import {
  computeReexecutionCone,
  isEffective,
  resolveSyncOptions,
  selectShardBlock,
  type BlockDependencies,
  type ShardHeight,
  type SyncCandidate,
  type SyncOptions,
} from "./rules.js";
import { computeContractLeaf, ShardWorld, type AdmittedTx, type ExecOutcome, type ShardStateCommitment, type Snap } from "./shardWorld.js";

interface SyncTx extends AdmittedTx {
  /** Shards listed at the current attempt. */
  shards: number[];
  attempts: number;
  outcome?: ExecOutcome;
}

interface ShardBlock {
  readonly shard: number;
  readonly height: number;
  readonly root: Uint8Array;
  /** Effective cross-shard transactions, by id. */
  readonly cross: readonly SyncTx[];
  /** Effective single-shard transactions, in block order. */
  readonly local: readonly SyncTx[];
}

/** A shard's state root after a height, as its committee confirmed it to light clients. */
interface ShardConfirmation extends ShardHeight {
  readonly state: ShardStateCommitment;
  /** The states a witness for this root is taken from. */
  readonly snaps: ReadonlyMap<ContractId, Snap>;
  readonly attestation: Attestation;
}

/** A marker that no contract reads: a forged state differs from the true one only there. */
const FORGED_KEY = "ff666f72676564";
const FORGED_WRITES = new Map([[FORGED_KEY, new Uint8Array([1])]]);

/** Runs the synchronous baseline over a generated workload. */
export function runSync(input: ProtocolRunInput, protocolName = "sync"): ProtocolRunOutput {
  return new SyncChain(input, protocolName).run();
}

export class SyncChain {
  private readonly world: ShardWorld;
  private readonly opts: SyncOptions;
  private readonly shards: number;
  private pending: SyncTx[] = [];
  private readonly blocks = new Map<number, ShardBlock[]>();
  /** Confirmations by height, as light clients received them (height −1: genesis). */
  private readonly confirmations = new Map<number, ShardConfirmation[]>();
  private readonly parentRoots: Uint8Array[];
  /** Fault window: the true confirmation the wrong one replaced, pre-states and executed blocks. */
  private honest: ShardConfirmation | undefined;
  private readonly preStates = new Map<number, Map<ContractId, Snap>>();
  private readonly executed: BlockDependencies[] = [];
  private faultResolved = false;
  private readonly lightChecks = new Set<string>();
  private readonly attemptsDone: number[] = [];
  private effectiveCross = 0;
  private effectiveTotal = 0;
  private dropped = 0;
  private conflicts = 0;
  private reexecutedBlocks = 0;
  private readonly reexecutedTxs = new Set<number>();

  constructor(input: ProtocolRunInput, protocolName: string) {
    this.world = new ShardWorld(input, protocolName);
    this.shards = input.config.shards;
    this.opts = resolveSyncOptions(input.config.options, this.shards);
    this.parentRoots = Array.from({ length: this.shards }, () => new Uint8Array(32));
    this.confirm(-1, () => new Uint8Array(32));
  }

  run(): ProtocolRunOutput {
    const last = this.world.runSlots(
      (s) => this.step(s),
      () => this.isIdle(),
    );
    return this.finish(last);
  }

  private step(slot: number): void {
    if (slot === this.getDetectionSlot()) this.reexecuteCone(slot);
    if (slot >= 1) this.executeHeight(slot - 1, slot);
    for (const t of this.world.admit(slot)) this.pending.push({ ...t, shards: [], attempts: 0 });
    this.produceBlocks(slot);
  }

  private isIdle(): boolean {
    const faultPending = this.opts.wrongConfirmation !== null && !this.faultResolved && this.getDetectionSlot() <= this.world.endSlot;
    const queued = [...this.blocks.values()].some((bs) => this.getBlockTxs(bs).length > 0);
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

  // ---------------------------------------------------------------- blocks

  private produceBlocks(height: number): void {
    const w = this.world;
    for (const t of this.pending) {
      const shards = w.getShards(t.footprint);
      t.shards = shards.length > 0 ? shards : [0];
      t.attempts++;
      w.metrics.setExtra(t.index, "attempts", t.attempts);
    }
    const rng = w.streams.get("inclusion");
    const includedBy = new Map<SyncTx, Set<number>>();
    let slotConflicts = 0;
    const blockSizes: number[] = [];
    for (let y = 0; y < this.shards; y++) {
      const offered = this.pending.filter((t) => t.shards.includes(y));
      const candidates = offered.map((t) => ({ contracts: w.getContractsOn(y, t.footprint), crossShard: t.shards.length > 1 }));
      const drawn = candidates.map(() => rng.bool(this.opts.q));
      const { included, conflicts } = selectShardBlock(candidates, drawn, w.cfg.blockTxLimit);
      slotConflicts += conflicts;
      const entries: Uint8Array[] = [];
      for (const i of included) {
        const t = offered[i] as SyncTx;
        (includedBy.get(t) ?? includedBy.set(t, new Set()).get(t))?.add(y);
        const addresses = (candidates[i] as SyncCandidate).contracts;
        for (const id of addresses.length > 0 ? addresses : [""]) entries.push(BlockEntry.hashTreeRoot({ contract: new TextEncoder().encode(id), txId: t.txId }));
        w.metrics.include(t.index, height, `shard:${y}`, `attempt ${t.attempts}`);
      }
      blockSizes.push(included.length);
      this.attestBlock(y, height, entries);
    }
    this.conflicts += slotConflicts;

    const effective = this.pending.filter((t) => isEffective(t.shards, includedBy.get(t) ?? new Set()));
    const isEff = new Set(effective);
    for (const t of this.pending) {
      if (!isEff.has(t)) {
        this.dropped++;
        w.metrics.event(t.index, height, "dropped", "", `attempt ${t.attempts}: included by ${includedBy.get(t)?.size ?? 0} of ${t.shards.length} shards`);
      }
    }
    this.pending = this.pending.filter((t) => !isEff.has(t));
    const byId = (a: SyncTx, b: SyncTx): number => (a.txIdHex < b.txIdHex ? -1 : a.txIdHex > b.txIdHex ? 1 : 0);
    const blocks: ShardBlock[] = [];
    for (let y = 0; y < this.shards; y++) {
      const mine = effective.filter((t) => t.shards.includes(y));
      blocks.push({
        shard: y,
        height,
        root: this.parentRoots[y] as Uint8Array,
        cross: mine.filter((t) => t.shards.length > 1).sort(byId),
        local: mine.filter((t) => t.shards.length === 1),
      });
    }
    this.blocks.set(height, blocks);
    for (const t of effective) {
      this.attemptsDone.push(t.attempts);
      if (t.shards.length > 1) this.effectiveCross++;
    }
    this.effectiveTotal += effective.length;
    w.metrics.series(height, "effective", effective.length);
    w.metrics.series(height, "dropped", this.pending.length);
    w.metrics.series(height, "addressConflicts", slotConflicts);
    w.metrics.series(height, "blockTxs", blockSizes);
  }

  /** The shard block's header (its address → transaction entries), attested by the shard committee. */
  private attestBlock(shard: number, height: number, entries: readonly Uint8Array[]): void {
    const root = SyncBlockHeader.hashTreeRoot({ shard, height, parentRoot: this.parentRoots[shard] as Uint8Array, entriesRoot: commitList(entries).root });
    this.world.attest(shard, sha256(DOMAIN_SYNC_BLOCK, root));
    this.parentRoots[shard] = root;
  }

  // ---------------------------------------------------------------- execution

  private executeHeight(height: number, slot: number): void {
    const w = this.world;
    const blocks = this.blocks.get(height) as ShardBlock[];
    const pre = new Map(w.states);
    const confs = this.confirmations.get(height - 1) as ShardConfirmation[];
    for (const b of blocks) {
      const { post, remoteShards } = this.executeShardBlock(b, pre, confs, slot);
      for (const [id, snap] of post) w.states.set(id, snap);
      if (this.isInFaultWindow(height)) this.executed.push({ shard: b.shard, height, remoteShards });
    }
    const ran = this.getBlockTxs(blocks);
    for (const t of ran) {
      const outcome = t.outcome as ExecOutcome;
      w.registerSuccessors(outcome.created);
      w.finishExecuted(t.index, slot, outcome);
    }
    if (this.isInFaultWindow(height)) {
      this.preStates.set(height, pre);
    } else {
      this.blocks.delete(height);
      this.confirmations.delete(height - 1);
    }
    this.confirm(height, (y) => (blocks[y] as ShardBlock).root);
  }

  /** Distinct transactions of some blocks (a cross-shard one sits in several). */
  private getBlockTxs(blocks: readonly ShardBlock[]): SyncTx[] {
    return [...new Set(blocks.flatMap((b) => [...b.cross, ...b.local]))].sort((a, b) => a.seq - b.seq);
  }

  /**
   * One shard's executors run one block: cross-shard transactions against the state before the
   * height (remote contracts through witnesses against the confirmations they are given), then
   * single-shard ones. Returns the new states of the shard's contracts that changed.
   */
  private executeShardBlock(b: ShardBlock, pre: ReadonlyMap<ContractId, Snap>, confs: readonly ShardConfirmation[], slot: number): { post: Map<ContractId, Snap>; remoteShards: number[] } {
    const w = this.world;
    const post = new Map<ContractId, Snap>();
    const remoteShards = new Set<number>();
    for (const t of [...b.cross, ...b.local]) {
      const handles = new Map<ContractId, ContractHandle>();
      const remote: ContractId[] = [];
      for (const id of t.footprint) {
        const z = w.getShard(id);
        if (z === undefined || handles.has(id)) continue;
        const snap = z === b.shard ? (post.get(id) ?? pre.get(id)) : (confs[z] as ShardConfirmation).snaps.get(id);
        if (!snap) throw new Error(`internal: no state of ${id} for height ${b.height}`);
        handles.set(id, w.handle(id, snap));
        if (z !== b.shard) {
          remote.push(id);
          remoteShards.add(z);
        }
      }
      const ex = w.execute(t, handles);
      for (const id of remote) {
        if (ex.effects.called.has(id)) this.checkRemoteRead(b.shard, confs[w.getShard(id) as number] as ShardConfirmation, id, ex.effects.reads.get(id));
      }
      w.recordOutcome(t, ex, `transaction ${t.index}`);
      for (const id of handles.keys()) {
        if (w.getShard(id) !== b.shard) continue;
        const before = post.get(id) ?? (pre.get(id) as Snap);
        const after = w.computePostState(id, before, ex);
        if (after !== before) post.set(id, after);
      }
      w.metrics.event(t.index, slot, "execute", `shard:${b.shard}`, `height ${b.height}`);
    }
    return { post, remoteShards: [...remoteShards].sort((x, y) => x - y) };
  }

  /**
   * What an executor of `reader` checks before using another shard's contract: the confirmation
   * (aggregate signature of that shard's committee, once per confirmation), the contract leaf's branch
   * to the confirmed state root, and the witness of the keys read against the contract root.
   */
  private checkRemoteRead(reader: number, conf: ShardConfirmation, id: ContractId, reads: ReadonlySet<string> | undefined): void {
    const w = this.world;
    const seen = `${reader}:${toHex(conf.attestation.message)}`;
    if (!this.lightChecks.has(seen)) {
      if (!w.isAttested(conf.shard, conf.attestation)) throw new Error("internal: confirmation not final");
      this.lightChecks.add(seen);
    }
    const i = conf.state.ids.indexOf(id);
    const snap = conf.snaps.get(id) as Snap;
    const leaf = computeContractLeaf(id, snap);
    const branch = conf.state.commitment.prove(i);
    if (!verifyListProof(conf.state.commitment.root, i, leaf, branch, conf.state.ids.length)) throw new Error(`internal: contract leaf of ${id} not in the confirmed root`);
    w.countBranch(branch);
    w.checkWitness(id, snap, snap.kv.root(), reads);
  }

  /**
   * Every shard committee confirms its state root after `height`. The injected fault replaces one
   * confirmation by a forged one, signed by the committee, whose state differs from the true one
   * in a key no contract reads — so executions that use it compute the right values, but nobody
   * can know that without executing them again.
   */
  private confirm(height: number, blockRoot: (shard: number) => Uint8Array): void {
    const w = this.world;
    const confs: ShardConfirmation[] = [];
    for (let y = 0; y < this.shards; y++) {
      const honest = this.createConfirmation(y, height, blockRoot(y), w.states);
      const f = this.opts.wrongConfirmation;
      if (f && f.shard === y && f.height === height) {
        this.honest = honest;
        const forged = new Map<ContractId, Snap>();
        for (const id of honest.state.ids) {
          const s = w.states.get(id) as Snap;
          forged.set(id, { kv: s.kv.applyWrites(FORGED_WRITES), ended: s.ended });
        }
        confs.push(this.createConfirmation(y, height, blockRoot(y), forged));
      } else confs.push(honest);
    }
    this.confirmations.set(height, confs);
  }

  private createConfirmation(shard: number, height: number, blockRoot: Uint8Array, states: ReadonlyMap<ContractId, Snap>): ShardConfirmation {
    const w = this.world;
    const state = w.computeShardState(shard, states);
    const snaps = new Map(state.ids.map((id) => [id, states.get(id) as Snap]));
    const root = Confirmation.hashTreeRoot({ shard, height: Math.max(height, 0), blockRoot, stateRoot: state.commitment.root });
    return { shard, height, state, snaps, attestation: w.attest(shard, sha256(DOMAIN_CONFIRMATION, root)) };
  }

  // ---------------------------------------------------------------- fault: the dependency cone

  /**
   * The fraud proof of the wrong confirmation is usable: light clients take the true one, and every
   * block of the dependency cone is executed again, in height order, against the true
   * confirmations; its committee signs its confirmation again. Its transactions become final now.
   */
  private reexecuteCone(slot: number): void {
    const w = this.world;
    const f = this.opts.wrongConfirmation as ShardHeight;
    const confs = this.confirmations.get(f.height);
    if (confs && this.honest) confs[f.shard] = this.honest;
    const cone = computeReexecutionCone(f, this.executed);
    const redone = new Map<number, SyncTx>();
    for (const c of cone) {
      const block = (this.blocks.get(c.height) as ShardBlock[])[c.shard] as ShardBlock;
      const { post } = this.executeShardBlock(block, this.preStates.get(c.height) as Map<ContractId, Snap>, this.confirmations.get(c.height - 1) as ShardConfirmation[], slot);
      const recorded = (this.confirmations.get(c.height) as ShardConfirmation[])[c.shard] as ShardConfirmation;
      for (const [id, snap] of post) {
        if (!bytesEqual(snap.kv.root(), (recorded.snaps.get(id) as Snap).kv.root())) throw new Error(`internal: re-execution of ${id} at ${c.height} differs`);
      }
      this.createConfirmation(c.shard, c.height, block.root, recorded.snaps);
      for (const t of [...block.cross, ...block.local]) redone.set(t.seq, t);
    }
    this.reexecutedBlocks = cone.length;
    for (const t of [...redone.values()].sort((a, b) => a.seq - b.seq)) {
      this.reexecutedTxs.add(t.index);
      w.metrics.setExtra(t.index, "reexecuted", 1);
      w.finishExecuted(t.index, slot, t.outcome as ExecOutcome);
    }
    this.faultResolved = true;
    for (const h of [...this.blocks.keys()]) if (h < slot - 1) this.blocks.delete(h);
    for (const h of [...this.confirmations.keys()]) if (h < slot - 2) this.confirmations.delete(h);
    this.preStates.clear();
  }

  // ---------------------------------------------------------------- results

  private finish(lastSlot: number): ProtocolRunOutput {
    const a = this.attemptsDone;
    return this.world.finish(
      lastSlot,
      {
        attemptsMean: a.length > 0 ? round(a.reduce((x, y) => x + y, 0) / a.length) : null,
        attemptsMax: a.length > 0 ? Math.max(...a) : null,
        droppedAttempts: this.dropped,
        addressConflicts: this.conflicts,
        crossShardShare: this.effectiveTotal > 0 ? round(this.effectiveCross / this.effectiveTotal) : null,
        lightClientChecks: this.lightChecks.size,
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
