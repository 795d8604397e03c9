/**
 * Metrics live here, outside protocol state: the simulator records what happened to each
 * transaction and each slot, and turns it into a results file (schema xshard.results/1).
 */
import { OUTCOMES, type Outcome } from "../types.js";
import {
  RESULTS_SCHEMA,
  type LatencyBlock,
  type LatencyStats,
  type ResultsFile,
  type SlotRecord,
  type TraceEvent,
  type TxRecord,
} from "../results/schema.js";
import { WorkCollector } from "./work.js";

interface TxMetrics {
  index: number;
  id: string;
  footprint: string[];
  submittedSlot: number;
  includedSlot: number | null;
  finalSlot: number | null;
  outcome: Outcome | null;
  reason: string | null;
  extra: Record<string, number>;
}

export class MetricsRecorder {
  private readonly txs: TxMetrics[] = [];
  private readonly slotSeries = new Map<number, Record<string, number | number[]>>();
  private readonly traced: Set<number>;
  private readonly events: TraceEvent[] = [];
  /** Validator work (the protocols' `WorkObserver` calls land here); the results' `work` block. */
  readonly work: WorkCollector;

  /** `groups`: shards or contract committees of the run (for the work figures per group). */
  constructor(private readonly slotSeconds: number, trace: readonly number[] = [], groups = 0) {
    this.traced = new Set(trace);
    this.work = new WorkCollector(groups);
  }

  submit(index: number, id: string, footprint: string[], slot: number): void {
    this.txs[index] = { index, id, footprint, submittedSlot: slot, includedSlot: null, finalSlot: null, outcome: null, reason: null, extra: {} };
    this.event(index, slot, "submit", "user", "");
  }

  /** First inclusion only; later inclusions (further segments, retries) do not move it. */
  include(index: number, slot: number, where: string, detail = ""): void {
    const t = this.tx(index);
    if (t.includedSlot === null) t.includedSlot = slot;
    this.event(index, slot, "include", where, detail);
  }

  /** The transaction's last effect (or its abort) is final in `slot`, at `where` (for the timeline). */
  finish(index: number, slot: number | null, outcome: Outcome, reason: string | null = null, where = "chain"): void {
    const t = this.tx(index);
    t.finalSlot = slot;
    t.outcome = outcome;
    t.reason = reason;
    if (slot !== null) this.event(index, slot, "final", where, outcome + (reason ? `: ${reason}` : ""));
  }

  isFinished(index: number): boolean {
    return this.tx(index).outcome !== null;
  }

  addExtra(index: number, name: string, value: number): void {
    const e = this.tx(index).extra;
    e[name] = (e[name] ?? 0) + value;
  }

  setExtra(index: number, name: string, value: number): void {
    this.tx(index).extra[name] = value;
  }

  series(slot: number, name: string, value: number | number[]): void {
    let s = this.slotSeries.get(slot);
    if (!s) {
      s = {};
      this.slotSeries.set(slot, s);
    }
    s[name] = value;
  }

  isTraced(index: number): boolean {
    return this.traced.has(index);
  }

  event(tx: number, slot: number, kind: string, where: string, detail: string): void {
    if (this.traced.has(tx)) this.events.push({ tx, slot, kind, where, detail });
  }

  /** Builds the results file. Unfinished transactions end `hung` (the run drains before this). */
  build(protocol: string, config: Record<string, unknown>, protocolSummary: Record<string, number | number[] | null>, lastSlot: number): ResultsFile {
    for (const t of this.txs) {
      if (t && t.outcome === null) {
        t.outcome = "hung";
        t.reason = t.reason ?? (t.includedSlot === null ? "never included" : "not final by the end of the run");
      }
    }
    const txs: TxRecord[] = this.txs.filter(Boolean).map((t) => ({
      index: t.index,
      id: t.id,
      footprint: t.footprint,
      submittedSlot: t.submittedSlot,
      includedSlot: t.includedSlot,
      finalSlot: t.finalSlot,
      outcome: t.outcome as Outcome,
      reason: t.reason,
      extra: sortKeys(t.extra),
    }));

    const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
    const reasons: Record<string, number> = {};
    for (const t of txs) {
      outcomes[t.outcome]++;
      if (t.outcome !== "committed" && t.reason) reasons[t.reason] = (reasons[t.reason] ?? 0) + 1;
    }
    const finals = txs.filter((t) => t.finalSlot !== null && (t.outcome === "committed" || t.outcome === "aborted" || t.outcome === "partial"));
    const latencySlots = computeLatencyBlock(finals, 1);
    const latencySeconds = computeLatencyBlock(finals, this.slotSeconds);
    const runSlots = lastSlot + 1;

    const included = new Map<number, number>();
    const finalized = new Map<number, number>();
    for (const t of txs) {
      if (t.includedSlot !== null) included.set(t.includedSlot, (included.get(t.includedSlot) ?? 0) + 1);
      if (t.finalSlot !== null) finalized.set(t.finalSlot, (finalized.get(t.finalSlot) ?? 0) + 1);
    }
    const slots: SlotRecord[] = [];
    for (let s = 0; s <= lastSlot; s++) {
      slots.push({ slot: s, included: included.get(s) ?? 0, finalized: finalized.get(s) ?? 0, series: sortKeys(this.slotSeries.get(s) ?? {}) });
    }

    return {
      schema: RESULTS_SCHEMA,
      protocol,
      config,
      summary: {
        submitted: txs.length,
        outcomes,
        reasons: sortKeys(reasons),
        latencySlots,
        latencySeconds,
        throughputTxPerSlot: round(finals.length / runSlots),
        protocol: sortKeys(protocolSummary),
      },
      txs,
      slots,
      trace: this.events,
      work: this.work.build(lastSlot, finals.length),
    };
  }

  private tx(index: number): TxMetrics {
    const t = this.txs[index];
    if (!t) throw new Error(`metrics: transaction ${index} was never submitted`);
    return t;
  }
}

export function computeLatencyBlock(txs: readonly TxRecord[], scale: number): LatencyBlock {
  const incl = txs.filter((t) => t.includedSlot !== null);
  return {
    submitToInclusion: computeLatencyStats(incl.map((t) => ((t.includedSlot as number) - t.submittedSlot) * scale)),
    submitToFinal: computeLatencyStats(txs.map((t) => ((t.finalSlot as number) - t.submittedSlot) * scale)),
    inclusionToFinal: computeLatencyStats(incl.map((t) => ((t.finalSlot as number) - (t.includedSlot as number)) * scale)),
  };
}

/** Nearest-rank quantiles. */
export function computeLatencyStats(values: number[]): LatencyStats {
  if (values.length === 0) return { count: 0, mean: null, p50: null, p90: null, p99: null, max: null };
  const v = values.slice().sort((a, b) => a - b);
  const q = (p: number): number => v[Math.max(0, Math.ceil((p / 100) * v.length) - 1)] as number;
  const sum = v.reduce((a, b) => a + b, 0);
  return { count: v.length, mean: round(sum / v.length), p50: q(50), p90: q(90), p99: q(99), max: v[v.length - 1] as number };
}

export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k] as T]));
}
