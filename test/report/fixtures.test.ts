/**
 * The synthetic fixtures: internally consistent like a real run, and the copies kept in
 * test/fixtures/results/ (for other tools and people to try the report on) equal what the
 * generator makes. Regenerate them with XSHARD_UPDATE_FIXTURES=1.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RESULTS_SCHEMA } from "../../src/results/schema.js";
import { OUTCOMES } from "../../src/types.js";
import { FIXTURE_PROTOCOLS, FIXTURE_SLOT_SECONDS, FIXTURE_TRACED_TX, makeFixtureResults, makeFixtureSweep } from "./fixtures.js";

const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "results");

/** The stored fixture files: name → content the generator makes for it. */
function getFixtureFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const p of FIXTURE_PROTOCOLS) files.set(`${p.replace(":", "-")}.json`, `${JSON.stringify(makeFixtureResults(p))}\n`);
  files.set("sweep.json", `${JSON.stringify(makeFixtureSweep(), null, 2)}\n`);
  return files;
}

describe("fixture results", () => {
  it.each(FIXTURE_PROTOCOLS)("%s: summary agrees with the records, trace with the traced transaction", (protocol) => {
    const r = makeFixtureResults(protocol);
    expect(r.schema).toBe(RESULTS_SCHEMA);
    expect(r.txs.length).toBe(r.summary.submitted);
    expect(OUTCOMES.reduce((n, o) => n + r.summary.outcomes[o], 0)).toBe(r.summary.submitted);
    for (const o of OUTCOMES) expect(r.txs.filter((t) => t.outcome === o).length).toBe(r.summary.outcomes[o]);
    expect(r.slots.reduce((n, s) => n + s.finalized, 0)).toBe(r.summary.latencySlots.submitToFinal.count);
    expect(r.summary.latencySeconds.submitToFinal.p50).toBe((r.summary.latencySlots.submitToFinal.p50 as number) * FIXTURE_SLOT_SECONDS);
    for (const t of r.txs) {
      if (t.includedSlot !== null) expect(t.includedSlot).toBeGreaterThan(t.submittedSlot);
      if (t.finalSlot !== null) expect(t.finalSlot).toBeGreaterThanOrEqual(t.includedSlot as number);
      expect(t.finalSlot === null).toBe(t.outcome === "hung" || t.outcome === "rejected");
    }
    const traced = r.txs[FIXTURE_TRACED_TX];
    const trace = r.trace.filter((e) => e.tx === FIXTURE_TRACED_TX);
    expect(trace.length).toBe(r.trace.length);
    expect(trace[0]?.slot).toBe(traced?.submittedSlot);
    expect(trace[trace.length - 1]?.slot).toBe(traced?.finalSlot);
    expect(r.config.trace).toEqual([FIXTURE_TRACED_TX]);
  });

  it("stored copies in test/fixtures/results equal the generator's output", () => {
    const files = getFixtureFiles();
    if (process.env.XSHARD_UPDATE_FIXTURES) {
      mkdirSync(FIXTURE_DIR, { recursive: true });
      for (const [name, content] of files) writeFileSync(join(FIXTURE_DIR, name), content);
    }
    for (const [name, content] of files) expect(readFileSync(join(FIXTURE_DIR, name), "utf8"), name).toBe(content);
  });
});
