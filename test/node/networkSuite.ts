/**
 * One behaviour suite for every `Network` implementation (in the manner of hono's shared router
 * tests): gossip reaches every node through a relay, invalid and oversized messages are rejected
 * with their rule and their sender is scored down and banned, request/response works within its
 * limits and fails with typed errors beyond them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { XshardError } from "../../src/errors.js";
import {
  ACCEPT,
  computeTopic,
  DEFAULT_GOSSIP_LIMITS,
  rejectVerdict,
  type GossipLimits,
  type GossipMessage,
  type Network,
  type NetworkEvent,
  type ProtocolLimits,
} from "../../src/node/net/index.js";

export interface NetworkFactory {
  create(opts?: { gossipLimits?: GossipLimits }): Promise<Network>;
  /** Connects `a` to `b` (a dials b). */
  link(a: Network, b: Network): Promise<void>;
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const TX = computeTopic("test", "transaction");
const BLOCK = computeTopic("test", "stage1_block");
const ECHO = "/xshard/test/req/status/1";
const LIMITS: ProtocolLimits = { maxRequestBytes: 16, maxResponseBytes: 32 };
const bytes = (...xs: number[]) => Uint8Array.from(xs);

/** Rejects messages whose first byte is 0xff with the rule BAD_SIGNATURE. */
function collector(into: GossipMessage[], validated: { n: number }) {
  return {
    validate: (m: GossipMessage) => {
      validated.n++;
      return m.data[0] === 0xff ? rejectVerdict("BAD_SIGNATURE") : ACCEPT;
    },
    onAccepted: (m: GossipMessage) => into.push(m),
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof XshardError) return e.code;
    throw e;
  }
  throw new Error("expected a typed error");
}

export function describeNetworkSuite(name: string, factory: NetworkFactory): void {
  describe(`Network (${name})`, () => {
    const open: Network[] = [];
    const make = async (opts?: { gossipLimits?: GossipLimits }) => {
      const n = await factory.create(opts);
      open.push(n);
      return n;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((n) => n.stop()));
    });

    it("three nodes in a line form a mesh; a message published by one reaches both others", async () => {
      const [a, b, c] = [await make(), await make(), await make()];
      await factory.link(a, b);
      await factory.link(c, b);
      const got = new Map<Network, GossipMessage[]>([[a, []], [b, []], [c, []]]);
      for (const n of [a, b, c]) n.subscribe(TX, collector(got.get(n)!, { n: 0 }));
      await waitFor("mesh", () => b.getMeshPeers(TX).length === 2 && a.getMeshPeers(TX).length === 1 && c.getMeshPeers(TX).length === 1);
      expect(new Set(b.getMeshPeers(TX))).toEqual(new Set([a.peerId, c.peerId]));
      expect(a.getPeers()).not.toContain(c.peerId); // c hears a only through b

      await a.publish(TX, bytes(1, 2, 3));
      await waitFor("delivery", () => got.get(b)!.length === 1 && got.get(c)!.length === 1);
      expect(Array.from(got.get(c)![0]!.data)).toEqual([1, 2, 3]);
      expect(got.get(c)![0]!.from).toBe(b.peerId); // forwarded by the relay
      expect(got.get(a)!.length).toBe(0); // no echo to the publisher
    });

    it("an invalid message is rejected with its rule, not forwarded, and repeats score its sender down to a ban", async () => {
      const [victim, bad, far] = [await make(), await make(), await make()];
      await factory.link(bad, victim);
      await factory.link(far, victim);
      const events: NetworkEvent[] = [];
      victim.on((e) => events.push(e));
      const farGot: GossipMessage[] = [];
      victim.subscribe(TX, collector([], { n: 0 }));
      far.subscribe(TX, collector(farGot, { n: 0 }));
      bad.subscribe(TX, collector([], { n: 0 }));
      await waitFor("mesh", () => victim.getMeshPeers(TX).length === 2 && bad.getMeshPeers(TX).length === 1);

      await bad.publish(TX, bytes(0xff, 1));
      await waitFor("first reject", () => events.some((e) => e.type === "gossip:reject"));
      const first = events.find((e) => e.type === "gossip:reject");
      expect(first).toMatchObject({ topic: TX, from: bad.peerId, rule: "BAD_SIGNATURE" });
      expect(victim.getPeerScore(bad.peerId)).toBeLessThan(0);
      const afterOne = victim.getPeerScore(bad.peerId);

      for (let i = 2; i <= 6; i++) await bad.publish(TX, bytes(0xff, i)).catch(() => 0);
      await waitFor("ban", () => events.some((e) => e.type === "peer:ban" && e.peer === bad.peerId));
      expect(victim.getPeerScore(bad.peerId)).toBeLessThan(afterOne);
      await waitFor("disconnect", () => !victim.getPeers().includes(bad.peerId));
      expect(farGot.length).toBe(0); // nothing invalid was forwarded
      // A banned peer cannot come back until its ban ends: the dial fails, or the victim drops it
      // during the upgrade without ever counting it as connected.
      const sinceBan = events.length;
      await factory.link(bad, victim).catch((e: unknown) => expect((e as XshardError).code).toBe("NET_UNREACHABLE"));
      await waitFor("refusal", () => !bad.getPeers().includes(victim.peerId) && !victim.getPeers().includes(bad.peerId));
      expect(events.slice(sinceBan).some((e) => e.type === "peer:connect" && e.peer === bad.peerId)).toBe(false);
      // The far node still hears the victim.
      await victim.publish(TX, bytes(7));
      await waitFor("far delivery", () => farGot.length === 1);
    });

    it("an oversized message is rejected before its validator runs", async () => {
      const big: GossipLimits = { ...DEFAULT_GOSSIP_LIMITS, transaction: 4096 };
      const small: GossipLimits = { ...DEFAULT_GOSSIP_LIMITS, transaction: 1024 };
      const [victim, bad] = [await make({ gossipLimits: small }), await make({ gossipLimits: big })];
      await factory.link(bad, victim);
      const events: NetworkEvent[] = [];
      victim.on((e) => events.push(e));
      const validated = { n: 0 };
      const got: GossipMessage[] = [];
      victim.subscribe(TX, collector(got, validated));
      bad.subscribe(TX, collector([], { n: 0 }));
      await waitFor("mesh", () => victim.getMeshPeers(TX).length === 1 && bad.getMeshPeers(TX).length === 1);

      // The sender's own limit refuses to publish it.
      expect(await codeOf(victim.publish(TX, new Uint8Array(1025)))).toBe("NET_MESSAGE_TOO_LARGE");
      await bad.publish(TX, new Uint8Array(2000).fill(1));
      await waitFor("reject", () => events.some((e) => e.type === "gossip:reject"));
      expect(events.find((e) => e.type === "gossip:reject")).toMatchObject({ rule: "MESSAGE_TOO_LARGE", from: bad.peerId });
      expect(validated.n).toBe(0);
      expect(got.length).toBe(0);
      // A message within the limit on another topic still passes.
      const blocks: GossipMessage[] = [];
      victim.subscribe(BLOCK, collector(blocks, { n: 0 }));
      bad.subscribe(BLOCK, collector([], { n: 0 }));
      await waitFor("block mesh", () => bad.getMeshPeers(BLOCK).length === 1);
      await bad.publish(BLOCK, new Uint8Array(2000).fill(2));
      await waitFor("block delivery", () => blocks.length === 1);
    });

    it("request/response: a round trip; typed errors beyond the limits, from the handler, for unserved protocols and unknown peers", async () => {
      const [server, client] = [await make(), await make()];
      await factory.link(client, server);
      await server.handle(ECHO, (req, from) => {
        if (req[0] === 0xee) throw new XshardError("UNKNOWN_RANGE", "no such range", {});
        if (req[0] === 0xdd) return new Uint8Array(64); // over the client's response limit
        expect(from).toBe(client.peerId);
        return Uint8Array.from(req).reverse();
      }, { maxRequestBytes: 16, maxResponseBytes: 1024 });

      await expect(server.handle(ECHO, () => bytes(), LIMITS)).rejects.toMatchObject({ code: "NET_PROTOCOL_TAKEN" });
      expect(await codeOf(client.request(server.peerId, "/xshard/test/req/witnesses/1", bytes(1), LIMITS))).toBe("NET_UNSUPPORTED_PROTOCOL");
      expect(await codeOf(client.request("nobody", ECHO, bytes(1), LIMITS))).toBe("NET_UNREACHABLE");
      const res = await client.request(server.peerId, ECHO, bytes(1, 2, 3), LIMITS);
      expect(Array.from(res)).toEqual([3, 2, 1]);

      expect(await codeOf(client.request(server.peerId, ECHO, new Uint8Array(17), LIMITS))).toBe("NET_REQUEST_TOO_LARGE");
      expect(await codeOf(client.request(server.peerId, ECHO, bytes(0xdd), LIMITS))).toBe("NET_RESPONSE_TOO_LARGE");
      const handlerError = client.request(server.peerId, ECHO, bytes(0xee), LIMITS);
      await expect(handlerError).rejects.toMatchObject({ code: "NET_REQUEST_FAILED", data: { status: 1 } });
      await expect(client.request(server.peerId, ECHO, bytes(0xee), LIMITS)).rejects.toThrow(/UNKNOWN_RANGE/);

      // A client that ignores the server's request limit gets an error response and a lower score.
      const loose: ProtocolLimits = { maxRequestBytes: 1024, maxResponseBytes: 1024 };
      await expect(client.request(server.peerId, ECHO, new Uint8Array(100), loose)).rejects.toMatchObject({ code: "NET_REQUEST_FAILED", data: { status: 1 } });
      expect(server.getPeerScore(client.peerId)).toBeLessThan(0);
      // Still usable afterwards.
      expect(Array.from(await client.request(server.peerId, ECHO, bytes(9, 8), LIMITS))).toEqual([8, 9]);
    });

    it("a response the application reports as invalid scores its sender down to a ban", async () => {
      const [client, liar] = [await make(), await make()];
      await factory.link(client, liar);
      await waitFor("connect", () => client.getPeers().includes(liar.peerId));
      const events: NetworkEvent[] = [];
      client.on((e) => events.push(e));
      client.reportBadResponse(liar.peerId, ECHO, "BAD_PROOF");
      expect(events[0]).toEqual({ type: "response:reject", protocol: ECHO, from: liar.peerId, rule: "BAD_PROOF" });
      expect(client.getPeerScore(liar.peerId)).toBeLessThan(0);
      for (let i = 0; i < 4; i++) client.reportBadResponse(liar.peerId, ECHO, "BAD_PROOF");
      expect(events.some((e) => e.type === "peer:ban" && e.peer === liar.peerId)).toBe(true);
      await waitFor("disconnect", () => !client.getPeers().includes(liar.peerId));
    });

    it("peer events report connects and disconnects", async () => {
      const [a, b] = [await make(), await make()];
      const events: NetworkEvent[] = [];
      a.on((e) => events.push(e));
      await factory.link(b, a);
      await waitFor("connect", () => events.some((e) => e.type === "peer:connect" && e.peer === b.peerId));
      await b.stop();
      open.splice(open.indexOf(b), 1);
      await waitFor("disconnect", () => events.some((e) => e.type === "peer:disconnect" && e.peer === b.peerId));
      expect(a.getPeers()).not.toContain(b.peerId);
    });
  });
}
