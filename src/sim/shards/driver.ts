/**
 * What the simulator drivers of both baselines (`sync`, `lock2pc`) share: the run configuration,
 * seeded random streams, the genesis (contract code loaded here, then handed to the spec), the
 * mempool and the fee check at first offer, the event queue with the network model applied to
 * every message, metrics and the results file.
 *
 * Time: slot `s` starts at `s × slotSeconds × 1000` ms on the event queue. A message sent at time
 * t arrives at t + delay (the network model, one draw per message from the stream `network`); a
 * message that has arrived at or before the start of slot `s` is usable by the blocks of slot `s`.
 */
import { createBlsVerifier, createNoopVerifier } from "../../crypto/bls.js";
import { toHex } from "../../crypto/hash.js";
import { computeFootprint, computeTxId, type SignedTx } from "../../program/index.js";
import { Runtime } from "../../runtime/index.js";
import type { MerkleKV } from "../../state/index.js";
import type { ContractId } from "../../types.js";
import { computeGenesisAccounts, computeSigningRoot, type Attestation } from "../../chain/index.js";
import { getBeaconTotal } from "../../chain/beacon.js";
import { buildShardAttestation, checkShardAttestation, computeShardProposer, getCommittee } from "../../protocols/shards/attestation.js";
import {
  computeAdmittedTx,
  createShardsContext,
  createShardsState,
  isGasLimitWithinSlot,
  processAdmission,
  type AdmittedTx,
  type ShardsContext,
  type ShardsState,
} from "../../protocols/shards/world.js";
import { EventQueue } from "../events.js";
import { DegradationRecorder } from "../liveness.js";
import { MetricsRecorder, round } from "../metrics.js";
import { createNetworkModel, type NetworkModel } from "../network.js";
import { RngStreams } from "../rng.js";
import { computeConfigRecord } from "../config.js";
import { deployGenesis } from "../world.js";
import { createSignatureBatch, getBatchOffload, type SignatureBatch } from "./signatureBatch.js";
import type { ProtocolRunInput, ProtocolRunOutput, RunConfig } from "../protocol.js";

/** An admitted transaction as the driver tracks it (its submission index for the metrics). */
export interface DriverTx extends AdmittedTx {
  readonly index: number;
}

export class ShardsDriver {
  readonly cfg: RunConfig;
  readonly streams: RngStreams;
  readonly ctx: ShardsContext;
  readonly metrics: MetricsRecorder;
  readonly queue = new EventQueue();
  readonly network: NetworkModel;
  readonly slotMs: number;
  readonly beaconGenesisTotal: bigint;
  readonly endSlot: number;
  readonly lastSubmission: number;
  /** The genesis state of the sharded world (the protocols carry it on in their own state). */
  readonly genesis: ShardsState;
  signatures = 0;
  witnessBytes = 0;
  witnesses = 0;
  /** Messages delivered after the start of the slot following the one they were sent in. */
  lateMessages = 0;
  messages = 0;
  /** Liveness faults (`--offline`): who signs and proposes, missed shard slots, stalled shards. */
  readonly liveness: DegradationRecorder;
  private readonly bySlot = new Map<number, SignedTx[]>();
  private readonly indexOf = new Map<SignedTx, number>();
  private mempool: SignedTx[] = [];
  private admitted = 0;
  /** With `batchSignatures`: the committee signature checks of a slot, verified as one batch at its end. */
  private readonly batch: SignatureBatch | undefined;

  /**
   * `batchSignatures`: the specs' signature checks are recorded and verified as one batch at the
   * end of every slot (signatureBatch.ts; the protocols' runs). Off (the default) for callers that
   * use the context to check attestations that may be bad (test vectors).
   */
  constructor(private readonly input: ProtocolRunInput, readonly protocolName: string, batchSignatures = false) {
    this.cfg = input.config;
    this.streams = new RngStreams(this.cfg.seed);
    this.metrics = new MetricsRecorder(this.cfg.slotSeconds, this.cfg.trace, this.cfg.shards);
    this.network = createNetworkModel(this.cfg.network);
    this.slotMs = this.cfg.slotSeconds * 1000;
    const runtime = new Runtime();
    const deployed = deployGenesis(runtime, input.workload.genesis);
    const verifier = this.cfg.signatures ? createBlsVerifier() : createNoopVerifier();
    // On several threads the run's workers verify the batches (attached to the workload by src/runnerThreads.ts).
    this.batch = batchSignatures ? createSignatureBatch(verifier, getBatchOffload(input.workload)) : undefined;
    this.ctx = createShardsContext({
      seed: this.cfg.seed,
      shards: this.cfg.shards,
      validators: this.cfg.validators,
      committeeSize: this.cfg.committeeSize,
      runtime,
      verifier: this.batch?.verifier ?? verifier,
      deployed,
      slotGas: BigInt(this.cfg.slotGas),
    });
    this.genesis = createShardsState(this.ctx, deployed, computeGenesisAccounts(input.workload.genesis));
    this.beaconGenesisTotal = getBeaconTotal(this.genesis.beacon);
    this.liveness = new DegradationRecorder(this.cfg, ["shard"], "shard");

    let last = 0;
    for (const s of input.workload.submissions) {
      (this.bySlot.get(s.slot) ?? this.bySlot.set(s.slot, []).get(s.slot))?.push(s.tx);
      this.indexOf.set(s.tx, s.index);
      this.metrics.submit(s.index, toHex(computeTxId(s.tx)), computeFootprint(s.tx.tx.program), s.slot);
      last = Math.max(last, s.slot);
    }
    this.lastSubmission = last;
    this.endSlot = last + this.cfg.drainSlots;
  }

  /** Start of `slot` on the event queue, in ms. */
  getSlotTime(slot: number): number {
    return slot * this.slotMs;
  }

  /**
   * Drives the run on the event queue: the slot event `step(slot)` for every slot until the end of
   * the run, or earlier once every submission is past, the mempool is empty, no message is in
   * flight that pending work waits for and nothing is left in the protocol (`isIdle`). Returns the
   * last slot simulated.
   */
  runSlots(step: (slot: number) => void, isIdle: () => boolean): number {
    let s = 0;
    for (; s <= this.endSlot; s++) {
      const slot = s;
      this.queue.schedule(this.getSlotTime(slot), () => step(slot));
      this.queue.runUntil(this.getSlotTime(slot));
      this.batch?.flush();
      this.input.onSlot?.(s, this.endSlot);
      if (s >= this.lastSubmission && this.mempool.length === 0 && isIdle()) break;
    }
    return Math.min(s, this.endSlot);
  }

  /**
   * Sends one message now (`queue.now`): `deliver` runs when it arrives, after the network model's
   * delay. Returns the arrival time. A message is late when it arrives after the start of the slot
   * following the one it was sent in.
   */
  send(deliver: () => void): number {
    const now = this.queue.now;
    const at = now + this.network.delayMs(this.streams.get("network"));
    this.messages++;
    if (at > this.getSlotTime(Math.floor(now / this.slotMs) + 1)) this.lateMessages++;
    this.queue.schedule(at, deliver);
    return at;
  }

  /**
   * The fee check when transactions are first offered to shard blocks in `slot` (the spec's
   * `processAdmission`). Invalid transactions are `rejected`; future nonces stay in the mempool.
   */
  admit(state: ShardsState, slot: number): { state: ShardsState; admitted: DriverTx[] } {
    const candidates: SignedTx[] = [];
    for (const stx of this.mempool.concat(this.bySlot.get(slot) ?? [])) {
      if (isGasLimitWithinSlot(stx.tx.gasLimit, this.ctx.slotGas)) candidates.push(stx);
      else this.metrics.finish(this.indexOf.get(stx) as number, null, "rejected", `gas limit ${stx.tx.gasLimit} above the slot gas ${this.ctx.slotGas}`);
    }
    const r = processAdmission(state, candidates, slot, this.ctx);
    for (const { tx, reason } of r.rejected) this.metrics.finish(this.indexOf.get(tx) as number, null, "rejected", reason);
    this.mempool = [...r.deferred];
    const admitted = r.included.map((stx) => ({ ...computeAdmittedTx(stx, this.admitted++, computeFootprint(stx.tx.program)), index: this.indexOf.get(stx) as number }));
    return { state: r.state, admitted };
  }

  /** The slot the event queue is in now. */
  getCurrentSlot(): number {
    return Math.floor(this.queue.now / this.slotMs);
  }

  /** The honest committee of `shard` signs `root` (every member, or those online at `slot`); counted. */
  attest(shard: number, domain: string, root: Uint8Array, slot?: number): Attestation {
    const signers = slot === undefined ? getCommittee(this.ctx, shard) : this.liveness.online(getCommittee(this.ctx, shard), slot);
    const att = buildShardAttestation(this.ctx, shard, domain, root, signers);
    this.signatures += att.signers.length;
    this.metrics.work.onSignatures(this.getCurrentSlot(), att.signers.length, 0);
    checkShardAttestation(this.ctx, shard, domain, root, att, { verifySignatures: false });
    return att;
  }

  /**
   * The attestations `attest` is about to be asked for (same arguments), signed now in parallel on
   * the run's workers when it has any (`SignatureBatch.presign`): the same signatures, so a pure
   * speed-up; `attest` signs whatever was not made ahead.
   */
  presignAttestations(items: readonly { readonly shard: number; readonly domain: string; readonly root: Uint8Array; readonly slot?: number | undefined }[]): void {
    if (!this.batch) return;
    this.batch.presign(
      items.map(({ shard, domain, root, slot }) => {
        const committee = getCommittee(this.ctx, shard);
        const signers = slot === undefined ? committee : this.liveness.online(committee, slot);
        return { keys: signers.map((v) => v.key), msg: computeSigningRoot(domain, this.ctx.genesisRoot, root) };
      }),
    );
  }

  /** Whether `shard`'s committee has ≥ 2/3 of its stake online at `slot` (it can sign). */
  hasQuorum(shard: number, slot: number): boolean {
    return this.liveness.hasQuorum(getCommittee(this.ctx, shard), slot);
  }

  /** Whether the proposer of `shard` at `slot` is online. */
  isProposerOnline(shard: number, slot: number): boolean {
    return this.liveness.isOnline(computeShardProposer(this.ctx, shard, slot).index, slot);
  }

  /** Counts witness bytes (`witness` counts one witness; `branch` adds bytes only). */
  countWitness(bytes: number, kind: "branch" | "witness"): void {
    this.witnessBytes += bytes;
    if (kind === "witness") this.witnesses++;
  }

  /** Builds the results file and the end state. */
  finish(lastSlot: number, state: ShardsState, summary: Record<string, number | number[] | null>, config: Record<string, unknown>): ProtocolRunOutput {
    this.batch?.flush();
    this.batch?.settle();
    const results = this.liveness.apply(this.metrics.build(
      this.protocolName,
      computeConfigRecord(this.protocolName, this.cfg, this.input.workload, { network: this.network.name, ...config }),
      {
        ...summary,
        signatures: this.signatures,
        witnessBytesMean: this.witnesses > 0 ? round(this.witnessBytes / this.witnesses) : 0,
        witnessBytesTotal: this.witnessBytes,
        messages: this.messages,
        lateMessages: this.lateMessages,
      },
      lastSlot,
    ));
    const contracts = new Map<ContractId, MerkleKV>();
    for (const [id, s] of state.states) contracts.set(id, s.kv);
    return { results, end: { contracts, beacon: state.beacon.balances, beaconGenesisTotal: this.beaconGenesisTotal } };
  }
}
