#!/usr/bin/env node
/**
 * Restart time of a node: a replay of its store from genesis vs a resume from its latest chain
 * snapshot (docs/node.md "Store and restart"). Three steps:
 *
 *   node bench/node-restart.mjs make --slots 40 --dir /tmp/rs40      # one node makes a chain, keeps its store
 *   node bench/node-restart.mjs once --dir /tmp/rs40 --mode snapshot  # one restart, one JSON line
 *   node bench/node-restart.mjs pairs --dir /tmp/rs40 --reps 5 [--modes replay0,replay,snapshot]  # interleaved, medians
 *
 * `make`: one node holding every key (memory network, 500 ms slots, the exchange workload ending 6
 * slots before the end, default snapshot policy) runs `--slots` slots; its store stays in `--dir`.
 * `once`: the store is copied, then a fresh node (clock stopped) is started on the copy and the CPU
 * time of `start()` — the resume — is measured. Modes: `snapshot` (the store as written);
 * `replay` (its snapshot replaced by an empty one, refused: a replay from genesis that writes
 * snapshots as it goes, as the new code does); `replay0` (the same with `snapshotEvery: 0`: the
 * replay as it was before snapshots). `pairs`: child processes, modes interleaved per repetition.
 */
import { cpSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { SlotClock } from "../dist/node/clock.js";
import { createDevnetFiles } from "../dist/node/devnet.js";
import { parseDevnetGenesis, parseKeyFile } from "../dist/node/genesis.js";
import { MemoryHub } from "../dist/node/net/memory.js";
import { XshardNode } from "../dist/node/node.js";
import { NodeStore } from "../dist/node/store/store.js";
import { getWorkload } from "../dist/workloads/index.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { slots: { type: "string", default: "40" }, dir: { type: "string" }, mode: { type: "string", default: "snapshot" }, reps: { type: "string", default: "5" }, modes: { type: "string", default: "replay0,replay,snapshot" } } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const frozen = { now: () => 0, setTimer: () => 0, clearTimer: () => undefined };

async function make() {
  const slots = Number(values.slots);
  const seed = "restart-bench";
  const w = getWorkload("exchange").generate({ pools: 2, accounts: 32, slots: Math.max(1, slots - 6), rate: 4 }, seed);
  const files = createDevnetFiles({ nodes: 1, validators: 8, committees: 2, slotMs: 500, seed, genesisTimeMs: Date.now() + 300, genesis: w.genesis });
  const genesisDoc = JSON.parse(JSON.stringify(files.genesisDoc));
  const genesis = parseDevnetGenesis(genesisDoc);
  writeFileSync(join(values.dir, "genesis.json"), JSON.stringify(genesisDoc));
  const store = NodeStore.open({ path: join(values.dir, "store") });
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
  const c = node.chain;
  const snapshot = store.getSnapshot();
  await store.close();
  console.log(JSON.stringify({ stage1: c.stage1.height, stage2: c.stage2.height, txs: c.records.length, final: c.records.filter((r) => r.finalSlot !== undefined).length, snapshotsWritten: node.snapshots.written, snapshotBytes: snapshot?.length ?? 0 }));
}

async function once() {
  const genesis = parseDevnetGenesis(JSON.parse(readFileSync(join(values.dir, "genesis.json"), "utf8")));
  const tmp = mkdtempSync(join(tmpdir(), "xshard-restart-bench-"));
  cpSync(join(values.dir, "store"), join(tmp, "store"), { recursive: true });
  const store = NodeStore.open({ path: join(tmp, "store") });
  const mode = values.mode;
  if (mode !== "snapshot") store.processBatch((b) => b.putSnapshot(new Uint8Array(0)));
  const logs = [];
  const node = new XshardNode({ genesis, keys: [], network: new MemoryHub().createNetwork("r"), store, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }, frozen), log: (l) => logs.push(l), ...(mode === "replay0" ? { snapshotEvery: 0 } : {}) });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await node.start();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  await node.stop();
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
  const replayed = Number(/resumed from the store: (\d+) blocks/.exec(logs.join("\n"))?.[1] ?? -1);
  const c = node.chain;
  console.log(JSON.stringify({ mode, stage1: c.stage1.height, stage2: c.stage2.height, replayed, fromSnapshot: logs.some((l) => l.includes("resuming from it")), cpuMs: Math.round((cpu.user + cpu.system) / 1000), wallMs: Math.round(wallMs) }));
}

function pairs() {
  const reps = Number(values.reps);
  const modes = values.modes.split(",");
  const runs = Object.fromEntries(modes.map((m) => [m, []]));
  for (let i = 0; i < reps; i++) {
    for (const mode of i % 2 === 0 ? modes : [...modes].reverse()) {
      const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, "once", "--dir", values.dir, "--mode", mode], { encoding: "utf8" });
      runs[mode].push(JSON.parse(out.trim().split("\n").pop()));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = Object.fromEntries(modes.map((m) => [m, { cpuMs: median(runs[m].map((r) => r.cpuMs)), wallMs: median(runs[m].map((r) => r.wallMs)), replayed: runs[m][0].replayed, fromSnapshot: runs[m][0].fromSnapshot, heads: `${runs[m][0].stage1}/${runs[m][0].stage2}` }]));
  console.log(JSON.stringify({ reps, loadavg: loadavg().map((x) => x.toFixed(1)), medians: summary, cpuMsByRun: Object.fromEntries(modes.map((m) => [m, runs[m].map((r) => r.cpuMs)])) }, null, 1));
}

if (positionals[0] === "make") await make();
else if (positionals[0] === "once") await once();
else if (positionals[0] === "pairs") pairs();
else throw new Error("usage: node bench/node-restart.mjs make|once|pairs …");
