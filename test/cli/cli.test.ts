/** The command line as users run it: one readable line and a non-zero exit for mistakes. */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";

let err = "";
let out = "";
beforeEach(() => {
  err = "";
  out = "";
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void (out += a.join(" ") + "\n"));
});
afterEach(() => vi.restoreAllMocks());

const tmp = () => mkdtempSync(join(tmpdir(), "xshard-cli-"));
const SMALL = ["--slots", "2", "--rate", "4", "--accounts", "8", "--validators", "8", "--committee-size", "4", "--no-signatures"];

describe("xshard: bad input is one line and a non-zero exit", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown protocol", ["run", "--protocol", "nope", ...SMALL], /unknown protocol 'nope'/],
    ["unknown workload", ["run", "--workload", "nope", ...SMALL], /unknown workload 'nope'/],
    ["p outside [0,1]", ["run", "--workload", "interconnect", "--p", "1.5", ...SMALL], /--p must be a number in \[0, 1\]/],
    ["p not a number", ["run", "--workload", "interconnect", "--p", "abc", ...SMALL], /--p must be/],
    ["flag the workload lacks", ["run", "--workload", "exchange", "--p", "0.5", ...SMALL], /has no parameter 'p'/],
    ["unreadable scenario", ["run", "--scenario", "/nonexistent/x.json", ...SMALL], /cannot read scenario/],
    ["bad form", ["run", "--workload", "exchange", "--form", "sideways", ...SMALL], /--form must be one of direct\|naive/],
    ["unknown option", ["run", "--frobnicate"], /unknown option/],
    ["bad network model", ["run", "--network", "gauss:3", ...SMALL], /bad network model/],
    ["unknown protocol in compare", ["compare", "--protocols", "delayed,nope", ...SMALL], /unknown protocol 'nope'/],
  ];
  for (const [name, argv, re] of cases) {
    it(name, async () => {
      const code = await main(argv);
      expect(code).not.toBe(0);
      expect(err).toMatch(re);
      expect(err.trim().split("\n")).toHaveLength(1);
      expect(err).not.toMatch(/\n\s+at /);
    });
  }

  it("a malformed scenario names the JSON path", async () => {
    const d = tmp();
    const f = join(d, "s.json");
    writeFileSync(f, JSON.stringify({ accounts: [{ name: "a", balance: "1" }], contracts: [], transactions: [{ slot: 0, sender: "b", program: { steps: [] } }] }));
    const code = await main(["run", "--scenario", f, "--no-signatures"]);
    expect(code).toBe(2);
    expect(err).toMatch(/\$\.transactions\[0\]\.sender/);
  });
});

describe("xshard run", () => {
  it("writes results.json, prints a summary table, and proofs verify", async () => {
    const d = tmp();
    const code = await main(["run", "--scenario", "scenarios/single-swap-direct.json", "--shards", "3", "--validators", "12", "--committee-size", "4", "--prove", "0", "--out", d]);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(join(d, "results.json"), "utf8"));
    expect(r.schema).toBe("xshard.results/1");
    expect(r.txs[0].outcome).toBe("committed");
    expect(out).toMatch(/delayed/);
    expect(existsSync(join(d, "proof-0.json"))).toBe(true);
    expect(await main(["verify", "--genesis", join(d, "genesis.json"), join(d, "proof-0.json")])).toBe(0);
    expect(out).toMatch(/valid: transaction [0-9a-f]{64} committed/);

    const p = JSON.parse(readFileSync(join(d, "proof-0.json"), "utf8"));
    p.values[0] = p.values[0].replace(/.$/, (c: string) => (c === "0" ? "1" : "0"));
    writeFileSync(join(d, "bad.json"), JSON.stringify(p));
    err = "";
    expect(await main(["verify", "--genesis", join(d, "genesis.json"), join(d, "bad.json")])).toBe(2);
    expect(err).toMatch(/Merkle branch does not lead/);
  });
});

describe("the built binary", () => {
  it("exits non-zero with one line and no stack trace", () => {
    if (!existsSync("dist/cli/main.js")) throw new Error("dist/ is missing: run `npm run build` (npm ci does it)");
    const r = spawnSync(process.execPath, ["bin/xshard.js", "run", "--protocol", "nope"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^xshard: unknown protocol 'nope'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
