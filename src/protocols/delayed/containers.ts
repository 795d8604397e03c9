/**
 * The two-stage chain's containers (DESIGN §2), as SSZ types so that every root is a standard
 * hash_tree_root. Reading order: result leaf → affirmation → affirmation batch → batch inclusion →
 * Stage-2 header.
 */
import "../../crypto/hash.js";
import { MerkleBatch, putUint64 } from "../../crypto/merkle.js";
import { computeListDepth, MAX_LIST_LENGTH } from "../../state/results.js";
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

/*
 * Roots of the hot containers merkleized directly (`MerkleBatch`, src/crypto/merkle.ts) — the
 * same roots as their SSZ types, which stay the answer for any value not well-formed (a malformed
 * value from outside fails exactly as before). test/protocols/delayed-roots.test.ts compares them.
 */

const rootBatch = new MerkleBatch();
/** Depths: a contract id's chunks, a list of assumptions, an affirmation's seven fields, a list of applied indices (four per chunk). */
const CONTRACT_ID_DEPTH = 1;
const ASSUMPTIONS_DEPTH = Math.ceil(Math.log2(MAX_ASSUMPTIONS));
const APPLIED_DEPTH = Math.ceil(Math.log2(MAX_AFFIRMATIONS / 4));

function isU64Number(x: unknown): boolean {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

/** A 32-byte array (a root, an id). */
export function isRoot(x: unknown): boolean {
  return x instanceof Uint8Array && x.length === 32;
}

function isContractIdBytes(x: unknown): boolean {
  return x instanceof Uint8Array && x.length <= 64;
}

function isAssumptionWellFormed(x: AssumptionValue): boolean {
  return typeof x === "object" && x !== null && isContractIdBytes(x.contract) && isU64Number(x.position) && isRoot(x.root);
}

/** Every field of its SSZ kind and within its limits: what `computeAffirmationRoots` merkleizes itself. */
export function isAffirmationWellFormed(a: AffirmationValue): boolean {
  return (
    isContractIdBytes(a.contract) &&
    isU64Number(a.first) &&
    isU64Number(a.last) &&
    isRoot(a.preRoot) &&
    isRoot(a.postRoot) &&
    isRoot(a.resultsRoot) &&
    Array.isArray(a.assumptions) &&
    a.assumptions.length <= MAX_ASSUMPTIONS &&
    a.assumptions.every(isAssumptionWellFormed)
  );
}

/** Adds the tree of a contract id's ByteList root, written to chunk `root`. */
function addContractIdTree(b: MerkleBatch, id: Uint8Array, root: number): void {
  b.tree(b.allocBytes(id), (id.length + 31) >> 5, CONTRACT_ID_DEPTH, root, id.length);
}

/** Trees of the later runs of `computeAffirmationRoots` (six numbers each): assumptions, assumption lists, affirmations. */
const assumptionTrees: number[] = [];
const listTrees: number[] = [];
const affirmationTrees: number[] = [];


/**
 * `affs.map((a) => Affirmation.hashTreeRoot(a))`, the well-formed ones hashed together in four runs
 * (contract ids, assumptions, assumption lists — twenty levels for any non-empty one —, the
 * affirmations' seven fields).
 */
export function computeAffirmationRoots(affs: readonly AffirmationValue[]): Uint8Array[] {
  const b = rootBatch;
  b.clear();
  const at = new Int32Array(affs.length).fill(-1);
  for (let i = 0; i < affs.length; i++) {
    const a = affs[i] as AffirmationValue;
    if (!isAffirmationWellFormed(a)) continue;
    const f = b.alloc(8); // seven fields, then the root
    at[i] = f + 7;
    addContractIdTree(b, a.contract, f);
    putUint64(b.bytes, (f + 1) * 32, a.first);
    putUint64(b.bytes, (f + 2) * 32, a.last);
    b.setChunk(f + 3, a.preRoot);
    b.setChunk(f + 4, a.postRoot);
    b.setChunk(f + 5, a.resultsRoot);
    const n = a.assumptions.length;
    const list = b.alloc(n);
    for (let k = 0; k < n; k++) {
      const x = a.assumptions[k] as AssumptionValue;
      const g = b.alloc(3);
      addContractIdTree(b, x.contract, g);
      putUint64(b.bytes, (g + 1) * 32, x.position);
      b.setChunk(g + 2, x.root);
      assumptionTrees.push(g, 3, 2, list + k, -1, -1);
    }
    listTrees.push(list, n, ASSUMPTIONS_DEPTH, f + 6, n, -1);
    affirmationTrees.push(f, 7, 3, f + 7, -1, -1);
  }
  b.run();
  b.addTrees(assumptionTrees);
  b.run();
  b.addTrees(listTrees);
  b.run();
  b.addTrees(affirmationTrees);
  b.run();
  return affs.map((a, i) => ((at[i] as number) < 0 ? Affirmation.hashTreeRoot(a) : b.getChunk(at[i] as number)));
}

/**
 * `commitList(list).root` (src/state/results.ts: the leaves to depth ⌈log2 n⌉, the length mixed
 * in) of each list, hashed together in one run; undefined for a list that is not an array of
 * 32-byte leaves (`commitList` gives that one its error).
 */
export function computeListRoots(lists: readonly (readonly Uint8Array[] | undefined)[]): (Uint8Array | undefined)[] {
  const b = rootBatch;
  b.clear();
  const at = new Int32Array(lists.length).fill(-1);
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i];
    if (!Array.isArray(list) || list.length > MAX_LIST_LENGTH || !list.every(isRoot)) continue;
    const n = list.length;
    const first = b.alloc(n + 1); // the leaves, then the root
    for (let k = 0; k < n; k++) b.setChunk(first + k, list[k] as Uint8Array);
    at[i] = first + n;
    b.tree(first, n, computeListDepth(n), first + n, n);
  }
  b.run();
  return lists.map((_, i) => ((at[i] as number) < 0 ? undefined : b.getChunk(at[i] as number)));
}

/** `Affirmation.hashTreeRoot(a)` (`computeAffirmationRoots` of one). */
export function computeAffirmationRoot(a: AffirmationValue): Uint8Array {
  return computeAffirmationRoots([a])[0] as Uint8Array;
}

/** The root of a container of five fields, each a u64 (a safe integer) or a 32-byte root: the caller checked which. */
function computeFiveFieldRoot(f0: number | Uint8Array, f1: number | Uint8Array, f2: number | Uint8Array, f3: number | Uint8Array, f4: number | Uint8Array): Uint8Array {
  const b = rootBatch;
  b.clear();
  const f = b.alloc(6);
  const fields = [f0, f1, f2, f3, f4];
  for (let i = 0; i < 5; i++) {
    const x = fields[i] as number | Uint8Array;
    if (typeof x === "number") putUint64(b.bytes, (f + i) * 32, x);
    else b.setChunk(f + i, x);
  }
  b.tree(f, 5, 3, f + 5);
  b.run();
  return b.getChunk(f + 5);
}

/** `BatchHeader.hashTreeRoot(h)`. */
export function computeBatchHeaderRoot(h: BatchHeaderValue): Uint8Array {
  return (isU64Number(h.committee) && isU64Number(h.round) && isU64Number(h.gasUsed) && isU64Number(h.executions) && isRoot(h.affirmationsRoot) && computeFiveFieldRoot(h.committee, h.round, h.gasUsed, h.executions, h.affirmationsRoot)) || BatchHeader.hashTreeRoot(h);
}

/** `Stage2Header.hashTreeRoot(h)`. */
export function computeStage2HeaderRoot(h: Stage2HeaderValue): Uint8Array {
  return (isU64Number(h.number) && isU64Number(h.slot) && isRoot(h.parentRoot) && isRoot(h.batchesRoot) && isRoot(h.evidenceRoot) && computeFiveFieldRoot(h.number, h.slot, h.parentRoot, h.batchesRoot, h.evidenceRoot)) || Stage2Header.hashTreeRoot(h);
}

/** `BatchInclusion.hashTreeRoot(v)`: the batch root and the applied indices (u64s, four to a chunk). */
export function computeBatchInclusionRoot(v: BatchInclusionValue): Uint8Array {
  const applied = v.applied;
  if (!isRoot(v.batchRoot) || !Array.isArray(applied) || applied.length > MAX_AFFIRMATIONS || !applied.every(isU64Number)) return BatchInclusion.hashTreeRoot(v);
  const b = rootBatch;
  b.clear();
  const f = b.alloc(3);
  b.setChunk(f, v.batchRoot);
  const chunks = (applied.length + 3) >> 2;
  const list = b.alloc(chunks);
  for (let i = 0; i < applied.length; i++) putUint64(b.bytes, list * 32 + i * 8, applied[i] as number);
  b.tree(list, chunks, APPLIED_DEPTH, f + 1, applied.length);
  b.run();
  b.tree(f, 2, 1, f + 2);
  b.run();
  return b.getChunk(f + 2);
}
