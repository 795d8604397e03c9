/**
 * Light-client proofs of a transaction's outcome (DESIGN §2, the seed's "pay me, and prove the
 * contract returned these bytes"): result leaf → results root (in an affirmation) → affirmation
 * batch (signed by the contract's committee) → batch inclusion (which of the batch's affirmations
 * the block applied) → Stage-2 header (attested by the block's Stage-2 committee).
 *
 * A proof carries signer *indices* and signatures, never keys or stakes: the verifier derives both
 * committees from its own trust anchor (see `anchor.ts`, `verify.ts`, docs/protocols/lightclient.md).
 * It names a transaction by its id and Stage-1 sequence number (both in the signed leaf), not by the
 * simulator's submission index, which no chain commits to.
 */
import { toHex } from "../../../crypto/hash.js";
import { commitList } from "../../../state/index.js";
import type { MaybeValue } from "../../../types.js";
import type { Validator } from "../../../chain/index.js";
import { OUTCOME_CODES, decodeContractId, type AffirmationValue, type BatchHeaderValue, type Stage2HeaderValue } from "../containers.js";

export const TX_PROOF_SCHEMA = "xshard.txproof/3" as const;

/** Who signed (validator indices, ascending as the chain lists them) and the aggregate signature. */
export interface SignatureJson {
  signers: number[];
  signature: string;
}

/** A Merkle branch: leaf `index` of a list of `count` leaves. */
export interface BranchJson {
  count: number;
  index: number;
  branch: string[];
}

/** A self-contained, JSON-serialisable proof (hex strings for bytes, no `0x`). */
export interface TxOutcomeProof {
  schema: typeof TX_PROOF_SCHEMA;
  /** The chain the proof claims to be from: must equal the verifier's anchor (which it never takes from here). */
  genesisRoot: string;
  header: { number: number; slot: number; parentRoot: string; batchesRoot: string; evidenceRoot: string };
  headerAttestation: SignatureJson;
  batch: { committee: number; round: number; gasUsed: number; executions: number; affirmationsRoot: string };
  batchAttestation: SignatureJson;
  /** Indices of the batch's affirmations the block applied (part of the batch's inclusion leaf). */
  applied: number[];
  /** The batch inclusion in the header's `batchesRoot`. */
  inclusion: BranchJson;
  affirmation: {
    contract: string;
    first: number;
    last: number;
    preRoot: string;
    postRoot: string;
    resultsRoot: string;
    assumptions: { contract: string; position: number; root: string }[];
  };
  /** The affirmation in the batch's `affirmationsRoot`. */
  affirmationProof: BranchJson;
  leaf: { seq: number; txId: string; outcome: "committed" | "aborted"; postRoot: string };
  /** The leaf in the affirmation's `resultsRoot`. */
  leafProof: BranchJson;
  /** Every step's value (hex), `null` for Nothing. */
  values: (string | null)[];
}

/** What the chain hands over to build a proof (`DelayedChain.getProofMaterial`). */
export interface ProofMaterial {
  txIndex: number;
  contract: string;
  genesisRoot: Uint8Array;
  block: { header: Stage2HeaderValue; inclusionRoots: readonly Uint8Array[]; attestation: { signers: readonly number[]; signature: Uint8Array }; attesters: readonly Validator[] };
  inclusionIndex: number;
  applied: readonly number[];
  batch: {
    header: BatchHeaderValue;
    affirmations: AffirmationValue[];
    affirmationRoots: Uint8Array[];
    leaves: Uint8Array[][];
    attestation: { signers: readonly number[]; signature: Uint8Array };
  };
  affirmationIndex: number;
  leafIndex: number;
  leaf: { seq: number; txId: Uint8Array; outcome: number; postRoot: Uint8Array };
  values: readonly MaybeValue[];
  committee: readonly Validator[];
}

function branch(leaves: readonly Uint8Array[], index: number): BranchJson {
  return { count: leaves.length, index, branch: commitList(leaves).prove(index).map(toHex) };
}

/** Builds the proof of one transaction's outcome from what the chain stored (keys and stakes left out). */
export function createTxOutcomeProof(m: ProofMaterial): TxOutcomeProof {
  const a = m.batch.affirmations[m.affirmationIndex] as AffirmationValue;
  const h = m.block.header;
  return {
    schema: TX_PROOF_SCHEMA,
    genesisRoot: toHex(m.genesisRoot),
    header: { number: h.number, slot: h.slot, parentRoot: toHex(h.parentRoot), batchesRoot: toHex(h.batchesRoot), evidenceRoot: toHex(h.evidenceRoot) },
    headerAttestation: { signers: [...m.block.attestation.signers], signature: toHex(m.block.attestation.signature) },
    batch: { committee: m.batch.header.committee, round: m.batch.header.round, gasUsed: m.batch.header.gasUsed, executions: m.batch.header.executions, affirmationsRoot: toHex(m.batch.header.affirmationsRoot) },
    batchAttestation: { signers: [...m.batch.attestation.signers], signature: toHex(m.batch.attestation.signature) },
    applied: [...m.applied],
    inclusion: branch(m.block.inclusionRoots, m.inclusionIndex),
    affirmation: {
      contract: decodeContractId(a.contract),
      first: a.first,
      last: a.last,
      preRoot: toHex(a.preRoot),
      postRoot: toHex(a.postRoot),
      resultsRoot: toHex(a.resultsRoot),
      assumptions: a.assumptions.map((x) => ({ contract: decodeContractId(x.contract), position: x.position, root: toHex(x.root) })),
    },
    affirmationProof: branch(m.batch.affirmationRoots, m.affirmationIndex),
    leaf: { seq: m.leaf.seq, txId: toHex(m.leaf.txId), outcome: m.leaf.outcome === OUTCOME_CODES.committed ? "committed" : "aborted", postRoot: toHex(m.leaf.postRoot) },
    leafProof: branch(m.batch.leaves[m.affirmationIndex] as Uint8Array[], m.leafIndex),
    values: m.values.map((v) => (v === null ? null : toHex(v.bytes))),
  };
}
