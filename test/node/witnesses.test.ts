/**
 * Merkle witnesses over request/response: a node asks a peer for keys of a contract's affirmed
 * state and checks the answer against the root from its own chain. An honest peer's witness gives
 * the values its state holds (and proves absent keys absent); a forged proof, a malformed one and
 * one that leaves out a requested key are refused with `BAD_WITNESS` naming the rule, and the peer
 * that sent them is scored down; a state that is not affirmed is refused before any request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { SlotClock, type TimeSource } from "../../src/node/clock.js";
import { MemoryHub, type MemoryNetwork } from "../../src/node/net/memory.js";
import type { NetworkEvent } from "../../src/node/net/types.js";
import { XshardNode } from "../../src/node/node.js";
import { mergeChains } from "../../src/node/order.js";
import { NodeStore } from "../../src/node/store/store.js";
import { WitnessRequest } from "../../src/node/witnesses.js";
import { encodeWitness, MerkleKV } from "../../src/state/index.js";
import { produceChain, type ChainFixture } from "./chainFixture.js";

const FROZEN: TimeSource = { now: () => 0, setTimer: () => 0, clearTimer: () => undefined };
const dir = mkdtempSync(join(tmpdir(), "xshard-witness-"));
const hub = new MemoryHub();
const stores: NodeStore[] = [];
const nodes: XshardNode[] = [];
let fx: ChainFixture;
let server: XshardNode;
let client: XshardNode;
let liar: MemoryNetwork;
let lie: (req: Uint8Array) => Uint8Array = () => new Uint8Array(0);
const events: NetworkEvent[] = [];
let contract: string;
let position: number;
let present: Uint8Array[];

async function startNode(name: string): Promise<XshardNode> {
  const store = NodeStore.open({ path: join(dir, name) });
  stores.push(store);
  const node = new XshardNode({ genesis: fx.genesis, keys: [], network: hub.createNetwork(name), store, clock: new SlotClock({ genesisTimeMs: fx.genesis.genesisTimeMs, slotMs: fx.genesis.slotMs }, FROZEN) });
  await node.start();
  nodes.push(node);
  for (const it of mergeChains(fx.stage1, fx.stage2)) {
    if (it.chain === "stage1") node.importStage1(it.block, it.bytes);
    else node.importStage2(it.block, it.bytes);
  }
  return node;
}

beforeAll(async () => {
  fx = await produceChain({ slots: 10, slotMs: 600, seed: "witness" });
  server = await startNode("server");
  // The server executes what it imported (a node does it in its slot duties).
  server.chain.executeRound(server.chain.stage1.slot + 1);
  client = await startNode("client");
  client.o.network.on((e) => events.push(e));
  liar = hub.createNetwork("liar");
  await liar.handle(client.witnesses.protocol, (req) => lie(req), { maxRequestBytes: 1 << 16, maxResponseBytes: 8 << 20 });
  await client.o.network.connect("/memory/server");
  await client.o.network.connect("/memory/liar");
  // A contract affirmed past its genesis state, with keys set.
  const affirmed = Object.entries(client.chain.getAffirmedRoots()).filter(([, a]) => a.position > 0);
  expect(affirmed.length).toBeGreaterThan(0);
  [contract, { position }] = affirmed[0] as [string, { position: number }];
  const kv = server.chain.views.frontier(contract).snaps[position]?.kv as MerkleKV;
  present = [...kv.entries()].slice(0, 3).map(([k]) => k);
  expect(present.length).toBeGreaterThan(1);
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await n.stop();
  for (const s of stores) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<{ code: string; data: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (isXshardError(e)) return { code: e.code, data: e.data as Record<string, unknown> };
    throw e;
  }
  throw new Error("expected a failure");
}

describe("witnesses over request/response", () => {
  it("serves keys of an affirmed state with a proof the requester checks against its own root", async () => {
    const absent = sha256("no such key");
    const got = await client.witnesses.fetch(contract, [...present, absent], { peers: ["server"] });
    const kv = server.chain.views.frontier(contract).snaps[position]?.kv as MerkleKV;
    expect(got.from).toBe("server");
    expect(got.position).toBe(position);
    expect(toHex(got.root)).toBe(client.chain.getAffirmedRoots()[contract]?.root);
    expect(got.values.slice(0, present.length).map((v) => v && toHex(v))).toEqual(present.map((k) => toHex(kv.get(k) as Uint8Array)));
    expect(got.values[present.length]).toBeUndefined();
    // The genesis state (position 0) too, and the node's own proof agrees.
    const g = await client.witnesses.fetch(contract, present, { position: 0, peers: ["server"] });
    expect(g.values).toEqual(client.witnesses.proveLocal(contract, present, 0).values);
    expect(client.o.network.getPeerScore("server")).toBe(0);
    // `get`: from the node's own views when it holds the state (the server), else from a peer (the
    // client, which has not executed anything).
    expect((await server.witnesses.get(contract, present)).from).toBe("local");
    expect((await client.witnesses.get(contract, present)).from).toBe("server");
  });

  it("refuses forged, malformed and incomplete witnesses and scores the peer down", async () => {
    const kv = server.chain.views.frontier(contract).snaps[position]?.kv as MerkleKV;
    const cases: [string, (req: Uint8Array) => Uint8Array][] = [
      // A proof of another state: one value changed.
      ["BAD_PROOF", (req) => encodeWitness(kv.applyWrites(new Map([[toHex(present[0] as Uint8Array), new Uint8Array([9, 9, 9])]])).prove(WitnessRequest.deserialize(req).keys))],
      ["MALFORMED_WITNESS", () => new Uint8Array([7, 0, 0])],
      // A true proof that covers only the first key.
      ["MISSING_WITNESS", () => encodeWitness(kv.prove([present[0] as Uint8Array]))],
    ];
    for (const [rule, forge] of cases) {
      lie = forge;
      const before = client.o.network.getPeerScore("liar");
      const f = await failure(client.witnesses.fetch(contract, present, { peers: ["liar"] }));
      expect(f.code).toBe("BAD_WITNESS");
      expect(f.data.rule).toBe(rule);
      expect(client.o.network.getPeerScore("liar")).toBeLessThan(before);
      expect(events.some((e) => e.type === "response:reject" && e.from === "liar" && e.rule === rule)).toBe(true);
    }
    // An honest peer after a liar: the answer comes from the honest one.
    lie = () => new Uint8Array([1]);
    const got = await client.witnesses.fetch(contract, present, { peers: ["liar", "server"] });
    expect(got.from).toBe("server");
  });

  it("checks requests on both sides", async () => {
    expect((await failure(client.witnesses.fetch(contract, present, { position: position + 1000 }))).code).toBe("WITNESS_NOT_AFFIRMED");
    expect((await failure(client.witnesses.fetch("no-such-contract", present))).code).toBe("WITNESS_UNKNOWN_CONTRACT");
    expect((await failure(client.witnesses.fetch(contract, []))).code).toBe("BAD_WITNESS_REQUEST");
    // The server refuses garbage and a root it does not hold (an error answer: no witness, no blame).
    const garbage = await failure(client.o.network.request("server", client.witnesses.protocol, new Uint8Array([1, 2, 3]), { maxRequestBytes: 1 << 16, maxResponseBytes: 8 << 20 }));
    expect(garbage.code).toBe("NET_REQUEST_FAILED");
    const wrongRoot = WitnessRequest.serialize({ contract: new TextEncoder().encode(contract), position, root: new Uint8Array(32), keys: present });
    const w = await failure(client.o.network.request("server", client.witnesses.protocol, wrongRoot, { maxRequestBytes: 1 << 16, maxResponseBytes: 8 << 20 }));
    expect(w.code).toBe("NET_REQUEST_FAILED");
    expect(JSON.stringify(w)).toMatch(/WITNESS_ROOT_MISMATCH/);
  });
});
