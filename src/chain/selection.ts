/**
 * Proposer and committee selection as pure functions of a seed recorded in chain state and the
 * slot (or committee index), after the beacon chain's `get_seed` / `compute_shuffled_index` /
 * `compute_proposer_index`. Nothing here depends on how many draws came before, so every node and
 * every light client computes the same proposer and the same committees on its own.
 *
 * The seed: `computeSeed(chainSeed, domain, n)` = sha256(domain ‖ chainSeed ‖ n). The chain's seed
 * is fixed at genesis (`ChainState.seed`); the beacon chain also mixes each proposer's RANDAO reveal
 * into it, which makes selection unpredictable far ahead — xshard does not model that attack, and a
 * RANDAO mix can replace the fixed seed without changing any caller.
 */
import { readUint32BE, sha256, toHex } from "../crypto/hash.js";
import { XshardError } from "../errors.js";
import { MAX_STAKE, type Validator } from "./validators.js";

/** Selection domains: one seed per purpose, so a new purpose never shifts another's choices. */
export const DOMAIN_PROPOSER = "xshard:seed:proposer";
export const DOMAIN_SLOT_COMMITTEE = "xshard:seed:slot-committee";
/** Attesters of Stage-2 blocks (indexed by Stage-2 block number). */
export const DOMAIN_STAGE2_COMMITTEE = "xshard:seed:stage2-committee";
export const DOMAIN_COMMITTEES = "xshard:seed:committees";
export const DOMAIN_ASSIGNMENT = "xshard:seed:assignment";

/** Rounds of the swap-or-not shuffle (the beacon chain's SHUFFLE_ROUND_COUNT). */
export const SHUFFLE_ROUND_COUNT = 90;

/** Largest number of 256-position chunks whose source hashes a shuffler keeps in its flat table (made at once). */
const MAX_FLAT_CHUNKS = 64;

function u64le(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

/** The seed of one purpose at one slot (or epoch, or committee index). */
export function computeSeed(chainSeed: string, domain: string, n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new XshardError("BAD_RANGE", `seed index must be a non-negative integer, got ${n}`, { n });
  return sha256(domain, ":", chainSeed, ":", u64le(n));
}

/**
 * The swap-or-not network of one (count, seed) (consensus-specs `compute_shuffled_index`), with
 * each round's pivot and each 256-position source hash computed once: k positions cost
 * 90 + 90·⌈count/256⌉ hashes at most, instead of 180·k. Same permutation as the spec's function.
 * The source hashes sit in one flat table (round r's chunk c at bytes 32(r·chunks + c)…, filled
 * when first needed), so a position's bit is one byte read, with shifts for the divisions.
 */
export class Shuffler {
  private readonly pivots: Float64Array;
  /** Every round's source hashes, 32 bytes a chunk, round by round (empty when not `flat`). */
  private readonly sources: Uint8Array;
  /** 1 where a (round, chunk)'s source hash is in `sources`. */
  private readonly filled: Uint8Array;
  /** Per round, when the count is too large for the flat table: chunk → source hash. */
  private readonly sparse: Map<number, Uint8Array>[] = [];
  private readonly chunks: number;
  /** Whether the flat table is used (at most MAX_FLAT_CHUNKS chunks: 180 KiB for all rounds). */
  private readonly flat: boolean;
  private readonly buf: Uint8Array;
  private readonly view: DataView;

  constructor(
    readonly count: number,
    private readonly seed: Uint8Array,
  ) {
    if (!(Number.isSafeInteger(count) && count > 0)) throw new XshardError("BAD_RANGE", `shuffle count must be a positive integer, got ${count}`, { count });
    this.buf = new Uint8Array(seed.length + 1 + 4);
    this.buf.set(seed, 0);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.chunks = Math.floor((count - 1) / 256) + 1;
    this.flat = this.chunks <= MAX_FLAT_CHUNKS;
    this.pivots = new Float64Array(SHUFFLE_ROUND_COUNT);
    this.sources = new Uint8Array(this.flat ? SHUFFLE_ROUND_COUNT * this.chunks * 32 : 0);
    this.filled = new Uint8Array(this.flat ? SHUFFLE_ROUND_COUNT * this.chunks : 0);
    for (let round = 0; round < SHUFFLE_ROUND_COUNT; round++) {
      this.buf[seed.length] = round;
      this.pivots[round] = Number(readBigUint64LE(sha256(this.buf.subarray(0, seed.length + 1))) % BigInt(count));
    }
  }

  /** The byte of round `round`'s source that holds `position`'s bit (hashing its chunk the first time). */
  private sourceByte(round: number, position: number): number {
    const chunk = Math.floor(position / 256);
    if (!this.flat) {
      const row = (this.sparse[round] ??= new Map());
      let h = row.get(chunk);
      if (h === undefined) {
        this.buf[this.seed.length] = round;
        this.view.setUint32(this.seed.length + 1, chunk, true);
        h = sha256(this.buf);
        row.set(chunk, h);
      }
      return h[Math.floor((position % 256) / 8)] as number;
    }
    const at = round * this.chunks + chunk;
    if (this.filled[at] === 0) {
      this.buf[this.seed.length] = round;
      this.view.setUint32(this.seed.length + 1, chunk, true);
      this.sources.set(sha256(this.buf), at * 32);
      this.filled[at] = 1;
    }
    return this.sources[at * 32 + Math.floor((position % 256) / 8)] as number;
  }

  /** Where `index` lands in the permutation. */
  index(index: number): number {
    const count = this.count;
    if (!(Number.isInteger(index) && index >= 0 && index < count)) throw new XshardError("BAD_RANGE", `shuffle index ${index} outside [0, ${count})`, { index, count });
    let cur = index;
    if (this.flat) {
      // Positions fit 14 bits: shifts and masks for the divisions, the flat table read directly.
      const { sources, filled, chunks } = this;
      for (let round = 0; round < SHUFFLE_ROUND_COUNT; round++) {
        // (pivot + count - cur) % count, with pivot and cur in [0, count).
        let flip = (this.pivots[round] as number) - cur;
        if (flip < 0) flip += count;
        const position = cur > flip ? cur : flip;
        const at = round * chunks + (position >>> 8);
        const byte = filled[at] === 1 ? (sources[(at << 5) | ((position & 255) >>> 3)] as number) : this.sourceByte(round, position);
        if ((byte >>> (position & 7)) & 1) cur = flip;
      }
      return cur;
    }
    for (let round = 0; round < SHUFFLE_ROUND_COUNT; round++) {
      const flip = ((this.pivots[round] as number) + count - cur) % count;
      const position = Math.max(cur, flip);
      if ((this.sourceByte(round, position) >> (position % 8)) & 1) cur = flip;
    }
    return cur;
  }

  /** The first `k` positions' images: `[index(0), …, index(k − 1)]`. */
  prefix(k: number): Uint32Array | number[] {
    const out = this.count <= 0xffffffff ? new Uint32Array(k) : new Array<number>(k);
    for (let i = 0; i < k; i++) out[i] = this.index(i);
    return out;
  }
}

/** A few recent shufflers by (seed, count): committees are derived again and again from one seed. */
const recent = new Map<string, Shuffler>();
const RECENT_SHUFFLERS = 32;

/** The shuffler of (count, seed), memoised (a pure function of its arguments). */
export function getShuffler(count: number, seed: Uint8Array): Shuffler {
  const key = `${count}:${toHex(seed)}`;
  let s = recent.get(key);
  if (s === undefined) {
    s = new Shuffler(count, seed);
    if (recent.size >= RECENT_SHUFFLERS) recent.delete(recent.keys().next().value as string);
    recent.set(key, s);
  }
  return s;
}

/**
 * Where `index` lands in a permutation of `count` items under `seed`: the swap-or-not network
 * (consensus-specs `compute_shuffled_index`), so one position is computed without the whole list.
 */
export function computeShuffledIndex(index: number, count: number, seed: Uint8Array): number {
  if (!(index >= 0 && index < count)) throw new XshardError("BAD_RANGE", `shuffle index ${index} outside [0, ${count})`, { index, count });
  return getShuffler(count, seed).index(index);
}

function readBigUint64LE(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
}

/**
 * The stake-weighted proposer of `slot` among `validators` (consensus-specs
 * `compute_proposer_index`): walk the shuffled set and accept candidate `i` with probability
 * stake / MAX_STAKE. `domain` separates proposers of different chains (e.g. one per shard).
 */
export function computeProposer(validators: readonly Validator[], chainSeed: string, slot: number, domain = DOMAIN_PROPOSER): Validator {
  const n = validators.length;
  if (n === 0) throw new XshardError("NO_VALIDATORS", "no validators to propose", {});
  const seed = computeSeed(chainSeed, domain, slot);
  const shuffler = getShuffler(n, seed);
  for (let i = 0; ; i++) {
    const candidate = validators[shuffler.index(i % n)] as Validator;
    const random = sha256(seed, u64le(Math.floor(i / 32)))[i % 32] as number;
    if (candidate.stake * 255 >= MAX_STAKE * random) return candidate;
  }
}

/**
 * The first `size` validators of the slot's shuffle: the committee that attests that slot's block
 * (`domain` DOMAIN_STAGE2_COMMITTEE with a Stage-2 block number for Stage-2 blocks).
 */
export function computeSlotCommittee<V = Validator>(validators: readonly V[], chainSeed: string, slot: number, size: number, domain = DOMAIN_SLOT_COMMITTEE): V[] {
  const positions = getSlotCommitteePositions(validators.length, chainSeed, slot, size, domain);
  const out = new Array<V>(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = validators[positions[i] as number] as V;
  return out;
}

/** Recent slot committees' positions in the validator list, by every input they depend on. */
const recentCommittees = new Map<string, Uint32Array | number[]>();
const RECENT_COMMITTEES = 64;

/**
 * Where the members of a slot committee sit in a list of `n` validators: the first min(size, n)
 * images of the slot's shuffle. A pure function of its arguments, memoised by all of them (a
 * block's committee is derived when it is built, applied and attested); callers get a shared
 * read-only array.
 */
function getSlotCommitteePositions(n: number, chainSeed: string, slot: number, size: number, domain: string): Uint32Array | number[] {
  const key = `${n}:${size}:${slot}:${domain.length}:${domain}:${chainSeed}`;
  let positions = recentCommittees.get(key);
  if (positions === undefined) {
    const seed = computeSeed(chainSeed, domain, slot);
    // As `Array.from({ length: min(size, n) })` would take it: NaN or negative → 0, fractions floored.
    const k = Math.max(0, Math.floor(Math.min(size, n))) || 0;
    positions = k > 0 ? getShuffler(n, seed).prefix(k) : [];
    if (recentCommittees.size >= RECENT_COMMITTEES) recentCommittees.delete(recentCommittees.keys().next().value as string);
    recentCommittees.set(key, positions);
  }
  return positions;
}

/**
 * `count` standing committees of `size` members (Stage-2 contract committees, shard committees):
 * the shuffled validator set dealt in turn, wrapping around when count × size exceeds it (then a
 * validator sits on several committees). `epoch` lets a chain re-draw them; 0 at genesis.
 */
export function computeCommittees(validators: readonly Validator[], chainSeed: string, count: number, size: number, epoch = 0): Validator[][] {
  const n = validators.length;
  const seed = computeSeed(chainSeed, DOMAIN_COMMITTEES, epoch);
  const s = Math.min(size, n);
  const order = Array.from({ length: Math.min(n, count * s) }, (_, i) => validators[computeShuffledIndex(i, n, seed)] as Validator);
  return Array.from({ length: count }, (_, c) => Array.from({ length: s }, (_, i) => order[(c * s + i) % order.length] as Validator));
}

/** Members of committee `index` alone (what a light client derives for one affirmation). */
export function computeCommittee<V = Validator>(validators: readonly V[], chainSeed: string, count: number, size: number, index: number, epoch = 0): V[] {
  if (!(Number.isInteger(index) && index >= 0 && index < count)) throw new XshardError("BAD_RANGE", `committee ${index} outside [0, ${count})`, { index, count });
  const n = validators.length;
  const seed = computeSeed(chainSeed, DOMAIN_COMMITTEES, epoch);
  const s = Math.min(size, n);
  const dealt = Math.min(n, count * s);
  return Array.from({ length: s }, (_, i) => validators[computeShuffledIndex((index * s + i) % dealt, n, seed)] as V);
}

/**
 * Contract → committee/shard: the placement hint if given, else the genesis contracts without a
 * hint in a seeded shuffle, dealt round-robin over `groups`.
 */
export function computeAssignment(contracts: readonly { id: string; placement?: number }[], groups: number, chainSeed: string): Map<string, number> {
  const out = new Map<string, number>();
  const free: string[] = [];
  for (const c of contracts) {
    if (c.placement !== undefined) out.set(c.id, ((c.placement % groups) + groups) % groups);
    else free.push(c.id);
  }
  const seed = computeSeed(chainSeed, DOMAIN_ASSIGNMENT, 0);
  free.forEach((id, i) => out.set(id, computeShuffledIndex(i, free.length, seed) % groups));
  return out;
}

/** The committee/shard of a contract created during execution: H(seed, id) mod groups. */
export function computeSuccessorGroup(chainSeed: string, id: string, groups: number): number {
  return readUint32BE(sha256(chainSeed, ":successor:", id)) % groups;
}
