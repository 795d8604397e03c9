/**
 * `xshard run --threads N`: the transactions signed and verified in worker threads give the same
 * results bytes and the same printed table as `--threads 1` (runs the built binary: the workers
 * load dist/). `--threads-min-txs 1` makes a small run use the pool.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const SMALL = ["--workload", "transfer", "--slots", "3", "--rate", "20", "--accounts", "12", "--contracts", "3", "--validators", "8", "--committee-size", "4", "--drain", "6", "--seed", "5"];

function run(out: string, args: string[]) {
  if (!existsSync("dist/crypto/ed25519Worker.js")) throw new Error("dist/ is missing: run `npm run build` (npm ci does it)");
  return spawnSync(process.execPath, ["bin/xshard.js", "run", ...SMALL, ...args, "--out", out], { encoding: "utf8" });
}

describe("xshard run on several threads (built binary)", () => {
  // sync and lock2pc: their committee signature batches are verified in the pool too.
  for (const protocol of ["delayed:conditional", "receipts", "sync", "lock2pc"]) {
    it(`${protocol}: results.json and the table are byte-identical to --threads 1 with one worker and with two`, () => {
      const out = mkdtempSync(join(tmpdir(), "xshard-run-threads-"));
      const one = run(out, ["--protocol", protocol, "--threads", "1", "--threads-min-txs", "1"]);
      expect(one.status, one.stderr).toBe(0);
      const single = readFileSync(join(out, "results.json"));
      expect(one.stderr).not.toMatch(/worker thread/);
      // 2 threads: one worker beside the simulation's thread; 3: two workers (batches round-robin).
      for (const [threads, workers] of [["2", 1], ["3", 2]] as const) {
        const r = run(out, ["--protocol", protocol, "--threads", threads, "--threads-min-txs", "1"]);
        expect(r.status, r.stderr).toBe(0);
        expect(readFileSync(join(out, "results.json")).equals(single)).toBe(true);
        expect(r.stdout).toBe(one.stdout);
        expect(r.stderr).toContain(`xshard: run: transactions signed and verified on ${workers} worker thread(s)`);
      }
      expect(JSON.parse(single.toString()).summary.submitted).toBe(60);
    });
  }

  it("below the threshold of transactions no pool starts", () => {
    const out = mkdtempSync(join(tmpdir(), "xshard-run-threads-"));
    const r = run(out, ["--protocol", "delayed", "--threads", "2"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/worker thread/);
  });

  it("--threads is checked before any work: 0 is refused in one line", () => {
    const out = mkdtempSync(join(tmpdir(), "xshard-run-threads-"));
    const r = run(out, ["--threads", "0"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("xshard: --threads must be an integer in [1, 64], got '0'");
    expect(readdirSync(out)).toEqual([]);
  });
});
