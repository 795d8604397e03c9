/**
 * The per-proof hot path of batch verification (and, below, the affirmation's root): a result leaf's root from its fields and step
 * values. The same roots as `ResultLeaf.hashTreeRoot({..., valuesRoot: computeValuesRoot(values)})`
 * (test/protocols/lightclient-leaf.test.ts checks them against the SSZ types for random values), but
 * merkleized with `digest64` directly: the generic SSZ path costs about 15 µs per leaf, this one
 * about the ≈ 25 hashes it needs.
 */
import { digest64Many } from "../../../crypto/hash.js";
import { putUint64 } from "../../../crypto/merkle.js";
import { merkleizeMany, mixInLengths } from "./merkle.js";
import { digest64, zeroHash } from "@chainsafe/persistent-merkle-tree";
import { MAX_ARG_BYTES, MAX_CONTRACT_ID_BYTES, MAX_STEPS } from "../../../program/index.js";
import { MAX_ASSUMPTIONS, type AffirmationValue } from "../containers.js";

/** Depths of the SSZ limits: ByteList(MAX_ARG_BYTES) in chunks, List(StepValue, MAX_STEPS). */
const BYTES_DEPTH = Math.ceil(Math.log2(MAX_ARG_BYTES / 32));
const VALUES_DEPTH = Math.ceil(Math.log2(MAX_STEPS));
const TRUE_CHUNK = (() => {
  const c = new Uint8Array(32);
  c[0] = 1;
  return c;
})();
const FALSE_CHUNK = new Uint8Array(32);
const EMPTY = new Uint8Array(0);

const lengthChunks: Uint8Array[] = [];

/** A safe integer as a little-endian uint64 at `at` (`setBigUint64` without the BigInt). */
function setUint64(view: DataView, at: number, n: number): void {
  view.setUint32(at, n >>> 0, true);
  view.setUint32(at + 4, Math.floor(n / 2 ** 32), true);
}

/** The 32-byte little-endian length an SSZ list mixes in (memoised: lengths are at most MAX_ARG_BYTES). */
function lengthChunk(n: number): Uint8Array {
  let c = lengthChunks[n];
  if (c === undefined) {
    c = new Uint8Array(32);
    new DataView(c.buffer).setUint32(0, n, true);
    lengthChunks[n] = c;
  }
  return c;
}

/** merkleize(chunks) padded to 2^depth leaves (SSZ `merkleize` with a limit). */
function merkleize(chunks: Uint8Array[], depth: number): Uint8Array {
  if (chunks.length === 0) return zeroHash(depth);
  let level = chunks;
  for (let d = 0; d < depth; d++) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(digest64(level[i] as Uint8Array, (level[i + 1] ?? zeroHash(d)) as Uint8Array));
    level = next;
  }
  return level[0] as Uint8Array;
}

function computeBytesRoot(bytes: Uint8Array, depth = BYTES_DEPTH): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += 32) {
    const c = new Uint8Array(32);
    c.set(bytes.subarray(o, o + 32));
    chunks.push(c);
  }
  return digest64(merkleize(chunks, depth), lengthChunk(bytes.length));
}

/** Roots of the two constant step values: Nothing, and a present empty value. */
const NOTHING_ROOT = digest64(FALSE_CHUNK, computeBytesRoot(EMPTY));
const EMPTY_ROOT = digest64(TRUE_CHUNK, computeBytesRoot(EMPTY));
const NOTHING_WORDS = new Int32Array(NOTHING_ROOT.slice().buffer);
const EMPTY_WORDS = new Int32Array(EMPTY_ROOT.slice().buffer);

/** `computeValuesRoot` (src/chain/values.ts) for values of at most MAX_STEPS × MAX_ARG_BYTES (the caller checks the bounds). */
export function computeValuesRootFast(values: readonly (Uint8Array | null)[]): Uint8Array {
  const roots = values.map((v) => (v === null ? NOTHING_ROOT : v.length === 0 ? EMPTY_ROOT : digest64(TRUE_CHUNK, computeBytesRoot(v))));
  return digest64(merkleize(roots, VALUES_DEPTH), lengthChunk(values.length));
}

/** `ResultLeaf.hashTreeRoot` (containers.ts): seq (uint64), txId, outcome (uint8), valuesRoot, postRoot. */
export function computeResultLeafRoot(leaf: { seq: number; txId: Uint8Array; outcome: number; valuesRoot: Uint8Array; postRoot: Uint8Array }): Uint8Array {
  const seq = new Uint8Array(32);
  setUint64(new DataView(seq.buffer), 0, leaf.seq);
  const outcome = new Uint8Array(32);
  outcome[0] = leaf.outcome;
  return merkleize([seq, leaf.txId, outcome, leaf.valuesRoot, leaf.postRoot], 3);
}

/** A result leaf's fields with its step values (the values root is computed here). */
export interface ResultLeafInput {
  readonly seq: number;
  readonly txId: Uint8Array;
  readonly outcome: number;
  readonly values: readonly (Uint8Array | null)[];
  readonly postRoot: Uint8Array;
}

/** Copies chunk `from` of `src` to chunk slot `to` (32-byte units) of `dst`, as 8 words (both buffers made here, offset 0). */
function copyChunk(dst: Int32Array, to: number, src: Int32Array, from: number): void {
  for (let k = 0; k < 8; k++) dst[to * 8 + k] = src[from * 8 + k] as number;
}

function words(bytes: Uint8Array): Int32Array {
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
}

/**
 * `computeResultLeafRoot({...leaf, valuesRoot: computeValuesRootFast(leaf.values)})` for many
 * leaves, hashed level by level across all of them (the same roots; the caller checks the bounds
 * of the values as for `computeValuesRootFast`).
 */
export function computeResultLeafRoots(leaves: readonly ResultLeafInput[]): Uint8Array[] {
  const roots = computeResultLeafRootsFlat(leaves);
  return leaves.map((_, i) => roots.slice(i * 32, i * 32 + 32));
}

/** `computeResultLeafRoots`, the roots one after the other in one buffer. */
export function computeResultLeafRootsFlat(leaves: readonly ResultLeafInput[]): Uint8Array {
  const fields = new Uint8Array(leaves.length * LEAF_FIELD_BYTES);
  for (let i = 0; i < leaves.length; i++) {
    const l = leaves[i] as ResultLeafInput;
    const o = i * LEAF_FIELD_BYTES;
    putUint64(fields, o, l.seq);
    fields.set(l.txId, o + 32);
    fields[o + 64] = l.outcome;
    fields.set(l.postRoot, o + 128);
  }
  return computeLeafRootsOfFields(fields, leaves.map((l) => l.values), leaves.length);
}

/** Bytes of a result leaf's five field chunks (seq, txId, outcome, values root, postRoot). */
export const LEAF_FIELD_BYTES = 160;

/**
 * The roots of `n` result leaves whose field chunks are in `fields` (`LEAF_FIELD_BYTES` each, at
 * offset 0, as `ResultLeaf` lays them out; the values root chunk, bytes 96–127, is written here
 * from `values[i]`): the readers decode a proof's fields straight into it. One after the other in
 * a fresh buffer.
 */
export function computeLeafRootsOfFields(fields: Uint8Array, values: readonly (readonly (Uint8Array | null)[])[], n: number): Uint8Array {
  // Each present, non-empty value: its chunks → bytes root → mixed with its length → with the "present" flag.
  let sized = 0;
  let chunks = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const vs = values[i] as readonly (Uint8Array | null)[];
    total += vs.length;
    for (const v of vs) {
      if (v === null || v.length === 0) continue;
      sized++;
      chunks += (v.length + 31) >> 5;
    }
  }
  const sizes = new Int32Array(sized);
  const counts = new Int32Array(sized);
  const flat = new Uint8Array(chunks * 32);
  let at = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (const v of values[i] as readonly (Uint8Array | null)[]) {
      if (v === null || v.length === 0) continue;
      flat.set(v, at);
      const c = (v.length + 31) >> 5;
      sizes[s] = v.length;
      counts[s++] = c;
      at += c * 32;
    }
  }
  const bytesRoots = words(mixInLengths(merkleizeMany(flat, counts, BYTES_DEPTH), sizes));
  const flagged = new Uint8Array(sized * 64);
  const flaggedWords = words(flagged);
  for (let i = 0; i < sized; i++) {
    flagged[i * 64] = 1;
    copyChunk(flaggedWords, i * 2 + 1, bytesRoots, i);
  }
  const valueRoots = new Uint8Array(sized * 32);
  digest64Many(flagged, valueRoots);
  const valueWords = words(valueRoots);

  const lengths = new Int32Array(n);
  const lists = new Uint8Array(total * 32);
  const listWords = words(lists);
  let next = 0;
  at = 0;
  for (let i = 0; i < n; i++) {
    const vs = values[i] as readonly (Uint8Array | null)[];
    lengths[i] = vs.length;
    for (const v of vs) {
      if (v === null) copyChunk(listWords, at, NOTHING_WORDS, 0);
      else if (v.length === 0) copyChunk(listWords, at, EMPTY_WORDS, 0);
      else copyChunk(listWords, at, valueWords, next++);
      at++;
    }
  }
  const valuesRoots = words(mixInLengths(merkleizeMany(lists, lengths, VALUES_DEPTH), lengths));
  const fieldWords = words(fields);
  for (let i = 0; i < n; i++) copyChunk(fieldWords, i * 5 + 3, valuesRoots, i);
  return merkleizeMany(fields.subarray(0, n * LEAF_FIELD_BYTES), new Int32Array(n).fill(5), 3);
}

/** Depths of the affirmation's lists: ByteList(MAX_CONTRACT_ID_BYTES) in chunks, List(Assumption, MAX_ASSUMPTIONS). */
const CONTRACT_DEPTH = Math.ceil(Math.log2(MAX_CONTRACT_ID_BYTES / 32));
const ASSUMPTIONS_DEPTH = Math.ceil(Math.log2(MAX_ASSUMPTIONS));
/** The root of an empty list of assumptions, as words. */
const NO_ASSUMPTIONS_WORDS = new Int32Array(digest64(zeroHash(ASSUMPTIONS_DEPTH), lengthChunk(0)).slice().buffer);

function uint64Chunk(n: number): Uint8Array {
  const c = new Uint8Array(32);
  putUint64(c, 0, n);
  return c;
}

/**
 * `Affirmation.hashTreeRoot` (containers.ts) merkleized with `digest64` directly (the same root,
 * property-tested; the generic SSZ path allocates a tree per call): contract id (at most
 * MAX_CONTRACT_ID_BYTES), first, last, pre-, post- and results roots, assumptions (contract,
 * position, root). The caller checks the bounds.
 */
export function computeAffirmationRoot(a: AffirmationValue): Uint8Array {
  const assumptions = a.assumptions.map((x) => merkleize([computeBytesRoot(x.contract, CONTRACT_DEPTH), uint64Chunk(x.position), x.root], 2));
  const fields = [
    computeBytesRoot(a.contract, CONTRACT_DEPTH),
    uint64Chunk(a.first),
    uint64Chunk(a.last),
    a.preRoot,
    a.postRoot,
    a.resultsRoot,
    digest64(merkleize(assumptions, ASSUMPTIONS_DEPTH), lengthChunk(assumptions.length)),
  ];
  return merkleize(fields, 3);
}

/**
 * `computeAffirmationRoot` for many affirmations, hashed level by level across all of them (the
 * same roots): contract ids (the affirmations' and their assumptions'), assumptions, assumption
 * lists (depth log2(MAX_ASSUMPTIONS) = 20: twenty hashes for a list of one, one call per level for
 * every list), then the seven fields.
 */
export function computeAffirmationRoots(affs: readonly AffirmationValue[]): Uint8Array[] {
  const roots = computeAffirmationRootsFlat(affs);
  return affs.map((_, i) => roots.slice(i * 32, i * 32 + 32));
}

/** `computeAffirmationRoots`, the roots one after the other in one buffer. */
export function computeAffirmationRootsFlat(affs: readonly AffirmationValue[]): Uint8Array {
  // Every contract id: the affirmation's, then its assumptions'.
  const ids: Uint8Array[] = [];
  let assumptionCount = 0;
  for (const a of affs) {
    ids.push(a.contract);
    for (const x of a.assumptions) ids.push(x.contract);
    assumptionCount += a.assumptions.length;
  }
  const idRoots = words(computeBytesRoots(ids, CONTRACT_DEPTH));
  const counts = new Int32Array(affs.length);
  const assumptionChunks = new Uint8Array(assumptionCount * ASSUMPTION_BYTES);
  const assumptionWords = words(assumptionChunks);
  const fields = new Uint8Array(affs.length * AFFIRMATION_FIELD_BYTES);
  const fieldWords = words(fields);
  let at = 0;
  let id = 0;
  for (let i = 0; i < affs.length; i++) {
    const a = affs[i] as AffirmationValue;
    const o = i * AFFIRMATION_FIELD_BYTES;
    copyChunk(fieldWords, i * 7, idRoots, id++);
    putUint64(fields, o + 32, a.first);
    putUint64(fields, o + 64, a.last);
    fields.set(a.preRoot, o + 96);
    fields.set(a.postRoot, o + 128);
    fields.set(a.resultsRoot, o + 160);
    counts[i] = a.assumptions.length;
    for (const x of a.assumptions) {
      copyChunk(assumptionWords, at * 3, idRoots, id++);
      putUint64(assumptionChunks, at * ASSUMPTION_BYTES + 32, x.position);
      assumptionChunks.set(x.root, at * ASSUMPTION_BYTES + 64);
      at++;
    }
  }
  return computeAffirmationRootsOfFields(fields, affs.length, assumptionChunks, counts);
}

/** Bytes of an affirmation's seven field chunks (contract id root, first, last, pre-, post-, results root, assumptions root). */
export const AFFIRMATION_FIELD_BYTES = 224;
/** Bytes of an assumption's three chunks (contract id root, position, root). */
export const ASSUMPTION_BYTES = 96;

/** `computeBytesRoot(id, CONTRACT_DEPTH)`: a contract id's root, the first chunk of an affirmation's or an assumption's fields. */
export function computeContractIdRoot(id: Uint8Array): Uint8Array {
  return computeBytesRoots([id], CONTRACT_DEPTH);
}

/**
 * The roots of `n` affirmations whose field chunks are in `fields` (`AFFIRMATION_FIELD_BYTES`
 * each, at offset 0; the assumptions root chunk, bytes 192–223, is written here): affirmation i
 * has `counts[i]` assumptions, their chunks (`ASSUMPTION_BYTES` each) one after the other in
 * `assumptions` (offset 0). The readers decode a proof's fields straight into these buffers. One
 * root after the other in a fresh buffer.
 */
export function computeAffirmationRootsOfFields(fields: Uint8Array, n: number, assumptions: Uint8Array, counts: ArrayLike<number>): Uint8Array {
  let assumptionCount = 0;
  for (let i = 0; i < n; i++) assumptionCount += counts[i] as number;
  const fieldWords = words(fields);
  if (assumptionCount === 0) {
    for (let i = 0; i < n; i++) copyChunk(fieldWords, i * 7 + 6, NO_ASSUMPTIONS_WORDS, 0);
  } else {
    const lengths = Int32Array.from({ length: n }, (_, i) => counts[i] as number);
    const assumptionRoots = merkleizeMany(assumptions.subarray(0, assumptionCount * ASSUMPTION_BYTES), new Int32Array(assumptionCount).fill(3), 2);
    const listRoots = words(mixInLengths(merkleizeMany(assumptionRoots, lengths, ASSUMPTIONS_DEPTH), lengths));
    for (let i = 0; i < n; i++) copyChunk(fieldWords, i * 7 + 6, listRoots, i);
  }
  return merkleizeMany(fields.subarray(0, n * AFFIRMATION_FIELD_BYTES), new Int32Array(n).fill(7), 3);
}

/** `computeBytesRoot(b, depth)` of every byte string, one after the other in the result (each at most 2^depth chunks). */
function computeBytesRoots(list: readonly Uint8Array[], depth: number): Uint8Array {
  let chunks = 0;
  const counts = list.map((b) => {
    const c = Math.ceil(b.length / 32);
    chunks += c;
    return c;
  });
  const flat = new Uint8Array(chunks * 32);
  const lengths = new Int32Array(list.length);
  let at = 0;
  list.forEach((b, i) => {
    flat.set(b, at);
    lengths[i] = b.length;
    at += (counts[i] as number) * 32;
  });
  return mixInLengths(merkleizeMany(flat, counts, depth), lengths);
}
