/**
 * A full node watching the Stage-2 chain for wrong roots (DESIGN §2 "Faults"): it re-executes the
 * leaves of affirmations — those a block applied, and those that carry ≥ 2/3 of a committee's
 * stake but still wait — over the states they claim to start from; a wrong leaf becomes a
 * `Dispute` (with a one-step proof, checked by the verifier's own code) for the next block.
 */
import { bytesEqual } from "../../crypto/hash.js";
import type { Runtime } from "../../runtime/index.js";
import type { ContractId } from "../../types.js";
import type { CommitteeViews } from "./committee.js";
import { computeLeafRoot, computeProofRoot, createOneStepProof, getProofBytes, verifyOneStepProof, type FullPreState, type LeafTx, type OneStepProof } from "./faults.js";
import { computeExecutionGas } from "./budget.js";
import { NOOP_OBSERVER, type DelayedObserver } from "./observer.js";
import type { Batch, Dispute } from "./stage2.js";
import { getAffirmedIdx, getContract, getLogItem, getTxAt } from "./state.js";
import type { CandidateAffirmation } from "./rules.js";

export class FullNode {
  constructor(
    private readonly views: CommitteeViews,
    private readonly runtime: Runtime,
    private readonly observer: DelayedObserver = NOOP_OBSERVER,
  ) {}

  /** Re-executes affirmation `index` of `batch` leaf by leaf; the first wrong one is returned as a dispute. */
  checkAffirmation(batch: Batch, index: number, kind: Dispute["kind"], slot: number): Dispute | undefined {
    const cand = batch.candidates[index] as CandidateAffirmation;
    const leaves = batch.leaves[index] as Uint8Array[];
    for (let i = 0; i < leaves.length; i++) {
      const verdict = this.proveLeaf(cand, i, leaves[i] as Uint8Array, slot);
      if (verdict === "right") continue;
      if (verdict === "unknown") return undefined;
      return { kind, contract: cand.contract, position: cand.from + i, batch, index, postRoot: cand.postRoots[i] as Uint8Array, claimedLeaf: leaves[i] as Uint8Array, ...verdict };
    }
    return undefined;
  }

  /**
   * Re-executes the `i`-th transaction of an affirmation over the states it claims to start from:
   * the affirmed roots, its own earlier post-roots and the roots it assumed. "right" if its leaf
   * is what it claims; "unknown" if no full state with those roots exists to build witnesses from;
   * else the one-step proof (checked by the verifier's code) of the right leaf.
   */
  private proveLeaf(cand: CandidateAffirmation, i: number, claimed: Uint8Array, slot: number): "right" | "unknown" | { recomputedLeaf: Uint8Array; proofRoot: Uint8Array; proof: OneStepProof } {
    const chain = this.views.chain;
    const t = getTxAt(chain, cand.contract, cand.from + i);
    const rootOf = (d: ContractId, pos: number): Uint8Array | undefined => {
      if (d === cand.contract) return i === 0 ? cand.preRoot : cand.postRoots[i - 1];
      const rec = getContract(chain, d);
      if (pos <= getAffirmedIdx(rec)) return getLogItem(rec.chainRoots, pos);
      return cand.assumptions.find((a) => a.contract === d && a.position === pos)?.root;
    };
    const pre: FullPreState[] = [];
    for (const [d, pos] of t.positions) {
      const snap = this.views.frontier(d).snaps[pos];
      const root = rootOf(d, pos);
      if (!snap || !root || !bytesEqual(root, snap.kv.root())) return "unknown";
      pre.push({ contract: d, codeHash: getContract(chain, d).codeHash, root, ended: snap.ended, kv: snap.kv });
    }
    const tx: LeafTx = { seq: t.seq, txId: t.txId, sender: t.stx.tx.sender, gasLimit: t.stx.tx.gasLimit, program: t.stx.tx.program };
    const states = new Map(pre.map((p) => [p.contract, { state: p.kv, codeHash: p.codeHash, ended: p.ended }]));
    const again = computeLeafRoot(this.runtime, tx, cand.contract, states);
    // A full node's re-execution: work of no committee (group −1), not counted against any budget.
    this.observer.onExecution?.(slot, -1, t.seq, "reexecute", computeExecutionGas(again.gas, 0));
    if (bytesEqual(again.leaf, claimed)) return "right";
    const { proof, leaf } = createOneStepProof(this.runtime, tx, cand.contract, pre);
    if (!bytesEqual(verifyOneStepProof(this.runtime, tx, proof), leaf)) throw new Error("internal: one-step proof does not verify");
    this.observer.count("fraudProofBytes", getProofBytes(proof));
    this.observer.onTransfer?.(slot, "proof", getProofBytes(proof));
    return { recomputedLeaf: leaf, proofRoot: computeProofRoot(proof), proof };
  }
}
