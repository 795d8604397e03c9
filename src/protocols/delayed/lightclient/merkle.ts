/**
 * The light client's level-by-level Merkle hashing (`leaf.ts` builds on it): many trees, or many
 * branches, hashed together, one hashtree call per level for all of them. Nodes live in flat
 * buffers of 32-byte chunks and are moved as 32-bit words between the module's reused scratch
 * buffers: no typed array is made per node (a `subarray` + `set` per node, and a fresh buffer per
 * level, cost more than the hash itself — V8 allocates typed arrays over 64 bytes off the heap).
 */
import { digest64Many } from "../../../crypto/hash.js";
import { getZeroWords } from "../../../crypto/merkle.js";

/** A growable scratch buffer (bytes and the same memory as words); never handed out. */
interface Scratch {
  bytes: Uint8Array;
  words: Int32Array;
}

function createScratch(): Scratch {
  const bytes = new Uint8Array(1 << 14);
  return { bytes, words: new Int32Array(bytes.buffer) };
}

function ensure(s: Scratch, bytes: number): void {
  if (s.bytes.length >= bytes) return;
  let size = s.bytes.length;
  while (size < bytes) size *= 2;
  s.bytes = new Uint8Array(size);
  s.words = new Int32Array(s.bytes.buffer);
}

/** Hash input; the two level buffers hashed into alternately. */
const input = createScratch();
const levels = [createScratch(), createScratch()] as const;

/** A length below 2^32 as the first 4 bytes of a little-endian uint64 chunk (the rest already zero). */
function putLength(bytes: Uint8Array, at: number, n: number): void {
  bytes[at] = n & 0xff;
  bytes[at + 1] = (n >>> 8) & 0xff;
  bytes[at + 2] = (n >>> 16) & 0xff;
  bytes[at + 3] = (n >>> 24) & 0xff;
}

/** Hashes the first `pairs` 64-byte blocks of `input` into `out` (32 bytes each). */
function hashPairs(pairs: number, out: Scratch): void {
  ensure(out, pairs * 32);
  digest64Many(input.bytes.subarray(0, pairs * 64), out.bytes.subarray(0, pairs * 32));
}

/** `count` words of `from` at `src` into `to` at `dst`: a loop for a few, one `set` for more. */
function copyWords(from: Int32Array, src: number, count: number, to: Int32Array, dst: number): void {
  if (count <= 64) {
    for (let k = 0; k < count; k++) to[dst + k] = from[src + k] as number;
  } else {
    to.set(from.subarray(src, src + count), dst);
  }
}

/** Words of a buffer this module made (offset 0, length a multiple of 32). */
function wordsOf(bytes: Uint8Array): Int32Array {
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
}

/**
 * SSZ `merkleize` (padded to 2^depth leaves) of many chunk lists at once: `flat` holds the lists
 * one after the other (`counts[j]` chunks of 32 bytes each, at most 2^depth; its byte offset a
 * multiple of 4), the result (a fresh buffer) their roots one after the other.
 */
export function merkleizeMany(flat: Uint8Array, counts: ArrayLike<number>, depth: number): Uint8Array {
  const n = counts.length;
  const left = Int32Array.from(counts as ArrayLike<number>);
  let cur = flat.byteOffset % 4 === 0 ? wordsOf(flat) : wordsOf(flat.slice());
  let side = 0;
  for (let d = 0; d < depth; d++) {
    let pairs = 0;
    for (let j = 0; j < n; j++) pairs += ((left[j] as number) + 1) >> 1;
    if (pairs === 0) break;
    ensure(input, pairs * 64);
    const into = input.words;
    const zero = getZeroWords(d);
    let from = 0;
    let to = 0;
    // Nodes are copied in runs: the items from one odd count to the next sit at the same place in
    // `cur` and `into` (relative to the run's start), so each run is one copy, not one per word.
    let runSrc = 0;
    let runDst = 0;
    for (let j = 0; j < n; j++) {
      const c = left[j] as number;
      if (c === 0) continue;
      const words = c * 8;
      const dst = to * 16;
      from += c;
      to += (c + 1) >> 1;
      left[j] = (c + 1) >> 1;
      if (c & 1) {
        copyWords(cur, runSrc, from * 8 - runSrc, into, runDst);
        for (let k = 0; k < 8; k++) into[dst + words + k] = zero[k] as number;
        runSrc = from * 8;
        runDst = to * 16;
      }
    }
    copyWords(cur, runSrc, from * 8 - runSrc, into, runDst);
    const out = levels[side] as Scratch;
    side ^= 1;
    hashPairs(pairs, out);
    cur = out.words;
  }
  const roots = new Uint8Array(n * 32);
  const r = wordsOf(roots);
  const empty = getZeroWords(depth);
  let from = 0;
  for (let j = 0; j < n; j++) {
    const src = (left[j] === 0 ? -1 : from++) * 8;
    for (let k = 0; k < 8; k++) r[j * 8 + k] = (src < 0 ? empty[k] : cur[src + k]) as number;
  }
  return roots;
}

/** `digest64(roots[i], lengthChunk(lengths[i]))` for every i (SSZ `mixInLength`), in one call; a fresh buffer. */
export function mixInLengths(roots: Uint8Array, lengths: ArrayLike<number>): Uint8Array {
  const n = lengths.length;
  ensure(input, n * 64);
  const into = input.words;
  const from = wordsOf(roots);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 8; k++) {
      into[i * 16 + k] = from[i * 8 + k] as number;
      into[i * 16 + 8 + k] = 0;
    }
    putLength(input.bytes, i * 64 + 32, lengths[i] as number);
  }
  const out = new Uint8Array(n * 32);
  digest64Many(input.bytes.subarray(0, n * 64), out);
  return out;
}

/** One Merkle branch of a list: leaf `index` of `count` leaves (`branch` bottom-up, 32 bytes each), under `root`. */
export interface BranchQuery {
  readonly root: Uint8Array;
  readonly index: number;
  readonly count: number;
  readonly branch: readonly Uint8Array[];
}

/**
 * Many branches in flat form (no array per branch or node): branch i is leaf `indices[i]` of a
 * list of `counts[i]` leaves under `roots` bytes `32i…32i+31`, its `lengths[i]` nodes (bottom-up)
 * at chunks `starts[i]…` of `nodes` (32 bytes each; `nodes` made by the caller at offset 0).
 */
export interface FlatBranches {
  readonly n: number;
  readonly roots: Uint8Array;
  readonly counts: ArrayLike<number>;
  readonly indices: ArrayLike<number>;
  readonly lengths: ArrayLike<number>;
  readonly starts: ArrayLike<number>;
  readonly nodes: Uint8Array;
}

/**
 * `verifyListProof` (src/state/results.ts) of many branches at once, their leaves in `leaves`
 * (32 bytes each, in query order): for each, whether its branch leads from its leaf to its root
 * (the list's length mixed in). A branch of the wrong depth for its count is false. The caller
 * has checked `1 ≤ count ≤ 2^32 − 1`, `index < count`, and 32-byte roots and branch nodes.
 */
export function verifyBranches(queries: readonly BranchQuery[], leaves: Uint8Array): boolean[] {
  const n = queries.length;
  let total = 0;
  for (const q of queries) total += q.branch.length;
  const b = { n, roots: new Uint8Array(n * 32), counts: new Float64Array(n), indices: new Float64Array(n), lengths: new Int32Array(n), starts: new Int32Array(n), nodes: new Uint8Array(total * 32) };
  let at = 0;
  for (let i = 0; i < n; i++) {
    const q = queries[i] as BranchQuery;
    // A root of another length can never be reached: its branch is made one node too long, so false.
    if (q.root.length === 32) b.roots.set(q.root, i * 32);
    b.counts[i] = q.count;
    b.indices[i] = q.index;
    b.lengths[i] = q.branch.length + (q.root.length === 32 ? 0 : 64);
    b.starts[i] = at;
    for (const node of q.branch) b.nodes.set(node, 32 * at++);
  }
  return verifyBranchesFlat(b, leaves);
}

/** `verifyBranches` of branches in flat form. */
export function verifyBranchesFlat(b: FlatBranches, leaves: Uint8Array): boolean[] {
  const n = b.n;
  const ok = new Array<boolean>(n);
  const depths = new Int32Array(n);
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const count = b.counts[i] as number;
    const d = count <= 1 ? 0 : Math.ceil(Math.log2(count));
    ok[i] = b.lengths[i] === d;
    depths[i] = ok[i] ? d : -1;
    if (ok[i] && d > depth) depth = d;
  }
  const nodes = b.nodes.byteOffset % 4 === 0 && b.nodes.length % 4 === 0 ? wordsOf(b.nodes) : wordsOf(b.nodes.slice());
  // The current node of every branch, as words.
  const node = wordsOf(leaves.slice(0, n * 32));
  let side = 0;
  for (let d = 0; d <= depth; d++) {
    // Level d < the branch's depth: the node and its sibling, in the order the index's bit d gives;
    // at the branch's own depth: the length mix-in.
    let pairs = 0;
    for (let i = 0; i < n; i++) if ((depths[i] as number) >= d) pairs++;
    if (pairs === 0) continue;
    ensure(input, pairs * 64);
    const into = input.words;
    const bytes = input.bytes;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const qd = depths[i] as number;
      if (qd < d) continue;
      const at = k * 16;
      if (qd === d) {
        for (let w = 0; w < 8; w++) {
          into[at + w] = node[i * 8 + w] as number;
          into[at + 8 + w] = 0;
        }
        putLength(bytes, at * 4 + 32, b.counts[i] as number);
      } else {
        const sibling = ((b.starts[i] as number) + d) * 8;
        // (index < count ≤ 2^32 − 1 and d < 32: the shift is exact.)
        const right = ((b.indices[i] as number) >>> d) & 1;
        const mine = right ? at + 8 : at;
        const theirs = right ? at : at + 8;
        for (let w = 0; w < 8; w++) {
          into[mine + w] = node[i * 8 + w] as number;
          into[theirs + w] = nodes[sibling + w] as number;
        }
      }
      k++;
    }
    const out = levels[side] as Scratch;
    side ^= 1;
    hashPairs(pairs, out);
    const got = out.words;
    k = 0;
    for (let i = 0; i < n; i++) {
      if ((depths[i] as number) < d) continue;
      for (let w = 0; w < 8; w++) node[i * 8 + w] = got[k * 8 + w] as number;
      k++;
    }
  }
  const roots = new Uint8Array(node.buffer, node.byteOffset, n * 32);
  const want = b.roots;
  for (let i = 0; i < n; i++) {
    if (!ok[i]) continue;
    let same = true;
    for (let j = i * 32, end = j + 32; j < end && same; j++) same = roots[j] === want[j];
    ok[i] = same;
  }
  return ok;
}
