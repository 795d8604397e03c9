/**
 * The two-stage chain's transitions verify what they import (issue 10 §3): hand-built invalid
 * Stage-1 and Stage-2 blocks get the typed error naming the rule, and the state given is unchanged.
 */
import { describe, expect, it } from "vitest";
import { collectAttestation, createValidators, deployGenesis, computeGenesisAccounts, type Attestation, type AttestationFault } from "../../src/chain/index.js";
import { createBatchBlsVerifier, createBlsVerifier, type BatchSignatureVerifier } from "../../src/crypto/bls.js";
import { sha256 } from "../../src/crypto/hash.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm, Runtime } from "../../src/runtime/index.js";
import { CommitteeViews } from "../../src/protocols/delayed/committee.js";
import { HONEST_BEHAVIOUR, type CommitteeBehaviour } from "../../src/protocols/delayed/behaviour.js";
import { BatchHeader, Stage2Header } from "../../src/protocols/delayed/containers.js";
import { createGenesisState } from "../../src/protocols/delayed/genesis.js";
import { buildStage1Block, getStage1Committee, processStage1Block, type SignedStage1Block } from "../../src/protocols/delayed/stage1.js";
import { buildStage2Block, computeBatchSigningRoot, computeInclusions, computeStage2SigningRoot, getStage2Committee, processStage2Block, type Batch, type HeldAffirmation, type SignedStage2Block, type Stage2Block } from "../../src/protocols/delayed/stage2.js";
import { getAffirmedIdx, getContract, type DelayedState } from "../../src/protocols/delayed/state.js";
import { TxFactory } from "../../src/workloads/common.js";
import { touchProgram } from "../../src/workloads/programs.js";
import { commitList, type MerkleKV } from "../../src/state/index.js";
import { errorCodeOf } from "../helpers/errors.js";

const verifier = createBlsVerifier();
const runtime = new Runtime();
const code = (c: string): Uint8Array => loadLibraryWasm(c as (typeof LIBRARY_CONTRACTS)[number]);

/** Counters a (committee 0) and b (committee 1); 8 validators, committees of 4; transactions touching [a] and [a, b]. */
function setup(mode: "strict" | "conditional", stage2PerSlot = 1) {
  const f = new TxFactory(2);
  // Each declares 2,000,000 gas (the Stage-1 limit tests below count with it).
  const txs = [f.submit(0, f.users[0]!, touchProgram(["a"]), "a", { gasLimit: 2_000_000n }), f.submit(0, f.users[1]!, touchProgram(["a", "b"]), "a,b", { gasLimit: 2_000_000n })];
  const genesis = { contracts: [{ id: "a", code: "counter", init: [], placement: 0 }, { id: "b", code: "counter", init: [], placement: 1 }], accounts: f.accountSpecs() };
  const deployed = deployGenesis(runtime, genesis, code);
  const state = createGenesisState(
    { seed: "blocks", committees: 2, committeeSize: 4, blockTxLimit: 16, slotGas: 64_000_000, stage2PerSlot, stage1Bytes: 1 << 20, stage2Mode: mode, assignment: "shuffle", loadBound: 1.25 },
    createValidators(8, "blocks"),
    deployed.map((d) => ({ id: d.id, codeHash: d.codeHash, root: d.state.root(), placement: d.placement as number })),
    computeGenesisAccounts(genesis),
  );
  return { state, genesisKv: new Map<string, MerkleKV>(deployed.map((d) => [d.id, d.state])), stxs: txs };
}

function signStage1(s: DelayedState, built: NonNullable<ReturnType<typeof buildStage1Block>>): SignedStage1Block {
  return { ...built.block, attestation: collectAttestation(verifier, getStage1Committee(s, built.block.header.slot), built.signingRoot) };
}

function signStage2(s: DelayedState, block: Stage2Block): SignedStage2Block {
  const attesters = getStage2Committee(s, block.header.number);
  return { ...block, root: Stage2Header.hashTreeRoot(block.header), attestation: collectAttestation(verifier, attesters, computeStage2SigningRoot(s, block.header)), attesters };
}

/** Sequences the transactions, lets both committees execute and sign; returns the state and their batches. */
function afterRound(mode: "strict" | "conditional", behaviour: CommitteeBehaviour = HONEST_BEHAVIOUR, stage2PerSlot?: number) {
  const { state, genesisKv, stxs } = setup(mode, stage2PerSlot);
  const { state: s1 } = processStage1Block(state, signStage1(state, buildStage1Block(state, stxs, 0)!), verifier);
  const views = new CommitteeViews(s1, genesisKv, { runtime, verifier, keepHistory: false, behaviour });
  views.addTxs([0, 1]);
  const batches: Batch[] = [];
  for (let k = 0; k < 2; k++) {
    views.deliverStage1(k, 0, 2);
    views.executeReady(k, 1);
  }
  for (let k = 0; k < 2; k++) for (const b of views.produceBatches(k, 1)) batches.push(b.batch);
  const held = new Map<string, HeldAffirmation[]>();
  for (const batch of batches) batch.candidates.forEach((c, index) => held.set(c.contract, [...(held.get(c.contract) ?? []), { batch, index }]));
  return { s1, batches, held, views };
}

const code_ = errorCodeOf;

describe("delayed: Stage-1 blocks are verified on import", () => {
  const { state, stxs } = setup("strict");
  const built = buildStage1Block(state, stxs, 0)!;
  const good = signStage1(state, built);

  it("a valid block sequences its transactions and queues them on their contracts", () => {
    const { state: s, seqs } = processStage1Block(state, good, verifier);
    expect(seqs).toEqual([0, 1]);
    expect(getContract(s, "a").queue.length).toBe(2);
    expect(getContract(s, "b").queue.length).toBe(1);
  });

  it.each([
    ["BAD_PARENT", (): SignedStage1Block => ({ ...good, header: { ...good.header, parentRoot: sha256("other") } })],
    ["WRONG_PROPOSER", (): SignedStage1Block => ({ ...good, header: { ...good.header, proposer: (good.header.proposer + 1) % 8 } })],
    ["BAD_TXS_ROOT", (): SignedStage1Block => ({ ...good, txs: good.txs.slice(0, 1) })],
    ["BAD_SEQUENCE", (): SignedStage1Block => ({ ...good, header: { ...good.header, firstSeq: 5 } })],
    ["BAD_SIGNATURE", (): SignedStage1Block => ({ ...good, attestation: { ...good.attestation, signature: collectAttestation(verifier, getStage1Committee(state, 0), sha256("x")).signature } })],
    ["NO_SUPERMAJORITY", (): SignedStage1Block => ({ ...good, attestation: { ...good.attestation, signers: good.attestation.signers.slice(0, 1) } })],
  ])("%s: the typed error names the rule; the state is unchanged", (expected, make) => {
    expect(code_(() => processStage1Block(state, make(), verifier))).toBe(expected);
    expect(state.txs.length).toBe(0);
    expect(getContract(state, "a").queue.length).toBe(0);
  });

  it("STAGE1_GAS_EXCEEDED, STAGE1_BYTES_EXCEEDED, FEE_CAP_BELOW_BASE_FEE: the block's declared gas, bytes and fee caps are checked", () => {
    // Declared gas: 2 × 2,000,000 over slotGas × committees = 2 × 1,000,000.
    expect(code_(() => processStage1Block({ ...state, params: { ...state.params, slotGas: 1_000_000 } }, good, verifier))).toBe("STAGE1_GAS_EXCEEDED");
    expect(code_(() => processStage1Block({ ...state, params: { ...state.params, stage1Bytes: 100 } }, good, verifier))).toBe("STAGE1_BYTES_EXCEEDED");
    expect(code_(() => processStage1Block({ ...state, stage1BaseFee: 11n }, good, verifier))).toBe("FEE_CAP_BELOW_BASE_FEE");
    expect(state.stage1BaseFee).toBe(1n);
  });

  it("the builder keeps what does not fit or pays below the base fee; the base fee follows declared gas (EIP-1559)", () => {
    const tight = { ...state, params: { ...state.params, slotGas: 1_000_000 } };
    const one = buildStage1Block(tight, stxs, 0)!;
    expect(one.block.txs.length).toBe(1);
    expect(one.deferred.length).toBe(1);
    const expensive = buildStage1Block({ ...state, stage1BaseFee: 11n }, stxs, 0)!;
    expect(expensive.block.txs.length).toBe(0);
    expect(expensive.belowBaseFee.length).toBe(2);
    // 4,000,000 declared of 128,000,000: far below the target, the base fee cannot fall below 1.
    expect(processStage1Block(state, good, verifier).state.stage1BaseFee).toBe(1n);
    // A full block (its whole limit declared) raises it by 1/8.
    const full = { ...state, params: { ...state.params, slotGas: 2_000_000 } , stage1BaseFee: 8n };
    expect(processStage1Block(full, signStage1(full, buildStage1Block(full, stxs, 0)!), verifier).state.stage1BaseFee).toBe(9n);
  });

  it("INVALID_TX: the same block against a state where its senders cannot pay the fee", () => {
    const poor: DelayedState = { ...state, beacon: { balances: new Map([...state.beacon.balances].map(([k]) => [k, 0n] as [string, bigint])), nonces: state.beacon.nonces } };
    expect(code_(() => processStage1Block(poor, good, verifier))).toBe("INVALID_TX");
  });

  it("a verifier that checks the signature meanwhile (startVerifyAggregate) gives the same errors in the same order and the same state", () => {
    const badSig: SignedStage1Block = { ...good, attestation: { ...good.attestation, signature: collectAttestation(verifier, getStage1Committee(state, 0), sha256("x")).signature } };
    const poor: DelayedState = { ...state, beacon: { balances: new Map([...state.beacon.balances].map(([k]) => [k, 0n] as [string, bigint])), nonces: state.beacon.nonces } };
    const tight: DelayedState = { ...state, params: { ...state.params, slotGas: 1_000_000 } };
    let reads = 0;
    // Starts by remembering the arguments; the verdict is computed only when read (after the rest of the block).
    const starting = { ...verifier, startVerifyAggregate: (pks: readonly Uint8Array[], msg: Uint8Array, sig: Uint8Array) => () => (reads++, verifier.verifyAggregate(pks, msg, sig)) };
    for (const [pre, block] of [[state, good], [state, badSig], [poor, good], [poor, badSig], [tight, badSig], [tight, good]] as const) {
      const plain = code_(() => processStage1Block(pre, block, verifier));
      const before = reads;
      expect(code_(() => processStage1Block(pre, block, starting))).toBe(plain);
      expect(reads).toBe(before + 1);
    }
    // The attestation's fault comes before a later rule's, as in one sequential check.
    expect(code_(() => processStage1Block(poor, badSig, starting))).toBe("BAD_SIGNATURE");
    expect(code_(() => processStage1Block(tight, badSig, starting))).toBe("BAD_SIGNATURE");
    const a = processStage1Block(state, good, verifier);
    const b = processStage1Block(state, good, starting);
    expect(b.seqs).toEqual(a.seqs);
    expect(b.state.stage1Root).toEqual(a.state.stage1Root);
    expect(b.state.beacon).toEqual(a.state.beacon);
    // Without signature checks nothing is started.
    const n = reads;
    processStage1Block(state, good, starting, { verifySignatures: false });
    expect(reads).toBe(n);
  });
});

describe("delayed: Stage-2 blocks are verified on import", () => {
  it("a block built from the committees' batches verifies and applies; the same batch again does not continue the chain", () => {
    const { s1, held } = afterRound("strict");
    const block = signStage2(s1, buildStage2Block(s1, [], held, 1, 0, { verifier }));
    const { state: s2, effects } = processStage2Block(s1, block, { verifier });
    // Strict: a's committee executes both (b's state 0 is affirmed at genesis); b's waits for a's affirmation.
    expect(getAffirmedIdx(getContract(s2, "a"))).toBe(2);
    expect(getAffirmedIdx(getContract(s2, "b"))).toBe(0);
    expect(effects.applied.length).toBeGreaterThan(0);
    const again = signStage2(s2, { ...block, header: { ...block.header, number: 1, parentRoot: s2.stage2Root } });
    expect(code_(() => processStage2Block(s2, again, { verifier }))).toBe("NOT_CONTINUING");
  });

  it("wrong batch root, bad aggregate, header not signed by its committee: typed errors", () => {
    const { s1, held } = afterRound("strict");
    const block = buildStage2Block(s1, [], held, 1, 0, { verifier });
    const inc = block.inclusions[0]!;
    const forged: Batch = { ...inc.batch, header: { ...inc.batch.header, round: 7 } };
    const withBatch = (b: Batch): Stage2Block => ({ ...block, inclusions: computeInclusions(new Map([[b.candidates[0]!.contract, inc.applied.map((index) => ({ batch: b, index }))]])) });
    expect(code_(() => processStage2Block(s1, signStage2(s1, recommit(withBatch(forged))), { verifier }))).toBe("BAD_BATCH_ROOT");
    const other = collectAttestation(verifier, inc.batch.members, sha256("not this batch"));
    const badAggregate: Batch = { ...inc.batch, attestation: { ...inc.batch.attestation, signature: other.signature } as Attestation };
    expect(code_(() => processStage2Block(s1, signStage2(s1, recommit(withBatch(badAggregate))), { verifier }))).toBe("BAD_SIGNATURE");
    const good = signStage2(s1, block);
    const wrongAttesters = { ...good, attestation: collectAttestation(verifier, s1.validators.filter((v) => !good.attesters.includes(v)).slice(0, 4), sha256("x")) };
    expect(code_(() => processStage2Block(s1, wrongAttesters, { verifier }))).toBe("UNKNOWN_SIGNER");
  });

  it("a verifier that checks the header's signature meanwhile (startVerifyAggregate) gives the same errors in the same order and the same state", () => {
    const { s1, held } = afterRound("strict");
    const block = buildStage2Block(s1, [], held, 1, 0, { verifier });
    const good = signStage2(s1, block);
    const inc = block.inclusions[0]!;
    const forged: Batch = { ...inc.batch, header: { ...inc.batch.header, round: 7 } };
    const badRoot = signStage2(s1, recommit({ ...block, inclusions: computeInclusions(new Map([[forged.candidates[0]!.contract, inc.applied.map((index) => ({ batch: forged, index }))]])) }));
    const s2 = processStage2Block(s1, good, { verifier }).state;
    const again = signStage2(s2, { ...block, header: { ...block.header, number: 1, parentRoot: s2.stage2Root } });
    const badSig = (b: SignedStage2Block): SignedStage2Block => ({ ...b, attestation: { ...b.attestation, signature: collectAttestation(verifier, b.attesters, sha256("x")).signature } });
    let reads = 0;
    // Starts by remembering the arguments; the verdict is computed only when read (after the rest of the block).
    const starting = { ...verifier, startVerifyAggregate: (pks: readonly Uint8Array[], msg: Uint8Array, sig: Uint8Array) => () => (reads++, verifier.verifyAggregate(pks, msg, sig)) };
    const cases = [[s1, good], [s1, badSig(good)], [s1, badRoot], [s1, badSig(badRoot)], [s2, again], [s2, badSig(again)]] as const;
    expect(cases.map(([pre, b]) => code_(() => processStage2Block(pre, b, { verifier })))).toEqual(["no error", "BAD_SIGNATURE", "BAD_BATCH_ROOT", "BAD_SIGNATURE", "NOT_CONTINUING", "BAD_SIGNATURE"]);
    for (const [pre, b] of cases) {
      const plain = code_(() => processStage2Block(pre, b, { verifier }));
      const before = reads;
      expect(code_(() => processStage2Block(pre, b, { verifier: starting }))).toBe(plain);
      expect(reads).toBe(before + 1);
    }
    const a = processStage2Block(s1, good, { verifier });
    const c = processStage2Block(s1, good, { verifier: starting });
    expect(c.state.stage2Root).toEqual(a.state.stage2Root);
    expect(c.effects.applied.map((x) => x.finalized)).toEqual(a.effects.applied.map((x) => x.finalized));
    expect([...c.state.contracts.keys()].map((id) => getAffirmedIdx(getContract(c.state, id)))).toEqual([...a.state.contracts.keys()].map((id) => getAffirmedIdx(getContract(a.state, id))));
    // Without signature checks, or without an attestation to check, nothing is started.
    const n = reads;
    processStage2Block(s1, good, { verifier: starting, verifySignatures: false });
    processStage2Block(s1, badSig(good), { verifier: starting, verifyAttestation: false });
    expect(reads).toBe(n);
  });

  it("OVER_BUDGET: a committee executes within its Stage-2 budget; a batch reporting more gas than the budget is refused", () => {
    // Budget 64,000,000 / 32,000 Stage-2 blocks per slot = 2,000 gas: a's committee executes the
    // first transaction alone (over the budget, but the round's first execution always fits), the
    // second waits for the next round.
    const { s1, batches, views } = afterRound("strict", HONEST_BEHAVIOUR, 32_000);
    const a = batches.find((b) => b.header.committee === 0)!;
    expect(a.header.executions).toBe(1);
    expect(a.header.gasUsed).toBeGreaterThan(2_000);
    expect(a.candidates.map((c) => [c.from, c.to])).toEqual([[0, 1]]);
    views.executeReady(0, 2);
    const next = views.produceBatches(0, 2).map((b) => b.batch);
    expect(next[0]?.candidates.map((c) => [c.from, c.to])).toEqual([[1, 2]]);
    // The same batch, re-signed by its committee with two executions reported: over the budget.
    const header = { ...a.header, executions: 2 };
    const root = BatchHeader.hashTreeRoot(header);
    const forged: Batch = { ...a, header, root, attestation: collectAttestation(verifier, a.members, computeBatchSigningRoot(s1, root)) };
    const held = new Map([[forged.candidates[0]!.contract, [{ batch: forged, index: 0 }]]]);
    const block: Stage2Block = { ...buildStage2Block(s1, [], new Map(), 1, 0, { verifier }), inclusions: computeInclusions(held) };
    expect(code_(() => processStage2Block(s1, signStage2(s1, recommit(block)), { verifier }))).toBe("OVER_BUDGET");
    // The proposer's choice skips it; the honest batch is accepted.
    expect(buildStage2Block(s1, [], held, 1, 0, { verifier }).inclusions.length).toBe(0);
    const honest = buildStage2Block(s1, [], new Map([["a", [{ batch: a, index: 0 }]]]), 1, 0, { verifier });
    expect(getAffirmedIdx(getContract(processStage2Block(s1, signStage2(s1, honest), { verifier }).state, "a"))).toBe(1);
  });

  it("conditional: an affirmation whose assumed root is not affirmed in the block or before is refused", () => {
    const { s1, batches } = afterRound("conditional");
    // b's committee executed the [a, b] transaction over its own view of a: it assumes a's root.
    const assuming = batches.find((x) => x.candidates.some((c) => c.assumptions.length > 0))!;
    const other = batches.find((x) => x !== assuming)!;
    const only = (list: Batch[]) => new Map(list.flatMap((x) => x.candidates.map((c, index) => [c.contract, [{ batch: x, index }]] as [string, HeldAffirmation[]])));
    const block = { ...buildStage2Block(s1, [], new Map(), 1, 0, { verifier }), inclusions: computeInclusions(only([assuming])) };
    expect(code_(() => processStage2Block(s1, signStage2(s1, recommit(block)), { verifier }))).toBe("ASSUMPTION_NOT_AFFIRMED");
    // With a's batch in the same block both are accepted together.
    const both = buildStage2Block(s1, [], only([assuming, other]), 1, 0, { verifier });
    expect(processStage2Block(s1, signStage2(s1, both), { verifier }).effects.applied.length).toBeGreaterThan(1);
  });
});

describe("delayed: a proposer checks the held batches' aggregates together when its verifier can (verifyAggregateSets)", () => {
  it("the same choice and verdicts as one by one; one bad aggregate among them is still found and left out", () => {
    const { s1, batches, held } = afterRound("conditional");
    expect(batches).toHaveLength(2);
    const inner = createBatchBlsVerifier();
    const calls = { single: 0, sets: 0 };
    const counting: BatchSignatureVerifier = {
      ...inner,
      verifyAggregate: (pubkeys, msg, sig) => (calls.single++, inner.verifyAggregate(pubkeys, msg, sig)),
      verifyAggregateSets: (sets) => ((calls.sets += sets.length), inner.verifyAggregateSets(sets)),
    };
    const plain = buildStage2Block(s1, [], held, 1, 0, { verifier });
    expect(plain.inclusions).toHaveLength(2);
    expect(buildStage2Block(s1, [], held, 1, 0, { verifier: counting, cache: new WeakMap() })).toEqual(plain);
    expect(calls).toEqual({ single: 0, sets: 2 });

    const other = collectAttestation(verifier, batches[0]!.members, sha256("not this batch"));
    const bad: Batch = { ...batches[0]!, attestation: { ...batches[0]!.attestation, signature: other.signature } as Attestation };
    const withBad = new Map([...held].map(([c, list]) => [c, list.map((e) => (e.batch === batches[0] ? { ...e, batch: bad } : e))]));
    const cache = new WeakMap<Batch, AttestationFault | "ok">();
    const chosen = buildStage2Block(s1, [], withBad, 1, 0, { verifier: counting, cache });
    expect(chosen).toEqual(buildStage2Block(s1, [], withBad, 1, 0, { verifier }));
    expect(chosen.inclusions.map((i) => i.batch)).not.toContain(bad);
    expect([cache.get(bad), cache.get(batches[1]!)]).toEqual(["BAD_SIGNATURE", "ok"]);
    expect(calls).toEqual({ single: 2, sets: 4 });
  });
});

/** A block whose header commits its (hand-changed) inclusions, so that only the change is wrong. */
function recommit(b: Stage2Block): Stage2Block {
  return { ...b, header: { ...b.header, batchesRoot: commitList(b.inclusions.map((i) => i.root)).root } };
}

describe("delayed: who signs (CommitteeBehaviour.isSigning, liveness faults)", () => {
  /** Committee 0 with `absent` of its members not signing (the one with the least stake first). */
  const without = (absent: number): CommitteeBehaviour => {
    const { state } = setup("strict");
    const out = new Set([...(state.committees[0] ?? [])].sort((a, b) => a.stake - b.stake || a.index - b.index).slice(0, absent).map((v) => v.index));
    return { ...HONEST_BEHAVIOUR, isSigning: (v) => !out.has(v.index) };
  };

  it("a batch without one member's signature still carries 2/3 and the block built from it imports", () => {
    const { s1, batches, held } = afterRound("strict", without(1));
    const batch0 = batches.find((b) => b.header.committee === 0) as Batch;
    expect(batch0.attestation.signers).toHaveLength(3);
    const { state: s2 } = processStage2Block(s1, signStage2(s1, buildStage2Block(s1, [], held, 1, 0, { verifier })), { verifier });
    expect(getAffirmedIdx(getContract(s2, "a"))).toBe(2);
  });

  it("below 2/3 signing, the committee signs nothing and its work waits for the members to return", () => {
    let absent = 3;
    const behaviour: CommitteeBehaviour = { ...HONEST_BEHAVIOUR, isSigning: (v, slot) => absent === 0 || without(absent).isSigning?.(v, slot) !== false };
    const { views } = afterRound("strict", behaviour);
    expect(views.produceBatches(0, 2)).toEqual([]);
    absent = 0;
    const back = views.produceBatches(0, 3);
    expect(back).toHaveLength(1);
    const c = (back[0]?.batch.candidates ?? []).find((x) => x.contract === "a");
    expect([c?.from, c?.to]).toEqual([0, 2]);
    expect(back[0]?.batch.attestation.signers).toHaveLength(4);
  });
});

describe("delayed: a proposal is checked before it is attested (verifyAttestation: false)", () => {
  it("an unattested Stage-1 proposal passes every other rule only with verifyAttestation false, and still fails them", () => {
    const { state, stxs } = setup("strict");
    const built = buildStage1Block(state, stxs, 0)!;
    const proposal = { ...built.block, attestation: { signers: [], signature: new Uint8Array(96) } };
    expect(code_(() => processStage1Block(state, proposal, verifier))).toBe("NO_SUPERMAJORITY");
    expect(processStage1Block(state, proposal, verifier, { verifyAttestation: false }).seqs).toHaveLength(2);
    const wrongRoot = { ...proposal, header: { ...proposal.header, txsRoot: new Uint8Array(32) } };
    expect(code_(() => processStage1Block(state, wrongRoot, verifier, { verifyAttestation: false }))).toBe("BAD_TXS_ROOT");
  });
});
