/**
 * What `xshard send` does once its inputs are checked: submits a workload's transactions to a
 * running network at their submission slots (relative to the slot the session starts in), follows
 * them to finality over the API, and turns what it saw into a results file (`xshard.results/1`).
 *
 * Rules (docs/node.md "Clients"):
 * - Slot 0 of the session is the slot after the later of the Stage-1 head's slot and the slot the
 *   chain's clock (`genesisTimeMs`, `slotMs` from `GET /v1/config`) is in when the session starts.
 *   Submission `s` is POSTed at the start of session slot `s` (by this machine's clock); its
 *   `submittedSlot` is the session slot in which the POST was actually made.
 * - After every head change (the SSE stream `GET /v1/events/heads`), and once a slot without one,
 *   the status of every submitted, unfinished transaction is polled (`POST /v1/txs/status` in
 *   batches, or `GET /v1/tx/:id` each from a node without that route).
 * - Slots (`includedSlot`, `finalSlot`) are the node's, minus the session's slot 0: the same
 *   relative slots a simulator run of the workload reports. Seconds are measured wall time from the
 *   POST to the moment the node made the transaction's block final, as this client first saw it:
 *   the arrival of the first head event whose finalized Stage-1 (inclusion) or Stage-2 (finality)
 *   head reached the transaction's slot — or the poll that saw the status, if that came first (no
 *   stream). The poll period does not enter the figure.
 * - A transaction the node refuses (4xx) is `rejected` with the node's code and message as reason;
 *   one not final `drain` slots after the last submission slot is `hung`.
 */
import { OUTCOMES, type Outcome } from "../types.js";
import { XshardError } from "../errors.js";
import { computeFootprint, computeTxId, encodeSignedTx } from "../program/index.js";
import { toHex } from "../crypto/hash.js";
import { MetricsRecorder, computeLatencyStats, round } from "../sim/metrics.js";
import type { ResultsFile, TxRecord } from "../results/schema.js";
import type { GeneratedWorkload, Submission } from "../workloads/types.js";
import type { HeadsView, NodeConfigView, TxStatusView } from "../node/api/backend.js";
import type { RpcClient } from "./rpc.js";

/** Requests in flight at once (submissions, status polls). */
const CONCURRENCY = 16;

export interface SendOptions {
  readonly client: RpcClient;
  readonly config: NodeConfigView;
  readonly heads: HeadsView;
  readonly workload: GeneratedWorkload;
  readonly seed: string;
  /** Slots after the last submission slot before unfinished transactions count as hung. */
  readonly drainSlots: number;
  /** Wall clock (ms since the epoch). */
  readonly now?: () => number;
  /** Told after each change: finished transactions of the total. */
  readonly onProgress?: (finished: number, total: number) => void;
}

/** A finalized head's slot and the wall time this client first saw it. */
interface HeadSeen {
  readonly slot: number;
  readonly ms: number;
}

/** The first time a head at `slot` or later was seen (`seen` has strictly increasing slots). */
export function findHeadSeenMs(seen: readonly HeadSeen[], slot: number): number | null {
  let lo = 0;
  let hi = seen.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((seen[mid] as HeadSeen).slot >= slot) hi = mid;
    else lo = mid + 1;
  }
  return lo < seen.length ? (seen[lo] as HeadSeen).ms : null;
}

interface Tracked {
  readonly sub: Submission;
  readonly id: string;
  submittedSlot: number;
  postMs: number | null;
  includedSlot: number | null;
  includedSeenMs: number | null;
  finalSlot: number | null;
  finalSeenMs: number | null;
  outcome: Outcome | null;
  reason: string | null;
}

/** `items` through `fn`, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class SendSession {
  private readonly now: () => number;
  private readonly txs: Tracked[];
  /** The node's slot that is the session's slot 0. */
  readonly startSlot: number;
  private maxLag: number | null = null;
  private headEvents = 0;
  private wake: (() => void) | null = null;
  /** A head changed since the last poll (statuses change only then). */
  private headsChanged = true;
  private lastPollMs = -Infinity;
  private streamError: unknown = null;
  /** When each finalized head slot was first seen (slots strictly increasing): Stage 1, Stage 2. */
  private readonly headSeen: { stage1: HeadSeen[]; stage2: HeadSeen[] } = { stage1: [], stage2: [] };

  constructor(private readonly opts: SendOptions) {
    this.now = opts.now ?? Date.now;
    this.startSlot = Math.max(opts.heads.stage1.slot, this.clockSlot(this.now())) + 1;
    this.txs = opts.workload.submissions.map((sub) => ({
      sub,
      id: toHex(computeTxId(sub.tx)),
      submittedSlot: sub.slot,
      postMs: null,
      includedSlot: null,
      includedSeenMs: null,
      finalSlot: null,
      finalSeenMs: null,
      outcome: null,
      reason: null,
    }));
    this.observeHeads(opts.heads);
  }

  /** The chain's slot at wall time `t` (by this machine's clock). */
  private clockSlot(t: number): number {
    return Math.floor((t - this.opts.config.genesisTimeMs) / this.opts.config.slotMs);
  }

  private slotStartMs(sessionSlot: number): number {
    return this.opts.config.genesisTimeMs + (this.startSlot + sessionSlot) * this.opts.config.slotMs;
  }

  private observeHeads(h: HeadsView): void {
    this.headEvents++;
    const ms = this.now();
    for (const [list, head] of [[this.headSeen.stage1, h.stage1Finalized], [this.headSeen.stage2, h.stage2Finalized]] as const) {
      if (list.length === 0 || head.slot > (list[list.length - 1] as HeadSeen).slot) list.push({ slot: head.slot, ms });
    }
    for (const lag of Object.values(h.lagByContract)) this.maxLag = Math.max(this.maxLag ?? 0, lag);
  }

  private finishedCount(): number {
    return this.txs.filter((t) => t.outcome !== null).length;
  }

  private async submit(t: Tracked): Promise<void> {
    t.postMs = this.now();
    t.submittedSlot = this.clockSlot(t.postMs) - this.startSlot;
    const r = await this.opts.client.submit(encodeSignedTx(t.sub.tx));
    if ("code" in r) {
      t.outcome = "rejected";
      t.reason = `${r.code}: ${r.message}`;
    } else if (r.id.slice(2).toLowerCase() !== t.id) {
      throw new XshardError("RPC_BAD_RESPONSE", `POST ${this.opts.client.base}/v1/tx: the node named transaction ${t.sub.index} ${r.id}, not 0x${t.id}`, { index: t.sub.index });
    }
  }

  /** The earlier of a poll's time and the first head event that showed the block final (never before the POST). */
  private seenAt(chain: "stage1" | "stage2", slot: number, pollMs: number, postMs: number | null): number {
    const head = findHeadSeenMs(this.headSeen[chain], slot);
    return head === null || head > pollMs || (postMs !== null && head < postMs) ? pollMs : head;
  }

  private record(t: Tracked, s: TxStatusView, seenMs: number): void {
    if (s.includedSlot !== undefined && t.includedSlot === null) t.includedSlot = s.includedSlot - this.startSlot;
    if (s.status === "included" && t.includedSeenMs === null) t.includedSeenMs = this.seenAt("stage1", s.includedSlot ?? Infinity, seenMs, t.postMs);
    if (s.status !== "final") return;
    if (s.outcome === undefined || (s.finalSlot === undefined && s.outcome !== "rejected")) {
      throw new XshardError("RPC_BAD_RESPONSE", `GET ${this.opts.client.base}/v1/tx/0x${t.id}: a final status without outcome or finalSlot`, { id: t.id });
    }
    t.finalSlot = s.outcome === "rejected" || s.finalSlot === undefined ? null : s.finalSlot - this.startSlot;
    t.finalSeenMs = s.finalSlot === undefined ? seenMs : this.seenAt("stage2", s.finalSlot, seenMs, t.postMs);
    if (t.includedSeenMs === null && s.includedSlot !== undefined) {
      // Went from pending to final between two polls: the head events still date its inclusion.
      const inc = findHeadSeenMs(this.headSeen.stage1, s.includedSlot);
      if (inc !== null && t.postMs !== null && inc >= t.postMs && inc <= t.finalSeenMs) t.includedSeenMs = inc;
    }
    t.outcome = s.outcome;
    t.reason = s.reason ?? null;
  }

  private async poll(): Promise<void> {
    const open = this.txs.filter((t) => t.postMs !== null && t.outcome === null);
    const statuses = await this.opts.client.getTxs(open.map((t) => `0x${t.id}`));
    const seen = this.now();
    open.forEach((t, k) => {
      const s = statuses[k];
      if (s !== undefined) this.record(t, s, seen);
    });
  }

  /** Waits until `ms` or the next head change, whichever comes first. */
  private sleepUntil(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms - this.now()));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Submits everything, follows it to the end; returns the results file. */
  async run(): Promise<ResultsFile> {
    const { client, config, drainSlots } = this.opts;
    const stop = new AbortController();
    const stream = client
      .streamHeads((h) => {
        this.observeHeads(h);
        this.headsChanged = true;
        this.wake?.();
      }, stop.signal)
      .catch((e: unknown) => {
        this.streamError = e; // polling alone still follows the transactions
      });
    const lastSubSlot = Math.max(0, ...this.txs.map((t) => t.sub.slot));
    const endMs = this.slotStartMs(lastSubSlot + drainSlots + 1);
    // Submitting and following run side by side, so that slow polls never delay a submission.
    const pacer = { done: false, failure: null as unknown, cancelled: false };
    const submitter = this.submitAll(pacer).then(
      () => {
        pacer.done = true;
        this.wake?.();
      },
      (e: unknown) => {
        pacer.failure = e ?? new Error("submission failed");
        this.wake?.();
      },
    );
    try {
      for (;;) {
        if (pacer.failure !== null) throw pacer.failure;
        // Poll after a head change, or once a slot without one (a stream that went quiet or failed).
        if (this.headsChanged || this.now() - this.lastPollMs >= config.slotMs) {
          this.headsChanged = false;
          this.lastPollMs = this.now();
          await this.poll();
        }
        this.opts.onProgress?.(this.finishedCount(), this.txs.length);
        if (pacer.done && this.finishedCount() === this.txs.length) break;
        if (this.now() >= endMs && pacer.done) break;
        await this.sleepUntil(Math.min(this.now() + config.slotMs / 2, endMs));
      }
    } finally {
      pacer.cancelled = true;
      stop.abort();
      await Promise.all([stream, submitter]);
    }
    return this.buildResults();
  }

  /** POSTs every transaction at the start of its session slot (those of one slot 16 at a time). */
  private async submitAll(pacer: { cancelled: boolean }): Promise<void> {
    const order = [...this.txs].sort((a, b) => a.sub.slot - b.sub.slot || a.sub.index - b.sub.index);
    let next = 0;
    while (next < order.length && !pacer.cancelled) {
      const wait = this.slotStartMs((order[next] as Tracked).sub.slot) - this.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const now = this.now();
      const due: Tracked[] = [];
      while (next < order.length && this.slotStartMs((order[next] as Tracked).sub.slot) <= now) due.push(order[next++] as Tracked);
      await forEachLimited(due, CONCURRENCY, (t) => (pacer.cancelled ? Promise.resolve() : this.submit(t)));
    }
  }

  /** Whether the head stream failed (the session then followed by polling only). */
  get streamFailed(): boolean {
    return this.streamError !== null;
  }

  private buildResults(): ResultsFile {
    const { config, workload } = this.opts;
    const slotSeconds = config.slotMs / 1000;
    const recorder = new MetricsRecorder(slotSeconds, [0]);
    let lastSlot = 0;
    for (const t of this.txs) {
      recorder.submit(t.sub.index, t.id, computeFootprint(t.sub.tx.tx.program), t.submittedSlot);
      if (t.includedSlot !== null) recorder.include(t.sub.index, t.includedSlot, "devnet");
      if (t.outcome !== null) recorder.finish(t.sub.index, t.finalSlot, t.outcome, t.reason, "devnet");
      if (t.postMs !== null && t.includedSeenMs !== null) recorder.setExtra(t.sub.index, "submitToInclusionMs", Math.round(t.includedSeenMs - t.postMs));
      if (t.postMs !== null && t.finalSeenMs !== null && t.outcome !== "rejected") recorder.setExtra(t.sub.index, "submitToFinalMs", Math.round(t.finalSeenMs - t.postMs));
      lastSlot = Math.max(lastSlot, t.submittedSlot, t.includedSlot ?? 0, t.finalSlot ?? 0);
    }
    // As the simulator: the run ends when everything is final, or at the end of the drain.
    if (this.txs.some((t) => t.outcome === null)) lastSlot = Math.max(lastSlot, Math.max(0, ...this.txs.map((t) => t.sub.slot)) + this.opts.drainSlots);
    const protocol = `devnet:${config.protocol}`;
    const record = {
      protocol,
      seed: this.opts.seed,
      workload: { name: workload.name, params: workload.params },
      slotSeconds,
      drainSlots: this.opts.drainSlots,
      validators: config.validators ?? null,
      committeeSize: config.committeeSize ?? null,
      committees: config.committees ?? null,
      stage2PerSlot: config.stage2PerSlot ?? null,
      blockTxLimit: config.blockTxLimit ?? null,
      signatures: true,
      trace: [0],
      rpc: this.opts.client.base,
      genesisRoot: config.genesisRoot,
      startSlot: this.startSlot,
    };
    const results = recorder.build(protocol, record, { maxLagSlots: this.maxLag, headEvents: this.headEvents }, lastSlot);
    results.summary.latencySeconds = computeMeasuredLatency(results.txs);
    return results;
  }
}

/**
 * Latency in measured seconds over the transactions that reached a final outcome (as the
 * simulator's blocks count them): POST → first seen included, POST → first seen final, and their
 * difference (only where the `included` status was seen before `final`).
 */
export function computeMeasuredLatency(txs: readonly TxRecord[]): ResultsFile["summary"]["latencySeconds"] {
  const finals = txs.filter((t) => t.finalSlot !== null && (t.outcome === "committed" || t.outcome === "aborted" || t.outcome === "partial"));
  const s = (ms: number): number => round(ms / 1000, 3);
  const incl = finals.filter((t) => t.extra.submitToInclusionMs !== undefined);
  return {
    submitToInclusion: computeLatencyStats(incl.map((t) => s(t.extra.submitToInclusionMs as number))),
    submitToFinal: computeLatencyStats(finals.filter((t) => t.extra.submitToFinalMs !== undefined).map((t) => s(t.extra.submitToFinalMs as number))),
    inclusionToFinal: computeLatencyStats(
      incl.filter((t) => t.extra.submitToFinalMs !== undefined).map((t) => s((t.extra.submitToFinalMs as number) - (t.extra.submitToInclusionMs as number))),
    ),
  };
}

/** Outcome counts as one line ("12 committed, 1 aborted"). */
export function formatOutcomeCounts(results: ResultsFile): string {
  return OUTCOMES.filter((o) => results.summary.outcomes[o] > 0)
    .map((o) => `${results.summary.outcomes[o]} ${o}`)
    .join(", ");
}
