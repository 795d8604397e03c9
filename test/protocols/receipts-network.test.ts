/**
 * The receipts driver under varying network delays (issue 11 §3, issue 14 §4) and the gas-limit
 * rule at submission (issue 14 §5).
 */
import { describe, expect, it } from "vitest";
import { stringifyResults } from "../../src/runner.js";
import { OUTCOMES } from "../../src/types.js";
import type { NetworkSpec } from "../../src/sim/network.js";
import { genesisSupplies, run, scenario, tokenTotals, workload } from "../helpers/run.js";

const MODES = ["receipts:nonsequential", "receipts:sequential", "receipts:passive"] as const;
const NETWORKS: [string, NetworkSpec][] = [
  ["uniform:100:20000", { kind: "uniform", min: 100, max: 20000 }],
  ["lognormal:300:1.5:20000", { kind: "lognormal", median: 300, sigma: 1.5, max: 20000 }],
];

describe("receipts: every message arrives after the network delay, in ms", () => {
  const w = workload("exchange", { slots: 6, rate: 8, accounts: 16, pools: 2, form: "naive" });
  const trace = w.submissions.map((s) => s.index);
  for (const protocol of MODES) {
    for (const [name, network] of NETWORKS) {
      it(`${protocol} under ${name}: finishes, classifies every transaction, conserves value, reruns byte-identically`, () => {
        const cfg = { shards: 3, network, trace, drainSlots: 40 };
        const out = run(protocol, w, cfg);
        const r = out.results;
        expect(r.txs).toHaveLength(w.submissions.length);
        expect(OUTCOMES.reduce((n, o) => n + r.summary.outcomes[o], 0)).toBe(w.submissions.length);
        expect(r.summary.outcomes.committed).toBeGreaterThan(0);
        const supplies = genesisSupplies(w);
        for (const token of w.tokens) expect(tokenTotals(out.end.contracts.get(token)!).balances, token).toBe(supplies.get(token));
        let beacon = 0n;
        for (const v of out.end.beacon.values()) beacon += v;
        expect(beacon).toBe(out.end.beaconGenesisTotal);
        for (const [id, n] of out.end.receiptConsumptions ?? []) expect(n, id).toBe(1);
        // Delays beyond half a slot cost slots: 4 hops take longer than 4 slots for some swaps.
        expect(r.summary.latencySlots.inclusionToFinal.max as number).toBeGreaterThan(4);
        if (protocol === "receipts:sequential") {
          // Receipts overtook each other on the network, were held, and were still applied in nonce order
          // (every block was imported through processShardBlock, which refuses OUT_OF_ORDER).
          expect(r.trace.some((e) => e.kind === "wait" && e.detail.startsWith("receipt held for nonce order"))).toBe(true);
        }
        expect(stringifyResults(run(protocol, w, cfg).results)).toBe(stringifyResults(r));
      });
    }
  }

  it("a fixed delay under half a slot keeps one hop per slot; above it each hop costs a slot more", () => {
    const swap = scenario({
      accounts: [{ name: "alice", balance: "1000000000000" }],
      contracts: [
        { id: "exchange", code: "exchange", placement: 0, init: [{ principal: "tokenA" }, { principal: "tokenB" }, { u64: "1000000" }, { u64: "1000000" }] },
        { id: "tokenA", code: "token", placement: 1, init: [{ account: "alice" }, { u64: "1000" }, { principal: "exchange" }, { u64: "1000000" }] },
        { id: "tokenB", code: "token", placement: 2, init: [{ principal: "exchange" }, { u64: "1000000" }] },
      ],
      transactions: [
        {
          slot: 0,
          sender: "alice",
          program: {
            steps: [
              { call: "tokenA.transfer", args: [{ principal: "exchange" }, { u64: "100" }] },
              { call: "exchange.swap", args: [{ ref: 0 }] },
              { call: "tokenB.transferAuthorized", args: [{ ref: 1 }] },
              { require: { ref: 2 } },
            ],
          },
        },
      ],
    });
    const hops = (ms: number) => {
      const t = run("receipts:nonsequential", swap, { shards: 3, network: { kind: "fixed", ms } }).results.txs[0]!;
      expect(t.outcome).toBe("committed");
      return (t.finalSlot as number) - (t.includedSlot as number);
    };
    expect(hops(500)).toBe(2);
    expect(hops(6000)).toBe(2);
    // 7 s: the header reaches the next beacon proposer late (crosslinked a slot later), and so on.
    expect(hops(7000)).toBeGreaterThan(2);
  });
});

describe("receipts: a transaction whose gas limit exceeds a block's gas limit is refused at submission", () => {
  const w = scenario({
    accounts: [{ name: "alice", balance: "1000000000000" }],
    contracts: [{ id: "c", code: "counter" }],
    transactions: [
      { slot: 0, sender: "alice", gasLimit: "3000000", nonce: "0", program: { steps: [{ call: "c.inc" }] } },
      { slot: 1, sender: "alice", nonce: "0", program: { steps: [{ call: "c.inc" }] } },
      { slot: 1, sender: "alice", nonce: "1", program: { steps: [{ call: "c.inc" }] } },
    ],
  });

  it("rejected with the reason, not included, and the sender's later transactions go through, in every mode", () => {
    for (const protocol of MODES) {
      const r = run(protocol, w).results;
      expect(r.txs[0]!.outcome, protocol).toBe("rejected");
      expect(r.txs[0]!.reason).toBe("gas limit 3000000 above the block gas limit 2000000");
      expect(r.txs[0]!.includedSlot).toBeNull();
      expect(r.txs[1]!.outcome).toBe("committed");
      expect(r.txs[2]!.outcome).toBe("committed");
    }
  });

  it("the rule follows the block gas limit: with --blockGas 4000000 the same transaction commits", () => {
    const r = run("receipts:nonsequential", w, { options: { blockGas: 4_000_000 } }).results;
    expect(r.txs[0]!.outcome).toBe("committed");
    expect(r.txs[1]!.outcome).toBe("rejected"); // its nonce 0 is now taken
    expect(r.txs[1]!.reason).toBe("nonce too low");
  });
});
