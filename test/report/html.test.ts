import { beforeAll, describe, expect, it } from "vitest";
import type { ResultsFile } from "../../src/results/schema.js";
import { namespaceSvgIds, renderSvg } from "../../src/report/charts.js";
import { escapeHtml, renderComparisonReport, renderSweepReport } from "../../src/report/html.js";
import { formatNumber } from "../../src/report/format.js";
import { getSweepFigures } from "../../src/report/model.js";
import { FIXTURE_SWEEP_PARAM, FIXTURE_TRACED_TX, makeFixtureComparison, makeFixtureSweep } from "./fixtures.js";

const TITLE = "Fixture comparison";
const GENERATED_BY = "xshard compare --workload exchange-mix";
const CHART_IDS = ["latency-cdf", "outcomes", "series-lag", "series-affirmed", "series-stage2Blocks", "series-receiptQueue", "series-baseFee", "timeline"];

/** The `<figure id=…>…</figure>` blocks of a page, by id. */
function getFigures(html: string): Map<string, string> {
  return new Map([...html.matchAll(/<figure id="([^"]+)"[^>]*>([\s\S]*?)<\/figure>/g)].map((m) => [m[1] as string, m[2] as string]));
}

/** The page with all text content removed: only tags and attributes remain. */
function getMarkup(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, "<style></style>").replace(/>[^<]*</g, "><");
}

/** Every `id="…"` in the page. */
function getIds(html: string): string[] {
  return [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1] as string);
}

describe("renderComparisonReport", () => {
  let results: ResultsFile[];
  let html = "";

  beforeAll(async () => {
    results = makeFixtureComparison();
    html = await renderComparisonReport({ title: TITLE, results, generatedBy: GENERATED_BY });
  });

  it("is deterministic: the same input gives the identical string", async () => {
    const again = await renderComparisonReport({ title: TITLE, results: makeFixtureComparison(), generatedBy: GENERATED_BY });
    expect(again).toBe(html);
  });

  it("has every chart as a figure with an inline SVG full of marks and a caption", () => {
    const figures = getFigures(html);
    expect([...figures.keys()]).toEqual(CHART_IDS);
    for (const [id, body] of figures) {
      expect(body.match(/<svg /g), id).toHaveLength(1);
      expect(body.match(/<(path|rect|line)\b/g)?.length ?? 0, id).toBeGreaterThan(20);
      expect(body, id).toMatch(/<figcaption><strong>[^<]+<\/strong><span>[^<]+<\/span><\/figcaption>/);
    }
    expect(figures.get("timeline")).toContain(`Timeline of transaction #${FIXTURE_TRACED_TX}`);
    for (const p of ["delayed", "receipts:sequential"]) expect(figures.get("timeline")).toContain(`>${p}</text>`);
  });

  it("skips series charts when no protocol reports them", async () => {
    const delayedOnly = await renderComparisonReport({ title: TITLE, results: results.slice(0, 1), generatedBy: GENERATED_BY });
    expect([...getFigures(delayedOnly).keys()]).toEqual(["latency-cdf", "outcomes", "series-lag", "series-affirmed", "series-stage2Blocks", "timeline"]);
  });

  it("is self-contained: no script, no stylesheet link, no external reference, a CSP forbidding loads", () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|src=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    for (const m of html.matchAll(/(?:href=|url\()"?([^")]*)/g)) expect(m[1]).toMatch(/^#/);
  });

  it("has no duplicate element ids although it inlines many SVGs", () => {
    const ids = getIds(html);
    expect(ids.length).toBeGreaterThan(CHART_IDS.length);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("shows the summary side by side with the fixture's numbers", () => {
    const summary = html.slice(html.indexOf('<section id="summary">'), html.indexOf('<section id="charts">'));
    const row = (label: string): string[] => {
      const m = summary.match(new RegExp(`<tr><th>${label}</th>(.*?)</tr>`));
      expect(m, label).not.toBeNull();
      return [...(m?.[1] as string).matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1] as string);
    };
    expect(row("committed").map((c) => c.split(" ")[0])).toEqual(results.map((r) => String(r.summary.outcomes.committed)));
    expect(row("submit → final p90")).toEqual(
      results.map(
        (r) =>
          `${formatNumber(r.summary.latencySlots.submitToFinal.p90)} <small>(${formatNumber(r.summary.latencySeconds.submitToFinal.p90)} s)</small>`,
      ),
    );
    expect(row("final transactions per slot")).toEqual(results.map((r) => formatNumber(r.summary.throughputTxPerSlot)));
    expect(row("stage2BlocksPerStage1Block")).toEqual([formatNumber(results[0]?.summary.protocol.stage2BlocksPerStage1Block as number), "—", "—", "—"]);
    expect(row("forcedInclusionsPerBlock")).toEqual(["—", "—", "8", "—"]);
    expect(row("base-fee-above-cap")).toEqual(results.map((r) => String(r.summary.reasons["base-fee-above-cap"] ?? 0)));
  });

  it("shows liveness faults in their own group: missed slots per chain, stalled groups and intervals", async () => {
    const faulty = makeFixtureComparison().map((r, i) => ({
      ...r,
      summary: { ...r.summary, protocol: { ...r.summary.protocol, missedSlots: i, stalledGroups: 1 } },
      ...(i === 1 ? {} : { liveness: { offlineValidators: [3, 9], missedSlots: { stage1: i, stage2: 0 }, stalled: { kind: "committee", count: 1, intervals: [{ group: 2, from: 2, until: 6 }] } } }),
    }));
    const page = await renderComparisonReport({ title: TITLE, results: faulty, generatedBy: GENERATED_BY });
    const summary = page.slice(page.indexOf('<section id="summary">'), page.indexOf('<section id="charts">'));
    expect(summary).toContain("Liveness faults");
    const row = (label: string): string[] => [...((summary.match(new RegExp(`<tr><th>${label}</th>(.*?)</tr>`))?.[1] ?? "") as string).matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1] as string);
    expect(row("missed slots")).toEqual(["stage1 0, stage2 0", "—", "stage1 2, stage2 0", "stage1 3, stage2 0"]);
    expect(row("stalled intervals")).toEqual(["2:[2, 6)", "—", "2:[2, 6)", "2:[2, 6)"]);
    expect(row("stalled groups")[0]).toBe("1 committee");
    // The flat figures are not repeated among the protocol figures.
    expect(row("missedSlots")).toEqual([]);
    expect(html).not.toContain("Liveness faults");
  });

  it("shows the configuration: shared keys once, differing keys per protocol", () => {
    const config = html.slice(html.indexOf('<section id="config">'));
    expect(config).toContain("<tr><th>workload</th><td>exchange-mix</td></tr>");
    expect(config).toContain("<tr><th>contracts</th><td>[&quot;tokenA&quot;,&quot;tokenB&quot;,&quot;exchange&quot;,&quot;oracle&quot;,&quot;vault&quot;,&quot;registry&quot;]</td></tr>");
    expect(config).toContain("<tr><th>mode</th><td>conditional</td><td>—</td><td>—</td><td>—</td></tr>");
    expect(html).toContain(`Generated by <code>${GENERATED_BY}</code>`);
  });

  it("escapes every piece of input text, in tables and inside the SVGs", async () => {
    const evil = `<img src=x onerror="alert(1)">&'`;
    const hostile = results.map((r, i) => (i === 1 ? { ...r, protocol: evil, config: { ...r.config, note: "see https://example.org <b>" } } : r));
    const page = await renderComparisonReport({ title: `<script>alert("t")</script>`, results: hostile, generatedBy: "x --y '<z>'" });
    expect(page).not.toMatch(/<script|<img|<b>/);
    expect(page).toContain("&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;");
    expect(page).toContain(escapeHtml(evil));
    expect(page).toContain("x --y &#39;&lt;z&gt;&#39;");
    expect(getMarkup(page)).not.toMatch(/https?:\/\//);
    expect(page).toContain("see https://example.org &lt;b&gt;");
  });
});

describe("renderSvg", () => {
  it("renders one spec to the same SVG every time, ids renamed under the prefix, no namespace URLs", async () => {
    const spec = {
      width: 100,
      height: 60,
      data: { values: [{ a: 1, b: 2 }, { a: 2, b: 1 }] },
      mark: { type: "line", clip: true },
      encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } },
    } as const;
    const first = await renderSvg(spec as never, "t");
    const second = await renderSvg(spec as never, "t");
    expect(second).toBe(first);
    expect(getIds(first)).toEqual(["t-1"]);
    expect(first).toContain('clip-path="url(#t-1)"');
    expect(first).not.toContain("xmlns");
  });

  it("refuses a spec that vega-lite warns about instead of drawing something else", async () => {
    const spec = {
      data: { values: [{ a: 1, b: 2 }] },
      mark: "bar",
      encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" }, theta: { field: "a", type: "quantitative" } },
    };
    await expect(renderSvg(spec as never, "t")).rejects.toMatchObject({ code: "REPORT_CHART_SPEC" });
  });

  it("renames ids and every reference to them consistently", () => {
    const svg = '<svg><clipPath id="clip7"></clipPath><g clip-path="url(#clip7)"></g><use href="#clip7"/><g id="x"></g></svg>';
    expect(namespaceSvgIds(svg, "c")).toBe('<svg><clipPath id="c-1"></clipPath><g clip-path="url(#c-1)"></g><use href="#c-1"/><g id="c-2"></g></svg>');
  });
});

describe("renderSweepReport", () => {
  it("draws one chart per figure and lists every run, deterministically", async () => {
    const rows = makeFixtureSweep();
    const input = { title: "Sweep", param: FIXTURE_SWEEP_PARAM, rows, generatedBy: "xshard sweep" };
    const html = await renderSweepReport(input);
    expect(await renderSweepReport({ ...input, rows: makeFixtureSweep() })).toBe(html);
    const figures = getFigures(html);
    expect([...figures.keys()]).toEqual(getSweepFigures(rows).map((f) => `sweep-${f}`));
    for (const [id, body] of figures) expect(body.match(/<(path|rect|line)\b/g)?.length ?? 0, id).toBeGreaterThan(10);
    expect(figures.get("sweep-hopsMean")).not.toContain(">delayed</text>");
    expect(figures.get("sweep-stage2BlocksPerStage1Block")).toContain(">delayed</text>");
    const table = html.slice(html.indexOf('<section id="rows">'));
    expect(table.match(/<tr><td>/g)).toHaveLength(rows.length);
    expect(table).toContain("<tr><td>delayed</td><td>0.5</td><td>1.3</td><td>2.5</td><td>—</td></tr>");
    expect(html).not.toMatch(/https?:\/\/|<script/);
  });

  it("still draws (empty) a figure no protocol reports, and gives colliding names distinct ids", async () => {
    const rows = makeFixtureSweep().map((r) => ({ ...r, figures: { "a.b": null, "a-b": r.figures.hopsMean ?? null } }));
    const html = await renderSweepReport({ title: "Sweep", param: FIXTURE_SWEEP_PARAM, rows, generatedBy: "xshard sweep" });
    expect([...getFigures(html).keys()]).toEqual(["sweep-a-b", "sweep-a-b-2"]);
  });
});
