/**
 * The honest attester's rule that keeps a final block final under forks (issue 13; docs/node.md
 * "Finality under forks"). A block of slot s is final once ≥ 2/3 of slot s's committee attested
 * it, but slot committees are drawn per slot: the committees of s and s+1 need not share a member,
 * so a validator-level lock alone cannot stop a proposal of s+1 built on s−1 from reaching 2/3 of
 * its own committee while B_s reached 2/3 of s's (the fork seen on the netns devnet). The rule:
 *
 * - a validator signs at most one header per slot and chain, and none of a slot it signed a
 *   **skip** for (`AttestRecord`);
 * - it signs skip(q) — "I attested no block of slot q and never will" — for a slot q of its
 *   committee it did not attest, once q's attesting window has closed (the start of slot q+2) or as
 *   soon as it sees a valid proposal of a later slot built on a parent older than q;
 * - it attests a proposal of slot t whose parent is of slot p only if for every slot q with
 *   p < q < t it holds a **skip certificate**: skip(q) votes of ≥ 2/3 of q's committee weight
 *   (`findOpenGaps`), or q is `SKIP_ESCAPE_SLOTS` old (the liveness escape).
 *
 * Safety: a final B_q (≥ 2/3 of committee q attested) and a skip certificate for q (≥ 2/3 signed
 * skip) overlap in ≥ 1/3 of committee q, all of whom signed both, which no honest validator does:
 * with < 1/3 of every committee dishonest the two cannot coexist, so no honest attester of a later
 * slot attests a block that skips a final block — unless it took the escape. Pure bookkeeping: the
 * caller passes the slots (no clock).
 */
import { sha256 } from "../crypto/hash.js";

/** The two chains in skip votes (`Vote.committee` of a skip vote). */
export const SKIP_STAGE1 = 1;
export const SKIP_STAGE2 = 2;
export type SkipChain = typeof SKIP_STAGE1 | typeof SKIP_STAGE2;

/** Signing domain of skip votes (never a header's or a batch's). */
export const DOMAIN_SKIP = "xshard:skip:";

/**
 * Default escape: a proposal that skips slot q is attested without q's skip certificate from slot
 * q + this on (q's committee split between a block and skips, or too few of it online; `NodeOptions.
 * skipEscapeSlots`). Residual risk: a block of q that reached 2/3 while the honest attesters of the
 * conflicting later block had not imported it by then. 2: a proposal of q+1 built without B_q waits
 * until slot q+2 for B_q (or its votes) unless q's committee skipped; longer escapes cost liveness
 * under load (a committee that splits stalls Stage-1 finality until the escape; docs/node.md).
 */
export const SKIP_ESCAPE_SLOTS = 2;

/** Slots of attesting and skipping the record keeps (older ones are past every window and escape). */
export const KEEP_SLOTS = 64;

/** The object a skip vote signs: the chain and the slot, nothing else. */
export function computeSkipRoot(chain: SkipChain, slot: number): Uint8Array {
  const b = new Uint8Array(9);
  b[0] = chain;
  new DataView(b.buffer).setBigUint64(1, BigInt(slot));
  return sha256("xshard:skip-object:", b);
}

/** What this node's validators signed per chain and slot: one header, or a skip. */
export class AttestRecord {
  private readonly attested = new Map<string, Uint8Array>();
  private readonly skipped = new Set<string>();

  private static key(chain: SkipChain, slot: number): string {
    return `${chain}:${slot}`;
  }

  /** True when nothing (header or skip) was signed for `slot` yet. */
  mayAttest(chain: SkipChain, slot: number): boolean {
    const k = AttestRecord.key(chain, slot);
    return !this.attested.has(k) && !this.skipped.has(k);
  }

  recordAttest(chain: SkipChain, slot: number, root: Uint8Array): void {
    this.attested.set(AttestRecord.key(chain, slot), root);
  }

  /** A skip of `slot` signed (read back from the store on start). */
  recordSkip(chain: SkipChain, slot: number): void {
    this.skipped.add(AttestRecord.key(chain, slot));
  }

  getAttested(chain: SkipChain, slot: number): Uint8Array | undefined {
    return this.attested.get(AttestRecord.key(chain, slot));
  }

  /** The slots of [from, to] with nothing signed (and not `keep`), now marked skipped (never attested after). */
  takeSkips(chain: SkipChain, from: number, to: number, keep: (q: number) => boolean = () => false): number[] {
    const out: number[] = [];
    for (let q = Math.max(0, from); q <= to; q++) {
      if (!this.mayAttest(chain, q) || keep(q)) continue;
      this.skipped.add(AttestRecord.key(chain, q));
      out.push(q);
    }
    return out;
  }

  /** Forgets slots older than `slot` − `KEEP_SLOTS`. */
  prune(slot: number): void {
    const keep = (k: string): boolean => Number(k.slice(k.indexOf(":") + 1)) >= slot - KEEP_SLOTS;
    for (const k of this.attested.keys()) if (!keep(k)) this.attested.delete(k);
    for (const k of this.skipped) if (!keep(k)) this.skipped.delete(k);
  }
}

/**
 * The slots between a proposal's parent (slot `parentSlot`, −1 for genesis) and the proposal
 * (slot `slot`) that still forbid attesting it at slot `now`: no skip certificate held
 * (`hasCertificate`) and not yet `escape` slots old. Empty: the proposal may be attested.
 */
export function findOpenGaps(parentSlot: number, slot: number, now: number, hasCertificate: (q: number) => boolean, escape = SKIP_ESCAPE_SLOTS): number[] {
  const out: number[] = [];
  for (let q = Math.max(parentSlot + 1, now - escape + 1, 0); q < slot; q++) if (!hasCertificate(q)) out.push(q);
  return out;
}
