/**
 * SSZ merkleization for the hand-written roots of hot containers (a transaction, step values,
 * affirmations, headers): `MerkleBatch` hashes many small trees level by level together, one
 * hashtree call (the library of `digest64Many`) per level for all of them, the nodes kept in
 * reused buffers — no tree of node objects per root, as the SSZ value API builds. Every caller
 * falls back to its SSZ type for values it does not handle and compares its roots with that type
 * in its tests: the library stays the oracle.
 */
import { hashInto } from "@chainsafe/hashtree";
import { zeroHash } from "@chainsafe/persistent-merkle-tree";

const zeros: Uint8Array[] = [];
/** `zeroHash(d)`: the root of 2^d zero chunks. */
export function getZeroHash(d: number): Uint8Array {
  let z = zeros[d];
  if (z === undefined) {
    z = zeroHash(d).slice();
    zeros[d] = z;
  }
  return z;
}

/** A safe non-negative integer as little-endian uint64 bytes at `at` (the bytes after it untouched). */
export function putUint64(bytes: Uint8Array, at: number, n: number): void {
  let lo = n >>> 0;
  let hi = Math.floor(n / 2 ** 32);
  for (let i = 0; i < 4; i++, lo >>>= 8, hi >>>= 8) {
    bytes[at + i] = lo & 0xff;
    bytes[at + 4 + i] = hi & 0xff;
  }
}

/** A growable buffer of 32-byte chunks: bytes and the same memory as words, with cached prefix views. */
class Chunks {
  bytes = new Uint8Array(0);
  words = new Int32Array(0);
  private views: Uint8Array[] = [];

  constructor(chunks: number) {
    this.grow(chunks);
  }

  /** At least `chunks` chunks; the content is kept. */
  grow(chunks: number): void {
    if (chunks * 32 <= this.bytes.length) return;
    let size = Math.max(this.bytes.length, 1024);
    while (size < chunks * 32) size *= 2;
    const bytes = new Uint8Array(size);
    bytes.set(this.bytes);
    this.bytes = bytes;
    this.words = new Int32Array(bytes.buffer);
    this.views = [];
  }

  /** The first `chunks` chunks. */
  view(chunks: number): Uint8Array {
    let v = this.views[chunks];
    if (v === undefined) {
      v = this.bytes.subarray(0, chunks * 32);
      this.views[chunks] = v;
    }
    return v;
  }
}

/** Fields of a tree in `MerkleBatch.trees`: leaves' first chunk, count, depth, root's chunk, two mix-ins (-1: none). */
const TREE_FIELDS = 6;

/**
 * Many SSZ trees merkleized together, level by level: one hashtree call per level for all of
 * them, so that a container's independent subtrees (its byte lists, its lists' items) cost one
 * call per level between them rather than one per hash — a call costs several 64-byte hashes.
 * Chunks live in an arena (`alloc`, written through `bytes`); `tree` adds a tree over a run of
 * them whose root goes to another chunk; `run` hashes the trees added since the last run (whose
 * leaves must not be the roots of one another: a tree built on roots goes into a later run).
 * Module-level instances reuse their memory; `clear` empties one for the next computation.
 */
export class MerkleBatch {
  private readonly arena = new Chunks(256);
  private used = 0;
  private readonly trees: number[] = [];
  /** Numbers of `trees` in use (six per tree). */
  private treeFields = 0;
  private readonly input = new Chunks(256);
  private readonly outputs = [new Chunks(128), new Chunks(128)] as const;
  /** Per tree while running: nodes left, level, mix-ins applied, where its nodes are (chunk index; -1: its leaves in the arena). */
  private state = new Int32Array(0);

  /** The arena's bytes (valid until the next `alloc`). */
  get bytes(): Uint8Array {
    return this.arena.bytes;
  }

  clear(): void {
    this.used = 0;
    this.treeFields = 0;
  }

  /** `n` zeroed chunks; returns the index of the first. */
  alloc(n: number): number {
    const at = this.used;
    this.used += n;
    this.arena.grow(this.used);
    this.arena.bytes.fill(0, at * 32, this.used * 32);
    return at;
  }

  /** `bytes` zero-padded into fresh chunks; returns the index of the first (their count: ⌈length / 32⌉). */
  allocBytes(bytes: Uint8Array): number {
    const at = this.alloc((bytes.length + 31) >> 5);
    this.arena.bytes.set(bytes, at * 32);
    return at;
  }

  /** Copies 32 bytes into chunk `at`. */
  setChunk(at: number, chunk: Uint8Array): void {
    this.arena.bytes.set(chunk, at * 32);
  }

  /** A copy of chunk `at`. */
  getChunk(at: number): Uint8Array {
    return this.arena.bytes.slice(at * 32, at * 32 + 32);
  }

  /**
   * Adds the tree of the `count` chunks from `first`, padded to 2^depth leaves, mixed in with
   * `mix1` then `mix2` when ≥ 0 (a list's length, a union's selector); its root goes to chunk `root`.
   */
  tree(first: number, count: number, depth: number, root: number, mix1 = -1, mix2 = -1): void {
    if (!(count >= 0 && count <= 2 ** depth) || !Number.isSafeInteger(mix1) || !Number.isSafeInteger(mix2)) throw new RangeError(`MerkleBatch.tree: ${count} chunks at depth ${depth}`);
    if (count === 0) {
      // The root of 2^depth zero chunks, as a tree of one chunk.
      first = this.alloc(1);
      this.setChunk(first, getZeroHash(depth));
      count = 1;
      depth = 0;
    }
    const t = this.trees;
    const o = this.treeFields;
    t[o] = first;
    t[o + 1] = count;
    t[o + 2] = depth;
    t[o + 3] = root;
    t[o + 4] = mix1;
    t[o + 5] = mix2;
    this.treeFields = o + TREE_FIELDS;
  }

  /** Adds the trees listed in `trees` (six numbers each, `tree`'s arguments in order) and empties the list. */
  addTrees(trees: number[]): void {
    for (let i = 0; i < trees.length; i += TREE_FIELDS) this.tree(trees[i] as number, trees[i + 1] as number, trees[i + 2] as number, trees[i + 3] as number, trees[i + 4], trees[i + 5]);
    trees.length = 0;
  }

  /** Hashes every tree added since the last run, writing their roots. */
  run(): void {
    const t = this.trees;
    const n = this.treeFields / TREE_FIELDS;
    if (this.state.length < n * 4) this.state = new Int32Array(n * 8);
    const st = this.state;
    let bound = 0;
    for (let i = 0; i < n; i++) {
      st[i * 4] = t[i * TREE_FIELDS + 1] as number;
      st[i * 4 + 1] = 0;
      st[i * 4 + 2] = 0;
      st[i * 4 + 3] = -1;
      bound += ((t[i * TREE_FIELDS + 1] as number) + 1) >> 1 || 1;
    }
    this.input.grow(bound * 2);
    this.outputs[0].grow(bound);
    this.outputs[1].grow(bound);
    const arena = this.arena.words;
    const into = this.input.words;
    let side = 0;
    let from = arena;
    for (;;) {
      let pairs = 0;
      for (let i = 0; i < n; i++) {
        const o = i * TREE_FIELDS;
        const s = i * 4;
        const count = st[s] as number;
        if (count === 0) continue; // done
        const level = st[s + 1] as number;
        const depth = t[o + 2] as number;
        const at = st[s + 3] as number;
        const src = at < 0 ? arena : from;
        const srcAt = (at < 0 ? (t[o] as number) : at) * 8;
        if (level < depth) {
          const dst = pairs * 16;
          for (let k = 0; k < count * 8; k++) into[dst + k] = src[srcAt + k] as number;
          if (count & 1) {
            const z = getZeroWords(level);
            for (let k = 0; k < 8; k++) into[dst + count * 8 + k] = z[k] as number;
          }
          st[s] = (count + 1) >> 1;
          st[s + 1] = level + 1;
          st[s + 3] = pairs;
          pairs += (count + 1) >> 1;
          continue;
        }
        const applied = st[s + 2] as number;
        const mix = applied < 2 ? (t[o + 4 + applied] as number) : -1;
        if (mix >= 0) {
          const dst = pairs * 16;
          for (let k = 0; k < 8; k++) into[dst + k] = src[srcAt + k] as number;
          into[dst + 8] = mix | 0;
          into[dst + 9] = Math.floor(mix / 2 ** 32);
          for (let k = 10; k < 16; k++) into[dst + k] = 0;
          st[s + 2] = applied + 1;
          st[s + 3] = pairs;
          pairs++;
          continue;
        }
        const rootAt = (t[o + 3] as number) * 8;
        for (let k = 0; k < 8; k++) arena[rootAt + k] = src[srcAt + k] as number;
        st[s] = 0;
      }
      if (pairs === 0) break;
      const out = this.outputs[side] as Chunks;
      hashInto(this.input.view(pairs * 2), out.view(pairs));
      from = out.words;
      side ^= 1;
    }
    this.treeFields = 0;
  }
}

const zeroWords: Int32Array[] = [];
/** `zeroHash(d)` as 8 words (for the padding of odd levels). */
export function getZeroWords(d: number): Int32Array {
  let z = zeroWords[d];
  if (z === undefined) {
    z = new Int32Array(getZeroHash(d).slice().buffer);
    zeroWords[d] = z;
  }
  return z;
}
