import { describe, expect, it } from "vitest";
import type { ResultsFile } from "../../src/results/schema.js";
import { formatFigure, formatNumber, formatShare } from "../../src/report/format.js";
import { formatComparisonTable, toCsvField, toSummaryCsv } from "../../src/report/table.js";
import { OUTCOMES } from "../../src/types.js";
import { makeFixtureComparison } from "./fixtures.js";

/** A small RFC 4180 reader (quoted fields, doubled quotes, CRLF records) for checking the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  expect(field === "" && row.length === 0, "CSV ends with CRLF").toBe(true);
  return rows;
}

/** The CSV as one record per protocol: header → cell. */
function readCsv(text: string): Map<string, Map<string, string>> {
  const [header, ...rows] = parseCsv(text) as [string[], ...string[][]];
  for (const r of rows) expect(r).toHaveLength(header.length);
  return new Map(rows.map((r) => [r[0] as string, new Map(header.map((h, i) => [h, r[i] as string]))]));
}

describe("formatNumber and friends", () => {
  it("prints integers as they are, others with few decimals, null as a dash", () => {
    expect(formatNumber(300)).toBe("300");
    expect(formatNumber(4.816666)).toBe("4.82");
    expect(formatNumber(2.5)).toBe("2.5");
    expect(formatNumber(0.12345)).toBe("0.123");
    expect(formatNumber(0.00012)).toBe("0.00012");
    expect(formatNumber(123.456)).toBe("123.5");
    expect(formatNumber(null)).toBe("—");
    expect(formatFigure([1, 2.345])).toBe("[1, 2.35]");
    expect(formatFigure(undefined)).toBe("—");
    expect(formatShare(1, 8)).toBe("12.5%");
    expect(formatShare(0, 0)).toBe("");
  });
});

describe("formatComparisonTable", () => {
  it("has one aligned row per protocol with the fixture's outcomes, latencies and throughput", () => {
    const results = makeFixtureComparison();
    const text = formatComparisonTable(results);
    const lines = text.split("\n");
    expect(lines[0]?.split(/ {2,}/)).toEqual([
      "protocol",
      ...OUTCOMES,
      "final p50",
      "final p90",
      "final p99",
      "incl→final p50",
      "tx/slot",
      "gas/final tx",
    ]);
    expect(lines[1]).toMatch(/^-+( {2}-+)+$/);
    results.forEach((r, i) => {
      const cells = lines[2 + i]?.split(/ {2,}/);
      const s = r.summary;
      expect(cells).toEqual([
        r.protocol,
        ...OUTCOMES.map((o) => String(s.outcomes[o])),
        formatNumber(s.latencySlots.submitToFinal.p50),
        formatNumber(s.latencySlots.submitToFinal.p90),
        formatNumber(s.latencySlots.submitToFinal.p99),
        formatNumber(s.latencySlots.inclusionToFinal.p50),
        formatNumber(s.throughputTxPerSlot),
        // The fixture has no work block (results from before it existed): shown as missing.
        "—",
      ]);
      expect(lines[2 + i]?.length).toBeLessThanOrEqual(lines[0]?.length as number);
    });
    expect(text.endsWith("\n")).toBe(true);
  });
});

describe("toSummaryCsv", () => {
  it("has one full-precision row per protocol with every summary figure in flat columns", () => {
    const results = makeFixtureComparison();
    const csv = readCsv(toSummaryCsv(results));
    expect([...csv.keys()]).toEqual(results.map((r) => r.protocol));
    for (const r of results) {
      const row = csv.get(r.protocol) as Map<string, string>;
      const num = (h: string): number => {
        expect(row.has(h), h).toBe(true);
        return Number(row.get(h));
      };
      expect(num("submitted")).toBe(r.summary.submitted);
      for (const o of OUTCOMES) expect(num(`outcomes.${o}`)).toBe(r.summary.outcomes[o]);
      expect(num("latencySlots.submitToFinal.mean")).toBe(r.summary.latencySlots.submitToFinal.mean);
      expect(num("latencySeconds.inclusionToFinal.p90")).toBe(r.summary.latencySeconds.inclusionToFinal.p90);
      expect(num("throughputTxPerSlot")).toBe(r.summary.throughputTxPerSlot);
      for (const [reason, count] of Object.entries(r.summary.reasons)) expect(num(`reasons.${reason}`)).toBe(count);
      for (const [name, value] of Object.entries(r.summary.protocol)) {
        if (Array.isArray(value)) value.forEach((v, i) => expect(num(`protocol.${name}.${i}`)).toBe(v));
        else if (value === null) expect(row.get(`protocol.${name}`)).toBe("");
        else expect(num(`protocol.${name}`)).toBe(value);
      }
    }
    const delayed = csv.get("delayed") as Map<string, string>;
    expect(delayed.get("protocol.hopsMean")).toBe("");
    expect(delayed.get("protocol.baseFeeMax.0")).toBe("");
    expect(delayed.get("reasons.base-fee-above-cap")).toBe("0");
  });

  it("quotes fields with commas, quotes and line breaks (RFC 4180) and ends records with CRLF", () => {
    expect(toCsvField('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(toCsvField("plain")).toBe("plain");
    expect(toCsvField(null)).toBe("");
    const [first, second] = makeFixtureComparison() as [ResultsFile, ResultsFile];
    const odd = 'receipts, "odd"\r\nname';
    const text = toSummaryCsv([first, { ...second, protocol: odd }]);
    expect(text.endsWith("\r\n")).toBe(true);
    expect([...readCsv(text).keys()]).toEqual(["delayed", odd]);
  });
});
