/** Progress off a terminal: a line every few seconds on stderr, also while a workload is generated. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, PROGRESS_LINE_SECONDS } from "../../src/cli/progress.js";
import { planWorkload, getWorkload } from "../../src/workloads/index.js";

function sink(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  let text = "";
  const s = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  }) as Writable & { isTTY: boolean; text: () => string };
  s.isTTY = isTTY;
  s.text = () => text;
  return s;
}

describe("progress when stderr is not a terminal", () => {
  it("writes one line per interval, none in between, none after stop", () => {
    const stream = sink(false);
    let now = 1_000;
    const p = createProgress("delayed:strict", "slots", { stream, intervalMs: 5_000, now: () => now });
    p.update(1, 100);
    now += 4_999;
    p.update(2, 100);
    expect(stream.text()).toBe("");
    now += 1;
    p.update(3, 100);
    expect(stream.text()).toBe("xshard: delayed:strict: 3/100 slots (3%), 5 s\n");
    now += 2_000;
    p.update(4, 100);
    now += 3_000;
    p.update(50, 100);
    p.stop();
    expect(stream.text().split("\n").filter(Boolean)).toEqual(["xshard: delayed:strict: 3/100 slots (3%), 5 s", "xshard: delayed:strict: 50/100 slots (50%), 10 s"]);
  });

  it("the default interval is a few seconds", () => {
    expect(PROGRESS_LINE_SECONDS).toBeGreaterThanOrEqual(2);
    expect(PROGRESS_LINE_SECONDS).toBeLessThanOrEqual(10);
  });

  it("workload generation reports accounts created and transactions signed, up to its size", () => {
    const plan = planWorkload(getWorkload("fee-shock"), { slots: 3, rate: 2, accounts: 5, shockStart: 1, shockEnd: 2, shockRate: 4 }, "1");
    const seen: [number, number][] = [];
    const w = plan.generate((done, total) => seen.push([done, total]));
    const total = plan.size.accounts + plan.size.submissions;
    expect(plan.size.submissions).toBe(3 * 2 + 4);
    expect(seen).toHaveLength(w.genesis.accounts.length + w.submissions.length);
    expect(seen.every(([, t]) => t === total)).toBe(true);
    expect(seen.map(([d]) => d)).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    expect(seen.at(-1)?.[0]).toBe(total);
  });

  it("a generation that goes on for a while prints lines before the run starts", () => {
    const stream = sink(false);
    let now = 0;
    const p = createProgress("generating transfer", "accounts+transactions", { stream, intervalMs: 1_000, now: () => now });
    const plan = planWorkload(getWorkload("transfer"), { slots: 2, rate: 5, accounts: 4 }, "1");
    plan.generate((d, t) => {
      now += 100; // each unit "takes" 100 ms
      p.update(d, t);
    });
    const lines = stream.text().split("\n").filter(Boolean);
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/^xshard: generating transfer: 10\/14 accounts\+transactions \(71%\), 1 s$/);
  });
});
