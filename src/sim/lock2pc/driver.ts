/**
 * The simulator's driver of the lock-based atomic-commit baseline (spec: `src/protocols/lock2pc/`).
 * Every shard produces one block per slot, attested by its committee (BLS); its header travels to
 * the beacon chain, which crosslinks it on arrival (`processCrosslink`).
 *
 * A shard block, in order:
 * 1. Decisions: for each transaction whose lock proofs have reached this shard (the client got the
 *    lock results from the blocks and sent the proofs — two network hops) and whose blocks are
 *    crosslinked: `processCommit` when every lock was accepted, else `processAbort`. When every
 *    shard of the transaction has decided, it is final (commit), aborted (`onLocked: "abort"`), or
 *    asks for its locks again in this same block (`"wait"`).
 * 2. New work in admission order (the same order on every shard, so the oldest request wins):
 *    `processExecute` for a single-shard transaction, `processLock` on each of its shards for a
 *    cross-shard one. A transaction waits whole while any of its shards' blocks is full.
 * The client is the driver: it learns lock results and sends proofs through the network model.
 */
import type { ListCommitment } from "../../state/index.js";
import type { ContractId } from "../../types.js";
import { round } from "../metrics.js";
import type { ProtocolRunInput, ProtocolRunOutput } from "../protocol.js";
import { getListedShards, getShard, isSameOutcome, isWithinSlotGas, type ExecOutcome, type Snap } from "../../protocols/shards/world.js";
import { DOMAIN_LOCK2PC_BLOCK, RESULT_KINDS, type ResultLeafValue } from "../../protocols/lock2pc/containers.js";
import { computeLock2pcBlockRoot, processCrosslink, pruneCrosslinks, sealLock2pcBlock, type Lock2pcBlock, type Lock2pcOp } from "../../protocols/lock2pc/block.js";
import { decideAfterLocks, resolveLock2pcOptions, type Lock2pcOptions, type LockProof } from "../../protocols/lock2pc/rules.js";
import {
  createLock2pcState,
  getLockContracts,
  processAbort,
  processCommit,
  processExecute,
  processLock,
  type Lock2pcObserver,
  type Lock2pcState,
} from "../../protocols/lock2pc/transitions.js";
import { ShardsDriver, type DriverTx } from "../shards/driver.js";

/** One lock request of the current attempt: where its result leaf is, and the state it pinned. */
interface LockRequest {
  readonly shard: number;
  readonly index: number;
  readonly contract: ContractId;
  readonly leaf: ResultLeafValue;
}

interface LockTx extends DriverTx {
  shards: readonly number[];
  /** Slot of the first attempt (lock requests or direct execution). */
  firstTry?: number;
  /** Slot of the current attempt's lock requests. */
  lockSlot: number;
  requests: LockRequest[];
  /** The states the current attempt's locks pinned (what each shard's nodes serve witnesses from). */
  pinned: Map<ContractId, Snap>;
  /** The lock proofs of the current attempt (built by the client once every lock block reached it). */
  proofs: LockProof[] | undefined;
  /** Shards the proofs have reached; shards that have decided. */
  proofsAt: Set<number>;
  decided: Set<number>;
  outcome?: ExecOutcome;
}

/** A shard block being built, op by op. */
interface Draft {
  readonly ops: Lock2pcOp[];
  readonly leaves: ResultLeafValue[];
  /** Metered gas of the draft's executions (bounded by the slot gas). */
  gas: bigint;
}

const CONTENTION = "lock contention";

/**
 * An observer that holds the calls a transition makes until `release` passes them on, in order:
 * an op tried and not applied (it does not fit the slot gas) is not counted as work.
 */
function holdObserver(o: Lock2pcObserver): { observer: Lock2pcObserver; release(): void } {
  const calls: (() => void)[] = [];
  const observer: Lock2pcObserver = {
    onLock: (...a) => calls.push(() => o.onLock?.(...a)),
    onProofChecked: (...a) => calls.push(() => o.onProofChecked?.(...a)),
    onWitness: (...a) => calls.push(() => o.onWitness?.(...a)),
    onExecution: (...a) => calls.push(() => o.onExecution?.(...a)),
    onTransfer: (...a) => calls.push(() => o.onTransfer?.(...a)),
    onSignatures: (...a) => calls.push(() => o.onSignatures?.(...a)),
  };
  return { observer, release: () => calls.forEach((c) => c()) };
}

/** Runs the lock-based baseline over a generated workload. */
export function runLock2pc(input: ProtocolRunInput, protocolName = "lock2pc"): ProtocolRunOutput {
  return new Lock2pcDriver(input, protocolName).run();
}

export class Lock2pcDriver {
  private readonly d: ShardsDriver;
  private readonly opts: Lock2pcOptions;
  private readonly shards: number;
  private state: Lock2pcState;
  private queue: LockTx[] = [];
  private deciding: LockTx[] = [];
  /** Headers that reached the beacon chain and wait for the next slot's crosslink. */
  private arrived: Lock2pcBlock[] = [];
  private readonly observer: Lock2pcObserver;
  private readonly lockWaits: number[] = [];
  private abortsByContention = 0;
  private locksGranted = 0;
  private locksRefused = 0;
  private proofBytes = 0;
  private proofChecks = 0;
  private crosslinkChecks = 0;
  private crossShard = 0;
  private started = 0;
  private slot = 0;
  /** Shards that make no block this slot (liveness faults). */
  private down = new Set<number>();

  constructor(input: ProtocolRunInput, protocolName: string) {
    this.d = new ShardsDriver(input, protocolName, true);
    this.shards = input.config.shards;
    this.opts = resolveLock2pcOptions(input.config.options);
    this.state = createLock2pcState(this.d.genesis, this.shards);
    const d = this.d;
    this.observer = {
      onLock: (t, shard, contract, accepted) => {
        if (accepted) this.locksGranted++;
        else this.locksRefused++;
        d.metrics.event((t as LockTx).index, this.slot, "lock", `shard:${shard}`, `${accepted ? "accepted" : "refused"} ${contract}`);
      },
      onProofChecked: (bytes) => {
        this.proofBytes += bytes;
        this.proofChecks++;
      },
      onWitness: (bytes) => d.countWitness(bytes, "witness"),
      onExecution: (slot, shard, tx, kind, gas) => d.metrics.work.onExecution(slot, shard, tx, kind, gas),
      onTransfer: (slot, kind, bytes) => d.metrics.work.onTransfer(slot, kind, bytes),
      onSignatures: (slot, made, verified) => d.metrics.work.onSignatures(slot, made, verified),
    };
  }

  run(): ProtocolRunOutput {
    const last = this.d.runSlots(
      (s) => this.step(s),
      () => this.queue.length === 0 && this.deciding.length === 0,
    );
    return this.finish(last);
  }

  private step(slot: number): void {
    this.slot = slot;
    this.crosslink();
    const drafts: Draft[] = Array.from({ length: this.shards }, () => ({ ops: [], leaves: [], gas: 0n }));
    const refusedBefore = this.locksRefused;
    this.down = this.d.liveness.enabled ? this.findDown(slot) : new Set();
    this.decide(slot, drafts);
    const r = this.d.admit(this.state.world, slot);
    this.state = { ...this.state, world: r.state };
    for (const a of r.admitted) this.queue.push({ ...a, shards: [], lockSlot: -1, requests: [], pinned: new Map(), proofs: undefined, proofsAt: new Set(), decided: new Set() });
    this.queue.sort((a, b) => a.seq - b.seq);
    if (this.down.size > 0) this.recordStalls(slot);
    const queue = this.queue;
    this.queue = [];
    const locking: LockTx[] = [];
    for (const t of queue) if (this.request(t, slot, drafts)) locking.push(t);
    const results = drafts.map((dr, y) => (this.down.has(y) ? undefined : this.seal(y, slot, dr)));
    for (const t of locking) this.sendLockResults(t, results);

    const d = this.d;
    d.metrics.series(slot, "locked", this.state.locks.size);
    d.metrics.series(slot, "refusedLocks", this.locksRefused - refusedBefore);
    d.metrics.series(slot, "blockOps", drafts.map((dr) => dr.ops.length));
  }

  /**
   * Liveness faults: shards that make no block in `slot` — the proposer is offline (an empty slot,
   * no re-selection) or the committee's online members hold < 2/3. Their work waits.
   */
  private findDown(slot: number): Set<number> {
    const down = new Set<number>();
    for (let y = 0; y < this.shards; y++) {
      if (this.d.hasQuorum(y, slot) && this.d.isProposerOnline(y, slot)) continue;
      down.add(y);
      this.d.liveness.recordMissed("shard", slot);
    }
    return down;
  }

  /** A down shard whose committee lacks 2/3 while a transaction waits on it is stalled. */
  private recordStalls(slot: number): void {
    for (const y of this.down) {
      if (this.d.hasQuorum(y, slot)) continue;
      const waits = this.deciding.some((t) => t.shards.includes(y)) || this.queue.some((t) => getListedShards(this.state.world, t.footprint).includes(y));
      if (waits) this.d.liveness.recordStall(y, slot);
    }
  }

  /** The beacon chain crosslinks every header that has reached it (each attestation checked once). */
  private crosslink(): void {
    for (const b of this.arrived) {
      this.state = processCrosslink(this.state, b.header, b.attestation, this.d.ctx, {}, this.observer, this.slot);
      this.crosslinkChecks++;
    }
    this.arrived = [];
    const oldest = this.deciding.reduce((m, t) => Math.min(m, t.lockSlot), this.slot - 1);
    this.state = pruneCrosslinks(this.state, oldest);
  }

  private seal(shard: number, slot: number, dr: Draft): ListCommitment {
    const sealed = sealLock2pcBlock(this.state, shard, slot, dr.ops, dr.leaves, this.d.ctx);
    this.state = sealed.state;
    const block: Lock2pcBlock = { ...sealed.body, attestation: this.d.attest(shard, DOMAIN_LOCK2PC_BLOCK, computeLock2pcBlockRoot(sealed.body.header), slot) };
    this.d.send(() => this.arrived.push(block));
    return sealed.results;
  }

  /** Applies one op to a shard's draft block; returns the index of its first result leaf. */
  private apply(dr: Draft, op: Lock2pcOp, r: { state: Lock2pcState; leaves: readonly ResultLeafValue[]; gas: bigint }): number {
    this.state = r.state;
    dr.gas += r.gas;
    dr.ops.push(op);
    const first = dr.leaves.length;
    dr.leaves.push(...r.leaves);
    return first;
  }

  // ---------------------------------------------------------------- phase 1: locks, direct execution

  /** New work for `t`; true when it asked for locks (its results go to the client after sealing). */
  private request(t: LockTx, slot: number, drafts: Draft[]): boolean {
    const d = this.d;
    t.shards = getListedShards(this.state.world, t.footprint);
    if (t.shards.some((y) => (drafts[y] as Draft).ops.length >= d.cfg.blockTxLimit || this.down.has(y))) {
      this.queue.push(t);
      return false;
    }
    // A single-shard transaction runs now only if its execution fits the shard's slot gas; one that
    // does not is tried again next slot, and only the execution applied counts as work.
    const held = t.shards.length === 1 ? holdObserver(this.observer) : undefined;
    const single = held ? processExecute(this.state, t.shards[0] as number, t, d.ctx, held.observer, slot) : undefined;
    if (single && !isWithinSlotGas((drafts[t.shards[0] as number] as Draft).gas, single.gas, d.ctx.slotGas)) {
      this.queue.push(t);
      return false;
    }
    held?.release();
    if (t.firstTry === undefined) {
      t.firstTry = slot;
      this.started++;
      if (t.shards.length > 1) this.crossShard++;
    }
    d.metrics.include(t.index, slot, `shard:${t.shards[0]}`);
    if (single) {
      const y = t.shards[0] as number;
      const r = single;
      this.apply(drafts[y] as Draft, { kind: "execute", tx: t }, r);
      if (r.outcome === null || r.outcome === undefined) {
        d.metrics.event(t.index, slot, "refused", `shard:${y}`, "a contract is locked");
        this.onContention(t, slot);
      } else this.complete(t, slot, slot, r.outcome);
      return false;
    }
    t.lockSlot = slot;
    t.requests = [];
    t.proofs = undefined;
    t.pinned = new Map();
    t.proofsAt = new Set();
    t.decided = new Set();
    // Lock requests in footprint order, each on its contract's shard (the order of the lock events).
    const order: number[] = [];
    for (const id of t.footprint) {
      const y = getShard(this.state.world, id);
      if (y !== undefined && !order.includes(y)) order.push(y);
    }
    for (const y of order) {
      const contracts = getLockContracts(this.state.world, y, t);
      const r = processLock(this.state, y, t, this.observer);
      const first = this.apply(drafts[y] as Draft, { kind: "lock", tx: t }, r);
      contracts.forEach((contract, i) => {
        t.requests.push({ shard: y, index: first + i, contract, leaf: r.leaves[i] as ResultLeafValue });
        t.pinned.set(contract, this.state.world.states.get(contract) as Snap);
      });
    }
    // Requests in footprint order (the order the proofs are presented in).
    t.requests.sort((a, b) => t.footprint.indexOf(a.contract) - t.footprint.indexOf(b.contract));
    this.deciding.push(t);
    return true;
  }

  /** The lock results reach the client (one message per shard block); it then sends the proofs to every shard of the transaction. */
  private sendLockResults(t: LockTx, results: readonly (ListCommitment | undefined)[]): void {
    const proofs: LockProof[] = t.requests.map((r) => {
      const list = results[r.shard] as ListCommitment;
      return { shard: r.shard, slot: t.lockSlot, index: r.index, length: list.length, leaf: r.leaf, branch: list.prove(r.index) };
    });
    const attempt = t.lockSlot;
    let pending = t.shards.length;
    for (let i = 0; i < t.shards.length; i++) {
      this.d.send(() => {
        if (--pending > 0 || t.lockSlot !== attempt) return;
        t.proofs = proofs;
        for (const y of t.shards) this.d.send(() => t.lockSlot === attempt && t.proofsAt.add(y));
      });
    }
  }

  // ---------------------------------------------------------------- phase 2: commit or abort

  private isCrosslinked(t: LockTx): boolean {
    return t.shards.every((y) => this.state.crosslinks.has(`${y}:${t.lockSlot}`));
  }

  private decide(slot: number, drafts: Draft[]): void {
    const d = this.d;
    const deciding = this.deciding;
    this.deciding = [];
    for (const t of deciding) {
      const ready = t.proofs !== undefined && this.isCrosslinked(t);
      const proofs = t.proofs as LockProof[];
      const decision = decideAfterLocks(
        t.requests.map((r) => r.leaf.kind === RESULT_KINDS.locked),
        this.opts.onLocked,
      );
      for (const y of t.shards) {
        if (!ready || t.decided.has(y) || !t.proofsAt.has(y) || this.down.has(y)) continue;
        t.decided.add(y);
        if (decision === "commit") {
          const pinned = new Map<ContractId, Snap>();
          for (const r of t.requests) if (r.shard !== y) pinned.set(r.contract, t.pinned.get(r.contract) as Snap);
          const held = holdObserver(this.observer);
          const r = processCommit(this.state, y, t, proofs, pinned, d.ctx, held.observer, slot);
          if (!isWithinSlotGas((drafts[y] as Draft).gas, r.gas, d.ctx.slotGas)) {
            // The commit's execution does not fit this slot's gas: it waits for the shard's next block
            // (its work — proof checks, execution, witnesses — counts when it is applied).
            t.decided.delete(y);
            continue;
          }
          held.release();
          this.apply(drafts[y] as Draft, { kind: "commit", tx: t, proofs, pinned }, r);
          const outcome = r.outcome as ExecOutcome;
          if (t.outcome && !isSameOutcome(t.outcome, outcome)) throw new Error(`internal: executors disagree on transaction ${t.index}`);
          t.outcome ??= outcome;
          d.metrics.event(t.index, slot, "commit", `shard:${y}`, t.outcome.status);
        } else {
          const r = processAbort(this.state, y, t, proofs, this.observer, slot);
          this.apply(drafts[y] as Draft, { kind: "abort", tx: t, proofs }, r);
          for (const q of t.requests) if (q.shard === y && q.leaf.kind === RESULT_KINDS.locked) d.metrics.event(t.index, slot, "release", `shard:${y}`, q.contract);
        }
      }
      if (t.decided.size < t.shards.length) {
        this.deciding.push(t);
        continue;
      }
      if (decision === "commit") this.complete(t, slot, t.lockSlot, t.outcome as ExecOutcome);
      else this.onContention(t, slot);
    }
  }

  /** A transaction met a locked contract: it aborts, or waits (now, or next slot for a refused single-shard one). */
  private onContention(t: LockTx, slot: number): void {
    t.requests = [];
    if (this.opts.onLocked === "wait") {
      this.queue.push(t);
      return;
    }
    this.abortsByContention++;
    this.d.metrics.finish(t.index, slot, "aborted", CONTENTION);
  }

  /** The transaction ran (committed or its `require` failed) in `slot`; its locks were all granted in `lockedAt`. */
  private complete(t: LockTx, slot: number, lockedAt: number, outcome: ExecOutcome): void {
    const wait = lockedAt - (t.firstTry as number);
    this.lockWaits.push(wait);
    this.d.metrics.setExtra(t.index, "lockWaitSlots", wait);
    this.d.metrics.finish(t.index, slot, outcome.status, outcome.reason);
  }

  private finish(lastSlot: number): ProtocolRunOutput {
    const waits = this.lockWaits;
    return this.d.finish(
      lastSlot,
      this.state.world,
      {
        lockWaitSlots: waits.length > 0 ? round(waits.reduce((a, b) => a + b, 0) / waits.length) : null,
        lockWaitSlotsMax: waits.length > 0 ? waits.reduce((a, b) => Math.max(a, b), 0) : null,
        abortsByContention: this.abortsByContention,
        locksGranted: this.locksGranted,
        locksRefused: this.locksRefused,
        lockProofChecks: this.proofChecks,
        lockProofBytesMean: this.proofChecks > 0 ? round(this.proofBytes / this.proofChecks) : 0,
        crosslinkChecks: this.crosslinkChecks,
        crossShardShare: this.started > 0 ? round(this.crossShard / this.started) : null,
      },
      { onLocked: this.opts.onLocked },
    );
  }
}
