/**
 * The one consumer of `WorkObserver` (src/chain/observer.ts) in the simulator: every driver's
 * metrics own one `WorkCollector`, the protocol specs report executions, bytes moved and
 * signatures to it, and it turns them into the results file's `work` block (issue 11 §2,
 * docs/results.md "Validator work").
 *
 * Counting rules (the same for every protocol, so `compare` compares like with like):
 * - work is counted once per group (shard or contract committee; −1 for the beacon / Stage-1
 *   chain) — every member of the group does it, the figures do not multiply by committee size;
 * - an execution is one `onExecution` call: one run of a transaction (or segment, or step) by one
 *   group, with the metered gas the runtime counted for it;
 * - `tx` identifies the transaction within the run (the protocol's sequence number or the
 *   submission index); executions with `tx < 0` count in the gas figures but not per transaction;
 * - a slot below 0 (genesis work, e.g. sync's genesis confirmations) is recorded in slot 0.
 * Nothing here is read back by any rule.
 */
import { EXECUTION_KINDS, TRANSFER_KINDS, type ExecutionKind, type TransferKind, type WorkObserver } from "../chain/observer.js";
import type { WorkBlock } from "../results/schema.js";

type ByKind<K extends string> = Record<K, number>;

function zeros<K extends string>(kinds: readonly K[]): ByKind<K> {
  return Object.fromEntries(kinds.map((k) => [k, 0])) as ByKind<K>;
}

/** Work of one slot. */
interface SlotWork {
  /** group → gas by kind. */
  readonly gas: Map<number, ByKind<ExecutionKind>>;
  readonly bytes: ByKind<TransferKind>;
  made: number;
  verified: number;
}

/** Transactions numbered below this count in a dense array (4 bytes each); any other number in a map. */
const DENSE_TXS = 1 << 24;

export class WorkCollector implements Required<WorkObserver> {
  private readonly slots = new Map<number, SlotWork>();
  /** Executions of transaction `tx` for tx < DENSE_TXS (run numbers are dense from 0: no map entry per transaction). */
  private perTx = new Uint32Array(1024);
  /** Executions of any other transaction number. */
  private readonly perTxSparse = new Map<number, number>();
  private readonly executions = zeros(EXECUTION_KINDS);

  /** `groups`: shards or contract committees of the run (the rows of the gas series per slot). */
  constructor(private readonly groups: number) {}

  onExecution(slot: number, group: number, tx: number, kind: ExecutionKind, gas: number): void {
    const s = this.slot(slot);
    let g = s.gas.get(group);
    if (!g) {
      g = zeros(EXECUTION_KINDS);
      s.gas.set(group, g);
    }
    g[kind] += gas;
    this.executions[kind]++;
    if (tx >= 0) this.countExecution(tx);
  }

  private countExecution(tx: number): void {
    if (!(Number.isInteger(tx) && tx < DENSE_TXS)) {
      this.perTxSparse.set(tx, (this.perTxSparse.get(tx) ?? 0) + 1);
      return;
    }
    if (tx >= this.perTx.length) {
      const grown = new Uint32Array(Math.min(DENSE_TXS, Math.max(2 * this.perTx.length, tx + 1)));
      grown.set(this.perTx);
      this.perTx = grown;
    }
    this.perTx[tx] = (this.perTx[tx] as number) + 1;
  }

  /** The execution count of every transaction executed at least once (in no particular order). */
  private getExecutionCounts(): number[] {
    const counts: number[] = [];
    for (const c of this.perTx) if (c > 0) counts.push(c);
    for (const c of this.perTxSparse.values()) counts.push(c);
    return counts;
  }

  onTransfer(slot: number, kind: TransferKind, bytes: number): void {
    this.slot(slot).bytes[kind] += bytes;
  }

  onSignatures(slot: number, made: number, verified: number): void {
    const s = this.slot(slot);
    s.made += made;
    s.verified += verified;
  }

  /**
   * The `work` block for a run whose slots are 0..`lastSlot` (extended to the last slot that saw
   * work) and in which `finalTxs` transactions reached a final outcome (committed, aborted,
   * partial). Series are columnar (one array per column, equal lengths) and dense: every slot, and
   * in `gasPerSlot` every group 0..groups−1 of every slot (group −1 only in slots where it worked).
   */
  build(lastSlot: number, finalTxs: number): WorkBlock {
    const end = Math.max(lastSlot, ...this.slots.keys());
    const gasPerSlot: WorkBlock["gasPerSlot"] = { slot: [], group: [], execute: [], foreign: [], speculate: [], reexecute: [], total: [] };
    const perSlot: WorkBlock["perSlot"] = { slot: [], gas: [], witnessBytes: [], proofBytes: [], receiptBytes: [], signaturesMade: [], signaturesVerified: [] };
    const gasTotals = zeros(EXECUTION_KINDS);
    const bytesTotals = zeros(TRANSFER_KINDS);
    let made = 0;
    let verified = 0;
    for (let slot = 0; slot <= end; slot++) {
      const s = this.slots.get(slot);
      const groups = [...new Set([...(s ? [...s.gas.keys()].filter((g) => g < 0 || g >= this.groups) : []), ...Array.from({ length: this.groups }, (_, i) => i)])].sort((a, b) => a - b);
      let slotGas = 0;
      for (const group of groups) {
        const g = s?.gas.get(group) ?? zeros(EXECUTION_KINDS);
        const total = EXECUTION_KINDS.reduce((a, k) => a + g[k], 0);
        gasPerSlot.slot.push(slot);
        gasPerSlot.group.push(group);
        for (const k of EXECUTION_KINDS) {
          gasPerSlot[k].push(g[k]);
          gasTotals[k] += g[k];
        }
        gasPerSlot.total.push(total);
        slotGas += total;
      }
      const bytes = s?.bytes ?? zeros(TRANSFER_KINDS);
      for (const k of TRANSFER_KINDS) bytesTotals[k] += bytes[k];
      made += s?.made ?? 0;
      verified += s?.verified ?? 0;
      perSlot.slot.push(slot);
      perSlot.gas.push(slotGas);
      perSlot.witnessBytes.push(bytes.witness);
      perSlot.proofBytes.push(bytes.proof);
      perSlot.receiptBytes.push(bytes.receipt);
      perSlot.signaturesMade.push(s?.made ?? 0);
      perSlot.signaturesVerified.push(s?.verified ?? 0);
    }
    const gasTotal = EXECUTION_KINDS.reduce((a, k) => a + gasTotals[k], 0);
    const bytesTotal = TRANSFER_KINDS.reduce((a, k) => a + bytesTotals[k], 0);
    const executionsTotal = EXECUTION_KINDS.reduce((a, k) => a + this.executions[k], 0);
    const counts = this.getExecutionCounts().sort((a, b) => a - b);
    const q = (p: number): number | null => (counts.length === 0 ? null : (counts[Math.max(0, Math.ceil((p / 100) * counts.length) - 1)] as number));
    const per = (x: number): number | null => (finalTxs > 0 ? round(x / finalTxs) : null);
    return {
      groups: this.groups,
      gas: { ...gasTotals, total: gasTotal },
      executions: { ...this.executions, total: executionsTotal },
      executionsPerTx: {
        txs: counts.length,
        total: counts.reduce((a, c) => a + c, 0),
        mean: counts.length === 0 ? null : round(counts.reduce((a, c) => a + c, 0) / counts.length),
        p50: q(50),
        p90: q(90),
        max: counts.length === 0 ? null : (counts[counts.length - 1] as number),
      },
      bytes: { ...bytesTotals, total: bytesTotal },
      signatures: { made, verified },
      perFinalTx: {
        finalTxs,
        gas: per(gasTotal),
        execute: per(gasTotals.execute),
        foreign: per(gasTotals.foreign),
        speculate: per(gasTotals.speculate),
        reexecute: per(gasTotals.reexecute),
        bytes: per(bytesTotal),
        signaturesMade: per(made),
        signaturesVerified: per(verified),
      },
      gasPerSlot,
      perSlot,
    };
  }

  private slot(slot: number): SlotWork {
    const key = Math.max(0, slot);
    let s = this.slots.get(key);
    if (!s) {
      s = { gas: new Map(), bytes: zeros(TRANSFER_KINDS), made: 0, verified: 0 };
      this.slots.set(key, s);
    }
    return s;
  }
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
