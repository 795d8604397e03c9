/**
 * An in-memory `Network` for tests: endpoints of one `MemoryHub` connect by name
 * (`/memory/<name>`), gossip floods to connected subscribers and is forwarded once per message
 * (a seen-set by content), requests call the peer's handler directly. It applies the same
 * inbound rules and scoring as the libp2p implementation (`inbound.ts`, `scoring.ts`), and
 * delivers on a later turn of the event loop, never synchronously.
 */
import { XshardError } from "../../errors.js";
import { sha256 } from "../../crypto/hash.js";
import { PeerScoreBook, DEFAULT_PEER_SCORE_PARAMS, type PeerScoreParams } from "./scoring.js";
import {
  GossipInbound,
  NetworkEvents,
  RESPONSE_STATUS,
  checkRequestSize,
  computeMaxFrameBytes,
  computeResponseFrame,
  createResponseTooLargeError,
  decodeResponse,
  encodeErrorResponse,
} from "./inbound.js";
import { computeTopicMaxBytes, DEFAULT_GOSSIP_LIMITS, type GossipLimits } from "./topics.js";
import type { GossipHandler, Network, NetworkListener, PeerIdStr, ProtocolLimits, RequestHandler } from "./types.js";

export interface MemoryNetworkOptions {
  readonly gossipLimits?: GossipLimits;
  readonly score?: PeerScoreParams;
}

const SEEN_LIMIT = 10_000;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class MemoryHub {
  private readonly nodes = new Map<PeerIdStr, MemoryNetwork>();

  createNetwork(name: string, opts: MemoryNetworkOptions = {}): MemoryNetwork {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new XshardError("NET_BAD_ADDRESS", `memory endpoint name "${name}" must be 1–64 of [A-Za-z0-9_-]`, { name });
    if (this.nodes.has(name)) throw new XshardError("NET_DUPLICATE_PEER", `memory endpoint ${name} exists`, { name });
    const net = new MemoryNetwork(this, name, opts);
    this.nodes.set(name, net);
    return net;
  }

  getNetwork(name: PeerIdStr): MemoryNetwork | undefined {
    return this.nodes.get(name);
  }

  /** Cuts the link between two endpoints (both see `peer:disconnect`). */
  processCut(a: PeerIdStr, b: PeerIdStr): void {
    this.nodes.get(a)?.processDisconnect(b);
    this.nodes.get(b)?.processDisconnect(a);
  }

  removeNetwork(name: PeerIdStr): void {
    this.nodes.delete(name);
  }
}

export class MemoryNetwork implements Network {
  private readonly events = new NetworkEvents();
  private readonly scores: PeerScoreBook;
  private readonly inbound: GossipInbound;
  private readonly gossipLimits: GossipLimits;
  private readonly peers = new Set<PeerIdStr>();
  private readonly seen = new Set<string>();
  private readonly handlers = new Map<string, { handler: RequestHandler; limits: ProtocolLimits }>();
  private stopped = false;

  constructor(
    private readonly hub: MemoryHub,
    readonly peerId: PeerIdStr,
    opts: MemoryNetworkOptions,
  ) {
    this.gossipLimits = opts.gossipLimits ?? DEFAULT_GOSSIP_LIMITS;
    this.scores = new PeerScoreBook(opts.score ?? DEFAULT_PEER_SCORE_PARAMS);
    this.inbound = new GossipInbound({
      scores: this.scores,
      getMaxBytes: (topic) => computeTopicMaxBytes(topic, this.gossipLimits),
      emit: (e) => this.events.emit(e),
      onBan: (peer) => this.hub.processCut(this.peerId, peer),
    });
  }

  getAddresses(): string[] {
    return this.stopped ? [] : [`/memory/${this.peerId}`];
  }

  async connect(address: string): Promise<PeerIdStr> {
    const m = /^\/memory\/([A-Za-z0-9_-]{1,64})$/.exec(address);
    if (m === null) throw new XshardError("NET_BAD_ADDRESS", `not a memory address: ${address}`, { address });
    const name = m[1] as string;
    const other = this.hub.getNetwork(name);
    if (this.stopped || other === undefined || other.stopped || name === this.peerId) {
      throw new XshardError("NET_UNREACHABLE", `could not connect to ${address}`, { address });
    }
    if (this.scores.isBanned(name) || other.scores.isBanned(this.peerId)) {
      throw new XshardError("NET_UNREACHABLE", `could not connect to ${address}: banned`, { address });
    }
    await nextTurn();
    if (!this.peers.has(name)) {
      this.processConnect(name);
      other.processConnect(this.peerId);
    }
    return name;
  }

  private processConnect(peer: PeerIdStr): void {
    this.peers.add(peer);
    this.events.emit({ type: "peer:connect", peer });
  }

  /** Drops the connection to `peer` on this side (the hub calls both sides). */
  processDisconnect(peer: PeerIdStr): void {
    if (this.peers.delete(peer)) this.events.emit({ type: "peer:disconnect", peer });
  }

  getPeers(): PeerIdStr[] {
    return [...this.peers];
  }

  getMeshPeers(topic: string): PeerIdStr[] {
    return [...this.peers].filter((p) => this.hub.getNetwork(p)?.isSubscribed(topic) === true);
  }

  isSubscribed(topic: string): boolean {
    return this.inbound.getTopics().includes(topic);
  }

  async publish(topic: string, data: Uint8Array): Promise<number> {
    const limit = computeTopicMaxBytes(topic, this.gossipLimits);
    if (data.length > limit) {
      throw new XshardError("NET_MESSAGE_TOO_LARGE", `message of ${data.length} bytes exceeds ${limit} on ${topic}`, { topic, bytes: data.length, limit });
    }
    this.markSeen(topic, data);
    return this.forward(topic, data, undefined);
  }

  private forward(topic: string, data: Uint8Array, except: PeerIdStr | undefined): number {
    const targets = this.getMeshPeers(topic).filter((p) => p !== except);
    const copy = data.slice();
    for (const p of targets) {
      const target = this.hub.getNetwork(p);
      if (target !== undefined) void nextTurn().then(() => target.processGossip(topic, copy, this.peerId));
    }
    return targets.length;
  }

  /** One gossip message arriving from a connected peer. */
  async processGossip(topic: string, data: Uint8Array, from: PeerIdStr): Promise<void> {
    if (this.stopped || !this.peers.has(from) || !this.markSeen(topic, data)) return;
    const verdict = await this.inbound.processMessage({ topic, data, from });
    if (verdict.kind === "accept") this.forward(topic, data, from);
  }

  /** Records a message as seen; false when it was seen before. */
  private markSeen(topic: string, data: Uint8Array): boolean {
    const id = Buffer.from(sha256(topic, data)).toString("hex");
    if (this.seen.has(id)) return false;
    if (this.seen.size >= SEEN_LIMIT) this.seen.clear();
    this.seen.add(id);
    return true;
  }

  subscribe(topic: string, handler: GossipHandler): void {
    this.inbound.setHandler(topic, handler);
  }

  unsubscribe(topic: string): void {
    this.inbound.deleteHandler(topic);
  }

  async handle(protocol: string, handler: RequestHandler, limits: ProtocolLimits): Promise<void> {
    if (this.handlers.has(protocol)) throw new XshardError("NET_PROTOCOL_TAKEN", `cannot serve ${protocol}: already served`, { protocol });
    this.handlers.set(protocol, { handler, limits });
  }

  /** Serves one request from `from` (called by the requesting endpoint). */
  async processRequest(protocol: string, request: Uint8Array, from: PeerIdStr): Promise<Uint8Array> {
    const entry = this.handlers.get(protocol);
    if (entry === undefined) return encodeErrorResponse(RESPONSE_STATUS.UNKNOWN_PROTOCOL, `protocol ${protocol} not served`);
    if (request.length > entry.limits.maxRequestBytes) {
      if (this.scores.processBadRequest(from) === "ban") {
        this.events.emit({ type: "peer:ban", peer: from, score: this.scores.getScore(from) });
        this.hub.processCut(this.peerId, from);
      }
      return encodeErrorResponse(RESPONSE_STATUS.INVALID_REQUEST, "bad request: InvalidDataLengthError");
    }
    return computeResponseFrame(entry.handler, request, from, entry.limits);
  }

  async request(peer: PeerIdStr, protocol: string, data: Uint8Array, limits: ProtocolLimits): Promise<Uint8Array> {
    checkRequestSize(protocol, data, limits);
    const target = this.hub.getNetwork(peer);
    if (target === undefined || !this.peers.has(peer)) {
      throw new XshardError("NET_UNREACHABLE", `could not open ${protocol} to ${peer}: not connected`, { peer, protocol });
    }
    await nextTurn();
    const frame = await target.processRequest(protocol, data.slice(), this.peerId);
    if (frame.length > computeMaxFrameBytes(limits)) throw createResponseTooLargeError(protocol, peer, frame.length - 1, limits.maxResponseBytes);
    return decodeResponse(frame, protocol, peer, limits);
  }

  reportBadResponse(peer: PeerIdStr, protocol: string, rule: string): void {
    this.inbound.processBadResponse(peer, protocol, rule);
  }

  getPeerScore(peer: PeerIdStr): number {
    return this.scores.getScore(peer);
  }

  processTick(): void {
    this.scores.processTick();
  }

  on(listener: NetworkListener): () => void {
    return this.events.on(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of [...this.peers]) this.hub.processCut(this.peerId, p);
    this.hub.removeNetwork(this.peerId);
  }
}
