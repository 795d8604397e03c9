/**
 * Batch bodies on the `batch` topic (`batchGossip.ts`; docs/node.md "Following"), on a chain from
 * `chainFixture.ts` replayed into a `NodeChain` that follows only committee 0: at the state just
 * before a Stage-2 block, each of committee 1's batches in it (signed) is proposable alone; the
 * same batch with a forged claim or leaf is not (and counted); as a gossip message, a body whose
 * leaves do not match its roots is `reject(BAD_RESULTS_ROOT)`, an honest one accepted, one of a
 * followed committee ignored. No clock beyond a manual one for the message's slot.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BatchGossip } from "../../src/node/batchGossip.js";
import { NodeChain } from "../../src/node/chain.js";
import { SlotClock } from "../../src/node/clock.js";
import { importItem, mergeChains } from "../../src/node/order.js";
import { encodeBatchMessage, materializeStage2Block } from "../../src/node/wire.js";
import type { Batch } from "../../src/protocols/delayed/stage2.js";
import { produceChain, type ChainFixture } from "./chainFixture.js";
import { ManualTime } from "./manualTime.js";

let fx: ChainFixture;

beforeAll(async () => {
  fx = await produceChain({ slots: 10, slotMs: 600, seed: "batch-gossip" });
}, 120_000);

/** The chain following committee 0 only, just before the first Stage-2 block that includes a batch of committee 1; that block's batches of committee 1. */
function beforeForeignBatch(): { chain: NodeChain; batches: Batch[]; slot: number } {
  const probe = new NodeChain(fx.genesis);
  const keys0 = (probe.state.committees[0] ?? []).map((v) => v.index);
  const chain = new NodeChain(fx.genesis, 16, keys0);
  expect(chain.views.isRemote(1)).toBe(true);
  expect(chain.views.isRemote(0)).toBe(false);
  for (const it of mergeChains(fx.stage1, fx.stage2)) {
    if (it.chain === "stage2" && it.block.stage1Height === chain.stage1.height) {
      const block = materializeStage2Block(chain.state, it.block);
      const batches = block.inclusions.map((i) => i.batch).filter((b) => b.header.committee === 1 && b.candidates.length > 0);
      if (batches.length > 0) return { chain, batches, slot: block.header.slot };
    }
    importItem(chain, it);
  }
  throw new Error("no Stage-2 block includes a batch of committee 1");
}

describe("batch bodies by gossip", () => {
  it("a foreign batch at 2/3 is proposable alone; a forged claim or leaf is not", () => {
    const { chain, batches, slot } = beforeForeignBatch();
    const gossip = new BatchGossip({ chain, o: { clock: new SlotClock({ genesisTimeMs: fx.genesis.genesisTimeMs, slotMs: fx.genesis.slotMs }, new ManualTime(0)) } });
    const b = batches[0] as Batch;
    expect(gossip.isProposable(chain.state, b, slot)).toBe(true);
    expect(gossip.refused).toBe(0);
    const c0 = b.candidates[0]!;
    // A claim that does not match its signed affirmation (the header commits to the affirmations, not to the claims).
    const claim: Batch = { ...b, candidates: [{ ...c0, postRoots: c0.postRoots.map(() => new Uint8Array(32).fill(7)) }, ...b.candidates.slice(1)] };
    expect(gossip.isProposable(chain.state, claim, slot)).toBe(false);
    // A leaf value that is not the leaf the results root commits to.
    const leaf: Batch = { ...b, candidates: [{ ...c0, leafValues: c0.leafValues.map((v) => ({ ...v, outcome: 1 - v.outcome })) }, ...b.candidates.slice(1)] };
    expect(gossip.isProposable(chain.state, leaf, slot)).toBe(false);
    expect(gossip.refused).toBe(2);
  }, 60_000);

  it("gossip: an honest body is kept, a body whose leaves do not match its roots is rejected, a followed committee's is ignored", () => {
    const { chain, batches, slot } = beforeForeignBatch();
    const time = new ManualTime(fx.genesis.genesisTimeMs + slot * fx.genesis.slotMs + 10);
    const gossip = new BatchGossip({ chain, o: { clock: new SlotClock({ genesisTimeMs: fx.genesis.genesisTimeMs, slotMs: fx.genesis.slotMs }, time) } });
    const b = batches[0] as Batch;
    const unsigned: Batch = { ...b, header: { ...b.header, round: slot }, attestation: { ...b.attestation, signers: [], signature: new Uint8Array(96) } };
    const msg = (x: Batch): { topic: string; data: Uint8Array; from: string } => ({ topic: "batch", data: encodeBatchMessage(x), from: "peer" });
    expect(gossip.onMessage(msg(unsigned)).kind).toBe("accept");
    expect(gossip.getBatches(slot, new Map()).map(([k]) => k)).toEqual([1]);
    const c0 = unsigned.candidates[0]!;
    const forged: Batch = { ...unsigned, candidates: [{ ...c0, leafValues: c0.leafValues.map((v) => ({ ...v, outcome: 1 - v.outcome })) }, ...unsigned.candidates.slice(1)] };
    expect(gossip.onMessage(msg(forged))).toMatchObject({ kind: "reject", rule: "BAD_RESULTS_ROOT" });
    expect(gossip.onMessage(msg({ ...unsigned, header: { ...unsigned.header, committee: 0 } })).kind).toBe("ignore");
    expect(gossip.onMessage(msg({ ...unsigned, header: { ...unsigned.header, committee: 9 } }))).toMatchObject({ kind: "reject", rule: "UNKNOWN_COMMITTEE" });
  }, 60_000);
});
