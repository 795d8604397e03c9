/**
 * Seeded random streams, one per purpose (proposer choice, workload, committee shuffle, network, …),
 * so that adding a draw in one place never shifts the draws of another. sfc32, seeded from
 * sha256("xshard:rng:" ‖ seed ‖ ":" ‖ purpose). Only the simulator and workload generators use
 * these; protocol rules receive their random choices as values.
 */
import { sha256 } from "../crypto/hash.js";
import { XshardError } from "../errors.js";

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seedBytes: Uint8Array) {
    const v = new DataView(seedBytes.buffer, seedBytes.byteOffset, seedBytes.byteLength);
    this.a = v.getUint32(0, true);
    this.b = v.getUint32(4, true);
    this.c = v.getUint32(8, true);
    this.d = v.getUint32(12, true) | 1;
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new XshardError("BAD_RANGE", `rng.int needs a positive integer, got ${n}`, { n });
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  bool(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    return item as T;
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** Index chosen with probability proportional to its weight. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    if (!(total > 0)) throw new XshardError("BAD_RANGE", "rng.weighted needs a positive total weight", { total });
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** k distinct indices out of n, in draw order. */
  sample(n: number, k: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, Math.min(k, n));
  }
}

/** Seeded streams by purpose; the same seed and purpose give the same stream. */
export class RngStreams {
  private readonly streams = new Map<string, Rng>();
  constructor(readonly seed: string | number) {}

  get(purpose: string): Rng {
    let r = this.streams.get(purpose);
    if (!r) {
      r = new Rng(sha256("xshard:rng:", String(this.seed), ":", purpose));
      this.streams.set(purpose, r);
    }
    return r;
  }
}
