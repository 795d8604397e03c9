/**
 * Synthetic, deterministic `ResultsFile`s for the report tests: one workload of 300 transactions
 * over 60 slots, "run" under four protocols with plausible latencies, outcomes, per-slot series
 * and a trace of one transaction. The summaries are computed from the generated records, so the
 * numbers agree with each other the way a real run's do. A seeded PRNG, never Math.random.
 */
import { sha256, toHex } from "../../src/crypto/hash.js";
import { RESULTS_SCHEMA, type LatencyStats, type ResultsFile, type SlotRecord, type TraceEvent, type TxRecord } from "../../src/results/schema.js";
import type { SweepRow } from "../../src/report/model.js";
import { OUTCOMES, type Outcome } from "../../src/types.js";

export const FIXTURE_PROTOCOLS = ["delayed", "receipts:nonsequential", "receipts:sequential", "receipts:passive"] as const;
export type FixtureProtocol = (typeof FIXTURE_PROTOCOLS)[number];

export const FIXTURE_TXS = 300;
export const FIXTURE_SLOTS = 60;
export const FIXTURE_SLOT_SECONDS = 12;
export const FIXTURE_SHARDS = 4;
/** The traced transaction: a swap touching three contracts, committed under every protocol. */
export const FIXTURE_TRACED_TX = 7;
const SUBMIT_SLOTS = 44;
const CONTRACTS = ["tokenA", "tokenB", "exchange", "oracle", "vault", "registry"] as const;

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

/** The workload: submission slot and footprint per transaction, identical for every protocol. */
function makeWorkload(): { submittedSlot: number; footprint: string[] }[] {
  const rng = makeRng(1);
  return Array.from({ length: FIXTURE_TXS }, (_, index) => {
    if (index === FIXTURE_TRACED_TX) return { submittedSlot: 2, footprint: ["tokenA", "exchange", "tokenB"] };
    const size = 1 + Math.floor(rng() * 3);
    const footprint = new Set<string>();
    while (footprint.size < size) footprint.add(pick(rng, CONTRACTS));
    return { submittedSlot: Math.floor((index / FIXTURE_TXS) * SUBMIT_SLOTS), footprint: [...footprint] };
  });
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number | null {
  return sorted.length === 0 ? null : (sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number);
}

function computeStats(values: readonly number[], scale = 1): LatencyStats {
  const sorted = values.map((v) => v * scale).sort((a, b) => a - b);
  const mean = sorted.length === 0 ? null : sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    count: sorted.length,
    mean,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? null,
  };
}

interface TxPlan {
  outcome: Outcome;
  reason: string | null;
  /** Slots from submission to inclusion, and from inclusion to final (ignored unless final). */
  toInclusion: number;
  toFinal: number;
  extra: Record<string, number>;
}

/** Per-protocol model of one transaction's fate. */
function planTx(protocol: FixtureProtocol, rng: () => number, footprint: readonly string[]): TxPlan {
  const hops = footprint.length - 1;
  const r = rng();
  if (r < 0.02) return { outcome: "rejected", reason: "fee-above-balance", toInclusion: 0, toFinal: 0, extra: {} };
  if (protocol === "delayed") {
    const deps = hops === 0 ? 0 : Math.floor(rng() * (hops + 1));
    const extra = { executions: footprint.length };
    if (r < 0.07) return { outcome: "aborted", reason: "require-failed", toInclusion: 1, toFinal: 1 + deps, extra };
    return { outcome: "committed", reason: null, toInclusion: 1 + (rng() < 0.1 ? 1 : 0), toFinal: 1 + deps, extra };
  }
  const extra = { hops };
  const queueWait = protocol === "receipts:sequential" ? Math.floor(rng() * 3) * Math.min(hops, 1) : 0;
  const feeWait = protocol === "receipts:passive" ? Math.floor(rng() * rng() * 4) * Math.min(hops, 1) : 0;
  const toInclusion = 1 + (rng() < 0.15 ? 1 : 0);
  if (r < 0.07) return { outcome: "aborted", reason: "require-failed", toInclusion, toFinal: Math.max(hops, 1), extra };
  if (hops > 0 && protocol === "receipts:nonsequential" && r < 0.1) {
    return { outcome: "hung", reason: "base-fee-above-cap", toInclusion, toFinal: 0, extra };
  }
  if (hops > 0 && protocol === "receipts:passive" && r < 0.09) {
    return { outcome: "hung", reason: "outbid-by-new-transactions", toInclusion, toFinal: 0, extra };
  }
  if (hops > 1 && protocol === "receipts:nonsequential" && r < 0.12) {
    return { outcome: "partial", reason: "claim-window-expired", toInclusion, toFinal: hops - 1, extra };
  }
  return { outcome: "committed", reason: null, toInclusion, toFinal: Math.max(hops, 1) + queueWait + feeWait, extra };
}

/** The traced transaction's events, consistent with its record. */
function makeTrace(protocol: FixtureProtocol, tx: TxRecord): TraceEvent[] {
  const s = tx.includedSlot as number;
  const f = tx.finalSlot as number;
  const ev = (slot: number, kind: string, where: string, detail: string): TraceEvent => ({ tx: tx.index, slot, kind, where, detail });
  if (protocol === "delayed") {
    return [
      ev(tx.submittedSlot, "submit", "user", "sender 0x5a1e… nonce 3"),
      ev(s, "include", "stage1", "Stage-1 block, sequence 114"),
      ev(s, "execute", "committee:0", "tokenA.transfer ok"),
      ev(s, "execute", "committee:2", "exchange.swap ok, tokenB.transfer ok (witness for tokenA)"),
      ev(f, "affirm", "committee:0", "affirmation 112..114, 3/4 weight"),
      ev(f, "affirm", "committee:2", "conditional affirmation assuming tokenA root 0x9c4f…"),
      ev(f, "final", "", "all footprint contracts affirmed"),
    ];
  }
  const events = [
    ev(tx.submittedSlot, "submit", "user", "fee cap 40"),
    ev(s, "include", "shard:0", "tokenA.transfer ok"),
    ev(s, "receipt", "shard:0", "receipt to shard:2 (exchange)"),
  ];
  const hopSlots = f - s;
  events.push(ev(s + 1, "crosslink", "beacon", "shard:0 header crosslinked"));
  events.push(ev(s + 1, protocol === "receipts:nonsequential" ? "claim" : "consume", "shard:2", "exchange.swap ok"));
  events.push(ev(s + 1, "receipt", "shard:2", "receipt to shard:1 (tokenB)"));
  events.push(ev(f, "crosslink", "beacon", "shard:2 header crosslinked"));
  events.push(ev(f, protocol === "receipts:nonsequential" ? "claim" : "consume", "shard:1", `tokenB.transfer ok after ${hopSlots - 1} slot(s) of receipts`));
  events.push(ev(f, "final", "shard:1", "last effect final"));
  return events;
}

/** Per-slot series of one protocol, derived from its transaction records. */
function makeSeries(protocol: FixtureProtocol, txs: readonly TxRecord[], slot: number, rng: () => number, fees: number[]): SlotRecord["series"] {
  const inFlight = txs.filter((t) => t.includedSlot !== null && t.includedSlot <= slot && (t.finalSlot === null || t.finalSlot > slot));
  if (protocol === "delayed") {
    const oldestOpen = Math.min(slot + 1, ...inFlight.map((t) => t.includedSlot as number));
    const affirmed = txs.filter((t) => t.finalSlot === slot).reduce((n, t) => n + t.footprint.length, 0);
    return { lag: slot + 1 - oldestOpen, affirmed, stage2Blocks: 1 };
  }
  for (let i = 0; i < fees.length; i++) {
    const demand = inFlight.filter((t) => t.footprint.length > 1 && (t.index + i) % FIXTURE_SHARDS === 0).length;
    const step = demand > 3 ? 0.125 * rng() : demand > 1 ? 0.06 * (rng() - 0.4) : -0.1 * rng();
    fees[i] = Math.max(7, Math.round((fees[i] as number) * (1 + step) * 1000) / 1000);
  }
  return { receiptQueue: inFlight.filter((t) => t.footprint.length > 1).length, baseFee: [...fees] };
}

/** Protocol-specific summary figures, some from the series. */
function makeProtocolFigures(protocol: FixtureProtocol, txs: readonly TxRecord[], slots: readonly SlotRecord[]): ResultsFile["summary"]["protocol"] {
  const series = (name: string): number[] => slots.map((s) => s.series[name] as number);
  if (protocol === "delayed") {
    const blocks = slots
      .map((s) => txs.filter((t) => t.includedSlot === s.slot))
      .filter((own) => own.length > 0 && own.every((t) => t.finalSlot !== null))
      .map((own) => Math.max(1, ...own.map((t) => (t.finalSlot as number) - (t.includedSlot as number))));
    const executions = txs.filter((t) => t.includedSlot !== null).map((t) => t.extra.executions ?? 0);
    const witnesses = txs.reduce((n, t) => n + (t.extra.executions ?? 1) - 1, 0);
    return {
      stage2BlocksPerStage1Block: blocks.reduce((a, b) => a + b, 0) / blocks.length,
      maxLagSlots: Math.max(...series("lag")),
      stage2Blocks: slots.length,
      affirmations: series("affirmed").reduce((a, b) => a + b, 0),
      executionsPerTx: executions.reduce((a, b) => a + b, 0) / executions.length,
      witnessBytesMean: 612,
      witnessBytesTotal: 612 * witnesses,
      signatures: 24 * slots.length,
      crossCommitteeShare: txs.filter((t) => t.footprint.length > 1).length / txs.length,
    };
  }
  const hops = txs.filter((t) => t.includedSlot !== null).map((t) => t.extra.hops ?? 0);
  const fees = slots.map((s) => s.series.baseFee as number[]);
  return {
    hopsMean: hops.reduce((a, b) => a + b, 0) / hops.length,
    receiptsEmitted: hops.reduce((a, b) => a + b, 0),
    maxReceiptQueue: Math.max(...series("receiptQueue")),
    baseFeeMax: Array.from({ length: FIXTURE_SHARDS }, (_, i) => Math.max(...fees.map((f) => f[i] as number))),
    forcedInclusionsPerBlock: protocol === "receipts:sequential" ? 8 : null,
  };
}

function makeConfig(protocol: FixtureProtocol): Record<string, unknown> {
  const shared = {
    seed: 1,
    workload: "exchange-mix",
    txs: FIXTURE_TXS,
    slots: FIXTURE_SLOTS,
    slotSeconds: FIXTURE_SLOT_SECONDS,
    contracts: [...CONTRACTS],
    trace: [FIXTURE_TRACED_TX],
  };
  if (protocol === "delayed") return { ...shared, protocol, mode: "conditional", committees: 4, stage2Cadence: 1 };
  return { ...shared, protocol, shards: FIXTURE_SHARDS, placement: "round-robin", gasLimit: 30_000_000, claimWindowSlots: 16 };
}

/** One protocol's synthetic results file. */
export function makeFixtureResults(protocol: FixtureProtocol): ResultsFile {
  const rng = makeRng(1 + FIXTURE_PROTOCOLS.indexOf(protocol) * 7919);
  const txs: TxRecord[] = makeWorkload().map(({ submittedSlot, footprint }, index) => {
    const plan = planTx(protocol, rng, footprint);
    const traced = index === FIXTURE_TRACED_TX;
    const outcome = traced ? "committed" : plan.outcome;
    const includedSlot = outcome === "rejected" ? null : submittedSlot + plan.toInclusion;
    const toFinal = traced ? (protocol === "delayed" ? 1 : protocol === "receipts:sequential" ? 3 : 2) : plan.toFinal;
    const finalSlot = outcome === "rejected" || outcome === "hung" ? null : (includedSlot as number) + toFinal;
    return {
      index,
      id: toHex(sha256("xshard:fixture:tx:", String(index))),
      footprint,
      submittedSlot,
      includedSlot,
      finalSlot,
      outcome,
      reason: traced ? null : plan.reason,
      extra: plan.extra,
    };
  });
  const fees = Array.from({ length: FIXTURE_SHARDS }, (_, i) => 8 + i);
  const slots: SlotRecord[] = Array.from({ length: FIXTURE_SLOTS }, (_, slot) => ({
    slot,
    included: txs.filter((t) => t.includedSlot === slot).length,
    finalized: txs.filter((t) => t.finalSlot === slot).length,
    series: makeSeries(protocol, txs, slot, rng, fees),
  }));
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, txs.filter((t) => t.outcome === o).length])) as Record<Outcome, number>;
  const reasons: Record<string, number> = {};
  for (const t of txs) if (t.reason !== null) reasons[t.reason] = (reasons[t.reason] ?? 0) + 1;
  const final = txs.filter((t) => t.finalSlot !== null);
  const included = txs.filter((t) => t.includedSlot !== null);
  const block = (scale: number): ResultsFile["summary"]["latencySlots"] => ({
    submitToInclusion: computeStats(included.map((t) => (t.includedSlot as number) - t.submittedSlot), scale),
    submitToFinal: computeStats(final.map((t) => (t.finalSlot as number) - t.submittedSlot), scale),
    inclusionToFinal: computeStats(final.map((t) => (t.finalSlot as number) - (t.includedSlot as number)), scale),
  });
  const traced = txs[FIXTURE_TRACED_TX] as TxRecord;
  return {
    schema: RESULTS_SCHEMA,
    protocol,
    config: makeConfig(protocol),
    summary: {
      submitted: txs.length,
      outcomes,
      reasons: Object.fromEntries(Object.entries(reasons).sort(([a], [b]) => (a < b ? -1 : 1))),
      latencySlots: block(1),
      latencySeconds: block(FIXTURE_SLOT_SECONDS),
      throughputTxPerSlot: final.length / FIXTURE_SLOTS,
      protocol: makeProtocolFigures(protocol, txs, slots),
    },
    txs,
    slots,
    trace: makeTrace(protocol, traced),
  };
}

/** The four protocols' results, in `FIXTURE_PROTOCOLS` order. */
export function makeFixtureComparison(): ResultsFile[] {
  return FIXTURE_PROTOCOLS.map(makeFixtureResults);
}

/** The swept parameter of the sweep fixture. */
export const FIXTURE_SWEEP_PARAM = "crossContractShare";

/**
 * A synthetic sweep over the share of cross-contract transactions: delayed reports Stage-2 blocks
 * per Stage-1 block, receipts report hops; both report latency p50 (one run has none).
 */
export function makeFixtureSweep(): SweepRow[] {
  const shares = [0, 0.25, 0.5, 0.75, 1];
  return FIXTURE_PROTOCOLS.flatMap((protocol, k) =>
    shares.map((share) => {
      const delayed = protocol === "delayed";
      const hops = delayed ? null : Math.round(share * (1.6 + 0.15 * k) * 100) / 100;
      const latency = delayed ? 2 + share * (1 + k) : 2 + share * (2 + k);
      return {
        protocol,
        params: { [FIXTURE_SWEEP_PARAM]: share, shards: 4 },
        figures: {
          stage2BlocksPerStage1Block: delayed ? Math.round((1 + share * 0.6) * 100) / 100 : null,
          latencyP50Slots: protocol === "receipts:passive" && share === 1 ? null : Math.round(latency * 100) / 100,
          hopsMean: hops,
        },
      };
    }),
  );
}
