/**
 * Same-slot import order (issue 13): a Stage-2 block is applied right after the Stage-1 height it
 * was built on, whatever order gossip delivers blocks in. One in-process node makes a short chain
 * (`chainFixture.ts`); two fresh nodes on the memory network are fed its blocks by gossip, one in
 * the canonical order, the other with every Stage-1 block before any Stage-2 block (each Stage-2
 * block then arrives after the Stage-1 block that followed its base). Both must apply the blocks in
 * one order (the same order digest), reach the same state — whether a late Stage-2 block is put in
 * place over the recent Stage-1 blocks or by a replay from genesis — and a restart from the second
 * one's store must replay to the same.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../src/crypto/hash.js";
import { delayedStateToJson } from "../../src/protocols/delayed/json.js";
import { SlotClock, type TimeSource } from "../../src/node/clock.js";
import { MemoryHub, type MemoryNetwork } from "../../src/node/net/memory.js";
import { computeTopic } from "../../src/node/net/topics.js";
import { XshardNode } from "../../src/node/node.js";
import { mergeChains, rebuildWithStage2 } from "../../src/node/order.js";
import { NodeStore } from "../../src/node/store/store.js";
import { decodeStage2Block, MSG_BLOCK, tagMessage } from "../../src/node/wire.js";
import { produceChain, type ChainFixture } from "./chainFixture.js";

/** A clock stopped long before genesis: the nodes only import what they are fed. */
const FROZEN: TimeSource = { now: () => 0, setTimer: () => 0, clearTimer: () => undefined };

let fx: ChainFixture;
const dir = mkdtempSync(join(tmpdir(), "xshard-order-"));
const open: { node: XshardNode; store: NodeStore }[] = [];

async function startNode(name: string, reorderWindow?: number): Promise<{ node: XshardNode; store: NodeStore; feed: MemoryNetwork }> {
  const hub = new MemoryHub();
  const network = hub.createNetwork(name);
  const store = NodeStore.open({ path: join(dir, name) });
  const node = new XshardNode({ genesis: fx.genesis, keys: [], network, store, clock: new SlotClock({ genesisTimeMs: fx.genesis.genesisTimeMs, slotMs: fx.genesis.slotMs }, FROZEN), ...(reorderWindow === undefined ? {} : { reorderWindow }) });
  await node.start();
  open.push({ node, store });
  const feed = hub.createNetwork(`${name}-feed`);
  await feed.connect(`/memory/${name}`);
  for (const kind of ["stage1_block", "stage2_block"] as const) feed.subscribe(computeTopic(node.netId, kind), { validate: () => ({ kind: "accept" }) });
  return { node, store, feed };
}

/** Gossips the blocks in `items` one by one, each once the previous one was handled. */
async function feedBlocks(n: { node: XshardNode; feed: MemoryNetwork }, items: readonly { chain: "stage1" | "stage2"; bytes: Uint8Array }[]): Promise<void> {
  for (const it of items) {
    const before = n.node.chain.orderDigest;
    await n.feed.publish(computeTopic(n.node.netId, it.chain === "stage1" ? "stage1_block" : "stage2_block"), tagMessage(MSG_BLOCK, it.bytes));
    for (let i = 0; i < 200 && n.node.chain.orderDigest === before; i++) await new Promise((r) => setTimeout(r, 5));
  }
}

function summary(node: XshardNode) {
  const c = node.chain;
  return {
    order: toHex(c.orderDigest),
    state: JSON.stringify(delayedStateToJson(c.state)),
    stage1: [c.stage1.height, toHex(c.stage1.root)],
    stage2: [c.stage2.height, toHex(c.stage2.root)],
    affirmed: c.getAffirmedRoots(),
    txs: c.records.map((r) => [toHex(r.txId), r.finalSlot ?? null, r.result?.status ?? null]),
  };
}

beforeAll(async () => {
  fx = await produceChain({ slots: 10, slotMs: 600, seed: "order" });
}, 120_000);

afterAll(async () => {
  for (const o of open) {
    await o.node.stop();
    await o.store.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("same-slot import order", () => {
  it("applies a Stage-2 block right after its Stage-1 base whatever the delivery order", async () => {
    // The fixture must hold the case: a Stage-2 block with content, built on a Stage-1 height that has a successor.
    const late = fx.stage2.map(decodeStage2Block).filter((b) => b.stage1Height < fx.stage1.length && b.inclusions.length > 0);
    expect(late.length).toBeGreaterThan(0);

    const canonical = mergeChains(fx.stage1, fx.stage2);
    const a = await startNode("a");
    await feedBlocks(a, canonical);
    const stage1First = [...fx.stage1.map((bytes) => ({ chain: "stage1" as const, bytes })), ...fx.stage2.map((bytes) => ({ chain: "stage2" as const, bytes }))];
    // b puts each late Stage-2 block in place over the recent Stage-1 blocks; r replays from genesis.
    const b = await startNode("b");
    await feedBlocks(b, stage1First.slice(0, fx.stage1.length));
    // A proposal built on an earlier Stage-1 height is checked on the state of its canonical place.
    const first = decodeStage2Block(fx.stage2[0] as Uint8Array);
    expect(toHex(b.node.chain.getStateAtStage1(first.stage1Height)?.stage1Root ?? new Uint8Array(0))).toBe(toHex(first.stage1Root));
    await feedBlocks(b, stage1First.slice(fx.stage1.length));
    const r = await startNode("r", 0);
    await feedBlocks(r, stage1First);

    expect(a.node.chain.stage1.height).toBe(fx.stage1.length);
    expect(a.node.chain.stage2.height).toBe(fx.stage2.length);
    expect(a.node.reorders).toBe(0);
    expect(b.node.reorders).toBeGreaterThan(0);
    expect(b.node.replays).toBe(0);
    expect(r.node.replays).toBe(r.node.reorders);
    expect(r.node.reorders).toBe(b.node.reorders);
    expect(summary(b.node)).toEqual(summary(a.node));
    expect(summary(r.node)).toEqual(summary(a.node));
    expect(b.node.chain.records.some((r) => r.finalSlot !== undefined)).toBe(true);

    // The second node's store replays (on restart) to the same chain, in the same order.
    await b.node.stop();
    const c = new XshardNode({ ...b.node.o, clock: new SlotClock({ genesisTimeMs: fx.genesis.genesisTimeMs, slotMs: fx.genesis.slotMs }, FROZEN), network: new MemoryHub().createNetwork("c") });
    await c.start();
    open.push({ node: c, store: b.store });
    expect(summary(c)).toEqual(summary(a.node));
  }, 120_000);

  it("refuses to replay a Stage-2 block whose Stage-1 base the store lacks", async () => {
    const store = NodeStore.open({ path: join(dir, "refuse") });
    open.push({ node: new XshardNode({ genesis: fx.genesis, keys: [], network: new MemoryHub().createNetwork("r"), store, clock: new SlotClock({ genesisTimeMs: fx.genesis.genesisTimeMs, slotMs: fx.genesis.slotMs }, FROZEN) }), store });
    // An empty store: the first Stage-2 block's base (a Stage-1 height ≥ 1) is not there.
    expect(() => rebuildWithStage2(fx.genesis, store, fx.stage2[0] as Uint8Array)).toThrow(/STAGE1_BEHIND|Stage-1 height/);
  });
});
