/**
 * The network a node sees, behind one small interface (in the manner of Lodestar's light-client
 * transport): gossip with validation, request/response with size limits, peer events. Two
 * implementations: libp2p (`libp2p.ts`) and in-memory (`memory.ts`, for tests). Both apply the
 * same inbound rules (`inbound.ts`) and the same peer scoring (`scoring.ts`).
 */

/** A peer's id as a string (a libp2p peer id, or a memory endpoint's name). */
export type PeerIdStr = string;

/**
 * A gossip validator's verdict (gossipsub's accept / ignore / reject). `reject` names the rule the
 * message broke and scores its sender down; `ignore` drops it without blame (duplicate, too old).
 */
export type Verdict =
  | { readonly kind: "accept" }
  | { readonly kind: "ignore"; readonly reason: string }
  | { readonly kind: "reject"; readonly rule: string };

export const ACCEPT: Verdict = { kind: "accept" };
export function ignoreVerdict(reason: string): Verdict {
  return { kind: "ignore", reason };
}
export function rejectVerdict(rule: string): Verdict {
  return { kind: "reject", rule };
}

/** A gossip message as a validator sees it: `from` is the peer that passed it to us. */
export interface GossipMessage {
  readonly topic: string;
  readonly data: Uint8Array;
  readonly from: PeerIdStr;
}

export interface GossipHandler {
  /** Decides whether the message is valid; only accepted messages are delivered and forwarded. */
  validate(msg: GossipMessage): Verdict | Promise<Verdict>;
  /** Called once per accepted message, after `validate`. */
  onAccepted?(msg: GossipMessage): void;
}

/** Limits of one request/response protocol (bytes of the payload, not counting framing). */
export interface ProtocolLimits {
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
}

/** Serves one request: the returned bytes are the response. A thrown `XshardError` becomes an error response. */
export type RequestHandler = (request: Uint8Array, from: PeerIdStr) => Uint8Array | Promise<Uint8Array>;

export interface RequestOptions {
  /** Overall time allowed for dialling, sending and reading the response (default 10 s). */
  readonly timeoutMs?: number;
}

export type NetworkEvent =
  | { readonly type: "peer:connect"; readonly peer: PeerIdStr }
  | { readonly type: "peer:disconnect"; readonly peer: PeerIdStr }
  | { readonly type: "gossip:reject"; readonly topic: string; readonly from: PeerIdStr; readonly rule: string }
  | { readonly type: "response:reject"; readonly protocol: string; readonly from: PeerIdStr; readonly rule: string }
  | { readonly type: "peer:ban"; readonly peer: PeerIdStr; readonly score: number };

export type NetworkListener = (event: NetworkEvent) => void;

export interface Network {
  /** This node's own peer id. */
  readonly peerId: PeerIdStr;
  /** Addresses other nodes can dial (multiaddrs with `/p2p/<id>` for libp2p). */
  getAddresses(): string[];
  /** Dials an address; resolves to the peer id once connected. */
  connect(address: string): Promise<PeerIdStr>;
  /** Peers with an open connection. */
  getPeers(): PeerIdStr[];
  /** Peers this node forwards `topic` to (gossipsub's mesh; in memory, subscribed neighbours). */
  getMeshPeers(topic: string): PeerIdStr[];
  /**
   * Publishes to a topic. Throws `NET_MESSAGE_TOO_LARGE` above the topic's limit (nothing is
   * sent). Resolves to the number of peers it was sent to (0 is not an error).
   */
  publish(topic: string, data: Uint8Array): Promise<number>;
  /** Subscribes; messages are size-checked, then validated by `handler`, before delivery. */
  subscribe(topic: string, handler: GossipHandler): void;
  unsubscribe(topic: string): void;
  /** Serves a request/response protocol (resolves once registered; a second handler for one protocol is `NET_PROTOCOL_TAKEN`). */
  handle(protocol: string, handler: RequestHandler, limits: ProtocolLimits): Promise<void>;
  /**
   * Sends one request and reads one response. Throws `XshardError` with code
   * `NET_REQUEST_TOO_LARGE`, `NET_RESPONSE_TOO_LARGE`, `NET_REQUEST_FAILED` (the server's error
   * response), `NET_TIMEOUT` or `NET_UNREACHABLE`.
   */
  request(peer: PeerIdStr, protocol: string, data: Uint8Array, limits: ProtocolLimits, opts?: RequestOptions): Promise<Uint8Array>;
  /**
   * The application found a peer's response invalid (e.g. a forged Merkle proof): a
   * `response:reject` event names the rule and the peer is scored down like a rejected message
   * (disconnected and banned at the threshold).
   */
  reportBadResponse(peer: PeerIdStr, protocol: string, rule: string): void;
  /** The application-level score of a peer (0 = neutral; lower is worse). */
  getPeerScore(peer: PeerIdStr): number;
  /** Decays scores and expires bans; the node calls it once per slot. */
  processTick(): void;
  /** Subscribes to network events; returns the unsubscribe function. */
  on(listener: NetworkListener): () => void;
  stop(): Promise<void>;
}
