/**
 * Stage-1 finality under forks (issue 13; docs/node.md "Finality under forks"). Four in-process
 * nodes on the memory network (16 validators, slot committees of 4), one manual clock: slots move
 * only when the test advances it, so every run delivers the same messages in the same slots.
 *
 * - Fork: B_s's final block and the attestation votes for it reach nobody but its proposer's
 *   node, so the proposer of s+1 builds on B_{s−1}. Before the skip rule (`safety.ts`) its
 *   committee attested that proposal too and both blocks were final (the netns fork); now it waits
 *   for a skip certificate of slot s that B_s's attesters never sign — every node's final chain
 *   only grows, and B_s stays final everywhere once delivered.
 * - Liveness: B_s reaches only half its committee (its proposal withheld from the other half), so
 *   neither B_s nor a skip certificate of s forms; the later slots still finalize (the escape).
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../src/crypto/hash.js";
import { Stage1Header } from "../../src/protocols/delayed/containers.js";
import { getStage1Committee, getStage1Proposer } from "../../src/protocols/delayed/stage1.js";
import { NodeChain } from "../../src/node/chain.js";
import { SlotClock } from "../../src/node/clock.js";
import { createDevnetFiles } from "../../src/node/devnet.js";
import { parseDevnetGenesis, parseKeyFile } from "../../src/node/genesis.js";
import { MemoryHub, type MemoryNetwork } from "../../src/node/net/memory.js";
import { computeTopic } from "../../src/node/net/topics.js";
import { XshardNode } from "../../src/node/node.js";
import { NodeStore } from "../../src/node/store/store.js";
import { decodeStage1Block, MSG_BLOCK, MSG_PROPOSAL, untagMessage, Vote, VOTE_KINDS } from "../../src/node/wire.js";
import { getWorkload } from "../../src/workloads/index.js";
import { ManualTime } from "./manualTime.js";

const SLOT_MS = 1000;
const GENESIS_MS = 1_000_000_000_000;
const N = 4;

type Filter = (topic: string, data: Uint8Array, to: number) => "deliver" | "hold" | "drop";

interface Net {
  readonly nodes: XshardNode[];
  readonly time: ManualTime;
  /** Node index of each validator. */
  readonly holder: Map<number, number>;
  readonly chain: NodeChain;
  /** Every final Stage-1 chain each node held (roots by height, hex), in order. */
  readonly history: string[][][];
  readonly logs: string[][];
  filter: Filter;
  release(): void;
  runTo(slot: number, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

const open: Net[] = [];
afterEach(async () => {
  for (const n of open.splice(0)) await n.stop();
});

async function settle(turns = 40): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

async function startNet(seed: string): Promise<Net> {
  const w = getWorkload("exchange").generate({ pools: 1, accounts: 4, slots: 1, rate: 1 }, seed);
  const files = createDevnetFiles({ nodes: N, validators: 16, committees: 4, slotMs: SLOT_MS, seed, genesisTimeMs: GENESIS_MS, genesis: w.genesis });
  const genesis = parseDevnetGenesis(JSON.parse(JSON.stringify(files.genesisDoc)));
  const time = new ManualTime(GENESIS_MS - 100);
  const hub = new MemoryHub();
  const dir = mkdtempSync(join(tmpdir(), "xshard-finality-"));
  const nodes: XshardNode[] = [];
  const stores: NodeStore[] = [];
  const holder = new Map<number, number>();
  const history: string[][][] = [];
  const logs: string[][] = [];
  const held: (() => void)[] = [];
  const net: Net = {
    nodes,
    time,
    holder,
    chain: new NodeChain(genesis),
    history,
    logs,
    filter: () => "deliver",
    release: () => held.splice(0).forEach((f) => f()),
    async runTo(slot, ms = 0) {
      const target = GENESIS_MS + slot * SLOT_MS + ms;
      while (time.t < target) {
        time.advance(Math.min(50, target - time.t));
        await settle();
      }
    },
    async stop() {
      for (const n of nodes) await n.stop();
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < N; i++) {
    const network: MemoryNetwork = hub.createNetwork(`n${i}`);
    const inner = network.processGossip.bind(network);
    network.processGossip = async (topic, data, from) => {
      const v = net.filter(topic, data, i);
      if (v === "hold") held.push(() => void inner(topic, data, from));
      else if (v === "deliver") await inner(topic, data, from);
    };
    const store = NodeStore.open({ path: join(dir, `n${i}`) });
    stores.push(store);
    const keys = parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[i])), genesis);
    for (const k of keys) holder.set(k.index, i);
    const log: string[] = [];
    logs.push(log);
    const node = new XshardNode({ genesis, keys, network, store, log: (l) => log.push(`${Math.floor((time.t - GENESIS_MS) / 10) / 100} ${l}`), clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }, time) });
    const h: string[][] = [];
    history.push(h);
    node.onHeads(() => h.push(node.chain.stage1Roots.map(toHex)));
    nodes.push(node);
  }
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) await hub.getNetwork(`n${i}`)?.connect(`/memory/n${j}`);
  for (const n of nodes) await n.start();
  open.push(net);
  return net;
}

function hashHeader(b: { header: Parameters<typeof Stage1Header.hashTreeRoot>[0] }): Uint8Array {
  return Stage1Header.hashTreeRoot(b.header);
}

/** Every (height, root) any node ever held final, and whether each node's final chain only grew. */
function audit(net: Net): { conflicts: string[]; shrank: number[] } {
  const byHeight = new Map<number, Set<string>>();
  const shrank: number[] = [];
  net.history.forEach((h, i) => {
    let prev: string[] = [];
    for (const snap of h) {
      if (!prev.every((r, k) => snap[k] === r)) shrank.push(i);
      snap.forEach((r, k) => (byHeight.get(k) ?? byHeight.set(k, new Set()).get(k))?.add(r));
      prev = snap;
    }
  });
  const conflicts = [...byHeight].filter(([, roots]) => roots.size > 1).map(([k, roots]) => `height ${k + 1}: ${[...roots].map((r) => r.slice(0, 8)).join(" vs ")}`);
  return { conflicts, shrank: [...new Set(shrank)] };
}

function membersOn(net: Net, slot: number, nodes: readonly number[]): number {
  return getStage1Committee(net.chain.state, slot).filter((v) => nodes.includes(net.holder.get(v.index) ?? -1)).length;
}

function proposerNode(net: Net, slot: number): number {
  return net.holder.get(getStage1Proposer(net.chain.state, slot)?.index ?? -1) ?? -1;
}

describe("Stage-1 finality under forks", () => {
  /** B_s's final block and its votes reach only its proposer's node until `releaseAt` (slot, ms). */
  async function forkScenario(seed: string, releaseAt: [number, number]) {
    const net = await startNet(seed);
    // s: B_s's proposer on node a, s+1's on another node, and a holding at most one member of
    // committee s+1 (so the other nodes alone could attest the proposal of s+1 — the old fork).
    let s = 3;
    while (!(proposerNode(net, s) !== proposerNode(net, s + 1) && membersOn(net, s + 1, [proposerNode(net, s)]) <= 1)) s++;
    const a = proposerNode(net, s);
    const topic1 = computeTopic(net.nodes[0]?.netId ?? "", "stage1_block");
    const att = computeTopic(net.nodes[0]?.netId ?? "", "attestation");
    let rootS: string | undefined;
    let forked = false; // the proposal of s+1 was built without B_s
    net.filter = (topic, data, to) => {
      if (topic === topic1) {
        const { tag, bytes } = untagMessage(data);
        const b = decodeStage1Block(bytes);
        if (b.header.slot === s + 1 && tag === MSG_PROPOSAL && rootS !== undefined && toHex(b.header.parentRoot) !== rootS) forked = true;
        if (b.header.slot !== s) return "deliver";
        if (tag === MSG_PROPOSAL) rootS ??= toHex(hashHeader(b));
        return tag === MSG_BLOCK && to !== a ? "hold" : "deliver";
      }
      if (topic === att && rootS !== undefined && to !== a) {
        const v = Vote.deserialize(data);
        if (v.kind === VOTE_KINDS.stage1 && toHex(v.root) === rootS) return "hold";
      }
      return "deliver";
    };
    await net.runTo(s + releaseAt[0], releaseAt[1]);
    net.release();
    await net.runTo(s + 8);
    expect(rootS).toBeDefined();
    expect(forked).toBe(true);
    // B_s was final on its proposer's node before anyone else had it.
    expect(net.history[a]?.some((snap) => snap[snap.length - 1] === rootS)).toBe(true);
    return { net, s, rootS: rootS as string };
  }

  it("a proposal built without the final block of the previous slot does not become final too", async () => {
    // B_s withheld from the others for most of two slots (until 0.9 into slot s+1; the escape is at s+2).
    const { net, s, rootS } = await forkScenario("finality-fork", [1, 900]);
    const { conflicts, shrank } = audit(net);
    expect(conflicts).toEqual([]);
    expect(shrank).toEqual([]);
    // Everyone ends on one chain that holds B_s and went on after it.
    for (const n of net.nodes) expect(n.chain.stage1Roots.map(toHex)).toContain(rootS);
    for (const n of net.nodes) expect(n.chain.stage1.slot).toBeGreaterThan(s + 1);
    expect(net.nodes.map((n) => n.finalReverts.stage1)).toEqual([0, 0, 0, 0]);
  }, 120_000);

  it("past the escape a withheld final block can be forked away: the rebuild logs and counts it", async () => {
    // B_s withheld until slot s+3: the proposal of s+1 is attested by the escape at s+2 (the documented residual risk).
    const { net } = await forkScenario("finality-fork", [3, 0]);
    expect(audit(net).conflicts.length).toBeGreaterThan(0);
    const reverted = net.nodes.reduce((sum, n) => sum + n.finalReverts.stage1, 0);
    expect(reverted).toBeGreaterThan(0);
    expect(net.logs.some((l) => l.some((x) => x.includes("FINALITY VIOLATION")))).toBe(true);
    expect(net.logs.some((l) => l.some((x) => x.includes("attested by the escape over slots")))).toBe(true);
  }, 120_000);

  it("the chain finalizes later slots when a slot reaches neither 2/3 attestations nor 2/3 skips", async () => {
    const net = await startNet("finality-live");
    // s: its proposal withheld from two nodes (not the proposer's) that hold exactly two members of committee s.
    let s = 3;
    let cut: number[] = [];
    for (; s < 200; s++) {
      const a = proposerNode(net, s);
      const others = [0, 1, 2, 3].filter((i) => i !== a);
      const pair = [[others[0], others[1]], [others[0], others[2]], [others[1], others[2]]].find((p) => membersOn(net, s, p as number[]) === 2);
      if (pair) {
        cut = pair as number[];
        break;
      }
    }
    const topic1 = computeTopic(net.nodes[0]?.netId ?? "", "stage1_block");
    let rootS: string | undefined;
    net.filter = (topic, data, to) => {
      if (topic !== topic1) return "deliver";
      const { tag, bytes } = untagMessage(data);
      const b = decodeStage1Block(bytes);
      if (b.header.slot === s && tag === MSG_PROPOSAL) {
        rootS ??= toHex(hashHeader(b));
        if (cut.includes(to)) return "drop";
      }
      return "deliver";
    };
    await net.runTo(s + 10);
    const { conflicts, shrank } = audit(net);
    expect(rootS).toBeDefined();
    expect(conflicts).toEqual([]);
    expect(shrank).toEqual([]);
    for (const n of net.nodes) {
      const roots = n.chain.stage1Roots.map(toHex);
      expect(roots).not.toContain(rootS);
      // Later slots final on every node: the chain went on past s.
      expect(n.chain.stage1.slot).toBeGreaterThan(s + 2);
    }
  }, 120_000);
});
