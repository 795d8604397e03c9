/**
 * Import-time verification of the receipts spec: hand-built invalid shard and beacon blocks,
 * claims and receipts get the typed error naming the rule, and the input state is unchanged.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { createClaim } from "../../src/protocols/receipts/claims.js";
import { buildShardBlock } from "../../src/protocols/receipts/build.js";
import { buildBeaconBlock, processBeaconBlock } from "../../src/protocols/receipts/beaconBlock.js";
import { processShardBlock, type SignedShardBlock } from "../../src/protocols/receipts/shardBlock.js";
import { computeNextInOrder } from "../../src/protocols/receipts/consume/sequential.js";
import type { BlockItem } from "../../src/protocols/receipts/items.js";
import type { ReceiptsState } from "../../src/protocols/receipts/state.js";
import { signTx } from "../../src/program/index.js";
import { transferProgram } from "../../src/workloads/programs.js";
import { alice, beacon, bob, build, createChain, importBlock, resign, transferTx, view, type Chain } from "../helpers/receipts.js";

const code = (c: string) => expect.objectContaining({ code: c });

/** A digest of everything a transition could change. */
function digest(s: ReceiptsState): string {
  return JSON.stringify({
    beacon: [s.beacon.slot, toHex(s.beacon.parentRoot), [...s.beacon.crosslinks.keys()]],
    pending: s.pendingHeaders.map((h) => toHex(h.root)),
    outbox: [...s.outbox.keys()],
    ledger: [...s.ledger.balances].map(([a, b]) => `${a}=${b}`),
    nonces: [...s.ledger.nonces].map(([a, n]) => `${a}=${n}`),
    escrow: String(s.escrow),
    contracts: [...s.contracts].map(([id, c]) => `${id}:${toHex(c.kv.root())}:${c.ended}`),
    shards: s.shards.map((x) => [x.lastSlot, toHex(x.parentRoot), String(x.baseFee), x.claims.claimed.size, [...x.inbound], x.outbound]),
  });
}

/** Expects `f` to throw `c` and leave the chain's state unchanged. */
function rejects(chain: Chain, f: (s: ReceiptsState) => unknown, c: string): void {
  const before = digest(chain.state);
  expect(() => f(chain.state)).toThrowError(code(c));
  expect(digest(chain.state)).toBe(before);
}

/** Shard 0's block of slot 0 with alice's two-hop transfer, imported, and the beacon block of slot 1 crosslinking it. */
function firstHop(mode: string, options: Record<string, number> = {}) {
  const chain = createChain(mode, { options });
  const block0 = build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }]);
  const r0 = importBlock(chain, block0);
  importBlock(chain, build(chain, 1, 0, []));
  const b1 = beacon(chain, 1);
  const receipt = r0.receipts[0]!;
  const claim = createClaim(receipt, r0.receiptList, block0.header, b1.crosslinks, 1, 0);
  return { chain, block0, receipt, claim };
}

describe("receipts: shard blocks are verified on import (processShardBlock)", () => {
  it("an honest block applies: the segment runs, a receipt is emitted and committed in the header", () => {
    const chain = createChain("nonsequential");
    const pre = chain.state;
    const before = digest(pre);
    const block = build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }]);
    const r = importBlock(chain, block);
    expect(r.receipts).toHaveLength(1);
    expect(r.receipts[0]!.destShard).toBe(1);
    expect(block.header.receiptCount).toBe(1);
    expect(r.state.shards[0]!.lastSlot).toBe(0);
    expect(r.state.ledger.nonces.get(toHex(alice.address))).toBe(1n);
    expect(digest(pre)).toBe(before); // the transition returned a new state
  });

  it("refuses a wrong receipts root, state root, gas used, parent, base fee or slot (each names its rule)", () => {
    const chain = createChain("nonsequential");
    const block = build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }]);
    const h = block.header;
    const flip = (b: Uint8Array) => Uint8Array.from(b, (x, i) => (i === 0 ? x ^ 1 : x));
    const cases: [Partial<SignedShardBlock["header"]>, string][] = [
      [{ receiptsRoot: flip(h.receiptsRoot) }, "WRONG_RECEIPTS_ROOT"],
      [{ receiptCount: 0 }, "WRONG_RECEIPTS_ROOT"],
      [{ stateRoot: flip(h.stateRoot) }, "WRONG_STATE_ROOT"],
      [{ gasUsed: h.gasUsed + 1n }, "WRONG_GAS_USED"],
      [{ parentRoot: flip(h.parentRoot) }, "WRONG_PARENT"],
      [{ baseFee: 2n }, "WRONG_BASE_FEE"],
    ];
    for (const [change, c] of cases) rejects(chain, (s) => processShardBlock(s, resign(chain, block, { ...h, ...change }), chain.ctx), c);
    // verifyStateRoot: false skips only the state root.
    expect(processShardBlock(chain.state, resign(chain, block, { ...h, stateRoot: flip(h.stateRoot) }), chain.ctx, { verifyStateRoot: false }).state.shards[0]!.lastSlot).toBe(0);
    importBlock(chain, block);
    rejects(chain, (s) => processShardBlock(s, resign(chain, block, { ...h, parentRoot: s.shards[0]!.parentRoot }), chain.ctx), "SLOT_NOT_AFTER_PARENT");
  });

  it("refuses a block from the wrong proposer (unless verifyProposer is off)", () => {
    const chain = createChain("nonsequential");
    const block = build(chain, 0, 0, []);
    const other = chain.ctx.committees[0]!.find((v) => v.index !== block.header.proposer)!;
    const forged = resign(chain, block, { ...block.header, proposer: other.index });
    rejects(chain, (s) => processShardBlock(s, forged, chain.ctx), "WRONG_PROPOSER");
    expect(processShardBlock(chain.state, forged, chain.ctx, { verifyProposer: false }).state.shards[0]!.lastSlot).toBe(0);
  });

  it("refuses a bad aggregate signature, a non-member signer and a signer set below 2/3 (BAD_ATTESTATION)", () => {
    const chain = createChain("nonsequential", { signatures: true });
    const block = build(chain, 0, 0, []);
    const sig = block.attestation.signature.slice();
    sig[10] = (sig[10] as number) ^ 1;
    const outsider = chain.ctx.validators.find((v) => !chain.ctx.committees[0]!.includes(v))!;
    for (const attestation of [
      { ...block.attestation, signature: sig },
      { ...block.attestation, signers: [...block.attestation.signers.slice(1), outsider.index] },
      { ...block.attestation, signers: block.attestation.signers.slice(0, 2) },
    ]) {
      rejects(chain, (s) => processShardBlock(s, { ...block, attestation }, chain.ctx), "BAD_ATTESTATION");
    }
    // Another header under the honest signature.
    rejects(chain, (s) => processShardBlock(s, { ...block, header: { ...block.header, gasUsed: 1n } }, chain.ctx), "BAD_ATTESTATION");
    expect(importBlock(chain, block).state.shards[0]!.lastSlot).toBe(0);
  });

  it("who signs (behaviour hook `signers`, liveness faults): one member short still imports; below 2/3 is refused", () => {
    const chain = createChain("nonsequential");
    const members = chain.ctx.committees[0] ?? [];
    const byStake = [...members].sort((a, b) => a.stake - b.stake || a.index - b.index);
    const without = (n: number) => (c: readonly (typeof members)[number][]) => c.filter((v) => !byStake.slice(0, n).includes(v));
    const short = buildShardBlock(chain.state, 0, 0, view([{ kind: "tx", tx: transferTx(0n) }]), chain.ctx, { signers: without(1) }).block;
    expect(short.attestation.signers).toHaveLength(members.length - 1);
    expect(importBlock(chain, short).state.shards[0]!.lastSlot).toBe(0);
    const chain2 = createChain("nonsequential");
    const few = buildShardBlock(chain2.state, 0, 0, view([]), chain2.ctx, { signers: (c) => c.slice(0, 1) }).block;
    rejects(chain2, (s) => processShardBlock(s, few, chain2.ctx), "BAD_ATTESTATION");
    const beaconFew = buildBeaconBlock(chain2.state, 0, [], chain2.ctx, (c) => c.slice(0, 1)).signed;
    rejects(chain2, (s) => processBeaconBlock(s, beaconFew, chain2.ctx), "BAD_ATTESTATION");
  });

  it("a faulty proposer (behaviour hook) seals a wrong root: its own committee signs it, importers refuse it", () => {
    const chain = createChain("nonsequential");
    const built = buildShardBlock(chain.state, 0, 0, view([{ kind: "tx", tx: transferTx(0n) }]), chain.ctx, { alterHeader: (h) => ({ ...h, receiptCount: 0 }) });
    rejects(chain, (s) => processShardBlock(s, built.block, chain.ctx), "WRONG_RECEIPTS_ROOT");
  });

  it("refuses items that break a rule: gas limit above the block's, insufficient balance, too many items", () => {
    const chain = createChain("nonsequential");
    const empty = build(chain, 0, 0, []);
    const huge = transferTx(0n, 5n, false, 3_000_000n);
    const poor = signTx({ sender: bob.address, nonce: 0n, maxFeePerGas: 10n, gasLimit: 1_000_000n, program: transferProgram("tokenA", alice.address, 1n) }, bob.key);
    rejects(chain, (s) => processShardBlock(s, { ...empty, items: [{ kind: "tx", tx: huge }] }, chain.ctx), "GAS_LIMIT_ABOVE_BLOCK");
    rejects(chain, (s) => processShardBlock(s, { ...empty, items: [{ kind: "tx", tx: poor }] }, chain.ctx), "INSUFFICIENT_BALANCE");
    const many: BlockItem[] = Array.from({ length: 9 }, (_, i) => ({ kind: "tx", tx: transferTx(BigInt(i), 1n, false) }));
    rejects(chain, (s) => processShardBlock(s, { ...empty, items: many }, chain.ctx), "TOO_MANY_ITEMS");
    // The builder drops both and the block it builds is valid.
    const built = buildShardBlock(chain.state, 0, 0, view([{ kind: "tx", tx: huge }, { kind: "tx", tx: poor }]), chain.ctx);
    expect(built.dropped.map((d) => d.code)).toEqual(["GAS_LIMIT_ABOVE_BLOCK", "INSUFFICIENT_BALANCE"]);
    expect(importBlock(chain, built.block).segments).toHaveLength(0);
  });
});

describe("receipts: claims in blocks (nonsequential)", () => {
  it("a claim proven to the crosslink is accepted once; a second claim (same block or later) is ALREADY_CLAIMED", () => {
    const { chain, claim } = firstHop("nonsequential");
    const item: BlockItem = { kind: "claim", claim };
    const ok = build(chain, 1, 1, [item]);
    expect(ok.items).toHaveLength(1);
    rejects(chain, (s) => processShardBlock(s, { ...ok, items: [item, item] }, chain.ctx), "ALREADY_CLAIMED");
    const r = importBlock(chain, ok);
    expect(r.segments[0]!.consumed?.index).toBe(0);
    importBlock(chain, build(chain, 0, 1, []));
    beacon(chain, 2);
    const again = buildShardBlock(chain.state, 1, 2, view([item]), chain.ctx);
    expect(again.dropped.map((d) => d.code)).toEqual(["ALREADY_CLAIMED"]);
    rejects(chain, (s) => processShardBlock(s, { ...again.block, items: [item] }, chain.ctx), "ALREADY_CLAIMED");
  });

  it("a stale proof (outside the window), a claim on the wrong shard and a forged receipt are refused", () => {
    const { chain, claim } = firstHop("nonsequential", { window: 1 });
    const wrong = build(chain, 0, 1, []);
    rejects(chain, (s) => processShardBlock(s, { ...wrong, items: [{ kind: "claim", claim }] }, chain.ctx), "WRONG_SHARD");
    const forged = { ...claim, receipt: { ...claim.receipt, gasLeft: claim.receipt.gasLeft + 1n } };
    const b1 = build(chain, 1, 1, []);
    rejects(chain, (s) => processShardBlock(s, { ...b1, items: [{ kind: "claim", claim: forged }] }, chain.ctx), "BAD_PROOF");
    for (const slot of [1, 2]) {
      importBlock(chain, build(chain, 0, slot, []));
      importBlock(chain, build(chain, 1, slot, []));
      beacon(chain, slot + 1);
    }
    const late = build(chain, 1, 3, []);
    rejects(chain, (s) => processShardBlock(s, { ...late, items: [{ kind: "claim", claim }] }, chain.ctx), "STALE_PROOF");
  });
});

describe("receipts: delivered receipts (sequential, passive)", () => {
  it("a receipt not yet crosslinked, or forged, is UNKNOWN_RECEIPT; a claim is refused in a delivery mode", () => {
    const chain = createChain("sequential");
    const r0 = importBlock(chain, build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }]));
    importBlock(chain, build(chain, 1, 0, []));
    const receipt = r0.receipts[0]!;
    const b1 = build(chain, 1, 1, []);
    rejects(chain, (s) => processShardBlock(s, { ...b1, items: [{ kind: "receipt", receipt }] }, chain.ctx), "UNKNOWN_RECEIPT"); // not crosslinked yet
    beacon(chain, 1);
    const b = build(chain, 1, 1, []);
    rejects(chain, (s) => processShardBlock(s, { ...b, items: [{ kind: "receipt", receipt: { ...receipt, prepaid: receipt.prepaid + 1n } }] }, chain.ctx), "UNKNOWN_RECEIPT");
    expect(importBlock(chain, build(chain, 1, 1, [], [{ kind: "receipt", receipt }])).segments).toHaveLength(1);
  });

  it("sequential: receipts out of nonce order are OUT_OF_ORDER in a block; the builder holds the later one and takes them in order", () => {
    const chain = createChain("sequential");
    const r0 = importBlock(chain, build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }, { kind: "tx", tx: transferTx(1n) }]));
    importBlock(chain, build(chain, 1, 0, []));
    beacon(chain, 1);
    const [first, second] = r0.receipts as [(typeof r0.receipts)[0], (typeof r0.receipts)[0]];
    expect([first.nonce, second.nonce]).toEqual([0, 1]);
    const empty = build(chain, 1, 1, []);
    rejects(chain, (s) => processShardBlock(s, { ...empty, items: [{ kind: "receipt", receipt: second }, { kind: "receipt", receipt: first }] }, chain.ctx), "OUT_OF_ORDER");
    // Arrived out of order: the next in order is the second entry.
    const v = view([], [{ kind: "receipt", receipt: second }, { kind: "receipt", receipt: first }]);
    expect(computeNextInOrder(v.queue, chain.state.shards[1]!.inbound)).toBe(1);
    const built = buildShardBlock(chain.state, 1, 1, v, chain.ctx);
    expect(built.forced).toBe(2);
    expect(built.block.items.map((i) => (i.kind === "receipt" ? i.receipt.nonce : -1))).toEqual([0, 1]);
    expect(importBlock(chain, built.block).segments).toHaveLength(2);
  });

  it("sequential: queued receipts come before new transactions (FORCED_ORDER)", () => {
    const chain = createChain("sequential");
    const r0 = importBlock(chain, build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }]));
    importBlock(chain, build(chain, 1, 0, []));
    beacon(chain, 1);
    const tx: BlockItem = { kind: "tx", tx: signTx({ sender: alice.address, nonce: 1n, maxFeePerGas: 10n, gasLimit: 1_000_000n, program: transferProgram("tokenB", bob.address, 1n) }, alice.key) };
    const b = build(chain, 1, 1, []);
    rejects(chain, (s) => processShardBlock(s, { ...b, items: [tx, { kind: "receipt", receipt: r0.receipts[0]! }] }, chain.ctx), "FORCED_ORDER");
  });

  it("passive: a block takes items by fee cap, highest first (FEE_ORDER)", () => {
    const chain = createChain("passive");
    const low = signTx({ sender: alice.address, nonce: 0n, maxFeePerGas: 10n, gasLimit: 1_000_000n, program: transferProgram("tokenA", bob.address, 1n) }, alice.key);
    const high = signTx({ sender: bob.address, nonce: 0n, maxFeePerGas: 11n, gasLimit: 100n, program: transferProgram("tokenA", alice.address, 1n) }, bob.key);
    const b = build(chain, 0, 0, []);
    rejects(chain, (s) => processShardBlock(s, { ...b, items: [{ kind: "tx", tx: low }, { kind: "tx", tx: high }] }, chain.ctx), "FEE_ORDER");
  });
});

describe("receipts: beacon blocks are verified on import (processBeaconBlock)", () => {
  it("refuses a wrong crosslinks root, an unknown or repeated header, a wrong parent, a bad attestation", () => {
    const chain = createChain("nonsequential", { signatures: true });
    const block = build(chain, 0, 0, []);
    importBlock(chain, block);
    const roots = chain.state.pendingHeaders.map((h) => h.root);
    const { signed } = buildBeaconBlock(chain.state, 1, roots, chain.ctx);
    rejects(chain, (s) => processBeaconBlock(s, { ...signed, crosslinks: [] }, chain.ctx), "WRONG_CROSSLINKS_ROOT");
    const unknown = buildBeaconBlock(chain.state, 1, [new Uint8Array(32).fill(7)], chain.ctx).signed;
    rejects(chain, (s) => processBeaconBlock(s, unknown, chain.ctx), "UNKNOWN_HEADER");
    const twice = buildBeaconBlock(chain.state, 1, [roots[0]!, roots[0]!], chain.ctx).signed;
    rejects(chain, (s) => processBeaconBlock(s, twice, chain.ctx), "UNKNOWN_HEADER");
    const orphan = buildBeaconBlock({ ...chain.state, beacon: { ...chain.state.beacon, parentRoot: new Uint8Array(32).fill(1) } }, 1, roots, chain.ctx).signed;
    rejects(chain, (s) => processBeaconBlock(s, orphan, chain.ctx), "WRONG_PARENT");
    const sig = signed.attestation.signature.slice();
    sig[5] = (sig[5] as number) ^ 1;
    rejects(chain, (s) => processBeaconBlock(s, { ...signed, attestation: { ...signed.attestation, signature: sig } }, chain.ctx), "BAD_ATTESTATION");
    chain.state = processBeaconBlock(chain.state, signed, chain.ctx);
    expect(chain.state.pendingHeaders).toHaveLength(0);
    rejects(chain, (s) => processBeaconBlock(s, signed, chain.ctx), "SLOT_NOT_AFTER_PARENT");
  });
});
