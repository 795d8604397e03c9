import { describe, expect, it } from "vitest";
import { executeProgram, type ContractHandle } from "../../src/exec/executeTx.js";
import { describeAbort } from "../../src/exec/describe.js";
import { ProgramBuilder, decodeU64, u64 } from "../../src/program/index.js";
import { Runtime, loadLibraryWasm } from "../../src/runtime/index.js";
import { MerkleKV } from "../../src/state/index.js";
import { sha256 } from "../../src/crypto/hash.js";

const runtime = new Runtime();
const counterHash = runtime.registerCode(loadLibraryWasm("counter"));
const sender = sha256("alice");

function env(ids: string[]) {
  const init = (id: string) => {
    const r = runtime.call({ contract: id, codeHash: counterHash, state: MerkleKV.empty(), caller: new Uint8Array(32), method: "init", args: [], txId: sha256(id) });
    if (!r.ok) throw new Error(r.failure.message);
    return MerkleKV.empty().applyWrites(r.writes);
  };
  const handles = new Map<string, ContractHandle>(ids.map((id) => [id, { codeHash: counterHash, state: init(id), ended: false }]));
  return { runtime, sender, txId: sha256("tx"), gasLimit: 10_000_000n, contract: (id: string) => handles.get(id) };
}

describe("executeProgram", () => {
  it("a later call sees the writes of an earlier call to the same contract", () => {
    const b = new ProgramBuilder();
    b.call("a", "inc");
    const second = b.call("a", "inc");
    b.require(second);
    const ex = executeProgram(b.build(), env(["a"]));
    expect(ex.run.status).toBe("committed");
    expect(decodeU64(ex.run.values[1]!.bytes)).toBe(2n);
    expect(ex.effects.writes.get("a")?.size).toBeGreaterThan(0);
  });

  it("a failed call contributes no writes; calls to absent contracts fail", () => {
    const b = new ProgramBuilder();
    b.call("a", "fail");
    b.call("ghost", "inc");
    const ex = executeProgram(b.build(), env(["a"]));
    expect(ex.run.status).toBe("committed");
    expect(ex.run.values).toEqual([null, null]);
    expect(ex.effects.writes.has("a")).toBe(false);
    expect(ex.run.failures.map((f) => f.kind)).toEqual(["revert", "no-contract"]);
  });

  it("gas is shared: a transaction's budget bounds the sum of its calls", () => {
    const b = new ProgramBuilder();
    b.call("a", "loop");
    b.call("a", "inc");
    const ex = executeProgram(b.build(), { ...env(["a"]), gasLimit: 50_000n });
    expect(ex.run.failures[0]!.kind).toBe("out-of-budget");
    expect(ex.gas).toBeLessThanOrEqual(50_000n);
  });
});

describe("describeAbort", () => {
  it("names the failed call behind the require, through Nothing", () => {
    const b = new ProgramBuilder();
    const f = b.call("a", "fail");
    const s = b.pure("add", [f, u64(1)]);
    b.require(s);
    const p = b.build();
    const ex = executeProgram(p, env(["a"]));
    expect(ex.run.status).toBe("aborted");
    expect(describeAbort(p, ex.run.at, ex.run.values, ex.run.failures)).toMatch(/^require failed at step 2: a\.fail revert/);
  });

  it("says false when the argument was false", () => {
    const b = new ProgramBuilder();
    const x = b.pure("eq", [u64(1), u64(2)]);
    b.require(x);
    const p = b.build();
    const ex = executeProgram(p, env([]));
    expect(describeAbort(p, ex.run.at, ex.run.values, ex.run.failures)).toBe("require failed at step 1: false");
  });
});
