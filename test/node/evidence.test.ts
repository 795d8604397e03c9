/**
 * Evidence and slashing from nodes (docs/node.md "Evidence and slashing"), on the memory network:
 * every validator of committee 0 signs a wrong root (the test-only `faults.wrongRoots`), so its
 * batch reaches 2/3 with a root no honest execution gives. The Stage-2 proposer proves it with a
 * one-step proof, includes the evidence, every node imports it and slashes the same validators
 * (and the wrong root is never affirmed); `GET /v1/slashings` lists them. A proposal carrying
 * evidence that breaks a rule is rejected with that rule.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { NodeApiBackend } from "../../src/node/backend.js";
import { createApiServer } from "../../src/node/api/server.js";
import { computeTopic } from "../../src/node/net/topics.js";
import type { NetworkEvent } from "../../src/node/net/types.js";
import { encodeStage2Block, MSG_PROPOSAL, tagMessage } from "../../src/node/wire.js";
import { buildStage2Block, type SignedStage2Block } from "../../src/protocols/delayed/stage2.js";
import type { ProvenEvidenceValue } from "../../src/protocols/delayed/faults.js";
import { getWorkload } from "../../src/workloads/index.js";
import { getLogItems } from "../../src/protocols/delayed/state.js";
import { startMemoryDevnet, type MemoryDevnet } from "./memoryDevnet.js";
import { waitFor } from "./networkSuite.js";

const w = getWorkload("transfer").generate({ slots: 1, rate: 8, accounts: 8, contracts: 4, cross: 0.5 }, "evidence");
let net: MemoryDevnet;
let committee0: number[];

beforeAll(async () => {
  net = await startMemoryDevnet({ nodes: 3, validators: 8, committees: 2, committeeSize: 4, slotMs: 1200, seed: "evidence", genesis: w.genesis, startInMs: 400, nodeOptions: { faults: { wrongRoots: { committee: 0 } } } });
  committee0 = (net.nodes[0]!.chain.state.committees[0] ?? []).map((v) => v.index).sort((a, b) => a - b);
  for (const s of w.submissions) net.nodes[0]!.addTransaction(s.tx);
}, 30_000);

afterAll(async () => {
  await net?.stop();
});

describe("evidence and slashing from nodes", () => {
  it("the wrong signers of committee 0 are slashed on every node, the wrong root is never affirmed, /v1/slashings lists them", async () => {
    await waitFor("every node imports the slashing", () => net.nodes.every((n) => n.evidence.slashings.length >= committee0.length), 60_000).catch((e: unknown) => {
      if (process.env["DEBUG_EVIDENCE"]) console.log(net.logs.map((l) => l.join("\n")).join("\n-----\n"));
      throw e;
    });
    for (const n of net.nodes) {
      expect([...n.chain.state.slashed].sort((a, b) => a - b)).toEqual(committee0);
      expect(n.chain.state.committees[0]).toEqual([]);
      expect(n.evidence.slashings.map((x) => x.validator).sort((a, b) => a - b)).toEqual(committee0);
      expect(new Set(n.evidence.slashings.map((x) => x.kind))).toEqual(new Set(["signed"]));
    }
    // The same block slashed them on every node; the disputed root was never affirmed anywhere.
    const block = net.nodes[0]!.evidence.slashings[0]!.block;
    expect(net.nodes.every((n) => n.evidence.slashings[0]!.block === block)).toBe(true);
    const ev = net.nodes[0]!.chain.stage2Blocks.flatMap((b) => b.evidence)[0]!;
    const contract = new TextDecoder().decode(ev.contract);
    for (const n of net.nodes) {
      const rec = n.chain.state.contracts.get(contract)!;
      expect(getLogItems(rec.chainRoots).some((r) => toHex(r) === toHex(ev.proof.claimed.postRoot))).toBe(false);
    }
    const app = await createApiServer({ backend: new NodeApiBackend(net.nodes[1]!) });
    const res = await app.inject({ method: "GET", url: "/v1/slashings" });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { slashings: { validator: number; kind: string; batchRoot: string }[] };
    expect(body.slashings.map((x) => x.validator).sort((a, b) => a - b)).toEqual(committee0);
    expect(body.slashings[0]!.batchRoot).toMatch(/^0x[0-9a-f]{64}$/);
    await app.close();
  }, 90_000);

  it("a proposal whose evidence breaks a rule is rejected with that rule", async () => {
    for (const n of net.nodes) await n.stop();
    const victim = net.nodes[0]!;
    const events: NetworkEvent[] = [];
    const network = net.hub.getNetwork("n0")!;
    network.on((e) => events.push(e));
    const attacker = net.hub.createNetwork("attacker");
    await attacker.connect("/memory/n0");
    const topic = computeTopic(victim.netId, "stage2_block");
    attacker.subscribe(topic, { validate: () => ({ kind: "accept" }) });
    const included = victim.chain.stage2Blocks.flatMap((b) => b.evidence)[0] as ProvenEvidenceValue;
    const outsider = (victim.chain.state.committees[1] ?? [])[0]!.index;
    const send = async (ev: ProvenEvidenceValue): Promise<string | undefined> => {
      const s = victim.chain.state;
      const slot = victim.chain.stage2.slot + 1;
      const built = buildStage2Block(s, [ev], new Map(), slot, slot, victim.chain.ctx);
      const block: SignedStage2Block = { ...built, root: new Uint8Array(32), attestation: { message: new Uint8Array(32), signers: [], signature: new Uint8Array(96), weight: 0 }, attesters: [] };
      const before = events.length;
      await attacker.publish(topic, tagMessage(MSG_PROPOSAL, encodeStage2Block(block, { height: victim.chain.stage1.height, root: victim.chain.stage1.root })));
      await waitFor("a rejection", () => events.slice(before).some((e) => e.type === "gossip:reject"), 5_000).catch(() => undefined);
      const e = events.slice(before).find((x) => x.type === "gossip:reject");
      return e?.type === "gossip:reject" ? e.rule : undefined;
    };
    // The same evidence again: its signers are already slashed.
    expect(await send(included)).toBe("BAD_EVIDENCE");
    // Evidence that would slash a validator of committee 1 for committee 0's batch.
    expect(await send({ ...included, signers: [outsider] })).toBe("EVIDENCE_NOT_COMMITTEE");
    // Nothing was slashed by them.
    expect(victim.chain.state.slashed.has(outsider)).toBe(false);
    expect(toHex(victim.chain.stage2.root)).toBe(toHex(victim.chain.state.stage2Root));
  }, 30_000);
});
