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
  for (const protocol of ["delayed:conditional", "receipts"]) {
    it(`${protocol}: results.json and the table are byte-identical to --threads 1`, () => {
      const out = mkdtempSync(join(tmpdir(), "xshard-run-threads-"));
      const one = run(out, ["--protocol", protocol, "--threads", "1", "--threads-min-txs", "1"]);
      expect(one.status, one.stderr).toBe(0);
      const single = readFileSync(join(out, "results.json"));
      const two = run(out, ["--protocol", protocol, "--threads", "2", "--threads-min-txs", "1"]);
      expect(two.status, two.stderr).toBe(0);
      expect(readFileSync(join(out, "results.json")).equals(single)).toBe(true);
      expect(two.stdout).toBe(one.stdout);
      expect(one.stderr).not.toMatch(/worker thread/);
      expect(two.stderr).toContain("xshard: run: transactions signed and verified on 2 worker thread(s)");
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
