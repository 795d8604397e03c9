/** The receipts design's own claims (DESIGN §3; issue "Asynchronous receipts"). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { createUser } from "../../src/chain/genesis.js";
import { getProtocol, listProtocols } from "../../src/registry.js";
import { stringifyResults } from "../../src/runner.js";
import { encodeProgram } from "../../src/program/index.js";
import { transferProgram } from "../../src/workloads/programs.js";
import { Receipt, ShardHeader, toReceiptValues, type ReceiptValue, type ShardHeaderValue } from "../../src/protocols/receipts/containers.js";
import {
  compareByFee,
  computeNextBaseFee,
  computeOutcome,
  createClaim,
  createClaimState,
  isClaimed,
  processClaim,
  processSequentialReceipt,
  pruneClaimState,
  type BeaconView,
  type Claim,
} from "../../src/protocols/receipts/rules.js";
import { commitList } from "../../src/state/index.js";
import type { ProtocolRunOutput } from "../../src/sim/protocol.js";
import type { GeneratedWorkload } from "../../src/workloads/types.js";
import { genesisSupplies, run, scenario, tokenTotals, workload } from "../helpers/run.js";

const MODES = ["receipts:nonsequential", "receipts:sequential", "receipts:passive"] as const;

/** Runs and checks that value is conserved: every token's supply and the beacon total; receipts at most once. */
function runConserving(protocol: string, w: GeneratedWorkload, cfg: Parameters<typeof run>[2] = {}): ProtocolRunOutput {
  const out = run(protocol, w, cfg);
  const supplies = genesisSupplies(w);
  for (const token of w.tokens) expect(tokenTotals(out.end.contracts.get(token)!).balances, `${protocol} ${token}`).toBe(supplies.get(token));
  let beacon = 0n;
  for (const v of out.end.beacon.values()) beacon += v;
  expect(beacon, `${protocol} beacon`).toBe(out.end.beaconGenesisTotal);
  for (const [id, n] of out.end.receiptConsumptions ?? []) expect(n, id).toBe(1);
  return out;
}

const swap = (form: string) => scenario(JSON.parse(readFileSync(`scenarios/single-swap-${form}.json`, "utf8")));
const inclToFinal = (t: { includedSlot: number | null; finalSlot: number | null }) => (t.finalSlot as number) - (t.includedSlot as number);

describe("receipts: the seed's exchange on three shards", () => {
  for (const protocol of MODES) {
    it(`${protocol}: naive form takes 4 hops and is final 4 slots (48 s) after inclusion; direct form 2 and 2`, () => {
      for (const [form, hops] of [
        ["naive", 4],
        ["direct", 2],
      ] as const) {
        const out = runConserving(protocol, swap(form), { shards: 3 });
        const r = out.results;
        const t = r.txs[0]!;
        expect(t.outcome).toBe("committed");
        expect(t.extra.hops).toBe(hops);
        expect(inclToFinal(t)).toBe(hops);
        expect(r.summary.latencySeconds.inclusionToFinal.max).toBe(hops * 12);
        expect(r.summary.protocol.hopsMax).toBe(hops);
        // Each receipt consumed exactly once.
        expect([...out.end.receiptConsumptions!.values()]).toEqual(Array.from({ length: hops }, () => 1));
      }
    });
  }

  it("the same single swap under delayed is final 1 slot after inclusion", () => {
    for (const form of ["naive", "direct"]) expect(inclToFinal(runConserving("delayed", swap(form), { shards: 3 }).results.txs[0]!)).toBe(1);
  });

  it("the trace shows each segment, receipt, crosslink and claim, shard by shard", () => {
    const r = runConserving("receipts:nonsequential", swap("naive"), { shards: 3 }).results;
    const steps = r.trace.filter((e) => e.kind !== "submit").map((e) => `${e.slot} ${e.kind} ${e.where}`);
    expect(steps).toEqual([
      "0 include shard:0",
      "0 segment shard:0",
      "0 receipt shard:0",
      "1 crosslink beacon",
      "1 claim shard:1",
      "1 segment shard:1",
      "1 receipt shard:1",
      "2 crosslink beacon",
      "2 claim shard:0",
      "2 segment shard:0",
      "2 receipt shard:0",
      "3 crosslink beacon",
      "3 claim shard:2",
      "3 segment shard:2",
      "3 receipt shard:2",
      "4 crosslink beacon",
      "4 claim shard:0",
      "4 segment shard:0",
      "4 final shard:0",
    ]);
    expect(r.summary.protocol.claims).toBe(4);
    expect(r.summary.protocol.claimProofBytesMean).toBeGreaterThan(0);
  });

  it("fees: each segment pays gas × base fee to its block's proposer; the sender pays exactly its gas at base fee 1", () => {
    const out = runConserving("receipts:nonsequential", swap("naive"), { shards: 3 });
    const t = out.results.txs[0]!;
    const alice = toHex(createUser("alice").address);
    const paid = 1_000_000_000_000n - out.end.beacon.get(alice)!;
    expect(paid).toBe(BigInt(t.extra.gas!));
    let proposers = 0n;
    for (const [account, v] of out.end.beacon) if (account !== alice) proposers += v;
    expect(proposers).toBe(paid); // nothing left in escrow: the unspent prepaid fee was refunded
    expect(out.results.slots[0]!.series.baseFee).toEqual([1, 1, 1]);
  });
});

describe("receipts: first-segment validity", () => {
  it("a transaction whose budget at its cap exceeds the sender's balance is rejected with that reason, in every mode", () => {
    const w = scenario({
      accounts: [
        { name: "rich", balance: "1000000000000" },
        { name: "poor", balance: "5" },
      ],
      contracts: [{ id: "c", code: "counter" }],
      transactions: [
        { slot: 0, sender: "rich", program: { steps: [{ call: "c.inc" }] } },
        { slot: 0, sender: "poor", program: { steps: [{ call: "c.inc" }] } },
      ],
    });
    for (const protocol of MODES) {
      const r = runConserving(protocol, w).results;
      expect(r.txs[0]!.outcome).toBe("committed");
      expect(r.txs[0]!.extra.hops).toBe(0);
      expect(r.txs[1]!.outcome).toBe("rejected");
      expect(r.txs[1]!.reason).toBe("insufficient balance for fee");
      expect(r.txs[1]!.includedSlot).toBeNull();
    }
  });
});

describe("receipts: EIP-1559 base fee per shard", () => {
  it("moves by at most 12.5 % towards the target of half the gas limit, rises by at least 1, never below 1", () => {
    expect(computeNextBaseFee(800n, 1000n, 1000n)).toBe(900n); // full: +12.5 %
    expect(computeNextBaseFee(800n, 0n, 1000n)).toBe(700n); // empty: −12.5 %
    expect(computeNextBaseFee(800n, 500n, 1000n)).toBe(800n); // at target
    expect(computeNextBaseFee(800n, 750n, 1000n)).toBe(850n);
    expect(computeNextBaseFee(3n, 1000n, 1000n)).toBe(4n); // small base fee still rises
    expect(computeNextBaseFee(1n, 0n, 1000n)).toBe(1n); // floor
  });
});

describe("receipts: fee-shock (gas-price variance across shards)", () => {
  // 250 shock transfers per slot (~2.9M gas) overfill shard 0's 2M-gas blocks (the default, which
  // holds the workloads' default gas limit) from slot 1 to 12.
  const params = { slots: 14, rate: 2, accounts: 8, contracts: 4, cap: 10, shockStart: 1, shockEnd: 13, shockRate: 250, shockCap: 1000 };
  const options = {};
  const w = workload("fee-shock", params);
  const ordinary = (i: number) => w.submissions[i]!.label.startsWith("transfer");

  it("nonsequential: claims into the shocked shard wait while its base fee is above their cap, and end hung", () => {
    const r = runConserving("receipts:nonsequential", w, { shards: 4, drainSlots: 4, options }).results;
    const fee0 = r.slots.map((s) => (s.series.baseFee as number[])[0]!);
    expect(Math.max(...fee0)).toBeGreaterThan(10);
    for (const s of r.slots) expect(Math.max(...(s.series.baseFee as number[]).slice(1))).toBe(1);
    const hung = r.txs.filter((t) => t.outcome === "hung" && ordinary(t.index));
    expect(hung.length).toBeGreaterThan(0);
    for (const t of hung) {
      expect(t.reason).toBe("claim waiting: base fee above cap on shard 0");
      expect(t.extra.hops).toBe(1); // its first segment (on another shard) is final
    }
    // The shock's own backlog (cap 1000) is only short of block space (or behind its sender's earlier nonces).
    for (const t of r.txs.filter((x) => x.outcome === "hung" && !ordinary(x.index))) expect(t.reason).toMatch(/^(block full on shard 0|nonce not reached)$/);
  });

  it("nonsequential with a long drain: the fee falls back and the waiting claims finish late", () => {
    const r = runConserving("receipts:nonsequential", w, { shards: 4, drainSlots: 40, options }).results;
    expect(r.summary.outcomes.hung).toBe(0);
    const late = r.txs.filter((t) => ordinary(t.index) && inclToFinal(t) > 1);
    expect(late.length).toBeGreaterThan(0);
    expect(Math.max(...late.map(inclToFinal))).toBeGreaterThan(5);
  });

  it("is deterministic: the same seed gives a byte-identical results file", () => {
    const a = stringifyResults(run("receipts:passive", w, { shards: 4, options }).results);
    expect(stringifyResults(run("receipts:passive", w, { shards: 4, options }).results)).toBe(a);
  });

  it("delayed: none hung", () => {
    // Room in delayed's budgets (issue 11 §1): the workload declares 2,000,000 gas per transaction,
    // so at the default slotGas Stage 1 orders only 4 per slot; the claim is about fee variance.
    const r = runConserving("delayed", w, { shards: 4, slotGas: 64_000_000 }).results;
    expect(r.summary.outcomes.hung).toBe(0);
  });
});

describe("receipts: collisions between hops (atomicity)", () => {
  it("collision: a drained balance between hops gives partial swaps under receipts, none under delayed", () => {
    const w = workload("collision", { slots: 6, rate: 2, accounts: 12, pools: 2, collide: 0.5 });
    for (const protocol of MODES) {
      const r = runConserving(protocol, w, { shards: 4 }).results;
      expect(r.summary.outcomes.partial, protocol).toBeGreaterThan(0);
      for (const t of r.txs.filter((x) => x.outcome === "partial")) expect(t.reason).toMatch(/^require failed at step 5: tokA\d+\.transfer revert: insufficient balance \(after earlier segments were final\)$/);
    }
    const d = runConserving("delayed", w, { shards: 4 }).results;
    expect(d.summary.outcomes.partial).toBe(0);
    expect(d.summary.outcomes.aborted).toBeGreaterThan(0);
  });

  it("contended train-hotel: seats without rooms (partial) under receipts, none under delayed", () => {
    const w = workload("train-hotel", { slots: 4, rate: 10, capacity: 4, pairs: 4, skew: 1, accounts: 20 });
    for (const protocol of MODES) expect(runConserving(protocol, w, { shards: 4 }).results.summary.outcomes.partial, protocol).toBeGreaterThan(0);
    expect(runConserving("delayed", w, { shards: 4 }).results.summary.outcomes.partial).toBe(0);
  });

  it("aborted only when nothing was applied before the failing require", () => {
    expect(computeOutcome("aborted", false)).toBe("aborted");
    expect(computeOutcome("aborted", true)).toBe("partial");
    expect(computeOutcome("committed", true)).toBe("committed");
  });
});

/** A shard block of slot 5 on shard 1 with three receipts, crosslinked (with three other headers) by beacon block 6. */
function claimVector() {
  const zero = new Uint8Array(32);
  const receipts: ReceiptValue[] = [0, 1, 2].map((index) => ({
    sourceShard: 1,
    slot: 5,
    index,
    destShard: index === 2 ? 3 : 2,
    nonce: index,
    txId: sha256("tx", String(index)),
    sender: sha256("alice"),
    maxFeePerGas: 10n,
    gasLeft: 1_000_000n,
    prepaid: 10_000_000n,
    resumeAt: 1,
    program: encodeProgram(transferProgram("tokenA", sha256("bob"), 5n, "tokenB")),
    values: toReceiptValues([{ bytes: new Uint8Array([1, 2, 3]), origin: { contract: "tokenA", method: "transfer" } }]),
  }));
  const list = commitList(receipts.map((x) => Receipt.hashTreeRoot(x)));
  const headers: ShardHeaderValue[] = [0, 1, 2, 3].map((shard) => ({
    shard,
    slot: 5,
    proposer: shard,
    parentRoot: zero,
    stateRoot: zero,
    receiptsRoot: shard === 1 ? list.root : commitList([]).root,
    receiptCount: shard === 1 ? 3 : 0,
    gasUsed: 0n,
    baseFee: 1n,
  }));
  const crosslinks = commitList(headers.map((h) => ShardHeader.hashTreeRoot(h)));
  const beaconAt = (slot: number): BeaconView => ({
    slot,
    window: 4,
    getCrosslinks: (s) => (s === 6 ? { root: crosslinks.root, count: crosslinks.length } : undefined),
  });
  const claim = (index: number): Claim => createClaim(receipts[index]!, list, headers[1]!, crosslinks, 6);
  return { claim, beaconAt };
}

const flip = (bytes: Uint8Array, i = 0): Uint8Array => {
  const out = bytes.slice();
  out[i] = (out[i] as number) ^ 1;
  return out;
};

describe("receipts: claims (processClaim)", () => {
  const { claim, beaconAt } = claimVector();
  const beacon = beaconAt(7);
  const fresh = createClaimState(2);

  it("accepts a real proof and sets the receipt's bit; the input state is unchanged", () => {
    const s = processClaim(fresh, claim(0), beacon);
    expect(isClaimed(s, claim(0).receipt)).toBe(true);
    expect(isClaimed(s, claim(1).receipt)).toBe(false);
    expect(isClaimed(fresh, claim(0).receipt)).toBe(false);
    expect(isClaimed(processClaim(s, claim(1), beacon), claim(1).receipt)).toBe(true);
  });

  it("rejects a second claim of the same receipt (ALREADY_CLAIMED)", () => {
    const s = processClaim(fresh, claim(0), beacon);
    expect(() => processClaim(s, claim(0), beacon)).toThrowError(expect.objectContaining({ code: "ALREADY_CLAIMED" }));
  });

  it("rejects a single flipped proof byte anywhere in either branch (BAD_PROOF)", () => {
    const c = claim(0);
    expect(c.receiptBranch.length).toBe(2);
    expect(c.headerBranch.length).toBe(2);
    for (let b = 0; b < 2; b++) {
      for (const i of [0, 17, 31]) {
        const receiptBranch = c.receiptBranch.map((x, j) => (j === b ? flip(x, i) : x));
        expect(() => processClaim(fresh, { ...c, receiptBranch }, beacon)).toThrowError(expect.objectContaining({ code: "BAD_PROOF" }));
        const headerBranch = c.headerBranch.map((x, j) => (j === b ? flip(x, i) : x));
        expect(() => processClaim(fresh, { ...c, headerBranch }, beacon)).toThrowError(expect.objectContaining({ code: "BAD_PROOF" }));
      }
    }
  });

  it("rejects a forged receipt (a changed value, fee cap or index) and a forged header (BAD_PROOF)", () => {
    const c = claim(0);
    const v = c.receipt.values[0]!;
    const forged: Claim[] = [
      { ...c, receipt: { ...c.receipt, values: [{ ...v, bytes: flip(v.bytes) }] } },
      { ...c, receipt: { ...c.receipt, maxFeePerGas: 1000n } },
      { ...c, receipt: { ...c.receipt, index: 1 } },
      { ...c, header: { ...c.header, receiptCount: 4 } },
      { ...c, header: { ...c.header, baseFee: 2n } },
    ];
    for (const f of forged) expect(() => processClaim(fresh, f, beacon)).toThrowError(expect.objectContaining({ code: "BAD_PROOF" }));
  });

  it("rejects a claim outside the window (STALE_PROOF), for another shard (WRONG_SHARD), against an unknown beacon block", () => {
    expect(() => processClaim(fresh, claim(0), beaconAt(11))).toThrowError(expect.objectContaining({ code: "STALE_PROOF" }));
    expect(() => processClaim(fresh, claim(0), beaconAt(5))).toThrowError(expect.objectContaining({ code: "STALE_PROOF" }));
    expect(() => processClaim(fresh, claim(2), beacon)).toThrowError(expect.objectContaining({ code: "WRONG_SHARD" }));
    expect(() => processClaim(fresh, { ...claim(0), beaconSlot: 7 }, beaconAt(7))).toThrowError(expect.objectContaining({ code: "BAD_PROOF" }));
    expect(processClaim(fresh, claim(0), beaconAt(10))).toBeDefined(); // the window's last slot
  });

  it("prunes bitfields of blocks whose claims are stale", () => {
    const s = processClaim(fresh, claim(0), beacon);
    expect(pruneClaimState(s, 10, 4).claimed.size).toBe(1);
    expect(pruneClaimState(s, 11, 4).claimed.size).toBe(0);
  });
});

describe("receipts: sequential forced inclusion", () => {
  const forced = 4;
  const runAt = (rate: number) => runConserving("receipts:sequential", workload("hotspot", { slots: 6, rate, accounts: 16, contracts: 3 }), { shards: 4, options: { forced } }).results;

  it("under hotspot the receipt queue grows and latency rises with the load; no block takes more than N receipts", () => {
    const light = runAt(3);
    const heavy = runAt(12);
    expect(heavy.summary.protocol.maxReceiptQueue as number).toBeGreaterThan(4 * (light.summary.protocol.maxReceiptQueue as number));
    expect(heavy.summary.latencySlots.inclusionToFinal.mean as number).toBeGreaterThan(3 * (light.summary.latencySlots.inclusionToFinal.mean as number));
    for (const r of [light, heavy]) {
      expect(r.summary.outcomes.committed).toBe(r.summary.submitted);
      for (const s of r.slots) for (const n of s.series.forced as number[]) expect(n).toBeLessThanOrEqual(forced);
    }
    expect(heavy.summary.protocol.maxForcedPerBlock).toBe(forced);
    const queue = heavy.slots.map((s) => s.series.receiptQueue as number);
    expect(queue[5]!).toBeGreaterThan(queue[1]!); // grows while the load lasts
  });

  it("receipts from one source are processed in nonce order only (OUT_OF_ORDER)", () => {
    const { claim } = claimVector();
    const r0 = claim(0).receipt;
    const r1 = claim(1).receipt;
    const after0 = processSequentialReceipt(new Map(), r0);
    expect(after0.get(1)).toBe(1);
    expect(() => processSequentialReceipt(new Map(), r1)).toThrowError(expect.objectContaining({ code: "OUT_OF_ORDER" }));
    expect(processSequentialReceipt(after0, r1).get(1)).toBe(2);
  });
});

describe("receipts: passive consumption and the protocol names", () => {
  it("passive: higher fee cap first, ties by arrival", () => {
    const items = [
      { maxFeePerGas: 10n, arrival: 0 },
      { maxFeePerGas: 50n, arrival: 2 },
      { maxFeePerGas: 10n, arrival: 1 },
      { maxFeePerGas: 50n, arrival: 3 },
    ];
    expect(items.sort(compareByFee).map((x) => x.arrival)).toEqual([2, 3, 0, 1]);
  });

  it("`receipts` reads --consume (default nonsequential) and stays out of compare's default list", () => {
    const w = swap("naive");
    expect(run("receipts", w, { shards: 3 }).results.config.consume).toBe("nonsequential");
    const seq = run("receipts", w, { shards: 3, options: { consume: "sequential" } }).results;
    expect(seq.config.consume).toBe("sequential");
    expect(seq.summary.protocol.maxForcedPerBlock).toBe(1);
    expect(() => run("receipts", w, { options: { consume: "eager" } })).toThrowError(expect.objectContaining({ code: "BAD_PARAM" }));
    expect(() => run("receipts:passive", w, { options: { forced: 0 } })).toThrowError(expect.objectContaining({ code: "BAD_PARAM" }));
    const list = listProtocols().filter((p) => p.inCompare !== false).map((p) => p.name);
    expect(list).toEqual(expect.arrayContaining([...MODES]));
    expect(list).not.toContain("receipts");
    expect(getProtocol("receipts").inCompare).toBe(false);
  });
});
