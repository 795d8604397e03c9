/**
 * Liveness faults (`--offline SHARE`, `--offline-from`, `--offline-until`): which validators are
 * offline, and when. A fault of the simulated world, so it lives with the driver, not the rules:
 * an offline validator neither signs nor proposes; the protocols see only missing signatures and
 * missed proposals (empty slots).
 *
 * The offline set is a pure function of the run's seed, the validator count and the share — the
 * same validators in every protocol of one comparison: the validators are ranked by
 * sha256(seed ‖ "xshard:offline" ‖ index) and the first round(share × count) are offline.
 */
import { sha256, toHex } from "../crypto/hash.js";
import type { RunConfig } from "./protocol.js";

const DOMAIN_OFFLINE = "xshard:offline";

export class LivenessSchedule {
  private readonly offline: ReadonlySet<number>;
  private readonly from: number;
  private readonly until: number;

  constructor(offline: ReadonlySet<number>, from: number, until: number | null) {
    this.offline = offline;
    this.from = from;
    this.until = until ?? Number.POSITIVE_INFINITY;
  }

  /** The validators that are ever offline (indices into the validator list). */
  get offlineValidators(): ReadonlySet<number> {
    return this.offline;
  }

  /** Whether validator `index` signs and proposes at `slot`. */
  isOnline(index: number, slot: number): boolean {
    return !(this.offline.has(index) && slot >= this.from && slot < this.until);
  }

  /** Whether any validator is offline at `slot`. */
  anyOffline(slot: number): boolean {
    return this.offline.size > 0 && slot >= this.from && slot < this.until;
  }
}

/** The validators a share of `count` takes offline, ranked by seeded hash (see the module comment). */
export function computeOfflineValidators(seed: string, count: number, share: number): Set<number> {
  const k = Math.round(share * count);
  if (k <= 0) return new Set();
  const ranked: { index: number; key: string }[] = [];
  for (let i = 0; i < count; i++) {
    ranked.push({ index: i, key: toHex(sha256(seed, "\u0000", DOMAIN_OFFLINE, "\u0000", String(i))) });
  }
  ranked.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
  return new Set(ranked.slice(0, k).map((r) => r.index));
}

/** The run's liveness schedule (nobody offline by default). */
export function createLivenessSchedule(config: Pick<RunConfig, "seed" | "validators" | "offlineShare" | "offlineFrom" | "offlineUntil">): LivenessSchedule {
  return new LivenessSchedule(computeOfflineValidators(config.seed, config.validators, config.offlineShare), config.offlineFrom, config.offlineUntil);
}
