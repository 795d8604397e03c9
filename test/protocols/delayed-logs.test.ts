/** The agreed state's compact lists (src/protocols/delayed/logs.ts): packed roots and flags, packed transactions. */
import { afterEach, describe, expect, it } from "vitest";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { createUser } from "../../src/chain/genesis.js";
import { computeTxId, encodeSignedTx, signTx } from "../../src/program/index.js";
import { transferProgram } from "../../src/workloads/programs.js";
import {
  appendLog,
  createFlagLog,
  createLog,
  createRootLog,
  getLogItem,
  getLogItems,
  PackedTx,
  PositionMap,
  setHotTxLimit,
  truncateLog,
} from "../../src/protocols/delayed/logs.js";

const root = (i: number): Uint8Array => sha256(`root ${i}`);

describe("packed logs", () => {
  it("keeps roots like an array log, across chunks, truncation and forks", () => {
    let packed = createRootLog([root(0)]);
    let plain = createLog([root(0)]);
    for (let i = 1; i < 700; i++) {
      packed = appendLog(packed, root(i));
      plain = appendLog(plain, root(i));
    }
    expect(getLogItems(packed).map(toHex)).toEqual(getLogItems(plain).map(toHex));
    // A fork inside the third chunk: the parent keeps its items, the fork its own.
    const parent = packed;
    const fork = appendLog(truncateLog(parent, 600), root(-1), root(-2));
    const parentMore = appendLog(parent, root(700));
    expect(fork.length).toBe(602);
    expect(toHex(getLogItem(fork, 600))).toBe(toHex(root(-1)));
    expect(toHex(getLogItem(fork, 599))).toBe(toHex(root(599)));
    expect(toHex(getLogItem(parent, 600))).toBe(toHex(root(600)));
    expect(toHex(getLogItem(parentMore, 700))).toBe(toHex(root(700)));
    // Appending to the fork again extends it in place; the parent is unchanged.
    const fork2 = appendLog(fork, root(-3));
    expect(toHex(getLogItem(fork2, 602))).toBe(toHex(root(-3)));
    expect(getLogItems(parent).map(toHex)).toEqual(getLogItems(plain).map(toHex));
    // Truncated to nothing and restarted (a successor's state 0).
    const restarted = appendLog(truncateLog(parent, 0), root(42));
    expect(getLogItems(restarted).map(toHex)).toEqual([toHex(root(42))]);
    expect(toHex(getLogItem(parent, 0))).toBe(toHex(root(0)));
  });

  it("returns copies of roots, refuses indices outside the log and roots of the wrong size", () => {
    const log = createRootLog([root(1)]);
    const a = getLogItem(log, 0);
    a.fill(0);
    expect(toHex(getLogItem(log, 0))).toBe(toHex(root(1)));
    expect(() => getLogItem(log, 1)).toThrow(RangeError);
    expect(() => getLogItem(truncateLog(appendLog(log, root(2)), 1), 1)).toThrow(RangeError);
    expect(() => appendLog(log, new Uint8Array(31))).toThrow(RangeError);
  });

  it("keeps flags", () => {
    let log = createFlagLog([false]);
    for (let i = 1; i < 300; i++) log = appendLog(log, i % 3 === 0);
    expect(getLogItems(log)).toEqual(Array.from({ length: 300 }, (_, i) => i > 0 && i % 3 === 0));
    expect(getLogItems(appendLog(truncateLog(log, 0), true))).toEqual([true]);
  });
});

describe("packed transactions", () => {
  afterEach(() => setHotTxLimit(4096));

  const user = createUser("logs-user");
  const stxs = Array.from({ length: 5 }, (_, i) =>
    signTx({ sender: user.address, nonce: BigInt(i), maxFeePerGas: 10n, gasLimit: 200_000n, program: transferProgram("token1", user.address, BigInt(i + 1), i % 2 ? "token2" : undefined) }, user.key),
  );

  it("gives back the same transaction once its decoded form has been dropped", () => {
    setHotTxLimit(2);
    const txs = stxs.map((stx, i) => PackedTx.of(i, computeTxId(stx), stx, [["token1", i]], 7));
    // Only the two newest keep the object they were made from; the older ones decode their bytes.
    expect(txs[4]?.stx).toBe(stxs[4]);
    expect(txs[0]?.stx).not.toBe(stxs[0]);
    txs.forEach((t, i) => {
      const stx = stxs[i]!;
      expect(t.stx).toEqual(stx);
      expect(toHex(encodeSignedTx(t.stx))).toBe(toHex(encodeSignedTx(stx)));
      expect(toHex(t.encoded)).toBe(toHex(encodeSignedTx(stx)));
      expect(toHex(t.txId)).toBe(toHex(computeTxId(stx)));
      expect(t.seq).toBe(i);
      expect(t.stage1Slot).toBe(7);
    });
  });

  it("keeps positions as a map in insertion order", () => {
    const m = new PositionMap([
      ["b", 3],
      ["a", 0],
      ["b", 5],
    ]);
    expect(m.size).toBe(2);
    expect([...m]).toEqual([
      ["b", 5],
      ["a", 0],
    ]);
    expect([...m.keys()]).toEqual(["b", "a"]);
    expect([...m.values()]).toEqual([5, 0]);
    expect(m.get("a")).toBe(0);
    expect(m.has("a")).toBe(true);
    expect(m.get("c")).toBeUndefined();
    expect(m.has("c")).toBe(false);
    expect(new Map(m)).toEqual(new Map([["b", 5], ["a", 0]]));
    const seen: string[] = [];
    m.forEach((v, k) => seen.push(`${k}${v}`));
    expect(seen).toEqual(["b5", "a0"]);
  });
});
