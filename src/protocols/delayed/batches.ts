/**
 * Affirmation batches (DESIGN §2): what a committee signs each Stage-2 round — per contract it
 * follows, one affirmation per run of transactions without assumed roots and one per transaction
 * with them (`contract, first..last, preRoot, postRoot, resultsRoot, assumptions`), every member
 * signing the batch root once (BLS, aggregated). Its behaviour decides who signs what.
 */
import { collectAttestation, getWeight, isSupermajority, type Validator } from "../../chain/index.js";
import type { SignatureVerifier } from "../../crypto/bls.js";
import { commitList, MerkleKV } from "../../state/index.js";
import type { ContractId, WriteSet } from "../../types.js";
import type { CommitteeBehaviour } from "./behaviour.js";
import type { AffirmationClaim, Batch, CreatedRef, SignedBatch } from "./blocks.js";
import { ResultLeaf, computeAffirmationRoots, computeBatchHeaderRoot, computeListRoots, encodeContractId, type AffirmationValue, type BatchHeaderValue, type ResultLeafValue } from "./containers.js";
import type { DelayedObserver } from "./observer.js";
import type { AssumedRoot } from "./rules.js";
import { computeBatchSigningRoot } from "./stage2.js";
import { getContract, getLogItem, type DelayedState } from "./state.js";

/** What batch building reads of the committees' local views (`CommitteeViews`). */
export interface BatchSource {
  readonly chain: DelayedState;
  readonly followed: readonly (readonly ContractId[])[];
  frontier(id: ContractId): { producedIdx: number; readonly localIdx: number; readonly roots: readonly Uint8Array[]; readonly leaves: readonly ResultLeafValue[]; readonly leafRoots: readonly Uint8Array[]; readonly assumed: readonly (readonly AssumedRoot[])[] };
  getSnap(id: ContractId, pos: number): { readonly kv: MerkleKV; readonly ended: boolean };
  local(seq: number): { readonly results: ReadonlyMap<number, { readonly created: readonly { id: ContractId; codeHash: string; writes: WriteSet }[] }> };
}

/** What a committee did in a round: the gas and executions its batch reports (`budget.ts`). */
export interface RoundWork {
  readonly gasUsed: number;
  readonly executions: number;
}

/**
 * Committee `k` signs what it executed since its last batch: per contract, one affirmation per
 * run of transactions without assumed roots and one per transaction with them. An honest batch is
 * signed by its honest members; with a faulty minority, the faulty members sign a variant with
 * wrong post-roots instead; with a faulty majority (whose state is already wrong) only they sign,
 * and the honest members refuse. Every committee calls this once per round, in committee order.
 * The batch header carries the round's `work`, which the chain checks against the budget.
 */
export function produceBatches(v: BatchSource, k: number, round: number, slot: number, work: RoundWork, behaviour: CommitteeBehaviour, verifier: SignatureVerifier, observer: DelayedObserver): SignedBatch[] {
  const members = v.chain.committees[k] as Validator[];
  if (members.length === 0) return [];
  const ranges: { id: ContractId; from: number; to: number }[] = [];
  const produced: { producedIdx: number; readonly localIdx: number }[] = [];
  for (const id of v.followed[k] as ContractId[]) {
    const f = v.frontier(id);
    produced.push(f);
    // A transaction that assumed roots gets an affirmation of its own: one root that never comes
    // then holds up only what follows it, not the whole range (runs without assumptions stay whole).
    let from = f.producedIdx;
    for (let i = f.producedIdx; i < f.localIdx; i++) {
      if ((f.assumed[i] ?? []).length === 0) continue;
      if (from < i) ranges.push({ id, from, to: i });
      ranges.push({ id, from: i, to: i + 1 });
      from = i + 1;
    }
    if (from < f.localIdx) ranges.push({ id, from, to: f.localIdx });
  }
  if (ranges.length === 0) {
    for (const f of produced) f.producedIdx = f.localIdx;
    return [];
  }
  const signing = behaviour.isSigning ? members.filter((m) => (behaviour.isSigning as NonNullable<CommitteeBehaviour["isSigning"]>)(m, slot)) : members;
  const faulty = behaviour.getFaulty(k, slot, members).filter((m) => signing.includes(m));
  const corrupting = behaviour.isCorrupting(k, slot, members);
  const honest = signing.filter((v) => !faulty.includes(v));
  const signers = corrupting ? faulty : honest;
  // Members that do not sign (offline) leave the batch below 2/3: nothing is signed, the work waits.
  if (signing.length < members.length && !isSupermajority(getWeight(signers), getWeight(members))) return [];
  for (const f of produced) f.producedIdx = f.localIdx;
  const out = [{ batch: signBatch(v, k, round, work, ranges, signers, false, behaviour, verifier, observer, slot), variant: false }];
  if (faulty.length > 0 && !corrupting) out.push({ batch: signBatch(v, k, round, work, ranges, faulty, true, behaviour, verifier, observer, slot), variant: true });
  return out;
}

function signBatch(v: BatchSource, k: number, round: number, work: RoundWork, ranges: readonly { id: ContractId; from: number; to: number }[], signers: readonly Validator[], wrong: boolean, behaviour: CommitteeBehaviour, verifier: SignatureVerifier, observer: DelayedObserver, slot: number): Batch {
  const built = ranges.map(({ id, from, to }) => buildAffirmation(v, id, from, to, wrong, behaviour));
  // Every affirmation's results root, then the list of their roots: each kind hashed together.
  const resultsRoots = computeListRoots(built.map((b) => b.leaves));
  const affirmations = built.map((b, i) => b.affirmation(resultsRoots[i] ?? commitList(b.leaves).root));
  const affirmationRoots = computeAffirmationRoots(affirmations);
  const header: BatchHeaderValue = { committee: k, round, gasUsed: work.gasUsed, executions: work.executions, affirmationsRoot: computeListRoots([affirmationRoots])[0] ?? commitList(affirmationRoots).root };
  const root = computeBatchHeaderRoot(header);
  const attestation = collectAttestation(verifier, signers, computeBatchSigningRoot(v.chain, root));
  observer.count("signatures", signers.length);
  observer.onSignatures?.(slot, signers.length, 0);
  return {
    header,
    root,
    affirmations,
    affirmationRoots,
    leaves: built.map((b) => b.leaves),
    candidates: built.map((b) => b.candidate),
    attestation,
    members: [...(v.chain.committees[k] as Validator[])],
  };
}

/**
 * The affirmation of transactions `from..to-1` of `id` (the faulty minority's variant if `wrong`),
 * with the roots they assumed; `affirmation` given the root of `leaves` (`commitList(leaves).root`).
 */
function buildAffirmation(v: BatchSource, id: ContractId, from: number, to: number, wrong: boolean, behaviour: CommitteeBehaviour): { affirmation: (resultsRoot: Uint8Array) => AffirmationValue; candidate: AffirmationClaim; leaves: Uint8Array[] } {
  const f = v.frontier(id);
  const postRoots: Uint8Array[] = [];
  const leaves: Uint8Array[] = [];
  const leafValues: ResultLeafValue[] = [];
  const ended: boolean[] = [];
  const created: CreatedRef[][] = [];
  const assumed = new Map<string, AssumedRoot>();
  const committee = getContract(v.chain, id).committee;
  for (let i = from; i < to; i++) {
    const leaf = wrong ? computeWrongStep(v, id, i, behaviour) : (f.leaves[i] as ResultLeafValue);
    postRoots.push(leaf.postRoot);
    leafValues.push(leaf);
    leaves.push(wrong ? ResultLeaf.hashTreeRoot(leaf) : (f.leafRoots[i] as Uint8Array));
    ended.push(v.getSnap(id, i + 1).ended);
    const r = v.local(getLogItem(getContract(v.chain, id).queue, i)).results.get(committee);
    created.push((r?.created ?? []).map((c) => ({ id: c.id, codeHash: c.codeHash, root: MerkleKV.empty().applyWrites(c.writes).root() })));
    for (const a of f.assumed[i] ?? []) assumed.set(`${a.contract}\u0000${a.position}`, a);
  }
  const assumptions = [...assumed.values()].sort((a, b) => (a.contract < b.contract ? -1 : a.contract > b.contract ? 1 : a.position - b.position));
  const preRoot = f.roots[from] as Uint8Array;
  const queue = getContract(v.chain, id).queue;
  return {
    affirmation: (resultsRoot) => ({
      contract: encodeContractId(id),
      first: getLogItem(queue, from),
      last: getLogItem(queue, to - 1),
      preRoot,
      postRoot: postRoots[postRoots.length - 1] as Uint8Array,
      resultsRoot,
      assumptions: assumptions.map((a) => ({ contract: encodeContractId(a.contract), position: a.position, root: a.root })),
    }),
    candidate: { contract: id, from, to, preRoot, postRoots, assumptions, leafValues, ended, created },
    leaves,
  };
}

/** What a faulty minority signs for queue[i] of `id`: the committee's post-state as its behaviour corrupts it — a real state, a wrong root. */
function computeWrongStep(v: BatchSource, id: ContractId, i: number, behaviour: CommitteeBehaviour): ResultLeafValue {
  const honest = v.frontier(id).leaves[i] as ResultLeafValue;
  const postRoot = behaviour.corruptVariant(v.getSnap(id, i + 1).kv).root();
  return { ...honest, postRoot };
}

