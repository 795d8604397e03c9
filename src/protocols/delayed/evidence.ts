/**
 * Evidence on the Stage-2 chain (DESIGN §2 "Faults"): a wrong leaf a full node proved, included in
 * the next block. `signed` evidence slashes the signers of a wrong claim; `fraud` evidence also
 * rolls a finalized root back with its dependency cone. Pure transitions on the agreed state.
 */
import type { Validator } from "../../chain/index.js";
import { bytesEqual } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import type { ContractId } from "../../types.js";
import type { Dispute } from "./blocks.js";
import { EVIDENCE_KINDS, decodeContractId, encodeContractId, type EvidenceValue } from "./containers.js";
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

/** The evidence a proposer includes for a dispute, or undefined when it no longer applies. */
export function buildEvidence(s: DelayedState, d: Dispute): EvidenceValue | undefined {
  const rec = getContract(s, d.contract);
  // A fraud proof against a root an earlier rollback already removed is void.
  if (d.kind === "fraud" && (d.position >= getAffirmedIdx(rec) || !bytesEqual(getLogItem(rec.chainRoots, d.position + 1), d.postRoot))) return undefined;
  const signers = computeFreshSigners(s, d.batch.attestation.signers);
  if (d.kind === "signed" && signers.length === 0) return undefined;
  return {
    kind: EVIDENCE_KINDS[d.kind],
    contract: encodeContractId(d.contract),
    position: d.position,
    batchRoot: d.batch.root,
    claimedLeaf: d.claimedLeaf,
    recomputedLeaf: d.recomputedLeaf,
    proofRoot: d.proofRoot,
    signers,
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

/** Checks one evidence item against the chain and applies it (rollback for fraud, then slashing). */
export function processEvidence(s: DelayedState, ev: EvidenceValue): { state: DelayedState; effect: EvidenceEffect } {
  const id = decodeContractId(ev.contract);
  const rec = s.contracts.get(id);
  if (!rec) fail("BAD_EVIDENCE", `evidence names an unknown contract ${id}`, { contract: id });
  if (ev.kind !== EVIDENCE_KINDS.fraud && ev.kind !== EVIDENCE_KINDS.signed) fail("BAD_EVIDENCE", `unknown evidence kind ${ev.kind}`, { kind: ev.kind });
  if (bytesEqual(ev.claimedLeaf, ev.recomputedLeaf)) fail("BAD_EVIDENCE", "claimed and recomputed leaves agree", { contract: id });
  const fresh = computeFreshSigners(s, ev.signers);
  if (fresh.length !== ev.signers.length || ev.signers.some((i) => !s.validators[i])) fail("BAD_EVIDENCE", "evidence slashes a validator twice or one that does not exist", { signers: ev.signers });
  let state = s;
  let rolledBack: Map<ContractId, number> | undefined;
  if (ev.kind === EVIDENCE_KINDS.fraud) {
    if (ev.position >= getAffirmedIdx(rec)) fail("STALE_EVIDENCE", `fraud proof against ${id} at ${ev.position}, which is not affirmed`, { contract: id, position: ev.position });
    const r = processFraudRollback(state, id, ev.position);
    state = r.state;
    rolledBack = r.firstBad;
  } else if (fresh.length === 0) fail("BAD_EVIDENCE", "signed evidence that slashes nobody", { contract: id });
  state = processSlashing(state, fresh);
  return { state, effect: rolledBack ? { evidence: ev, rolledBack, slashed: fresh } : { evidence: ev, slashed: fresh } };
}

