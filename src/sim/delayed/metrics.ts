/**
 * The two-stage chain's metrics: the simulator's implementation of the protocol's observer, plus
 * what the driver itself sees (inclusion, finality, lag, cross-committee share), turned into a
 * results file (`xshard.results/1`). Nothing here is read back by the rules.
 */
import type { ExecutionKind, TransferKind, WorkObserver } from "../../chain/observer.js";
import type { DelayedFigure, DelayedObserver } from "../../protocols/delayed/observer.js";
import { computeStage2BlocksFor } from "../../protocols/delayed/rules.js";
import type { ContractId } from "../../types.js";
import { MetricsRecorder, round } from "../metrics.js";

type Figure = DelayedFigure | "proofBytes" | "signaturesVerified" | "affirmations" | "conditionalAffirmations" | "assumptions" | "evidence" | "fraudProofs" | "slashed" | "slashedStake" | "withheldBlocks" | "withheldTxs";

export class DelayedMetrics implements DelayedObserver, Required<WorkObserver> {
  readonly recorder: MetricsRecorder;
  readonly figures = new Map<Figure, number>();
  /** Submission index of each sequence number. */
  readonly indexOf: number[] = [];
  readonly coneSizes: number[] = [];
  readonly executions: number[] = [];
  readonly stage1Blocks: { slot: number; seqs: number[] }[] = [];
  private readonly unfinishedBySlot = new Map<number, number>();
  private readonly crossByEpoch: { cross: number; total: number }[] = [];
  private crossThisSlot = { cross: 0, total: 0 };
  private affirmedThisSlot = 0;
  private fullyFinalSlot = -1;
  maxLag = 0;
  maxCommitteeLoad = 0;
  /** Stage-2 gas by execution kind (the whole run), and per slot per committee. */
  private readonly gasByKind: Record<ExecutionKind, number> = { execute: 0, foreign: 0, speculate: 0, reexecute: 0 };
  private readonly gasThisSlot = new Map<number, number>();
  private maxCommitteeGas = 0;

  /** `committees`: contract committees of the run (the groups of the work figures). */
  constructor(slotSeconds: number, trace: readonly number[], committees = 0) {
    this.recorder = new MetricsRecorder(slotSeconds, trace, committees);
  }

  // The shared work events (`WorkObserver`): handed to the simulator's one work collector, and kept
  // here for delayed's own figures — the committees' gas (group ≥ 0; a full node's re-executions,
  // group −1, are no committee's budget) by kind, and per committee per slot.
  onExecution(slot: number, group: number, tx: number, kind: ExecutionKind, gas: number): void {
    this.recorder.work.onExecution(slot, group, tx, kind, gas);
    if (group < 0) return;
    this.gasByKind[kind] += gas;
    this.gasThisSlot.set(group, (this.gasThisSlot.get(group) ?? 0) + gas);
  }

  onTransfer(slot: number, kind: TransferKind, bytes: number): void {
    this.recorder.work.onTransfer(slot, kind, bytes);
    if (kind === "proof") this.count("proofBytes", bytes);
  }

  onSignatures(slot: number, made: number, verified: number): void {
    this.recorder.work.onSignatures(slot, made, verified);
    this.count("signaturesVerified", verified);
  }

  get(name: Figure): number {
    return this.figures.get(name) ?? 0;
  }

  count(name: Figure, n: number): void {
    this.figures.set(name, this.get(name) + n);
  }

  txEvent(seq: number, slot: number, kind: string, where: string, detail: string): void {
    this.recorder.event(this.indexOf[seq] as number, slot, kind, where, detail);
  }

  executed(seq: number): void {
    this.executions[seq] = (this.executions[seq] ?? 0) + 1;
  }

  rolledBack(txs: readonly number[]): void {
    this.coneSizes.push(txs.length);
  }

  /** A Stage-1 block sequenced `seqs`; `committees[i]` lists the committees of seqs[i]'s footprint. */
  sequenced(slot: number, seqs: readonly number[], committees: readonly number[][]): void {
    seqs.forEach((seq, i) => {
      this.crossThisSlot.total++;
      if (new Set(committees[i]).size > 1) this.crossThisSlot.cross++;
      this.recorder.include(this.indexOf[seq] as number, slot, "stage1", `seq ${seq}`);
    });
    this.stage1Blocks.push({ slot, seqs: [...seqs] });
    this.unfinishedBySlot.set(slot, seqs.length);
  }

  affirmed(seq: number, slot: number, committee: number, contract: ContractId): void {
    this.affirmedThisSlot++;
    this.txEvent(seq, slot, "affirm", `committee:${committee}`, contract);
  }

  final(seq: number, stage1Slot: number, slot: number, status: "committed" | "aborted", reason: string | null): void {
    const index = this.indexOf[seq] as number;
    this.recorder.finish(index, slot, status, reason, "stage2");
    this.recorder.setExtra(index, "executions", this.executions[seq] ?? 0);
    this.unfinishedBySlot.set(stage1Slot, (this.unfinishedBySlot.get(stage1Slot) as number) - 1);
  }

  /** A final transaction was rolled back by a fraud proof. */
  unfinal(seq: number, stage1Slot: number, slot: number, contract: ContractId): void {
    this.unfinishedBySlot.set(stage1Slot, (this.unfinishedBySlot.get(stage1Slot) as number) + 1);
    this.fullyFinalSlot = Math.min(this.fullyFinalSlot, stage1Slot - 1);
    this.txEvent(seq, slot, "rollback", "stage2", `fraud proof on ${contract}`);
  }

  /** End of slot `s`: lag, affirmations, committee loads and the cross-committee share. */
  recordSlot(s: number, stage2Blocks: number, epoch: number, loads: number[]): void {
    while (this.fullyFinalSlot < s && (this.unfinishedBySlot.get(this.fullyFinalSlot + 1) ?? 0) === 0) this.fullyFinalSlot++;
    const lag = s - this.fullyFinalSlot;
    this.maxLag = Math.max(this.maxLag, lag);
    const r = this.recorder;
    r.series(s, "lag", lag);
    r.series(s, "affirmed", this.affirmedThisSlot);
    r.series(s, "stage2Blocks", stage2Blocks);
    r.series(s, "epoch", epoch);
    this.maxCommitteeLoad = Math.max(this.maxCommitteeLoad, ...loads);
    r.series(s, "committeeLoad", loads);
    const e = this.crossByEpoch[epoch] ?? (this.crossByEpoch[epoch] = { cross: 0, total: 0 });
    e.cross += this.crossThisSlot.cross;
    e.total += this.crossThisSlot.total;
    if (this.crossThisSlot.total > 0) r.series(s, "crossCommitteeShare", round(this.crossThisSlot.cross / this.crossThisSlot.total));
    this.crossThisSlot = { cross: 0, total: 0 };
    this.affirmedThisSlot = 0;
    const gas = Array.from({ length: loads.length }, (_, k) => this.gasThisSlot.get(k) ?? 0);
    r.series(s, "stage2Gas", gas);
    this.maxCommitteeGas = Math.max(this.maxCommitteeGas, ...gas);
    this.gasThisSlot.clear();
  }

  /** The protocol's summary figures (`summary.protocol` of the results file). */
  computeSummary(finalBlocks: readonly (number | undefined)[], stage2PerSlot: number, stage2Blocks: number, txCount: number): Record<string, number | number[] | null> {
    let sum = 0;
    let counted = 0;
    for (const b of this.stage1Blocks) {
      if (b.seqs.length === 0) continue;
      const finals = b.seqs.map((q) => finalBlocks[q]);
      if (finals.some((f) => f === undefined)) continue;
      sum += computeStage2BlocksFor((b.slot + 1) * stage2PerSlot, Math.max(...(finals as number[])));
      counted++;
    }
    const f = (name: Figure): number => this.get(name);
    const executions = this.executions.reduce((a, n) => a + (n ?? 0), 0);
    const cross = this.crossByEpoch.reduce((a, e) => ({ cross: a.cross + e.cross, total: a.total + e.total }), { cross: 0, total: 0 });
    return {
      stage2BlocksPerStage1Block: counted > 0 ? round(sum / counted) : null,
      maxLagSlots: this.maxLag,
      stage2Blocks,
      affirmations: f("affirmations"),
      conditionalAffirmations: f("conditionalAffirmations"),
      assumptions: f("assumptions"),
      executionsPerTx: txCount > 0 ? round(executions / txCount) : null,
      speculativeExecutions: f("speculativeExecutions"),
      reexecutedTxs: f("reexecutedTxs"),
      conditionalDiscards: f("conditionalDiscards"),
      witnessBytesMean: f("witnesses") > 0 ? round(f("witnessBytes") / f("witnesses")) : 0,
      witnessBytesTotal: f("witnessBytes"),
      witnessBytesPerAffirmation: f("affirmations") > 0 ? round(f("witnessBytes") / f("affirmations")) : 0,
      signatures: f("signatures"),
      signaturesVerified: f("signaturesVerified"),
      crossCommitteeShare: cross.total > 0 ? round(cross.cross / cross.total) : null,
      crossCommitteeShareByEpoch: this.crossByEpoch.slice(0, this.crossByEpoch.findLastIndex((e) => e.total > 0) + 1).map((e) => (e.total > 0 ? round(e.cross / e.total) : 0)),
      maxCommitteeLoad: this.maxCommitteeLoad,
      handovers: f("handovers"),
      handoverBytes: f("handoverBytes"),
      evidence: f("evidence"),
      fraudProofs: f("fraudProofs"),
      fraudProofBytes: f("fraudProofBytes"),
      slashed: f("slashed"),
      slashedStake: f("slashedStake"),
      coneSizeMax: this.coneSizes.length > 0 ? Math.max(...this.coneSizes) : 0,
      coneSizeMean: this.coneSizes.length > 0 ? round(this.coneSizes.reduce((a, b) => a + b, 0) / this.coneSizes.length) : 0,
      withheldBlocks: f("withheldBlocks"),
      withheldTxs: f("withheldTxs"),
      gasExecute: this.gasByKind.execute,
      gasForeign: this.gasByKind.foreign,
      gasSpeculate: this.gasByKind.speculate,
      gasReexecute: this.gasByKind.reexecute,
      maxCommitteeGasPerSlot: this.maxCommitteeGas,
    };
  }
}
