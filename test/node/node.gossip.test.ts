/**
 * A node's gossip validation and API input checks, on the memory network (no clock ticks: genesis
 * is an hour away). Invalid gossip — bad signature, wrong root, unknown committee, oversized — is
 * rejected with the rule it broke, the sender is scored down and nothing is stored; a valid block
 * from the same sender is imported. Malformed and forged transactions get HTTP 4xx with a code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectAttestation } from "../../src/chain/index.js";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { encodeSignedTx } from "../../src/program/index.js";
import { buildStage1Block, getStage1Committee } from "../../src/protocols/delayed/stage1.js";
import { NodeApiBackend } from "../../src/node/backend.js";
import { NodeChain } from "../../src/node/chain.js";
import { SlotClock } from "../../src/node/clock.js";
import { createDevnetFiles } from "../../src/node/devnet.js";
import { parseDevnetGenesis, parseKeyFile } from "../../src/node/genesis.js";
import { createApiServer } from "../../src/node/api/server.js";
import { MemoryHub, type MemoryNetwork } from "../../src/node/net/memory.js";
import { computeTopic, DEFAULT_GOSSIP_LIMITS } from "../../src/node/net/topics.js";
import type { NetworkEvent } from "../../src/node/net/types.js";
import { XshardNode } from "../../src/node/node.js";
import { NodeStore } from "../../src/node/store/store.js";
import { encodeStage1Block, MSG_BLOCK, tagMessage, Vote, VOTE_KINDS } from "../../src/node/wire.js";
import { getWorkload } from "../../src/workloads/index.js";

const w = getWorkload("exchange").generate({ pools: 1, accounts: 4, slots: 1, rate: 2 }, "gossip");
const files = createDevnetFiles({ nodes: 2, validators: 8, committees: 2, slotMs: 1000, seed: "gossip", genesisTimeMs: Date.now() + 3_600_000, genesis: w.genesis });
const genesis = parseDevnetGenesis(JSON.parse(JSON.stringify(files.genesisDoc)));
const dir = mkdtempSync(join(tmpdir(), "xshard-gossip-"));
let node: XshardNode;
let store: NodeStore;
let attacker: MemoryNetwork;
let honest: MemoryNetwork;
const events: NetworkEvent[] = [];

beforeAll(async () => {
  const hub = new MemoryHub();
  const network = hub.createNetwork("victim");
  attacker = hub.createNetwork("attacker", { gossipLimits: { ...DEFAULT_GOSSIP_LIMITS, stage1_block: 8 << 20 } });
  store = NodeStore.open({ path: join(dir, "store") });
  node = new XshardNode({ genesis, keys: parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[0])), genesis), network, store, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }) });
  await node.start();
  network.on((e) => events.push(e));
  await attacker.connect("/memory/victim");
  honest = hub.createNetwork("honest");
  await honest.connect("/memory/victim");
  honest.subscribe(computeTopic(node.netId, "stage1_block"), { validate: () => ({ kind: "accept" }) });
  for (const kind of ["stage1_block", "attestation"] as const) attacker.subscribe(computeTopic(node.netId, kind), { validate: () => ({ kind: "accept" }) });
  attacker.subscribe(computeTopic(node.netId, "affirmation", 0), { validate: () => ({ kind: "accept" }) });
});

afterAll(async () => {
  await node.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A Stage-1 block of slot 0 as the attacker can build and sign it (devnet keys derive from the seed). */
function buildBlock() {
  const chain = new NodeChain(genesis);
  const built = buildStage1Block(chain.state, [], 0);
  if (!built) throw new Error("no proposer");
  const committee = getStage1Committee(chain.state, 0);
  return { built, attestation: collectAttestation(chain.verifier, committee, built.signingRoot) };
}

async function send(topic: string, data: Uint8Array): Promise<string | undefined> {
  const before = events.length;
  await attacker.publish(topic, data);
  for (let i = 0; i < 50 && events.length === before; i++) await new Promise((r) => setTimeout(r, 10));
  const e = events.slice(before).find((x) => x.type === "gossip:reject");
  return e?.type === "gossip:reject" ? e.rule : undefined;
}

describe("gossip validation", () => {
  it("rejects invalid messages with the rule they broke and scores the sender down; stores nothing", async () => {
    const { built, attestation } = buildBlock();
    const s1 = computeTopic(node.netId, "stage1_block");
    const badSig = { ...built.block, attestation: { signers: attestation.signers, signature: collectAttestation(node.chain.verifier, getStage1Committee(node.chain.state, 0), sha256("other")).signature } };
    expect(await send(s1, tagMessage(MSG_BLOCK, encodeStage1Block(badSig)))).toBe("BAD_SIGNATURE");
    const badRoot = { ...built.block, header: { ...built.block.header, txsRoot: sha256("wrong") }, attestation };
    expect(await send(s1, tagMessage(MSG_BLOCK, encodeStage1Block(badRoot)))).toBe("BAD_TXS_ROOT");
    const vote = Vote.serialize({ kind: VOTE_KINDS.batch, slot: 0, committee: 99, root: sha256("batch"), validator: 0, signature: new Uint8Array(96) });
    expect(await send(computeTopic(node.netId, "affirmation", 0), vote)).toBe("UNKNOWN_COMMITTEE");
    expect(await send(s1, new Uint8Array(DEFAULT_GOSSIP_LIMITS.stage1_block + 1))).toBe("MESSAGE_TOO_LARGE");
    expect(await send(s1, new Uint8Array([1, 2, 3]))).toBe("WIRE_MALFORMED");
    expect(node.o.network.getPeerScore("attacker")).toBeLessThanOrEqual(-50);
    expect(events.some((e) => e.type === "peer:ban" && e.peer === "attacker")).toBe(true);
    expect(store.getHeads().stage1).toBeUndefined();
    expect(node.chain.stage1.height).toBe(0);

    // The valid block, from a peer in good standing, is imported (and stored).
    const good = { ...built.block, attestation };
    await honest.publish(s1, tagMessage(MSG_BLOCK, encodeStage1Block(good)));
    for (let i = 0; i < 100 && node.chain.stage1.height === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(node.chain.stage1.height).toBe(1);
    expect(store.getHeads().stage1?.number).toBe(1);
  });
});

describe("HTTP API input", () => {
  it("answers malformed and forged transactions with 4xx and a code, valid ones with 202", async () => {
    const app = await createApiServer({ backend: new NodeApiBackend(node) });
    const post = (body: string | Uint8Array, type: string) => app.inject({ method: "POST", url: "/v1/tx", headers: { "content-type": type }, payload: typeof body === "string" ? body : Buffer.from(body) });
    const stx = (w.submissions[0] as (typeof w.submissions)[number]).tx;
    const bytes = encodeSignedTx(stx);

    let r = await post("{not json", "application/json");
    expect([r.statusCode, r.json().code]).toEqual([400, "API_BAD_JSON"]);
    r = await post(JSON.stringify({ tx: { sender: "zz" } }), "application/json");
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe("TX_MALFORMED");
    r = await post(new Uint8Array([1, 2, 3, 4]), "application/octet-stream");
    expect(r.statusCode).toBe(400);
    expect(typeof r.json().code).toBe("string");
    const forged = encodeSignedTx({ ...stx, signature: stx.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) });
    r = await post(forged, "application/octet-stream");
    expect([r.statusCode, r.json().code]).toEqual([400, "BAD_SIGNATURE"]);
    const stranger = encodeSignedTx({ ...stx, pubkey: sha256("someone else") });
    r = await post(stranger, "application/octet-stream");
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe("SENDER_MISMATCH");

    r = await post(bytes, "application/octet-stream");
    expect(r.statusCode).toBe(202);
    const id = r.json().id as string;
    r = await post(bytes, "application/octet-stream");
    expect([r.statusCode, r.json().code]).toEqual([409, "TX_KNOWN"]);
    r = await app.inject({ method: "GET", url: `/v1/tx/${id}` });
    expect(r.json()).toEqual({ id, status: "pending" });
    r = await app.inject({ method: "GET", url: `/v1/tx/0x${toHex(sha256("nothing"))}` });
    expect(r.statusCode).toBe(404);
    await app.close();
  });
});
