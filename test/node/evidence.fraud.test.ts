/**
 * Fraud proofs from nodes (docs/node.md "Evidence and slashing"), on the memory network: every
 * validator of committee 0 signs a wrong root and every proposer colludes (includes batches at 2/3
 * unchecked), so a block applies the wrong roots. Every node re-executes the applied affirmations on
 * import and keeps a `fraud` dispute per wrong contract; the next proposer includes the fraud proofs;
 * every node rolls the roots back with their cones, slashes the four signers, and goes on (its slot
 * duties run again without error).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { getWorkload } from "../../src/workloads/index.js";
import { getLogItems } from "../../src/protocols/delayed/state.js";
import { startMemoryDevnet, type MemoryDevnet } from "./memoryDevnet.js";
import { waitFor } from "./networkSuite.js";

const w = getWorkload("transfer").generate({ slots: 1, rate: 8, accounts: 8, contracts: 4, cross: 0.5 }, "fraud");
let net: MemoryDevnet;
let committee0: number[];

beforeAll(async () => {
  net = await startMemoryDevnet({
    nodes: 3,
    validators: 8,
    committees: 2,
    committeeSize: 4,
    slotMs: 1200,
    seed: "fraud",
    genesis: w.genesis,
    startInMs: 400,
    nodeOptions: { faults: { wrongRoots: { committee: 0 }, colluding: true } },
  });
  committee0 = (net.nodes[0]!.chain.state.committees[0] ?? []).map((v) => v.index).sort((a, b) => a - b);
  for (const s of w.submissions) net.nodes[0]!.addTransaction(s.tx);
}, 30_000);

afterAll(async () => {
  await net?.stop();
});

describe("fraud proofs from nodes", () => {
  it("wrong roots a colluding proposer got applied are rolled back on every node and their signers slashed", async () => {
    await waitFor("every node imports the fraud proof", () => net.nodes.every((n) => n.evidence.slashings.some((x) => x.kind === "fraud")), 90_000).catch((e: unknown) => {
      if (process.env["DEBUG_EVIDENCE"]) console.log(net.logs.map((l) => l.join("\n")).join("\n-----\n"));
      throw e;
    });
    const frauds = net.nodes[0]!.chain.stage2Blocks.flatMap((b) => b.evidence).filter((e) => e.kind === 1);
    expect(frauds.length).toBeGreaterThanOrEqual(1);
    for (const n of net.nodes) {
      expect([...n.chain.state.slashed].sort((a, b) => a - b)).toEqual(committee0);
      for (const ev of frauds) {
        const rec = n.chain.state.contracts.get(new TextDecoder().decode(ev.contract))!;
        expect(getLogItems(rec.chainRoots).some((r) => toHex(r) === toHex(ev.proof.claimed.postRoot))).toBe(false);
        expect(rec.chainRoots.length - 1).toBeLessThanOrEqual(ev.position);
      }
    }
    // The nodes go on: two more slots of duties, none failing.
    const marks = net.logs.map((l) => l.length);
    const height = net.nodes[0]!.chain.stage1.height;
    await waitFor("two more Stage-1 blocks", () => net.nodes[0]!.chain.stage1.height >= height + 2, 30_000);
    if (process.env["DEBUG_EVIDENCE"]) console.log(net.logs.map((l) => l.filter((x) => !x.includes("duties")).join("\n")).join("\n-----\n"));
    for (const [i, l] of net.logs.entries()) expect(l.slice(marks[i]).filter((x) => x.includes("Error"))).toEqual([]);
  }, 120_000);
});
