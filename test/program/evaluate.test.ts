import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { bool, lit, ProgramBuilder, ref, u64 } from "../../src/program/builder.js";
import { type CallHandler, evaluateProgram, type ProgramRun } from "../../src/program/evaluate.js";
import type { CallStep, Program } from "../../src/program/types.js";
import { decodeU64, encodeU64 } from "../../src/program/values.js";
import type { MaybeValue } from "../../src/types.js";
import { programArb } from "./arbitraries.js";

interface Recorded {
  readonly handler: CallHandler;
  readonly calls: { contract: string; method: string; step: number }[];
}

/** A handler that fails methods named "fail", returns the args' u64 sum otherwise, and records calls. */
function recordingHandler(): Recorded {
  const calls: Recorded["calls"] = [];
  const handler: CallHandler = (contract, method, args, step) => {
    calls.push({ contract, method, step });
    if (method === "fail") return { ok: false, failure: { kind: "revert", message: "no" }, gas: 7n };
    const sum = args.reduce((s, a) => s + (a.bytes.length === 8 ? decodeU64(a.bytes) : 0n), 0n);
    return { ok: true, returnData: encodeU64(sum % (1n << 64n)), gas: 10n };
  };
  return { handler, calls };
}

/** A deterministic handler for random programs: fails when sha256 of its inputs says so. */
const hashingHandler: CallHandler = (contract, method, args) => {
  const digest = sha256(contract, ".", method, ...args.map((a) => a.bytes));
  const gas = BigInt(digest[1] ?? 0);
  return (digest[0] ?? 0) < 64
    ? { ok: false, failure: { kind: "trap", message: "unreachable" }, gas }
    : { ok: true, returnData: digest.subarray(0, (digest[2] ?? 0) % 3 === 0 ? 1 : 8), gas };
};

describe("Nothing propagation", () => {
  const b = new ProgramBuilder();
  const failed = b.call("tokenA", "fail", [u64(1)]); // 0: fails
  const dependent = b.call("tokenB", "transfer", [failed, u64(2)]); // 1: skipped
  b.pure("add", [failed, u64(1)]); // 2: Nothing
  const independent = b.call("tokenC", "transfer", [u64(3), u64(4)]); // 3: runs
  b.require(independent); // 4: passes
  b.require(dependent); // 5: aborts
  b.call("tokenD", "transfer", [u64(5)]); // 6: never reached
  const program = b.build();

  it("a failed call makes later steps that use it Nothing without calling the handler", () => {
    const { handler, calls } = recordingHandler();
    const run = evaluateProgram(program, handler);
    expect(calls).toEqual([
      { contract: "tokenA", method: "fail", step: 0 },
      { contract: "tokenC", method: "transfer", step: 3 },
    ]);
    expect(run.values.slice(0, 3)).toEqual([null, null, null]);
    expect(run.values[3]).toEqual({ bytes: encodeU64(7), origin: { contract: "tokenC", method: "transfer" } });
    expect(run.values[4]).toEqual({ bytes: new Uint8Array() });
    expect(run.failures).toEqual([{ step: 0, kind: "revert", message: "no" }]);
    expect(run.gas).toBe(17n);
  });

  it("require on Nothing aborts at that step; later steps do not run", () => {
    const { handler, calls } = recordingHandler();
    const run = evaluateProgram(program, handler);
    expect(run.status).toBe("aborted");
    expect(run.at).toBe(5);
    expect(run.values).toHaveLength(5);
    expect(calls.map((c) => c.step)).not.toContain(6);
  });

  it("require on false aborts; on true, on non-bool bytes and on the empty string it continues", () => {
    const { handler } = recordingHandler();
    const requireOf = (arg: ReturnType<typeof lit>): ProgramRun => {
      const p = new ProgramBuilder();
      p.require(arg);
      p.call("tokenA", "ping");
      return evaluateProgram(p.build(), handler);
    };
    expect(requireOf(bool(false))).toMatchObject({ status: "aborted", at: 0 });
    for (const ok of [bool(true), lit(Uint8Array.of(2)), lit(Uint8Array.of(0, 0)), lit(new Uint8Array())]) {
      expect(requireOf(ok)).toMatchObject({ status: "committed", at: 2 });
    }
  });

  it("require on a comparison result: false aborts, true commits", () => {
    const { handler } = recordingHandler();
    const check = (limit: number): ProgramRun => {
      const p = new ProgramBuilder();
      const got = p.call("tokenA", "balance", [u64(10)]);
      p.require(p.pure("ge", [got, u64(limit)]));
      return evaluateProgram(p.build(), handler);
    };
    expect(check(10)).toMatchObject({ status: "committed", at: 3 });
    expect(check(11)).toMatchObject({ status: "aborted", at: 2 });
  });

  it("call values carry their origin; pure results have none, even from call inputs", () => {
    const { handler } = recordingHandler();
    const p = new ProgramBuilder();
    const x = p.call("tokenA", "balance", [u64(4)]);
    p.pure("add", [x, u64(1)]);
    const run = evaluateProgram(p.build(), handler);
    expect(run.values).toEqual([
      { bytes: encodeU64(4), origin: { contract: "tokenA", method: "balance" } },
      { bytes: encodeU64(5) },
    ]);
    expect(run.status).toBe("committed");
  });
});

describe("suspend and resume", () => {
  /** Runs to completion, suspending before calls to `remote` and resuming past each suspension. */
  function runInHops(p: Program, remote: ReadonlySet<string>): { final: ProgramRun; hops: number; gas: bigint; failures: ProgramRun["failures"] } {
    let start = 0;
    let values: MaybeValue[] = [];
    let hops = 0;
    let gas = 0n;
    const failures: ProgramRun["failures"] = [];
    for (;;) {
      const at = start;
      const run = evaluateProgram(p, hashingHandler, {
        start,
        values,
        suspendBefore: (step: CallStep, i: number) => i !== at && remote.has(step.contract),
      });
      gas += run.gas;
      failures.push(...run.failures);
      if (run.status !== "suspended") return { final: run, hops, gas, failures };
      hops++;
      start = run.at;
      values = run.values;
    }
  }

  it("property: a run split at suspensions gives the same values, status, gas and failures as a straight run", () => {
    let totalHops = 0;
    fc.assert(
      fc.property(programArb(12), fc.array(fc.nat({ max: 3 })), (p, picks) => {
        const contracts = [...new Set(p.steps.flatMap((s) => (s.kind === "call" ? [s.contract] : [])))];
        const remote = new Set(picks.map((i) => contracts[i % Math.max(1, contracts.length)] ?? ""));
        const straight = evaluateProgram(p, hashingHandler);
        const { final, hops, gas, failures } = runInHops(p, remote);
        totalHops += hops;
        expect(final.status).toBe(straight.status);
        expect(final.at).toBe(straight.at);
        expect(final.values).toEqual(straight.values);
        expect(gas).toBe(straight.gas);
        expect(failures).toEqual(straight.failures);
      }),
      { numRuns: 300 },
    );
    expect(totalHops).toBeGreaterThan(100);
  });

  it("suspends only before calls that would run: a call skipped for Nothing does not suspend", () => {
    const b = new ProgramBuilder();
    const failed = b.call("local", "fail");
    b.call("remote", "transfer", [failed]); // skipped: its argument is Nothing
    b.call("local", "transfer", [u64(1)]);
    const run = evaluateProgram(b.build(), recordingHandler().handler, { suspendBefore: (s) => s.contract === "remote" });
    expect(run).toMatchObject({ status: "committed", at: 3 });
  });

  it("suspension stops before the step, makes no call for it and reports where to resume", () => {
    const b = new ProgramBuilder();
    const x = b.call("local", "balance", [u64(2)]);
    const y = b.call("remote", "balance", [x, u64(3)]);
    b.pure("add", [y, u64(1)]);
    const p = b.build();
    const { handler, calls } = recordingHandler();
    const first = evaluateProgram(p, handler, { suspendBefore: (s) => s.contract === "remote" });
    expect(first).toMatchObject({ status: "suspended", at: 1, gas: 10n });
    expect(first.values).toHaveLength(1);
    expect(calls).toHaveLength(1);
    const rest = evaluateProgram(p, handler, { start: first.at, values: first.values });
    expect(rest.status).toBe("committed");
    expect(rest.values[2]).toEqual({ bytes: encodeU64(6) });
  });

  it("resume options that do not fit the program throw BAD_RESUME", () => {
    const b = new ProgramBuilder();
    b.call("a", "m");
    const p = b.build();
    for (const opts of [{ start: 1, values: [] }, { start: 2, values: [null, null] }, { start: -1 }]) {
      try {
        evaluateProgram(p, hashingHandler, opts);
        expect.unreachable();
      } catch (e) {
        expect(isXshardError(e) && e.code).toBe("BAD_RESUME");
      }
    }
  });

  it("values given for the steps before start are used, later ones ignored", () => {
    const b = new ProgramBuilder();
    b.call("a", "m");
    b.pure("len", [ref(0)]);
    const run = evaluateProgram(b.build(), hashingHandler, { start: 1, values: [{ bytes: new Uint8Array(5) }, null] });
    expect(run.values).toEqual([{ bytes: new Uint8Array(5) }, { bytes: encodeU64(5) }]);
  });
});
