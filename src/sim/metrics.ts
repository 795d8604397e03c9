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
import { Column, Interner } from "./columns.js";
import { WorkCollector } from "./work.js";

const NONE = -1;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * What the recorder knows of each submitted transaction, in columns by submission index (no
 * object per transaction): slots as numbers (NaN for none), the outcome and reason as small
 * indices, the id as 32 bytes when it is 64 lowercase hex digits (any other text is kept as is),
 * equal footprints shared. `build` turns them into the results file's records.
 */
class TxColumns {
  /** Submitted slot; −1: never submitted. */
  readonly submitted = new Column((n) => new Float64Array(n), NONE);
  readonly included = new Column((n) => new Float64Array(n), NaN);
  readonly final = new Column((n) => new Float64Array(n), NaN);
  /** 0: no outcome yet; 1 + index in OUTCOMES. */
  readonly outcome = new Column((n) => new Uint8Array(n));
  /** Index in `reasons`; −1: null. */
  readonly reason = new Column((n) => new Int32Array(n), NONE);
  readonly reasons = new Interner<string>();
  readonly footprint = new Column((n) => new Int32Array(n), NONE);
  readonly footprints = new Interner<string[]>();
  readonly idBytes = new Column((n) => new Uint8Array(n), 0, 32 * 1024);
  readonly otherIds = new Map<number, string>();
  /** Extra figures by name: one column each, NaN where a transaction has none. */
  readonly extra = new Map<string, Column<Float64Array>>();
  /** One past the highest submitted index. */
  end = 0;

  setReason(index: number, reason: string | null): void {
    this.reason.a[index] = reason === null ? NONE : this.reasons.intern(reason, reason);
  }

  getReason(index: number): string | null {
    const r = this.reason.a[index] as number;
    return r === NONE ? null : (this.reasons.values[r] as string);
  }

  getOutcome(index: number): Outcome | null {
    const o = this.outcome.a[index] as number;
    return o === 0 ? null : (OUTCOMES[o - 1] as Outcome);
  }

  setOutcome(index: number, o: Outcome): void {
    this.outcome.a[index] = 1 + OUTCOMES.indexOf(o);
  }

  setId(index: number, id: string): void {
    if (HEX64.test(id)) {
      this.idBytes.ensure(32 * (index + 1)).set(Buffer.from(id, "hex"), 32 * index);
      this.otherIds.delete(index);
    } else this.otherIds.set(index, id);
  }

  getId(index: number): string {
    return this.otherIds.get(index) ?? Buffer.from(this.idBytes.a.buffer, this.idBytes.a.byteOffset + 32 * index, 32).toString("hex");
  }

  extraColumn(name: string): Column<Float64Array> {
    let c = this.extra.get(name);
    if (!c) {
      c = new Column((n) => new Float64Array(n), NaN);
      this.extra.set(name, c);
    }
    c.ensure(this.end);
    return c;
  }

  getExtra(index: number, names: readonly string[]): Record<string, number> {
    const e: Record<string, number> = {};
    for (const name of names) {
      const v = (this.extra.get(name) as Column<Float64Array>).a[index] as number;
      if (!Number.isNaN(v)) e[name] = v;
    }
    return e;
  }
}

export class MetricsRecorder {
  private readonly txs = new TxColumns();
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
    const t = this.txs;
    const n = index + 1;
    t.end = Math.max(t.end, n);
    t.submitted.ensure(n)[index] = slot;
    t.included.ensure(n)[index] = NaN;
    t.final.ensure(n)[index] = NaN;
    t.outcome.ensure(n)[index] = 0;
    t.reason.ensure(n)[index] = NONE;
    t.footprint.ensure(n)[index] = t.footprints.intern(JSON.stringify(footprint), footprint);
    t.setId(index, id);
    for (const c of t.extra.values()) c.ensure(n)[index] = NaN;
    this.event(index, slot, "submit", "user", "");
  }

  /** First inclusion only; later inclusions (further segments, retries) do not move it. */
  include(index: number, slot: number, where: string, detail = ""): void {
    this.tx(index);
    const a = this.txs.included.a;
    if (Number.isNaN(a[index])) a[index] = slot;
    this.event(index, slot, "include", where, detail);
  }

  /** The transaction's last effect (or its abort) is final in `slot`, at `where` (for the timeline). */
  finish(index: number, slot: number | null, outcome: Outcome, reason: string | null = null, where = "chain"): void {
    this.tx(index);
    const t = this.txs;
    t.final.a[index] = slot === null ? NaN : slot;
    t.setOutcome(index, outcome);
    t.setReason(index, reason);
    if (slot !== null) this.event(index, slot, "final", where, outcome + (reason ? `: ${reason}` : ""));
  }

  isFinished(index: number): boolean {
    this.tx(index);
    return this.txs.getOutcome(index) !== null;
  }

  addExtra(index: number, name: string, value: number): void {
    this.tx(index);
    const a = this.txs.extraColumn(name).a;
    const v = a[index] as number;
    a[index] = (Number.isNaN(v) ? 0 : v) + value;
  }

  setExtra(index: number, name: string, value: number): void {
    this.tx(index);
    this.txs.extraColumn(name).a[index] = value;
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
    const c = this.txs;
    const extraNames = [...c.extra.keys()].sort();
    const txs: TxRecord[] = [];
    for (let index = 0; index < c.end; index++) {
      if ((c.submitted.a[index] as number) === NONE) continue;
      let outcome = c.getOutcome(index);
      let reason = c.getReason(index);
      const includedSlot = c.included.a[index] as number;
      if (outcome === null) {
        outcome = "hung";
        reason = reason ?? (Number.isNaN(includedSlot) ? "never included" : "not final by the end of the run");
        c.setOutcome(index, outcome);
        c.setReason(index, reason);
      }
      const finalSlot = c.final.a[index] as number;
      txs.push({
        index,
        id: c.getId(index),
        footprint: c.footprints.values[c.footprint.a[index] as number] as string[],
        submittedSlot: c.submitted.a[index] as number,
        includedSlot: Number.isNaN(includedSlot) ? null : includedSlot,
        finalSlot: Number.isNaN(finalSlot) ? null : finalSlot,
        outcome,
        reason,
        extra: c.getExtra(index, extraNames),
      });
    }

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

  private tx(index: number): void {
    if (!(index >= 0 && index < this.txs.end && (this.txs.submitted.a[index] as number) !== NONE)) throw new Error(`metrics: transaction ${index} was never submitted`);
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
