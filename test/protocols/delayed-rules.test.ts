/** The two-stage chain's pure Stage-2 rules: execution needs, block acceptance, the cone, adaptive assignment. */
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash.js";
import { CoAccessGraph, computeAdaptiveAssignment, computeLoadBound, computeLoads } from "../../src/protocols/delayed/assignment.js";
import { computeCorruptedWrites, selectWrongSigners } from "../../src/sim/delayed/behaviour.js";
import { computeCone, computeNeed, computeResultLeafRoot, computeResultLeafRoots, selectAffirmations, type CandidateAffirmation, type KnownState } from "../../src/protocols/delayed/rules.js";
import { ResultLeaf } from "../../src/protocols/delayed/containers.js";
import fc from "fast-check";
import type { Validator } from "../../src/chain/index.js";

const root = (label: string): Uint8Array => sha256(label);

describe("computeNeed", () => {
  const positions = new Map([
    ["own", 3],
    ["other", 5],
  ]);
  const know = (other: Partial<KnownState>, own: Partial<KnownState> = {}) => (d: string): KnownState =>
    d === "own" ? { own: true, idx: 3, affirmedIdx: 0, ...own } : { own: false, idx: -1, affirmedIdx: 5, ...other };

  it("ready when its own frontier is there and the other contract is affirmed up to there", () => {
    expect(computeNeed("strict", positions, know({}))).toEqual({ kind: "ready" });
  });
  it("an earlier transaction of its own contract comes first", () => {
    expect(computeNeed("strict", positions, know({}, { idx: 1 }))).toEqual({ kind: "first", contract: "own", position: 1 });
  });
  it("strict waits for the affirmation; conditional executes the cone from the affirmed state or its view", () => {
    expect(computeNeed("strict", positions, know({ affirmedIdx: 2 }))).toEqual({ kind: "blocked" });
    expect(computeNeed("conditional", positions, know({ affirmedIdx: 2 }))).toEqual({ kind: "first", contract: "other", position: 2 });
    expect(computeNeed("conditional", positions, know({ affirmedIdx: 2, idx: 4 }))).toEqual({ kind: "first", contract: "other", position: 4 });
    expect(computeNeed("conditional", positions, know({ affirmedIdx: 2, idx: 5 }))).toEqual({ kind: "ready" });
  });
});

describe("selectAffirmations", () => {
  const chain = { affirmedIdx: () => 0, rootAt: (d: string) => root(`${d}0`) };
  const cand = (contract: string, from: number, to: number, assumptions: CandidateAffirmation["assumptions"] = []): CandidateAffirmation => ({
    contract,
    from,
    to,
    preRoot: root(`${contract}${from}`),
    postRoots: Array.from({ length: to - from }, (_, i) => root(`${contract}${from + i + 1}`)),
    assumptions,
  });

  it("accepts affirmations that assume each other's roots in the same block (the greatest fixpoint)", () => {
    const a = cand("a", 0, 1, [{ contract: "b", position: 1, root: root("b1") }]);
    const b = cand("b", 0, 1, [{ contract: "a", position: 1, root: root("a1") }]);
    const out = selectAffirmations(new Map([["a", [a]], ["b", [b]]]), chain);
    expect(out.get("a")).toEqual([a]);
    expect(out.get("b")).toEqual([b]);
  });

  it("drops an affirmation whose assumed root is wrong or not affirmed, and everything after it on its contract", () => {
    const a1 = cand("a", 0, 1);
    const a2 = cand("a", 1, 2, [{ contract: "b", position: 1, root: root("wrong") }]);
    const a3 = cand("a", 2, 3);
    const b = cand("b", 0, 1, [{ contract: "c", position: 4, root: root("c4") }]);
    const out = selectAffirmations(new Map([["a", [a1, a2, a3]], ["b", [b]]]), chain);
    expect(out.get("a")).toEqual([a1]);
    expect(out.has("b")).toBe(false);
  });

  it("passes over candidates that do not continue the chain (stale or conflicting variants)", () => {
    const good = cand("a", 0, 2);
    const variant = { ...cand("a", 0, 2), postRoots: [root("x"), root("y")] };
    const wrongPre = { ...cand("a", 0, 1), preRoot: root("nope") };
    const out = selectAffirmations(new Map([["a", [wrongPre, good, variant, cand("a", 2, 3)]]]), chain);
    expect(out.get("a")?.map((x) => [x.from, x.to])).toEqual([
      [0, 2],
      [2, 3],
    ]);
  });
});

describe("computeCone", () => {
  // x: t0 t1 t3    y: t1 t2    z: t2 t4 (t4 never executed)
  const queues: Record<string, { seq: number; positions: Map<string, number>; executed: boolean }[]> = {
    x: [
      { seq: 0, positions: new Map([["x", 0]]), executed: true },
      { seq: 1, positions: new Map([["x", 1], ["y", 0]]), executed: true },
      { seq: 3, positions: new Map([["x", 2]]), executed: true },
    ],
    y: [],
    z: [],
  };
  queues.y = [queues.x![1]!, { seq: 2, positions: new Map([["y", 1], ["z", 0]]), executed: true }];
  queues.z = [queues.y[1]!, { seq: 4, positions: new Map([["z", 1]]), executed: false }];

  it("follows every executed transaction that read a state derived from the wrong one", () => {
    const { firstBad, txs } = computeCone("x", 1, (d) => queues[d]!);
    expect(txs).toEqual([1, 2, 3]);
    expect(Object.fromEntries(firstBad)).toEqual({ x: 1, y: 0, z: 0 });
  });
  it("a wrong last state touches nothing else", () => {
    expect(computeCone("x", 2, (d) => queues[d]!).txs).toEqual([3]);
  });
});

describe("adaptive assignment", () => {
  const ids = Array.from({ length: 8 }, (_, i) => `c${i}`);
  // Clusters {c0,c4}, {c1,c5}, {c2,c6}, {c3,c7}, placed apart by a round-robin start.
  const current = new Map(ids.map((id, i) => [id, i % 4]));
  const graph = new CoAccessGraph();
  for (let r = 0; r < 5; r++) for (let i = 0; i < 4; i++) graph.record([`c${i}`, `c${i + 4}`]);
  graph.record(["c0", "c1"]);

  it("puts contracts used together on one committee, within the bound", () => {
    const next = computeAdaptiveAssignment(current, graph, 4, 2);
    for (let i = 0; i < 4; i++) expect(next.get(`c${i}`)).toBe(next.get(`c${i + 4}`));
    expect(Math.max(...computeLoads(next, 4))).toBeLessThanOrEqual(2);
  });

  it("never exceeds a bound that forces clusters apart", () => {
    const next = computeAdaptiveAssignment(current, graph, 8, 1);
    expect(computeLoads(next, 8).every((n) => n <= 1)).toBe(true);
  });

  it("moves nothing when nothing is used together", () => {
    expect(computeAdaptiveAssignment(current, new CoAccessGraph(), 4, 2)).toEqual(current);
  });

  it("decay halves old weights; the bound is ceil(factor × contracts / committees)", () => {
    const g = new CoAccessGraph();
    g.record(["a", "b", "a"]);
    g.decay(0.5);
    expect(g.getEdges()).toEqual([["a", "b", 0.5]]);
    expect(computeLoadBound(1.25, 16, 4)).toBe(5);
    expect(computeLoadBound(1, 3, 4)).toBe(1);
  });
});

describe("fault rules", () => {
  const v = (index: number, stake: number) => ({ index, stake }) as unknown as Validator;
  it("wrong signers never exceed the fraction of the committee's stake", () => {
    const members = [v(0, 40), v(1, 60), v(2, 50), v(3, 50)];
    expect(selectWrongSigners(members, 0.25).map((x) => x.index)).toEqual([0]);
    expect(selectWrongSigners(members, 0.5).map((x) => x.index)).toEqual([0, 1]);
    expect(selectWrongSigners(members, 1).map((x) => x.index)).toEqual([0, 1, 2, 3]);
  });
  it("a faulty majority's writes differ in one bit of the first written value, or add the fault key", () => {
    const w = computeCorruptedWrites(new Map([["bb", new Uint8Array([2, 0])], ["aa", new Uint8Array([4])]]));
    expect([...w.get("aa")!]).toEqual([5]);
    expect([...w.get("bb")!]).toEqual([2, 0]);
    expect(computeCorruptedWrites(undefined).size).toBe(1);
  });
});

describe("computeResultLeafRoot", () => {
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  it("is ResultLeaf.hashTreeRoot, at the edges of seq and outcome and at random", () => {
    const z = new Uint8Array(32);
    for (const seq of [0, 1, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
      for (const outcome of [0, 1, 255]) {
        const leaf = { seq, txId: z.map((_, i) => i), outcome, valuesRoot: z.map((_, i) => 255 - i), postRoot: z.map((_, i) => i * 7) };
        expect(computeResultLeafRoot(leaf)).toEqual(ResultLeaf.hashTreeRoot(leaf));
      }
    }
    fc.assert(
      fc.property(fc.maxSafeNat(), bytes32, fc.nat({ max: 255 }), bytes32, bytes32, (seq, txId, outcome, valuesRoot, postRoot) => {
        const leaf = { seq, txId, outcome, valuesRoot, postRoot };
        expect(computeResultLeafRoot(leaf)).toEqual(ResultLeaf.hashTreeRoot(leaf));
      }),
    );
  });
  it("computeResultLeafRoots: each leaf's root, one after the other, for lists of any length", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ seq: fc.maxSafeNat(), txId: bytes32, outcome: fc.nat({ max: 255 }), valuesRoot: bytes32, postRoot: bytes32 }), { maxLength: 9 }), (leaves) => {
        expect(computeResultLeafRoots(leaves)).toEqual(new Uint8Array(leaves.flatMap((l) => [...ResultLeaf.hashTreeRoot(l)])));
      }),
    );
    const z = new Uint8Array(32);
    expect(() => computeResultLeafRoots([{ seq: 0, txId: z, outcome: 0, valuesRoot: z, postRoot: z }, { seq: 0, txId: z, outcome: 256, valuesRoot: z, postRoot: z }])).toThrow(RangeError);
  });
  it("refuses what is not a result leaf", () => {
    const z = new Uint8Array(32);
    for (const bad of [{ seq: -1 }, { seq: 1.5 }, { outcome: 256 }, { txId: new Uint8Array(31) }, { postRoot: new Uint8Array(33) }]) {
      expect(() => computeResultLeafRoot({ seq: 0, txId: z, outcome: 0, valuesRoot: z, postRoot: z, ...bad })).toThrow(RangeError);
    }
  });
});
