/**
 * The two-stage chain's containers (DESIGN §2), as SSZ types so that every root is a standard
 * hash_tree_root. Reading order: result leaf → affirmation → affirmation batch → batch inclusion →
 * Stage-2 header.
 */
import "../../crypto/hash.js";
import { ByteListType, ByteVectorType, ContainerType, ListBasicType, ListCompositeType, UintNumberType } from "@chainsafe/ssz";

const Bytes32 = new ByteVectorType(32);
const Uint64 = new UintNumberType(8);

export { StepValue, StepValues, computeValuesRoot } from "../../chain/values.js";

export const OUTCOME_CODES = { committed: 0, aborted: 1 } as const;
export type Stage2Outcome = keyof typeof OUTCOME_CODES;

/**
 * What a committee affirms about one transaction on one contract: its outcome, every step's
 * value (so a light client can check "the contract returned these bytes"), and the contract's
 * root after it (so a range affirmation also affirms every intermediate state).
 */
export const ResultLeaf = new ContainerType({
  seq: Uint64,
  txId: Bytes32,
  outcome: new UintNumberType(1),
  valuesRoot: Bytes32,
  postRoot: Bytes32,
});
export type ResultLeafValue = {
  seq: number;
  txId: Uint8Array;
  outcome: number;
  valuesRoot: Uint8Array;
  postRoot: Uint8Array;
};

const ContractIdBytes = new ByteListType(64);

/** Most assumed roots one affirmation may name; most affirmations one batch may hold. */
export const MAX_ASSUMPTIONS = 1 << 20;
export const MAX_AFFIRMATIONS = 1 << 16;

/** A pre-root a conditional affirmation rests on: `contract`'s state `position` (after that many of its transactions) has root `root`. */
export const Assumption = new ContainerType({ contract: ContractIdBytes, position: Uint64, root: Bytes32 });
export type AssumptionValue = { contract: Uint8Array; position: number; root: Uint8Array };

/**
 * Contract `contract`, transactions `first..last` (global sequence numbers), pre-root, post-root,
 * results root, and the roots of other contracts' states it assumed (empty when every state it
 * read was affirmed when it was signed).
 */
export const Affirmation = new ContainerType({
  contract: ContractIdBytes,
  first: Uint64,
  last: Uint64,
  preRoot: Bytes32,
  postRoot: Bytes32,
  resultsRoot: Bytes32,
  assumptions: new ListCompositeType(Assumption, MAX_ASSUMPTIONS),
});
export type AffirmationValue = {
  contract: Uint8Array;
  first: number;
  last: number;
  preRoot: Uint8Array;
  postRoot: Uint8Array;
  resultsRoot: Uint8Array;
  assumptions: AssumptionValue[];
};

/** All affirmations a committee signs for one Stage-2 round: members sign its root once. */
export const BatchHeader = new ContainerType({ committee: Uint64, round: Uint64, gasUsed: Uint64, executions: Uint64, affirmationsRoot: Bytes32 });
/** `gasUsed`, `executions`: the committee's work in the batch's round, checked against its budget (`budget.ts`). */
export type BatchHeaderValue = { committee: number; round: number; gasUsed: number; executions: number; affirmationsRoot: Uint8Array };

/** A batch as a Stage-2 block includes it: the batch root and which of its affirmations the block applied. */
export const BatchInclusion = new ContainerType({ batchRoot: Bytes32, applied: new ListBasicType(Uint64, MAX_AFFIRMATIONS) });
export type BatchInclusionValue = { batchRoot: Uint8Array; applied: number[] };

export const EVIDENCE_KINDS = { signed: 0, fraud: 1 } as const;

/**
 * Evidence a Stage-2 block includes. `signed`: a signed, not finalized affirmation with a wrong
 * post-root (one conflicting with the finalized one, or a committee majority's claim still
 * waiting); `fraud`: a finalized affirmation disproved. Either way the result leaf at `position`
 * was re-executed from witnesses (`proofRoot` = sha256 of the proof bytes) and `claimedLeaf` ≠
 * `recomputedLeaf`; `signers` are those it slashed.
 */
export const Evidence = new ContainerType({
  kind: new UintNumberType(1),
  contract: ContractIdBytes,
  position: Uint64,
  batchRoot: Bytes32,
  claimedLeaf: Bytes32,
  recomputedLeaf: Bytes32,
  proofRoot: Bytes32,
  signers: new ListBasicType(Uint64, 1 << 20),
});
export type EvidenceValue = {
  kind: number;
  contract: Uint8Array;
  position: number;
  batchRoot: Uint8Array;
  claimedLeaf: Uint8Array;
  recomputedLeaf: Uint8Array;
  proofRoot: Uint8Array;
  signers: number[];
};

export const Stage2Header = new ContainerType({ number: Uint64, slot: Uint64, parentRoot: Bytes32, batchesRoot: Bytes32, evidenceRoot: Bytes32 });
export type Stage2HeaderValue = { number: number; slot: number; parentRoot: Uint8Array; batchesRoot: Uint8Array; evidenceRoot: Uint8Array };

export const Stage1Header = new ContainerType({ slot: Uint64, proposer: Uint64, parentRoot: Bytes32, txsRoot: Bytes32, firstSeq: Uint64 });
export type Stage1HeaderValue = { slot: number; proposer: number; parentRoot: Uint8Array; txsRoot: Uint8Array; firstSeq: number };

const enc = new TextEncoder();
export function encodeContractId(id: string): Uint8Array {
  return enc.encode(id);
}

const dec = new TextDecoder();
export function decodeContractId(bytes: Uint8Array): string {
  return dec.decode(bytes);
}

/** Domain-separated signing roots. */
export const DOMAIN_AFFIRMATION = "xshard:affirmation-batch:";
export const DOMAIN_STAGE1 = "xshard:stage1:";
export const DOMAIN_STAGE2 = "xshard:stage2:";
