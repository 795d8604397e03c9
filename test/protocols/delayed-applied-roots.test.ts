/**
 * `computeAppliedRoots` (batchRoots.ts, exported by stage2.ts): the roots `checkBatchRoots` compares, hashed ahead for a whole
 * Stage-2 block, are those it computes alone, and `checkBatchRoots` gives the same verdict with and
 * without them — on the blocks of the conformance vectors and on forged and malformed variants.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { computeAffirmationRoot, ResultLeaf, type AffirmationValue } from "../../src/protocols/delayed/containers.js";
import { stage2BlockFromJson } from "../../src/protocols/delayed/json.js";
import { checkBatchRoots, computeAppliedRoots, type Batch } from "../../src/protocols/delayed/stage2.js";
import { commitList } from "../../src/state/index.js";
import { parseDelayedChain } from "../vectors/delayed.vectors.js";

const DIR = fileURLToPath(new URL("../vectors/delayed/processStage2Block/", import.meta.url));

function loadBlocks(): { file: string; inclusions: readonly { batch: Batch; applied: readonly number[] }[] }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .map((file) => {
      const v = JSON.parse(readFileSync(DIR + file, "utf8")) as Record<string, unknown>;
      const { validators } = parseDelayedChain(v["chain"]);
      return { file, inclusions: stage2BlockFromJson(v["input"], validators, "input").inclusions };
    });
}

/** `checkBatchRoots`'s verdict, or the error it throws, as a string. */
function verdict(f: () => string | undefined): string {
  try {
    return String(f());
  } catch (e) {
    return `throws ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

/** Variants of a batch: forged leaves, a forged affirmation, malformed values. */
function variants(b: Batch): Batch[] {
  const out: Batch[] = [];
  b.candidates.forEach((c, i) => {
    const swap = <T>(list: readonly T[], x: T): T[] => list.map((y, j) => (j === i ? x : y));
    const a = b.affirmations[i] as AffirmationValue;
    out.push({ ...b, candidates: swap(b.candidates, { ...c, leafValues: c.leafValues.map((v) => ({ ...v, outcome: 1 - v.outcome })) }) });
    out.push({ ...b, candidates: swap(b.candidates, { ...c, leafValues: c.leafValues.map((v, j) => (j === c.leafValues.length - 1 ? { ...v, seq: -1 } : v)) }) });
    out.push({ ...b, candidates: swap(b.candidates, { ...c, leafValues: c.leafValues.map((v) => ({ ...v, postRoot: new Uint8Array(31) })) }) });
    out.push({ ...b, candidates: swap(b.candidates, { ...c, leafValues: [] }) });
    out.push({ ...b, affirmations: swap(b.affirmations, { ...a, first: a.first + 1 }) });
    out.push({ ...b, affirmations: swap(b.affirmations, { ...a, contract: "x" as unknown as Uint8Array }) });
    out.push({ ...b, affirmations: swap(b.affirmations, { ...a, assumptions: [{ contract: new Uint8Array(3), position: -1, root: new Uint8Array(32) }] }) });
    const leaves = b.leaves[i] as Uint8Array[];
    out.push({ ...b, leaves: swap(b.leaves, leaves.map((l, j) => (j === 0 ? new Uint8Array(32).fill(9) : l))) });
    out.push({ ...b, leaves: swap(b.leaves, [...leaves, new Uint8Array(30)]) });
  });
  // The list of affirmation roots: a forged root, a malformed one, the order changed.
  out.push({ ...b, affirmationRoots: b.affirmationRoots.map((r, j) => (j === 0 ? new Uint8Array(32).fill(7) : r)) });
  out.push({ ...b, affirmationRoots: b.affirmationRoots.map((r, j) => (j === 0 ? new Uint8Array(31) : r)) });
  if (b.affirmationRoots.length > 1) out.push({ ...b, affirmationRoots: [...b.affirmationRoots].reverse() });
  return out;
}

describe("computeAppliedRoots", () => {
  const blocks = loadBlocks();

  it("the vectors hold blocks that apply affirmations", () => {
    expect(blocks.filter((b) => b.inclusions.some((i) => i.applied.length > 0)).length).toBeGreaterThanOrEqual(5);
  });

  it("gives each applied affirmation's root, its leaves' roots and the roots of the lists committing to them", () => {
    let checked = 0;
    for (const { inclusions } of blocks) {
      const ahead = computeAppliedRoots(inclusions);
      inclusions.forEach(({ batch: b, applied }, k) => {
        expect(ahead[k]!.affirmationsRoot).toEqual(commitList(b.affirmationRoots).root);
        applied.forEach((i, n) => {
          if (b.leaves[i]) expect(ahead[k]!.results[n]).toEqual(commitList(b.leaves[i]!).root);
          if (!b.affirmations[i] || !b.candidates[i]) return expect(ahead[k]!.affirmations[n]).toBeUndefined(); // bad_inclusion: not in its batch
          expect(ahead[k]!.affirmations[n]).toEqual(computeAffirmationRoot(b.affirmations[i]!));
          const leaves = b.candidates[i]!.leafValues;
          expect(ahead[k]!.leaves[n]).toEqual(new Uint8Array(leaves.flatMap((v) => [...ResultLeaf.hashTreeRoot(v)])));
          checked++;
        });
      });
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("checkBatchRoots gives the same verdict with the roots hashed ahead as alone, for honest, forged and malformed batches", () => {
    const seen = new Set<string>();
    for (const { inclusions } of blocks) {
      for (const { batch, applied } of inclusions) {
        if (applied.length === 0) continue;
        const all = [batch, ...variants(batch)];
        const ahead = computeAppliedRoots(all.map((b) => ({ batch: b, applied })));
        all.forEach((b, k) => {
          const alone = verdict(() => checkBatchRoots(b, applied));
          expect(verdict(() => checkBatchRoots(b, applied, ahead[k]))).toBe(alone);
          seen.add(alone);
        });
      }
    }
    // Honest, forged and malformed all occur.
    expect(seen.has("undefined")).toBe(true);
    expect(seen.has("BAD_RESULTS_ROOT")).toBe(true);
    expect(seen.has("BAD_AFFIRMATION_ROOT")).toBe(true);
    expect([...seen].some((s) => s.startsWith("throws"))).toBe(true);
  });
});
