/**
 * Committee signatures as a light client checks them: the ≥ 2/3 rule against a derived committee
 * (`checkCommitteeSignature`), and the aggregate signatures of many proofs checked together
 * (`verifyDeferred`): the cheap checks (membership, duplicates, stake) run at once, in proof
 * order; the pairings of a whole batch of proofs wait and run in one call when the verifier can
 * (`BatchSignatureVerifier.verifyAggregateSets`: one final exponentiation for all of them).
 */
import type { AggregateSet, BatchSignatureVerifier, SignatureVerifier } from "../../../crypto/bls.js";
import { getWeight, isSupermajority, type AttestationFault, type PublicValidator } from "../../../chain/index.js";

/**
 * The single ≥ 2/3 rule (`src/chain/attestation.ts`) as a light client applies it to a derived
 * committee: every signer a member, once; the unslashed signers hold ≥ 2/3 of the unslashed
 * members' stake; the aggregate verifies under every signer's key. (A member slashed after it
 * signed still contributes its key to the aggregate but no weight, as the chain counts it.)
 */
export function checkCommitteeSignature(
  verify: (pubkeys: readonly Uint8Array[]) => boolean,
  members: readonly PublicValidator[],
  slashed: ReadonlySet<number>,
  signers: readonly number[],
): { fault: AttestationFault; signer?: number } | undefined {
  const byIndex = new Map(members.map((v) => [v.index, v]));
  const seen = new Set<number>();
  const pubkeys: Uint8Array[] = [];
  let weight = 0;
  for (const i of signers) {
    const v = byIndex.get(i);
    if (v === undefined) return { fault: "UNKNOWN_SIGNER", signer: i };
    if (seen.has(i)) return { fault: "DUPLICATE_SIGNER", signer: i };
    seen.add(i);
    pubkeys.push(v.key.pubkey);
    if (!slashed.has(i)) weight += v.stake;
  }
  const total = getWeight(members.filter((v) => !slashed.has(v.index)));
  if (total === 0 || !isSupermajority(weight, total)) return { fault: "NO_SUPERMAJORITY" };
  if (!verify(pubkeys)) return { fault: "BAD_SIGNATURE" };
  return undefined;
}

export const FAULT_TEXT: Record<AttestationFault, string> = {
  UNKNOWN_SIGNER: "is not a member of the committee derived from the anchor",
  DUPLICATE_SIGNER: "is listed twice",
  NO_SUPERMAJORITY: "signers hold less than 2/3 of the derived committee's stake",
  BAD_SIGNATURE: "the aggregate signature does not verify under the derived committee's keys",
};

/** An aggregate signature whose cheap checks passed, its pairing not yet done. */
export interface DeferredSignature {
  /** Position, in its batch, of the first proof that needs it (errors are reported in proof order). */
  readonly proof: number;
  /** When it was queued among the batch's deferred checks (the first failure is reported). */
  readonly order: number;
  /** What was signed, for the error ("Stage-2 block 7", "batch of committee 2"). */
  readonly what: string;
  /** (signing root, signers, signature): remembered once verified. */
  readonly key: string;
  readonly set: AggregateSet;
  /** The cache entries that relied on it, forgotten (marked dead) should it not verify. */
  evict: { dead?: boolean }[];
  ok?: boolean;
}

/**
 * Sets `ok` on every deferred signature: all at once through `verifyAggregateSets` when the
 * verifier has it and there are several; when that fails (or the verifier has no batch method),
 * one by one, so the bad ones are known.
 */
export function verifyDeferred(verifier: SignatureVerifier, list: readonly DeferredSignature[]): void {
  const batch = (verifier as Partial<BatchSignatureVerifier>).verifyAggregateSets;
  if (list.length > 1 && typeof batch === "function" && batch.call(verifier, list.map((d) => d.set))) {
    for (const d of list) d.ok = true;
    return;
  }
  for (const d of list) d.ok = verifier.verifyAggregate(d.set.pubkeys, d.set.msg, d.set.signature);
}
