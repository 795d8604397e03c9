/**
 * Slashing protection across a restart (issue 13; docs/node.md "Slashing protection"). One node of
 * a two-node devnet (the other absent) on the memory network with a manual clock, and a peer that
 * plays the other proposers and records what the node publishes. The node attests a Stage-1
 * proposal of slot s, is stopped and restarted on the same store within slot s, and is offered a
 * conflicting proposal of s: its validators do not sign it; restarted within another such slot
 * s2, they sign no skip of s2 when its window closes. The node proposes in slot s', is restarted within s' with another
 * mempool: it does not propose a second, different block of s'. Before the store kept what was
 * signed (memory only), the restarted node signed both — each check below fails on that code.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computeSigningRoot } from "../../src/chain/index.js";
import { bytesEqual } from "../../src/crypto/hash.js";
import { DOMAIN_STAGE1, Stage1Header } from "../../src/protocols/delayed/containers.js";
import { buildStage1Block, getStage1Committee, getStage1Proposer, type SignedStage1Block } from "../../src/protocols/delayed/stage1.js";
import type { SignedTx } from "../../src/program/index.js";
import { createNodeMetrics, type NodeMetrics } from "../../src/node/api/metrics.js";
import { NodeChain } from "../../src/node/chain.js";
import { SlotClock } from "../../src/node/clock.js";
import { createDevnetFiles } from "../../src/node/devnet.js";
import { parseDevnetGenesis, parseKeyFile, type DevnetGenesis, type NodeKey } from "../../src/node/genesis.js";
import { MemoryHub } from "../../src/node/net/memory.js";
import { computeTopic } from "../../src/node/net/topics.js";
import { ignoreVerdict } from "../../src/node/net/types.js";
import { XshardNode } from "../../src/node/node.js";
import { SKIP_STAGE1 } from "../../src/node/safety.js";
import { SIGNED_DUTIES } from "../../src/node/store/protection.js";
import { NodeStore } from "../../src/node/store/store.js";
import { decodeStage1Block, encodeStage1Block, MSG_PROPOSAL, tagMessage, untagMessage, Vote, VOTE_KINDS, type VoteValue } from "../../src/node/wire.js";
import { getWorkload } from "../../src/workloads/index.js";
import { ManualTime } from "./manualTime.js";

const SLOT_MS = 1000;
const GENESIS_MS = 1_000_000_000_000;

async function settle(turns = 40): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

interface Run {
  readonly node: XshardNode;
  readonly store: NodeStore;
  readonly metrics: NodeMetrics;
  readonly logs: string[];
  /** Votes and Stage-1 proposals the node published, as the peer received them. */
  readonly votes: VoteValue[];
  readonly proposals: SignedStage1Block[];
  offer(block: SignedStage1Block): Promise<void>;
  stop(): Promise<void>;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

function setup(seed: string) {
  const w = getWorkload("exchange").generate({ pools: 1, accounts: 4, slots: 1, rate: 2 }, seed);
  const files = createDevnetFiles({ nodes: 2, validators: 16, committees: 4, slotMs: SLOT_MS, seed, genesisTimeMs: GENESIS_MS, genesis: w.genesis });
  const genesis = parseDevnetGenesis(JSON.parse(JSON.stringify(files.genesisDoc)));
  const keys = parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[0])), genesis);
  const dir = mkdtempSync(join(tmpdir(), "xshard-slashing-"));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  return { genesis, keys, path: join(dir, "store"), time: new ManualTime(GENESIS_MS - 100), hub: new MemoryHub(), txs: w.submissions.map((s) => s.tx) };
}

let runs = 0;
/** Starts the node on the store at `path` (opened anew), with a fresh network and a recording peer. */
async function startRun(e: { genesis: DevnetGenesis; keys: readonly NodeKey[]; path: string; time: ManualTime; hub: MemoryHub }, mempool: readonly SignedTx[] = []): Promise<Run> {
  const id = ++runs;
  const network = e.hub.createNetwork(`node${id}`);
  const peer = e.hub.createNetwork(`peer${id}`);
  const store = NodeStore.open({ path: e.path });
  const metrics = createNodeMetrics();
  const logs: string[] = [];
  const node = new XshardNode({ genesis: e.genesis, keys: e.keys, network, store, metrics, skipEscapeSlots: 0, log: (l) => logs.push(l), clock: new SlotClock({ genesisTimeMs: e.genesis.genesisTimeMs, slotMs: e.genesis.slotMs }, e.time) });
  const votes: VoteValue[] = [];
  const proposals: SignedStage1Block[] = [];
  const topic1 = computeTopic(node.netId, "stage1_block");
  peer.subscribe(topic1, {
    validate: (m) => {
      const { tag, bytes } = untagMessage(m.data);
      if (tag === MSG_PROPOSAL) proposals.push(decodeStage1Block(bytes));
      return ignoreVerdict("recorded");
    },
  });
  peer.subscribe(computeTopic(node.netId, "attestation"), { validate: (m) => (votes.push(Vote.deserialize(m.data)), ignoreVerdict("recorded")) });
  await network.connect(`/memory/peer${id}`);
  for (const tx of mempool) node.addTransaction(tx);
  await node.start();
  await settle();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await node.stop();
    await store.close();
  };
  cleanup.unshift(stop);
  return {
    node,
    store,
    metrics,
    logs,
    votes,
    proposals,
    async offer(block) {
      await peer.publish(topic1, tagMessage(MSG_PROPOSAL, encodeStage1Block(block)));
      await settle();
    },
    stop,
  };
}

async function runTo(time: ManualTime, slot: number, ms = 0): Promise<void> {
  const target = GENESIS_MS + slot * SLOT_MS + ms;
  while (time.t < target) {
    time.advance(Math.min(50, target - time.t));
    await settle();
  }
}

/** An unattested proposal of `slot` on the node's head (the slot's proposer is the absent node's). */
function proposal(node: XshardNode, txs: readonly SignedTx[], slot: number): SignedStage1Block {
  const built = buildStage1Block(node.chain.state, txs, slot);
  if (!built || built.block.txs.length !== txs.length) throw new Error("the proposal does not hold its transactions");
  return { ...built.block, attestation: { signers: [], signature: new Uint8Array(96) } };
}

const rootOf = (b: SignedStage1Block): Uint8Array => Stage1Header.hashTreeRoot(b.header);
const refusals = async (m: NodeMetrics, duty: string): Promise<number> => (await m.slashingProtectionRefusals.get()).values.filter((v) => v.labels.duty === duty).reduce((a, v) => a + v.value, 0);

describe("slashing protection across a restart", () => {
  it("a node restarted within slot s signs neither a conflicting header of s nor a skip of s; a proposer restarted within its slot proposes no second block", async () => {
    const e = setup("slashing");
    const mine = new Set(e.keys.map((k) => k.index));
    const chain = new NodeChain(e.genesis);
    const members = (slot: number): number[] => getStage1Committee(chain.state, slot).filter((v) => mine.has(v.index)).map((v) => v.index);
    const proposerIsMine = (slot: number): boolean => mine.has(getStage1Proposer(chain.state, slot)?.index ?? -1);
    // s: another node proposes, ours hold 1–2 of the 4 members (the proposal cannot become final on our votes alone).
    let s = 3;
    while (proposerIsMine(s) || members(s).length === 0 || members(s).length > 2) s++;
    // s2: another such slot (the skip case), p: our proposal, which our members alone cannot make final either.
    let s2 = s + 3;
    while (proposerIsMine(s2) || members(s2).length === 0 || members(s2).length > 2) s2++;
    let p = s2 + 4;
    while (!proposerIsMine(p) || members(p).length > 2) p++;

    // 1. The node attests proposal A of slot s.
    const first = await startRun(e);
    await runTo(e.time, s, 100);
    const a = proposal(first.node, [], s);
    await first.offer(a);
    const signedA = first.votes.filter((v) => v.kind === VOTE_KINDS.stage1 && v.slot === s && bytesEqual(v.root, rootOf(a)));
    expect(signedA.map((v) => v.validator).sort((x, y) => x - y)).toEqual(members(s).sort((x, y) => x - y));
    expect(first.node.chain.stage1.slot).toBeLessThan(s); // A is not final
    expect(first.store.signed.get(members(s)[0] as number, SIGNED_DUTIES.stage1Vote, s)?.root).toEqual(rootOf(a));
    await first.stop();

    // 2. Restarted within slot s on the same store, offered B of slot s on the same parent.
    await runTo(e.time, s, 300);
    const second = await startRun(e);
    expect(second.logs.some((l) => l.startsWith("slashing protection:") && l.includes("read from the store"))).toBe(true);
    const b = proposal(second.node, e.txs.slice(0, 1), s);
    expect(b.header.parentRoot).toEqual(a.header.parentRoot);
    expect(rootOf(b)).not.toEqual(rootOf(a));
    await second.offer(b);
    const ours = (v: VoteValue): boolean => mine.has(v.validator) && v.slot === s;
    expect(second.votes.filter((v) => ours(v) && v.kind === VOTE_KINDS.stage1 && bytesEqual(v.root, rootOf(b)))).toEqual([]);
    // The store refuses it even where the attester's record would not (the check before every signature).
    const m = members(s)[0] as number;
    second.node.castVote({ kind: VOTE_KINDS.stage1, slot: s, committee: 0, root: rootOf(b), validator: m, signature: new Uint8Array(0) }, computeSigningRoot(DOMAIN_STAGE1, second.node.chain.state.genesisRoot, rootOf(b)));
    expect(second.votes.filter((v) => ours(v) && bytesEqual(v.root, rootOf(b)))).toEqual([]);
    expect(second.logs.some((l) => l.includes("SLASHING_PROTECTION") && l.includes(`validator ${m} signed header`) && l.includes(`slot ${s}`))).toBe(true);
    expect(await refusals(second.metrics, "stage1_vote")).toBe(1);
    expect(second.store.signed.get(m, SIGNED_DUTIES.stage1Vote, s)).toEqual({ skip: false, root: rootOf(a) });

    // 3. The node attests A2 of slot s2, is restarted within s2, and the window of s2 closes (slot
    // s2 + 2, where a validator of the slot's committee that attested nothing signs a skip): none of those who attested A2 signs a skip of s2.
    await runTo(e.time, s2, 100);
    const a2 = proposal(second.node, [], s2);
    await second.offer(a2);
    expect(second.votes.filter((v) => v.kind === VOTE_KINDS.stage1 && v.slot === s2 && bytesEqual(v.root, rootOf(a2))).length).toBe(members(s2).length);
    await second.stop();
    await runTo(e.time, s2, 300);
    const third = await startRun(e);
    await runTo(e.time, s2 + 2, 200);
    expect(third.votes.filter((v) => mine.has(v.validator) && v.slot === s2 && v.kind === VOTE_KINDS.skip && v.committee === SKIP_STAGE1)).toEqual([]);
    for (const v of members(s2)) expect(third.store.signed.get(v, SIGNED_DUTIES.stage1Vote, s2)).toEqual({ skip: false, root: rootOf(a2) });

    // 4. Our proposal of slot p, then a restart within p with another mempool.
    await runTo(e.time, p, 100);
    const own = third.proposals.filter((x) => x.header.slot === p);
    expect(own.length).toBe(1);
    await third.stop();
    const fourth = await startRun(e, e.txs.slice(0, 1));
    await runTo(e.time, p, 400);
    expect(fourth.node.mempool.size).toBe(1);
    expect(fourth.proposals.filter((x) => x.header.slot === p && !bytesEqual(rootOf(x), rootOf(own[0] as SignedStage1Block)))).toEqual([]);
    expect(fourth.logs.some((l) => l.includes("SLASHING_PROTECTION") && l.includes(`stage1_proposal of slot ${p}`))).toBe(true);
    expect(await refusals(fourth.metrics, "stage1_proposal")).toBe(1);
  }, 120_000);
});
