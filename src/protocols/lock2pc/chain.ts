/**
 * The lock-based atomic-commit baseline (DESIGN §4: Atomix, S-BAC, two-phase commit), driven slot
 * by slot. Every shard produces one block per slot, attested by its committee (BLS); the next slot
 * crosslinks the headers (each attestation checked once).
 *
 * A shard block, in order:
 * 1. Decisions of the transactions whose locks were placed in the previous slot: the client brings
 *    every lock proof (result leaf → results root of a crosslinked header, checked by the shard).
 *    All accepted → commit: the shard executes the whole program against the pinned states (its
 *    own contracts from its state, the others through a witness against the pinned root in the
 *    lock proof), applies its own part and releases its locks. Any refused → the locks it got are
 *    released and the transaction aborts (`onLocked: "abort"`) or locks again (`"wait"`).
 * 2. New work in admission order (the same order on every shard, so the oldest request wins
 *    everywhere): a single-shard transaction runs at once unless one of its contracts is locked;
 *    a cross-shard transaction asks for a lock on each of its contracts on this shard, which is
 *    accepted (state pinned) when no other transaction holds it and refused otherwise.
 *
 * So a cross-shard transaction whose locks are all accepted at slot s is final at s+1; nothing is
 * ever applied on one shard and not another (never `partial`).
 */
import { bytesEqual, sha256 } from "../../crypto/hash.js";
import { commitList, type ListCommitment } from "../../state/index.js";
import { round } from "../../sim/metrics.js";
import type { Attestation } from "../../sim/validators.js";
import type { ContractHandle } from "../../exec/executeTx.js";
import type { ContractId } from "../../types.js";
import type { ProtocolRunInput, ProtocolRunOutput } from "../../sim/protocol.js";
import { ShardWorld, type AdmittedTx, type ExecOutcome, type Snap } from "../sync/shardWorld.js";
import { DOMAIN_LOCK2PC_BLOCK, RESULT_KINDS, ResultLeaf, ShardHeader, type ResultKind, type ResultLeafValue, type ShardHeaderValue } from "./containers.js";
import {
  computeLockProofBytes,
  decideAfterLocks,
  isLockFree,
  resolveLock2pcOptions,
  verifyLockProof,
  type Lock2pcOptions,
  type LockProof,
} from "./rules.js";

/** One lock request of the current attempt: where its result leaf is, and the state it pinned. */
interface LockRequest {
  readonly shard: number;
  readonly index: number;
  readonly contract: ContractId;
  readonly leaf: ResultLeafValue;
  readonly pinned: Snap;
}

interface LockTx extends AdmittedTx {
  shards: number[];
  outcome?: ExecOutcome;
  /** Slot of the first attempt (lock requests or direct execution). */
  firstTry?: number;
  /** Slot of the current attempt's lock requests. */
  lockSlot: number;
  requests: LockRequest[];
}

/** A shard block being built. */
interface Draft {
  readonly ops: Uint8Array[];
  readonly results: ResultLeafValue[];
}

interface Sealed {
  readonly header: ShardHeaderValue;
  readonly root: Uint8Array;
  readonly attestation: Attestation;
  readonly results: ListCommitment;
}

const encoder = new TextEncoder();
const CONTENTION = "lock contention";

/** Runs the lock-based baseline over a generated workload. */
export function runLock2pc(input: ProtocolRunInput, protocolName = "lock2pc"): ProtocolRunOutput {
  return new Lock2pcChain(input, protocolName).run();
}

export class Lock2pcChain {
  private readonly world: ShardWorld;
  private readonly opts: Lock2pcOptions;
  private readonly shards: number;
  /** contract → sequence number of the transaction holding its lock. */
  private readonly locks = new Map<ContractId, number>();
  private queue: LockTx[] = [];
  private deciding: LockTx[] = [];
  private sealed: Sealed[] = [];
  private readonly parentRoots: Uint8Array[];
  private readonly lockWaits: number[] = [];
  private abortsByContention = 0;
  private locksGranted = 0;
  private locksRefused = 0;
  private proofBytes = 0;
  private proofChecks = 0;
  private crosslinkChecks = 0;
  private crossShard = 0;
  private started = 0;

  constructor(input: ProtocolRunInput, protocolName: string) {
    this.world = new ShardWorld(input, protocolName);
    this.shards = input.config.shards;
    this.opts = resolveLock2pcOptions(input.config.options);
    this.parentRoots = Array.from({ length: this.shards }, () => new Uint8Array(32));
  }

  run(): ProtocolRunOutput {
    const last = this.world.runSlots(
      (s) => this.step(s),
      () => this.queue.length === 0 && this.deciding.length === 0,
    );
    return this.finish(last);
  }

  private step(slot: number): void {
    const headers = this.crosslink();
    const drafts: Draft[] = Array.from({ length: this.shards }, () => ({ ops: [], results: [] }));
    const refusedBefore = this.locksRefused;
    const deciding = this.deciding;
    this.deciding = [];
    for (const t of deciding) this.decide(t, slot, headers, drafts);
    for (const a of this.world.admit(slot)) this.queue.push({ ...a, shards: [], lockSlot: -1, requests: [] });
    this.queue.sort((a, b) => a.seq - b.seq);
    const queue = this.queue;
    this.queue = [];
    for (const t of queue) this.request(t, slot, drafts);
    this.sealed = drafts.map((d, y) => this.seal(y, slot, d));

    const w = this.world;
    w.metrics.series(slot, "locked", this.locks.size);
    w.metrics.series(slot, "refusedLocks", this.locksRefused - refusedBefore);
    w.metrics.series(slot, "blockOps", drafts.map((d) => d.ops.length));
  }

  /** Checks the previous slot's shard headers (each committee's aggregate signature) once. */
  private crosslink(): Map<number, ShardHeaderValue> {
    const out = new Map<number, ShardHeaderValue>();
    for (const b of this.sealed) {
      if (!bytesEqual(b.attestation.message, sha256(DOMAIN_LOCK2PC_BLOCK, b.root)) || !this.world.isAttested(b.header.shard, b.attestation)) {
        throw new Error("internal: shard header not final");
      }
      this.crosslinkChecks++;
      out.set(b.header.shard, b.header);
    }
    return out;
  }

  private seal(shard: number, slot: number, d: Draft): Sealed {
    const results = commitList(d.results.map((l) => ResultLeaf.hashTreeRoot(l)));
    const header: ShardHeaderValue = {
      shard,
      slot,
      parentRoot: this.parentRoots[shard] as Uint8Array,
      opsRoot: commitList(d.ops).root,
      resultsRoot: results.root,
      stateRoot: this.world.computeShardState(shard, this.world.states).commitment.root,
    };
    const root = ShardHeader.hashTreeRoot(header);
    this.parentRoots[shard] = root;
    return { header, root, attestation: this.world.attest(shard, sha256(DOMAIN_LOCK2PC_BLOCK, root)), results };
  }

  /** Appends one result leaf to a shard's draft block; returns its index. */
  private addResult(d: Draft, kind: ResultKind, t: LockTx, contract: ContractId, snap: Snap): { index: number; leaf: ResultLeafValue } {
    const leaf: ResultLeafValue = { kind: RESULT_KINDS[kind], txId: t.txId, contract: encoder.encode(contract), stateRoot: snap.kv.root() };
    return { index: d.results.push(leaf) - 1, leaf };
  }

  // ---------------------------------------------------------------- phase 1: locks, direct execution

  private request(t: LockTx, slot: number, drafts: Draft[]): void {
    const w = this.world;
    const shards = w.getShards(t.footprint);
    t.shards = shards.length > 0 ? shards : [0];
    if (t.shards.some((y) => (drafts[y] as Draft).ops.length >= w.cfg.blockTxLimit)) {
      this.queue.push(t);
      return;
    }
    if (t.firstTry === undefined) {
      t.firstTry = slot;
      this.started++;
      if (t.shards.length > 1) this.crossShard++;
    }
    for (const y of t.shards) (drafts[y] as Draft).ops.push(t.txId);
    w.metrics.include(t.index, slot, `shard:${t.shards[0]}`);
    if (t.shards.length === 1) this.executeSingleShard(t, slot, drafts[t.shards[0] as number] as Draft);
    else this.placeLocks(t, slot, drafts);
  }

  /** A single-shard transaction runs in this block, unless a contract it touches is locked. */
  private executeSingleShard(t: LockTx, slot: number, d: Draft): void {
    const w = this.world;
    const ids = t.footprint.filter((id) => w.getShard(id) !== undefined);
    const holder = ids.map((id) => this.locks.get(id)).find((h) => !isLockFree(h, t.seq));
    if (holder !== undefined) {
      for (const id of ids) this.addResult(d, "refused", t, id, w.states.get(id) as Snap);
      w.metrics.event(t.index, slot, "refused", `shard:${t.shards[0]}`, "a contract is locked");
      this.onContention(t, slot);
      return;
    }
    const handles = new Map(ids.map((id) => [id, w.handle(id, w.states.get(id) as Snap)]));
    const ex = w.execute(t, handles);
    const outcome = w.recordOutcome(t, ex, `transaction ${t.index}`);
    for (const id of ids) {
      const post = w.computePostState(id, w.states.get(id) as Snap, ex);
      w.states.set(id, post);
      this.addResult(d, outcome.status, t, id, post);
    }
    this.complete(t, slot, slot, outcome);
  }

  private placeLocks(t: LockTx, slot: number, drafts: Draft[]): void {
    const w = this.world;
    t.lockSlot = slot;
    t.requests = [];
    for (const id of t.footprint) {
      const y = w.getShard(id);
      if (y === undefined || t.requests.some((r) => r.contract === id)) continue;
      const free = isLockFree(this.locks.get(id), t.seq);
      const pinned = w.states.get(id) as Snap;
      if (free) {
        this.locks.set(id, t.seq);
        this.locksGranted++;
      } else this.locksRefused++;
      const { index, leaf } = this.addResult(drafts[y] as Draft, free ? "locked" : "refused", t, id, pinned);
      t.requests.push({ shard: y, index, contract: id, leaf, pinned });
      w.metrics.event(t.index, slot, "lock", `shard:${y}`, `${free ? "accepted" : "refused"} ${id}`);
    }
    this.deciding.push(t);
  }

  // ---------------------------------------------------------------- phase 2: commit or abort

  /** The client's proofs of its lock results, from the crosslinked blocks of the previous slot. */
  private getLockProofs(t: LockTx): LockProof[] {
    return t.requests.map((r) => {
      const block = this.sealed[r.shard] as Sealed;
      return { shard: r.shard, slot: t.lockSlot, index: r.index, length: block.results.length, leaf: r.leaf, branch: block.results.prove(r.index) };
    });
  }

  /** One shard's check of a transaction's lock proofs against the crosslinked headers. */
  private checkLockProofs(t: LockTx, proofs: readonly LockProof[], headers: ReadonlyMap<number, ShardHeaderValue>): boolean[] {
    return proofs.map((p, j) => {
      this.proofBytes += computeLockProofBytes(p);
      this.proofChecks++;
      return verifyLockProof(p, headers.get(p.shard) as ShardHeaderValue, t.txId, encoder.encode((t.requests[j] as LockRequest).contract));
    });
  }

  private decide(t: LockTx, slot: number, headers: ReadonlyMap<number, ShardHeaderValue>, drafts: Draft[]): void {
    const proofs = this.getLockProofs(t);
    // Every shard of the transaction checks every proof before acting on the decision.
    const accepted = t.shards.map(() => this.checkLockProofs(t, proofs, headers))[0] as boolean[];
    for (const y of t.shards) (drafts[y] as Draft).ops.push(t.txId);
    const decision = decideAfterLocks(accepted, this.opts.onLocked);
    if (decision === "commit") {
      this.commit(t, slot, drafts);
      return;
    }
    this.release(t, slot, drafts);
    if (decision === "abort") this.onContention(t, slot);
    else this.queue.push(t);
  }

  /** Every shard executes the program against the pinned states, applies its part, releases its locks. */
  private commit(t: LockTx, slot: number, drafts: Draft[]): void {
    const w = this.world;
    for (const y of t.shards) {
      const handles = new Map<ContractId, ContractHandle>();
      for (const r of t.requests) {
        const own = r.shard === y;
        const snap = own ? (w.states.get(r.contract) as Snap) : r.pinned;
        if (own && !bytesEqual(snap.kv.root(), r.leaf.stateRoot)) throw new Error(`internal: locked contract ${r.contract} changed`);
        handles.set(r.contract, w.handle(r.contract, snap));
      }
      const ex = w.execute(t, handles);
      for (const r of t.requests) if (r.shard !== y) w.checkWitness(r.contract, r.pinned, r.leaf.stateRoot, ex.effects.reads.get(r.contract));
      const outcome = w.recordOutcome(t, ex, `transaction ${t.index}`);
      for (const r of t.requests) {
        if (r.shard !== y) continue;
        const post = w.computePostState(r.contract, r.pinned, ex);
        w.states.set(r.contract, post);
        this.locks.delete(r.contract);
        this.addResult(drafts[y] as Draft, outcome.status, t, r.contract, post);
      }
      w.metrics.event(t.index, slot, "commit", `shard:${y}`, outcome.status);
    }
    this.complete(t, slot, t.lockSlot, t.outcome as ExecOutcome);
  }

  /** Releases the locks this attempt got (the abort message on each shard that granted one). */
  private release(t: LockTx, slot: number, drafts: Draft[]): void {
    const w = this.world;
    for (const r of t.requests) {
      if (r.leaf.kind !== RESULT_KINDS.locked) continue;
      this.locks.delete(r.contract);
      this.addResult(drafts[r.shard] as Draft, "released", t, r.contract, w.states.get(r.contract) as Snap);
      w.metrics.event(t.index, slot, "release", `shard:${r.shard}`, r.contract);
    }
    t.requests = [];
  }

  /** A transaction met a locked contract: it aborts, or waits and tries again next slot. */
  private onContention(t: LockTx, slot: number): void {
    if (this.opts.onLocked === "wait") {
      this.queue.push(t);
      return;
    }
    this.abortsByContention++;
    this.world.metrics.finish(t.index, slot, "aborted", CONTENTION);
  }

  /** The transaction ran (committed or its `require` failed) in `slot`; its locks were all granted in `lockedAt`. */
  private complete(t: LockTx, slot: number, lockedAt: number, outcome: ExecOutcome): void {
    const w = this.world;
    const wait = lockedAt - (t.firstTry as number);
    this.lockWaits.push(wait);
    w.metrics.setExtra(t.index, "lockWaitSlots", wait);
    w.registerSuccessors(outcome.created);
    w.finishExecuted(t.index, slot, outcome);
  }

  private finish(lastSlot: number): ProtocolRunOutput {
    const waits = this.lockWaits;
    return this.world.finish(
      lastSlot,
      {
        lockWaitSlots: waits.length > 0 ? round(waits.reduce((a, b) => a + b, 0) / waits.length) : null,
        lockWaitSlotsMax: waits.length > 0 ? Math.max(...waits) : null,
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
