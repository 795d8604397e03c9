/**
 * The inbound rules every `Network` implementation applies in the same order:
 * gossip — unknown topic → ignore; over the topic's size limit → reject (`MESSAGE_TOO_LARGE`,
 * before the validator decodes anything); otherwise the subscriber's validator decides; a reject
 * scores the sender down and enough of them ban it.
 * request/response — one response frame `[status byte] ‖ payload`; a handler's `XshardError`
 * becomes an `INVALID_REQUEST` response carrying its code, anything else a bare `SERVER_ERROR`
 * (never a stack trace on the wire).
 */
import { XshardError, isXshardError } from "../../errors.js";
import type { PeerScoreBook } from "./scoring.js";
import type { GossipHandler, GossipMessage, NetworkEvent, PeerIdStr, ProtocolLimits, RequestHandler, Verdict } from "./types.js";
import { ignoreVerdict, rejectVerdict } from "./types.js";

export const RULE_MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE";

export interface GossipInboundOptions {
  readonly scores: PeerScoreBook;
  readonly getMaxBytes: (topic: string) => number;
  readonly emit: (event: NetworkEvent) => void;
  /** Called when a peer's score falls to the ban threshold: the implementation disconnects it. */
  readonly onBan: (peer: PeerIdStr) => void;
}

export class GossipInbound {
  private readonly handlers = new Map<string, GossipHandler>();

  constructor(private readonly opts: GossipInboundOptions) {}

  setHandler(topic: string, handler: GossipHandler): void {
    this.handlers.set(topic, handler);
  }

  deleteHandler(topic: string): void {
    this.handlers.delete(topic);
  }

  getTopics(): string[] {
    return [...this.handlers.keys()];
  }

  /** Validates one inbound message; scores and bans its sender on reject; delivers it on accept. */
  async processMessage(msg: GossipMessage): Promise<Verdict> {
    const handler = this.handlers.get(msg.topic);
    if (handler === undefined) return ignoreVerdict("NOT_SUBSCRIBED");
    let verdict: Verdict;
    if (msg.data.length > this.opts.getMaxBytes(msg.topic)) {
      verdict = rejectVerdict(RULE_MESSAGE_TOO_LARGE);
    } else {
      try {
        verdict = await handler.validate(msg);
      } catch (e) {
        // A validator that throws has a bug; the message is dropped without blaming its sender.
        verdict = ignoreVerdict(isXshardError(e) ? `VALIDATOR_ERROR:${e.code}` : "VALIDATOR_ERROR");
      }
    }
    if (verdict.kind === "reject") this.processRejected(msg, verdict.rule);
    else if (verdict.kind === "accept") handler.onAccepted?.(msg);
    return verdict;
  }

  private processRejected(msg: GossipMessage, rule: string): void {
    this.opts.emit({ type: "gossip:reject", topic: msg.topic, from: msg.from, rule });
    this.penalize(msg.from);
  }

  /** A response the application found invalid: the same penalty as a rejected message. */
  processBadResponse(from: PeerIdStr, protocol: string, rule: string): void {
    this.opts.emit({ type: "response:reject", protocol, from, rule });
    this.penalize(from);
  }

  private penalize(peer: PeerIdStr): void {
    if (this.opts.scores.processReject(peer) === "ban") {
      this.opts.emit({ type: "peer:ban", peer, score: this.opts.scores.getScore(peer) });
      this.opts.onBan(peer);
    }
  }
}

/** Status byte of a response frame. */
export const RESPONSE_STATUS = { OK: 0, INVALID_REQUEST: 1, SERVER_ERROR: 2, UNKNOWN_PROTOCOL: 3 } as const;
export type ResponseStatus = (typeof RESPONSE_STATUS)[keyof typeof RESPONSE_STATUS];

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function encodeResponse(status: ResponseStatus, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + payload.length);
  out[0] = status;
  out.set(payload, 1);
  return out;
}

/** Longest error message in a response frame (bytes of UTF-8, after truncation). */
export const MAX_ERROR_MESSAGE_BYTES = 256;

export function encodeErrorResponse(status: ResponseStatus, message: string): Uint8Array {
  return encodeResponse(status, utf8.encode(message).subarray(0, MAX_ERROR_MESSAGE_BYTES));
}

/** Largest response frame a client reads: its payload limit, or room for an error message. */
export function computeMaxFrameBytes(limits: ProtocolLimits): number {
  return Math.max(limits.maxResponseBytes, MAX_ERROR_MESSAGE_BYTES) + 1;
}

/**
 * The payload of an OK frame (over `limits.maxResponseBytes` → `NET_RESPONSE_TOO_LARGE`); status
 * 3 → `NET_UNSUPPORTED_PROTOCOL`; any other status → `NET_REQUEST_FAILED` with the server's message.
 */
export function decodeResponse(frame: Uint8Array, protocol: string, peer: PeerIdStr, limits: ProtocolLimits): Uint8Array {
  if (frame.length === 0) throw new XshardError("NET_REQUEST_FAILED", `empty response from ${peer} on ${protocol}`, { protocol, peer, status: -1 });
  const status = frame[0] as number;
  const payload = frame.subarray(1);
  if (status === RESPONSE_STATUS.OK) {
    if (payload.length > limits.maxResponseBytes) throw createResponseTooLargeError(protocol, peer, payload.length, limits.maxResponseBytes);
    return payload;
  }
  if (status === RESPONSE_STATUS.UNKNOWN_PROTOCOL) throw createUnsupportedProtocolError(protocol, peer);
  throw new XshardError("NET_REQUEST_FAILED", `${peer} answered ${protocol} with status ${status}: ${fromUtf8.decode(payload)}`, {
    protocol,
    peer,
    status,
    message: fromUtf8.decode(payload),
  });
}

/** Checks a request against its protocol's limit before anything is sent. */
export function checkRequestSize(protocol: string, data: Uint8Array, limits: ProtocolLimits): void {
  if (data.length > limits.maxRequestBytes) {
    throw new XshardError("NET_REQUEST_TOO_LARGE", `request of ${data.length} bytes exceeds ${limits.maxRequestBytes} on ${protocol}`, {
      protocol,
      bytes: data.length,
      limit: limits.maxRequestBytes,
    });
  }
}

export function createResponseTooLargeError(protocol: string, peer: PeerIdStr, bytes: number | undefined, limit: number): XshardError {
  return new XshardError("NET_RESPONSE_TOO_LARGE", `response from ${peer} on ${protocol} exceeds ${limit} bytes`, { protocol, peer, bytes, limit });
}

export function createUnsupportedProtocolError(protocol: string, peer: PeerIdStr): XshardError {
  return new XshardError("NET_UNSUPPORTED_PROTOCOL", `${peer} does not serve ${protocol}`, { protocol, peer });
}

/** Runs a handler and turns its outcome into a response frame (never throws). */
export async function computeResponseFrame(handler: RequestHandler, request: Uint8Array, from: PeerIdStr, limits: ProtocolLimits): Promise<Uint8Array> {
  let response: Uint8Array;
  try {
    response = await handler(request, from);
  } catch (e) {
    if (isXshardError(e)) return encodeErrorResponse(RESPONSE_STATUS.INVALID_REQUEST, `${e.code}: ${e.message}`);
    return encodeErrorResponse(RESPONSE_STATUS.SERVER_ERROR, "internal error");
  }
  if (response.length > limits.maxResponseBytes) return encodeErrorResponse(RESPONSE_STATUS.SERVER_ERROR, "response exceeds the protocol's limit");
  return encodeResponse(RESPONSE_STATUS.OK, response);
}

/** A tiny typed event fan-out shared by the implementations. */
export class NetworkEvents {
  private readonly listeners = new Set<(event: NetworkEvent) => void>();

  on(listener: (event: NetworkEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: NetworkEvent): void {
    for (const l of [...this.listeners]) l(event);
  }
}
