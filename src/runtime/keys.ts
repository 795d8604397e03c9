/**
 * Storage keys as the host sees them: read straight out of linear memory, interned per runtime, so
 * that a key a contract uses again (a balance, a counter) costs a hash of its bytes and a compare —
 * no copy, no string — and carries its hex form (the `WriteSet` key) computed once.
 *
 * The table only speeds things up: what a call reads and writes never depends on it.
 */
import { toHex } from "../crypto/hash.js";
import { noteFixedKey } from "../state/index.js";

/** An interned storage key. Its bytes are a private copy: never mutate them. */
export interface StorageKey {
  readonly bytes: Uint8Array;
  /** bytes.length, as a plain field (cheaper to read than a view's length in the hot compare). */
  readonly length: number;
  /** A view of `bytes`, for comparing keys four bytes at a time. */
  readonly data: DataView;
  /** toHex(bytes): the key of the `WriteSet`. */
  readonly hex: string;
  /** The next key with the same hash. */
  readonly next: StorageKey | null;
}

/** Keys held before the table is emptied (between calls, see `trim`). */
const KEY_CACHE_CAPACITY = 65_536;

/** The hex of every interned key, by identity: lets a hex-keyed StateView skip `toHex`. */
const hexOfInterned = new WeakMap<Uint8Array, string>();

/**
 * The hex of a storage key: looked up when the runtime interned it (a StateView's `get` receives
 * interned keys), computed otherwise.
 */
export function getKeyHex(key: Uint8Array): string {
  return hexOfInterned.get(key) ?? toHex(key);
}

/** An FNV-1a-style hash of data[start, start + len), four bytes at a time. */
function computeKeyHash(data: DataView, start: number, len: number): number {
  const end = start + len;
  let h = 0x811c9dc5 ^ len;
  let i = start;
  for (; i + 4 <= end; i += 4) h = Math.imul(h ^ data.getInt32(i, true), 0x01000193);
  for (; i < end; i++) h = Math.imul(h ^ data.getUint8(i), 0x01000193);
  return h;
}

/** Whether key equals data[start, start + len), compared four bytes at a time. */
export function isKeyAt(key: StorageKey, data: DataView, start: number, len: number): boolean {
  if (key.length !== len) return false;
  const own = key.data;
  let i = 0;
  for (; i + 4 <= len; i += 4) if (own.getInt32(i, true) !== data.getInt32(start + i, true)) return false;
  for (; i < len; i++) if (own.getUint8(i) !== data.getUint8(start + i)) return false;
  return true;
}

/** Interning table of storage keys, keyed by hash with chaining. */
export class KeyCache {
  private readonly table = new Map<number, StorageKey>();
  private count = 0;

  constructor(private readonly capacity: number = KEY_CACHE_CAPACITY) {}

  /** The interned key equal to data[start, start + len) (the caller has checked the bounds). */
  intern(data: DataView, start: number, len: number): StorageKey {
    const hash = computeKeyHash(data, start, len);
    const head = this.table.get(hash) ?? null;
    for (let k = head; k !== null; k = k.next) if (isKeyAt(k, data, start, len)) return k;
    const copy = new Uint8Array(data.buffer, data.byteOffset + start, len).slice();
    const key: StorageKey = { bytes: copy, length: len, data: new DataView(copy.buffer, copy.byteOffset, len), hex: toHex(copy), next: head };
    hexOfInterned.set(copy, key.hex);
    noteFixedKey(copy); // never mutated: its position in a state tree is hashed once
    this.table.set(hash, key);
    this.count++;
    return key;
  }

  /**
   * Empties the table once it holds more than its capacity. Only between calls: a call in progress
   * relies on one object per key.
   */
  trim(): void {
    if (this.count <= this.capacity) return;
    this.table.clear();
    this.count = 0;
  }
}
