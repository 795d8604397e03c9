#!/usr/bin/env node
/**
 * Cost of putting late Stage-2 blocks in their canonical place (docs/node.md, "Import order"). Two steps:
 *
 *   node bench/node-reorder.mjs make --slots 24 --out /tmp/chain.json   # one in-process node makes a chain
 *   node bench/node-reorder.mjs feed --chain /tmp/chain.json --mode canonical|inplace|replay
 *
 * `make`: one node holding every key (memory network, 500 ms slots, the exchange workload) runs
 * `--slots` slots; both chains' block bytes are written as hex. `feed`: a fresh node (clock stopped)
 * imports them — `canonical`: in the canonical order (no reorder); `inplace` and `replay`: each
 * Stage-2 block just after the Stage-1 block that follows its base (one block late, the race a
 * live node meets), with the default reorder window (put in place over the recent Stage-1 blocks)
 * or window 0 (a replay from genesis each time).
 * Prints one JSON line: {mode, stage1, stage2, reorders, replays, cpuUserMs, cpuSystemMs, wallMs}.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { SlotClock } from "../dist/node/clock.js";
import { createDevnetFiles } from "../dist/node/devnet.js";
import { parseDevnetGenesis, parseKeyFile } from "../dist/node/genesis.js";
import { MemoryHub } from "../dist/node/net/memory.js";
import { XshardNode } from "../dist/node/node.js";
import { mergeChains } from "../dist/node/order.js";
import { NodeStore } from "../dist/node/store/store.js";
import { getWorkload } from "../dist/workloads/index.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { slots: { type: "string", default: "24" }, out: { type: "string" }, chain: { type: "string" }, mode: { type: "string", default: "inplace" } } });
const hex = (b) => Buffer.from(b).toString("hex");
const unhex = (s) => new Uint8Array(Buffer.from(s, "hex"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function make() {
  const slots = Number(values.slots);
  const seed = "reorder-bench";
  const w = getWorkload("exchange").generate({ pools: 2, accounts: 32, slots: Math.max(1, slots - 4), rate: 4 }, seed);
  const files = createDevnetFiles({ nodes: 1, validators: 8, committees: 2, slotMs: 500, seed, genesisTimeMs: Date.now() + 300, genesis: w.genesis });
  const genesisDoc = JSON.parse(JSON.stringify(files.genesisDoc));
  const genesis = parseDevnetGenesis(genesisDoc);
  const dir = mkdtempSync(join(tmpdir(), "xshard-reorder-bench-"));
  const store = NodeStore.open({ path: join(dir, "s") });
  const node = new XshardNode({ genesis, keys: parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[0])), genesis), network: new MemoryHub().createNetwork("solo"), store, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }) });
  await node.start();
  let last = -1;
  while (node.o.clock.getCurrentSlot() < slots) {
    const now = node.o.clock.getCurrentSlot();
    for (let s = last + 1; s <= now; s++) for (const sub of w.submissions.filter((x) => x.slot === s)) node.addTransaction(sub.tx);
    last = now;
    await sleep(20);
  }
  await node.stop();
  const heads = store.getHeads();
  const s1 = store.getBlockRange("stage1", 1, (heads.stage1?.number ?? 0) + 1).map((b) => hex(b.bytes));
  const s2 = store.getBlockRange("stage2", 1, (heads.stage2?.number ?? 0) + 1).map((b) => hex(b.bytes));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(values.out, JSON.stringify({ genesis: genesisDoc, stage1: s1, stage2: s2 }));
  console.log(JSON.stringify({ stage1: s1.length, stage2: s2.length, out: values.out }));
}

async function feed() {
  const doc = JSON.parse(readFileSync(values.chain, "utf8"));
  const genesis = parseDevnetGenesis(doc.genesis);
  const s1 = doc.stage1.map(unhex);
  const s2 = doc.stage2.map(unhex);
  const dir = mkdtempSync(join(tmpdir(), "xshard-reorder-bench-"));
  const store = NodeStore.open({ path: join(dir, "s") });
  const frozen = { now: () => 0, setTimer: () => 0, clearTimer: () => undefined };
  const mode = values.mode;
  const node = new XshardNode({ genesis, keys: [], network: new MemoryHub().createNetwork("f"), store, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }, frozen), reorderWindow: mode === "replay" ? 0 : 16 });
  // late: each Stage-2 block arrives just after the Stage-1 block that follows its base (the race a live node meets).
  const items = [];
  let held = [];
  for (const it of mergeChains(s1, s2)) {
    if (mode !== "canonical" && it.chain === "stage2") held.push(it);
    else {
      items.push(it, ...held);
      held = [];
    }
  }
  items.push(...held);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const it of items) {
    if (it.chain === "stage1") node.importStage1(it.block, it.bytes);
    else node.importStage2(it.block, it.bytes);
  }
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ mode, stage1: s1.length, stage2: s2.length, reorders: node.reorders, replays: node.replays, cpuUserMs: Math.round(cpu.user / 1000), cpuSystemMs: Math.round(cpu.system / 1000), wallMs: Math.round(wallMs) }));
}

if (positionals[0] === "make") await make();
else if (positionals[0] === "feed") await feed();
else throw new Error("usage: node bench/node-reorder.mjs make|feed …");
