/** `VotePool.getVoters` (the proposer's diagnostic of a batch below 2/3, `node.ts`). */
import { describe, expect, it } from "vitest";
import { VotePool } from "../../src/node/votes.js";

describe("VotePool.getVoters", () => {
  it("lists the validators whose votes for a root are held, in index order, per kind and root, until pruned", () => {
    const pool = new VotePool();
    const [r1, r2] = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    for (const v of [11, 3, 7]) pool.add(3, r1, 5, v, new Uint8Array(0));
    pool.add(3, r2, 5, 4, new Uint8Array(0));
    pool.add(1, r1, 5, 9, new Uint8Array(0));
    expect(pool.getVoters(3, r1)).toEqual([3, 7, 11]);
    expect(pool.getVoters(3, r2)).toEqual([4]);
    expect(pool.getVoters(1, r1)).toEqual([9]);
    expect(pool.getVoters(2, r1)).toEqual([]);
    pool.prune(6);
    expect(pool.getVoters(3, r1)).toEqual([]);
  });
});
