import { describe, expect, it } from "vitest";
import { contractPrincipal } from "../../src/crypto/hash.js";
import { Runtime, computeSuccessorId, type CallResult } from "../../src/runtime/index.js";
import { Deployed, TX_ID, deploy, u64, user } from "./helpers.js";

const alice = user("alice");

function spawned(r: CallResult): Extract<CallResult, { ok: true }> {
  if (!r.ok) throw new Error(`call failed: ${r.failure.message}`);
  return r;
}

describe("successor contracts", () => {
  it("spawn creates a successor with a deterministic id, the same code and the value copied", () => {
    const c = deploy(new Runtime(), "counter", "c", []);
    c.ok(alice, "add", [u64(41)]);
    const r = spawned(c.call(alice, "spawn", [], { successorIndex: 3 }));
    const id = computeSuccessorId("c", TX_ID, 3);
    expect(id).toMatch(/^c~[0-9a-f]{16}$/);
    expect(r.created).toHaveLength(1);
    expect(r.created[0]?.id).toBe(id);
    expect(r.created[0]?.codeHash).toBe(c.codeHash);
    expect(r.returnData).toEqual(contractPrincipal(id));
    expect(spawned(deploy(new Runtime(), "counter", "c", []).call(alice, "spawn", [], { successorIndex: 3 })).created[0]?.id).toBe(id);

    const child = new Deployed(c.runtime, id, c.codeHash);
    child.state.apply(r.created[0]?.writes ?? new Map());
    expect(child.ok(alice, "get").bytes).toEqual(u64(41).bytes);
  });

  it("successor ids depend on the parent, the transaction and the index", () => {
    const ids = new Set([
      computeSuccessorId("c", TX_ID, 0),
      computeSuccessorId("c", TX_ID, 1),
      computeSuccessorId("d", TX_ID, 0),
      computeSuccessorId("c", new Uint8Array(32), 0),
    ]);
    expect(ids.size).toBe(4);
  });

  it("a failed call creates nothing", () => {
    const c = deploy(new Runtime(), "counter", "c", []);
    const cost = c.runtime.call(c.request(alice, "spawn")).instructions;
    const r = c.call(alice, "spawn", [], { budget: cost - 1n }); // fails at its very end, after create
    expect(r.ok ? "ok" : r.failure.kind).toBe("out-of-budget");
    expect("created" in r).toBe(false);
  });

  it("end reports ended; other calls do not", () => {
    const c = deploy(new Runtime(), "counter", "c", []);
    expect(spawned(c.call(alice, "inc")).ended).toBe(false);
    expect(spawned(c.call(alice, "end")).ended).toBe(true);
  });
});
