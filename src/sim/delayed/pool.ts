/**
 * The Stage-2 proposers' pool of affirmations (a mempool for batches): what has reached the
 * proposers, per contract in arrival order. Batches travel as events; one still in flight when the
 * chain voids it (a frontier reset, a rollback) is dropped on arrival.
 */
import type { Batch, HeldAffirmation } from "../../protocols/delayed/stage2.js";
import type { ContractId } from "../../types.js";

/** A batch's affirmation waiting at the Stage-2 proposers. */
export interface Pending extends HeldAffirmation {
  /** A full node has re-executed its leaves. */
  checked: boolean;
}

export class AffirmationPool {
  readonly pending = new Map<ContractId, Pending[]>();
  /** Batches signed by a faulty minority beside their committee's own. */
  private readonly variants = new WeakSet<Batch>();
  private epoch = 0;
  private readonly resets = new Map<ContractId, number>();

  isVariant(b: Batch): boolean {
    return this.variants.has(b);
  }

  /** A batch leaves its committee; `arrive` (called by its arrival event) adds what is still valid. */
  send(batch: Batch, variant: boolean): () => void {
    if (variant) this.variants.add(batch);
    const epoch = this.epoch;
    const resets = batch.candidates.map((c) => this.resets.get(c.contract) ?? 0);
    return () => {
      if (epoch !== this.epoch) return;
      batch.candidates.forEach((c, index) => {
        if ((this.resets.get(c.contract) ?? 0) !== resets[index]) return;
        const entry: Pending = { batch, index, checked: false };
        const q = this.pending.get(c.contract);
        if (q) q.push(entry);
        else this.pending.set(c.contract, [entry]);
      });
    };
  }

  /** Every affirmation of `id`, held or in flight, is void. */
  drop(id: ContractId): void {
    this.pending.delete(id);
    this.resets.set(id, (this.resets.get(id) ?? 0) + 1);
  }

  /** Every affirmation, held or in flight, is void. */
  clear(): void {
    this.pending.clear();
    this.epoch++;
  }
}
