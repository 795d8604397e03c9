/**
 * Evidence on the Stage-2 chain (DESIGN §2 "Faults"): a wrong leaf a full node proved, included in
 * the next block. `signed` evidence slashes the signers of a wrong claim; `fraud` evidence also
 * rolls a finalized root back with its dependency cone. Pure transitions on the agreed state.
 */
import { computeSigningRoot, type Validator } from "../../chain/index.js";
import type { SignatureVerifier } from "../../crypto/bls.js";
import { bytesEqual } from "../../crypto/hash.js";
import { isXshardError, XshardError } from "../../errors.js";
import type { Runtime } from "../../runtime/index.js";
import { commitList } from "../../state/index.js";
import type { ContractId } from "../../types.js";
import type { AffirmationClaim, Dispute } from "./blocks.js";
import { Affirmation, BatchHeader, DOMAIN_AFFIRMATION, EVIDENCE_KINDS, ResultLeaf, decodeContractId, encodeContractId, type AffirmationValue, type EvidenceValue, type ResultLeafValue } from "./containers.js";
import { computeProofRoot, decodeWitnesses, encodeWitnesses, verifyOneStepProof, type ProvenEvidenceValue } from "./faults.js";
import { getStakeAccount, TREASURY_ACCOUNT } from "./genesis.js";
import { computeCone } from "./rules.js";
import { getAffirmedIdx, getContract, getLogItem, getTx, truncateLog, type ContractRecord, type DelayedState } from "./state.js";

export interface EvidenceEffect {
  readonly evidence: EvidenceValue;
  readonly rolledBack?: ReadonlyMap<ContractId, number>;
  readonly slashed: readonly number[];
}

function fail(code: string, message: string, data: Record<string, unknown> = {}): never {
  throw new XshardError(code, `Stage-2 block: ${message}`, data);
}

/** Validators of `indices` not slashed yet, each once, ascending. */
export function computeFreshSigners(s: DelayedState, indices: readonly number[]): number[] {
  return [...new Set(indices)].filter((i) => !s.slashed.has(i)).sort((a, b) => a - b);
}

/** The evidence a proposer includes for a dispute, with its proof, or undefined when it no longer applies. */
export function buildEvidence(s: DelayedState, d: Dispute): ProvenEvidenceValue | undefined {
  const rec = getContract(s, d.contract);
  // A fraud proof against a root an earlier rollback already removed is void.
  if (d.kind === "fraud" && (d.position >= getAffirmedIdx(rec) || !bytesEqual(getLogItem(rec.chainRoots, d.position + 1), d.postRoot))) return undefined;
  const signers = computeFreshSigners(s, d.batch.attestation.signers);
  if (d.kind === "signed" && signers.length === 0) return undefined;
  const cand = d.batch.candidates[d.index] as AffirmationClaim;
  const j = d.position - cand.from;
  return {
    kind: EVIDENCE_KINDS[d.kind],
    contract: encodeContractId(d.contract),
    position: d.position,
    batchRoot: d.batch.root,
    claimedLeaf: d.claimedLeaf,
    recomputedLeaf: d.recomputedLeaf,
    proofRoot: d.proofRoot,
    signers,
    proof: {
      batchHeader: d.batch.header,
      batchSigners: [...d.batch.attestation.signers],
      batchSignature: d.batch.attestation.signature,
      affirmationIndex: d.index,
      affirmation: d.batch.affirmations[d.index] as AffirmationValue,
      affirmationRoots: d.batch.affirmationRoots,
      leaves: d.batch.leaves[d.index] as Uint8Array[],
      claimed: cand.leafValues[j] as ResultLeafValue,
      previous: j > 0 ? [cand.leafValues[j - 1] as ResultLeafValue] : [],
      witnesses: encodeWitnesses(d.proof),
    },
  };
}

/**
 * Slashes validators: stake moves from their stake account to the treasury (value conserved);
 * they leave every committee and the proposer rule.
 */
export function processSlashing(s: DelayedState, fresh: readonly number[]): DelayedState {
  if (fresh.length === 0) return s;
  const balances = new Map(s.beacon.balances);
  const slashed = new Set(s.slashed);
  for (const i of fresh) {
    const account = getStakeAccount(s.validators[i] as Validator);
    const stake = balances.get(account) ?? 0n;
    balances.set(account, 0n);
    balances.set(TREASURY_ACCOUNT, (balances.get(TREASURY_ACCOUNT) ?? 0n) + stake);
    slashed.add(i);
  }
  const committees = s.committees.map((c) => c.filter((v) => !slashed.has(v.index)));
  return { ...s, beacon: { balances, nonces: s.beacon.nonces }, slashed, committees };
}

/**
 * A disproved root: state `position + 1` of `contract` was wrong. Every affirmed transaction that
 * read a state derived from it (`computeCone` over affirmed transactions; successors they created
 * included) loses its affirmations: each touched contract's affirmed chain goes back to its first
 * bad position, and dropped contracts come back.
 */
export function processFraudRollback(s: DelayedState, contract: ContractId, position: number): { state: DelayedState; firstBad: Map<ContractId, number> } {
  const createdBy = new Map<number, ContractId[]>();
  for (const r of s.contracts.values()) if (r.creator !== undefined) (createdBy.get(r.creator) ?? createdBy.set(r.creator, []).get(r.creator))?.push(r.id);
  const { firstBad, txs } = computeCone(contract, position, (d) => {
    const rec = getContract(s, d);
    const out = [];
    for (let i = 0; i < rec.queue.length; i++) {
      const t = getTx(s, getLogItem(rec.queue, i));
      const executed = [...t.positions].some(([e, p]) => p < getAffirmedIdx(getContract(s, e)));
      const positions = new Map(t.positions);
      if (executed) for (const id of createdBy.get(t.seq) ?? []) positions.set(id, 0);
      out.push({ seq: t.seq, positions, executed });
    }
    return out;
  });
  const contracts = new Map(s.contracts);
  for (const seq of txs) {
    for (const id of createdBy.get(seq) ?? []) contracts.set(id, { ...(contracts.get(id) as ContractRecord), awaitingCreator: true });
  }
  for (const [d, first] of firstBad) {
    const rec = contracts.get(d) as ContractRecord;
    const keep = Math.min(getAffirmedIdx(rec), first) + 1;
    contracts.set(d, { ...rec, chainRoots: truncateLog(rec.chainRoots, keep), endedAt: truncateLog(rec.endedAt, keep), dropped: false });
  }
  return { state: { ...s, contracts }, firstBad };
}

/** What checking evidence needs: signatures, and the runtime that re-executes its one transaction. */
export interface EvidenceContext {
  readonly verifier: SignatureVerifier;
  readonly runtime?: Runtime | undefined;
  readonly verifySignatures?: boolean | undefined;
}

/**
 * Checks one evidence item against the chain and applies it (rollback for fraud, then slashing).
 * Evidence is accepted only if it proves what it claims from what the verifier already trusts
 * (`checkEvidenceProof`). Error codes: BAD_EVIDENCE, STALE_EVIDENCE, and the proof's
 * EVIDENCE_* codes (each with `data.reason`).
 */
export function processEvidence(s: DelayedState, ev: ProvenEvidenceValue, ctx: EvidenceContext): { state: DelayedState; effect: EvidenceEffect } {
  const id = decodeContractId(ev.contract);
  const rec = s.contracts.get(id);
  if (!rec) fail("BAD_EVIDENCE", `evidence names an unknown contract ${id}`, { contract: id });
  if (ev.kind !== EVIDENCE_KINDS.fraud && ev.kind !== EVIDENCE_KINDS.signed) fail("BAD_EVIDENCE", `unknown evidence kind ${ev.kind}`, { kind: ev.kind });
  if (bytesEqual(ev.claimedLeaf, ev.recomputedLeaf)) fail("BAD_EVIDENCE", "claimed and recomputed leaves agree", { contract: id });
  const fresh = computeFreshSigners(s, ev.signers);
  if (fresh.length !== ev.signers.length || ev.signers.some((i) => !s.validators[i])) fail("BAD_EVIDENCE", "evidence slashes a validator twice or one that does not exist", { signers: ev.signers });
  if (ev.kind === EVIDENCE_KINDS.fraud) {
    if (ev.position >= getAffirmedIdx(rec)) fail("STALE_EVIDENCE", `fraud proof against ${id} at ${ev.position}, which is not affirmed`, { contract: id, position: ev.position });
  } else if (fresh.length === 0) fail("BAD_EVIDENCE", "signed evidence that slashes nobody", { contract: id });
  checkEvidenceProof(s, rec, ev, ctx);
  let state = s;
  let rolledBack: Map<ContractId, number> | undefined;
  if (ev.kind === EVIDENCE_KINDS.fraud) {
    const r = processFraudRollback(state, id, ev.position);
    state = r.state;
    rolledBack = r.firstBad;
  }
  state = processSlashing(state, fresh);
  return { state, effect: rolledBack ? { evidence: ev, rolledBack, slashed: fresh } : { evidence: ev, slashed: fresh } };
}

function reject(code: string, reason: string, message: string, data: Record<string, unknown> = {}): never {
  fail(code, `evidence: ${message}`, { reason, ...data });
}

/**
 * The links evidence must prove, each against what the verifier trusts:
 * 1. the disputed batch: its header hashes to `batchRoot` (EVIDENCE_BATCH_MISMATCH), it is the
 *    contract's committee's and every slashed signer is a member of that committee
 *    (EVIDENCE_NOT_COMMITTEE) and signed it (EVIDENCE_NOT_SIGNED), and the aggregate verifies
 *    against the signers' keys on chain (EVIDENCE_BAD_SIGNATURE);
 * 2. the disputed leaf is in it: affirmation roots → header, affirmation → its root, leaf roots →
 *    results root, the leaf at `position` is `claimedLeaf` (EVIDENCE_NOT_COMMITTED); a fraud
 *    proof's leaf is the chain's own root (EVIDENCE_NOT_ON_CHAIN);
 * 3. the one-step proof: its witnesses hash to `proofRoot` (EVIDENCE_PROOF_MISMATCH), cover the
 *    transaction's footprint, each at a root the chain affirmed or the signers signed (their
 *    affirmation's pre-root or earlier post-root, its assumptions) (EVIDENCE_UNTRUSTED_ROOT), and
 *    re-executing the transaction over them gives `recomputedLeaf` (EVIDENCE_NOT_DISPROVED).
 */
export function checkEvidenceProof(s: DelayedState, rec: ContractRecord, ev: ProvenEvidenceValue, ctx: EvidenceContext): void {
  const id = rec.id;
  const p = ev.proof;
  if (!p) reject("EVIDENCE_NOT_COMMITTED", "missing", "evidence carries no proof", { contract: id });
  // 1. The batch and who signed it.
  if (!bytesEqual(BatchHeader.hashTreeRoot(p.batchHeader), ev.batchRoot)) reject("EVIDENCE_BATCH_MISMATCH", "batch-root", "the batch header is not the disputed batch", { contract: id });
  const k = p.batchHeader.committee;
  if (k !== rec.committee) reject("EVIDENCE_NOT_COMMITTEE", "wrong-committee", `the batch is committee ${k}'s, ${id} is followed by committee ${rec.committee}`, { contract: id, committee: k });
  const members = new Set((s.committees[k] ?? []).map((v) => v.index));
  const outsider = ev.signers.find((i) => !members.has(i));
  if (outsider !== undefined) reject("EVIDENCE_NOT_COMMITTEE", "signer-not-member", `validator ${outsider} is not a member of committee ${k}`, { validator: outsider, committee: k });
  const signed = new Set(p.batchSigners);
  const absent = ev.signers.find((i) => !signed.has(i));
  if (absent !== undefined) reject("EVIDENCE_NOT_SIGNED", "signer-not-in-batch", `validator ${absent} did not sign the disputed batch`, { validator: absent });
  if (signed.size !== p.batchSigners.length || p.batchSigners.some((i) => !s.validators[i])) reject("EVIDENCE_BAD_SIGNATURE", "batch-signers", "the batch's signers repeat or do not exist");
  if (ctx.verifySignatures !== false) {
    const keys = p.batchSigners.map((i) => (s.validators[i] as Validator).key.pubkey);
    if (!ctx.verifier.verifyAggregate(keys, computeSigningRoot(DOMAIN_AFFIRMATION, s.genesisRoot, ev.batchRoot), p.batchSignature)) reject("EVIDENCE_BAD_SIGNATURE", "signature", "the batch's aggregate signature does not verify");
  }
  // 2. The disputed leaf is what the batch signed.
  const a = p.affirmation;
  if (!bytesEqual(commitList(p.affirmationRoots).root, p.batchHeader.affirmationsRoot) || !bytesEqual(Affirmation.hashTreeRoot(a), p.affirmationRoots[p.affirmationIndex] ?? new Uint8Array()) || decodeContractId(a.contract) !== id) {
    reject("EVIDENCE_NOT_COMMITTED", "affirmation", "the affirmation is not in the batch or not about the contract", { contract: id });
  }
  const from = a.first < s.txs.length ? getTx(s, a.first).positions.get(id) : undefined;
  const j = from === undefined ? -1 : ev.position - from;
  if (from === undefined || j < 0 || j >= p.leaves.length || ev.position >= rec.queue.length || getLogItem(rec.queue, ev.position) > a.last) reject("EVIDENCE_NOT_COMMITTED", "position", `position ${ev.position} is outside the affirmation`, { contract: id });
  const seq = getLogItem(rec.queue, ev.position);
  if (!bytesEqual(commitList(p.leaves).root, a.resultsRoot) || !bytesEqual(p.leaves[j] as Uint8Array, ev.claimedLeaf) || !bytesEqual(ResultLeaf.hashTreeRoot(p.claimed), ev.claimedLeaf) || p.claimed.seq !== seq) {
    reject("EVIDENCE_NOT_COMMITTED", "leaf", "the claimed leaf is not the affirmation's leaf at that position", { contract: id, position: ev.position });
  }
  const prev = p.previous[0];
  if ((j === 0) !== (prev === undefined) || (prev && !bytesEqual(ResultLeaf.hashTreeRoot(prev), p.leaves[j - 1] as Uint8Array))) reject("EVIDENCE_NOT_COMMITTED", "previous-leaf", "the leaf before the disputed one is not the affirmation's");
  if (ev.kind === EVIDENCE_KINDS.fraud && !bytesEqual(p.claimed.postRoot, getLogItem(rec.chainRoots, ev.position + 1))) reject("EVIDENCE_NOT_ON_CHAIN", "not-affirmed", `the disputed root of ${id} at ${ev.position + 1} is not the chain's`, { contract: id, position: ev.position });
  // 3. The one-step proof, from trusted roots.
  const proof = decodeWitnesses(id, p.witnesses);
  if (!bytesEqual(computeProofRoot(proof), ev.proofRoot)) reject("EVIDENCE_PROOF_MISMATCH", "proof-root", "the witnesses do not hash to the proof root");
  const t = getTx(s, seq);
  const named = new Set(proof.witnesses.map((w) => w.contract));
  if (named.size !== proof.witnesses.length || named.size !== t.positions.size || [...t.positions.keys()].some((d) => !named.has(d))) reject("EVIDENCE_UNTRUSTED_ROOT", "footprint", "the witnesses do not cover the transaction's footprint exactly");
  for (const w of proof.witnesses) {
    const pos = t.positions.get(w.contract) as number;
    const d = getContract(s, w.contract);
    let trusted: Uint8Array | undefined;
    if (w.contract === id) trusted = prev ? prev.postRoot : a.preRoot;
    else if (pos <= getAffirmedIdx(d)) trusted = getLogItem(d.chainRoots, pos);
    else trusted = a.assumptions.find((x) => decodeContractId(x.contract) === w.contract && x.position === pos)?.root;
    if (!trusted || !bytesEqual(trusted, w.root) || w.codeHash !== d.codeHash) reject("EVIDENCE_UNTRUSTED_ROOT", "witness-root", `the witness of ${w.contract} is not at a root the chain or the signers stand by`, { contract: w.contract });
  }
  if (!ctx.runtime) throw new XshardError("NO_RUNTIME", "Stage-2 block: evidence needs a runtime to re-execute its transaction");
  let recomputed: Uint8Array;
  try {
    recomputed = verifyOneStepProof(ctx.runtime, { seq, txId: t.txId, sender: t.stx.tx.sender, gasLimit: t.stx.tx.gasLimit, program: t.stx.tx.program }, proof);
  } catch (e) {
    if (isXshardError(e)) reject("EVIDENCE_NOT_DISPROVED", "witness", `a witness does not verify: ${e.code}`, { cause: e.code });
    throw e;
  }
  if (!bytesEqual(recomputed, ev.recomputedLeaf)) reject("EVIDENCE_NOT_DISPROVED", "recomputed", "re-executing the transaction does not give the recomputed leaf", { contract: id, position: ev.position });
}
