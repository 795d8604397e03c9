/**
 * Lost votes (issue 13, the Stage-2 stall): a node that is catching up still checks and pools the
 * votes that arrive meanwhile (they were ignored, and a vote is gossiped once), and keeps the
 * blocks that arrive to handle them once the catch-up ends. One node on the memory network with a
 * manual clock; a peer holds its catch-up open by answering `status` only when the test says so.
 * And the vote pool keeps a root that is voted for again in later slots (it forgot it three slots
 * after its first vote, however fresh the later votes).
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectAttestation, computeSigningRoot } from "../../src/chain/index.js";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { DOMAIN_AFFIRMATION, Stage1Header } from "../../src/protocols/delayed/containers.js";
import { buildStage1Block, getStage1Committee } from "../../src/protocols/delayed/stage1.js";
import { NodeChain } from "../../src/node/chain.js";
import { SlotClock } from "../../src/node/clock.js";
import { createDevnetFiles } from "../../src/node/devnet.js";
import { parseDevnetGenesis, parseKeyFile } from "../../src/node/genesis.js";
import { MemoryHub } from "../../src/node/net/memory.js";
import { computeProtocolId, DEFAULT_REQRESP_LIMITS } from "../../src/node/net/reqresp.js";
import { computeTopic } from "../../src/node/net/topics.js";
import { XshardNode } from "../../src/node/node.js";
import { NodeStore } from "../../src/node/store/store.js";
import { VotePool } from "../../src/node/votes.js";
import { encodeStage1Block, MSG_BLOCK, StatusWire, tagMessage, Vote, VOTE_KINDS } from "../../src/node/wire.js";
import { getWorkload } from "../../src/workloads/index.js";
import { ManualTime } from "./manualTime.js";

const dir = mkdtempSync(join(tmpdir(), "xshard-catchup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function settle(turns = 40): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

describe("votes and blocks during a catch-up", () => {
  it("pools the votes that arrive while the node catches up and imports the blocks after it", async () => {
    const w = getWorkload("exchange").generate({ pools: 1, accounts: 4, slots: 1, rate: 1 }, "catchup");
    const files = createDevnetFiles({ nodes: 2, validators: 8, committees: 2, slotMs: 1000, seed: "catchup", genesisTimeMs: 1_000_000_000_000, genesis: w.genesis });
    const genesis = parseDevnetGenesis(JSON.parse(JSON.stringify(files.genesisDoc)));
    const time = new ManualTime(genesis.genesisTimeMs - 100);
    const hub = new MemoryHub();
    const network = hub.createNetwork("node");
    const store = NodeStore.open({ path: join(dir, "node") });
    const node = new XshardNode({ genesis, keys: parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[0])), genesis), network, store, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }, time) });
    await node.start();
    // The peer answers `status` (genesis heads) only once released: the catch-up stays open till then.
    const peer = hub.createNetwork("peer");
    let release: (() => void) | undefined;
    await peer.handle(computeProtocolId(node.netId, "status"), () => new Promise<Uint8Array>((r) => (release = () => r(StatusWire.serialize({ stage1Height: 0, stage2Height: 0, stage1Root: new Uint8Array(32), stage2Root: new Uint8Array(32), headSlot: 0 })))), DEFAULT_REQRESP_LIMITS.status);
    await peer.connect("/memory/node");
    time.advance(200); // slot 0: the first duty starts the catch-up
    await settle();
    expect(release).toBeDefined();

    // A vote of a member of committee 1 held by the other node, and a final Stage-1 block of slot 0.
    const chain = new NodeChain(genesis);
    const other = parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[1])), genesis);
    const member = chain.state.committees[1]?.find((v) => other.some((k) => k.index === v.index));
    const key = other.find((k) => k.index === member?.index);
    if (!member || !key) throw new Error("no member of committee 1 on the other node");
    const root = sha256("a batch root");
    const signature = chain.verifier.sign(key.key, computeSigningRoot(DOMAIN_AFFIRMATION, chain.state.genesisRoot, root));
    await peer.publish(computeTopic(node.netId, "affirmation", 1), Vote.serialize({ kind: VOTE_KINDS.batch, slot: 0, committee: 1, root, validator: member.index, signature }));
    const built = buildStage1Block(chain.state, [], 0);
    if (!built) throw new Error("no proposer");
    const block = { ...built.block, attestation: collectAttestation(chain.verifier, getStage1Committee(chain.state, 0), built.signingRoot) };
    await peer.publish(computeTopic(node.netId, "stage1_block"), tagMessage(MSG_BLOCK, encodeStage1Block(block)));
    await settle();
    expect(node.votes.getVoters(VOTE_KINDS.batch, root)).toEqual([member.index]);
    expect(node.chain.stage1.height).toBe(0); // not during the catch-up

    release?.();
    await settle();
    // The block kept during the catch-up is imported after it (the node's own duties may follow it).
    expect(node.chain.stage1Roots.map(toHex)[0]).toBe(toHex(Stage1Header.hashTreeRoot(block.header)));
    await node.stop();
    await store.close();
  }, 60_000);
});

describe("VotePool.prune", () => {
  it("keeps a root voted for again in later slots and forgets one no longer voted for", () => {
    const pool = new VotePool();
    const [stable, old] = [sha256("stable"), sha256("old")];
    pool.add(VOTE_KINDS.batch, stable, 5, 1, new Uint8Array(0));
    pool.add(VOTE_KINDS.batch, old, 5, 3, new Uint8Array(0));
    // The same batch root signed again at slot 8 (nothing changed in the committee's chain).
    pool.add(VOTE_KINDS.batch, stable, 8, 2, new Uint8Array(0));
    pool.prune(6);
    expect(pool.getVoters(VOTE_KINDS.batch, stable)).toEqual([1, 2]);
    expect(pool.getVoters(VOTE_KINDS.batch, old)).toEqual([]);
    pool.prune(9);
    expect(pool.getVoters(VOTE_KINDS.batch, stable)).toEqual([]);
  });
});
