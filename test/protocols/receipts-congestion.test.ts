/**
 * Congestion control for receipts (NEP-539, `--congestion on`): the pure rules, the congestion info
 * carried in the shard header and checked at import, rejection at inclusion, the outgoing buffer,
 * and whole runs under `hotspot`: the largest incoming receipt queue stays within the limit with it
 * on and grows with the rate with it off; value is conserved, no receipt is consumed twice, and a
 * run is deterministic.
 */
import { describe, expect, it } from "vitest";
import {
  canSendReceipt,
  computeAllowedShard,
  computeCongestionLevel,
  computeOutgoingLimit,
  computeTxGasLimit,
  findCongestedShard,
  resolveCongestionParams,
  ZERO_CONGESTION,
  type CongestionParams,
} from "../../src/protocols/receipts/congestion.js";
import { buildShardBlock } from "../../src/protocols/receipts/build.js";
import { processShardBlock } from "../../src/protocols/receipts/shardBlock.js";
import { buildBeaconBlock, processBeaconBlock } from "../../src/protocols/receipts/beaconBlock.js";
import { stringifyResults } from "../../src/runner.js";
import { toHex } from "../../src/crypto/hash.js";
import { alice, beacon, build, createChain, importBlock, resign, transferTx, view } from "../helpers/receipts.js";
import { expectConformingRun } from "../helpers/invariants.js";
import { run, workload } from "../helpers/run.js";

const P: CongestionParams = { enabled: true, limit: 40, rejectPermille: 500 };
const info = (incomingReceipts: number, bufferedReceipts = 0) => ({ ...ZERO_CONGESTION, incomingReceipts, bufferedReceipts });

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return "accepted";
}

describe("congestion rules", () => {
  it("level is max(incoming, buffered) over the limit, at most 1; rejection from the threshold on", () => {
    expect(computeCongestionLevel(info(10), 40)).toBe(250);
    expect(computeCongestionLevel(info(10, 30), 40)).toBe(750);
    expect(computeCongestionLevel(info(400), 40)).toBe(1000);
    expect(findCongestedShard([0, 1], 0, 0, [info(0), info(19)], P)).toBeUndefined();
    expect(findCongestedShard([0, 1], 0, 0, [info(0), info(20)], P)).toBe(1);
    // The start shard's own known info does not count; its own outgoing buffer does.
    expect(findCongestedShard([0], 0, 0, [info(40), info(0)], P)).toBeUndefined();
    expect(findCongestedShard([0, 1], 0, 20, [info(0), info(0)], P)).toBe(0);
  });

  it("outgoing limit mixes from the limit down to limit/20; at level 1 only the allowed shard sends, in turn", () => {
    expect(computeOutgoingLimit(info(0), 0, 1, 0, 4, P)).toBe(40);
    expect(computeOutgoingLimit(info(20), 0, 1, 0, 4, P)).toBe(21);
    const allowed = [0, 1, 2, 3, 4, 5].map((slot) => computeAllowedShard(1, slot, 4));
    expect(allowed).toEqual([0, 2, 3, 0, 2, 3]);
    expect(computeOutgoingLimit(info(40), 0, 1, 0, 4, P)).toBe(2);
    expect(computeOutgoingLimit(info(40), 2, 1, 0, 4, P)).toBe(0);
    expect(canSendReceipt(0, 40, 39, P)).toBe(true);
    expect(canSendReceipt(0, 40, 40, P)).toBe(false);
    expect(canSendReceipt(2, 2, 0, P)).toBe(false);
    expect(computeTxGasLimit(0, 2_000_000n, P)).toBe(2_000_000n);
    expect(computeTxGasLimit(40, 2_000_000n, P)).toBe(80_000n);
  });

  it("options: on/off, limit and threshold checked; default limit is the block item limit", () => {
    expect(resolveCongestionParams({}, 512, false)).toEqual({ enabled: false, limit: 512, rejectPermille: 500 });
    expect(resolveCongestionParams({ congestion: "on", congestionLimit: 7 }, 512, false)).toEqual({ enabled: true, limit: 7, rejectPermille: 500 });
    expect(resolveCongestionParams({}, 512, true).enabled).toBe(true);
    expect(code(() => resolveCongestionParams({ congestion: "yes" }, 512, false))).toBe("BAD_PARAM");
    expect(code(() => resolveCongestionParams({ congestionLimit: 0 }, 512, false))).toBe("BAD_PARAM");
    expect(code(() => resolveCongestionParams({ congestionReject: 1001 }, 512, false))).toBe("BAD_PARAM");
  });
});

describe("congestion control in shard blocks", () => {
  const on = (limit: number) => createChain("sequential", { options: { congestion: "on", congestionLimit: limit } as unknown as Record<string, number> });

  it("over the hard limit a receipt waits in the sender's outgoing buffer; with the buffer congested new transactions are rejected (nonce used)", () => {
    const chain = on(1);
    const built = buildShardBlock(chain.state, 0, 0, view([0n, 1n, 2n].map((n) => ({ kind: "tx" as const, tx: transferTx(n) }))), chain.ctx);
    expect(built.dropped.map((d) => d.code)).toEqual(["CONGESTED_DESTINATION"]);
    expect(built.block.items).toHaveLength(3);
    expect(built.block.header.congestion).toMatchObject({ incomingGas: 0n, incomingReceipts: 0, bufferedReceipts: 1 });
    expect(built.block.header.congestion!.bufferedGas).toBeGreaterThan(0n);
    const r = importBlock(chain, built.block);
    expect(r.receipts).toHaveLength(1);
    expect(chain.state.incoming[1]).toEqual({ gas: r.receipts[0]!.gasLeft, receipts: 1 });
    expect(chain.state.shards[0]!.buffer).toHaveLength(1);
    // The rejected transaction used its nonce: the sender's next one is accepted once the buffer drains.
    expect(chain.state.ledger.nonces.get(toHex(alice.address))).toBe(3n);

    // Shard 1 consumes the receipt; shard 0's next block lists the buffered one first (nonce 1).
    beacon(chain, 1);
    importBlock(chain, build(chain, 1, 1, [], [{ kind: "receipt", receipt: r.receipts[0]! }]));
    expect(chain.state.incoming[1]!.receipts).toBe(0);
    const next = importBlock(chain, build(chain, 0, 2, []));
    expect(next.receipts.map((x) => [x.nonce, x.slot, x.index])).toEqual([[1, 2, 0]]);
    expect(chain.state.shards[0]!.buffer).toHaveLength(0);
  });

  it("the header's congestion info is checked at import (WRONG_CONGESTION_INFO), also its presence", () => {
    const chain = on(8);
    const block = build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }]);
    const h = block.header;
    expect(h.congestion).toBeDefined();
    const forged = resign(chain, block, { ...h, congestion: { ...h.congestion!, incomingReceipts: 0, bufferedReceipts: 5 } });
    expect(code(() => processShardBlock(chain.state, forged, chain.ctx))).toBe("WRONG_CONGESTION_INFO");
    const { congestion: _, ...bare } = h;
    expect(code(() => processShardBlock(chain.state, resign(chain, block, bare), chain.ctx))).toBe("WRONG_CONGESTION_INFO");
    const off = createChain("sequential");
    expect(code(() => processShardBlock(off.state, block, off.ctx))).toBe("WRONG_CONGESTION_INFO");
    expect(code(() => processShardBlock(chain.state, block, chain.ctx))).toBe("accepted");
  });

  it("a crosslinked header makes its congestion info known; new transactions towards a congested shard are rejected", () => {
    const chain = on(2);
    const first = importBlock(chain, build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }, { kind: "tx", tx: transferTx(1n) }]));
    expect(first.receipts).toHaveLength(2);
    importBlock(chain, build(chain, 1, 0, []));
    expect(chain.state.congestion[1]).toEqual(ZERO_CONGESTION);
    beacon(chain, 1);
    expect(chain.state.congestion[1]!.incomingReceipts).toBe(2);
    const built = buildShardBlock(chain.state, 0, 1, view([{ kind: "tx", tx: transferTx(2n) }, { kind: "tx", tx: transferTx(3n, 5n, false) }]), chain.ctx);
    // The two-hop transfer calls congested shard 1; the one-hop transfer stays on shard 0 and runs.
    expect(built.dropped.map((d) => [d.code, d.reason])).toEqual([["CONGESTED_DESTINATION", "shard 1 is congested: new transactions calling it are rejected"]]);
    expect(processShardBlock(chain.state, built.block, chain.ctx).segments).toHaveLength(1);
  });
});

describe("known congestion info", () => {
  it("a header crosslinked after a newer one of its shard does not replace the known info", () => {
    const chain = createChain("sequential", { options: { congestion: "on" } as unknown as Record<string, number> });
    importBlock(chain, build(chain, 1, 0, []));
    importBlock(chain, build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }]));
    importBlock(chain, build(chain, 1, 1, []));
    const [old, newer] = chain.state.pendingHeaders.filter((h) => h.shard === 1);
    expect([old!.congestion!.incomingReceipts, newer!.congestion!.incomingReceipts]).toEqual([0, 1]);
    const link = (slot: number, root: Uint8Array) => {
      chain.state = processBeaconBlock(chain.state, buildBeaconBlock(chain.state, slot, [root], chain.ctx).signed, chain.ctx);
    };
    link(1, newer!.root);
    expect(chain.state.congestion[1]!.incomingReceipts).toBe(1);
    link(2, old!.root);
    expect(chain.state.congestion[1]!.incomingReceipts).toBe(1);
    expect(chain.state.congestionSlot[1]).toBe(1);
  });
});

describe("congestion control under hotspot", () => {
  const LIMIT = 24;
  const rates = [48, 96, 192];
  const cfg = { shards: 4, drainSlots: 48 };
  const runAt = (rate: number, cc: boolean) => {
    const w = workload("hotspot", { rate, slots: 6 });
    const out = run(cc ? "receipts:nonsequential+cc" : "receipts:nonsequential", w, { ...cfg, options: { congestionLimit: LIMIT } });
    return { w, out, queue: Math.max(...(out.results.summary.protocol.maxIncomingQueue as number[])) };
  };
  const off = rates.map((r) => runAt(r, false));
  const on = rates.map((r) => runAt(r, true));

  it("with it on the largest incoming queue stays within the limit; with it off it grows with the rate past it", () => {
    for (const r of on) expect(r.queue).toBeLessThanOrEqual(LIMIT);
    expect(on[2]!.queue).toBe(LIMIT);
    expect(off[0]!.queue).toBeLessThan(off[1]!.queue);
    expect(off[1]!.queue).toBeLessThan(off[2]!.queue);
    expect(off[2]!.queue).toBeGreaterThan(2 * LIMIT);
    expect(on[2]!.out.results.summary.protocol.rejectedByCongestion).toBeGreaterThan(0);
    expect(on[2]!.out.results.summary.outcomes.rejected).toBe(on[2]!.out.results.summary.protocol.rejectedByCongestion);
    expect(on[2]!.out.results.config).toMatchObject({ congestion: "on", congestionLimit: LIMIT, protocol: "receipts:nonsequential+cc" });
    expect(off[2]!.out.results.config).toMatchObject({ congestion: "off" });
  });

  it("value is conserved and no receipt is consumed twice, with it on and off", () => {
    for (const r of [...on, ...off]) expectConformingRun(r.w, r.out, `${r.out.results.protocol} ${r.w.submissions.length}`);
  });

  it("deterministic: the same run gives the same bytes", () => {
    const again = runAt(rates[2]!, true);
    expect(stringifyResults(again.out.results)).toBe(stringifyResults(on[2]!.out.results));
  });

  it("--congestion on is the same as the +cc protocol (but for the name)", () => {
    const w = workload("hotspot", { rate: 96, slots: 3 });
    const a = run("receipts:sequential+cc", w, { ...cfg, options: { congestionLimit: LIMIT } }).results;
    const b = run("receipts:sequential", w, { ...cfg, options: { congestionLimit: LIMIT, congestion: "on" } }).results;
    expect(b.txs).toEqual(a.txs);
    expect(b.summary.protocol).toEqual(a.summary.protocol);
  });
});
