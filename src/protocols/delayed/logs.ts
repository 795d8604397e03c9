/**
 * Compact representations of the agreed state's growing lists (`state.ts`): representation only,
 * no rule. A chain of a million transactions keeps every transaction and every affirmed root, so
 * what one of them costs is what the chain's memory grows by.
 *
 * - `Log`: an append-only list shared between a state and the states derived from it; a new state
 *   extends the shared store in place while nobody else has extended it, else it forks (copy on
 *   fork). Stores: plain arrays, 32-byte roots packed in chunks (`createRootLog`), flags one byte
 *   each (`createFlagLog`).
 * - `PackedTx`: a sequenced transaction as its id and canonical bytes in a shared arena, its queue
 *   positions in one flat array; the decoded `SignedTx` is kept only while recent (the
 *   4,096 newest sequenced or asked for) and decoded again from the bytes when an older one is asked for.
 */
import { decodeSignedTx, encodeSignedTx, type SignedTx } from "../../program/index.js";
import type { ContractId } from "../../types.js";

/** Where a log's items live: written only at indices ≥ its own length (append-only). */
export interface LogStore<T> {
  readonly length: number;
  get(i: number): T;
  push(x: T): void;
  /** A store holding the first `n` items, sharing with this one what neither will write again. */
  fork(n: number): LogStore<T>;
}

/** An append-only list shared between a state and the states derived from it. */
export interface Log<T> {
  readonly store: LogStore<T>;
  readonly length: number;
}

class ArrayStore<T> implements LogStore<T> {
  constructor(private readonly items: T[]) {}
  get length(): number {
    return this.items.length;
  }
  get(i: number): T {
    return this.items[i] as T;
  }
  push(x: T): void {
    this.items.push(x);
  }
  fork(n: number): LogStore<T> {
    return new ArrayStore(this.items.slice(0, n));
  }
}

/** Items per chunk of a packed store; the first chunk grows by doubling up to this. */
const CHUNK_ITEMS = 256;

/** Fixed-width items packed in byte chunks; full chunks are shared by forks. */
abstract class PackedStore<T> implements LogStore<T> {
  protected chunks: Uint8Array[];
  private n: number;
  constructor(
    protected readonly width: number,
    chunks: Uint8Array[] = [],
    n = 0,
  ) {
    this.chunks = chunks;
    this.n = n;
  }
  get length(): number {
    return this.n;
  }
  protected abstract read(chunk: Uint8Array, at: number): T;
  protected abstract write(chunk: Uint8Array, at: number, x: T): void;
  protected abstract make(chunks: Uint8Array[], n: number): PackedStore<T>;
  get(i: number): T {
    return this.read(this.chunks[Math.floor(i / CHUNK_ITEMS)] as Uint8Array, (i % CHUNK_ITEMS) * this.width);
  }
  push(x: T): void {
    const c = Math.floor(this.n / CHUNK_ITEMS);
    const at = (this.n % CHUNK_ITEMS) * this.width;
    let chunk = this.chunks[c];
    if (!chunk) {
      chunk = new Uint8Array((c === 0 ? 4 : CHUNK_ITEMS) * this.width);
      this.chunks.push(chunk);
    } else if (at >= chunk.length) {
      const grown = new Uint8Array(Math.min(chunk.length * 2, CHUNK_ITEMS * this.width));
      grown.set(chunk);
      this.chunks[c] = chunk = grown;
    }
    this.write(chunk, at, x);
    this.n++;
  }
  fork(n: number): LogStore<T> {
    const full = Math.floor(n / CHUNK_ITEMS);
    const chunks = this.chunks.slice(0, full);
    const rest = (n % CHUNK_ITEMS) * this.width;
    const last = this.chunks[full];
    if (rest > 0 && last) chunks.push(last.slice(0, Math.max(rest, Math.min(last.length, 4 * this.width))));
    return this.make(chunks, n);
  }
}

/** 32-byte roots; `get` returns a copy (callers may keep it without holding a chunk). */
class RootStore extends PackedStore<Uint8Array> {
  constructor(chunks?: Uint8Array[], n?: number) {
    super(32, chunks, n);
  }
  protected read(chunk: Uint8Array, at: number): Uint8Array {
    return chunk.slice(at, at + 32);
  }
  protected write(chunk: Uint8Array, at: number, x: Uint8Array): void {
    if (x.length !== 32) throw new RangeError(`a root is 32 bytes, got ${x.length}`);
    chunk.set(x, at);
  }
  protected make(chunks: Uint8Array[], n: number): PackedStore<Uint8Array> {
    return new RootStore(chunks, n);
  }
}

class FlagStore extends PackedStore<boolean> {
  constructor(chunks?: Uint8Array[], n?: number) {
    super(1, chunks, n);
  }
  protected read(chunk: Uint8Array, at: number): boolean {
    return chunk[at] === 1;
  }
  protected write(chunk: Uint8Array, at: number, x: boolean): void {
    chunk[at] = x ? 1 : 0;
  }
  protected make(chunks: Uint8Array[], n: number): PackedStore<boolean> {
    return new FlagStore(chunks, n);
  }
}

function fill<T>(store: LogStore<T>, items: readonly T[]): Log<T> {
  for (const x of items) store.push(x);
  return { store, length: store.length };
}

export function createLog<T>(items: T[] = []): Log<T> {
  return { store: new ArrayStore(items), length: items.length };
}

/** A log of 32-byte roots, packed (32 bytes a root). */
export function createRootLog(roots: readonly Uint8Array[] = []): Log<Uint8Array> {
  return fill(new RootStore(), roots);
}

/** A log of flags, packed (a byte a flag). */
export function createFlagLog(flags: readonly boolean[] = []): Log<boolean> {
  return fill(new FlagStore(), flags);
}

/** `log` with `xs` appended; extends the shared store in place only when no other state did. */
export function appendLog<T>(log: Log<T>, ...xs: T[]): Log<T> {
  const store = log.store.length === log.length ? log.store : log.store.fork(log.length);
  for (const x of xs) store.push(x);
  return { store, length: store.length };
}

/** The first `n` items of `log`. */
export function truncateLog<T>(log: Log<T>, n: number): Log<T> {
  return n >= log.length ? log : { store: log.store, length: n };
}

export function getLogItem<T>(log: Log<T>, i: number): T {
  if (!(i >= 0 && i < log.length)) throw new RangeError(`log index ${i} outside [0, ${log.length})`);
  return log.store.get(i);
}

/** The items of `log`, in order (a new array). */
export function getLogItems<T>(log: Log<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < log.length; i++) out.push(log.store.get(i));
  return out;
}

// ---------------------------------------------------------------- sequenced transactions

/**
 * Queue positions of a transaction's footprint as a read-only map: the first contract and its
 * position inline, the others (a cross-contract transaction) in one flat array [id, position, …].
 */
export class PositionMap implements ReadonlyMap<ContractId, number> {
  private c0: ContractId | undefined;
  private p0 = 0;
  private more: (ContractId | number)[] | undefined;
  constructor(entries: Iterable<readonly [ContractId, number]>) {
    for (const [d, p] of entries) this.put(d, p);
  }
  private put(d: ContractId, p: number): void {
    if (this.c0 === undefined || this.c0 === d) {
      this.c0 = d;
      this.p0 = p;
      return;
    }
    const more = (this.more ??= []);
    const at = more.indexOf(d);
    if (at >= 0 && at % 2 === 0) more[at + 1] = p;
    else more.push(d, p);
  }
  private keyAt(i: number): ContractId {
    return (i === 0 ? this.c0 : (this.more as (ContractId | number)[])[2 * i - 2]) as ContractId;
  }
  private valueAt(i: number): number {
    return (i === 0 ? this.p0 : (this.more as (ContractId | number)[])[2 * i - 1]) as number;
  }
  get size(): number {
    return this.c0 === undefined ? 0 : 1 + (this.more ? this.more.length / 2 : 0);
  }
  get(d: ContractId): number | undefined {
    const n = this.size;
    for (let i = 0; i < n; i++) if (this.keyAt(i) === d) return this.valueAt(i);
    return undefined;
  }
  has(d: ContractId): boolean {
    return this.get(d) !== undefined;
  }
  *entries(): IterableIterator<[ContractId, number]> {
    const n = this.size;
    for (let i = 0; i < n; i++) yield [this.keyAt(i), this.valueAt(i)];
  }
  *keys(): IterableIterator<ContractId> {
    const n = this.size;
    for (let i = 0; i < n; i++) yield this.keyAt(i);
  }
  *values(): IterableIterator<number> {
    const n = this.size;
    for (let i = 0; i < n; i++) yield this.valueAt(i);
  }
  [Symbol.iterator](): IterableIterator<[ContractId, number]> {
    return this.entries();
  }
  forEach(f: (value: number, key: ContractId, map: ReadonlyMap<ContractId, number>) => void, thisArg?: unknown): void {
    const n = this.size;
    for (let i = 0; i < n; i++) f.call(thisArg, this.valueAt(i), this.keyAt(i), this);
  }
}

/** Bytes per arena chunk of transaction ids and encodings (a larger transaction gets its own). */
const ARENA_BYTES = 1 << 16;
let arena = new Uint8Array(ARENA_BYTES);
let arenaUsed = 0;

/** `a` then `b` copied into the shared arena: the chunk and where they start (the chunk lives while a transaction in it does). */
function toArena(a: Uint8Array, b: Uint8Array): { chunk: Uint8Array; at: number } {
  const n = a.length + b.length;
  let chunk: Uint8Array;
  let at = 0;
  if (n > ARENA_BYTES / 4) chunk = new Uint8Array(n);
  else {
    if (arenaUsed + n > ARENA_BYTES) {
      arena = new Uint8Array(ARENA_BYTES);
      arenaUsed = 0;
    }
    chunk = arena;
    at = arenaUsed;
    arenaUsed += n;
  }
  chunk.set(a, at);
  chunk.set(b, at + a.length);
  return { chunk, at };
}

/** How many decoded transactions stay attached to their `PackedTx` (the newest sequenced or asked for). */
let hotLimit = 4096;
let hot: (PackedTx | undefined)[] = [];
let hotNext = 0;

function warm(t: PackedTx): void {
  if (hot.length < hotLimit) hot.push(t);
  else {
    hot[hotNext]?.cool();
    hot[hotNext] = t;
  }
  hotNext = (hotNext + 1) % hotLimit;
}

/** Sets how many decoded transactions stay attached (tests: a small number exercises decoding); returns the old. */
export function setHotTxLimit(n: number): number {
  const old = hotLimit;
  for (const t of hot) t?.cool();
  hotLimit = Math.max(1, Math.floor(n));
  hot = [];
  hotNext = 0;
  return old;
}

/**
 * A sequenced transaction (`state.ts` `SequencedTx`) kept compactly: its id and canonical encoding
 * in the arena (a chunk and an offset, no view object), its positions inline (it is its own
 * `positions` map). `stx` is the transaction it was made from while that is among the recent ones,
 * else a decoding of its bytes (the same transaction: the encoding is canonical).
 */
export class PackedTx extends PositionMap {
  private decoded: SignedTx | undefined;
  private constructor(
    readonly seq: number,
    readonly stage1Slot: number,
    /** txId (32 bytes) then the transaction's canonical encoding, at `at` of `chunk`. */
    private readonly chunk: Uint8Array,
    private readonly at: number,
    private readonly end: number,
    positions: Iterable<readonly [ContractId, number]>,
    stx: SignedTx,
  ) {
    super(positions);
    this.decoded = stx;
    warm(this);
  }

  /** `bytes`: the transaction's canonical encoding if the caller has it (`encodeSignedTx(stx)`, copied here). */
  static of(seq: number, txId: Uint8Array, stx: SignedTx, positions: Iterable<readonly [ContractId, number]>, stage1Slot: number, bytes: Uint8Array = encodeSignedTx(stx)): PackedTx {
    if (txId.length !== 32) throw new RangeError(`a transaction id is 32 bytes, got ${txId.length}`);
    const { chunk, at } = toArena(txId, bytes);
    return new PackedTx(seq, stage1Slot, chunk, at, at + 32 + bytes.length, positions, stx);
  }

  get positions(): ReadonlyMap<ContractId, number> {
    return this;
  }

  get txId(): Uint8Array {
    return this.chunk.slice(this.at, this.at + 32);
  }

  /** The transaction's canonical encoding (a copy). */
  get encoded(): Uint8Array {
    return this.chunk.slice(this.at + 32, this.end);
  }

  get stx(): SignedTx {
    let d = this.decoded;
    if (!d) {
      d = this.decoded = decodeSignedTx(this.encoded);
      warm(this);
    }
    return d;
  }

  /** Drops the decoded transaction (it is decoded again when asked for). */
  cool(): void {
    this.decoded = undefined;
  }
}
