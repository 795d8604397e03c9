/**
 * Stage 2 of the two-stage chain (DESIGN §2): blocks that include committees' affirmation batches
 * and evidence. `buildStage2Block` is what a proposer does (choose, among the batches it holds,
 * the affirmations the chain accepts: `selectAffirmations`); `processStage2Block` is what every
 * node does with any block, its own included — check every root, the attesting slot committee,
 * every batch's aggregate (≥ 2/3 of its committee's current stake), that each contract's applied
 * affirmations continue its affirmed chain and that every assumed root is affirmed in this block
 * or before — then apply evidence (slashing, fraud rollbacks with the dependency cone) and the
 * affirmations (roots, finality, successors, ended contracts dropped). Pure: the state given is
 * never changed; a broken rule is a typed error whose code names it.
 */
import { computeSigningRoot, computeSlotCommittee, startAttestationCheck, withAttestationCheck, computeSuccessorGroup, DOMAIN_STAGE2_COMMITTEE, getWeight, isSupermajority, type AttestationFault, type Validator } from "../../chain/index.js";
import type { AggregateSet, BatchSignatureVerifier } from "../../crypto/bls.js";
import { bytesEqual } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { commitList } from "../../state/index.js";
import type { ContractId } from "../../types.js";
import { computeLoads } from "./assignment.js";
import { computeStage2Budget, isBatchWithinBudget } from "./budget.js";
import type { AffirmationClaim, Batch, SignedStage2Block, Stage2Block, Stage2Context, Stage2Inclusion } from "./blocks.js";
export type { AffirmationClaim, Batch, CreatedRef, Dispute, SignedStage2Block, Stage2Block, Stage2Context, Stage2Inclusion } from "./blocks.js";
export { buildEvidence, processEvidence, type EvidenceEffect } from "./evidence.js";
export { checkBatchRoots, computeAppliedRoots, type AppliedRoots } from "./batchRoots.js";
import { checkBatchRoots, computeAppliedRoots } from "./batchRoots.js";
import { processEvidence, type EvidenceEffect } from "./evidence.js";
import {
  DOMAIN_AFFIRMATION,
  DOMAIN_STAGE2,
  Evidence,
  computeBatchInclusionRoot,
  computeStage2HeaderRoot,
  decodeContractId,
  type AffirmationValue,
  type ResultLeafValue,
  type Stage2HeaderValue,
} from "./containers.js";
import type { ProvenEvidenceValue } from "./faults.js";
import { isAffirmationApplicable, selectAffirmations, type CandidateAffirmation } from "./rules.js";
import { createContractRecord } from "./genesis.js";
import { appendLog, getActiveValidators, getAffirmedIdx, getContract, getLiveAssignment, getLogItem, getTx, isTxFinal, truncateLog, type ContractRecord, type DelayedState } from "./state.js";

/** One affirmation applied by a block, in the block's canonical order. */
export interface AppliedAffirmation {
  readonly inclusion: number;
  readonly affirmation: number;
  readonly batch: Batch;
  readonly claim: AffirmationClaim;
  /** Sequence numbers that became final with it, in queue order. */
  readonly finalized: readonly number[];
}

/** What importing a block did, for the drivers' and committees' reactions. */
export interface Stage2Effects {
  /** Per evidence item: the contracts' first positions rolled back (fraud), the validators slashed. */
  readonly evidence: readonly EvidenceEffect[];
  readonly applied: readonly AppliedAffirmation[];
  /** Successors registered (`fresh`) or given their state 0 again after a rollback. */
  readonly created: readonly { readonly id: ContractId; readonly committee: number; readonly fresh: boolean; readonly creator: number; readonly index: number }[];
  /** Successors named before their creation that turn out never created: they exist as ended, empty contracts. */
  readonly absent: readonly ContractId[];
  readonly dropped: readonly ContractId[];
}

function fail(code: string, message: string, data: Record<string, unknown> = {}): never {
  throw new XshardError(code, `Stage-2 block: ${message}`, data);
}

// ------------------------------------------------------------------ batches

export function computeBatchSigningRoot(s: DelayedState, batchRoot: Uint8Array): Uint8Array {
  return computeSigningRoot(DOMAIN_AFFIRMATION, s.genesisRoot, batchRoot);
}

/**
 * A batch's aggregate is final: its signers hold ≥ 2/3 of the committee's *current* stake (slashed
 * members no longer count) and the aggregate verifies against every signer's key.
 */
export function checkBatchAttestation(s: DelayedState, b: Batch, ctx: Stage2Context): AttestationFault | undefined {
  const signers = new Set(b.attestation.signers);
  const stake = getStakeFault(s, b, signers);
  if (stake !== undefined) return stake;
  let verdict = ctx.cache?.get(b);
  if (verdict === undefined) {
    verdict = getSignerFault(s, b, signers.size) ?? (ctx.verifySignatures === false ? "ok" : undefined);
    if (verdict === undefined) {
      const set = getBatchAggregateSet(s, b);
      verdict = ctx.verifier.verifyAggregate(set.pubkeys, set.msg, set.signature) ? "ok" : "BAD_SIGNATURE";
    }
    ctx.cache?.set(b, verdict);
  }
  return verdict === "ok" ? undefined : verdict;
}

/** The signers (`signers`: the batch's signer list as a set) hold < 2/3 of the committee's current stake, or it has none. */
function getStakeFault(s: DelayedState, b: Batch, signers: ReadonlySet<number>): AttestationFault | undefined {
  const committee = s.committees[b.header.committee];
  if (!committee || committee.length === 0) return "NO_SUPERMAJORITY";
  return isSupermajority(getWeight(committee.filter((v) => signers.has(v.index))), getWeight(committee)) ? undefined : "NO_SUPERMAJORITY";
}

/** A batch's signer list names an unknown validator or one twice (`distinct`: how many different indices it holds). */
function getSignerFault(s: DelayedState, b: Batch, distinct: number): AttestationFault | undefined {
  if (b.attestation.signers.some((i) => !s.validators[i])) return "UNKNOWN_SIGNER";
  return distinct !== b.attestation.signers.length ? "DUPLICATE_SIGNER" : undefined;
}

/** What a batch's aggregate must verify: every signer's key signed the batch's signing root. */
function getBatchAggregateSet(s: DelayedState, b: Batch): AggregateSet {
  const pubkeys = b.attestation.signers.map((i) => (s.validators[i] as Validator).key.pubkey);
  return { pubkeys, msg: computeBatchSigningRoot(s, b.root), signature: b.attestation.signature };
}

/**
 * Checks the aggregates of `batches` not yet in `ctx.cache` together when the verifier can
 * (`verifyAggregateSets`: one final exponentiation for all) and records "ok" for each when they all
 * hold; otherwise records nothing, and `checkBatchAttestation` checks each one alone (so a bad one
 * gets its own verdict). The verdicts are those `checkBatchAttestation` gives: a batch verification
 * that holds means each set holds (see `BatchSignatureVerifier`).
 */
export function prefetchBatchAttestations(s: DelayedState, batches: Iterable<Batch>, ctx: Stage2Context): void {
  const verifySets = (ctx.verifier as Partial<BatchSignatureVerifier>).verifyAggregateSets;
  const cache = ctx.cache;
  if (!verifySets || !cache || ctx.verifySignatures === false) return;
  const todo = new Map<Batch, AggregateSet>();
  for (const b of batches) {
    if (todo.has(b) || cache.has(b)) continue;
    const signers = new Set(b.attestation.signers);
    if ((getStakeFault(s, b, signers) ?? getSignerFault(s, b, signers.size)) !== undefined) continue;
    todo.set(b, getBatchAggregateSet(s, b));
  }
  if (todo.size < 2 || !verifySets.call(ctx.verifier, [...todo.values()])) return;
  for (const b of todo.keys()) cache.set(b, "ok");
}

/**
 * A batch's round stayed within its committee's budget (`budget.ts`): the gas it reports is at most
 * ⌊slotGas / stage2PerSlot⌋, or the round ran a single execution. Only the committee can know its
 * gas (a full node re-executing the batch could dispute it); the chain checks the reported figure.
 */
export function checkBatchBudget(s: DelayedState, b: Batch): "OVER_BUDGET" | undefined {
  return isBatchWithinBudget(b.header.gasUsed, b.header.executions, computeStage2Budget(s.params)) ? undefined : "OVER_BUDGET";
}

/** The affirmation says what its claim says: contract, first and last transactions, pre-, post- and assumed roots. */
function isClaimOfAffirmation(s: DelayedState, a: AffirmationValue, c: AffirmationClaim): boolean {
  const rec = s.contracts.get(c.contract);
  if (!rec || decodeContractId(a.contract) !== c.contract || c.to <= c.from || c.to > rec.queue.length || c.postRoots.length !== c.to - c.from) return false;
  if (a.first !== getLogItem(rec.queue, c.from) || a.last !== getLogItem(rec.queue, c.to - 1)) return false;
  for (let j = 0; j < c.leafValues.length; j++) if ((c.leafValues[j] as ResultLeafValue).seq !== getLogItem(rec.queue, c.from + j)) return false;
  if (!bytesEqual(a.preRoot, c.preRoot) || !bytesEqual(a.postRoot, c.postRoots[c.postRoots.length - 1] as Uint8Array)) return false;
  if (a.assumptions.length !== c.assumptions.length) return false;
  return c.assumptions.every((x, j) => {
    const y = a.assumptions[j];
    return y !== undefined && decodeContractId(y.contract) === x.contract && y.position === x.position && bytesEqual(y.root, x.root);
  });
}

// ------------------------------------------------------------------ building

/** A batch's affirmation a proposer holds. */
export interface HeldAffirmation {
  readonly batch: Batch;
  readonly index: number;
}

/**
 * The affirmations a proposer applies (per contract, in chain order): of those it holds, the ones
 * of the contract's committee whose batch is final, chosen by `selectAffirmations`.
 */
export function chooseAffirmations(s: DelayedState, held: ReadonlyMap<ContractId, readonly HeldAffirmation[]>, ctx: Stage2Context): Map<ContractId, HeldAffirmation[]> {
  // Of the contract's own committee and within budget; then their aggregates, checked together first.
  const eligible = new Map<ContractId, HeldAffirmation[]>();
  for (const [c, q] of held) {
    const rec = s.contracts.get(c);
    const inBudget = rec ? q.filter((e) => e.batch.header.committee === rec.committee && checkBatchBudget(s, e.batch) === undefined) : [];
    if (inBudget.length > 0) eligible.set(c, inBudget);
  }
  prefetchBatchAttestations(s, [...eligible.values()].flatMap((q) => q.map((e) => e.batch)), ctx);
  const entries = new Map<ContractId, HeldAffirmation[]>();
  const candidates = new Map<ContractId, CandidateAffirmation[]>();
  // A batch holds one affirmation per contract: with a verdict cache its check is the same each time, so it is made once here.
  const attested = ctx.cache ? new Map<Batch, boolean>() : undefined;
  const isAttested = (b: Batch): boolean => {
    let ok = attested?.get(b);
    if (ok === undefined) {
      ok = checkBatchAttestation(s, b, ctx) === undefined;
      attested?.set(b, ok);
    }
    return ok;
  };
  for (const [c, q] of eligible) {
    const ok = q.filter((e) => isAttested(e.batch));
    if (ok.length === 0) continue;
    entries.set(c, ok);
    candidates.set(c, ok.map((e) => e.batch.candidates[e.index] as CandidateAffirmation));
  }
  const accepted = selectAffirmations(candidates, {
    affirmedIdx: (d) => getAffirmedIdx(getContract(s, d)),
    rootAt: (d, position) => getLogItem(getContract(s, d).chainRoots, position),
  });
  const out = new Map<ContractId, HeldAffirmation[]>();
  for (const [c, run] of accepted) {
    const list = entries.get(c) as HeldAffirmation[];
    out.set(c, run.map((cand) => list.find((e) => e.batch.candidates[e.index] === cand) as HeldAffirmation));
  }
  return out;
}

/** The batches a block includes, in order of first use, each with the indices of the affirmations it applies. */
export function computeInclusions(chosen: ReadonlyMap<ContractId, readonly HeldAffirmation[]>): Stage2Inclusion[] {
  const applied = new Map<Batch, number[]>();
  for (const entries of chosen.values()) {
    for (const e of entries) {
      const list = applied.get(e.batch);
      if (list) list.push(e.index);
      else applied.set(e.batch, [e.index]);
    }
  }
  return [...applied].map(([batch, indices]) => {
    const sorted = indices.sort((a, b) => a - b);
    return { batch, applied: sorted, root: computeBatchInclusionRoot({ batchRoot: batch.root, applied: sorted }) };
  });
}

/**
 * A proposer's Stage-2 block: `afterEvidence` is the state with `evidence` already applied (the
 * committees executed against it); `held` the affirmations it holds.
 */
export function buildStage2Block(afterEvidence: DelayedState, evidence: readonly ProvenEvidenceValue[], held: ReadonlyMap<ContractId, readonly HeldAffirmation[]>, slot: number, number: number, ctx: Stage2Context): Stage2Block {
  const inclusions = computeInclusions(chooseAffirmations(afterEvidence, held, ctx));
  const header: Stage2HeaderValue = {
    number,
    slot,
    parentRoot: afterEvidence.stage2Root,
    batchesRoot: commitList(inclusions.map((i) => i.root)).root,
    evidenceRoot: commitList(evidence.map((e) => Evidence.hashTreeRoot(e))).root,
  };
  return { header, inclusions, evidence };
}

/** The slot committee that attests Stage-2 block `number` (chosen among unslashed validators). */
export function getStage2Committee(s: DelayedState, number: number): Validator[] {
  return computeSlotCommittee(getActiveValidators(s), s.params.seed, number, s.params.committeeSize, DOMAIN_STAGE2_COMMITTEE);
}

export function computeStage2SigningRoot(s: DelayedState, header: Stage2HeaderValue): Uint8Array {
  return computeSigningRoot(DOMAIN_STAGE2, s.genesisRoot, computeStage2HeaderRoot(header));
}

// ------------------------------------------------------------------ verifying and applying

/** A successor's committee, assigned when it is registered: a seeded hash (shuffle), or the least loaded committee (adaptive). */
export function computeSuccessorCommittee(s: DelayedState, id: ContractId): number {
  if (s.params.assignment === "shuffle") return computeSuccessorGroup(s.params.seed, id, s.params.committees);
  const loads = computeLoads(getLiveAssignment(s), s.params.committees);
  return loads.indexOf(Math.min(...loads));
}

/** The applied affirmations in the block's canonical order: contracts by first appearance (inclusions in order, indices ascending), each contract's in chain order. */
function getCanonicalOrder(block: Stage2Block): { inclusion: number; affirmation: number; batch: Batch; claim: AffirmationClaim }[] {
  const byContract = new Map<ContractId, { inclusion: number; affirmation: number; batch: Batch; claim: AffirmationClaim }[]>();
  block.inclusions.forEach((inc, inclusion) => {
    for (const affirmation of inc.applied) {
      const claim = inc.batch.candidates[affirmation];
      if (!claim) fail("BAD_INCLUSION", `inclusion ${inclusion} applies affirmation ${affirmation}, which its batch does not hold`, { inclusion, affirmation });
      const list = byContract.get(claim.contract) ?? byContract.set(claim.contract, []).get(claim.contract);
      list?.push({ inclusion, affirmation, batch: inc.batch, claim });
    }
  });
  return [...byContract.values()].flatMap((list) => list.sort((a, b) => a.claim.from - b.claim.from));
}

/**
 * Verifies a Stage-2 block and applies it. Error codes: BAD_PARENT, BAD_NUMBER (a number not
 * after the parent's), BAD_SLOT (a slot before the parent's), BAD_EVIDENCE_ROOT,
 * BAD_BATCHES_ROOT, BAD_INCLUSION_ROOT, BAD_EVIDENCE, STALE_EVIDENCE, an attestation fault of the
 * header or a batch (UNKNOWN_SIGNER, DUPLICATE_SIGNER, NO_SUPERMAJORITY, BAD_SIGNATURE), BAD_BATCH_ROOT,
 * BAD_AFFIRMATION_ROOT, BAD_RESULTS_ROOT, BAD_AFFIRMATION (it does not say what its claim says),
 * WRONG_COMMITTEE, NOT_CONTINUING (does not continue the contract's affirmed chain),
 * ASSUMPTION_NOT_AFFIRMED, OVER_BUDGET (a batch whose round used more gas than the Stage-2 budget).
 */
export function processStage2Block(pre: DelayedState, block: SignedStage2Block, ctx: Stage2Context): { state: DelayedState; effects: Stage2Effects } {
  const h = block.header;
  if (!bytesEqual(h.parentRoot, pre.stage2Root)) fail("BAD_PARENT", "parent root is not the Stage-2 head", { number: h.number });
  if (!(h.number > pre.stage2Number)) fail("BAD_NUMBER", `number ${h.number} is not after its parent's number ${pre.stage2Number}`, { number: h.number, parentNumber: pre.stage2Number });
  if (!(h.slot >= pre.stage2Slot)) fail("BAD_SLOT", `slot ${h.slot} is before its parent's slot ${pre.stage2Slot}`, { slot: h.slot, parentSlot: pre.stage2Slot });
  if (!bytesEqual(commitList(block.evidence.map((e) => Evidence.hashTreeRoot(e))).root, h.evidenceRoot)) fail("BAD_EVIDENCE_ROOT", "evidence root does not match its evidence", { number: h.number });
  if (!bytesEqual(commitList(block.inclusions.map((i) => i.root)).root, h.batchesRoot)) fail("BAD_BATCHES_ROOT", "batches root does not match its inclusions", { number: h.number });
  for (const [i, inc] of block.inclusions.entries()) {
    if (!bytesEqual(computeBatchInclusionRoot({ batchRoot: inc.batch.root, applied: inc.applied }), inc.root)) fail("BAD_INCLUSION_ROOT", `inclusion ${i}: root does not match`, { inclusion: i });
  }
  let s = pre;
  const evidence: EvidenceEffect[] = [];
  for (const ev of block.evidence) {
    const r = processEvidence(s, ev, ctx);
    s = r.state;
    evidence.push(r.effect);
  }
  if (!bytesEqual(computeStage2HeaderRoot(h), block.root)) fail("BAD_HEADER_ROOT", "header root does not match the header", { number: h.number });
  // The aggregate signature may be checked on another thread while the rest is: its fault still comes first.
  const check = ctx.verifyAttestation === false ? undefined : startAttestationCheck(ctx.verifier, getStage2Committee(s, h.number), block.attestation, computeStage2SigningRoot(s, h), ctx.verifySignatures !== false);
  return withAttestationCheck(check, (fault) => fail(fault, `attestation: ${fault}`, { number: h.number }), () => verifyAndApply(s, block, ctx, evidence));
}

/** The rest of `processStage2Block` once its roots, evidence and attestation's signers are checked. */
function verifyAndApply(s: DelayedState, block: SignedStage2Block, ctx: Stage2Context, evidence: EvidenceEffect[]): { state: DelayedState; effects: Stage2Effects } {
  const h = block.header;
  const order = getCanonicalOrder(block);
  const ahead = ctx.verifyRoots !== false ? computeAppliedRoots(block.inclusions) : [];
  for (const [i, inc] of block.inclusions.entries()) {
    if (ctx.verifyRoots !== false) {
      const bad = checkBatchRoots(inc.batch, inc.applied, ahead[i]);
      if (bad) fail(bad, `inclusion ${i}: batch roots do not match`, { inclusion: i });
    }
    if (checkBatchBudget(s, inc.batch)) {
      fail("OVER_BUDGET", `inclusion ${i}: committee ${inc.batch.header.committee} reports ${inc.batch.header.gasUsed} gas in ${inc.batch.header.executions} executions, over the Stage-2 budget ${computeStage2Budget(s.params)} (rule: budget.ts isBatchWithinBudget)`, {
        inclusion: i,
        committee: inc.batch.header.committee,
        gasUsed: inc.batch.header.gasUsed,
        executions: inc.batch.header.executions,
        budget: computeStage2Budget(s.params),
      });
    }
    const af = checkBatchAttestation(s, inc.batch, ctx);
    if (af) fail(af, `inclusion ${i}: batch attestation: ${af}`, { inclusion: i, committee: inc.batch.header.committee });
  }
  // Each contract's applied affirmations continue its affirmed chain, one after another.
  const tentative = new Map<ContractId, { at: number; root: Uint8Array }>();
  for (const o of order) {
    const rec = s.contracts.get(o.claim.contract);
    if (!rec || !isClaimOfAffirmation(s, o.batch.affirmations[o.affirmation] as AffirmationValue, o.claim)) fail("BAD_AFFIRMATION", `affirmation ${o.affirmation} of inclusion ${o.inclusion} does not say what it claims`, { contract: o.claim.contract });
    if (o.batch.header.committee !== rec.committee) fail("WRONG_COMMITTEE", `${o.claim.contract} is followed by committee ${rec.committee}, not ${o.batch.header.committee}`, { contract: o.claim.contract });
    const t = tentative.get(rec.id) ?? { at: getAffirmedIdx(rec), root: getLogItem(rec.chainRoots, getAffirmedIdx(rec)) };
    if (!isAffirmationApplicable(t.at, t.root, o.claim.from, o.claim.preRoot)) fail("NOT_CONTINUING", `affirmation of ${rec.id} from ${o.claim.from} does not continue its affirmed chain (at ${t.at})`, { contract: rec.id, from: o.claim.from, affirmedIdx: t.at });
    tentative.set(rec.id, { at: o.claim.to, root: o.claim.postRoots[o.claim.postRoots.length - 1] as Uint8Array });
  }
  // Every assumed root is affirmed: on chain, or by an affirmation this block applies.
  const byContract = new Map<ContractId, AffirmationClaim[]>();
  for (const o of order) (byContract.get(o.claim.contract) ?? byContract.set(o.claim.contract, []).get(o.claim.contract))?.push(o.claim);
  const rootAfter = (d: ContractId, position: number): Uint8Array | undefined => {
    const rec = s.contracts.get(d);
    if (!rec) return undefined;
    if (position <= getAffirmedIdx(rec)) return getLogItem(rec.chainRoots, position);
    for (const c of byContract.get(d) ?? []) if (position > c.from && position <= c.to) return c.postRoots[position - c.from - 1];
    return undefined;
  };
  for (const o of order) {
    for (const x of o.claim.assumptions) {
      const r = rootAfter(x.contract, x.position);
      if (!r || !bytesEqual(r, x.root)) fail("ASSUMPTION_NOT_AFFIRMED", `affirmation of ${o.claim.contract} assumes ${x.contract} at ${x.position}, not affirmed with that root`, { contract: o.claim.contract, assumed: x.contract, position: x.position });
    }
  }
  return applyAffirmations({ ...s, stage2Root: block.root, stage2Number: h.number, stage2Slot: h.slot }, order, evidence);
}

/** Applies verified affirmations: roots and ended flags, finality, successors, dropped contracts. */
function applyAffirmations(s: DelayedState, order: ReturnType<typeof getCanonicalOrder>, evidence: EvidenceEffect[]): { state: DelayedState; effects: Stage2Effects } {
  const contracts = new Map(s.contracts);
  let state: DelayedState = { ...s, contracts };
  const applied: AppliedAffirmation[] = [];
  const created: Stage2Effects["created"][number][] = [];
  for (const o of order) {
    const c = o.claim;
    const rec = contracts.get(c.contract) as ContractRecord;
    contracts.set(c.contract, { ...rec, chainRoots: appendLog(rec.chainRoots, ...c.postRoots), endedAt: appendLog(rec.endedAt, ...c.ended) });
    const finalized: number[] = [];
    for (let i = c.from; i < c.to; i++) {
      const t = getTx(state, getLogItem(rec.queue, i));
      // Final once affirmed on every contract of its footprint (forEach: no entry arrays made).
      let final = true;
      t.positions.forEach((p, d) => void (final &&= getAffirmedIdx(contracts.get(d) as ContractRecord) > p));
      if (!final) continue;
      finalized.push(t.seq);
      (c.created[i - c.from] ?? []).forEach((x, index) => {
        const existing = contracts.get(x.id);
        const pc = existing?.pendingCreation;
        if (existing && pc) {
          // Named before this creation was final: created for it if its creator came first.
          if ((t.positions.get(pc.parent) ?? Infinity) >= pc.parentPosition) return;
          contracts.set(x.id, { ...existing, codeHash: x.codeHash, chainRoots: appendLog(truncateLog(existing.chainRoots, 0), x.root), awaitingCreator: false, pendingCreation: undefined, creator: t.seq });
          created.push({ id: x.id, committee: existing.committee, fresh: false, creator: t.seq, index });
        } else if (!existing) {
          const committee = computeSuccessorCommittee(state, x.id);
          contracts.set(x.id, createContractRecord(x.id, committee, x.codeHash, x.root, t.seq));
          created.push({ id: x.id, committee, fresh: true, creator: t.seq, index });
        } else if (existing.awaitingCreator) {
          contracts.set(x.id, { ...existing, chainRoots: appendLog(truncateLog(existing.chainRoots, 0), x.root), endedAt: appendLog(truncateLog(existing.endedAt, 0), false), awaitingCreator: false });
          created.push({ id: x.id, committee: existing.committee, fresh: false, creator: t.seq, index });
        }
      });
    }
    applied.push({ inclusion: o.inclusion, affirmation: o.affirmation, batch: o.batch, claim: c, finalized });
  }
  // Successors named before their creation: once every transaction of the parent that could have
  // created one is final and none did, it does not exist for the transactions that named it.
  const absent: ContractId[] = [];
  for (const rec of contracts.values()) {
    const pc = rec.pendingCreation;
    if (!pc) continue;
    const parent = contracts.get(pc.parent) as ContractRecord;
    let settled = true;
    for (let i = 0; i < pc.parentPosition && settled; i++) settled = isTxFinal(state, getLogItem(parent.queue, i));
    if (!settled) continue;
    contracts.set(rec.id, { ...rec, endedAt: appendLog(truncateLog(rec.endedAt, 0), true), awaitingCreator: false, pendingCreation: undefined });
    absent.push(rec.id);
  }
  const dropped: ContractId[] = [];
  for (const rec of contracts.values()) {
    const at = getAffirmedIdx(rec);
    if (rec.dropped || at < rec.queue.length || !getLogItem(rec.endedAt, at)) continue;
    contracts.set(rec.id, { ...rec, dropped: true });
    dropped.push(rec.id);
  }
  state = { ...state, contracts };
  return { state, effects: { evidence, applied, created, absent, dropped } };
}
