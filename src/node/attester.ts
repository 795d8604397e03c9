/**
 * What a node's validators sign as attesters of Stage-1 and Stage-2 headers, under the rule of
 * `safety.ts` (docs/node.md "Finality under forks"): at most one header per slot and chain, a
 * skip vote for a slot of their committee they did not attest once its window closed or a later
 * proposal skipped it, and a proposal that skips slots attested only over those slots' skip
 * certificates (or past the escape). A proposal that must wait for certificates is kept and
 * re-checked when a skip vote arrives and at every slot. Every such signature, and the node's
 * proposals, is first recorded in the store (slashing protection, `store/protection.ts`): a
 * restarted node never signs a different message of a slot it signed before.
 */
import { computeSigningRoot, type Validator } from "../chain/index.js";
import { bytesEqual } from "../crypto/hash.js";
import { isXshardError } from "../errors.js";
import { DOMAIN_STAGE1, DOMAIN_STAGE2 } from "../protocols/delayed/containers.js";
import { getStage1Committee } from "../protocols/delayed/stage1.js";
import { getStage2Committee } from "../protocols/delayed/stage2.js";
import type { NodeChain } from "./chain.js";
import type { NodeMetrics } from "./api/metrics.js";
import type { SlotClock } from "./clock.js";
import { AttestRecord, computeSkipRoot, DOMAIN_SKIP, findOpenGaps, KEEP_SLOTS, SKIP_ESCAPE_SLOTS, SKIP_STAGE1, SKIP_STAGE2, type SkipChain } from "./safety.js";
import { checkSigned, getDutyName, SIGNED_DUTIES, type SignedDuty, type SignedEntry } from "./store/protection.js";
import type { NodeStore } from "./store/store.js";
import type { VotePool } from "./votes.js";
import { VOTE_KINDS, type VoteValue } from "./wire.js";

/** A proposal that passed the transition, on our head, with the committee that attests it. */
export interface ProposalToAttest {
  readonly chain: SkipChain;
  readonly slot: number;
  readonly root: Uint8Array;
  readonly parentRoot: Uint8Array;
  readonly committee: readonly Validator[];
}

/** What the attester needs of its node (the node implements it). */
export interface AttesterHost {
  readonly chain: NodeChain;
  readonly votes: VotePool;
  readonly o: { readonly clock: SlotClock; readonly skipEscapeSlots?: number; readonly store: NodeStore; readonly metrics?: NodeMetrics | undefined };
  log(line: string): void;
  /** Signs `vote` for the node's validator (if held), pools and gossips it. */
  castVote(vote: VoteValue, msg: Uint8Array): void;
}

/** Proposals kept while they wait for skip certificates. */
const MAX_PENDING = 16;

export class Attester {
  /** Headers and skips this node's validators signed, per chain and slot. */
  readonly record = new AttestRecord();
  private pending: ProposalToAttest[] = [];
  private skipsThrough = -1;
  readonly escape: number;

  /** `holds`: whether the node holds validator `index`'s key. */
  constructor(
    private readonly node: AttesterHost,
    private readonly holds: (index: number) => boolean,
  ) {
    this.escape = node.o.skipEscapeSlots ?? SKIP_ESCAPE_SLOTS;
  }

  private committeeOf(chain: SkipChain, slot: number): Validator[] {
    const s = this.node.chain.state;
    return chain === SKIP_STAGE1 ? getStage1Committee(s, slot) : getStage2Committee(s, slot);
  }

  private headOf(chain: SkipChain): { slot: number; root: Uint8Array } {
    return chain === SKIP_STAGE1 ? this.node.chain.stage1 : this.node.chain.stage2;
  }

  /**
   * A valid proposal on our head (another's or our own): our validators skip the slots between its
   * parent and it that they did not attest (a later proposal was built without them), then attest
   * it if every such slot holds a skip certificate; else it waits.
   */
  onProposal(p: ProposalToAttest): void {
    // Not the slots whose proposal we hold waiting for certificates: it may still be attested in its window.
    this.signSkips(p.chain, Math.max(this.headOf(p.chain).slot + 1, p.slot - this.escape - 2), p.slot - 1, (q) => this.pending.some((w) => w.chain === p.chain && w.slot === q));
    if (this.tryAttest(p) || this.pending.length >= MAX_PENDING) return;
    this.pending.push(p);
    this.node.log(`${p.chain === SKIP_STAGE1 ? "Stage-1" : "Stage-2"} proposal of slot ${p.slot} waits for skip certificates (parent slot ${this.headOf(p.chain).slot})`);
  }

  /** Attests `p` if it may be now; true when settled (attested, late, no longer on our head, or the slot already signed). */
  private tryAttest(p: ProposalToAttest): boolean {
    const now = this.node.o.clock.getCurrentSlot();
    const head = this.headOf(p.chain);
    if (now > p.slot + 1 || !this.record.mayAttest(p.chain, p.slot) || !bytesEqual(head.root, p.parentRoot)) return true;
    const certified = (q: number): boolean => this.node.votes.hasSupermajority(VOTE_KINDS.skip, computeSkipRoot(p.chain, q), this.committeeOf(p.chain, q));
    if (findOpenGaps(head.slot, p.slot, now, certified, this.escape).length > 0) return false;
    const escaped = findOpenGaps(head.slot, p.slot, Number.NEGATIVE_INFINITY, certified);
    if (escaped.length > 0) this.node.log(`${p.chain === SKIP_STAGE1 ? "Stage-1" : "Stage-2"} proposal of slot ${p.slot} attested by the escape over slots ${escaped.join(",")} (no skip certificate)`);
    this.signHeader(p.chain, p.slot, p.root, p.committee);
    return true;
  }

  /** Re-checks the waiting proposals (a skip vote arrived, or a slot began). */
  retryPending(): void {
    this.pending = this.pending.filter((p) => !this.tryAttest(p));
  }

  /** Our validators on the committees of slots `from`…`to` that signed nothing there sign a skip. */
  private signSkips(chain: SkipChain, from: number, to: number, keep?: (q: number) => boolean): void {
    const s = this.node.chain.state;
    for (const q of this.record.takeSkips(chain, from, to, keep)) {
      const root = computeSkipRoot(chain, q);
      const msg = computeSigningRoot(DOMAIN_SKIP, s.genesisRoot, root);
      const committee = this.committeeOf(chain, q);
      this.recordAll(committee, { duty: chain === SKIP_STAGE1 ? SIGNED_DUTIES.stage1Vote : SIGNED_DUTIES.stage2Vote, slot: q, skip: true, root });
      for (const v of committee) this.node.castVote({ kind: VOTE_KINDS.skip, slot: q, committee: chain, root, validator: v.index, signature: new Uint8Array(0) }, msg);
    }
  }

  /** The node's validators in `committee` sign header `root` (never two headers, nor a header after a skip, of one slot). */
  private signHeader(chain: SkipChain, slot: number, root: Uint8Array, committee: readonly Validator[]): void {
    if (!this.record.mayAttest(chain, slot)) return;
    this.record.recordAttest(chain, slot, root);
    const kind = chain === SKIP_STAGE1 ? VOTE_KINDS.stage1 : VOTE_KINDS.stage2;
    const msg = computeSigningRoot(chain === SKIP_STAGE1 ? DOMAIN_STAGE1 : DOMAIN_STAGE2, this.node.chain.state.genesisRoot, root);
    this.recordAll(committee, { duty: chain === SKIP_STAGE1 ? SIGNED_DUTIES.stage1Vote : SIGNED_DUTIES.stage2Vote, slot, skip: false, root });
    for (const v of committee) this.node.castVote({ kind, slot, committee: 0, root, validator: v.index, signature: new Uint8Array(0) }, msg);
  }

  // ------------------------------------------------------------ slashing protection (store/protection.ts)

  /**
   * What the node's validators `validators` signed as attesters in the last `KEEP_SLOTS` slots, read
   * back from the store on start: the record refuses what they must not sign again (a restart
   * within a slot's window; docs/node.md "Slashing protection").
   */
  load(validators: Iterable<number>): void {
    const from = this.node.o.clock.getCurrentSlot() - KEEP_SLOTS;
    let n = 0;
    for (const validator of validators) {
      for (const [chain, duty] of [[SKIP_STAGE1, SIGNED_DUTIES.stage1Vote], [SKIP_STAGE2, SIGNED_DUTIES.stage2Vote]] as const) {
        for (const e of this.node.o.store.signed.getFrom(validator, duty, from)) {
          if (e.skip) this.record.recordSkip(chain, e.slot);
          else this.record.recordAttest(chain, e.slot, e.root);
          n++;
        }
      }
    }
    if (n > 0) this.node.log(`slashing protection: ${n} signatures of our validators since slot ${Math.max(0, from)} read from the store`);
  }

  /** Records `vote` in the store before it is signed; false (logged, counted) when it must not be signed. Batch votes are not covered. */
  mayCast(vote: VoteValue): boolean {
    const duty = vote.kind === VOTE_KINDS.stage1 || (vote.kind === VOTE_KINDS.skip && vote.committee === SKIP_STAGE1) ? SIGNED_DUTIES.stage1Vote : vote.kind === VOTE_KINDS.stage2 || vote.kind === VOTE_KINDS.skip ? SIGNED_DUTIES.stage2Vote : undefined;
    if (duty === undefined) return true;
    return this.protect({ validator: vote.validator, duty, slot: vote.slot, skip: vote.kind === VOTE_KINDS.skip, root: vote.root });
  }

  /** Records our proposal of `slot` (root `root`) in the store before it leaves the node; false when it must not. */
  mayPropose(chain: SkipChain, validator: number, slot: number, root: Uint8Array): boolean {
    const duty: SignedDuty = chain === SKIP_STAGE1 ? SIGNED_DUTIES.stage1Proposal : SIGNED_DUTIES.stage2Proposal;
    return this.protect({ validator, duty, slot, skip: false, root });
  }

  /**
   * Records what our members of `committee` are about to sign in one transaction (one synced
   * commit, not one per validator); `castVote`'s own check then finds it. Nothing on a refusal or
   * a failed write: each vote's check then decides, and logs, per validator.
   */
  private recordAll(committee: readonly Validator[], what: Omit<SignedEntry, "validator">): void {
    const ours = committee.filter((v) => this.holds(v.index));
    if (ours.length < 2) return;
    try {
      this.node.o.store.recordSigned(ours.map((v) => ({ ...what, validator: v.index })));
    } catch {
      // castVote checks each vote again
    }
  }

  private protect(entry: SignedEntry): boolean {
    try {
      // Already recorded (by `recordAll`, or before a restart): a read, no commit.
      const held = this.node.o.store.signed.get(entry.validator, entry.duty, entry.slot);
      if (held !== undefined && checkSigned(held, entry) === undefined) return true;
      this.node.o.store.recordSigned([entry]);
      return true;
    } catch (e) {
      const rule = isXshardError(e) ? e.code : "STORE_WRITE_FAILED";
      this.node.log(`slashing protection: not signed (${rule}): ${(e as Error).message}`);
      this.node.o.metrics?.slashingProtectionRefusals.inc({ duty: getDutyName(entry.duty), rule });
      return false;
    }
  }

  /** Slot `slot` began: the windows of slot − 2 closed (skips signed), waiting proposals re-checked (the escape), old records dropped. */
  closeWindows(slot: number): void {
    const from = Math.max(this.skipsThrough + 1, slot - this.escape - 2);
    for (const chain of [SKIP_STAGE1, SKIP_STAGE2] as const) this.signSkips(chain, from, slot - 2);
    this.skipsThrough = Math.max(this.skipsThrough, slot - 2);
    this.retryPending();
    this.record.prune(slot);
  }
}
