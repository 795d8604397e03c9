/**
 * The devnet's Stage-2 stall (issue 13), suspect "in-place reorder": every Stage-2 block of the
 * stalled netns run arrived after the next Stage-1 block and was put in place by
 * `NodeChain.reorderStage2`, after the node's committee views had already executed the later
 * Stage-1 block against the state without it. This checks that such a node signs the same batch
 * roots as one that imported in the canonical order. One in-process node makes a short chain
 * (`chainFixture.ts`, 4 committees as in the netns devnet); `NodeChain`s, no clock:
 * - A imports in the canonical order (`mergeChains`) and runs a round after every import;
 * - B gets every Stage-2 block one Stage-1 block late (put in place over the recent Stage-1 block)
 *   and also runs a round after every import, including on the state the reorder then changes;
 * - C imports the first half without any round (a node that rebuilt from genesis), then as A.
 * Wherever two of them hold the same blocks in the same order (order digest), their rounds at the
 * same slot must give the same batch roots per committee.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { NodeChain } from "../../src/node/chain.js";
import { importItem, mergeChains, type OrderItem } from "../../src/node/order.js";
import type { Batch } from "../../src/protocols/delayed/stage2.js";
import { produceChain, type ChainFixture } from "./chainFixture.js";

let fx: ChainFixture;
let items: OrderItem[];

beforeAll(async () => {
  fx = await produceChain({ slots: 10, slotMs: 500, seed: "reorder-rounds", committees: 4 });
  items = mergeChains(fx.stage1, fx.stage2);
}, 120_000);

function roots(batches: Map<number, Batch>): Record<number, string> {
  return Object.fromEntries([...batches].map(([k, b]) => [k, toHex(b.root)]));
}

/** A round at the chain's Stage-1 head slot, recorded under the chain's order digest. */
function round(c: NodeChain, out: Map<string, Record<number, string>>): void {
  out.set(toHex(c.orderDigest), roots(c.executeRound(c.stage1.slot)));
}

/** A: the canonical order, a round after every import. */
function runCanonical(): Map<string, Record<number, string>> {
  const a = new NodeChain(fx.genesis);
  const out = new Map<string, Record<number, string>>();
  for (const it of items) {
    importItem(a, it);
    round(a, out);
  }
  return out;
}

describe("batch roots after a Stage-2 block put in place over a later Stage-1 block", () => {
  it("a node that got every Stage-2 block one Stage-1 block late signs the canonical node's roots", () => {
    // The fixture must hold the case: Stage-2 blocks with content whose Stage-1 base has a successor.
    const late = items.filter((it) => it.chain === "stage2" && it.block.stage1Height < fx.stage1.length && it.block.inclusions.length > 0);
    expect(late.length).toBeGreaterThan(0);
    const canonical = runCanonical();

    const b = new NodeChain(fx.genesis);
    const out = new Map<string, Record<number, string>>();
    let pending: OrderItem[] = [];
    const afterReorder: string[] = [];
    for (const it of items) {
      if (it.chain === "stage2") {
        pending.push(it);
        continue;
      }
      importItem(b, it);
      round(b, out); // executes the new Stage-1 block's transactions before the late Stage-2 block
      for (const p of pending) {
        if (p.chain !== "stage2") continue;
        if (p.block.stage1Height === b.stage1.height) importItem(b, p);
        else {
          expect(b.reorderStage2(p.block)).toBeDefined();
          afterReorder.push(toHex(b.orderDigest));
        }
        round(b, out);
      }
      pending = [];
    }
    for (const p of pending) {
      importItem(b, p);
      round(b, out);
    }
    expect(afterReorder.length).toBeGreaterThan(0);
    const shared = [...out.keys()].filter((d) => canonical.has(d));
    // Compared: every state both hold — each one after a reorder among them — with batches in some.
    for (const d of afterReorder) expect(shared).toContain(d);
    expect(shared.some((d) => Object.keys(canonical.get(d) ?? {}).length > 0)).toBe(true);
    for (const d of shared) expect({ d, roots: out.get(d) }).toEqual({ d, roots: canonical.get(d) });
  });

  it("a node that imported the first half without executing (rebuilt from genesis) signs the canonical node's roots after", () => {
    const canonical = runCanonical();
    const c = new NodeChain(fx.genesis);
    const out = new Map<string, Record<number, string>>();
    const half = Math.floor(items.length / 2);
    items.forEach((it, i) => {
      importItem(c, it);
      if (i >= half) round(c, out);
    });
    expect(out.size).toBeGreaterThan(0);
    expect([...out.values()].some((r) => Object.keys(r).length > 0)).toBe(true);
    for (const [d, r] of out) expect({ d, roots: r }).toEqual({ d, roots: canonical.get(d) });
  });
});
