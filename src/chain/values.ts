/**
 * The commitment to a program's step values that every protocol puts in its results (so that a
 * light client can check what each step returned, Nothing included).
 */
import "../crypto/hash.js";
import { BooleanType, ByteListType, ContainerType, ListCompositeType } from "@chainsafe/ssz";
import { MerkleBatch } from "../crypto/merkle.js";
import { MAX_ARG_BYTES, MAX_STEPS } from "../program/index.js";
import type { MaybeValue } from "../types.js";

/** One step's value in a results leaf: Nothing is `present: false`. */
export const StepValue = new ContainerType({ present: new BooleanType(), bytes: new ByteListType(MAX_ARG_BYTES) });
export const StepValues = new ListCompositeType(StepValue, MAX_STEPS);

/** hash_tree_root of the step values (Nothing → `present: false`). */
export function computeValuesRoot(values: readonly MaybeValue[]): Uint8Array {
  if (!areValuesWellFormed(values)) return StepValues.hashTreeRoot(values.map((v) => (v === null ? { present: false, bytes: new Uint8Array(0) } : { present: true, bytes: v.bytes })));
  return computeWellFormedValuesRoot(values);
}

const BYTES_DEPTH = Math.ceil(Math.log2(MAX_ARG_BYTES / 32));
const VALUES_DEPTH = Math.ceil(Math.log2(MAX_STEPS));
/** Roots of the two constant step values, from the SSZ type: Nothing, and a present empty value. */
const NOTHING_ROOT = StepValue.hashTreeRoot({ present: false, bytes: new Uint8Array(0) });
const EMPTY_ROOT = StepValue.hashTreeRoot({ present: true, bytes: new Uint8Array(0) });
const valuesBatch = new MerkleBatch();
/** Trees of the second run: each present value's container (six numbers each). */
const valueTrees: number[] = [];

/** At most MAX_STEPS values, each Nothing or at most MAX_ARG_BYTES bytes: what `computeWellFormedValuesRoot` merkleizes. */
function areValuesWellFormed(values: readonly MaybeValue[]): boolean {
  if (!Array.isArray(values) || values.length > MAX_STEPS) return false;
  for (const v of values) if (v !== null && !(v.bytes instanceof Uint8Array && v.bytes.length <= MAX_ARG_BYTES)) return false;
  return true;
}

/**
 * `StepValues.hashTreeRoot` merkleized directly (`MerkleBatch`) in three runs: the values' byte
 * lists, their {present, bytes} containers, the list. test/chain/values.test.ts compares them.
 */
function computeWellFormedValuesRoot(values: readonly MaybeValue[]): Uint8Array {
  const b = valuesBatch;
  b.clear();
  const roots = b.alloc(values.length);
  const root = b.alloc(1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as MaybeValue;
    if (v === null) b.setChunk(roots + i, NOTHING_ROOT);
    else if (v.bytes.length === 0) b.setChunk(roots + i, EMPTY_ROOT);
    else {
      const f = b.alloc(2);
      b.bytes[f * 32] = 1;
      b.tree(b.allocBytes(v.bytes), (v.bytes.length + 31) >> 5, BYTES_DEPTH, f + 1, v.bytes.length);
      valueTrees.push(f, roots + i);
    }
  }
  b.run();
  for (let i = 0; i < valueTrees.length; i += 2) b.tree(valueTrees[i] as number, 2, 1, valueTrees[i + 1] as number);
  valueTrees.length = 0;
  b.run();
  b.tree(roots, values.length, VALUES_DEPTH, root, values.length);
  b.run();
  return b.getChunk(root);
}
