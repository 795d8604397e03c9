/**
 * Validator work in the report (issue 11 §2): rows and vega-lite specs for work per finalized
 * transaction (gas by execution kind — speculation visible —, bytes moved by kind, signatures made
 * and verified) and for gas per slot per shard / committee. Reads the results' `work` block only;
 * runs without one (files from before it existed) are left out.
 */
import type { TopLevelSpec } from "vega-lite";
import type { ResultsFile, WorkBlock } from "../results/schema.js";
import { computeProtocolColors, getProtocols } from "./model.js";

/** The three measures of the work-per-final-transaction chart, in panel order. */
export const WORK_MEASURES = ["gas", "bytes", "signatures"] as const;
export type WorkMeasure = (typeof WORK_MEASURES)[number];

/** The parts each measure is split into (stack order), with their colours. */
export const WORK_PARTS: Readonly<Record<WorkMeasure, readonly { part: string; color: string }[]>> = {
  gas: [
    { part: "execute", color: "#2f6eb5" },
    { part: "foreign", color: "#79b2e6" },
    { part: "speculate", color: "#f28e2b" },
    { part: "reexecute", color: "#d62728" },
  ],
  bytes: [
    { part: "witness", color: "#59a14f" },
    { part: "proof", color: "#9c6bb8" },
    { part: "receipt", color: "#c9a227" },
  ],
  signatures: [
    { part: "made", color: "#6b7785" },
    { part: "verified", color: "#b8d65a" },
  ],
};

/** One bar segment: `value` of `part` of `measure` per final transaction of `protocol`. */
export interface WorkPerTxRow {
  protocol: string;
  measure: WorkMeasure;
  part: string;
  /** Position of the part in its measure's stack. */
  rank: number;
  value: number;
}

/** One point of the gas series: gas executed by `group` of `protocol` in `slot`. */
export interface GroupGasPoint {
  protocol: string;
  slot: number;
  group: number;
  gas: number;
}

/** The results that carry a `work` block, in input order. */
export function getWorkResults(results: readonly ResultsFile[]): (ResultsFile & { work: WorkBlock })[] {
  return results.filter((r): r is ResultsFile & { work: WorkBlock } => r.work !== undefined);
}

function getPartTotal(w: WorkBlock, measure: WorkMeasure, part: string): number {
  if (measure === "gas") return w.gas[part as keyof WorkBlock["gas"]];
  if (measure === "bytes") return w.bytes[part as keyof WorkBlock["bytes"]];
  return w.signatures[part as keyof WorkBlock["signatures"]];
}

/**
 * Work per finalized transaction (committed, aborted or partial), one row per protocol, measure
 * and part: each total of the `work` block divided by `perFinalTx.finalTxs`. Protocols with no
 * final transaction (or no work block) have no rows.
 */
export function computeWorkPerFinalTx(results: readonly ResultsFile[]): WorkPerTxRow[] {
  const rows: WorkPerTxRow[] = [];
  for (const r of getWorkResults(results)) {
    const finals = r.work.perFinalTx.finalTxs;
    if (finals === 0) continue;
    for (const measure of WORK_MEASURES) {
      WORK_PARTS[measure].forEach(({ part }, rank) => {
        rows.push({ protocol: r.protocol, measure, part, rank, value: getPartTotal(r.work, measure, part) / finals });
      });
    }
  }
  return rows;
}

/** Gas per slot per group (shard or committee; the beacon chain's −1 left out), every protocol with a work block. */
export function computeGroupGas(results: readonly ResultsFile[]): GroupGasPoint[] {
  const points: GroupGasPoint[] = [];
  for (const r of getWorkResults(results)) {
    const g = r.work.gasPerSlot;
    g.slot.forEach((slot, i) => {
      const group = g.group[i] as number;
      if (group >= 0) points.push({ protocol: r.protocol, slot, group, gas: g.total[i] as number });
    });
  }
  return points;
}

const MEASURE_TITLES: Readonly<Record<WorkMeasure, string>> = {
  gas: "metered gas per final tx",
  bytes: "bytes moved per final tx",
  signatures: "signatures per final tx",
};

/**
 * Spec: work per finalized transaction, three panels side by side (gas by execution kind, bytes by
 * kind, signatures made and verified), one horizontal stacked bar per protocol in input order.
 * `null` when no protocol has a work block with final transactions.
 */
export function computeWorkPerFinalTxSpec(results: readonly ResultsFile[]): TopLevelSpec | null {
  const rows = computeWorkPerFinalTx(results);
  if (rows.length === 0) return null;
  const protocols = getProtocols(results).filter((p) => rows.some((r) => r.protocol === p));
  const panel = (measure: WorkMeasure, labels: boolean): object => ({
    width: 250,
    height: { step: 26 },
    data: { values: rows.filter((r) => r.measure === measure) },
    mark: { type: "bar", stroke: "#ffffff", strokeWidth: 0.5 },
    encoding: {
      y: { field: "protocol", type: "nominal", sort: protocols, title: null, axis: labels ? { labelLimit: 0 } : { labels: false, ticks: false } },
      x: { field: "value", type: "quantitative", stack: "zero", title: MEASURE_TITLES[measure] },
      color: {
        field: "part",
        type: "nominal",
        scale: { domain: WORK_PARTS[measure].map((p) => p.part), range: WORK_PARTS[measure].map((p) => p.color) },
        legend: { title: null, orient: "top" },
      },
      order: { field: "rank", type: "quantitative" },
      tooltip: [{ field: "protocol" }, { field: "part" }, { field: "value", format: ",.1f" }],
    },
  });
  return {
    hconcat: WORK_MEASURES.map((m, i) => panel(m, i === 0)),
    resolve: { scale: { color: "independent", x: "independent" } },
  } as TopLevelSpec;
}

/**
 * Spec: gas executed per slot by each shard / committee, one panel per group (shared y scale), one
 * line per protocol. `null` when no protocol has a work block.
 */
export function computeGroupGasSpec(results: readonly ResultsFile[]): TopLevelSpec | null {
  const points = computeGroupGas(results);
  if (points.length === 0) return null;
  const protocols = getProtocols(results).filter((p) => points.some((q) => q.protocol === p));
  const colors = computeProtocolColors(getProtocols(results));
  return {
    data: { values: points },
    columns: 4,
    facet: { field: "group", type: "ordinal", title: null, header: { labelExpr: "'shard / committee ' + datum.value" } },
    spec: {
      width: 228,
      height: 150,
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "slot", type: "quantitative", title: "slot", scale: { zero: false, nice: false }, axis: { tickMinStep: 1, format: "d" } },
        y: { field: "gas", type: "quantitative", title: "metered gas" },
        color: {
          field: "protocol",
          type: "nominal",
          scale: { domain: protocols, range: protocols.map((p) => colors.get(p) as string) },
          legend: { title: null, columns: Math.max(1, Math.min(6, protocols.length)) },
        },
      },
    },
  } as TopLevelSpec;
}
