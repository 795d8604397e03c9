/**
 * A comparison under several seeds: for every protocol and every numeric column of
 * `summary.csv`, the mean over the seeds and its 95 % confidence interval (Student t) — the
 * `summary.csv` of `compare --seeds`, the report's "Across seeds" table and the terminal lines.
 */
import type { ResultsFile } from "../results/schema.js";
import { formatNumber } from "./format.js";
import { computeMeanInterval, type MeanInterval } from "./statistics.js";
import { getCsvColumns, toCsvField } from "./table.js";

export interface SeedSummary {
  readonly seeds: readonly string[];
  readonly protocols: readonly string[];
  /** One entry per `summary.csv` column (in its order); `cells[i]` belongs to `protocols[i]`. */
  readonly figures: readonly { name: string; cells: (MeanInterval | null)[] }[];
}

/** `runs[s][p]`: the results of protocol `p` under seed `s` (same protocols, same order, for every seed). */
export function computeSeedSummary(seeds: readonly string[], runs: readonly (readonly ResultsFile[])[]): SeedSummary {
  const protocols = (runs[0] ?? []).map((r) => r.protocol);
  const columns = getCsvColumns(runs.flat()).filter((c) => c.header !== "protocol");
  const figures = columns.map((c) => ({
    name: c.header,
    cells: protocols.map((_, i) => {
      const values = runs.map((rs) => c.get(rs[i] as ResultsFile)).filter((v): v is number => typeof v === "number");
      return computeMeanInterval(values);
    }),
  }));
  return { seeds, protocols, figures };
}

/**
 * `summary.csv` of a comparison under several seeds: `protocol`, `seeds`, then for every column of
 * the one-seed `summary.csv` its `.mean`, `.ci95.low` and `.ci95.high` (empty when undefined).
 * RFC 4180 quoting and CRLF line ends, like the one-seed file.
 */
export function toSeedSummaryCsv(s: SeedSummary): string {
  const head = ["protocol", "seeds", ...s.figures.flatMap((f) => [`${f.name}.mean`, `${f.name}.ci95.low`, `${f.name}.ci95.high`])];
  const rows = s.protocols.map((p, i) => [
    p,
    s.seeds.length,
    ...s.figures.flatMap((f) => {
      const c = f.cells[i] ?? null;
      return [c?.mean, c?.low, c?.high];
    }),
  ]);
  return [head, ...rows].map((cells) => `${cells.map((c) => toCsvField(c)).join(",")}\r\n`).join("");
}

/** `12.5 ± 0.6` (mean ± half-width of the 95 % interval), `12.5` for one value, `—` for none. */
export function formatMeanInterval(c: MeanInterval | null): string {
  if (c === null) return formatNumber(null);
  if (c.low === null || c.high === null) return formatNumber(c.mean);
  return `${formatNumber(c.mean)} ± ${formatNumber((c.high - c.low) / 2)}`;
}

/** The figures the terminal shows for a comparison under several seeds. */
export const SEED_TABLE_FIGURES: readonly string[] = [
  "outcomes.committed",
  "outcomes.aborted",
  "outcomes.partial",
  "outcomes.hung",
  "latencySlots.submitToFinal.p50",
  "latencySlots.inclusionToFinal.p50",
  "throughputTxPerSlot",
];

/** A terminal table: protocols down, a few key figures across, each `mean ± half-width`. */
export function formatSeedTable(s: SeedSummary, names: readonly string[] = SEED_TABLE_FIGURES): string {
  const figures = names.map((n) => s.figures.find((f) => f.name === n)).filter((f) => f !== undefined);
  const header = ["protocol", ...figures.map((f) => f.name.replace(/^outcomes\.|^latencySlots\./, ""))];
  const rows = s.protocols.map((p, i) => [p, ...figures.map((f) => formatMeanInterval(f.cells[i] ?? null))]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j] as number) : c.padStart(widths[j] as number))).join("  ");
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    `mean ± half-width of the 95% confidence interval (Student t) over ${s.seeds.length} seeds: ${s.seeds.join(", ")}; latencies in slots`,
  ].join("\n");
}
