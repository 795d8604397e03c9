/**
 * Evidence and slashing on a node (docs/node.md "Evidence and slashing"). A node executes every
 * contract it follows (all, or its validators' committees': docs/node.md "Following"), so it knows
 * what those committees' batches should say; the others' it cannot re-execute and does not check. When a batch that
 * holds ≥ 2/3 of its committee's signatures affirms other roots than the node's own execution, the
 * Stage-2 proposer builds the evidence the rules accept (a one-step proof, `FullNode` of the spec),
 * puts it in its proposal (the Stage-2 block's `evidence` list) and leaves the batch out; every node
 * imports it with `processEvidence` (inside `processStage2Block`) and the signers are slashed in the
 * agreed state. A block whose evidence breaks a rule is rejected with that rule's code.
 *
 * The slot committee that attests a block with evidence is drawn after its evidence (the spec's
 * rule), so the node asks this module for it (`getAttestingCommittee`).
 *
 * `NodeFaults` is test-only: it makes the node's validators sign a wrong root for one committee.
 */
import type { Validator } from "../chain/index.js";
import { createNoopVerifier } from "../crypto/bls.js";
import { bytesEqual, toHex } from "../crypto/hash.js";
import { isXshardError } from "../errors.js";
import { produceBatches } from "../protocols/delayed/batches.js";
import { createWrongRootsBehaviour, type CommitteeBehaviour } from "../protocols/delayed/behaviour.js";
import { decodeContractId } from "../protocols/delayed/containers.js";
import { buildEvidence, processEvidence } from "../protocols/delayed/evidence.js";
import type { ProvenEvidenceValue } from "../protocols/delayed/faults.js";
import type { Dispute } from "../protocols/delayed/blocks.js";
import { NOOP_OBSERVER } from "../protocols/delayed/observer.js";
import { getStage2Committee, type Batch, type HeldAffirmation, type SignedStage2Block } from "../protocols/delayed/stage2.js";
import type { DelayedState } from "../protocols/delayed/state.js";
import { FullNode } from "../protocols/delayed/watch.js";
import type { ContractId } from "../types.js";
import type { SlashingEntryView } from "./api/backend.js";
import type { NodeChain } from "./chain.js";
import { createRoundSource, selectRoundSteps } from "./roundBatch.js";

/** Test-only faults: the node's validators on `committee` sign a wrong post-root (from `fromSlot`). */
export interface NodeFaults {
  readonly wrongRoots?: { readonly committee: number; readonly fromSlot?: number };
  /** As proposer, include every batch at 2/3 unchecked (a proposer colluding with wrong signers; fraud proofs against roots already applied are still included). */
  readonly colluding?: boolean;
}

/** One validator slashed by a block's evidence (`GET /v1/slashings`): the API's view. */
export type SlashingView = SlashingEntryView;

export class NodeEvidence {
  readonly slashings: SlashingView[] = [];
  private readonly behaviour: CommitteeBehaviour | undefined;
  private readonly faulty: number | undefined;
  /** Per committee, the root of the batch this node's own execution gives for the current round. */
  private own = new Map<number, Uint8Array>();
  /** Roots (hex) of the batches this node built in recent rounds: an applied batch among them needs no re-execution. */
  private readonly ownRecent = new Map<string, number>();
  /** Wrong roots found in imported blocks, kept until a block's evidence settles them (`buildEvidence` → undefined). */
  private disputes: Dispute[] = [];
  private readonly colluding: boolean;
  /** Stage-2 root (hex) → the slot committee drawn after its evidence, for proposals with evidence. */
  private readonly attesting = new Map<string, { slot: number; committee: Validator[] }>();

  constructor(
    private readonly chain: () => NodeChain,
    private readonly log: (line: string) => void,
    faults: NodeFaults = {},
  ) {
    const w = faults.wrongRoots;
    this.faulty = w?.committee;
    this.colluding = faults.colluding === true;
    this.behaviour = w ? createWrongRootsBehaviour(w.committee, w.fromSlot ?? 0) : undefined;
  }

  /**
   * The round's batches as this node's validators sign them: its own execution's, except (test-only
   * faults) a wrong-root variant for the faulty committee, built with the spec's batch builder.
   */
  signRound(batches: Map<number, Batch>, slot: number): Map<number, Batch> {
    this.own = new Map([...batches].map(([k, b]) => [k, b.root]));
    for (const b of batches.values()) this.ownRecent.set(toHex(b.root), slot);
    for (const [r, s] of this.ownRecent) if (s < slot - 8) this.ownRecent.delete(r);
    const k = this.faulty;
    const honest = k === undefined ? undefined : batches.get(k);
    if (k === undefined || !honest || !this.behaviour) return batches;
    const c = this.chain();
    // The same steps and claimed work as the honest batch (`roundBatch.ts`), wrong roots.
    const { ends, work } = selectRoundSteps(c.views, k);
    // The honest batch beside the variant is signed by nobody here (the node's validators sign by votes).
    const noop = createNoopVerifier();
    const verifier = { ...noop, signAggregate: (keys: Parameters<typeof noop.signAggregate>[0], msg: Uint8Array) => (keys.length === 0 ? new Uint8Array(0) : noop.signAggregate(keys, msg)) };
    const variant = produceBatches(createRoundSource(c.views, ends), k, slot, slot, work, this.behaviour, verifier, NOOP_OBSERVER).find((b) => b.variant);
    if (!variant) return batches;
    this.log(`slot ${slot}: faults: committee ${k} signs a wrong root`);
    return new Map(batches).set(k, variant.batch);
  }

  /**
   * The proposer's evidence: every held batch whose root is not the node's own execution's is
   * re-executed leaf by leaf (`FullNode.checkAffirmation`); a wrong leaf becomes evidence (applied
   * in order to give the state the block builds on) and the batch is left out.
   */
  prepare(s: DelayedState, held: ReadonlyMap<ContractId, readonly HeldAffirmation[]>, slot: number): { state: DelayedState; evidence: ProvenEvidenceValue[]; held: Map<ContractId, HeldAffirmation[]> } {
    const c = this.chain();
    const batches = new Set<Batch>();
    for (const list of held.values()) for (const e of list) batches.add(e.batch);
    const wrong = new Set<Batch>();
    const evidence: ProvenEvidenceValue[] = [];
    let state = s;
    // Fraud proofs against roots already applied (found on import), then the held batches.
    this.disputes = this.disputes.filter((d) => buildEvidence(state, d) !== undefined);
    for (const d of this.disputes) {
      const ev = buildEvidence(state, d);
      if (!ev) continue;
      try {
        state = processEvidence(state, ev, c.ctx).state;
        evidence.push(ev);
        this.log(`slot ${slot}: fraud proof: ${d.contract} at ${d.position}, slashing ${ev.signers.join(",")}`);
      } catch (e) {
        if (!isXshardError(e)) throw e;
        this.log(`slot ${slot}: own fraud proof against ${d.contract} refused: ${e.code}`);
      }
    }
    const full = new FullNode(c.views, c.runtime);
    for (const b of this.colluding ? [] : batches) {
      if (c.views.isRemote(b.header.committee)) continue;
      const own = this.own.get(b.header.committee);
      if (own && bytesEqual(own, b.root)) continue;
      for (let i = 0; i < b.candidates.length; i++) {
        const d = full.checkAffirmation(b, i, "signed", slot);
        const ev = d && buildEvidence(state, d);
        if (!ev) continue;
        try {
          state = processEvidence(state, ev, c.ctx).state;
        } catch (e) {
          if (!isXshardError(e)) throw e;
          this.log(`slot ${slot}: own evidence against committee ${b.header.committee} refused: ${e.code}`);
          continue;
        }
        this.log(`slot ${slot}: evidence: committee ${b.header.committee} signed a wrong root of ${d.contract} at ${d.position}; slashing ${ev.signers.join(",")}`);
        evidence.push(ev);
        wrong.add(b);
        break;
      }
    }
    const out = new Map<ContractId, HeldAffirmation[]>();
    for (const [id, list] of held) {
      const kept = list.filter((e) => !wrong.has(e.batch));
      if (kept.length > 0) out.set(id, kept);
    }
    return { state, evidence, held: out };
  }

  /**
   * The slot committee that attests `block` on `s`: drawn among the validators its evidence leaves
   * (the spec's rule). Remembered by root, for the votes that follow. Evidence that breaks a rule
   * leaves the committee as it is (the block is rejected for it anyway).
   */
  getAttestingCommittee(s: DelayedState, block: Pick<SignedStage2Block, "header" | "evidence" | "root">): Validator[] {
    if (block.evidence.length === 0) return getStage2Committee(s, block.header.number);
    let after = s;
    try {
      for (const ev of block.evidence) after = processEvidence(after, ev, this.chain().ctx).state;
    } catch (e) {
      if (!isXshardError(e)) throw e;
      return getStage2Committee(s, block.header.number);
    }
    const committee = getStage2Committee(after, block.header.number);
    this.attesting.set(toHex(block.root), { slot: block.header.slot, committee });
    for (const [r, a] of this.attesting) if (a.slot < block.header.slot - 4) this.attesting.delete(r);
    return committee;
  }

  /** Who may sign Stage-2 header `root` of slot `slot`: its committee after evidence, if it carried any. */
  getVoteCommittee(s: DelayedState, root: Uint8Array, slot: number): readonly Validator[] {
    return this.attesting.get(toHex(root))?.committee ?? getStage2Committee(s, slot);
  }

  /**
   * After a Stage-2 block was imported: records whom its evidence slashed, and re-executes every
   * applied affirmation of a batch this node did not build itself (its own are its execution); a
   * wrong leaf is kept as a `fraud` dispute for the next proposal (any node's: every node finds it).
   */
  onImported(before: DelayedState, after: DelayedState, block: SignedStage2Block): void {
    const c = this.chain();
    let full: FullNode | undefined;
    for (const inc of block.inclusions) {
      if (this.ownRecent.has(toHex(inc.batch.root)) || c.views.isRemote(inc.batch.header.committee)) continue;
      full ??= new FullNode(c.views, c.runtime);
      for (const i of inc.applied) {
        const d = full.checkAffirmation(inc.batch, i, "fraud", block.header.slot);
        if (!d) continue;
        this.disputes.push(d);
        this.log(`slot ${block.header.slot}: block ${block.header.number} applied a wrong root of ${d.contract} at ${d.position}`);
      }
    }
    for (const ev of block.evidence) {
      for (const v of ev.signers) {
        if (before.slashed.has(v) || !after.slashed.has(v)) continue;
        this.slashings.push({ validator: v, block: block.header.number, slot: block.header.slot, kind: ev.kind === 1 ? "fraud" : "signed", contract: decodeContractId(ev.contract), position: ev.position, batchRoot: `0x${toHex(ev.batchRoot)}` });
      }
    }
    if (block.evidence.length > 0) this.log(`slot ${block.header.slot}: block ${block.header.number} slashed ${[...after.slashed].filter((v) => !before.slashed.has(v)).join(",")}`);
  }
}
