/**
 * The agreed state's head slots in a node's chain snapshot (docs/node.md "A restart within a
 * slot"): written with the state and read back equal to the snapshot's heads; a snapshot written
 * before the state kept them (no `stage1Slot`, `stage2Number`, `stage2Slot`) is read with them
 * taken from its heads; a snapshot whose state's slots are not its heads' is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "../../src/crypto/hash.js";
import { SlotClock, type TimeSource } from "../../src/node/clock.js";
import { MemoryHub } from "../../src/node/net/memory.js";
import { XshardNode } from "../../src/node/node.js";
import { mergeChains } from "../../src/node/order.js";
import { checkSnapshot, decodeSnapshot, encodeSnapshot, isQuiescent } from "../../src/node/snapshot.js";
import { NodeStore } from "../../src/node/store/store.js";
import { decodeStage2Block } from "../../src/node/wire.js";
import { produceChain, type ChainFixture } from "./chainFixture.js";

const FROZEN: TimeSource = { now: () => 0, setTimer: () => 0, clearTimer: () => undefined };
const dir = mkdtempSync(join(tmpdir(), "xshard-snapslots-"));
let fx: ChainFixture;
let store: NodeStore;
let node: XshardNode;
let snapshot: Uint8Array;

beforeAll(async () => {
  fx = await produceChain({ slots: 8, slotMs: 500, seed: "snapslots" });
  store = NodeStore.open({ path: join(dir, "s") });
  node = new XshardNode({ genesis: fx.genesis, keys: [], network: new MemoryHub().createNetwork("r"), store, clock: new SlotClock({ genesisTimeMs: fx.genesis.genesisTimeMs, slotMs: fx.genesis.slotMs }, FROZEN) });
  await node.start();
  for (const it of mergeChains(fx.stage1, fx.stage2)) {
    if (it.chain === "stage1") node.importStage1(it.block, it.bytes);
    else node.importStage2(decodeStage2Block(it.bytes), it.bytes);
  }
  // What its next slot would execute (a node that only imported executed nothing): then quiescent.
  node.chain.executeRound(node.chain.stage1.slot + 1);
  if (!isQuiescent(node.chain)) throw new Error("the imported chain is not quiescent");
  snapshot = encodeSnapshot(node.chain, []);
}, 120_000);

afterAll(async () => {
  await node.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `bytes` with its payload edited (and hashed again, as a snapshot of that content would be). */
function edit(bytes: Uint8Array, change: (state: Record<string, unknown>) => void): Uint8Array {
  const doc = JSON.parse(new TextDecoder().decode(bytes.subarray(33))) as { state: Record<string, unknown> };
  change(doc.state);
  const body = new TextEncoder().encode(JSON.stringify(doc));
  const out = new Uint8Array(33 + body.length);
  out[0] = bytes[0] as number;
  out.set(sha256(body), 1);
  out.set(body, 33);
  return out;
}

describe("head slots in the chain snapshot", () => {
  it("written with the state and read back equal to the snapshot's heads", () => {
    const { chain } = decodeSnapshot(snapshot, fx.genesis, store);
    expect(chain.stage1.slot).toBeGreaterThan(0);
    expect([chain.state.stage1Slot, chain.state.stage2Slot]).toEqual([chain.stage1.slot, chain.stage2.slot]);
    expect(chain.state.stage2Number).toBe(chain.stage2.height === 0 ? -1 : chain.stage2Blocks[chain.stage2.height - 1]?.header.number);
    checkSnapshot(chain, store);
  });

  it("a snapshot without them (written before) takes them from its heads; one whose state's slots are not its heads' is refused", () => {
    const bytes = snapshot;
    const legacy = edit(bytes, (s) => {
      delete s["stage1Slot"];
      delete s["stage2Number"];
      delete s["stage2Slot"];
    });
    const { chain } = decodeSnapshot(legacy, fx.genesis, store);
    expect([chain.state.stage1Slot, chain.state.stage2Number, chain.state.stage2Slot]).toEqual([chain.stage1.slot, chain.stage2.slot, chain.stage2.slot]);
    checkSnapshot(chain, store);
    const wrong = decodeSnapshot(edit(bytes, (s) => (s["stage1Slot"] = (s["stage1Slot"] as number) - 1)), fx.genesis, store).chain;
    expect(() => checkSnapshot(wrong, store)).toThrow(expect.objectContaining({ code: "BAD_SNAPSHOT", message: expect.stringContaining("head slots") }));
  });
});
