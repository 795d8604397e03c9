/**
 * Chain snapshots (docs/node.md "Store and restart"): a solo node (every key, memory network, real
 * clock, short slots) runs the `exchange` workload and writes a snapshot at a quiescent point;
 * stopped, it restarts from the snapshot and runs a second batch of transactions on top of it.
 * Then its store is opened by fresh nodes (clocks stopped: they only resume): one resumes from the
 * store's snapshot, one whose snapshot was corrupted (a byte of the payload, the version, a torn
 * write, a snapshot of another point) falls back to a replay from genesis. Heads, order digest,
 * agreed state, affirmed roots, transaction records and light-client proofs are the same whichever
 * way the chain was resumed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { delayedStateToJson } from "../../src/protocols/delayed/json.js";
import { NodeApiBackend } from "../../src/node/backend.js";
import { SlotClock, type TimeSource } from "../../src/node/clock.js";
import { createDevnetFiles } from "../../src/node/devnet.js";
import { parseDevnetGenesis, parseKeyFile, type DevnetGenesis, type NodeKey } from "../../src/node/genesis.js";
import { MemoryHub } from "../../src/node/net/memory.js";
import { XshardNode } from "../../src/node/node.js";
import { encodeTxResult } from "../../src/node/results.js";
import { decodeSnapshot, isQuiescent } from "../../src/node/snapshot.js";
import { NodeStore } from "../../src/node/store/store.js";
import { getWorkload } from "../../src/workloads/index.js";
import type { SignedTx } from "../../src/program/index.js";

const FROZEN: TimeSource = { now: () => 0, setTimer: () => 0, clearTimer: () => undefined };
const dir = mkdtempSync(join(tmpdir(), "xshard-snapshot-"));
let genesis: DevnetGenesis;
let keys: NodeKey[];
let txs: { slot: number; tx: SignedTx }[];
const liveLogs: string[][] = [];

/** Runs a live solo node on `path` until `until(node)` holds (at most `maxSlots` slots), submitting `subs` at their slots from `from`. */
async function runLive(path: string, subs: readonly { slot: number; tx: SignedTx }[], until: (n: XshardNode) => boolean, maxSlots: number): Promise<void> {
  const store = NodeStore.open({ path });
  const logs: string[] = [];
  liveLogs.push(logs);
  const node = new XshardNode({ genesis, keys, network: new MemoryHub().createNetwork("solo"), store, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }), snapshotEvery: 1, log: (l) => logs.push(l) });
  await node.start();
  const start = Math.max(0, node.o.clock.getCurrentSlot());
  const sent = new Set<number>();
  try {
    while (node.o.clock.getCurrentSlot() < start + maxSlots && !until(node)) {
      const now = node.o.clock.getCurrentSlot() - start;
      subs.forEach((s, i) => {
        if (s.slot <= now && !sent.has(i)) {
          sent.add(i);
          node.addTransaction(s.tx);
        }
      });
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await node.stop();
    await store.close();
  }
}

/** A node on `path` that only resumes from its store (clock stopped). */
async function resume(path: string): Promise<{ node: XshardNode; logs: string[]; close: () => Promise<void> }> {
  const store = NodeStore.open({ path });
  const logs: string[] = [];
  const node = new XshardNode({ genesis, keys: [], network: new MemoryHub().createNetwork("r"), store, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }, FROZEN), log: (l) => logs.push(l) });
  await node.start();
  // What its first slot duty would do: execute what it imported (a replay from genesis executes nothing before it).
  node.chain.executeRound(node.chain.stage1.slot + 1);
  return { node, logs, close: async () => (await node.stop(), await store.close()) };
}

function summary(node: XshardNode) {
  const c = node.chain;
  const api = new NodeApiBackend(node);
  return {
    order: toHex(c.orderDigest),
    state: JSON.stringify(delayedStateToJson(c.state)),
    stage1: [c.stage1.height, c.stage1.slot, toHex(c.stage1.root)],
    stage2: [c.stage2.height, c.stage2.slot, toHex(c.stage2.root)],
    stage1Roots: c.stage1Roots.map(toHex),
    affirmed: c.getAffirmedRoots(),
    records: c.records.map((r) => new TextDecoder().decode(encodeTxResult(r))),
    proofs: c.records.map((r) => JSON.stringify(api.getTransactionProof(r.txId) ?? null)),
    slashings: node.evidence.slashings,
  };
}

/** The store at `from` copied to `to` with its snapshot replaced by `edit(snapshot)`. */
function copyWithSnapshot(from: string, to: string, edit: (b: Uint8Array) => Uint8Array): void {
  cpSync(from, to, { recursive: true });
  const s = NodeStore.open({ path: to });
  const bytes = s.getSnapshot() as Uint8Array;
  s.processBatch((b) => b.putSnapshot(edit(bytes)));
  void s.close();
}

const live = join(dir, "live");

beforeAll(async () => {
  const w = getWorkload("exchange").generate({ pools: 2, accounts: 16, slots: 8, rate: 3 }, "snapshot");
  const files = createDevnetFiles({ nodes: 1, validators: 8, committees: 2, slotMs: 600, seed: "snapshot", genesisTimeMs: Date.now() + 200, genesis: w.genesis });
  genesis = parseDevnetGenesis(JSON.parse(JSON.stringify(files.genesisDoc)));
  keys = parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[0])), genesis);
  txs = w.submissions.map((s) => ({ slot: s.slot, tx: s.tx }));
  const half = Math.floor(txs.length / 2);
  // Phase 1: the first half, until everything is final and a snapshot was written with it.
  const finalAll = (n: XshardNode) => n.chain.records.length === half && isQuiescent(n.chain) && n.snapshots.written > 0;
  await runLive(live, txs.slice(0, half), finalAll, 60);
  // Phase 2: restarted from that snapshot, the second half on top, run until it is all final again.
  const rest = txs.slice(half).map((s, i) => ({ slot: Math.floor(i / 3), tx: s.tx }));
  await runLive(live, rest, (n) => n.chain.records.length === txs.length && n.chain.records.every((r) => r.finalSlot !== undefined), 60);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("chain snapshots", () => {
  it("the live node restarted from its snapshot and went on from it", () => {
    expect(liveLogs[0]?.some((l) => l.startsWith("snapshot"))).toBe(false); // a fresh store: no snapshot
    expect(liveLogs[1]?.some((l) => /^snapshot at heights \d+\/\d+ checked against the store: resuming from it$/.test(l))).toBe(true);
  });

  it("a restart from the snapshot equals a replay from genesis (heads, order, state, records, proofs)", async () => {
    const snap = await resume(live);
    const resumed = summary(snap.node);
    const restored = snap.logs.find((l) => l.startsWith("snapshot at heights"));
    expect(restored).toBeDefined();
    await snap.close();
    // The snapshot covers part of the chain: the replay after it imported fewer blocks than the store holds.
    const replayedAfter = Number(/resumed from the store: (\d+) blocks/.exec(snap.logs.join("\n"))?.[1] ?? -1);
    expect(replayedAfter).toBeLessThan(resumed.stage1[0] as number + (resumed.stage2[0] as number));

    const full = join(dir, "full");
    copyWithSnapshot(live, full, (b) => {
      const c = b.slice();
      c[c.length - 2] = (c[c.length - 2] as number) ^ 1; // one byte of the payload
      return c;
    });
    const replay = await resume(full);
    expect(replay.logs.some((l) => l.startsWith("snapshot refused (BAD_SNAPSHOT") && l.endsWith("replaying from genesis"))).toBe(true);
    expect(summary(replay.node)).toEqual(resumed);
    expect(resumed.records.filter((r) => r.includes('"final"')).length).toBe(txs.length);
    await replay.close();
  }, 120_000);

  it("refuses a torn, old-version or misplaced snapshot and replays from genesis", async () => {
    const base = await resume(live);
    const expected = summary(base.node);
    await base.close();
    const cases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
      ["torn", (b) => b.slice(0, Math.floor(b.length / 2)), /hash/],
      ["version", (b) => {
        const c = b.slice();
        c[0] = 99;
        return c;
      }, /version 99/],
      ["empty", () => new Uint8Array(0), /torn/],
    ];
    for (const [name, edit, why] of cases) {
      const path = join(dir, name);
      copyWithSnapshot(live, path, edit);
      const r = await resume(path);
      const line = r.logs.find((l) => l.startsWith("snapshot refused"));
      expect(line, name).toMatch(why);
      expect(summary(r.node), name).toEqual(expected);
      await r.close();
    }
  }, 120_000);

  it("refuses a snapshot that does not match the stored chain", async () => {
    // A well-formed snapshot (right hash) of a chain whose order digest differs from the store's.
    const path = join(dir, "digest");
    const st = NodeStore.open({ path: live, readOnly: true });
    const chain = decodeSnapshot(st.getSnapshot() as Uint8Array, genesis, st).chain;
    await st.close();
    copyWithSnapshot(live, path, (b) => {
      expect(isQuiescent(chain)).toBe(true);
      const doc = JSON.parse(new TextDecoder().decode(b.subarray(33))) as { orderDigest: string };
      doc.orderDigest = `0x${"11".repeat(32)}`;
      const body = new TextEncoder().encode(JSON.stringify(doc));
      const out = new Uint8Array(33 + body.length);
      out.set([1, ...sha256(body)]);
      out.set(body, 33);
      return out;
    });
    const r = await resume(path);
    expect(r.logs.find((l) => l.startsWith("snapshot refused"))).toMatch(/order digest/);
    expect(r.node.chain.stage1.height).toBeGreaterThan(0);
    await r.close();
  }, 120_000);
});
