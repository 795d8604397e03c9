/**
 * The data behind the report: pure functions from `ResultsFile`s (and sweep rows) to the flat,
 * sorted rows that the charts, the HTML tables and the terminal table show. Nothing here renders;
 * everything here is deterministic (same input, same rows in the same order).
 */
import { XshardError } from "../errors.js";
import { RESULTS_SCHEMA, type ResultsFile } from "../results/schema.js";
import { OUTCOMES, type Outcome } from "../types.js";

/** One point of a parameter sweep: a protocol run with these parameters gave these figures. */
export interface SweepRow {
  protocol: string;
  params: Record<string, number | string>;
  /** The figures of the run, or their means when the point ran under several seeds. */
  figures: Record<string, number | null>;
  /** Runs (seeds) behind the means; absent for a single run. */
  seeds?: number;
  /** 95 % confidence interval of each figure over the seeds (`null`: fewer than two values). */
  intervals?: Record<string, SweepInterval | null>;
}

/** A 95 % confidence interval (Student t) around a mean. */
export interface SweepInterval {
  low: number;
  high: number;
}

/** A point of a latency CDF: `share` of all submitted transactions were final within `slots`. */
export interface CdfPoint {
  protocol: string;
  slots: number;
  share: number;
}

export interface OutcomeCount {
  protocol: string;
  outcome: Outcome;
  /** Position of the outcome in `OUTCOMES`, so stacks keep one order everywhere. */
  rank: number;
  count: number;
}

export interface SeriesPoint {
  protocol: string;
  slot: number;
  /** Shard index for a per-shard series, `null` for a scalar one. */
  shard: number | null;
  value: number;
}

/** One named per-slot series, gathered over every protocol that reports it. */
export interface SlotSeries {
  name: string;
  perShard: boolean;
  protocols: string[];
  points: SeriesPoint[];
}

/** A trace event placed for the timeline: `x` spreads the events of one slot inside that slot. */
export interface TimelineEvent {
  protocol: string;
  /** Order of the event in the transaction's life (0-based, per protocol). */
  seq: number;
  slot: number;
  x: number;
  where: string;
  kind: string;
  detail: string;
}

export interface SweepPoint {
  protocol: string;
  x: number | string;
  value: number;
  /** The 95 % interval around `value`, when the sweep ran several seeds. */
  low?: number;
  high?: number;
}

/** Configuration split into what every run shares and what differs between protocols. */
export interface ConfigSplit {
  shared: { key: string; value: unknown }[];
  /** `values[i]` belongs to `protocols[i]`; `undefined` where that run has no such key. */
  differing: { key: string; values: unknown[] }[];
}

/** Colours for protocols the project ships, so one protocol has one colour in every report. */
const KNOWN_PROTOCOL_COLORS: Readonly<Record<string, string>> = {
  delayed: "#2f6eb5",
  "delayed:strict": "#2f6eb5",
  "delayed:conditional": "#79b2e6",
  "receipts:nonsequential": "#f28e2b",
  "receipts:sequential": "#d1495b",
  "receipts:passive": "#3fa7a0",
  sync: "#59a14f",
  lock2pc: "#9c6bb8",
};

/** Colours handed out, in order, to protocols not in the table above. */
const FALLBACK_COLORS: readonly string[] = ["#c9a227", "#ff9da7", "#9c755f", "#6b7785", "#b8d65a", "#e377c2"];

/** Outcome colours, index-aligned with `OUTCOMES`. */
export const OUTCOME_COLORS: readonly string[] = ["#3b9c5a", "#9aa5b1", "#d62728", "#f0a202", "#6a4c93"];

/** Per-slot series the report knows how to label; others are shown after these, by name. */
export const KNOWN_SERIES: readonly string[] = ["lag", "affirmed", "stage2Blocks", "receiptQueue", "baseFee"];

/**
 * Check that the results can be compared in one report: at least one, every one of schema
 * `xshard.results/1`, and no protocol twice. Throws `XshardError` otherwise.
 */
export function assertComparableResults(results: readonly ResultsFile[]): void {
  if (results.length === 0) throw new XshardError("REPORT_NO_RESULTS", "a report needs at least one results file", {});
  const seen = new Set<string>();
  for (const r of results) {
    if (r.schema !== RESULTS_SCHEMA) {
      throw new XshardError("REPORT_BAD_SCHEMA", `results for ${r.protocol} have schema ${String(r.schema)}`, {
        protocol: r.protocol,
        schema: r.schema,
        expected: RESULTS_SCHEMA,
      });
    }
    if (seen.has(r.protocol)) {
      throw new XshardError("REPORT_DUPLICATE_PROTOCOL", `protocol ${r.protocol} appears twice`, { protocol: r.protocol });
    }
    seen.add(r.protocol);
  }
}

/** The protocols of the results, in input order. */
export function getProtocols(results: readonly ResultsFile[]): string[] {
  return results.map((r) => r.protocol);
}

/**
 * A colour per protocol: the fixed colour of a known protocol, otherwise the next fallback colour
 * not yet used in this report (cycling if there are more protocols than colours).
 */
export function computeProtocolColors(protocols: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  const used = new Set<string>();
  for (const p of protocols) {
    const known = KNOWN_PROTOCOL_COLORS[p];
    if (known !== undefined && !used.has(known)) {
      colors.set(p, known);
      used.add(known);
    }
  }
  let next = 0;
  for (const p of protocols) {
    if (colors.has(p)) continue;
    const free = FALLBACK_COLORS.find((c) => !used.has(c));
    const color = free ?? (FALLBACK_COLORS[next++ % FALLBACK_COLORS.length] as string);
    colors.set(p, color);
    used.add(color);
  }
  return colors;
}

/**
 * Submit→final latency CDF per protocol, in slots, over *all submitted* transactions (so a curve
 * that stops below 1 shows the share that never became final). Each curve starts at (0, 0) and is
 * extended to the largest latency of any protocol, so all curves span the same x range.
 */
export function computeLatencyCdf(results: readonly ResultsFile[]): CdfPoint[] {
  const perProtocol = results.map((r) => ({
    protocol: r.protocol,
    submitted: r.txs.length,
    latencies: r.txs
      .filter((t) => t.finalSlot !== null)
      .map((t) => (t.finalSlot as number) - t.submittedSlot)
      .sort((a, b) => a - b),
  }));
  const maxSlots = Math.max(0, ...perProtocol.map((p) => p.latencies[p.latencies.length - 1] ?? 0));
  const points: CdfPoint[] = [];
  for (const { protocol, submitted, latencies } of perProtocol) {
    points.push({ protocol, slots: 0, share: 0 });
    let share = 0;
    for (let i = 0; i < latencies.length; i++) {
      const slots = latencies[i] as number;
      if (latencies[i + 1] === slots) continue;
      share = (i + 1) / submitted;
      if (slots === 0) points[points.length - 1] = { protocol, slots, share };
      else points.push({ protocol, slots, share });
    }
    if (maxSlots > 0 && (latencies[latencies.length - 1] ?? 0) < maxSlots) points.push({ protocol, slots: maxSlots, share });
  }
  return points;
}

/** Outcome counts from each summary, protocols in input order, outcomes in `OUTCOMES` order. */
export function computeOutcomeCounts(results: readonly ResultsFile[]): OutcomeCount[] {
  return results.flatMap((r) =>
    OUTCOMES.map((outcome, rank) => ({ protocol: r.protocol, outcome, rank, count: r.summary.outcomes[outcome] })),
  );
}

/** Order of series names: the known ones first in `KNOWN_SERIES` order, then the rest by name. */
export function compareSeriesNames(a: string, b: string): number {
  const ia = KNOWN_SERIES.indexOf(a);
  const ib = KNOWN_SERIES.indexOf(b);
  if (ia !== ib) return (ia === -1 ? KNOWN_SERIES.length : ia) - (ib === -1 ? KNOWN_SERIES.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every per-slot series in the results, one entry per series name, with the points of every
 * protocol that reports it (protocols lacking it are skipped). A series is per-shard when its
 * values are arrays; a name that is a number in one place and an array in another throws.
 */
export function computeSlotSeries(results: readonly ResultsFile[]): SlotSeries[] {
  const byName = new Map<string, SlotSeries>();
  for (const r of results) {
    for (const rec of r.slots) {
      for (const [name, value] of Object.entries(rec.series)) {
        const perShard = Array.isArray(value);
        let series = byName.get(name);
        if (series === undefined) {
          series = { name, perShard, protocols: [], points: [] };
          byName.set(name, series);
        }
        if (series.perShard !== perShard) {
          throw new XshardError("REPORT_SERIES_SHAPE", `series ${name} is both a number and a per-shard array`, {
            series: name,
            protocol: r.protocol,
            slot: rec.slot,
          });
        }
        if (series.protocols[series.protocols.length - 1] !== r.protocol) series.protocols.push(r.protocol);
        if (Array.isArray(value)) {
          value.forEach((v, shard) => series.points.push({ protocol: r.protocol, slot: rec.slot, shard, value: v }));
        } else {
          series.points.push({ protocol: r.protocol, slot: rec.slot, shard: null, value });
        }
      }
    }
  }
  return [...byName.values()].sort((a, b) => compareSeriesNames(a.name, b.name));
}

/**
 * The transaction to draw in the timeline: `requested` if some protocol traced it (throws
 * otherwise), else the smallest index traced by every protocol that has a trace, else the first
 * traced index of the first protocol with a trace; `null` when no protocol has any trace.
 */
export function getTimelineTx(results: readonly ResultsFile[], requested?: number): number | null {
  const traced = results.filter((r) => r.trace.length > 0).map((r) => new Set(r.trace.map((e) => e.tx)));
  if (requested !== undefined) {
    if (!traced.some((s) => s.has(requested))) {
      throw new XshardError("REPORT_TX_NOT_TRACED", `transaction ${requested} is not traced by any protocol`, { tx: requested });
    }
    return requested;
  }
  const first = traced[0];
  if (first === undefined) return null;
  const common = [...first].filter((tx) => traced.every((s) => s.has(tx))).sort((a, b) => a - b);
  return common[0] ?? ([...first][0] as number);
}

/** The timeline's name for the place of an event recorded without one (`where: ""`). */
export const NO_PLACE = "(no place)";

/** Rank of a place kind on the timeline's y axis: the user, Stage 1 and beacon on top, then committees, shards. */
function getPlaceRank(kind: string): number {
  const ranks: Record<string, number> = { user: 0, stage1: 1, beacon: 2, committee: 3, shard: 4 };
  return ranks[kind] ?? 5;
}

/** Order of places ("user", "stage1", "beacon", "committee:k", "shard:k", others) on the timeline's y axis. */
export function comparePlaces(a: string, b: string): number {
  const [ka = "", na = ""] = a.split(":", 2);
  const [kb = "", nb = ""] = b.split(":", 2);
  const byRank = getPlaceRank(ka) - getPlaceRank(kb);
  if (byRank !== 0) return byRank;
  if (ka !== kb) return ka < kb ? -1 : 1;
  const numeric = Number(na) - Number(nb);
  if (Number.isFinite(numeric) && numeric !== 0) return numeric;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * The trace of transaction `tx` per protocol (protocols without it are skipped), events in slot
 * order (file order within a slot). The `k`-th of `n` events in slot `s` is drawn at
 * `x = s + (k + 1) / (n + 1)`, so the events of one slot sit inside that slot's band. An event
 * recorded without a place is put on the row `NO_PLACE`.
 */
export function computeTimeline(results: readonly ResultsFile[], tx: number): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const r of results) {
    const own = r.trace
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.tx === tx)
      .sort((a, b) => a.e.slot - b.e.slot || a.i - b.i)
      .map(({ e }) => e);
    const perSlot = new Map<number, number>();
    for (const e of own) perSlot.set(e.slot, (perSlot.get(e.slot) ?? 0) + 1);
    const placed = new Map<number, number>();
    own.forEach((e, seq) => {
      const k = placed.get(e.slot) ?? 0;
      placed.set(e.slot, k + 1);
      const x = e.slot + (k + 1) / ((perSlot.get(e.slot) as number) + 1);
      const where = e.where === "" ? NO_PLACE : e.where;
      events.push({ protocol: r.protocol, seq, slot: e.slot, x, where, kind: e.kind, detail: e.detail });
    });
  }
  return events;
}

/** Names of `summary.protocol` figures over all results, in first-seen order. */
export function getProtocolFigureNames(results: readonly ResultsFile[]): string[] {
  return [...new Set(results.flatMap((r) => Object.keys(r.summary.protocol)))];
}

/** Reasons (for rejected, aborted, partial, hung) over all results, sorted by name. */
export function getReasonNames(results: readonly ResultsFile[]): string[] {
  return [...new Set(results.flatMap((r) => Object.keys(r.summary.reasons)))].sort();
}

/** Deep equality of JSON-like configuration values. */
function isSameConfigValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Split the runs' configurations: keys present with the same value in every run are shared
 * (in the first run's key order), the others are listed per protocol.
 */
export function computeConfigSplit(results: readonly ResultsFile[]): ConfigSplit {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.config)))];
  const split: ConfigSplit = { shared: [], differing: [] };
  for (const key of keys) {
    const values = results.map((r) => (Object.hasOwn(r.config, key) ? r.config[key] : undefined));
    const first = values[0];
    if (first !== undefined && values.every((v) => v !== undefined && isSameConfigValue(v, first))) {
      split.shared.push({ key, value: first });
    } else {
      split.differing.push({ key, values });
    }
  }
  return split;
}

/**
 * Check sweep rows: at least one, every row has the swept parameter, and one parameter value
 * has at most one row per protocol. Throws `XshardError` otherwise.
 */
export function assertValidSweep(param: string, rows: readonly SweepRow[]): void {
  if (rows.length === 0) throw new XshardError("REPORT_NO_RESULTS", "a sweep report needs at least one row", { param });
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const x = row.params[param];
    if (x === undefined) {
      throw new XshardError("REPORT_SWEEP_PARAM_MISSING", `sweep row ${index} has no parameter ${param}`, { param, index });
    }
    const key = JSON.stringify([row.protocol, x]);
    if (seen.has(key)) {
      throw new XshardError("REPORT_SWEEP_DUPLICATE_ROW", `two rows for ${row.protocol} at ${param}=${x}`, {
        param,
        protocol: row.protocol,
        value: x,
      });
    }
    seen.add(key);
  });
}

/** Protocols of the sweep rows, in first-seen order. */
export function getSweepProtocols(rows: readonly SweepRow[]): string[] {
  return [...new Set(rows.map((r) => r.protocol))];
}

/** Figure names of the sweep rows, in first-seen order. */
export function getSweepFigures(rows: readonly SweepRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.figures)))];
}

/** Values of the swept parameter in first-seen order (numbers sorted ascending when all are numbers). */
export function getSweepValues(param: string, rows: readonly SweepRow[]): (number | string)[] {
  const values = [...new Set(rows.map((r) => r.params[param] as number | string))];
  return isNumericSweep(values) ? [...values].sort((a, b) => a - b) : values;
}

/** True when every value of the swept parameter is a number (the x axis is then quantitative). */
export function isNumericSweep(values: readonly (number | string)[]): values is number[] {
  return values.every((v) => typeof v === "number");
}

/**
 * Points of one figure against the swept parameter, rows without a value (missing or `null`)
 * left out, with their interval when there is one; protocols in first-seen order, then by
 * parameter value.
 */
export function computeSweepPoints(param: string, rows: readonly SweepRow[], figure: string): SweepPoint[] {
  const protocols = getSweepProtocols(rows);
  const values = getSweepValues(param, rows);
  return rows
    .filter((r) => typeof r.figures[figure] === "number")
    .map((r) => {
      const interval = r.intervals?.[figure];
      const point: SweepPoint = { protocol: r.protocol, x: r.params[param] as number | string, value: r.figures[figure] as number };
      return interval ? { ...point, low: interval.low, high: interval.high } : point;
    })
    .sort((a, b) => protocols.indexOf(a.protocol) - protocols.indexOf(b.protocol) || values.indexOf(a.x) - values.indexOf(b.x));
}
