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
import { getWeight, isSupermajority, type Validator } from "../chain/validators.js";
import type { LivenessBlock, ResultsFile } from "../results/schema.js";
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

/** Whether `members` that are online at `slot` hold ≥ 2/3 of the group's stake (the attestation rule). */
export function hasOnlineQuorum(schedule: LivenessSchedule, members: readonly Validator[], slot: number): boolean {
  if (!schedule.anyOffline(slot)) return true;
  return isSupermajority(getWeight(filterOnline(schedule, members, slot)), getWeight(members));
}

/** The members online at `slot` (those who sign). */
export function filterOnline<V extends Pick<Validator, "index">>(schedule: LivenessSchedule, members: readonly V[], slot: number): V[] {
  if (!schedule.anyOffline(slot)) return [...members];
  return members.filter((v) => schedule.isOnline(v.index, slot));
}

/** A slot-interval `[from, until)` in which `group` could not gather 2/3 of its stake. */
export interface StallInterval {
  group: number;
  from: number;
  until: number;
}

/**
 * How a protocol degrades under liveness faults, as the drivers record it: missed proposals per
 * chain (a slot whose selected proposer is offline is empty; a block whose attesters lack 2/3 online
 * is not final either) and stalled groups (committees or shards that had something to sign but
 * whose online stake was below 2/3), merged into slot-intervals. Written to results only when the
 * run has offline validators (`offlineShare > 0`), so fault-free results are unchanged.
 */
export class DegradationRecorder {
  readonly schedule: LivenessSchedule;
  private readonly missed = new Map<string, number>();
  private readonly missedBySlot = new Map<number, number>();
  private readonly stalls = new Map<number, Set<number>>();

  constructor(
    config: Pick<RunConfig, "seed" | "validators" | "offlineShare" | "offlineFrom" | "offlineUntil">,
    /** The chains whose proposals are counted, in report order (e.g. `["stage1", "stage2"]`). */
    private readonly chains: readonly string[],
    /** What a stalled group is: `committee` or `shard`. */
    private readonly groupKind: string,
  ) {
    this.schedule = createLivenessSchedule(config);
    for (const c of chains) this.missed.set(c, 0);
  }

  /** Whether any validator is ever offline in this run (then the figures are written). */
  get enabled(): boolean {
    return this.schedule.offlineValidators.size > 0;
  }

  isOnline(index: number, slot: number): boolean {
    return this.schedule.isOnline(index, slot);
  }

  hasQuorum(members: readonly Validator[], slot: number): boolean {
    return hasOnlineQuorum(this.schedule, members, slot);
  }

  online<V extends Pick<Validator, "index">>(members: readonly V[], slot: number): V[] {
    return filterOnline(this.schedule, members, slot);
  }

  /** A missed proposal (empty slot) of `chain` at `slot`. */
  recordMissed(chain: string, slot: number): void {
    if (!this.missed.has(chain)) throw new Error(`internal: unknown chain ${chain}`);
    this.missed.set(chain, (this.missed.get(chain) as number) + 1);
    this.missedBySlot.set(slot, (this.missedBySlot.get(slot) ?? 0) + 1);
  }

  /** `group` could not reach 2/3 at `slot` although it had something to sign. */
  recordStall(group: number, slot: number): void {
    (this.stalls.get(group) ?? this.stalls.set(group, new Set()).get(group))?.add(slot);
  }

  /** Stalled slots merged into intervals, by group then start. */
  getIntervals(): StallInterval[] {
    const out: StallInterval[] = [];
    for (const group of [...this.stalls.keys()].sort((a, b) => a - b)) {
      const slots = [...(this.stalls.get(group) as Set<number>)].sort((a, b) => a - b);
      let from = slots[0] as number;
      let prev = from;
      for (const s of slots.slice(1)) {
        if (s === prev + 1) {
          prev = s;
          continue;
        }
        out.push({ group, from, until: prev + 1 });
        from = prev = s;
      }
      if (slots.length > 0) out.push({ group, from, until: prev + 1 });
    }
    return out;
  }

  /** Flat figures for `summary.protocol` (empty when nobody is offline). */
  computeSummary(): Record<string, number> {
    if (!this.enabled) return {};
    const out: Record<string, number> = {};
    let total = 0;
    for (const c of this.chains) {
      const n = this.missed.get(c) as number;
      out[`missedSlots${c.charAt(0).toUpperCase()}${c.slice(1)}`] = n;
      total += n;
    }
    out["missedSlots"] = total;
    out["stalledGroups"] = this.stalls.size;
    let slots = 0;
    for (const s of this.stalls.values()) slots += s.size;
    out["stalledGroupSlots"] = slots;
    return out;
  }

  /** Per-slot series: `missed` (proposals missed) and `stalled` (groups stalled); none when nobody is offline. */
  computeSeries(slot: number): Record<string, number> {
    if (!this.enabled) return {};
    let stalled = 0;
    for (const s of this.stalls.values()) if (s.has(slot)) stalled++;
    return { missed: this.missedBySlot.get(slot) ?? 0, stalled };
  }

  /** The results file's `liveness` block (undefined when nobody is offline). */
  computeBlock(): LivenessBlock | undefined {
    if (!this.enabled) return undefined;
    const intervals = this.getIntervals();
    return {
      offlineValidators: [...this.schedule.offlineValidators].sort((a, b) => a - b),
      missedSlots: Object.fromEntries(this.chains.map((c) => [c, this.missed.get(c) as number])),
      stalled: { kind: this.groupKind, count: this.stalls.size, intervals },
    };
  }

  /** Adds the figures to a built results file (summary, per-slot series, `liveness` block). */
  apply(results: ResultsFile): ResultsFile {
    const block = this.computeBlock();
    if (!block) return results;
    const protocol = { ...results.summary.protocol, ...this.computeSummary() };
    const sorted = Object.fromEntries(Object.keys(protocol).sort().map((k) => [k, protocol[k] as number | number[] | null]));
    const slots = results.slots.map((r) => {
      const series = { ...r.series, ...this.computeSeries(r.slot) };
      return { ...r, series: Object.fromEntries(Object.keys(series).sort().map((k) => [k, series[k] as number | number[]])) };
    });
    return { ...results, summary: { ...results.summary, protocol: sorted }, slots, liveness: block };
  }
}
