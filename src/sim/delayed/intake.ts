/**
 * The workload's submissions as the driver takes them in: each reaches the mempool at the start
 * of its slot; the metrics record it as submitted (id, footprint, slot) before the run starts.
 */
import { toHex } from "../../crypto/hash.js";
import { computeFootprint, computeTxId, type SignedTx } from "../../program/index.js";
import type { Submission } from "../../workloads/types.js";
import type { MetricsRecorder } from "../metrics.js";

/**
 * Submissions by slot, and the last slot with one; `indexOf` gets each transaction's submission
 * index. With `handOver` (`handOverSubmissions`), `subs` is emptied in place once taken in: the
 * driver then holds each transaction only until it is sequenced (or rejected).
 */
export function takeSubmissions(subs: readonly Submission[], recorder: MetricsRecorder, indexOf: Map<SignedTx, number>, handOver = false): { bySlot: Map<number, SignedTx[]>; lastSubmission: number } {
  const bySlot = new Map<number, SignedTx[]>();
  let lastSubmission = 0;
  for (const s of subs) {
    (bySlot.get(s.slot) ?? bySlot.set(s.slot, []).get(s.slot))?.push(s.tx);
    indexOf.set(s.tx, s.index);
    recorder.submit(s.index, toHex(computeTxId(s.tx)), computeFootprint(s.tx.tx.program), s.slot);
    lastSubmission = Math.max(lastSubmission, s.slot);
  }
  if (handOver) (subs as Submission[]).length = 0;
  return { bySlot, lastSubmission };
}
