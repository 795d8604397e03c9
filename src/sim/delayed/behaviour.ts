/**
 * Adversarial committees for the two-stage chain (DESIGN §2 "Faults"), played through the
 * protocol's `CommitteeBehaviour` hook: `--wrong-signers committee:fraction[:fromSlot]`, and the
 * liveness faults (`--offline`): offline members do not sign (`isSigning`).
 *
 * - faulty stake < 2/3: the committee's state is the honest one; honest members sign the honest
 *   batch, faulty members a variant whose post-roots are those of the honest post-states with one
 *   extra key (FAULT_KEY) — real states, wrong roots;
 * - faulty stake ≥ 2/3: the committee's state itself is wrong (each transaction's first written
 *   value, in hex-key order, has its low bit flipped) and only the faulty members sign.
 */
import { getWeight, type Validator } from "../../chain/index.js";
import { toHex } from "../../crypto/hash.js";
import type { CommitteeBehaviour } from "../../protocols/delayed/behaviour.js";
import { isMajorityFaulty } from "../../protocols/delayed/rules.js";
import type { WrongSignerFault } from "../../protocols/delayed/options.js";
import type { MerkleKV } from "../../state/index.js";
import type { WriteSet } from "../../types.js";
import type { LivenessSchedule } from "../liveness.js";
import { round } from "../metrics.js";

/**
 * The members that sign wrong post-roots: in committee order, each one whose stake still fits
 * within `fraction` of the committee's stake (so the faulty share never exceeds `fraction`).
 */
export function selectWrongSigners(members: readonly Validator[], fraction: number): Validator[] {
  const cap = fraction * getWeight(members);
  const out: Validator[] = [];
  let weight = 0;
  for (const v of members) {
    if (weight + v.stake > cap) continue;
    out.push(v);
    weight += v.stake;
  }
  return out;
}

/** The key a faulty committee sets when a transaction wrote nothing to corrupt. */
export const FAULT_KEY = toHex(new TextEncoder().encode("xshard:fault"));

/**
 * What faulty members make of a transaction's writes: the first written key (hex order) with a
 * value gets its first byte's low bit flipped (a counter or balance off by one); with no such
 * write, FAULT_KEY is set. A real state, so witnesses against the wrong root verify.
 */
export function computeCorruptedWrites(writes: WriteSet | undefined): WriteSet {
  const out: WriteSet = new Map(writes ?? []);
  const key = [...out.keys()].filter((k) => (out.get(k) ?? new Uint8Array(0)).length > 0).sort()[0];
  if (key === undefined) {
    out.set(FAULT_KEY, new Uint8Array([1]));
    return out;
  }
  const v = (out.get(key) as Uint8Array).slice();
  v[0] = (v[0] as number) ^ 1;
  out.set(key, v);
  return out;
}

/** The `--wrong-signers` behaviour; the realised faulty share per committee is `faultyStakeShare`. */
export class WrongSignersBehaviour implements CommitteeBehaviour {
  private readonly faulty = new Map<number, { members: ReadonlySet<number>; fromSlot: number }>();
  /** Largest faulty share of a committee's stake at genesis. */
  readonly faultyStakeShare: number;

  constructor(faults: readonly WrongSignerFault[], committees: readonly (readonly Validator[])[], private readonly liveness?: LivenessSchedule) {
    let share = 0;
    for (const f of faults) {
      const committee = committees[f.committee] as Validator[];
      const members = selectWrongSigners(committee, f.fraction);
      this.faulty.set(f.committee, { members: new Set(members.map((v) => v.index)), fromSlot: f.fromSlot });
      share = Math.max(share, round(getWeight(members) / getWeight(committee)));
    }
    this.faultyStakeShare = share;
  }

  getFaulty(committee: number, slot: number, members: readonly Validator[]): Validator[] {
    const w = this.faulty.get(committee);
    if (!w || slot < w.fromSlot) return [];
    return members.filter((v) => w.members.has(v.index));
  }

  isCorrupting(committee: number, slot: number, members: readonly Validator[]): boolean {
    const faulty = this.getFaulty(committee, slot, members);
    return faulty.length > 0 && isMajorityFaulty(getWeight(faulty), getWeight(members));
  }

  corruptWrites(writes: WriteSet | undefined): WriteSet {
    return computeCorruptedWrites(writes);
  }

  corruptVariant(post: MerkleKV): MerkleKV {
    return post.applyWrites(computeCorruptedWrites(undefined));
  }

  /** Liveness faults (`--offline`): an offline member does not sign. */
  isSigning(member: Validator, slot: number): boolean {
    return this.liveness === undefined || this.liveness.isOnline(member.index, slot);
  }
}
