/**
 * Every flag that `xshard workloads` lists works on `run` and `compare`: the test reads the
 * listing (not the registry), gives every listed flag of a workload a legal value other than its
 * default, and checks that the results record exactly those values.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tmp } from "./harness.js";

interface ListedFlag {
  readonly flag: string;
  readonly kind: string;
  readonly def: string;
  readonly range: string;
}

/** Parses the `xshard workloads` listing: `name: description` lines, then `  --flag (kind, default D; range): help`. */
async function readListing(): Promise<Map<string, ListedFlag[]>> {
  const r = await runCli(["workloads"]);
  expect(r.code).toBe(0);
  const listing = new Map<string, ListedFlag[]>();
  let current: ListedFlag[] | undefined;
  for (const line of r.out.split("\n")) {
    const w = /^([a-z-]+): /.exec(line);
    if (w) listing.set(w[1] as string, (current = []));
    const f = /^ {2}(--[a-z-]+) \((int|float|enum), default ([^;)]*)(?:; ([^)]*))?\)/.exec(line);
    if (f) current?.push({ flag: f[1] as string, kind: f[2] as string, def: f[3] as string, range: f[4] ?? "" });
  }
  return listing;
}

/** A small legal value other than the default (runs stay tiny: 1 or 2 of everything). */
function pickValue(f: ListedFlag): string {
  if (f.kind === "enum") return f.range.split("|").find((v) => v !== f.def) as string;
  if (f.kind === "float") return f.def === "0.5" ? "0.25" : "0.5";
  const [lo, hi] = f.range.split("..").map(Number) as [number, number];
  const candidates = [lo + 1, lo, lo + 2].filter((v) => v <= hi && String(v) !== f.def);
  return String(candidates[0]);
}

/** `--shock-start` → `shockStart`, the name in the results' `config.workload.params`. */
const toParam = (flag: string): string => flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

const BASE = ["--validators", "8", "--committee-size", "4", "--no-signatures", "--drain", "3", "--seed", "3"];

describe("every workload flag that `xshard workloads` lists is accepted by run and compare", async () => {
  const listing = await readListing();

  it("the listing names every workload with flags and ranges", () => {
    expect([...listing.keys()]).toEqual(expect.arrayContaining(["transfer", "exchange", "train-hotel", "interconnect", "hotspot", "fee-shock", "collision", "clustered", "lifecycle"]));
    for (const [w, flags] of listing) {
      expect(flags.length, w).toBeGreaterThan(3);
      for (const f of flags) expect(f.range, `${w} ${f.flag}`).not.toBe("");
    }
    const flags = [...listing.values()].flat().map((f) => f.flag);
    expect(flags).toEqual(expect.arrayContaining(["--split", "--stale", "--cluster", "--noise", "--shock-start", "--collide"]));
  });

  for (const [name, flags] of listing) {
    const args = flags.flatMap((f) => [f.flag, pickValue(f)]);
    const expected = Object.fromEntries(flags.map((f) => [toParam(f.flag), f.kind === "enum" ? pickValue(f) : Number(pickValue(f))]));

    it(`run --workload ${name} ${args.join(" ")}`, async () => {
      const dir = tmp();
      const r = await runCli(["run", "--protocol", "sync", "--workload", name, ...args, ...BASE, "--out", dir]);
      expect(r.code, r.err).toBe(0);
      const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
      expect(results.config.workload.params).toEqual(expected);
    });

    it(`compare --workload ${name} with every listed flag`, async () => {
      const dir = tmp();
      const r = await runCli(["compare", "--protocols", "delayed:strict,receipts:passive", "--workload", name, ...args, ...BASE, "--out", dir]);
      expect(r.code, r.err).toBe(0);
      for (const p of ["delayed-strict", "receipts-passive"]) {
        const results = JSON.parse(readFileSync(join(dir, `${p}.json`), "utf8"));
        expect(results.config.workload.params, p).toEqual(expected);
      }
    });
  }
});
