/**
 * A short two-stage chain made by one in-process node holding every validator key (memory network,
 * real clock, short slots), with the `exchange` workload: the blocks of both chains as stored, for
 * tests that feed them to other nodes in chosen orders.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlotClock } from "../../src/node/clock.js";
import { createDevnetFiles } from "../../src/node/devnet.js";
import { parseDevnetGenesis, parseKeyFile, type DevnetGenesis } from "../../src/node/genesis.js";
import { MemoryHub } from "../../src/node/net/memory.js";
import { XshardNode } from "../../src/node/node.js";
import { NodeStore } from "../../src/node/store/store.js";
import { getWorkload } from "../../src/workloads/index.js";

export interface ChainFixture {
  readonly genesis: DevnetGenesis;
  readonly stage1: Uint8Array[];
  readonly stage2: Uint8Array[];
}

/** Runs at least `slots` slots, and on until two Stage-2 blocks include batches (30 slots more at most). */
export async function produceChain(o: { slots: number; slotMs: number; seed: string; committees?: number }): Promise<ChainFixture> {
  const w = getWorkload("exchange").generate({ pools: 2, accounts: 16, slots: Math.max(1, o.slots - 3), rate: 3 }, o.seed);
  const files = createDevnetFiles({ nodes: 1, validators: 8, committees: o.committees ?? 2, slotMs: o.slotMs, seed: o.seed, genesisTimeMs: Date.now() + 200, genesis: w.genesis });
  const genesis = parseDevnetGenesis(JSON.parse(JSON.stringify(files.genesisDoc)));
  const dir = mkdtempSync(join(tmpdir(), "xshard-chainfix-"));
  const store = NodeStore.open({ path: join(dir, "s") });
  const network = new MemoryHub().createNetwork("solo");
  const keys = parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[0])), genesis);
  const node = new XshardNode({ genesis, keys, network, store, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }) });
  const bySlot = new Map<number, typeof w.submissions>();
  for (const s of w.submissions) bySlot.set(s.slot, [...(bySlot.get(s.slot) ?? []), s]);
  await node.start();
  try {
    let last = -1;
    let until = o.slots + 30; // at most: a loaded machine misses slots
    let enough = false;
    while (node.o.clock.getCurrentSlot() < until) {
      // Enough once two Stage-2 blocks carry batches and two more slots have passed.
      if (!enough && node.o.clock.getCurrentSlot() >= o.slots && node.chain.stage2Blocks.filter((b) => b.inclusions.length > 0).length >= 2) {
        enough = true;
        until = node.o.clock.getCurrentSlot() + 2;
      }
      const now = node.o.clock.getCurrentSlot();
      for (let s = last + 1; s <= now; s++) for (const sub of bySlot.get(s) ?? []) node.addTransaction(sub.tx);
      last = now;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await node.stop();
  }
  const heads = store.getHeads();
  const stage1 = store.getBlockRange("stage1", 1, (heads.stage1?.number ?? 0) + 1).map((b) => b.bytes);
  const stage2 = store.getBlockRange("stage2", 1, (heads.stage2?.number ?? 0) + 1).map((b) => b.bytes);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { genesis, stage1, stage2 };
}
