/**
 * The report's charts: vega-lite 6 specs built from the rows of `model.ts`, rendered to SVG
 * strings in Node (no browser, no canvas). Rendering is deterministic: fixed sizes, fixed colours,
 * sorted data, no timestamps, and element ids renumbered per chart so that many SVGs can live
 * inline in one HTML page.
 */
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { XshardError } from "../errors.js";
import type { ResultsFile } from "../results/schema.js";
import { OUTCOMES } from "../types.js";
import {
  OUTCOME_COLORS,
  comparePlaces,
  computeLatencyCdf,
  computeOutcomeCounts,
  computeProtocolColors,
  computeSlotSeries,
  computeSweepPoints,
  computeTimeline,
  getProtocols,
  getSweepFigures,
  getSweepProtocols,
  getSweepValues,
  getTimelineTx,
  isNumericSweep,
  type SlotSeries,
  type SweepRow,
  type TimelineEvent,
} from "./model.js";
import { computeGroupGasSpec, computeWorkPerFinalTxSpec } from "./work.js";

/** A rendered chart: `id` is unique in a report and safe as an HTML id. */
export interface Chart {
  id: string;
  title: string;
  /** One sentence: what to look at. */
  caption: string;
  /** Half-width charts sit two to a row in the HTML page. */
  wide: boolean;
  svg: string;
}

/** Font stack of the charts, the same as the page's (no quotes: it goes into SVG attributes). */
export const CHART_FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif";

/** Inner plot sizes in pixels: half-width charts fit two to a row at 1280 px. */
const HALF_WIDTH = 450;
const WIDE_WIDTH = 1010;
const FACET_WIDTH = 228;
/** Room left of the outcome bars for protocol names. */
const OUTCOME_LABEL_WIDTH = 120;
/** Legend columns, so that long protocol names do not widen a chart beyond its plot. */
const HALF_LEGEND_COLUMNS = 2;
const WIDE_LEGEND_COLUMNS = 6;

const TEXT_COLOR = "#24292f";
const GRID_COLOR = "#eaeef2";
const DOMAIN_COLOR = "#8c959f";

/** The vega-lite config every chart shares. */
const CHART_CONFIG = {
  font: CHART_FONT,
  background: "#ffffff",
  padding: 6,
  view: { stroke: "#d0d7de" },
  axis: {
    labelFontSize: 11.5,
    titleFontSize: 12,
    titleFontWeight: 600,
    labelColor: TEXT_COLOR,
    titleColor: TEXT_COLOR,
    gridColor: GRID_COLOR,
    domainColor: DOMAIN_COLOR,
    tickColor: DOMAIN_COLOR,
  },
  legend: {
    orient: "top",
    labelFontSize: 12,
    titleFontSize: 12,
    labelColor: TEXT_COLOR,
    labelLimit: 0,
    symbolStrokeWidth: 3,
    symbolSize: 120,
    columnPadding: 16,
  },
  header: { labelFontSize: 12, labelFontWeight: 600, labelColor: TEXT_COLOR },
  title: { fontSize: 13, fontWeight: 600, anchor: "start", color: TEXT_COLOR },
  line: { strokeWidth: 2 },
} as const;

/** Labels for per-slot series the report knows; others are titled by their name. */
const SERIES_TEXT: Readonly<Record<string, { title: string; yTitle: string; caption: string }>> = {
  lag: {
    title: "Stage-2 lag",
    yTitle: "lag (slots)",
    caption:
      "Slots between the Stage-1 head and the newest slot whose transactions are all final; a flat line means execution keeps up with ordering, a rising one means it falls behind.",
  },
  stage2Blocks: {
    title: "Stage-2 blocks per slot",
    yTitle: "Stage-2 blocks",
    caption:
      "Stage-2 blocks produced in each slot (the Stage-2 cadence); compare with the lag above to see whether more blocks per slot would let execution catch up.",
  },
  affirmed: {
    title: "Affirmations per slot",
    yTitle: "affirmations",
    caption:
      "(transaction, contract) affirmations finalized in each slot; the area under this line is Stage-2 work, and dips while the lag rises mean committees wait on each other.",
  },
  receiptQueue: {
    title: "Receipt queue",
    yTitle: "receipts waiting",
    caption:
      "Receipts emitted but not yet consumed at the end of each slot; a queue that keeps growing means cross-shard work arrives faster than destinations absorb it.",
  },
  baseFee: {
    title: "Base fee per shard",
    yTitle: "base fee",
    caption:
      "Each shard's EIP-1559 base fee per slot; claims wait while it is above the sender's cap, so spikes on a destination shard are where hung transactions come from.",
  },
};

/** Throw on any vega-lite warning: every spec here is generated, so a warning is a bug. */
const STRICT_LOGGER = {
  level(): number {
    return 2;
  },
  error(...args: readonly unknown[]): never {
    throw new XshardError("REPORT_CHART_SPEC", `vega-lite: ${args.map(String).join(" ")}`, {});
  },
  warn(...args: readonly unknown[]): never {
    throw new XshardError("REPORT_CHART_SPEC", `vega-lite: ${args.map(String).join(" ")}`, {});
  },
  info(): void {},
  debug(): void {},
};

/**
 * Colour encoding by protocol for the `shown` protocols, with their colours in the whole report
 * (`colors`, from `computeProtocolColors` over every protocol); legend on top without a title,
 * in at most `columns` columns.
 */
function getProtocolColor(shown: readonly string[], colors: ReadonlyMap<string, string>, columns: number): object {
  return {
    field: "protocol",
    type: "nominal",
    scale: { domain: [...shown], range: shown.map((p) => colors.get(p) as string) },
    legend: { title: null, columns: Math.max(1, Math.min(columns, shown.length)) },
  };
}

/** An x encoding of slot numbers with integer ticks. */
function getSlotAxisX(title: string): object {
  return { field: "slot", type: "quantitative", title, scale: { zero: false, nice: false }, axis: { tickMinStep: 1, format: "d" } };
}

/**
 * Render a vega-lite spec to an SVG string for inline use: no XML namespace attributes (HTML
 * supplies them) and every element id (and `url(#…)`/`href="#…"` reference) renamed to
 * `<idPrefix>-<n>` in order of appearance, so output does not depend on vega's global counters.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const vgSpec = compile(spec, { config: CHART_CONFIG as never, logger: STRICT_LOGGER as never }).spec;
  const view = new View(parse(vgSpec), { renderer: "none" });
  try {
    return namespaceSvgIds(stripSvgNamespaces(await view.toSVG()), idPrefix);
  } finally {
    view.finalize();
  }
}

/** Remove `xmlns` / `xmlns:*` attributes (namespace names, not links) from an SVG string. */
export function stripSvgNamespaces(svg: string): string {
  return svg.replace(/ xmlns(?::[a-z]+)?="[^"]*"/g, "");
}

/** Rename ids (and references to them) to `<prefix>-<n>`, numbered in order of appearance. */
export function namespaceSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/ id="([^"]+)"/g)) {
    const id = m[1] as string;
    if (!ids.has(id)) ids.set(id, `${prefix}-${ids.size + 1}`);
  }
  const rename = (id: string): string => ids.get(id) ?? id;
  return svg
    .replace(/ id="([^"]+)"/g, (_, id: string) => ` id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${rename(id)})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${rename(id)}"`);
}

/** Spec: submit→final latency CDF, one step line per protocol. */
export function computeLatencyCdfSpec(results: readonly ResultsFile[]): TopLevelSpec {
  const protocols = getProtocols(results);
  return {
    width: HALF_WIDTH,
    height: 260,
    data: { values: computeLatencyCdf(results) },
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "slots", type: "quantitative", title: "slots from submission to final", axis: { tickMinStep: 1, format: "d" } },
      y: {
        field: "share",
        type: "quantitative",
        title: "share of submitted transactions",
        scale: { domain: [0, 1] },
        axis: { format: "%" },
      },
      color: getProtocolColor(protocols, computeProtocolColors(protocols), HALF_LEGEND_COLUMNS),
    },
  } as TopLevelSpec;
}

/** Spec: outcome counts per protocol, stacked horizontal bars in `OUTCOMES` order and colours. */
export function computeOutcomesSpec(results: readonly ResultsFile[]): TopLevelSpec {
  return {
    width: HALF_WIDTH - OUTCOME_LABEL_WIDTH,
    height: { step: 44 },
    data: { values: computeOutcomeCounts(results) },
    mark: { type: "bar", stroke: "#ffffff", strokeWidth: 0.5 },
    encoding: {
      y: { field: "protocol", type: "nominal", sort: getProtocols(results), title: null, axis: { labelLimit: 0 } },
      x: { field: "count", type: "quantitative", stack: "zero", title: "transactions" },
      color: {
        field: "outcome",
        type: "nominal",
        scale: { domain: [...OUTCOMES], range: [...OUTCOME_COLORS] },
        legend: { title: null },
      },
      order: { field: "rank", type: "quantitative" },
    },
  } as TopLevelSpec;
}

/**
 * Spec: one per-slot series, one line per protocol that reports it; a per-shard series is drawn
 * as small multiples, one panel per shard with a shared y scale. Integer-valued series get
 * integer ticks. `colors` are the report's protocol colours.
 */
export function computeSeriesSpec(series: SlotSeries, yTitle: string, colors: ReadonlyMap<string, string>): TopLevelSpec {
  const integral = series.points.every((p) => Number.isInteger(p.value));
  const encoding = {
    x: getSlotAxisX("slot"),
    y: { field: "value", type: "quantitative", title: yTitle, axis: integral ? { tickMinStep: 1, format: "d" } : {} },
    color: getProtocolColor(series.protocols, colors, WIDE_LEGEND_COLUMNS),
  };
  const mark = { type: "line", strokeWidth: 1.5 };
  if (!series.perShard) {
    return { width: WIDE_WIDTH, height: 200, data: { values: series.points }, mark, encoding } as TopLevelSpec;
  }
  return {
    data: { values: series.points },
    columns: 4,
    facet: { field: "shard", type: "ordinal", title: null, header: { labelExpr: "'shard ' + datum.value" } },
    spec: { width: FACET_WIDTH, height: 150, mark, encoding },
  } as TopLevelSpec;
}

/** Spec of one protocol's panel in the timeline: events at (slot band, place), joined in order. */
function computeTimelinePanel(protocol: string, color: string, events: TimelineEvent[], slots: [number, number]): object {
  const [first, last] = slots;
  const places = [...new Set(events.map((e) => e.where))].sort(comparePlaces);
  const every = Math.max(1, Math.ceil((last - first + 1) / 24));
  const centers: number[] = [];
  for (let s = first; s <= last; s += every) centers.push(s + 0.5);
  const bounds: { x: number }[] = [];
  for (let s = first; s <= last + 1; s++) bounds.push({ x: s });
  const x = {
    field: "x",
    type: "quantitative",
    title: null,
    scale: { domain: [first, last + 1], nice: false, zero: false },
    axis: { values: centers, labelExpr: "'slot ' + floor(datum.value)", grid: false, ticks: false, domain: false },
  };
  const y = { field: "where", type: "ordinal", title: null, scale: { domain: places, padding: 1 }, axis: { labelLimit: 120 } };
  return {
    title: { text: protocol, color },
    width: WIDE_WIDTH,
    height: { step: 34 },
    data: { values: events },
    layer: [
      { data: { values: bounds }, mark: { type: "rule", color: GRID_COLOR, strokeWidth: 1 }, encoding: { x } },
      { mark: { type: "line", color: "#aab4be", strokeWidth: 1.5 }, encoding: { x, y, order: { field: "seq", type: "quantitative" } } },
      { mark: { type: "point", filled: true, size: 70, opacity: 1, color }, encoding: { x, y } },
      { mark: { type: "text", dy: -12, fontSize: 10, color: TEXT_COLOR }, encoding: { x, y, text: { field: "kind" } } },
    ],
  };
}

/**
 * Spec: the life of transaction `tx` in every protocol that traced it — one panel per protocol,
 * x = slots (all panels share the slot range), y = places, points labelled with the event kind.
 * `null` when no protocol traced it.
 */
export function computeTimelineSpec(results: readonly ResultsFile[], tx: number): TopLevelSpec | null {
  const events = computeTimeline(results, tx);
  if (events.length === 0) return null;
  const colors = computeProtocolColors(getProtocols(results));
  const slots: [number, number] = [Math.min(...events.map((e) => e.slot)), Math.max(...events.map((e) => e.slot))];
  const panels = getProtocols(results)
    .map((p) => ({ p, own: events.filter((e) => e.protocol === p) }))
    .filter(({ own }) => own.length > 0)
    .map(({ p, own }) => computeTimelinePanel(p, colors.get(p) as string, own, slots));
  return { vconcat: panels, spacing: 18, resolve: { scale: { y: "independent" } } } as TopLevelSpec;
}

/**
 * Spec: one sweep figure against the swept parameter, one line (with points) per protocol that
 * reports it, in the colours of the whole sweep.
 */
export function computeSweepSpec(param: string, rows: readonly SweepRow[], figure: string): TopLevelSpec {
  const values = getSweepValues(param, rows);
  const numeric = isNumericSweep(values);
  const points = computeSweepPoints(param, rows, figure);
  const shown = [...new Set(points.map((p) => p.protocol))];
  const x = numeric
    ? { field: "x", type: "quantitative", title: param, scale: { zero: false } }
    : { field: "x", type: "ordinal", title: param, sort: values, axis: { labelAngle: 0 } };
  const color = getProtocolColor(shown, computeProtocolColors(getSweepProtocols(rows)), HALF_LEGEND_COLUMNS);
  const line = { mark: { type: "line", point: { filled: true, size: 45 } }, encoding: { x, y: { field: "value", type: "quantitative", title: figure }, color } };
  if (!points.some((p) => p.low !== undefined)) return { width: HALF_WIDTH, height: 240, data: { values: points }, ...line } as TopLevelSpec;
  // Several seeds: the mean as the line, the 95 % interval as an error bar at each point.
  const bars = {
    transform: [{ filter: "isValid(datum.low)" }],
    mark: { type: "rule", strokeWidth: 1.5 },
    encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" }, color },
  };
  return { width: HALF_WIDTH, height: 240, data: { values: points }, layer: [bars, line] } as TopLevelSpec;
}

/** A string usable as (part of) an HTML id: letters, digits and dashes only. */
function toIdPart(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") || "x";
}

/** Give each id a unique suffix where a sanitized name collides with an earlier one. */
function dedupeIds<T extends { id: string }>(charts: T[]): T[] {
  const seen = new Map<string, number>();
  return charts.map((c) => {
    const n = seen.get(c.id) ?? 0;
    seen.set(c.id, n + 1);
    return n === 0 ? c : { ...c, id: `${c.id}-${n + 1}` };
  });
}

/** A chart before rendering. */
interface PendingChart {
  id: string;
  title: string;
  caption: string;
  wide: boolean;
  spec: TopLevelSpec;
}

/** Render charts one after another (vega views are not shared, order is kept). */
async function renderCharts(pending: PendingChart[]): Promise<Chart[]> {
  const charts: Chart[] = [];
  for (const { spec, ...rest } of dedupeIds(pending)) charts.push({ ...rest, svg: await renderSvg(spec, `chart-${rest.id}`) });
  return charts;
}

/**
 * Every chart of a comparison report, in page order: latency CDF, outcomes, validator work per
 * finalized transaction and gas per slot per shard / committee (when the results have a `work`
 * block), one chart per per-slot series (protocols lacking it skipped), and the timeline of one traced transaction
 * (`traceTx`, else as chosen by `getTimelineTx`) when any protocol has a trace.
 */
export async function renderComparisonCharts(results: readonly ResultsFile[], traceTx?: number): Promise<Chart[]> {
  const pending: PendingChart[] = [
    {
      id: "latency-cdf",
      title: "Latency CDF (submit → final)",
      caption:
        "Share of all submitted transactions final within x slots of submission: further left is faster, and a curve that levels off below 100% has transactions that never became final.",
      wide: false,
      spec: computeLatencyCdfSpec(results),
    },
    {
      id: "outcomes",
      title: "Outcomes",
      caption: "How each protocol classified the same workload; any red (partial) is an atomicity violation, amber (hung) never finished.",
      wide: false,
      spec: computeOutcomesSpec(results),
    },
  ];
  const workPerTx = computeWorkPerFinalTxSpec(results);
  if (workPerTx !== null) {
    pending.push({
      id: "work-per-final-tx",
      title: "Validator work per finalized transaction",
      caption:
        "Everything the validators did, divided by the transactions that reached a final outcome, counted once per shard or committee: metered gas by why it ran (speculate and reexecute are work a design spends beyond running each transaction once), bytes of witnesses, proofs and receipts moved, and signatures made and verified.",
      wide: true,
      spec: workPerTx,
    });
  }
  const groupGas = computeGroupGasSpec(results);
  if (groupGas !== null) {
    pending.push({
      id: "gas-per-group",
      title: "Gas per slot per shard / committee",
      caption:
        "Metered gas each shard (receipts, sync, lock2pc) or contract committee (delayed) executed in each slot, every kind of execution included; a panel pinned at the slot budget is a group whose work is the bottleneck.",
      wide: true,
      spec: groupGas,
    });
  }
  const colors = computeProtocolColors(getProtocols(results));
  for (const series of computeSlotSeries(results)) {
    const text = SERIES_TEXT[series.name] ?? {
      title: `Series ${series.name}`,
      yTitle: series.name,
      caption: `Per-slot series "${series.name}" as reported by ${series.protocols.join(", ")}.`,
    };
    pending.push({
      id: `series-${toIdPart(series.name)}`,
      title: text.title,
      caption: text.caption,
      wide: true,
      spec: computeSeriesSpec(series, text.yTitle, colors),
    });
  }
  const tx = getTimelineTx(results, traceTx);
  const timeline = tx === null ? null : computeTimelineSpec(results, tx);
  if (timeline !== null) {
    pending.push({
      id: "timeline",
      title: `Timeline of transaction #${tx}`,
      caption:
        "The seed's sequence diagram drawn from recorded events: where each step of this one transaction happened, slot by slot; count the slots from the first to the last point.",
      wide: true,
      spec: timeline,
    });
  }
  return renderCharts(pending);
}

/** One chart per sweep figure (first-seen order): the figure against `param`, one line per protocol. */
export async function renderSweepCharts(param: string, rows: readonly SweepRow[]): Promise<Chart[]> {
  return renderCharts(
    getSweepFigures(rows).map((figure) => ({
      id: `sweep-${toIdPart(figure)}`,
      title: `${figure} vs ${param}`,
      caption: rows.some((r) => r.intervals !== undefined)
        ? `Mean of ${figure} over the seeds as ${param} varies, one line per protocol; bars are 95% confidence intervals (Student t).`
        : `How ${figure} changes as ${param} varies, one line per protocol; a protocol without points does not report this figure.`,
      wide: false,
      spec: computeSweepSpec(param, rows, figure),
    })),
  );
}
