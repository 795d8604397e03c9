/**
 * Growable typed-array columns: per-transaction figures kept as numbers, not one object per
 * transaction (issue 12: a million transactions in bounded memory).
 */

type Typed = Int32Array | Uint8Array | Float64Array;

/** A typed array that doubles when an index beyond its end is asked for; new cells hold `fill`. */
export class Column<T extends Typed> {
  a: T;
  private readonly fill: number;
  constructor(private readonly make: (n: number) => T, fill = 0, n = 1024) {
    this.fill = fill;
    this.a = make(n);
    if (fill !== 0) this.a.fill(fill);
  }

  /** The array, grown (if needed) to hold at least `n` cells. */
  ensure(n: number): T {
    if (n <= this.a.length) return this.a;
    let m = Math.max(1, this.a.length * 2);
    while (m < n) m *= 2;
    const b = this.make(m);
    b.set(this.a);
    if (this.fill !== 0) b.fill(this.fill, this.a.length);
    this.a = b;
    return b;
  }
}

/** Equal values share one index: a string table (reasons, labels) or a table of arrays by key. */
export class Interner<T> {
  readonly values: T[] = [];
  private readonly index = new Map<string, number>();

  /** The index of `value` (keyed by `key`), added if new. */
  intern(key: string, value: T): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.index.set(key, i);
    }
    return i;
  }
}
