/**
 * Light-client proofs of a transaction's outcome (DESIGN §2; the seed's "pay me, and prove the
 * contract returned these bytes"): result leaf → results root (in an affirmation) → affirmation
 * batch (signed by the contract's committee) → batch inclusion (which of the batch's affirmations
 * the block applied) → Stage-2 header (attested by a slot committee).
 *
 * Trust assumption: like a sync-committee light client, the verifier is given the public keys and
 * stakes of the two committees; it checks both aggregate signatures (≥ 2/3 of the weight) and every
 * Merkle branch. Anchoring those keys in a beacon-state root is left to later work.
 */
import { fromHex, toHex } from "../../crypto/hash.js";
import { computeSigningRoot } from "../../chain/anchor.js";
import type { SignatureVerifier } from "../../crypto/bls.js";
import { XshardError } from "../../errors.js";
import { commitList, verifyListProof } from "../../state/index.js";
import type { MaybeValue } from "../../types.js";
import type { Validator } from "../../sim/validators.js";
import {
  Affirmation,
  BatchHeader,
  BatchInclusion,
  DOMAIN_AFFIRMATION,
  DOMAIN_STAGE2,
  OUTCOME_CODES,
  ResultLeaf,
  Stage2Header,
  computeValuesRoot,
  type AffirmationValue,
  type BatchHeaderValue,
  type Stage2HeaderValue,
} from "./containers.js";

export const TX_PROOF_SCHEMA = "xshard.txproof/2" as const;

interface MemberJson {
  index: number;
  pubkey: string;
  stake: number;
}

/** A self-contained, JSON-serialisable proof (hex strings for bytes). */
export interface TxOutcomeProof {
  schema: typeof TX_PROOF_SCHEMA;
  txIndex: number;
  contract: string;
  /** The chain's genesis root, mixed into every signed message. */
  genesisRoot: string;
  header: { number: number; slot: number; parentRoot: string; batchesRoot: string; evidenceRoot: string };
  headerAttestation: { signers: number[]; signature: string; committee: MemberJson[] };
  batch: { committee: number; round: number; affirmationsRoot: string };
  /** Indices of the batch's affirmations the block applied. */
  applied: number[];
  inclusionCount: number;
  inclusionIndex: number;
  inclusionBranch: string[];
  batchAttestation: { signers: number[]; signature: string; committee: MemberJson[] };
  affirmation: {
    contract: string;
    first: number;
    last: number;
    preRoot: string;
    postRoot: string;
    resultsRoot: string;
    assumptions: { contract: string; position: number; root: string }[];
  };
  affirmationCount: number;
  affirmationIndex: number;
  affirmationBranch: string[];
  leaf: { seq: number; txId: string; outcome: "committed" | "aborted"; postRoot: string };
  leafCount: number;
  leafIndex: number;
  leafBranch: string[];
  /** Every step's value (hex), `null` for Nothing. */
  values: (string | null)[];
}

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

const members = (vs: readonly Validator[]): MemberJson[] => vs.map((v) => ({ index: v.index, pubkey: toHex(v.key.pubkey), stake: v.stake }));

/** Builds the proof of one transaction's outcome from what the chain stored. */
export function createTxOutcomeProof(m: ProofMaterial): TxOutcomeProof {
  const a = m.batch.affirmations[m.affirmationIndex] as AffirmationValue;
  const leaves = m.batch.leaves[m.affirmationIndex] as Uint8Array[];
  return {
    schema: TX_PROOF_SCHEMA,
    txIndex: m.txIndex,
    contract: m.contract,
    genesisRoot: toHex(m.genesisRoot),
    header: {
      number: m.block.header.number,
      slot: m.block.header.slot,
      parentRoot: toHex(m.block.header.parentRoot),
      batchesRoot: toHex(m.block.header.batchesRoot),
      evidenceRoot: toHex(m.block.header.evidenceRoot),
    },
    headerAttestation: { signers: [...m.block.attestation.signers], signature: toHex(m.block.attestation.signature), committee: members(m.block.attesters) },
    batch: { committee: m.batch.header.committee, round: m.batch.header.round, affirmationsRoot: toHex(m.batch.header.affirmationsRoot) },
    applied: [...m.applied],
    inclusionCount: m.block.inclusionRoots.length,
    inclusionIndex: m.inclusionIndex,
    inclusionBranch: commitList(m.block.inclusionRoots).prove(m.inclusionIndex).map(toHex),
    batchAttestation: { signers: [...m.batch.attestation.signers], signature: toHex(m.batch.attestation.signature), committee: members(m.committee) },
    affirmation: {
      contract: new TextDecoder().decode(a.contract),
      first: a.first,
      last: a.last,
      preRoot: toHex(a.preRoot),
      postRoot: toHex(a.postRoot),
      resultsRoot: toHex(a.resultsRoot),
      assumptions: a.assumptions.map((x) => ({ contract: new TextDecoder().decode(x.contract), position: x.position, root: toHex(x.root) })),
    },
    affirmationCount: m.batch.affirmationRoots.length,
    affirmationIndex: m.affirmationIndex,
    affirmationBranch: commitList(m.batch.affirmationRoots).prove(m.affirmationIndex).map(toHex),
    leaf: { seq: m.leaf.seq, txId: toHex(m.leaf.txId), outcome: m.leaf.outcome === OUTCOME_CODES.committed ? "committed" : "aborted", postRoot: toHex(m.leaf.postRoot) },
    leafCount: leaves.length,
    leafIndex: m.leafIndex,
    leafBranch: commitList(leaves).prove(m.leafIndex).map(toHex),
    values: m.values.map((v) => (v === null ? null : toHex(v.bytes))),
  };
}

export interface VerifiedOutcome {
  readonly txId: string;
  readonly outcome: "committed" | "aborted";
  readonly values: readonly (Uint8Array | null)[];
  readonly stage2Block: number;
  readonly slot: number;
}

function fail(code: "BAD_PROOF" | "BAD_SIGNATURE" | "MALFORMED_PROOF", message: string, data: Record<string, unknown> = {}): never {
  throw new XshardError(code, message, data);
}

function hex(x: unknown, what: string): Uint8Array {
  if (typeof x !== "string") fail("MALFORMED_PROOF", `${what} is not a hex string`, { what });
  try {
    return fromHex(x);
  } catch {
    return fail("MALFORMED_PROOF", `${what} is not hex`, { what });
  }
}

function checkAttestation(verifier: SignatureVerifier, att: TxOutcomeProof["headerAttestation"], message: Uint8Array, what: string): void {
  if (!att || !Array.isArray(att.signers) || !Array.isArray(att.committee)) fail("MALFORMED_PROOF", `${what} attestation is malformed`);
  const byIndex = new Map(att.committee.map((m) => [m.index, m]));
  const total = att.committee.reduce((s, m) => s + m.stake, 0);
  let weight = 0;
  const pubkeys: Uint8Array[] = [];
  for (const i of new Set(att.signers)) {
    const m = byIndex.get(i);
    if (!m) fail("BAD_SIGNATURE", `${what}: signer ${i} is not in the committee`, { signer: i });
    weight += m.stake;
    pubkeys.push(hex(m.pubkey, `${what} pubkey`));
  }
  if (3 * weight < 2 * total) fail("BAD_SIGNATURE", `${what}: signers hold less than 2/3 of the committee's weight`, { weight, total });
  if (!verifier.verifyAggregate(pubkeys, message, hex(att.signature, `${what} signature`))) {
    fail("BAD_SIGNATURE", `${what}: aggregate signature does not verify`);
  }
}

function checkBranch(root: Uint8Array, index: number, leaf: Uint8Array, branch: unknown, count: number, what: string): void {
  if (!Array.isArray(branch)) fail("MALFORMED_PROOF", `${what} branch is not a list`);
  if (!verifyListProof(root, index, leaf, branch.map((b, i) => hex(b, `${what} branch[${i}]`)), count)) {
    fail("BAD_PROOF", `${what}: Merkle branch does not lead to the committed root`, { what, index });
  }
}

/**
 * Verifies a proof and returns the outcome and step values it proves. Throws XshardError
 * (MALFORMED_PROOF, BAD_PROOF, BAD_SIGNATURE) — never returns a wrong outcome.
 */
export function verifyTxOutcomeProof(p: TxOutcomeProof, verifier: SignatureVerifier): VerifiedOutcome {
  if (!p || p.schema !== TX_PROOF_SCHEMA) fail("MALFORMED_PROOF", `not a ${TX_PROOF_SCHEMA} proof`);
  try {
    const header = {
      number: p.header.number,
      slot: p.header.slot,
      parentRoot: hex(p.header.parentRoot, "header.parentRoot"),
      batchesRoot: hex(p.header.batchesRoot, "header.batchesRoot"),
      evidenceRoot: hex(p.header.evidenceRoot, "header.evidenceRoot"),
    };
    const headerRoot = Stage2Header.hashTreeRoot(header);
    const genesisRoot = hex(p.genesisRoot, "genesisRoot");
    checkAttestation(verifier, p.headerAttestation, computeSigningRoot(DOMAIN_STAGE2, genesisRoot, headerRoot), "Stage-2 header");

    const batch = { committee: p.batch.committee, round: p.batch.round, affirmationsRoot: hex(p.batch.affirmationsRoot, "batch.affirmationsRoot") };
    const batchRoot = BatchHeader.hashTreeRoot(batch);
    if (!Array.isArray(p.applied) || !p.applied.every((i) => Number.isInteger(i) && i >= 0)) fail("MALFORMED_PROOF", "applied is not a list of indices");
    const inclusionRoot = BatchInclusion.hashTreeRoot({ batchRoot, applied: p.applied });
    checkBranch(header.batchesRoot, p.inclusionIndex, inclusionRoot, p.inclusionBranch, p.inclusionCount, "batch inclusion in header");
    if (!p.applied.includes(p.affirmationIndex)) fail("BAD_PROOF", "the block did not apply this affirmation", { affirmationIndex: p.affirmationIndex });
    checkAttestation(verifier, p.batchAttestation, computeSigningRoot(DOMAIN_AFFIRMATION, genesisRoot, batchRoot), "affirmation batch");

    const aff = {
      contract: new TextEncoder().encode(p.affirmation.contract),
      first: p.affirmation.first,
      last: p.affirmation.last,
      preRoot: hex(p.affirmation.preRoot, "affirmation.preRoot"),
      postRoot: hex(p.affirmation.postRoot, "affirmation.postRoot"),
      resultsRoot: hex(p.affirmation.resultsRoot, "affirmation.resultsRoot"),
      assumptions: (Array.isArray(p.affirmation.assumptions) ? p.affirmation.assumptions : fail("MALFORMED_PROOF", "affirmation.assumptions is not a list")).map((x, i) => ({
        contract: new TextEncoder().encode(x.contract),
        position: x.position,
        root: hex(x.root, `affirmation.assumptions[${i}].root`),
      })),
    };
    checkBranch(batch.affirmationsRoot, p.affirmationIndex, Affirmation.hashTreeRoot(aff), p.affirmationBranch, p.affirmationCount, "affirmation in batch");

    if (!Array.isArray(p.values)) fail("MALFORMED_PROOF", "values is not a list");
    const values = p.values.map((v, i) => (v === null ? null : hex(v, `values[${i}]`)));
    const outcome = p.leaf.outcome;
    if (outcome !== "committed" && outcome !== "aborted") fail("MALFORMED_PROOF", "leaf.outcome must be committed or aborted");
    const leaf = {
      seq: p.leaf.seq,
      txId: hex(p.leaf.txId, "leaf.txId"),
      outcome: OUTCOME_CODES[outcome],
      valuesRoot: computeValuesRoot(values.map((b) => (b === null ? null : { bytes: b }))),
      postRoot: hex(p.leaf.postRoot, "leaf.postRoot"),
    };
    checkBranch(aff.resultsRoot, p.leafIndex, ResultLeaf.hashTreeRoot(leaf), p.leafBranch, p.leafCount, "result in affirmation");
    if (leaf.seq < aff.first || leaf.seq > aff.last) fail("BAD_PROOF", "result's sequence number is outside the affirmation's range");
    return { txId: p.leaf.txId, outcome, values, stage2Block: header.number, slot: header.slot };
  } catch (e) {
    if (e instanceof XshardError) throw e;
    return fail("MALFORMED_PROOF", `malformed proof: ${(e as Error).message}`);
  }
}
