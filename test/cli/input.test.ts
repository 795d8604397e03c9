/**
 * Bad input of every kind is refused before the run, in one readable line, with exit 2: numbers
 * that are not plain decimals, network specs, index lists, scenario fields of the wrong type,
 * sweep parameters, runs too large for memory. Error lines never copy a newline.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { toOneLine } from "../../src/cli/main.js";
import { parseIndexList, parseIntFlag, parseNumberFlag } from "../../src/cli/options.js";
import { checkRunSize } from "../../src/cli/size.js";
import { XshardError } from "../../src/errors.js";
import { parseDecimalInteger, parseDecimalNumber } from "../../src/numbers.js";
import { computeRunMemoryEstimate, resolveRunConfig } from "../../src/runner.js";
import { parseNetworkSpec } from "../../src/sim/network.js";
import { getProtocol } from "../../src/registry.js";
import { getWorkload, listWorkloads } from "../../src/workloads/index.js";
import { oneLine, runCli, tmp, TINY } from "./harness.js";

afterEach(() => vi.restoreAllMocks());

const RUN = ["run", "--protocol", "delayed:strict", "--workload", "transfer", ...TINY];

/** Runs `argv`, expects exit 2 and one line matching `re`, and that nothing was simulated. */
async function refused(argv: string[], re: RegExp): Promise<string> {
  const strict = vi.spyOn(getProtocol("delayed:strict"), "run");
  const r = await runCli(argv);
  expect(r.code, r.err).toBe(2);
  const line = oneLine(r);
  expect(line).toMatch(/^xshard: /);
  expect(line).toMatch(re);
  expect(strict).not.toHaveBeenCalled();
  return line;
}

describe("numbers are plain decimals", () => {
  it("decimal text only: no empty string, hex, Infinity, NaN, separators or booleans", () => {
    for (const t of ["", " ", "0x10", "Infinity", "-Infinity", "NaN", "1_000", "1e", "--1", "+1", "1 ", "01"]) expect(parseDecimalInteger(t), t).toBeUndefined();
    for (const t of ["", " ", "0x10", "Infinity", "NaN", "1e999", ".", "e3", "1,5"]) expect(parseDecimalNumber(t), t).toBeUndefined();
    expect(parseDecimalInteger("0")).toBe(0);
    expect(parseDecimalInteger("-12")).toBe(-12);
    expect(parseDecimalInteger("9007199254740993")).toBeUndefined();
    expect(parseDecimalNumber(".5")).toBe(0.5);
    expect(parseDecimalNumber("1e-3")).toBe(0.001);
    expect(() => parseIntFlag("drain", "")).toThrow(XshardError);
    expect(() => parseNumberFlag("q", "Infinity")).toThrow(XshardError);
  });

  const cases: [string, string[], RegExp][] = [
    ["empty integer flag", ["--drain", ""], /--drain must be an integer, got ''/],
    ["hex integer flag", ["--validators", "0x10"], /--validators must be an integer, got '0x10'/],
    ["fractional integer flag", ["--shards", "1.5"], /--shards must be an integer/],
    ["Infinity slot length", ["--slot-seconds", "Infinity"], /--slot-seconds must be a finite decimal number, got 'Infinity'/],
    ["NaN slot length", ["--slot-seconds", "NaN"], /--slot-seconds must be a finite decimal number/],
    ["zero slot length", ["--slot-seconds", "0"], /slotSeconds must be a number in \(0, 86400\]/],
    ["huge slot length", ["--slot-seconds", "1e300"], /slotSeconds must be a number in \(0, 86400\]/],
    ["empty workload number", ["--rate", ""], /--rate must be an integer in \[0, 100000\], got ''/],
    ["exponent workload integer", ["--rate", "1e3"], /--rate must be an integer/],
    ["Infinity workload number", ["--cross", "Infinity"], /--cross must be a number in \[0, 1\], got 'Infinity'/],
    ["hex workload number", ["--contracts", "0x4"], /--contracts must be an integer/],
    ["empty protocol number", ["--load-bound", ""], /--load-bound must be a finite decimal number, got ''/],
    ["empty seed", ["--seed", ""], /seed must be a non-empty string/],
    ["--trace -1", ["--trace", "-1"], /--trace must be transaction indices/],
    ["--trace with an empty item", ["--trace", "0,,1"], /--trace must be transaction indices/],
    ["--trace beyond the workload", ["--trace", "2"], /--trace 2: the workload has 2 transactions \(indices 0\.\.1\)/],
    ["--prove ''", ["--prove", ""], /--prove must be transaction indices .* got ''/],
    ["--prove 0,", ["--prove", "0,"], /--prove must be transaction indices .* got '0,'/],
    ["--prove 0x0", ["--prove", "0x0"], /--prove must be transaction indices .* got '0x0'/],
    ["--prove 00", ["--prove", "00"], /--prove must be transaction indices/],
    ["--prove beyond the workload", ["--prove", "0,5"], /--prove 5: the workload has 2 transactions/],
  ];
  for (const [name, flags, re] of cases) it(`run: ${name}`, () => refused([...RUN, ...flags, "--out", tmp()], re));

  it("index lists are canonical decimals", () => {
    expect(parseIndexList("prove", "0,3,10")).toEqual([0, 3, 10]);
    for (const t of ["", ",", "0,", ",0", "0x0", "-1", " 1", "1.0", "1e1"]) expect(() => parseIndexList("prove", t), t).toThrow(XshardError);
  });
});

describe("network specs", () => {
  it("accepts the documented forms", () => {
    expect(parseNetworkSpec("fixed:0")).toEqual({ kind: "fixed", ms: 0 });
    expect(parseNetworkSpec("uniform:5:5")).toEqual({ kind: "uniform", min: 5, max: 5 });
    expect(parseNetworkSpec("lognormal:300:0.6:20000")).toEqual({ kind: "lognormal", median: 300, sigma: 0.6, max: 20000 });
  });
  const bad: [string, RegExp][] = [
    ["fixed:", /ms must be whole milliseconds, got ''/],
    ["fixed", /bad network model 'fixed' \(fixed:MS/],
    ["fixed:1:2", /bad network model 'fixed:1:2' \(fixed:MS/],
    ["fixed:-1", /ms must be whole milliseconds in \[0, 86400000\], got -1/],
    ["fixed:0x10", /ms must be whole milliseconds, got '0x10'/],
    ["fixed:Infinity", /ms must be whole milliseconds, got 'Infinity'/],
    ["fixed:1.5", /ms must be whole milliseconds/],
    ["fixed:86400001", /in \[0, 86400000\]/],
    ["uniform:5:1", /max 1 is below min 5/],
    ["uniform:-5:1", /min must be whole milliseconds in/],
    ["uniform::1", /min must be whole milliseconds, got ''/],
    ["lognormal:300:0.6:-1", /max must be whole milliseconds in/],
    ["lognormal:300:-0.6:2000", /sigma must be in \[0, 10\]/],
    ["lognormal:300:NaN:2000", /sigma must be a decimal number, got 'NaN'/],
    ["lognormal:300:0.6:100", /max 100 is below median 300/],
    ["lognormal:300:0.6", /bad network model/],
    ["gauss:3", /bad network model/],
  ];
  for (const [spec, re] of bad) it(`run --network ${spec} is refused`, () => refused([...RUN, "--network", spec, "--out", tmp()], re));

  it("a spec built in code is checked by resolveRunConfig too", () => {
    expect(() => resolveRunConfig({ protocol: "sync", network: { kind: "fixed", ms: Number.POSITIVE_INFINITY } })).toThrow(/ms must be whole milliseconds/);
    expect(() => resolveRunConfig({ protocol: "sync", trace: [-1] })).toThrow(/trace indices must be integers ≥ 0/);
    expect(() => resolveRunConfig({ protocol: "sync", slotSeconds: Number.NaN })).toThrow(/slotSeconds/);
  });
});

describe("scenario fields of the wrong type name their JSON path", () => {
  const write = (doc: unknown): string => {
    const f = join(tmp(), "s.json");
    writeFileSync(f, JSON.stringify(doc));
    return f;
  };
  const alice = { name: "alice", balance: "1000000000000" };
  const token = { id: "tokenA", code: "token", init: [{ account: "alice" }, { u64: "1000" }] };
  const tx = { slot: 0, sender: "alice", program: { steps: [{ call: "tokenA.transfer", args: [{ account: "alice" }, { u64: "1" }] }] } };
  const explicit = { accounts: [alice], contracts: [token], transactions: [tx] };
  const cases: [string, unknown, RegExp][] = [
    ["slots: true", { workload: { name: "transfer", params: { slots: true } } }, /\$\.workload\.params\.slots: must be a number or a string, got true/],
    ["slots: null", { workload: { name: "transfer", params: { slots: null } } }, /\$\.workload\.params\.slots: must be a number or a string, got null/],
    ["slots: ''", { workload: { name: "transfer", params: { slots: "" } } }, /\$\.workload\.params\.slots: --slots must be an integer in \[1, 100000\], got ''/],
    ["cross: 'Infinity'", { workload: { name: "transfer", params: { cross: "Infinity" } } }, /\$\.workload\.params\.cross: --cross must be a number/],
    ["an unknown parameter", { workload: { name: "transfer", params: { split: 2 } } }, /\$\.workload\.params\.split: unknown field/],
    ["params: null", { workload: { name: "transfer", params: null } }, /\$\.workload\.params: must be an object/],
    ["params: []", { workload: { name: "transfer", params: [] } }, /\$\.workload\.params: must be an object/],
    ["workload name: 7", { workload: { name: 7 } }, /\$\.workload\.name: must be a non-empty string/],
    ["an unknown workload", { workload: { name: "nope" } }, /\$\.workload\.name: unknown workload 'nope'/],
    ["accounts beside a workload", { workload: { name: "transfer" }, accounts: [] }, /\$\.accounts: does not apply/],
    ["tokens: 'x'", { ...explicit, tokens: "x" }, /\$\.tokens: must be an array of contract ids, got 'x'/],
    ["tokens naming no contract", { ...explicit, tokens: ["tokenB"] }, /\$\.tokens\[0\]: no contract 'tokenB'/],
    ["tokens: [1]", { ...explicit, tokens: [1] }, /\$\.tokens\[0\]: must be a non-empty string/],
    ["a negative balance (number)", { ...explicit, accounts: [{ name: "alice", balance: -5 }] }, /\$\.accounts\[0\]\.balance: must be a non-negative integer/],
    ["a negative balance (string)", { ...explicit, accounts: [{ name: "alice", balance: "-5" }] }, /\$\.accounts\[0\]\.balance: must be a non-negative integer/],
    ["an unsafe balance number", { ...explicit, accounts: [{ name: "alice", balance: 1e30 }] }, /\$\.accounts\[0\]\.balance: must be a non-negative integer/],
    ["a balance of true", { ...explicit, accounts: [{ name: "alice", balance: true }] }, /\$\.accounts\[0\]\.balance: .* got true/],
    ["a hex gas limit", { ...explicit, transactions: [{ ...tx, gasLimit: "0x10" }] }, /\$\.transactions\[0\]\.gasLimit: must be a non-negative integer/],
    ["slot: true", { ...explicit, transactions: [{ ...tx, slot: true }] }, /\$\.transactions\[0\]\.slot: must be an integer/],
    ["name: 5", { ...explicit, name: 5 }, /\$\.name: must be a non-empty string/],
  ];
  for (const [name, doc, re] of cases) it(name, () => refused(["run", "--scenario", write(doc), "--no-signatures", "--out", tmp()], re));

  it("a good scenario still runs", async () => {
    const r = await runCli(["run", "--protocol", "sync", "--scenario", write(explicit), "--validators", "8", "--committee-size", "4", "--no-signatures", "--out", tmp()]);
    expect(r.code, r.err).toBe(0);
  });
});

describe("sweep parameters are checked before any worker starts", () => {
  const SWEEP = ["sweep", "--protocols", "delayed:strict", "--workload", "interconnect", ...TINY];
  const cases: [string, string[], RegExp][] = [
    ["an unknown name", ["--param", "frobnicate=1,2"], /sweep --param 'frobnicate': not a flag of run/],
    ["a typo of a workload flag", ["--param", "pp=0,1"], /sweep --param 'pp': not a flag of run/],
    ["a boolean flag", ["--param", "no-signatures=1"], /sweep --param 'no-signatures': not a flag of run/],
    ["an empty value", ["--param", "p=0,,1"], /sweep --param p: empty value/],
    ["an out-of-range value", ["--param", "p=0,2"], /--p must be a number in \[0, 1\], got '2'/],
    ["a hex value", ["--param", "rate=0x2"], /--rate must be an integer/],
    ["a flag the workload lacks", ["--param", "pools=1,2"], /workload 'interconnect' has no parameter 'pools'/],
    ["a bad network spec", ["--param", "network=fixed:1,fixed:"], /bad network model 'fixed:'/],
    ["a grid point too large for memory", ["--param", "rate=1,100000", "--slots", "100000"], /this run needs about .* GiB of memory/],
  ];
  for (const [name, flags, re] of cases) it(name, () => refused([...SWEEP, ...flags, "--out", tmp()], re));
});

describe("runs too large for memory are refused up front, with the figure", () => {
  it("run and compare", async () => {
    const generate = vi.spyOn(getWorkload("transfer"), "generate");
    const line = await refused([...RUN, "--slots", "100000", "--rate", "100000", "--out", tmp()], /this run needs about [0-9.]+ GiB of memory \(10000000000 transactions, .*\), more than the heap limit of [0-9.]+ GiB/);
    expect(line).toMatch(/--allow-large/);
    await refused(["compare", "--workload", "transfer", ...TINY, "--slots", "100000", "--rate", "100000", "--out", tmp()], /7 protocols\), more than the heap limit/);
    expect(generate).not.toHaveBeenCalled();
  });

  it("the estimate grows with transactions, state, accounts, validators and protocols; --allow-large lifts the bound", () => {
    const c = resolveRunConfig({ protocol: "sync" });
    const size = { submissions: 1000, accounts: 10, contracts: 2, stateEntries: 20 };
    const base = computeRunMemoryEstimate(size, [c]);
    expect(computeRunMemoryEstimate({ ...size, submissions: 2000 }, [c])).toBeGreaterThan(base);
    expect(computeRunMemoryEstimate({ ...size, stateEntries: 2000 }, [c])).toBeGreaterThan(base);
    expect(computeRunMemoryEstimate({ ...size, accounts: 2000 }, [c])).toBeGreaterThan(base);
    expect(computeRunMemoryEstimate(size, [resolveRunConfig({ protocol: "sync", validators: 5000 })])).toBeGreaterThan(base);
    expect(computeRunMemoryEstimate(size, [c, c])).toBeGreaterThan(base);
    expect(() => checkRunSize(size, [c], false, base - 1)).toThrow(/this run needs about/);
    expect(() => checkRunSize(size, [c], false, base)).not.toThrow();
    expect(() => checkRunSize(size, [c], true, 1)).not.toThrow();
  });

  it("every workload's size bounds what it generates", () => {
    for (const w of listWorkloads()) {
      const params = { slots: 3, rate: 3, accounts: 5 };
      const resolved = w.resolveParams(params);
      const size = w.computeSize(resolved);
      const g = w.generate(params, "7");
      expect(g.submissions.length, w.name).toBeLessThanOrEqual(size.submissions);
      expect(g.submissions.length, w.name).toBeGreaterThan(0);
      expect(g.genesis.accounts.length, w.name).toBe(size.accounts);
      expect(g.genesis.contracts.length, w.name).toBeLessThanOrEqual(size.contracts);
    }
  });
});

describe("error messages are one line", () => {
  it("newlines and control characters copied from inputs are escaped", () => {
    expect(toOneLine("a\nb\r\tc\u0007")).toBe("a\\nb\\r\\tc\\x07");
  });

  it("a scenario path with a newline", async () => {
    const line = await refused(["run", "--scenario", "/nonexistent/a\nb.json", "--out", tmp()], /cannot read scenario \/nonexistent\/a\\nb\.json/);
    expect(line).not.toContain("\n");
  });

  it("a name with a newline inside a scenario file", async () => {
    const f = join(tmp(), "s.json");
    writeFileSync(f, JSON.stringify({ accounts: [{ name: "a", balance: "1" }], contracts: [], transactions: [{ slot: 0, sender: "b\nob", program: { steps: [] } }] }));
    await refused(["run", "--scenario", f, "--out", tmp()], /unknown account 'b\\nob'/);
  });

  it("commander's 'Did you mean' is folded into the line", async () => {
    const r = await runCli(["run", "--seeed", "3"]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe("xshard: unknown option '--seeed' (Did you mean --seed?)");
  });

  it("an unknown command", async () => {
    const r = await runCli(["rnu"]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/^xshard: unknown command 'rnu' \(Did you mean run\?\)$/);
  });
});
