/**
 * The per-proof hot path of batch verification: a result leaf's root from its fields and step
 * values. The same roots as `ResultLeaf.hashTreeRoot({..., valuesRoot: computeValuesRoot(values)})`
 * (test/protocols/lightclient-leaf.test.ts checks them against the SSZ types for random values), but
 * merkleized with `digest64` directly: the generic SSZ path costs about 15 µs per leaf, this one
 * about the ≈ 25 hashes it needs.
 */
import "../../../crypto/hash.js";
import { digest64, zeroHash } from "@chainsafe/persistent-merkle-tree";
import { MAX_ARG_BYTES, MAX_STEPS } from "../../../program/index.js";

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

function computeBytesRoot(bytes: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += 32) {
    const c = new Uint8Array(32);
    c.set(bytes.subarray(o, o + 32));
    chunks.push(c);
  }
  return digest64(merkleize(chunks, BYTES_DEPTH), lengthChunk(bytes.length));
}

/** Roots of the two constant step values: Nothing, and a present empty value. */
const NOTHING_ROOT = digest64(FALSE_CHUNK, computeBytesRoot(EMPTY));
const EMPTY_ROOT = digest64(TRUE_CHUNK, computeBytesRoot(EMPTY));

/** `computeValuesRoot` (src/chain/values.ts) for values of at most MAX_STEPS × MAX_ARG_BYTES (the caller checks the bounds). */
export function computeValuesRootFast(values: readonly (Uint8Array | null)[]): Uint8Array {
  const roots = values.map((v) => (v === null ? NOTHING_ROOT : v.length === 0 ? EMPTY_ROOT : digest64(TRUE_CHUNK, computeBytesRoot(v))));
  return digest64(merkleize(roots, VALUES_DEPTH), lengthChunk(values.length));
}

/** `ResultLeaf.hashTreeRoot` (containers.ts): seq (uint64), txId, outcome (uint8), valuesRoot, postRoot. */
export function computeResultLeafRoot(leaf: { seq: number; txId: Uint8Array; outcome: number; valuesRoot: Uint8Array; postRoot: Uint8Array }): Uint8Array {
  const seq = new Uint8Array(32);
  new DataView(seq.buffer).setBigUint64(0, BigInt(leaf.seq), true);
  const outcome = new Uint8Array(32);
  outcome[0] = leaf.outcome;
  return merkleize([seq, leaf.txId, outcome, leaf.valuesRoot, leaf.postRoot], 3);
}
