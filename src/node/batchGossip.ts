/**
 * Batch bodies by gossip (topic `batch`; docs/node.md "Following"). Votes for a committee's batch
 * carry only its root, and a Stage-2 proposer builds its block from the batches it holds: a node
 * that does not follow committee `k` has no body for `k`'s batch. So a node that follows only some
 * committees publishes, each round, the unsigned batch it built for each of them (identical on
 * every member's node: gossip keeps one copy); every node keeps, for the current slots, the batches
 * of committees it does not follow whose roots check (`checkBatchRoots`). A proposer offers such a
 * batch only once it holds 2/3 of the committee's votes for its root and a block holding it alone
 * passes `processStage2Block` (every rule but the header attestation) — a forged body with an
 * honest header is left out, never proposed.
 */
import { bytesEqual, sha256, toHex } from "../crypto/hash.js";
import { isXshardError } from "../errors.js";
import { Stage2Header } from "../protocols/delayed/containers.js";
import { buildStage2Block, checkBatchRoots, processStage2Block, type Batch, type HeldAffirmation, type SignedStage2Block } from "../protocols/delayed/stage2.js";
import type { DelayedState } from "../protocols/delayed/state.js";
import type { ContractId } from "../types.js";
import type { NodeChain } from "./chain.js";
import type { SlotClock } from "./clock.js";
import { ACCEPT, ignoreVerdict, rejectVerdict, type GossipMessage, type Verdict } from "./net/types.js";
import { decodeBatchMessage, encodeBatchMessage, materializeBatch } from "./wire.js";

const ZERO_SIG = new Uint8Array(96);

/** What the batch gossip needs of its node. */
export interface BatchGossipHost {
  readonly chain: NodeChain;
  readonly o: { readonly clock: SlotClock };
}

export class BatchGossip {
  /** Slot → message hash (hex) → batch of a committee this node does not follow. */
  private readonly bySlot = new Map<number, Map<string, Batch>>();
  /** Foreign batches at 2/3 left out of a proposal because a block holding them breaks a rule (a forged body). */
  refused = 0;

  constructor(private readonly node: BatchGossipHost) {}

  /** The messages to publish for this round's own batches (none for a node that follows every committee: no peer needs them). */
  getMessages(batches: ReadonlyMap<number, Batch>): Uint8Array[] {
    return this.node.chain.witnessCache ? [...batches.values()].map(encodeBatchMessage) : [];
  }

  /** The gossip verdict on a batch body. */
  onMessage(m: GossipMessage): Verdict {
    const chain = this.node.chain;
    const v = decodeBatchMessage(m.data);
    const k = v.header.committee;
    if (k >= chain.state.params.committees) return rejectVerdict("UNKNOWN_COMMITTEE");
    const now = this.node.o.clock.getCurrentSlot();
    if (v.header.round < now - 1 || v.header.round > now + 1) return ignoreVerdict("late");
    if (!chain.views.isRemote(k)) return ignoreVerdict("followed");
    const b = materializeBatch(chain.state, v);
    const bad = b.candidates.length !== b.affirmations.length ? "BAD_AFFIRMATION_ROOT" : checkBatchRoots(b, b.affirmations.map((_, i) => i));
    if (bad) return rejectVerdict(bad);
    const slot = v.header.round;
    (this.bySlot.get(slot) ?? this.bySlot.set(slot, new Map()).get(slot))?.set(toHex(sha256(m.data)), b);
    for (const s of this.bySlot.keys()) if (s < now - 2) this.bySlot.delete(s);
    return ACCEPT;
  }

  /** Batches of `slot` for committees not in `own`, to be offered once their votes reach 2/3 (`isProposable`). */
  getBatches(slot: number, own: ReadonlyMap<number, Batch>): [number, Batch][] {
    return [...(this.bySlot.get(slot)?.values() ?? [])].filter((b) => b.candidates.length > 0 && !own.has(b.header.committee)).map((b) => [b.header.committee, b]);
  }

  /** Whether a block on `s` holding only `signed` (a foreign batch with its aggregate) passes every rule but the header attestation. */
  isProposable(s: DelayedState, signed: Batch, slot: number): boolean {
    const ok = this.tryBlock(s, signed, slot);
    if (!ok) this.refused++;
    return ok;
  }

  private tryBlock(s: DelayedState, signed: Batch, slot: number): boolean {
    const held = new Map<ContractId, HeldAffirmation[]>();
    signed.candidates.forEach((c, index) => (held.get(c.contract) ?? held.set(c.contract, []).get(c.contract))?.push({ batch: signed, index }));
    const ctx = { verifier: this.node.chain.verifier, runtime: this.node.chain.runtime };
    try {
      const block = buildStage2Block(s, [], held, slot, slot, ctx);
      if (!block.inclusions.some((i) => bytesEqual(i.batch.root, signed.root))) return false;
      const attestation = { message: new Uint8Array(32), signers: [], signature: ZERO_SIG, weight: 0 };
      const probe: SignedStage2Block = { ...block, root: Stage2Header.hashTreeRoot(block.header), attestation, attesters: [] };
      processStage2Block(s, probe, { ...ctx, verifyAttestation: false });
      return true;
    } catch (e) {
      if (!isXshardError(e)) throw e;
      return false;
    }
  }
}
