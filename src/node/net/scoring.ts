/**
 * Application-level peer scores, shared by every `Network` implementation (in the manner of
 * Lodestar's `PeerRpcScoreStore`). Each rejected gossip message or malformed request lowers the
 * sender's score; below `disconnectBelow` the peer is disconnected and banned for `banTicks`
 * ticks. Scores decay towards 0 once per tick (the node ticks once per slot), so the book reads
 * no clock.
 */
import { XshardError } from "../../errors.js";
import type { PeerIdStr } from "./types.js";

export interface PeerScoreParams {
  /** Added for each rejected gossip message (negative). */
  readonly rejectPenalty: number;
  /** Added for each malformed or oversized request (negative). */
  readonly badRequestPenalty: number;
  /** At or below this score the peer is disconnected and banned. */
  readonly disconnectBelow: number;
  /** Each tick a score is multiplied by this (0..1). */
  readonly decayPerTick: number;
  /** Ticks a banned peer stays banned. */
  readonly banTicks: number;
}

export const DEFAULT_PEER_SCORE_PARAMS: PeerScoreParams = {
  rejectPenalty: -10,
  badRequestPenalty: -10,
  disconnectBelow: -50,
  decayPerTick: 0.9,
  banTicks: 60,
};

export type PenaltyOutcome = "kept" | "ban";

export function checkPeerScoreParams(p: PeerScoreParams): void {
  const ok =
    p.rejectPenalty < 0 && p.badRequestPenalty < 0 && p.disconnectBelow < 0 &&
    p.decayPerTick >= 0 && p.decayPerTick <= 1 && Number.isSafeInteger(p.banTicks) && p.banTicks >= 0;
  if (!ok) throw new XshardError("NET_BAD_SCORE_PARAMS", "penalties and the disconnect threshold must be negative, decay in [0,1], banTicks a whole number ≥ 0", { ...p });
}

export class PeerScoreBook {
  private readonly scores = new Map<PeerIdStr, number>();
  /** Peer → ticks left in its ban. */
  private readonly bans = new Map<PeerIdStr, number>();

  constructor(readonly params: PeerScoreParams = DEFAULT_PEER_SCORE_PARAMS) {
    checkPeerScoreParams(params);
  }

  getScore(peer: PeerIdStr): number {
    return this.scores.get(peer) ?? 0;
  }

  isBanned(peer: PeerIdStr): boolean {
    return this.bans.has(peer);
  }

  /** A gossip message from `peer` was rejected. */
  processReject(peer: PeerIdStr): PenaltyOutcome {
    return this.processPenalty(peer, this.params.rejectPenalty);
  }

  /** `peer` sent a malformed or oversized request. */
  processBadRequest(peer: PeerIdStr): PenaltyOutcome {
    return this.processPenalty(peer, this.params.badRequestPenalty);
  }

  /** One tick: scores decay, bans count down. */
  processTick(): void {
    for (const [peer, score] of this.scores) {
      const next = score * this.params.decayPerTick;
      if (Math.abs(next) < 0.01) this.scores.delete(peer);
      else this.scores.set(peer, next);
    }
    for (const [peer, left] of this.bans) {
      if (left <= 1) this.bans.delete(peer);
      else this.bans.set(peer, left - 1);
    }
  }

  private processPenalty(peer: PeerIdStr, penalty: number): PenaltyOutcome {
    const score = this.getScore(peer) + penalty;
    this.scores.set(peer, score);
    if (score <= this.params.disconnectBelow) {
      this.bans.set(peer, Math.max(1, this.params.banTicks));
      return "ban";
    }
    return "kept";
  }
}
