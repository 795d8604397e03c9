/**
 * The delayed (two-stage chain) transition vectors (test/vectors/delayed/<transition>/<case>.json):
 * the fixture's `chain` section, and the generator of every case. Regenerate with
 * `UPDATE_VECTORS=1 npx vitest run test/vectors/delayed.test.ts`; the files are committed and
 * reviewed, and the runner (delayed.test.ts) checks them against the spec.
 *
 * The chain: 8 validators (real BLS keys from the seed), 2 contract committees of 4, counters `a`
 * (committee 0) and `b` (committee 1); two users send a transaction touching [a] and one touching
 * [a, b]. Committees execute with the real runtime here (to sign real batches); the runner needs
 * no runtime — Stage-2 import checks claims, it executes nothing.
 */
import { collectAttestation, computeGenesisAccounts, createValidators, deployGenesis, type Attestation, type Validator } from "../../src/chain/index.js";
import { createBlsVerifier } from "../../src/crypto/bls.js";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm, Runtime } from "../../src/runtime/index.js";
import { CommitteeViews } from "../../src/protocols/delayed/committee.js";
import { BatchInclusion, Evidence, EVIDENCE_KINDS, Stage2Header, encodeContractId } from "../../src/protocols/delayed/containers.js";
import { processEpochBoundary } from "../../src/protocols/delayed/epoch.js";
import { buildEvidence, processEvidence } from "../../src/protocols/delayed/evidence.js";
import { computeProofRoot, decodeWitnesses, type ProvenEvidenceValue } from "../../src/protocols/delayed/faults.js";
import type { CommitteeBehaviour } from "../../src/protocols/delayed/behaviour.js";
import { FullNode } from "../../src/protocols/delayed/watch.js";
import { WrongSignersBehaviour } from "../../src/sim/delayed/behaviour.js";
import { createGenesisState } from "../../src/protocols/delayed/genesis.js";
import { delayedStateToJson, evidenceToJson, movesToJson, stage1BlockToJson, stage2BlockToJson, stage2EffectsToJson } from "../../src/protocols/delayed/json.js";
import { ASSIGNMENTS, STAGE2_MODES } from "../../src/protocols/delayed/options.js";
import { buildStage1Block, computeStage1SigningRoot, getStage1Committee, processStage1Block, type SignedStage1Block } from "../../src/protocols/delayed/stage1.js";
import { buildStage2Block, computeInclusions, computeStage2SigningRoot, getStage2Committee, processStage2Block, type Batch, type HeldAffirmation, type SignedStage2Block, type Stage2Block } from "../../src/protocols/delayed/stage2.js";
import { getContract, type ContractRecord, type DelayedParams, type DelayedState } from "../../src/protocols/delayed/state.js";
import { malformed, parseFields, parseInteger, parseString } from "../../src/protocols/shards/json.js";
import { commitList, MerkleKV } from "../../src/state/index.js";
import { TxFactory } from "../../src/workloads/common.js";
import { touchProgram } from "../../src/workloads/programs.js";
import { splitProgram } from "../../src/workloads/structure.js";
import { errorCodeOf, flip, type Vector } from "./baselines.js";

/** A delayed fixture: the shared envelope with the delayed chain's parameters. */
export type DelayedVector = Omit<Vector, "chain"> & { readonly chain: DelayedChainJson };

/** A fixture's chain: the chain's parameters (`DelayedParams`) and the size of its validator set. */
export interface DelayedChainJson extends DelayedParams {
  readonly validators: number;
}

export const DELAYED_CHAIN: DelayedChainJson = { seed: "vectors", validators: 8, committees: 2, committeeSize: 4, blockTxLimit: 8, slotGas: 16_000_000, stage2PerSlot: 1, stage1Bytes: 1_048_576, stage2Mode: "strict", assignment: "shuffle", loadBound: 1.25 };

const validatorSets = new Map<string, Validator[]>();

/** The chain a fixture names, strictly, with its validator set (derived from the seed; cached). */
export function parseDelayedChain(x: unknown): { params: DelayedParams; validators: Validator[] } {
  const o = parseFields(x, ["seed", "validators", "committees", "committeeSize", "blockTxLimit", "slotGas", "stage2PerSlot", "stage1Bytes", "stage2Mode", "assignment", "loadBound"], "chain");
  const oneOf = <T extends string>(v: unknown, values: readonly T[], what: string): T => ((values as readonly unknown[]).includes(v) ? (v as T) : malformed(what, `one of ${values.join(", ")}`));
  const loadBound = o["loadBound"];
  if (typeof loadBound !== "number" || !(loadBound >= 1)) malformed("chain.loadBound", "a number ≥ 1");
  const params: DelayedParams = {
    seed: parseString(o["seed"], "chain.seed"),
    committees: parseInteger(o["committees"], "chain.committees"),
    committeeSize: parseInteger(o["committeeSize"], "chain.committeeSize"),
    blockTxLimit: parseInteger(o["blockTxLimit"], "chain.blockTxLimit"),
    slotGas: parseInteger(o["slotGas"], "chain.slotGas"),
    stage2PerSlot: parseInteger(o["stage2PerSlot"], "chain.stage2PerSlot"),
    stage1Bytes: parseInteger(o["stage1Bytes"], "chain.stage1Bytes"),
    stage2Mode: oneOf(o["stage2Mode"], STAGE2_MODES, "chain.stage2Mode"),
    assignment: oneOf(o["assignment"], ASSIGNMENTS, "chain.assignment"),
    loadBound,
  };
  const n = parseInteger(o["validators"], "chain.validators");
  const key = `${params.seed}:${n}`;
  const validators = validatorSets.get(key) ?? validatorSets.set(key, createValidators(n, params.seed)).get(key)!;
  return { params, validators };
}

// ---------------------------------------------------------------- building the chain

const verifier = createBlsVerifier();
const runtime = new Runtime();
const loadCode = (c: string): Uint8Array => loadLibraryWasm(c as (typeof LIBRARY_CONTRACTS)[number]);

function setup(chain: DelayedChainJson) {
  const f = new TxFactory(2);
  const stxs = [f.submit(0, f.users[0]!, touchProgram(["a"]), "a"), f.submit(0, f.users[1]!, touchProgram(["a", "b"]), "a,b")];
  const later = [f.submit(1, f.users[0]!, touchProgram(["zz"]), "zz"), f.submit(1, f.users[1]!, touchProgram(["a~s"]), "a~s")];
  const split = f.submit(1, f.users[0]!, splitProgram("b"), "split b");
  const genesis = { contracts: [{ id: "a", code: "counter", init: [], placement: 0 }, { id: "b", code: "counter", init: [], placement: 1 }], accounts: f.accountSpecs() };
  const deployed = deployGenesis(runtime, genesis, loadCode);
  const { validators: _n, ...params } = chain;
  const state = createGenesisState(
    params,
    parseDelayedChain(chain).validators,
    deployed.map((d) => ({ id: d.id, codeHash: d.codeHash, root: d.state.root(), placement: d.placement as number })),
    computeGenesisAccounts(genesis),
  );
  return { state, genesisKv: new Map<string, MerkleKV>(deployed.map((d) => [d.id, d.state])), stxs, later, split };
}

function signStage1(s: DelayedState, stxs: Parameters<typeof buildStage1Block>[1], slot: number): SignedStage1Block {
  const built = buildStage1Block(s, stxs, slot)!;
  return { ...built.block, attestation: collectAttestation(verifier, getStage1Committee(s, slot), built.signingRoot) };
}

/** A Stage-2 block whose header commits its inclusions and evidence, attested by its slot committee. */
function signStage2(s: DelayedState, b: Stage2Block): SignedStage2Block {
  const header = { ...b.header, batchesRoot: commitList(b.inclusions.map((i) => i.root)).root, evidenceRoot: commitList(b.evidence.map((e) => Evidence.hashTreeRoot(e))).root };
  // The slot committee is drawn among the validators left unslashed by the block's evidence.
  let after = s;
  for (const e of b.evidence) if (errorCodeOf(() => (after = processEvidence(after, e, { verifier, runtime }).state)) !== null) break;
  return resignHeader(after, { ...b, header });
}

function resignHeader(s: DelayedState, b: Stage2Block): SignedStage2Block {
  const attesters = getStage2Committee(s, b.header.number);
  return { ...b, root: Stage2Header.hashTreeRoot(b.header), attestation: collectAttestation(verifier, attesters, computeStage2SigningRoot(s, b.header)), attesters };
}


/** Every affirmation of `batches`, held per contract (what a proposer that received them holds). */
function holdAll(batches: readonly Batch[]): Map<string, HeldAffirmation[]> {
  const held = new Map<string, HeldAffirmation[]>();
  for (const batch of batches) batch.candidates.forEach((c, index) => held.set(c.contract, [...(held.get(c.contract) ?? []), { batch, index }]));
  return held;
}

/**
 * Sequences the first two transactions (all five with `lifecycle`: then also [zz], [a~s] and the
 * split of b); each committee receives them, executes, signs its round-1 batches.
 */
function afterRound(chain: DelayedChainJson, lifecycle = false, behaviour?: CommitteeBehaviour) {
  const { state, genesisKv, stxs, later, split } = setup(chain);
  const block1 = signStage1(state, lifecycle ? [...stxs, ...later, split] : stxs, 0);
  const { state: s1, seqs, registered } = processStage1Block(state, block1, verifier);
  const views = new CommitteeViews(state, genesisKv, behaviour ? { runtime, verifier, keepHistory: true, behaviour } : { runtime, verifier, keepHistory: false });
  views.chain = s1;
  for (const id of registered) views.addFrontier(id, getContract(s1, id).committee, MerkleKV.empty());
  views.addTxs(seqs);
  const batches: Batch[] = [];
  for (let k = 0; k < 2; k++) {
    views.deliverStage1(k, 0, seqs.length);
    views.executeReady(k, 1);
  }
  for (let k = 0; k < 2; k++) for (const b of views.produceBatches(k, 1)) batches.push(b.batch);
  return { genesis: state, block1, s1, views, batches, later };
}

// ---------------------------------------------------------------- the vectors

function vector(transition: string, description: string, chain: DelayedChainJson, pre: DelayedState, input: unknown, apply: () => unknown): DelayedVector {
  let post: unknown = null;
  const error = errorCodeOf(() => {
    post = apply();
  });
  return { transition, description, chain, pre: delayedStateToJson(pre), input, post, error };
}

const stage1Vector = (description: string, chain: DelayedChainJson, pre: DelayedState, block: SignedStage1Block): DelayedVector =>
  vector("processStage1Block", description, chain, pre, stage1BlockToJson(block), () => {
    const r = processStage1Block(pre, block, verifier);
    return { state: delayedStateToJson(r.state), seqs: r.seqs, registered: r.registered };
  });

const stage2Vector = (description: string, chain: DelayedChainJson, pre: DelayedState, block: SignedStage2Block): DelayedVector =>
  vector("processStage2Block", description, chain, pre, stage2BlockToJson(block), () => {
    const r = processStage2Block(pre, block, { verifier, runtime });
    return { state: delayedStateToJson(r.state), effects: stage2EffectsToJson(r.effects) };
  });

const evidenceVector = (description: string, chain: DelayedChainJson, pre: DelayedState, ev: ProvenEvidenceValue): DelayedVector =>
  vector("processEvidence", description, chain, pre, evidenceToJson(ev), () => {
    const r = processEvidence(pre, ev, { verifier, runtime });
    return { state: delayedStateToJson(r.state), effect: stage2EffectsToJson({ evidence: [r.effect], applied: [], created: [], absent: [], dropped: [] }).evidence };
  });

const epochVector = (description: string, chain: DelayedChainJson, pre: DelayedState): DelayedVector =>
  vector("processEpochBoundary", description, chain, pre, null, () => {
    const r = processEpochBoundary(pre);
    return { state: delayedStateToJson(r.state), moves: movesToJson(r.moves) };
  });

function stage1Vectors(out: Record<string, DelayedVector>): void {
  const chain = DELAYED_CHAIN;
  const { state, stxs, later } = setup(chain);
  const good = signStage1(state, stxs, 0);
  const resign = (header: SignedStage1Block["header"], txs = good.txs): SignedStage1Block => ({
    header,
    txs,
    attestation: collectAttestation(verifier, getStage1Committee(state, header.slot), computeStage1SigningRoot(state, header)),
  });
  out["processStage1Block/sequences_two_txs"] = stage1Vector("slot 0: [a] and [a, b] get sequence numbers 0 and 1 and their positions in a's and b's queues; fees are debited", chain, state, good);
  const s1 = processStage1Block(state, good, verifier).state;
  out["processStage1Block/no_live_contract_and_named_successor"] = stage1Vector(
    "slot 1 continues slot 0: [zz] names no contract on chain (queued on the results contract, registered now); [a~s] names a successor of a (registered, its state 0 pending a's first two transactions)",
    chain,
    s1,
    signStage1(s1, later, 1),
  );
  out["processStage1Block/bad_slot"] = stage1Vector("a second block of slot 0 on the block of slot 0: a block's slot must be after its parent's", chain, s1, signStage1(s1, later, 0));
  const adaptive: DelayedChainJson = { ...chain, assignment: "adaptive" };
  const sa = setup(adaptive).state;
  out["processStage1Block/adaptive_records_co_access"] = stage1Vector("adaptive assignment: the block records that a and b were named together (graph edge a–b, weight 1)", adaptive, sa, signStage1(sa, stxs, 0));

  out["processStage1Block/bad_parent"] = stage1Vector("the parent root is not the chain's head", chain, state, resign({ ...good.header, parentRoot: sha256("other") }));
  out["processStage1Block/bad_sequence"] = stage1Vector("the first sequence number is 5 on a chain with none", chain, state, resign({ ...good.header, firstSeq: 5 }));
  const other = state.validators.find((v) => v.index !== good.header.proposer)!;
  out["processStage1Block/wrong_proposer"] = stage1Vector("signed with another validator than the slot's proposer named as proposer", chain, state, resign({ ...good.header, proposer: other.index }));
  out["processStage1Block/bad_txs_root"] = stage1Vector("the transactions root commits both transactions, the block carries one", chain, state, { ...good, txs: good.txs.slice(0, 1) });
  const committee = getStage1Committee(state, 0);
  out["processStage1Block/bad_signature"] = stage1Vector("the slot committee's aggregate over another message", chain, state, { ...good, attestation: { ...good.attestation, signature: collectAttestation(verifier, committee, sha256("x")).signature } });
  out["processStage1Block/no_supermajority"] = stage1Vector("one of the four committee members signed", chain, state, { ...good, attestation: collectAttestation(verifier, committee.slice(0, 1), computeStage1SigningRoot(state, good.header)) });
  const outsider = state.validators.find((v) => !committee.includes(v))!;
  out["processStage1Block/unknown_signer"] = stage1Vector("a validator outside the slot committee among the signers", chain, state, { ...good, attestation: { ...good.attestation, signers: [...good.attestation.signers.slice(1), outsider.index] } });
  out["processStage1Block/duplicate_signer"] = stage1Vector("a committee member listed twice among the signers", chain, state, { ...good, attestation: { ...good.attestation, signers: [...good.attestation.signers, good.attestation.signers[0]!] } });
  out["processStage1Block/too_many_txs"] = stage1Vector("two transactions with a block limit of one", { ...chain, blockTxLimit: 1 }, { ...state, params: { ...state.params, blockTxLimit: 1 } }, good);
  const poor: DelayedState = { ...state, beacon: { balances: new Map([...state.beacon.balances].map(([k, v]) => [k, stxs.some((t) => toHex(t.tx.sender) === k) ? 0n : v] as [string, bigint])), nonces: state.beacon.nonces } };
  out["processStage1Block/invalid_tx"] = stage1Vector("the senders cannot pay the fee (their balances are 0)", chain, poor, good);
}


function stage2Vectors(out: Record<string, DelayedVector>): DelayedState[] {
  const chain = DELAYED_CHAIN;
  const { s1, views, batches } = afterRound(chain);
  const block = signStage2(s1, buildStage2Block(s1, [], holdAll(batches), 1, 0, { verifier }));
  out["processStage2Block/strict_applies_first_contract"] = stage2Vector(
    "strict: committee 0 affirms a's two transactions (b's committee waits for a's root); a is affirmed to state 2, [a] is final, [a, b] is not yet",
    chain,
    s1,
    block,
  );
  const s2 = processStage2Block(s1, block, { verifier }).state;
  views.chain = s2;
  views.discardConflictingWork();
  for (let k = 0; k < 2; k++) views.executeReady(k, 2);
  const round2: Batch[] = [];
  for (let k = 0; k < 2; k++) for (const b of views.produceBatches(k, 2)) round2.push(b.batch);
  const block2 = signStage2(s2, buildStage2Block(s2, [], holdAll(round2), 2, 1, { verifier }));
  out["processStage2Block/strict_second_block_finalizes"] = stage2Vector("block 1: committee 1 affirms b's transaction over a's affirmed root; [a, b] is final", chain, s2, block2);
  const s3 = processStage2Block(s2, block2, { verifier }).state;
  out["processStage2Block/bad_number"] = stage2Vector("block 1 numbered 0 again: a block's number must be after its parent's", chain, s2, signStage2(s2, buildStage2Block(s2, [], holdAll(round2), 2, 0, { verifier })));
  out["processStage2Block/bad_slot"] = stage2Vector("block 1 of slot 0 on block 0 of slot 1: a block's slot may not be before its parent's", chain, s2, signStage2(s2, buildStage2Block(s2, [], holdAll(round2), 0, 1, { verifier })));

  // Conditional: b's committee executed [a, b] over its own view of a and assumed a's root.
  const cond: DelayedChainJson = { ...chain, stage2Mode: "conditional" };
  const c = afterRound(cond);
  const assuming = c.batches.find((x) => x.candidates.some((y) => y.assumptions.length > 0))!;
  const plain = c.batches.find((x) => x !== assuming)!;
  out["processStage2Block/conditional_applies_both"] = stage2Vector("conditional: b's affirmation assumes a's root, which a's affirmation in the same block affirms; both apply, both transactions are final", cond, c.s1, signStage2(c.s1, buildStage2Block(c.s1, [], holdAll([assuming, plain]), 1, 0, { verifier })));
  const life = afterRound(cond, true);
  out["processStage2Block/conditional_lifecycle"] = stage2Vector(
    "conditional, one block for five transactions: [a], [a, b], [zz] (on the results contract), [a~s] (a successor of a named before any creation) and the split of b; b's two successors are created, b (ended, fully affirmed) is dropped, and a~s, which neither of a's transactions created, turns out absent",
    cond,
    life.s1,
    signStage2(life.s1, buildStage2Block(life.s1, [], holdAll(life.batches), 1, 0, { verifier })),
  );
  const onlyAssuming: Stage2Block = { ...buildStage2Block(c.s1, [], new Map(), 1, 0, { verifier }), inclusions: computeInclusions(new Map(assuming.candidates.map((x, index) => [x.contract, [{ batch: assuming, index }]]))) };
  out["processStage2Block/assumption_not_affirmed"] = stage2Vector("conditional: b's affirmation alone; the root of a it assumed is affirmed neither on chain nor in the block", cond, c.s1, signStage2(c.s1, onlyAssuming));

  // Invalid variants of block 0.
  const inc = block.inclusions[0]!;
  const withBatch = (b: Batch, applied = inc.applied): SignedStage2Block => signStage2(s1, { ...block, inclusions: [{ batch: b, applied, root: BatchInclusion.hashTreeRoot({ batchRoot: b.root, applied }) }] });
  out["processStage2Block/bad_parent"] = stage2Vector("the parent root is not the Stage-2 head", chain, s1, resignHeader(s1, { ...block, header: { ...block.header, parentRoot: sha256("other") } }));
  out["processStage2Block/bad_evidence_root"] = stage2Vector("the evidence root commits evidence the block does not carry", chain, s1, resignHeader(s1, { ...block, header: { ...block.header, evidenceRoot: flip(block.header.evidenceRoot) } }));
  out["processStage2Block/bad_batches_root"] = stage2Vector("the batches root does not commit the block's inclusions", chain, s1, resignHeader(s1, { ...block, header: { ...block.header, batchesRoot: flip(block.header.batchesRoot) } }));
  out["processStage2Block/bad_inclusion_root"] = stage2Vector("an inclusion's root is not the root of its batch root and applied indices", chain, s1, signStage2(s1, { ...block, inclusions: [{ ...inc, root: flip(inc.root) }] }));
  out["processStage2Block/bad_inclusion"] = stage2Vector("the inclusion applies affirmation 5 of a batch that holds one", chain, s1, withBatch(inc.batch, [5]));
  out["processStage2Block/bad_header_root"] = stage2Vector("the block's root is not its header's root", chain, s1, { ...block, root: flip(block.root) });
  const attesters = getStage2Committee(s1, 0);
  const outsiders = s1.validators.filter((v) => !attesters.includes(v)).slice(0, 4);
  out["processStage2Block/wrong_attesters"] = stage2Vector("attested by four validators who are not block 0's slot committee", chain, s1, { ...block, attestation: collectAttestation(verifier, outsiders, computeStage2SigningRoot(s1, block.header)) });
  out["processStage2Block/header_no_supermajority"] = stage2Vector("one of the four slot-committee members attested", chain, s1, { ...block, attestation: collectAttestation(verifier, attesters.slice(0, 1), computeStage2SigningRoot(s1, block.header)) });
  out["processStage2Block/header_bad_signature"] = stage2Vector("the slot committee's aggregate over another message", chain, s1, { ...block, attestation: { ...block.attestation, signature: collectAttestation(verifier, attesters, sha256("x")).signature } });
  out["processStage2Block/bad_batch_root"] = stage2Vector("the batch's header says round 7; its root is still round 0's", chain, s1, withBatch({ ...inc.batch, header: { ...inc.batch.header, round: 7 } }));
  out["processStage2Block/bad_affirmation_root"] = stage2Vector("the batch lists an affirmation root that is not its affirmation's", chain, s1, withBatch({ ...inc.batch, affirmationRoots: [flip(inc.batch.affirmationRoots[0]!)] }));
  out["processStage2Block/bad_results_root"] = stage2Vector("a leaf of the affirmation is not one its results root commits", chain, s1, withBatch({ ...inc.batch, leaves: [[flip(inc.batch.leaves[0]![0]!), ...inc.batch.leaves[0]!.slice(1)]] }));
  const members = inc.batch.members;
  const badAggregate: Attestation = { ...inc.batch.attestation, signature: collectAttestation(verifier, members, sha256("not this batch")).signature };
  out["processStage2Block/batch_bad_aggregate"] = stage2Vector("the batch's aggregate signature is over another message", chain, s1, withBatch({ ...inc.batch, attestation: badAggregate }));
  out["processStage2Block/batch_no_supermajority"] = stage2Vector("one of committee 0's four members signed the batch", chain, s1, withBatch({ ...inc.batch, attestation: { ...inc.batch.attestation, signers: inc.batch.attestation.signers.slice(0, 1) } }));
  out["processStage2Block/batch_unknown_signer"] = stage2Vector("validator 99, who does not exist, among the batch's signers", chain, s1, withBatch({ ...inc.batch, attestation: { ...inc.batch.attestation, signers: [...inc.batch.attestation.signers, 99] } }));
  const claim = inc.batch.candidates[0]!;
  out["processStage2Block/bad_affirmation"] = stage2Vector("the claim beside the affirmation names another pre-root than the signed affirmation", chain, s1, withBatch({ ...inc.batch, candidates: [{ ...claim, preRoot: flip(claim.preRoot) }] }));
  const moved: DelayedState = { ...s1, contracts: new Map(s1.contracts).set("a", { ...getContract(s1, "a"), committee: 1 } satisfies ContractRecord) };
  out["processStage2Block/wrong_committee"] = stage2Vector("a is on committee 1 (as after an epoch moved it); the batch is committee 0's", chain, moved, signStage2(moved, block));
  out["processStage2Block/not_continuing"] = stage2Vector("block 1 applies a's affirmation of block 0 again: it does not continue a's affirmed chain", chain, s2, signStage2(s2, { ...block, header: { ...block.header, number: 1, parentRoot: s2.stage2Root } }));

  // Evidence inside a block.
  const ev = wrongEvidence("signed").ev;
  const withEvidence = signStage2(s2, { header: { ...block.header, number: 1, parentRoot: s2.stage2Root }, inclusions: [], evidence: [ev] });
  out["processStage2Block/evidence_slashes"] = stage2Vector(
    `block 1 carries signed evidence against validator ${ev.signers[0]} of committee 0: slashed, it leaves committee 0; the block is attested by the slot committee drawn among the validators left`,
    chain,
    s2,
    withEvidence,
  );
  out["processStage2Block/evidence_attested_by_pre_evidence_committee"] = stage2Vector(
    "the same block attested by the slot committee drawn before the evidence slashed its member: the attesting committee is chosen after the block's evidence",
    chain,
    s2,
    resignHeader(s2, withEvidence),
  );
  out["processStage2Block/stale_evidence"] = stage2Vector(
    "block 1 carries a fraud proof against a's state 3, which is not affirmed",
    chain,
    s2,
    signStage2(s2, { header: { ...block.header, number: 1, parentRoot: s2.stage2Root }, inclusions: [], evidence: [{ ...ev, kind: EVIDENCE_KINDS.fraud, position: 2 }] }),
  );
  return [s2, s3];
}

/** One faulty member of committee 0 (a minority: it signs a variant) or all four (a majority: their state is wrong and only they sign). */
function faultyRun(fraction: number) {
  const r = afterRound(DELAYED_CHAIN, false, new WrongSignersBehaviour([{ committee: 0, fraction, fromSlot: 0 }], setup(DELAYED_CHAIN).state.committees));
  return { ...r, fullNode: new FullNode(r.views, runtime) };
}

/**
 * Real evidence: `signed` against the variant a faulty minority of committee 0 signed (its leaf for
 * a's first transaction has a wrong post-root); `fraud` against the same wrong root signed by the
 * whole committee and applied in block 0. Each with the full node's one-step proof.
 */
function wrongEvidence(kind: "signed" | "fraud"): { ev: ProvenEvidenceValue; pre: DelayedState; honest: Batch; batch: Batch } {
  const r = faultyRun(kind === "signed" ? 0.25 : 1);
  const batch = kind === "signed" ? r.batches.find((b) => b.attestation.signers.length === 1)! : r.batches.find((b) => b.header.committee === 0)!;
  const honest = r.batches.find((b) => b.header.committee === 0 && b !== batch) ?? batch;
  let pre = r.s1;
  if (kind === "fraud") {
    pre = processStage2Block(r.s1, signStage2(r.s1, buildStage2Block(r.s1, [], holdAll([batch]), 1, 0, { verifier })), { verifier, runtime }).state;
    r.views.chain = pre;
  }
  const d = r.fullNode.checkAffirmation(batch, 0, kind, 1)!;
  return { ev: buildEvidence(pre, d)!, pre, honest, batch };
}

function evidenceVectors(out: Record<string, DelayedVector>, s2: DelayedState): void {
  const chain = DELAYED_CHAIN;
  const { ev, honest, batch } = wrongEvidence("signed");
  const fraud = wrongEvidence("fraud");
  out["processEvidence/signed_slashes"] = evidenceVector(`signed evidence against the variant validator ${ev.signers[0]} of committee 0 signed (a wrong post-root for a's state 1), with the one-step proof: its stake moves to the treasury, it leaves committee 0`, chain, s2, ev);
  out["processEvidence/fraud_rolls_back_cone"] = evidenceVector(
    "a fraud proof against a's affirmed state 1, which all four members of committee 0 signed wrong: a goes back to state 0, the four are slashed",
    chain,
    fraud.pre,
    fraud.ev,
  );
  out["processEvidence/stale_fraud_proof"] = evidenceVector("a fraud proof against a's state 3, which is not affirmed", chain, s2, { ...ev, kind: EVIDENCE_KINDS.fraud, position: 2 });
  out["processEvidence/unknown_contract"] = evidenceVector("evidence against a contract that is not on chain", chain, s2, { ...ev, contract: encodeContractId("zz") });
  out["processEvidence/unknown_kind"] = evidenceVector("evidence of kind 7 (only 0 signed and 1 fraud exist)", chain, s2, { ...ev, kind: 7 });
  out["processEvidence/leaves_agree"] = evidenceVector("the recomputed leaf is the claimed one: nothing is disproved", chain, s2, { ...ev, recomputedLeaf: ev.claimedLeaf });
  const slashed = processEvidence(s2, ev, { verifier, runtime }).state;
  out["processEvidence/already_slashed"] = evidenceVector("the same evidence again: its signer is already slashed", chain, slashed, ev);
  out["processEvidence/unknown_signer"] = evidenceVector("validator 99, who does not exist, among the signers", chain, s2, { ...ev, signers: [...ev.signers, 99] });
  out["processEvidence/slashes_nobody"] = evidenceVector("signed evidence with no signers", chain, s2, { ...ev, signers: [] });
  // What evidence must prove (each against what the verifier already trusts).
  const p = ev.proof;
  const honestMember = honest.attestation.signers.find((i) => !ev.signers.includes(i))!;
  const outsider = s2.committees[1]![0]!.index;
  out["processEvidence/batch_mismatch"] = evidenceVector("the proof's batch header (round 7) is not the disputed batch", chain, s2, { ...ev, proof: { ...p, batchHeader: { ...p.batchHeader, round: 7 } } });
  out["processEvidence/signer_not_member"] = evidenceVector(`validator ${outsider}, of committee 1, named as a signer of committee 0's batch`, chain, s2, { ...ev, signers: [outsider] });
  out["processEvidence/signer_not_in_batch"] = evidenceVector(`honest validator ${honestMember} of committee 0, who did not sign the variant, named as its signer`, chain, s2, { ...ev, signers: [honestMember] });
  out["processEvidence/forged_batch_signers"] = evidenceVector(`the proof claims honest validator ${honestMember} signed the variant too: the aggregate does not verify with their key`, chain, s2, { ...ev, signers: [...ev.signers, honestMember].sort((x, y) => x - y), proof: { ...p, batchSigners: [...p.batchSigners, honestMember] } });
  out["processEvidence/bad_batch_signature"] = evidenceVector("the batch's aggregate signature is over another message", chain, s2, { ...ev, proof: { ...p, batchSignature: collectAttestation(verifier, batch.members.filter((v) => ev.signers.includes(v.index)), sha256("not this batch")).signature } });
  out["processEvidence/leaf_not_committed"] = evidenceVector("the claimed leaf is not the one the affirmation's results root commits", chain, s2, { ...ev, claimedLeaf: flip(ev.claimedLeaf) });
  out["processEvidence/wrong_committee"] = evidenceVector("evidence against b (committee 1's) with committee 0's batch", chain, s2, { ...ev, contract: encodeContractId("b") });
  out["processEvidence/proof_root_mismatch"] = evidenceVector("the witnesses do not hash to the evidence's proof root", chain, s2, { ...ev, proofRoot: sha256("proof") });
  const w = p.witnesses[0]!;
  const moved = { ...p, witnesses: [{ ...w, root: flip(w.root) }] };
  out["processEvidence/untrusted_root"] = evidenceVector(
    "the one-step proof starts from a root of a that neither the chain nor the signers stand by (proof root recomputed to match)",
    chain,
    s2,
    { ...ev, proof: moved, proofRoot: computeProofRoot(decodeWitnesses("a", moved.witnesses)) },
  );
  out["processEvidence/not_disproved"] = evidenceVector("the recomputed leaf is not what re-executing the transaction over the witnesses gives", chain, s2, { ...ev, recomputedLeaf: flip(ev.recomputedLeaf) });
  out["processEvidence/fraud_not_on_chain"] = evidenceVector("a fraud proof against the minority's variant: a's affirmed state 1 is the honest root, not the disputed one", chain, s2, { ...ev, kind: EVIDENCE_KINDS.fraud });
}

function epochVectors(out: Record<string, DelayedVector>): void {
  const adaptive: DelayedChainJson = { ...DELAYED_CHAIN, assignment: "adaptive" };
  const a = afterRound(adaptive);
  out["processEpochBoundary/adaptive_colocates"] = epochVector("adaptive: a and b were named together once; the boundary puts them on one committee (load bound 2) and halves the graph's weights", adaptive, a.s1);
  out["processEpochBoundary/adaptive_empty_graph"] = epochVector("adaptive at genesis: no co-access recorded, nothing moves", adaptive, a.genesis);
  const s = afterRound(DELAYED_CHAIN);
  out["processEpochBoundary/shuffle_unchanged"] = epochVector("shuffle: the boundary changes nothing", DELAYED_CHAIN, s.s1);
}

export function generateDelayedVectors(): Record<string, DelayedVector> {
  const out: Record<string, DelayedVector> = {};
  stage1Vectors(out);
  const [s2] = stage2Vectors(out);
  evidenceVectors(out, s2!);
  epochVectors(out);
  return out;
}
