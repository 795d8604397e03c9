/**
 * The commitment to a program's step values that every protocol puts in its results (so that a
 * light client can check what each step returned, Nothing included).
 */
import "../crypto/hash.js";
import { BooleanType, ByteListType, ContainerType, ListCompositeType } from "@chainsafe/ssz";
import { MAX_ARG_BYTES, MAX_STEPS } from "../program/index.js";
import type { MaybeValue } from "../types.js";

/** One step's value in a results leaf: Nothing is `present: false`. */
export const StepValue = new ContainerType({ present: new BooleanType(), bytes: new ByteListType(MAX_ARG_BYTES) });
export const StepValues = new ListCompositeType(StepValue, MAX_STEPS);

/** hash_tree_root of the step values (Nothing → `present: false`). */
export function computeValuesRoot(values: readonly MaybeValue[]): Uint8Array {
  return StepValues.hashTreeRoot(values.map((v) => (v === null ? { present: false, bytes: new Uint8Array(0) } : { present: true, bytes: v.bytes })));
}
