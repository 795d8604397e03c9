import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeStore } from "../../src/node/store/index.js";
import { sha256 } from "../../src/crypto/hash.js";

const dirs: string[] = [];
const stores: NodeStore[] = [];
function openFresh(): { store: NodeStore; path: string } {
  const path = mkdtempSync(join(tmpdir(), "xshard-store-"));
  dirs.push(path);
  const store = NodeStore.open({ path });
  stores.push(store);
  return { store, path };
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const root = (s: string) => sha256(s);
const bytes = (...xs: number[]) => Uint8Array.from(xs);

describe("NodeStore", () => {
  it("reads blocks of both chains by number, by root and by range; states, results, finalized roots and heads", () => {
    const { store } = openFresh();
    for (let n = 0; n < 5; n++) {
      store.processBlockWithEffects({
        chain: "stage1",
        block: { number: n, root: root(`s1-${n}`), bytes: bytes(1, n) },
        results: [{ id: root(`tx-${n}`), bytes: bytes(9, n) }],
        heads: { stage1: { number: n, root: root(`s1-${n}`) } },
      });
    }
    store.processBlockWithEffects({
      chain: "stage2",
      block: { number: 0, root: root("s2-0"), bytes: bytes(2, 0) },
      states: [{ root: root("state-a"), bytes: bytes(7, 7, 7) }],
      finalized: [{ number: 0, root: root("s2-0") }],
      heads: { stage2: { number: 0, root: root("s2-0") }, stage2Finalized: { number: 0, root: root("s2-0") } },
    });

    expect(Array.from(store.getBlockByNumber("stage1", 3)!)).toEqual([1, 3]);
    expect(store.getBlockNumberByRoot("stage1", root("s1-4"))).toBe(4);
    expect(Array.from(store.getBlockByRoot("stage2", root("s2-0"))!)).toEqual([2, 0]);
    expect(store.getBlockByRoot("stage2", root("s1-0"))).toBeUndefined(); // chains are separate
    expect(store.getBlockRange("stage1", 1, 4).map((b) => b.number)).toEqual([1, 2, 3]);
    expect(Array.from(store.getState(root("state-a"))!)).toEqual([7, 7, 7]);
    expect(Array.from(store.getTxResult(root("tx-2"))!)).toEqual([9, 2]);
    expect(store.getFinalizedRoot("stage2", 0)).toEqual(root("s2-0"));
    expect(store.getFinalizedRoot("stage1", 0)).toBeUndefined();
    const heads = store.getHeads();
    expect(heads.stage1).toEqual({ number: 4, root: root("s1-4") });
    expect(heads.stage2Finalized).toEqual({ number: 0, root: root("s2-0") });
    expect(store.getCounts()).toMatchObject({ stage1Blocks: 5, stage2Blocks: 1, txResults: 5, states: 1, stage2Finalized: 1 });
  });

  it("range reads come back in numeric order past 255 and 65535", () => {
    const { store } = openFresh();
    const numbers = [70000, 3, 256, 255, 65536, 1];
    store.processBatch((b) => {
      for (const n of numbers) b.putBlock("stage1", { number: n, root: root(`r${n}`) }, bytes(n & 0xff));
    });
    expect(store.getBlockRange("stage1", 0, 1_000_000).map((b) => b.number)).toEqual([...numbers].sort((x, y) => x - y));
  });

  it("a batch that throws writes nothing", () => {
    const { store } = openFresh();
    expect(() =>
      store.processBatch((b) => {
        b.putBlock("stage1", { number: 0, root: root("a") }, bytes(1));
        b.putTxResult(root("tx"), bytes(2));
        b.putHeads({ stage1: { number: 0, root: root("a") } });
        b.putBlock("stage1", { number: 1, root: bytes(1, 2, 3) }, bytes(3)); // bad root: throws
      }),
    ).toThrow(expect.objectContaining({ code: "STORE_BAD_KEY" }));
    expect(store.getBlockByNumber("stage1", 0)).toBeUndefined();
    expect(store.getTxResult(root("tx"))).toBeUndefined();
    expect(store.getHeads()).toEqual({});
  });

  it("bad keys and values are typed errors that change nothing", () => {
    const { store } = openFresh();
    expect(() => store.getBlockByNumber("stage1", -1)).toThrow(expect.objectContaining({ code: "STORE_BAD_KEY" }));
    expect(() => store.getBlockByNumber("stage1", 1.5)).toThrow(expect.objectContaining({ code: "STORE_BAD_KEY" }));
    expect(() => store.getState(bytes(1))).toThrow(expect.objectContaining({ code: "STORE_BAD_KEY" }));
    expect(() => store.processBatch((b) => b.putTxResult(new Uint8Array(0), bytes(1)))).toThrow(expect.objectContaining({ code: "STORE_BAD_KEY" }));
    expect(() => store.processBatch((b) => b.putState(root("s"), "x" as unknown as Uint8Array))).toThrow(expect.objectContaining({ code: "STORE_BAD_VALUE" }));
    expect(store.getCounts()).toMatchObject({ stage1Blocks: 0, states: 0, txResults: 0 });
  });

  it("heads merge; deleting a block removes both of its indexes", () => {
    const { store } = openFresh();
    store.processBatch((b) => {
      b.putBlock("stage2", { number: 1, root: root("x") }, bytes(1));
      b.putHeads({ stage1: { number: 5, root: root("h1") } });
    });
    store.processBatch((b) => b.putHeads({ stage2: { number: 1, root: root("x") } }));
    expect(store.getHeads().stage1?.number).toBe(5);
    expect(store.getHeads().stage2?.number).toBe(1);
    store.processBatch((b) => b.deleteBlock("stage2", { number: 1, root: root("x") }));
    expect(store.getBlockByNumber("stage2", 1)).toBeUndefined();
    expect(store.getBlockNumberByRoot("stage2", root("x"))).toBeUndefined();
  });

  it("survives close and reopen; a closed store refuses writes", async () => {
    const { store, path } = openFresh();
    store.processBatch((b) => b.putTxResult(root("t"), bytes(4, 2)));
    await store.close();
    expect(() => store.processBatch((b) => b.putTxResult(root("u"), bytes(1)))).toThrow(expect.objectContaining({ code: "STORE_CLOSED" }));
    const again = NodeStore.open({ path });
    stores.push(again);
    expect(Array.from(again.getTxResult(root("t"))!)).toEqual([4, 2]);
  });
});
