/**
 * The roots a Stage-2 block's batches carry, checked (`checkBatchRoots`, a rule of
 * `processStage2Block` in stage2.ts) against roots hashed ahead for the whole block
 * (`computeAppliedRoots`): affirmations, result leaves and the lists committing to them, each kind
 * hashed together rather than one value at a time. Same answers as hashing each alone.
 */
import { bytesEqual } from "../../crypto/hash.js";
import { commitList } from "../../state/index.js";
import type { Batch } from "./blocks.js";
import { ResultLeaf, computeAffirmationRoot, computeAffirmationRoots, computeBatchHeaderRoot, computeListRoots, isAffirmationWellFormed, type AffirmationValue, type ResultLeafValue } from "./containers.js";
import { computeResultLeafRoot, computeResultLeafRoots, isResultLeafWellFormed } from "./rules.js";

/** Every root a batch carries is the root of what it carries (header, affirmations, results). `ahead`: roots hashed ahead (`computeAppliedRoots`). */
export function checkBatchRoots(b: Batch, applied: readonly number[], ahead?: AppliedRoots): string | undefined {
  if (!bytesEqual(computeBatchHeaderRoot(b.header), b.root)) return "BAD_BATCH_ROOT";
  if (b.affirmationRoots.length !== b.affirmations.length || !bytesEqual(ahead?.affirmationsRoot ?? commitList(b.affirmationRoots).root, b.header.affirmationsRoot)) return "BAD_AFFIRMATION_ROOT";
  for (let n = 0; n < applied.length; n++) {
    const i = applied[n] as number;
    const a = b.affirmations[i];
    const c = b.candidates[i];
    const leaves = b.leaves[i];
    if (!a || !c || !leaves || !bytesEqual(ahead?.affirmations[n] ?? computeAffirmationRoot(a), b.affirmationRoots[i] as Uint8Array)) return "BAD_AFFIRMATION_ROOT";
    if (!bytesEqual(ahead?.results[n] ?? commitList(leaves).root, a.resultsRoot) || leaves.length !== c.to - c.from || c.leafValues.length !== leaves.length) return "BAD_RESULTS_ROOT";
    const roots = ahead?.leaves[n];
    for (let j = 0; j < leaves.length; j++) {
      const v = c.leafValues[j] as ResultLeafValue;
      const root = roots ? roots.subarray(32 * j, 32 * j + 32) : getResultLeafRoot(v);
      if (!bytesEqual(root, leaves[j] as Uint8Array) || !bytesEqual(v.postRoot, c.postRoots[j] as Uint8Array)) return "BAD_RESULTS_ROOT";
    }
  }
  return undefined;
}

/**
 * Roots `checkBatchRoots` compares for one inclusion, hashed ahead for a whole block: the root of
 * the batch's list of affirmation roots; per applied index (by its place in `applied`), the
 * affirmation's root, the root of its list of result leaves, and its leaves' roots (32 bytes each,
 * one after the other); undefined where a value is not well-formed (`checkBatchRoots` hashes it
 * alone, as it did). Computed and used within one `processStage2Block`: nothing is kept.
 */
export interface AppliedRoots {
  readonly affirmationsRoot: Uint8Array | undefined;
  readonly affirmations: (Uint8Array | undefined)[];
  readonly results: (Uint8Array | undefined)[];
  readonly leaves: (Uint8Array | undefined)[];
}

/**
 * The roots of every well-formed applied affirmation, result leaf and list of `inclusions`, hashed
 * together (`computeAffirmationRoots`, `computeResultLeafRoots`, `computeListRoots`: one hashtree
 * call per level for all of them rather than per value). Never throws for a malformed value: it is left out.
 */
export function computeAppliedRoots(inclusions: readonly { readonly batch: Batch; readonly applied: readonly number[] }[]): AppliedRoots[] {
  const out: { affirmationsRoot: Uint8Array | undefined; affirmations: (Uint8Array | undefined)[]; results: (Uint8Array | undefined)[]; leaves: (Uint8Array | undefined)[] }[] = [];
  const affs: AffirmationValue[] = [];
  const affAt: number[] = []; // per affirmation hashed: inclusion, place in applied
  const leafValues: ResultLeafValue[] = [];
  const leafAt: number[] = []; // per leaf list hashed: inclusion, place in applied, count
  const lists: (readonly Uint8Array[] | undefined)[] = []; // per inclusion: its affirmation roots, then its applied leaf lists
  for (let k = 0; k < inclusions.length; k++) {
    const { batch: b, applied } = inclusions[k] as { batch: Batch; applied: readonly number[] };
    out.push({ affirmationsRoot: undefined, affirmations: new Array<Uint8Array | undefined>(applied.length), results: new Array<Uint8Array | undefined>(applied.length), leaves: new Array<Uint8Array | undefined>(applied.length) });
    lists.push(b.affirmationRoots);
    for (let n = 0; n < applied.length; n++) {
      const i = applied[n] as number;
      const a = b.affirmations?.[i];
      if (a && isAffirmationWellFormed(a)) {
        affs.push(a);
        affAt.push(k, n);
      }
      lists.push(b.leaves?.[i]);
      const values = b.candidates?.[i]?.leafValues;
      if (Array.isArray(values) && values.every((v) => typeof v === "object" && v !== null && isResultLeafWellFormed(v))) {
        for (const v of values) leafValues.push(v);
        leafAt.push(k, n, values.length);
      }
    }
  }
  const listRoots = computeListRoots(lists);
  for (let k = 0, x = 0; k < inclusions.length; k++) {
    const o = out[k] as (typeof out)[number];
    o.affirmationsRoot = listRoots[x++];
    for (let n = 0; n < o.results.length; n++) o.results[n] = listRoots[x++];
  }
  if (affs.length > 0) {
    const roots = computeAffirmationRoots(affs);
    for (let x = 0; x < roots.length; x++) (out[affAt[2 * x] as number] as AppliedRoots).affirmations[affAt[2 * x + 1] as number] = roots[x];
  }
  if (leafValues.length > 0) {
    const flat = computeResultLeafRoots(leafValues);
    for (let x = 0, from = 0; x < leafAt.length; x += 3) {
      const count = leafAt[x + 2] as number;
      (out[leafAt[x] as number] as AppliedRoots).leaves[leafAt[x + 1] as number] = flat.subarray(32 * from, 32 * (from + count));
      from += count;
    }
  }
  return out;
}

/**
 * `ResultLeaf.hashTreeRoot(v)`: six hashes (`computeResultLeafRoot`) for a well-formed leaf, the
 * SSZ type itself for anything else (a malformed leaf from outside fails exactly as before).
 */
function getResultLeafRoot(v: ResultLeafValue): Uint8Array {
  return isResultLeafWellFormed(v) ? computeResultLeafRoot(v) : ResultLeaf.hashTreeRoot(v);
}
