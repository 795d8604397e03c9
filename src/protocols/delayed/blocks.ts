/**
 * The two-stage chain's Stage-2 block contents as they travel (DESIGN §2): affirmation batches with
 * what they carry beside the signed containers, block inclusions, evidence a full node found, and
 * what verifying a block needs (`Stage2Context`).
 */
import type { Attestation, AttestationFault, Validator } from "../../chain/index.js";
import type { SignatureVerifier } from "../../crypto/bls.js";
import type { ContractId } from "../../types.js";
import type { AffirmationValue, BatchHeaderValue, EVIDENCE_KINDS, ResultLeafValue, Stage2HeaderValue } from "./containers.js";
import type { Runtime } from "../../runtime/index.js";
import type { OneStepProof, ProvenEvidenceValue } from "./faults.js";
import type { CandidateAffirmation } from "./rules.js";

/** A successor a transaction created, as its creating committee reports it beside the leaf. */
export interface CreatedRef {
  readonly id: ContractId;
  readonly codeHash: string;
  readonly root: Uint8Array;
}

/**
 * An affirmation as a batch carries it: the signed container's fields in position form, plus what
 * travels beside it — each transaction's result leaf, whether the contract has ended after it, and
 * the successors it created (not committed by the state root; DESIGN simplifications).
 */
export interface AffirmationClaim extends CandidateAffirmation {
  readonly leafValues: readonly ResultLeafValue[];
  readonly ended: readonly boolean[];
  readonly created: readonly (readonly CreatedRef[])[];
}

/** All affirmations one committee signed for one round. */
export interface Batch {
  readonly header: BatchHeaderValue;
  readonly root: Uint8Array;
  readonly affirmations: AffirmationValue[];
  readonly affirmationRoots: Uint8Array[];
  /** Per affirmation: the leaf roots of its transactions (its results root commits them). */
  readonly leaves: Uint8Array[][];
  readonly candidates: AffirmationClaim[];
  readonly attestation: Attestation;
  /** The committee when it signed (for light-client proofs). */
  readonly members: readonly Validator[];
}

export interface Stage2Inclusion {
  readonly batch: Batch;
  /** Indices of the batch's affirmations the block applies, ascending. */
  readonly applied: number[];
  readonly root: Uint8Array;
}

export interface Stage2Block {
  readonly header: Stage2HeaderValue;
  readonly inclusions: readonly Stage2Inclusion[];
  /** Each record with the proof that lets every node check it (`processEvidence`). */
  readonly evidence: readonly ProvenEvidenceValue[];
}

export interface SignedStage2Block extends Stage2Block {
  readonly root: Uint8Array;
  readonly attestation: Attestation;
  readonly attesters: readonly Validator[];
}

/** Evidence a full node found: a wrong leaf, its proof's root, and the batch that signed it. */
export interface Dispute {
  readonly kind: keyof typeof EVIDENCE_KINDS;
  readonly contract: ContractId;
  readonly position: number;
  readonly batch: Batch;
  /** Index of the disputed affirmation in `batch`. */
  readonly index: number;
  /** The one-step proof of the recomputed leaf (its witnesses are what `proofRoot` commits). */
  readonly proof: OneStepProof;
  /** The disputed post-root (root of state `position + 1`) and leaf. */
  readonly postRoot: Uint8Array;
  readonly claimedLeaf: Uint8Array;
  readonly recomputedLeaf: Uint8Array;
  readonly proofRoot: Uint8Array;
}

export interface Stage2Context {
  readonly verifier: SignatureVerifier;
  /** Re-executes the one transaction of a fraud proof (`processEvidence`); a block with evidence needs it. */
  readonly runtime?: Runtime;
  readonly verifySignatures?: boolean;
  /** false: a proposal not yet attested — its attesters check every other rule (batch aggregates included) before they sign (default true). */
  readonly verifyAttestation?: boolean;
  /** Recompute every batch's, affirmation's and leaf's root (default true). */
  readonly verifyRoots?: boolean;
  /** Verdicts on batches already checked (a batch waits in several blocks). */
  readonly cache?: WeakMap<Batch, AttestationFault | "ok">;
}


/** A batch a committee signed, and whether it is a faulty minority's variant (its roots are nobody's state). */
export interface SignedBatch {
  readonly batch: Batch;
  readonly variant: boolean;
}
