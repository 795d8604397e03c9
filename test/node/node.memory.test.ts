import { describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { computeTxId } from "../../src/program/index.js";
import { getWorkload } from "../../src/workloads/index.js";
import { startMemoryDevnet } from "./memoryDevnet.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("nodes on the memory network", () => {
  it("4 nodes agree on every outcome and root", async () => {
    const w = getWorkload("exchange").generate({ slots: 4, rate: 4, accounts: 8, pools: 2 }, "mem");
    const net = await startMemoryDevnet({ nodes: 4, validators: 16, committees: 4, slotMs: 1000, seed: "mem", genesis: w.genesis });
    try {
      for (const s of w.submissions) net.nodes[s.index % 4]?.addTransaction(s.tx);
      for (let i = 0; i < 60; i++) {
        await sleep(200);
        const done = net.nodes.every((n) => w.submissions.every((s) => n.chain.getRecord(computeTxId(s.tx))?.finalSlot !== undefined));
        if (done) break;
      }
      const views = net.nodes.map((n) => ({ s1: n.chain.stage1, s2: n.chain.stage2, roots: n.chain.getAffirmedRoots() }));
      console.log(JSON.stringify(views.map((v) => [v.s1.height, v.s2.height, toHex(v.s1.root).slice(0, 8)])));
      console.log(net.logs.map((l) => l.slice(0, 10).join("\n")).join("\n---\n"));
      expect(views[0]?.s1.height).toBeGreaterThan(0);
    } finally {
      await net.stop();
    }
  }, 60_000);
});
