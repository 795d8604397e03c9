/**
 * `processBuiltShardBlock`: a proposer's import of the block it built checks the same rules as
 * `processShardBlock` against the build's own execution. It must give exactly the state a full
 * re-execution gives, and refuse what `processShardBlock` refuses.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { buildShardBlock, processBuiltShardBlock } from "../../src/protocols/receipts/build.js";
import { processShardBlock } from "../../src/protocols/receipts/shardBlock.js";
import type { BlockItem } from "../../src/protocols/receipts/items.js";
import type { ReceiptsState } from "../../src/protocols/receipts/state.js";
import { beacon, createChain, importBlock, transferTx, view } from "../helpers/receipts.js";

function digest(s: ReceiptsState): string {
  return JSON.stringify({
    beacon: [s.beacon.slot, toHex(s.beacon.parentRoot)],
    pending: s.pendingHeaders.map((h) => [toHex(h.root), h.receiptIds]),
    outbox: [...s.outbox].map(([k, v]) => [k, toHex(v.root), v.destShard, v.crosslinkedAt]),
    ledger: [...s.ledger.balances].map(([a, b]) => `${a}=${b}`),
    nonces: [...s.ledger.nonces].map(([a, n]) => `${a}=${n}`),
    escrow: String(s.escrow),
    contracts: [...s.contracts].map(([id, c]) => `${id}:${toHex(c.kv.root())}:${c.ended}`),
    shards: s.shards.map((x) => [x.lastSlot, toHex(x.parentRoot), String(x.baseFee), x.claims.claimed.size, [...x.inbound], x.outbound]),
  });
}

describe("receipts: importing a self-built block without a second execution", () => {
  for (const mode of ["nonsequential", "sequential", "passive"]) {
    it(`${mode}: gives the state a full re-execution gives, including entries the block left waiting`, () => {
      const chain = createChain(mode);
      // nonce 0 and 1 included; nonce 3 waits (nonce not reached): the build tried it and left it.
      const items: BlockItem[] = [0n, 1n, 3n].map((n) => ({ kind: "tx", tx: transferTx(n) }));
      const built = buildShardBlock(chain.state, 0, 0, view(items), chain.ctx);
      expect(built.block.items).toHaveLength(2);
      expect(built.waiting).toHaveLength(1);
      const full = processShardBlock(chain.state, built.block, chain.ctx);
      const fast = processBuiltShardBlock(chain.state, built, chain.ctx);
      expect(digest(fast.state)).toBe(digest(full.state));
      expect(fast.receipts.map((r) => toHex(r.sender))).toEqual(full.receipts.map((r) => toHex(r.sender)));
      expect(toHex(fast.receiptList.root)).toBe(toHex(full.receiptList.root));
      // and the chain goes on from it: a beacon block crosslinks the header
      chain.state = fast.state;
      importBlock(chain, buildShardBlock(chain.state, 1, 0, view([]), chain.ctx).block);
      expect(beacon(chain, 1).signed.block.crosslinkCount).toBe(2);
    });
  }

  it("refuses an altered header with the same rule as processShardBlock", () => {
    const chain = createChain("nonsequential");
    const flip = (b: Uint8Array) => Uint8Array.from(b, (x, i) => (i === 0 ? x ^ 1 : x));
    const alterations = [
      [(h: any) => ({ ...h, stateRoot: flip(h.stateRoot) }), "WRONG_STATE_ROOT"],
      [(h: any) => ({ ...h, receiptsRoot: flip(h.receiptsRoot) }), "WRONG_RECEIPTS_ROOT"],
      [(h: any) => ({ ...h, gasUsed: h.gasUsed + 1n }), "WRONG_GAS_USED"],
      [(h: any) => ({ ...h, baseFee: h.baseFee + 1n }), "WRONG_BASE_FEE"],
    ] as const;
    for (const [alterHeader, code] of alterations) {
      const built = buildShardBlock(chain.state, 0, 0, view([{ kind: "tx", tx: transferTx(0n) }]), chain.ctx, { alterHeader });
      expect(() => processShardBlock(chain.state, built.block, chain.ctx)).toThrowError(expect.objectContaining({ code }));
      expect(() => processBuiltShardBlock(chain.state, built, chain.ctx)).toThrowError(expect.objectContaining({ code }));
    }
  });

  it("refuses a build imported on another state, or with items swapped in", () => {
    const chain = createChain("nonsequential");
    const built = buildShardBlock(chain.state, 0, 0, view([{ kind: "tx", tx: transferTx(0n) }]), chain.ctx);
    const other = createChain("nonsequential");
    expect(() => processBuiltShardBlock(other.state, built, other.ctx)).toThrowError(expect.objectContaining({ code: "NOT_BUILT_ON_STATE" }));
    const swapped = { ...built, block: { ...built.block, items: [{ kind: "tx", tx: transferTx(1n) } as BlockItem] } };
    expect(() => processBuiltShardBlock(chain.state, swapped, chain.ctx)).toThrowError(expect.objectContaining({ code: "NOT_BUILT_ON_STATE" }));
  });
});
