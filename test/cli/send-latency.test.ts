/**
 * `xshard send`'s seconds come from when the node made a block final (the first head event that
 * showed it), not from when a poll happened to see the status (docs/node.md "Clients"). A fake
 * node finalizes quickly and announces it on the head stream, but answers status polls slowly:
 * the recorded latency must follow the head event, never the slow poll.
 */
import { describe, expect, it } from "vitest";
import { SendSession, findHeadSeenMs } from "../../src/cli/sendSession.js";
import type { RpcClient } from "../../src/cli/rpc.js";
import type { HeadsView, NodeConfigView, TxStatusView } from "../../src/node/api/backend.js";
import { getWorkload } from "../../src/workloads/index.js";
import { computeTxId } from "../../src/program/index.js";
import { toHex } from "../../src/crypto/hash.js";

const SLOT_MS = 100;
const POLL_DELAY_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function heads(s1: number, s2: number): HeadsView {
  const h = (slot: number) => ({ number: slot, slot, root: "0x00" });
  return { stage1: h(s1), stage2: h(s2), stage1Finalized: h(s1), stage2Finalized: h(s2), lagByContract: {} };
}

describe("send: latency from the node's finalization", () => {
  it("findHeadSeenMs: the first head at or past a slot", () => {
    const seen = [
      { slot: 3, ms: 100 },
      { slot: 5, ms: 200 },
      { slot: 9, ms: 300 },
    ];
    expect(findHeadSeenMs(seen, 1)).toBe(100);
    expect(findHeadSeenMs(seen, 3)).toBe(100);
    expect(findHeadSeenMs(seen, 4)).toBe(200);
    expect(findHeadSeenMs(seen, 9)).toBe(300);
    expect(findHeadSeenMs(seen, 10)).toBeNull();
    expect(findHeadSeenMs([], 0)).toBeNull();
  });

  it("a slow poll does not inflate submit→final: the head event dates it", async () => {
    const workload = getWorkload("transfer").generate({ slots: 1, rate: 3, accounts: 6 }, "lat");
    const config: NodeConfigView = { genesisRoot: "0x00", genesisTimeMs: Date.now() - 10 * SLOT_MS, slotMs: SLOT_MS, protocol: "delayed:conditional" };
    const statuses = new Map<string, TxStatusView>();
    let onHeads: ((h: HeadsView) => void) | null = null;
    let finalEventMs = 0;
    let includedEventMs = 0;
    const nodeSlot = () => Math.floor((Date.now() - config.genesisTimeMs) / SLOT_MS);
    const client = {
      base: "http://fake",
      async submit(): Promise<{ id: string }> {
        return { id: "" }; // replaced below
      },
      async getTxs(ids: readonly string[]): Promise<(TxStatusView | undefined)[]> {
        const answer = ids.map((id) => statuses.get(id.slice(2)));
        await sleep(POLL_DELAY_MS); // the node answers polls slowly (with what it knew when asked)
        return answer;
      },
      async streamHeads(cb: (h: HeadsView) => void, signal: AbortSignal): Promise<void> {
        onHeads = cb;
        await new Promise((r) => signal.addEventListener("abort", r));
      },
    };
    const ids = workload.submissions.map((s) => toHex(computeTxId(s.tx)));
    let submitted = 0;
    client.submit = async () => {
      const id = ids[submitted++] as string;
      statuses.set(id, { id: `0x${id}`, status: "pending" });
      if (submitted === ids.length) {
        // The node includes them, then finalizes them, and says so on the head stream at once.
        setTimeout(() => {
          const s = nodeSlot();
          for (const i of ids) statuses.set(i, { id: `0x${i}`, status: "included", includedSlot: s });
          includedEventMs = Date.now();
          onHeads?.(heads(s, 0));
          setTimeout(() => {
            const f = nodeSlot();
            for (const i of ids) statuses.set(i, { id: `0x${i}`, status: "final", includedSlot: s, finalSlot: f, outcome: "committed", returnValues: [] });
            finalEventMs = Date.now();
            onHeads?.(heads(f, f));
          }, 3 * SLOT_MS);
        }, 2 * SLOT_MS);
      }
      return { id: `0x${id}` };
    };
    const runStart = Date.now();
    const session = new SendSession({ client: client as unknown as RpcClient, config, heads: heads(0, 0), workload, seed: "lat", drainSlots: 100 });
    const results = await session.run();
    const ended = Date.now();
    expect(results.txs.every((t) => t.outcome === "committed")).toBe(true);
    for (const t of results.txs) {
      const toFinal = t.extra.submitToFinalMs as number;
      const toIncl = t.extra.submitToInclusionMs as number;
      // The POST came after runStart, so the head event bounds the figure from above; a poll that
      // saw "final" answered at least POLL_DELAY_MS after that event.
      expect(toFinal).toBeLessThanOrEqual(finalEventMs - runStart + 5);
      expect(toFinal).toBeGreaterThanOrEqual(0);
      expect(toIncl).toBeLessThanOrEqual(includedEventMs - runStart + 5);
      expect(toIncl).toBeLessThanOrEqual(toFinal);
    }
    // The session itself only ended after the slow poll confirmed everything.
    expect(ended - finalEventMs).toBeGreaterThanOrEqual(POLL_DELAY_MS - 5);
  }, 60_000);
});
