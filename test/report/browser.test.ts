/**
 * The comparison report in a real browser: headless Chromium opens the fixture report from a
 * file, every chart has drawn marks, nothing is requested from the network, nothing is logged as
 * an error, the page fits 1280 px, and a screenshot is saved (os.tmpdir() by default,
 * docs/img/report.png when XSHARD_SCREENSHOT is set). Chromium must be at /usr/bin/chromium:
 * when it is absent the test fails and says so.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { renderComparisonReport } from "../../src/report/html.js";
import { makeFixtureComparison } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];
const VIEWPORT_WIDTH = 1280;
const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where the screenshot goes: docs/img/report.png on request, else a temp file. */
function getScreenshotPath(tmp: string): string {
  return process.env.XSHARD_SCREENSHOT ? join(REPO, "docs", "img", "report.png") : join(tmp, "report.png");
}

interface FigureMarks {
  id: string;
  svgs: number;
  marks: number;
  width: number;
}

describe("comparison report in headless Chromium", () => {
  let browser: Browser | undefined;
  let tmp = "";

  afterAll(async () => {
    await browser?.close();
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
  });

  it("renders every chart with marks, loads nothing, logs no error, fits 1280 px", async () => {
    expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) to run the browser test`).toBe(true);
    tmp = mkdtempSync(join(tmpdir(), "xshard-report-"));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const html = await renderComparisonReport({
      title: "Fixture comparison: exchange-mix, 4 protocols",
      results: makeFixtureComparison(),
      generatedBy: "xshard compare --workload exchange-mix --protocols delayed,receipts:nonsequential,receipts:sequential,receipts:passive",
    });
    const file = join(tmp, "report.html");
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;

    const page = await browser.newPage({ viewport: { width: VIEWPORT_WIDTH, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") problems.push(`console.${msg.type()}: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    page.on("request", (req) => {
      if (req.url() !== url) requests.push(req.url());
    });
    await page.goto(url, { waitUntil: "load" });

    const figures: FigureMarks[] = await page.$$eval("figure", (els) =>
      els.map((f) => ({
        id: f.id,
        svgs: f.querySelectorAll("svg").length,
        marks: f.querySelectorAll("svg path, svg rect, svg line").length,
        width: f.getBoundingClientRect().width,
      })),
    );
    expect(figures.map((f) => f.id)).toEqual([
      "latency-cdf",
      "outcomes",
      "series-lag",
      "series-affirmed",
      "series-stage2Blocks",
      "series-receiptQueue",
      "series-baseFee",
      "timeline",
    ]);
    for (const f of figures) {
      expect(f.svgs, `${f.id} has one svg`).toBe(1);
      expect(f.marks, `${f.id} has drawn marks`).toBeGreaterThan(20);
      expect(f.width, `${f.id} is laid out`).toBeGreaterThan(400);
    }
    const lines = await page.$$eval("#latency-cdf svg path.mark-line, #latency-cdf svg .mark-line path", (els) => els.length);
    expect(lines, "one CDF line per protocol").toBe(4);
    const scrollWidth = await page.evaluate<number>("document.documentElement.scrollWidth");
    expect(scrollWidth, "no horizontal scrolling at 1280 px").toBeLessThanOrEqual(VIEWPORT_WIDTH);

    const shot = getScreenshotPath(tmp);
    mkdirSync(dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    await page.close();

    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });
});
