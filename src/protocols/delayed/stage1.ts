/**
 * Stage 1 of the two-stage chain (DESIGN §2): ordering and data availability. A proposer builds a
 * block from its mempool (`buildStage1Block`); every node — the proposer included — verifies and
 * applies it with the same transition (`processStage1Block`): parent, proposer, transactions root,
 * the slot committee's attestation (≥ 2/3), then every transaction's signature, nonce and fee
 * (within the sender's balance before the block less the block's earlier fees). Fees are debited,
 * no contract code runs, and every transaction gets its global sequence number and its position
 * in the queue of every footprint contract that exists (and is not dropped) then.
 */
import { getEncodedSize, processStage1Block as applyBeaconRule, selectStage1Block, takeSignedTxEncoding, type BlockRejectReason } from "../../chain/beacon.js";
import { isFeeCapSufficient } from "../../chain/fees.js";
import { startAttestationCheck, withAttestationCheck, computeProposer, computeSigningRoot, computeSlotCommittee, computeSuccessorGroup, type Attestation, type Validator } from "../../chain/index.js";
import type { SignatureVerifier } from "../../crypto/bls.js";
import { bytesEqual } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { computeFootprint, computeTxId, type SignedTx } from "../../program/index.js";
import { commitList } from "../../state/index.js";
import type { ContractId } from "../../types.js";
import { computeListRoots, DOMAIN_STAGE1, Stage1Header, type Stage1HeaderValue } from "./containers.js";
import { createContractRecord } from "./genesis.js";
import { computeNextStage1BaseFee, computeStage1Limits } from "./budget.js";
import { computeSuccessorCommittee } from "./stage2.js";
import { appendLog, getActiveValidators, PackedTx, RESULTS_CONTRACT, type ContractRecord, type DelayedState } from "./state.js";
import { MerkleKV } from "../../state/index.js";

/** Root of the empty state: a contract's state 0 before its creation is known, and the results contract's. */
export const EMPTY_ROOT = MerkleKV.empty().root();

/**
 * A footprint id that is not on chain but names a successor (`parent~…`, DESIGN §1) of a live
 * contract: it may have been created by one of the parent's transactions sequenced before `seq`,
 * so the transaction depends on that creation (issue 14 §2) — the contract is registered now, on
 * its committee, with its state 0 pending until those transactions are final.
 */
function registerNamedSuccessor(s: DelayedState, contracts: Map<ContractId, ContractRecord>, id: ContractId, positions: ReadonlyMap<ContractId, number>): ContractRecord | undefined {
  const cut = id.lastIndexOf("~");
  if (cut <= 0) return undefined;
  const parent = id.slice(0, cut);
  const p = contracts.get(parent);
  if (!p || p.dropped || parent === RESULTS_CONTRACT) return undefined;
  const committee = computeSuccessorCommittee({ ...s, contracts }, id);
  const parentPosition = p.queue.length - (positions.has(parent) ? 1 : 0);
  const rec: ContractRecord = { ...createContractRecord(id, committee, "", EMPTY_ROOT), awaitingCreator: true, pendingCreation: { parent, parentPosition } };
  contracts.set(id, rec);
  return rec;
}

export interface Stage1Block {
  readonly header: Stage1HeaderValue;
  readonly txs: readonly SignedTx[];
}

export interface SignedStage1Block extends Stage1Block {
  readonly attestation: Pick<Attestation, "signers" | "signature">;
}

export interface Stage1Built {
  readonly block: Stage1Block;
  /** The message the slot committee signs. */
  readonly signingRoot: Uint8Array;
  readonly proposer: Validator;
  readonly rejected: readonly { tx: SignedTx; reason: BlockRejectReason }[];
  /** Candidates left for a later block (future nonces, no room left, fee cap below the base fee). */
  readonly deferred: readonly SignedTx[];
  /** Of `deferred`, those waiting for the base fee to fall to their fee cap. */
  readonly belowBaseFee: readonly SignedTx[];
}

/** What a verifier may skip (a node skips what it already checked); everything is checked by default. */
export interface Stage1Options {
  readonly verifySignatures?: boolean;
  readonly verifyProposer?: boolean;
  /** false: a proposal not yet attested — its attesters check every other rule before they sign (default true). */
  readonly verifyAttestation?: boolean;
}

/** The proposer of a Stage-1 slot: stake-weighted among unslashed validators, from the chain's seed and the slot. */
export function getStage1Proposer(s: DelayedState, slot: number): Validator | undefined {
  const active = getActiveValidators(s);
  return active.length === 0 ? undefined : computeProposer(active, s.params.seed, slot);
}

/** The slot committee that attests a Stage-1 block. */
export function getStage1Committee(s: DelayedState, slot: number): Validator[] {
  return computeSlotCommittee(getActiveValidators(s), s.params.seed, slot, s.params.committeeSize);
}

/** `commitList(txIds).root`, hashed flat (`computeListRoots`; commitList itself for ids that are not 32 bytes: its error). */
function computeTxsRoot(txIds: readonly Uint8Array[]): Uint8Array {
  return computeListRoots([txIds])[0] ?? commitList(txIds).root;
}

export function computeStage1SigningRoot(s: DelayedState, header: Stage1HeaderValue): Uint8Array {
  return computeSigningRoot(DOMAIN_STAGE1, s.genesisRoot, Stage1Header.hashTreeRoot(header));
}

/**
 * The block the slot's proposer builds: candidates in arrival order that are valid at Stage 1
 * (`chain/beacon.ts`), fit the room left (count, bytes, declared gas) and whose fee cap covers the
 * base fee (`budget.ts`). Undefined when every validator is slashed (no proposer).
 */
export function buildStage1Block(s: DelayedState, candidates: readonly SignedTx[], slot: number): Stage1Built | undefined {
  const proposer = getStage1Proposer(s, slot);
  if (!proposer) return undefined;
  // The same choice the block's import makes (`applyBeaconRule`), without the new balances: those come when it is applied.
  const r = selectStage1Block(s.beacon, candidates, computeStage1Limits(s.params, s.stage1BaseFee));
  const header: Stage1HeaderValue = {
    slot,
    proposer: proposer.index,
    parentRoot: s.stage1Root,
    txsRoot: computeTxsRoot(r.included.map((stx) => computeTxId(stx))),
    firstSeq: s.txs.length,
  };
  return { block: { header, txs: r.included }, signingRoot: computeStage1SigningRoot(s, header), proposer, rejected: r.rejected, deferred: r.deferred, belowBaseFee: r.belowBaseFee };
}

function fail(code: string, message: string, data: Record<string, unknown> = {}): never {
  throw new XshardError(code, `Stage-1 block: ${message}`, data);
}

/**
 * Verifies a Stage-1 block against the state and applies it; returns the new state and the
 * sequence numbers it gave. A typed error names the rule broken (BAD_PARENT, BAD_SLOT (a slot not
 * after the parent's), BAD_SEQUENCE,
 * WRONG_PROPOSER, BAD_TXS_ROOT, an attestation fault — UNKNOWN_SIGNER, DUPLICATE_SIGNER,
 * NO_SUPERMAJORITY, BAD_SIGNATURE —, TOO_MANY_TXS, STAGE1_BYTES_EXCEEDED, STAGE1_GAS_EXCEEDED,
 * FEE_CAP_BELOW_BASE_FEE, INVALID_TX); the input state is never changed. The state's Stage-1 base
 * fee moves by the block's declared gas (EIP-1559).
 */
export function processStage1Block(s: DelayedState, block: SignedStage1Block, verifier: SignatureVerifier, opts: Stage1Options = {}): { state: DelayedState; seqs: number[]; registered: ContractId[] } {
  const h = block.header;
  if (!bytesEqual(h.parentRoot, s.stage1Root)) fail("BAD_PARENT", "parent root is not the chain's head", { slot: h.slot });
  if (!(h.slot > s.stage1Slot)) fail("BAD_SLOT", `slot ${h.slot} is not after its parent's slot ${s.stage1Slot}`, { slot: h.slot, parentSlot: s.stage1Slot });
  if (h.firstSeq !== s.txs.length) fail("BAD_SEQUENCE", `first sequence number ${h.firstSeq}, expected ${s.txs.length}`, { firstSeq: h.firstSeq });
  const proposer = s.validators[h.proposer];
  if (!proposer || s.slashed.has(h.proposer)) fail("WRONG_PROPOSER", `proposer ${h.proposer} is not an active validator`, { proposer: h.proposer });
  if (opts.verifyProposer !== false && getStage1Proposer(s, h.slot)?.index !== h.proposer) fail("WRONG_PROPOSER", `validator ${h.proposer} is not the proposer of slot ${h.slot}`, { proposer: h.proposer, slot: h.slot });
  const txIds = block.txs.map((stx) => computeTxId(stx));
  if (!bytesEqual(computeTxsRoot(txIds), h.txsRoot)) fail("BAD_TXS_ROOT", "transactions root does not match its transactions", { slot: h.slot });
  // The aggregate signature may be checked on another thread while the rest is: its fault comes first,
  // before any later rule's error and before the block is applied, as if it had been checked here.
  const check = opts.verifyAttestation === false ? undefined : startAttestationCheck(verifier, getStage1Committee(s, h.slot), block.attestation, computeStage1SigningRoot(s, h), opts.verifySignatures !== false);
  return withAttestationCheck(check, (fault) => fail(fault, `attestation: ${fault}`, { slot: h.slot }), () => applyStage1Block(s, block, txIds, proposer));
}

/** The rest of `processStage1Block` once its header, proposer, transactions root and attestation's members are checked. */
function applyStage1Block(s: DelayedState, block: SignedStage1Block, txIds: readonly Uint8Array[], proposer: Validator): { state: DelayedState; seqs: number[]; registered: ContractId[] } {
  const h = block.header;
  const limits = computeStage1Limits(s.params, s.stage1BaseFee);
  if (block.txs.length > limits.txs) fail("TOO_MANY_TXS", `${block.txs.length} transactions over the limit ${limits.txs}`, { count: block.txs.length });
  const bytes = block.txs.reduce((a, stx) => a + getEncodedSize(stx), 0);
  if (bytes > limits.bytes) fail("STAGE1_BYTES_EXCEEDED", `${bytes} bytes of transactions over the limit ${limits.bytes}`, { bytes, limit: limits.bytes });
  const gas = block.txs.reduce((a, stx) => a + stx.tx.gasLimit, 0n);
  if (gas > limits.gas) fail("STAGE1_GAS_EXCEEDED", `declared gas ${gas} over the limit ${limits.gas}`, { gas: String(gas), limit: String(limits.gas) });
  const cheap = block.txs.findIndex((stx) => !isFeeCapSufficient(stx.tx.maxFeePerGas, limits.baseFee));
  if (cheap >= 0) fail("FEE_CAP_BELOW_BASE_FEE", `transaction ${cheap}: fee cap below the base fee ${limits.baseFee}`, { index: cheap, baseFee: String(limits.baseFee) });
  const r = applyBeaconRule(s.beacon, block.txs, proposer.account, limits);
  const bad = r.rejected[0];
  if (bad) fail("INVALID_TX", `transaction ${block.txs.indexOf(bad.tx)}: ${bad.reason}`, { index: block.txs.indexOf(bad.tx), reason: bad.reason });
  if (r.deferred.length > 0) fail("INVALID_TX", `transaction ${block.txs.indexOf(r.deferred[0] as SignedTx)}: nonce not next`, { index: block.txs.indexOf(r.deferred[0] as SignedTx), reason: "nonce too high" });

  const contracts = new Map(s.contracts);
  let txs = s.txs;
  const graph = s.graph && block.txs.length > 0 ? s.graph.clone() : s.graph;
  const seqs: number[] = [];
  const registered: ContractId[] = [];
  const queueOn = (rec: ContractRecord, seq: number, positions: Map<ContractId, number>): void => {
    positions.set(rec.id, rec.queue.length);
    contracts.set(rec.id, { ...rec, queue: appendLog(rec.queue, seq) } satisfies ContractRecord);
  };
  block.txs.forEach((stx, i) => {
    const seq = txs.length;
    const positions = new Map<ContractId, number>();
    for (const id of computeFootprint(stx.tx.program)) {
      let rec = contracts.get(id);
      if (!rec) {
        rec = registerNamedSuccessor(s, contracts, id, positions);
        if (rec) registered.push(id);
      }
      if (!rec || rec.dropped) continue; // absent when sequenced: calls to it fail
      queueOn(rec, seq, positions);
    }
    if (positions.size === 0) {
      // No live contract: its outcome is executed and affirmed on the results contract.
      let rec = contracts.get(RESULTS_CONTRACT);
      if (!rec) {
        rec = createContractRecord(RESULTS_CONTRACT, computeSuccessorGroup(s.params.seed, RESULTS_CONTRACT, s.params.committees), "", EMPTY_ROOT);
        registered.push(RESULTS_CONTRACT);
      }
      queueOn(rec, seq, positions);
    }
    txs = appendLog(txs, PackedTx.of(seq, txIds[i] as Uint8Array, stx, positions, h.slot, takeSignedTxEncoding(stx)));
    graph?.record([...positions.keys()]);
    seqs.push(seq);
  });
  const stage1BaseFee = computeNextStage1BaseFee(s.params, s.stage1BaseFee, r.gas);
  return { state: { ...s, beacon: r.state, stage1BaseFee, stage1Root: Stage1Header.hashTreeRoot(h), stage1Slot: h.slot, contracts, txs, graph }, seqs, registered };
}
