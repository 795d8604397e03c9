/**
 * Plain-text outputs of a comparison: the side-by-side table printed in the terminal, and
 * `summary.csv` (one row per protocol, flat columns, RFC 4180) for pandas and spreadsheets.
 */
import type { LatencyBlock, LatencyStats, ResultsFile } from "../results/schema.js";
import { OUTCOMES } from "../types.js";
import { formatNumber } from "./format.js";
import { assertComparableResults, getProtocolFigureNames, getReasonNames } from "./model.js";

/** A column of the terminal table. */
interface TextColumn {
  header: string;
  get: (r: ResultsFile) => number | null;
}

const TEXT_COLUMNS: readonly TextColumn[] = [
  ...OUTCOMES.map((o) => ({ header: o, get: (r: ResultsFile) => r.summary.outcomes[o] })),
  { header: "final p50", get: (r) => r.summary.latencySlots.submitToFinal.p50 },
  { header: "final p90", get: (r) => r.summary.latencySlots.submitToFinal.p90 },
  { header: "final p99", get: (r) => r.summary.latencySlots.submitToFinal.p99 },
  { header: "incl→final p50", get: (r) => r.summary.latencySlots.inclusionToFinal.p50 },
  { header: "tx/slot", get: (r) => r.summary.throughputTxPerSlot },
  { header: "gas/final tx", get: (r) => (r.work?.perFinalTx.gas === undefined || r.work.perFinalTx.gas === null ? null : Math.round(r.work.perFinalTx.gas)) },
];

const TEXT_FOOTNOTE =
  "final pNN: submit→final latency in slots; incl→final p50: inclusion→final in slots; tx/slot: final transactions per slot; gas/final tx: metered gas executed by all shards / committees per final transaction";

/**
 * The side-by-side comparison for the terminal: one row per protocol (input order), columns
 * committed/aborted/partial/hung/rejected, submit→final p50/p90/p99 and inclusion→final p50 in
 * slots, and throughput; numbers right-aligned, ending with a one-line legend and a newline.
 */
export function formatComparisonTable(results: ResultsFile[]): string {
  assertComparableResults(results);
  const header = ["protocol", ...TEXT_COLUMNS.map((c) => c.header)];
  const body = results.map((r) => [r.protocol, ...TEXT_COLUMNS.map((c) => formatNumber(c.get(r)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...body.map(line), "", TEXT_FOOTNOTE, ""].join("\n");
}

const LATENCY_BLOCKS: readonly (keyof LatencyBlock)[] = ["submitToInclusion", "submitToFinal", "inclusionToFinal"];
const LATENCY_STATS: readonly (keyof LatencyStats)[] = ["count", "mean", "p50", "p90", "p99", "max"];

/** A column of `summary.csv`: its header and how to read its cell from one results file. */
export interface CsvColumn {
  header: string;
  get: (r: ResultsFile) => number | string | null | undefined;
}

/** Columns for the latency blocks of one unit ("latencySlots" or "latencySeconds"). */
function getLatencyColumns(unit: "latencySlots" | "latencySeconds"): CsvColumn[] {
  return LATENCY_BLOCKS.flatMap((block) =>
    LATENCY_STATS.map((stat) => ({ header: `${unit}.${block}.${stat}`, get: (r: ResultsFile) => r.summary[unit][block][stat] })),
  );
}

/**
 * Columns for the `summary.protocol` figures: `protocol.<name>` for a scalar (or null), and
 * `protocol.<name>.<i>` for each index of a per-shard array (up to the longest array seen).
 */
function getFigureColumns(results: readonly ResultsFile[]): CsvColumn[] {
  return getProtocolFigureNames(results).flatMap((name) => {
    const values = results.map((r) => r.summary.protocol[name]);
    const columns: CsvColumn[] = [];
    if (values.some((v) => v === null || typeof v === "number")) {
      columns.push({
        header: `protocol.${name}`,
        get: (r) => {
          const v = r.summary.protocol[name];
          return Array.isArray(v) ? undefined : v;
        },
      });
    }
    const length = Math.max(0, ...values.map((v) => (Array.isArray(v) ? v.length : 0)));
    for (let i = 0; i < length; i++) {
      columns.push({
        header: `protocol.${name}.${i}`,
        get: (r) => {
          const v = r.summary.protocol[name];
          return Array.isArray(v) ? v[i] : undefined;
        },
      });
    }
    return columns;
  });
}

/** The `work` block's figures in `summary.csv` (empty cells for results without one). */
const WORK_CSV_COLUMNS: readonly CsvColumn[] = [
  { header: "work.gasPerFinalTx", get: (r) => r.work?.perFinalTx.gas },
  ...(["execute", "foreign", "speculate", "reexecute"] as const).map((k) => ({ header: `work.perFinalTx.${k}`, get: (r: ResultsFile) => r.work?.perFinalTx[k] })),
  { header: "work.bytesPerFinalTx", get: (r) => r.work?.perFinalTx.bytes },
  { header: "work.signaturesMadePerFinalTx", get: (r) => r.work?.perFinalTx.signaturesMade },
  { header: "work.signaturesVerifiedPerFinalTx", get: (r) => r.work?.perFinalTx.signaturesVerified },
  ...(["execute", "foreign", "speculate", "reexecute", "total"] as const).map((k) => ({ header: `work.gas.${k}`, get: (r: ResultsFile) => r.work?.gas[k] })),
  ...(["mean", "p50", "p90", "max", "total"] as const).map((k) => ({ header: `work.executionsPerTx.${k}`, get: (r: ResultsFile) => r.work?.executionsPerTx[k] })),
  ...(["witness", "proof", "receipt", "total"] as const).map((k) => ({ header: `work.bytes.${k}`, get: (r: ResultsFile) => r.work?.bytes[k] })),
  { header: "work.signatures.made", get: (r) => r.work?.signatures.made },
  { header: "work.signatures.verified", get: (r) => r.work?.signatures.verified },
];

/** Every column of `summary.csv`, in order. */
export function getCsvColumns(results: readonly ResultsFile[]): CsvColumn[] {
  return [
    { header: "protocol", get: (r) => r.protocol },
    { header: "submitted", get: (r) => r.summary.submitted },
    ...OUTCOMES.map((o) => ({ header: `outcomes.${o}`, get: (r: ResultsFile) => r.summary.outcomes[o] })),
    ...getLatencyColumns("latencySlots"),
    ...getLatencyColumns("latencySeconds"),
    { header: "throughputTxPerSlot", get: (r) => r.summary.throughputTxPerSlot },
    ...WORK_CSV_COLUMNS,
    ...getReasonNames(results).map((reason) => ({ header: `reasons.${reason}`, get: (r: ResultsFile) => r.summary.reasons[reason] ?? 0 })),
    ...getFigureColumns(results),
  ];
}

/** One CSV field, quoted (quotes doubled) when it holds a comma, quote, CR or LF (RFC 4180). */
export function toCsvField(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * `summary.csv`: a header row, then one row per protocol (input order) with flat columns —
 * submitted, `outcomes.*`, every latency statistic in slots and seconds, throughput,
 * `reasons.*` (0 where a protocol lacks a reason) and every `summary.protocol` figure
 * (per-shard arrays spread over indexed columns). Numbers in full precision, missing or
 * `null` as empty fields; RFC 4180 quoting and CRLF line ends.
 */
export function toSummaryCsv(results: ResultsFile[]): string {
  assertComparableResults(results);
  const columns = getCsvColumns(results);
  const rows = [columns.map((c) => toCsvField(c.header)), ...results.map((r) => columns.map((c) => toCsvField(c.get(r))))];
  return rows.map((cells) => `${cells.join(",")}\r\n`).join("");
}
