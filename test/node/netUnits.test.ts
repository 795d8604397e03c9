import { describe, expect, it } from "vitest";
import {
  ACCEPT,
  computeMaxGossipBytes,
  computeProtocolId,
  computeTopic,
  computeTopicMaxBytes,
  createLibp2pNetwork,
  DEFAULT_GOSSIP_LIMITS,
  MemoryHub,
  parseTopic,
  PeerScoreBook,
  rejectVerdict,
} from "../../src/node/net/index.js";
import { bindNetworkMetrics, createNodeMetrics } from "../../src/node/api/index.js";
import { waitFor } from "./networkSuite.js";

describe("topics", () => {
  it("names every kind, one affirmation topic per committee, and parses them back", () => {
    expect(computeTopic("ab12", "stage1_block")).toBe("/xshard/ab12/stage1_block/ssz");
    expect(computeTopic("ab12", "affirmation", 3)).toBe("/xshard/ab12/affirmation_3/ssz");
    for (const kind of ["transaction", "stage1_block", "attestation", "stage2_block"] as const) {
      expect(parseTopic(computeTopic("n", kind))).toEqual({ network: "n", kind });
    }
    expect(parseTopic(computeTopic("n", "affirmation", 12))).toEqual({ network: "n", kind: "affirmation", committee: 12 });
    expect(parseTopic("/xshard/n/affirmation/ssz")).toBeUndefined();
    expect(parseTopic("/xshard/n/affirmation_01/ssz")).toBeUndefined();
    expect(parseTopic("/eth2/n/beacon_block/ssz_snappy")).toBeUndefined();
    expect(() => computeTopic("n", "affirmation")).toThrow(expect.objectContaining({ code: "NET_BAD_TOPIC" }));
    expect(() => computeTopic("n", "transaction", 1)).toThrow(expect.objectContaining({ code: "NET_BAD_TOPIC" }));
    expect(() => computeTopic("N/x", "transaction")).toThrow(expect.objectContaining({ code: "NET_BAD_TOPIC" }));
    expect(computeProtocolId("n", "stage1_blocks_by_range")).toBe("/xshard/n/req/stage1_blocks_by_range/1");
  });

  it("limits by kind; unknown topics get the smallest limit", () => {
    expect(computeTopicMaxBytes(computeTopic("n", "attestation"))).toBe(DEFAULT_GOSSIP_LIMITS.attestation);
    expect(computeTopicMaxBytes(computeTopic("n", "affirmation", 2))).toBe(DEFAULT_GOSSIP_LIMITS.affirmation);
    expect(computeTopicMaxBytes("/whatever")).toBe(Math.min(...Object.values(DEFAULT_GOSSIP_LIMITS)));
    expect(computeMaxGossipBytes()).toBe(DEFAULT_GOSSIP_LIMITS.stage1_block);
  });
});

describe("peer scores", () => {
  it("rejects accumulate to a ban; scores decay and bans expire by ticks", () => {
    const book = new PeerScoreBook({ rejectPenalty: -10, badRequestPenalty: -20, disconnectBelow: -30, decayPerTick: 0.5, banTicks: 2 });
    expect(book.processReject("p")).toBe("kept");
    expect(book.processReject("p")).toBe("kept");
    expect(book.getScore("p")).toBe(-20);
    book.processTick();
    expect(book.getScore("p")).toBe(-10);
    expect(book.processBadRequest("p")).toBe("ban");
    expect(book.isBanned("p")).toBe(true);
    book.processTick();
    expect(book.isBanned("p")).toBe(true);
    book.processTick();
    expect(book.isBanned("p")).toBe(false);
    expect(book.getScore("q")).toBe(0);
    expect(() => new PeerScoreBook({ rejectPenalty: 1, badRequestPenalty: -1, disconnectBelow: -5, decayPerTick: 0.5, banTicks: 1 })).toThrow(
      expect.objectContaining({ code: "NET_BAD_SCORE_PARAMS" }),
    );
  });
});

describe("network plumbing", () => {
  it("Promise.withResolvers exists once the libp2p module is loaded", () => {
    const p = Promise as unknown as { withResolvers: () => { promise: Promise<number>; resolve: (v: number) => void } };
    const r = p.withResolvers();
    r.resolve(5);
    return expect(r.promise).resolves.toBe(5);
  });

  it("an identity seed gives a reproducible libp2p peer id; a bad seed is a typed error", async () => {
    const seed = new Uint8Array(32).fill(3);
    const a = await createLibp2pNetwork({ identitySeed: seed });
    const id = a.peerId;
    await a.stop();
    const b = await createLibp2pNetwork({ identitySeed: seed });
    expect(b.peerId).toBe(id);
    expect(b.getAddresses()[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${id}$`));
    await b.stop();
    await expect(createLibp2pNetwork({ identitySeed: new Uint8Array(5) })).rejects.toMatchObject({ code: "NET_BAD_IDENTITY" });
    await expect(
      (async () => {
        const c = await createLibp2pNetwork();
        try {
          await c.connect("not-a-multiaddr");
        } finally {
          await c.stop();
        }
      })(),
    ).rejects.toMatchObject({ code: "NET_BAD_ADDRESS" });
  });

  it("metrics follow peers and gossip rejects", async () => {
    const hub = new MemoryHub();
    const [a, b] = [hub.createNetwork("a"), hub.createNetwork("b")];
    const metrics = createNodeMetrics();
    const off = bindNetworkMetrics(metrics, a);
    const topic = computeTopic("n", "transaction");
    a.subscribe(topic, { validate: (m) => (m.data[0] === 0 ? rejectVerdict("BAD_NONCE") : ACCEPT) });
    b.subscribe(topic, { validate: () => ACCEPT });
    await b.connect("/memory/a");
    await b.publish(topic, Uint8Array.from([0]));
    await waitFor("reject", () => a.getPeerScore("b") < 0);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/xshard_peers 1/);
    expect(text).toMatch(/xshard_gossip_rejects_total\{topic="\/xshard\/n\/transaction\/ssz",rule="BAD_NONCE"\} 1/);
    off();
  });
});
