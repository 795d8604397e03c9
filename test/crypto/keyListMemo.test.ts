/** `createKeyListMemo` / `isSameKeyList` (src/crypto/keyListMemo.ts): memoised by the key objects, element by element. */
import { describe, expect, it } from "vitest";
import { createKeyListMemo, isSameKeyList } from "../../src/crypto/keyListMemo.js";

describe("createKeyListMemo", () => {
  const keys = Array.from({ length: 12 }, (_, i) => ({ i }));

  it("computes a list once, and again for another list with the same first key", () => {
    let calls = 0;
    const memo = createKeyListMemo((ks: readonly { i: number }[]) => {
      calls++;
      return { sum: ks.reduce((a, k) => a + k.i, 0) };
    });
    const a = memo([keys[0]!, keys[1]!]);
    expect(memo([keys[0]!, keys[1]!])).toBe(a);
    expect(calls).toBe(1);
    const b = memo([keys[0]!, keys[2]!]);
    expect(b).not.toBe(a);
    expect(b.sum).toBe(2);
    expect(calls).toBe(2);
    // Equal objects that are not the same keys are another list.
    expect(memo([{ i: 0 }, keys[1]!])).not.toBe(a);
    expect(calls).toBe(3);
  });

  it("computes an empty list every time, and keeps at most perFirst lists per first key", () => {
    let calls = 0;
    const memo = createKeyListMemo((ks: readonly { i: number }[]) => ({ n: ks.length, call: ++calls }), 2);
    memo([]);
    memo([]);
    expect(calls).toBe(2);
    const first = memo([keys[0]!, keys[1]!]);
    memo([keys[0]!, keys[2]!]);
    expect(memo([keys[0]!, keys[1]!])).toBe(first);
    memo([keys[0]!, keys[3]!]); // a third list: the oldest ([0, 1]) goes
    const before = calls;
    expect(memo([keys[0]!, keys[1]!])).not.toBe(first);
    expect(calls).toBe(before + 1);
  });
});

describe("isSameKeyList", () => {
  it("is true only for the same objects in the same order", () => {
    const [a, b] = [{}, {}];
    expect(isSameKeyList([a, b], [a, b])).toBe(true);
    expect(isSameKeyList([a, b], [b, a])).toBe(false);
    expect(isSameKeyList([a], [a, b])).toBe(false);
    expect(isSameKeyList([a, {}], [a, b])).toBe(false);
    expect(isSameKeyList(["x", "y"], ["x", "y"])).toBe(true);
  });
});
