/**
 * The `Network` on libp2p 3: TCP + Noise + Yamux + identify, `@libp2p/gossipsub` for topics
 * (unsigned messages, id = hash of the data, as eth2 does), length-prefixed request/response
 * streams. Inbound gossip goes through `GossipInbound` as a gossipsub topic validator, so a
 * rejected message is neither delivered nor forwarded; `PeerScoreBook` decides disconnects
 * (gossipsub's own score runs with defaults, without per-topic parameters).
 * A banned peer is hung up on and refused by the connection gater until its ban ends.
 */
import "./polyfill.js";
import { createLibp2p, type Libp2p } from "libp2p";
import { tcp } from "@libp2p/tcp";
import { noise } from "@libp2p/noise";
import { yamux } from "@libp2p/yamux";
import { identify } from "@libp2p/identify";
import { gossipsub, TopicValidatorResult, type GossipSub } from "@libp2p/gossipsub";
import { generateKeyPair, generateKeyPairFromSeed } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey, peerIdFromString } from "@libp2p/peer-id";
import { lpStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
import type { PeerId, Stream, Connection } from "@libp2p/interface";
import { XshardError, isXshardError } from "../../errors.js";
import { PeerScoreBook, DEFAULT_PEER_SCORE_PARAMS, type PeerScoreParams } from "./scoring.js";
import { GossipInbound, NetworkEvents, checkRequestSize, computeResponseFrame, createResponseTooLargeError, createUnsupportedProtocolError, computeMaxFrameBytes, decodeResponse, encodeErrorResponse, RESPONSE_STATUS } from "./inbound.js";
import { computeMaxGossipBytes, computeTopicMaxBytes, DEFAULT_GOSSIP_LIMITS, type GossipLimits } from "./topics.js";
import type { GossipHandler, Network, NetworkListener, PeerIdStr, ProtocolLimits, RequestHandler, RequestOptions, Verdict } from "./types.js";

export interface Libp2pNetworkOptions {
  /** Listen multiaddrs (default one TCP port on 127.0.0.1 chosen by the OS). */
  readonly listen?: readonly string[];
  /** Addresses dialled once started (`/ip4/…/tcp/…/p2p/<id>`); failures are reported, not thrown. */
  readonly bootstrap?: readonly string[];
  /** 32 bytes: the Ed25519 identity is derived from it, so the peer id is reproducible. */
  readonly identitySeed?: Uint8Array;
  readonly gossipLimits?: GossipLimits;
  readonly score?: PeerScoreParams;
  /** Gossipsub heartbeat (default 700 ms, as eth2; tests use less). */
  readonly heartbeatMs?: number;
  /** Default time allowed for one request (default 10 s). */
  readonly requestTimeoutMs?: number;
}

const FRAME_OVERHEAD = 64 * 1024;

/** The exported `GossipSub` interface plus two methods its implementation class has (not exported as a type). */
type GossipSubService = GossipSub & { getMeshPeers(topic: string): string[]; getScore(peer: string): number };

function toVerdictResult(v: Verdict): TopicValidatorResult {
  if (v.kind === "accept") return TopicValidatorResult.Accept;
  if (v.kind === "reject") return TopicValidatorResult.Reject;
  return TopicValidatorResult.Ignore;
}

/** The peer id a network created with `identitySeed` has (a devnet computes its nodes' addresses before starting them). */
export async function computePeerId(identitySeed: Uint8Array): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPairFromSeed("Ed25519", checkSeed(identitySeed))).toString();
}

/** Creates, starts and (if asked) bootstraps a libp2p network. */
export async function createLibp2pNetwork(opts: Libp2pNetworkOptions = {}): Promise<Libp2pNetwork> {
  const gossipLimits = opts.gossipLimits ?? DEFAULT_GOSSIP_LIMITS;
  const scores = new PeerScoreBook(opts.score ?? DEFAULT_PEER_SCORE_PARAMS);
  const privateKey = opts.identitySeed !== undefined ? await generateKeyPairFromSeed("Ed25519", checkSeed(opts.identitySeed)) : await generateKeyPair("Ed25519");
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: [...(opts.listen ?? ["/ip4/127.0.0.1/tcp/0"])] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      denyDialPeer: (peer: PeerId) => scores.isBanned(peer.toString()),
      denyInboundEncryptedConnection: (peer: PeerId) => scores.isBanned(peer.toString()),
      denyOutboundEncryptedConnection: (peer: PeerId) => scores.isBanned(peer.toString()),
    },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        globalSignaturePolicy: "StrictNoSign",
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        heartbeatInterval: opts.heartbeatMs ?? 700,
        maxInboundDataLength: computeMaxGossipBytes(gossipLimits) + FRAME_OVERHEAD,
      }),
    },
  });
  const network = new Libp2pNetwork(node as unknown as Libp2p<{ pubsub: GossipSubService }>, scores, gossipLimits, opts.requestTimeoutMs ?? 10_000);
  await node.start();
  for (const addr of opts.bootstrap ?? []) {
    await network.connect(addr).catch(() => undefined);
  }
  return network;
}

function checkSeed(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new XshardError("NET_BAD_IDENTITY", `identity seed must be 32 bytes, got ${seed.length}`, { bytes: seed.length });
  return seed;
}

export class Libp2pNetwork implements Network {
  readonly peerId: PeerIdStr;
  private readonly events = new NetworkEvents();
  private readonly inbound: GossipInbound;

  constructor(
    readonly libp2p: Libp2p<{ pubsub: GossipSubService }>,
    private readonly scores: PeerScoreBook,
    private readonly gossipLimits: GossipLimits,
    private readonly requestTimeoutMs: number,
  ) {
    this.peerId = libp2p.peerId.toString();
    this.inbound = new GossipInbound({
      scores,
      getMaxBytes: (topic) => computeTopicMaxBytes(topic, gossipLimits),
      emit: (e) => this.events.emit(e),
      onBan: (peer) => void this.libp2p.hangUp(peerIdFromString(peer)).catch(() => undefined),
    });
    libp2p.addEventListener("peer:connect", (e) => this.events.emit({ type: "peer:connect", peer: e.detail.toString() }));
    libp2p.addEventListener("peer:disconnect", (e) => this.events.emit({ type: "peer:disconnect", peer: e.detail.toString() }));
  }

  private get pubsub(): GossipSubService {
    return this.libp2p.services.pubsub;
  }

  getAddresses(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString());
  }

  async connect(address: string): Promise<PeerIdStr> {
    let ma;
    try {
      ma = multiaddr(address);
    } catch (e) {
      throw new XshardError("NET_BAD_ADDRESS", `not a multiaddr: ${address}`, { address }, { cause: e });
    }
    try {
      const conn = await this.libp2p.dial(ma, { signal: AbortSignal.timeout(this.requestTimeoutMs) });
      return conn.remotePeer.toString();
    } catch (e) {
      throw new XshardError("NET_UNREACHABLE", `could not connect to ${address}: ${(e as Error).message}`, { address }, { cause: e });
    }
  }

  getPeers(): PeerIdStr[] {
    return this.libp2p.getPeers().map((p) => p.toString());
  }

  getMeshPeers(topic: string): PeerIdStr[] {
    return this.pubsub.getMeshPeers(topic);
  }

  async publish(topic: string, data: Uint8Array): Promise<number> {
    const limit = computeTopicMaxBytes(topic, this.gossipLimits);
    if (data.length > limit) {
      throw new XshardError("NET_MESSAGE_TOO_LARGE", `message of ${data.length} bytes exceeds ${limit} on ${topic}`, { topic, bytes: data.length, limit });
    }
    const result = await this.pubsub.publish(topic, data);
    return result.recipients.length;
  }

  subscribe(topic: string, handler: GossipHandler): void {
    this.inbound.setHandler(topic, handler);
    this.pubsub.topicValidators.set(topic, async (peer, msg) => {
      const verdict = await this.inbound.processMessage({ topic, data: msg.data, from: peer.toString() });
      return toVerdictResult(verdict);
    });
    this.pubsub.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    this.pubsub.unsubscribe(topic);
    this.pubsub.topicValidators.delete(topic);
    this.inbound.deleteHandler(topic);
  }

  async handle(protocol: string, handler: RequestHandler, limits: ProtocolLimits): Promise<void> {
    try {
      await this.libp2p.handle(protocol, (stream: Stream, connection: Connection) => this.serve(stream, connection, handler, limits));
    } catch (e) {
      throw new XshardError("NET_PROTOCOL_TAKEN", `cannot serve ${protocol}: ${(e as Error).message}`, { protocol }, { cause: e });
    }
  }

  private async serve(stream: Stream, connection: Connection, handler: RequestHandler, limits: ProtocolLimits): Promise<void> {
    const from = connection.remotePeer.toString();
    const lp = lpStream(stream, { maxDataLength: limits.maxRequestBytes });
    const signal = AbortSignal.timeout(this.requestTimeoutMs);
    try {
      let request: Uint8Array;
      try {
        request = (await lp.read({ signal })).subarray();
      } catch (e) {
        // Oversized or truncated request: answer once, blame the sender.
        if (this.scores.processBadRequest(from) === "ban") {
          this.events.emit({ type: "peer:ban", peer: from, score: this.scores.getScore(from) });
          await lp.write(encodeErrorResponse(RESPONSE_STATUS.INVALID_REQUEST, "bad request"), { signal }).catch(() => undefined);
          await this.libp2p.hangUp(connection.remotePeer).catch(() => undefined);
          return;
        }
        await lp.write(encodeErrorResponse(RESPONSE_STATUS.INVALID_REQUEST, `bad request: ${(e as Error).name}`), { signal });
        await stream.close({ signal });
        return;
      }
      await lp.write(await computeResponseFrame(handler, request, from, limits), { signal });
      await stream.close({ signal });
    } catch (e) {
      stream.abort(e as Error);
    }
  }

  async request(peer: PeerIdStr, protocol: string, data: Uint8Array, limits: ProtocolLimits, opts: RequestOptions = {}): Promise<Uint8Array> {
    checkRequestSize(protocol, data, limits);
    const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    let stream: Stream;
    try {
      stream = await this.libp2p.dialProtocol(peerIdFromString(peer), protocol, { signal });
    } catch (e) {
      if (signal.aborted) throw new XshardError("NET_TIMEOUT", `no stream to ${peer} on ${protocol} within ${timeoutMs} ms`, { peer, protocol, timeoutMs });
      if ((e as Error).name === "UnsupportedProtocolError") throw createUnsupportedProtocolError(protocol, peer);
      throw new XshardError("NET_UNREACHABLE", `could not open ${protocol} to ${peer}: ${(e as Error).message}`, { peer, protocol }, { cause: e });
    }
    const lp = lpStream(stream, { maxDataLength: computeMaxFrameBytes(limits) });
    try {
      await lp.write(data, { signal });
      const frame = (await lp.read({ signal })).subarray();
      await stream.close({ signal }).catch(() => undefined);
      return decodeResponse(frame, protocol, peer, limits);
    } catch (e) {
      stream.abort(e as Error);
      if (isXshardError(e)) throw e;
      const name = (e as Error).name;
      if (name === "InvalidDataLengthError") throw createResponseTooLargeError(protocol, peer, undefined, limits.maxResponseBytes);
      if (signal.aborted) throw new XshardError("NET_TIMEOUT", `no response from ${peer} on ${protocol} within ${timeoutMs} ms`, { peer, protocol, timeoutMs });
      throw new XshardError("NET_REQUEST_FAILED", `${protocol} to ${peer} failed: ${(e as Error).message}`, { peer, protocol, status: -1 }, { cause: e });
    }
  }

  reportBadResponse(peer: PeerIdStr, protocol: string, rule: string): void {
    this.inbound.processBadResponse(peer, protocol, rule);
  }

  getPeerScore(peer: PeerIdStr): number {
    return this.scores.getScore(peer);
  }

  /** Gossipsub's own score of a peer (for diagnostics). */
  getGossipScore(peer: PeerIdStr): number {
    return this.pubsub.getScore(peer);
  }

  processTick(): void {
    this.scores.processTick();
  }

  on(listener: NetworkListener): () => void {
    return this.events.on(listener);
  }

  async stop(): Promise<void> {
    await this.libp2p.stop();
  }
}
