/**
 * `--out` is checked before anything is generated or simulated, for run, compare and sweep: a bad
 * path is one line and exit 2, and neither the workload generator nor any protocol ran.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { assertWritableOut, writeOutFile } from "../../src/cli/output.js";
import { XshardError } from "../../src/errors.js";
import { getProtocol } from "../../src/registry.js";
import { getWorkload } from "../../src/workloads/index.js";
import { oneLine, runCli, tmp, TINY } from "./harness.js";

afterEach(() => vi.restoreAllMocks());

/** Bad output paths that fail for root too. */
function badOuts(): [string, string, RegExp][] {
  const d = tmp();
  const file = join(d, "file");
  writeFileSync(file, "x");
  const resultsIsDir = join(d, "taken");
  mkdirSync(join(resultsIsDir, "results.json"), { recursive: true });
  mkdirSync(join(resultsIsDir, "delayed-strict.json"), { recursive: true });
  mkdirSync(join(resultsIsDir, "sweep.csv"), { recursive: true });
  return [
    ["an existing file", file, /exists and is not a directory/],
    ["a path under a file", join(file, "sub", "dir"), /file is not a directory/],
    ["/dev/null", "/dev/null", /exists and is not a directory/],
    ["a name longer than 255 bytes", join(d, "n".repeat(300)), /longer than 255 bytes/],
    ["a path longer than 4095 bytes", join(d, ...Array.from({ length: 40 }, () => "p".repeat(120))), /longer than 4095 bytes/],
    ["/proc/x (cannot be created)", "/proc/xshard-out-test", /cannot create \/proc\/xshard-out-test/],
    ["an output file that is a directory", resultsIsDir, /exists there and is not a regular file/],
    ["an empty path", "", /must name a directory/],
  ];
}

describe("--out is checked before the run", () => {
  const commands: [string, string[]][] = [
    ["run", ["run", "--protocol", "delayed:strict", "--workload", "transfer", ...TINY]],
    ["compare", ["compare", "--protocols", "delayed:strict,sync", "--workload", "transfer", ...TINY]],
    ["sweep", ["sweep", "--protocols", "delayed:strict", "--workload", "transfer", "--param", "rate=1,2", ...TINY]],
  ];
  for (const [cmd, argv] of commands) {
    for (const [name, out, re] of badOuts()) {
      it(`${cmd}: ${name} → one line, exit 2, nothing generated or run`, async () => {
        const generate = vi.spyOn(getWorkload("transfer"), "generate");
        const strict = vi.spyOn(getProtocol("delayed:strict"), "run");
        const r = await runCli([...argv, "--out", out]);
        expect(r.code).toBe(2);
        expect(oneLine(r)).toMatch(/^xshard: --out /);
        expect(r.err).toMatch(re);
        expect(generate).not.toHaveBeenCalled();
        expect(strict).not.toHaveBeenCalled();
        expect(r.out).toBe("");
      });
    }
  }

  it("a missing directory (and its parents) is created, and the results land in it", async () => {
    const dir = join(tmp(), "a", "b", "c");
    const r = await runCli(["run", "--protocol", "sync", "--workload", "transfer", ...TINY, "--out", dir]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual(["results.json"]);
  });

  it("an existing results file is overwritten (a rerun)", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "results.json"), "old");
    const r = await runCli(["run", "--protocol", "sync", "--workload", "transfer", ...TINY, "--out", dir]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual(["results.json"]);
  });

  it("the write check leaves nothing behind", () => {
    const dir = tmp();
    expect(assertWritableOut(dir, ["results.json"])).toBe(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a failed write is a typed error naming the file", () => {
    const dir = tmp();
    mkdirSync(join(dir, "x.json"));
    expect(() => writeOutFile(dir, "x.json", "{}")).toThrow(XshardError);
    expect(() => writeOutFile(dir, "x.json", "{}")).toThrow(/cannot write .*x\.json/);
  });

  it("the built binary does not hang on --out /proc/x", () => {
    if (!existsSync("dist/cli/main.js")) throw new Error("dist/ is missing: run `npm run build` (npm ci does it)");
    const r = spawnSync(process.execPath, ["bin/xshard.js", "run", "--workload", "transfer", ...TINY, "--out", "/proc/x/y"], { encoding: "utf8", timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^xshard: --out \/proc\/x\/y: cannot create \/proc\/x/);
  });
});
