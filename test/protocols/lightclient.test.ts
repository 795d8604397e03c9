/**
 * Light clients anchored in genesis (issue 14 §1): proofs from real runs verify against the anchor
 * derived from the same run's genesis; forged keys, edited committees, relabelled proofs, other
 * chains' proofs and ill-typed fields are all refused with a typed error.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createBlsVerifier, validatorKeyFromSeed, type ValidatorKey } from "../../src/crypto/bls.js";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { commitList } from "../../src/state/index.js";
import { Runtime } from "../../src/runtime/index.js";
import { deployGenesis } from "../../src/sim/world.js";
import { computeCommittees, computeGenesisRoot, computeSigningRoot, computeSlotCommittee, createValidators, DOMAIN_STAGE2_COMMITTEE, type Validator } from "../../src/chain/index.js";
import { createGenesisAnchor, encodeGenesisFile, parseGenesisFile } from "../../src/chain/anchorFile.js";
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
  encodeContractId,
} from "../../src/protocols/delayed/containers.js";
import {
  computeContractCommittee,
  createGenesisTrust,
  createTxProofChecker,
  verifyTxOutcomeProof,
  verifyTxOutcomeProofs,
  type TrustAnchor,
  type TxOutcomeProof,
} from "../../src/protocols/delayed/lightclient.js";
import type { RunConfig } from "../../src/sim/protocol.js";
import type { GeneratedWorkload } from "../../src/workloads/types.js";
import { run, scenario, workload } from "../helpers/run.js";

const verifier = createBlsVerifier();
/** Room in the execution budgets (issue 11 §1): these runs are about proofs, not capacity. */
const CFG: Partial<RunConfig> = { shards: 3, signatures: true, validators: 12, committeeSize: 4, slotGas: 64_000_000 };

/** The anchor of a run, derived from its genesis exactly as the chain derives it. */
function anchorOf(w: GeneratedWorkload, cfg: Partial<RunConfig> = CFG, seed = "1"): TrustAnchor {
  const g = createGenesisAnchor(
    { seed, validators: cfg.validators as number, committeeSize: cfg.committeeSize as number, committees: cfg.shards as number },
    deployGenesis(new Runtime(), w.genesis),
  );
  return createGenesisTrust(g);
}

/** Expects a typed XshardError with this code (and, if given, a message matching `text`). */
function refused(f: () => unknown, code: string, text?: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code}`).toMatchObject({ name: "XshardError", code });
  if (text) expect((err as Error).message).toMatch(text);
}

const swapDoc = JSON.parse(readFileSync("scenarios/single-swap-direct.json", "utf8"));
/** The swap (committed) and a transfer of more than alice holds behind a `require` (aborted). */
const twoTxDoc = {
  ...swapDoc,
  transactions: [
    ...swapDoc.transactions,
    {
      slot: 0,
      sender: "alice",
      program: { steps: [{ call: "tokenA.transfer", args: [{ principal: "exchange" }, { u64: "100000" }] }, { require: { ref: 0 } }] },
    },
  ],
};
const w = scenario(twoTxDoc);
const out = run("delayed", w, CFG);
const anchor = anchorOf(w);
const proof0 = out.proveTx!(0) as TxOutcomeProof;
const proof1 = out.proveTx!(1) as TxOutcomeProof;
const clone = (p: TxOutcomeProof): TxOutcomeProof => structuredClone(p);

describe("light client: a real run verifies against its own genesis", () => {
  it("the outcomes and return values of both transactions, as the results file records them", () => {
    expect(out.results.txs.map((t) => t.outcome)).toEqual(["committed", "aborted"]);
    const v0 = verifyTxOutcomeProof(proof0, anchor, verifier);
    expect(v0.outcome).toBe("committed");
    expect(v0.txId).toBe(out.results.txs[0]!.id);
    expect(v0.values).toHaveLength(4);
    expect(new TextDecoder().decode(v0.values[2]!.slice(0, 4))).toBe("RCT1"); // "the contract returned these bytes"
    const v1 = verifyTxOutcomeProof(proof1, anchor, verifier);
    expect(v1.outcome).toBe("aborted");
    expect(v1.txId).toBe(out.results.txs[1]!.id);
    expect(v1.seq).not.toBe(v0.seq);
  });

  it("the genesis anchor survives its file form, and the chain's signatures are bound to its root", () => {
    const text = JSON.stringify(encodeGenesisFile(anchor.genesis));
    const parsed = createGenesisTrust(parseGenesisFile(JSON.parse(text)));
    expect(toHex(parsed.genesisRoot)).toBe(toHex(anchor.genesisRoot));
    expect(verifyTxOutcomeProof(proof0, parsed, verifier).outcome).toBe("committed");
    const doc = JSON.parse(text);
    doc.validators[0].stake += 1;
    refused(() => parseGenesisFile(doc), "BAD_ANCHOR", /genesisRoot does not match/);
  });

  it("a proof carries signer indices only: no keys, no stakes, no committee lists", () => {
    const text = JSON.stringify(proof0);
    for (const v of anchor.genesis.validators) expect(text).not.toContain(toHex(v.key.pubkey));
    expect(Object.keys(proof0.headerAttestation).sort()).toEqual(["signature", "signers"]);
    expect(Object.keys(proof0.batchAttestation).sort()).toEqual(["signature", "signers"]);
  });

  it("an affirmation that rests on assumed roots verifies; a changed assumption or an unapplied affirmation does not", () => {
    const wx = workload("exchange", { slots: 1, rate: 4, pools: 1, form: "direct", accounts: 8 });
    const o = run("delayed:conditional", wx, CFG);
    const p = o.proveTx!(3) as TxOutcomeProof;
    expect(p.affirmation.assumptions.length).toBeGreaterThan(0);
    const a = anchorOf(wx);
    expect(verifyTxOutcomeProof(p, a, verifier).outcome).toBe(o.results.txs[3]!.outcome);
    const bad = structuredClone(p);
    bad.affirmation.assumptions[0]!.root = "11".repeat(32);
    refused(() => verifyTxOutcomeProof(bad, a, verifier), "BAD_PROOF");
    const notApplied = structuredClone(p);
    notApplied.applied = notApplied.applied.filter((i) => i !== p.affirmationProof.index);
    refused(() => verifyTxOutcomeProof(notApplied, a, verifier), "BAD_PROOF");
  });
});

/**
 * A complete, internally consistent proof that `proof`'s transaction had `outcome`: one-leaf lists
 * all the way up, signed by `header` and `batch` (indices and keys) under `genesisRoot`.
 */
function forge(
  proof: TxOutcomeProof,
  outcome: "committed" | "aborted",
  header: { signers: number[]; keys: ValidatorKey[] },
  batch: { signers: number[]; keys: ValidatorKey[] },
  genesisRoot = anchor.genesisRoot,
): TxOutcomeProof {
  const values = proof.values.map((v) => (v === null ? null : { bytes: Buffer.from(v, "hex") }));
  const leafRoot = ResultLeaf.hashTreeRoot({
    seq: proof.leaf.seq,
    txId: Buffer.from(proof.leaf.txId, "hex"),
    outcome: OUTCOME_CODES[outcome],
    valuesRoot: computeValuesRoot(values),
    postRoot: Buffer.from(proof.leaf.postRoot, "hex"),
  });
  const a = proof.affirmation;
  const resultsRoot = commitList([leafRoot]).root;
  const affRoot = Affirmation.hashTreeRoot({
    contract: encodeContractId(a.contract),
    first: a.first,
    last: a.last,
    preRoot: Buffer.from(a.preRoot, "hex"),
    postRoot: Buffer.from(a.postRoot, "hex"),
    resultsRoot,
    assumptions: a.assumptions.map((x) => ({ contract: encodeContractId(x.contract), position: x.position, root: Buffer.from(x.root, "hex") })),
  });
  const batchHeader = { committee: proof.batch.committee, round: proof.batch.round, gasUsed: proof.batch.gasUsed, executions: proof.batch.executions, affirmationsRoot: commitList([affRoot]).root };
  const batchRoot = BatchHeader.hashTreeRoot(batchHeader);
  const h = proof.header;
  const stage2 = {
    number: h.number,
    slot: h.slot,
    parentRoot: Buffer.from(h.parentRoot, "hex"),
    batchesRoot: commitList([BatchInclusion.hashTreeRoot({ batchRoot, applied: [0] })]).root,
    evidenceRoot: Buffer.from(h.evidenceRoot, "hex"),
  };
  const headerRoot = Stage2Header.hashTreeRoot(stage2);
  const one = { count: 1, index: 0, branch: [] };
  return {
    ...proof,
    genesisRoot: toHex(genesisRoot),
    header: { ...h, batchesRoot: toHex(stage2.batchesRoot) },
    headerAttestation: { signers: header.signers, signature: toHex(verifier.signAggregate(header.keys, computeSigningRoot(DOMAIN_STAGE2, genesisRoot, headerRoot))) },
    batch: { ...proof.batch, affirmationsRoot: toHex(batchHeader.affirmationsRoot) },
    batchAttestation: { signers: batch.signers, signature: toHex(verifier.signAggregate(batch.keys, computeSigningRoot(DOMAIN_AFFIRMATION, genesisRoot, batchRoot))) },
    applied: [0],
    inclusion: one,
    affirmation: { ...a, resultsRoot: toHex(resultsRoot) },
    affirmationProof: one,
    leaf: { ...proof.leaf, outcome },
    leafProof: one,
  };
}

describe("light client: forged and edited proofs are refused", () => {
  const validators = createValidators(12, "1");
  const attesters = computeSlotCommittee(validators, "1", proof1.header.number, 4, DOMAIN_STAGE2_COMMITTEE);
  const committee = computeCommittees(validators, "1", 3, 4)[proof1.batch.committee] as Validator[];
  const signed = (vs: readonly Validator[]) => ({ signers: vs.map((v) => v.index), keys: vs.map((v) => v.key) });
  const fresh = Array.from({ length: 4 }, (_, i) => validatorKeyFromSeed(sha256("attacker", String(i))));

  it("the forger is sound: signed by the real committees' keys, a rewritten outcome would verify (so the refusals below are about keys)", () => {
    const forged = forge(proof1, "committed", signed(attesters), signed(committee));
    expect(verifyTxOutcomeProof(forged, anchor, verifier).outcome).toBe("committed");
  });

  it("'committed' for the aborted transaction, signed by fresh keys under the committees' indices: BAD_SIGNATURE", () => {
    const forged = forge(proof1, "committed", { signers: attesters.map((v) => v.index), keys: fresh }, signed(committee));
    refused(() => verifyTxOutcomeProof(forged, anchor, verifier), "BAD_SIGNATURE", /Stage-2 block .* does not verify under the derived committee's keys/);
    const forgedBatch = forge(proof1, "committed", signed(attesters), { signers: committee.map((v) => v.index), keys: fresh });
    refused(() => verifyTxOutcomeProof(forgedBatch, anchor, verifier), "BAD_SIGNATURE", /batch of committee/);
  });

  it("signed by one fresh key on no committee (index outside the derived committee, or outside the validator set): UNKNOWN_SIGNER", () => {
    const outsider = validators.find((v) => !attesters.includes(v)) as Validator;
    for (const index of [outsider.index, 999]) {
      const forged = forge(proof1, "committed", { signers: [index], keys: [fresh[0]!] }, signed(committee));
      refused(() => verifyTxOutcomeProof(forged, anchor, verifier), "BAD_SIGNATURE", new RegExp(`signer ${index} is not a member`));
    }
  });

  it("the old format's trick — a committee list with the forger's keys inside the proof — is refused as an unknown field", () => {
    const forged = forge(proof1, "committed", { signers: [0], keys: [fresh[0]!] }, { signers: [0], keys: [fresh[0]!] });
    const doc = structuredClone(forged) as unknown as { headerAttestation: Record<string, unknown>; batchAttestation: Record<string, unknown> };
    doc.headerAttestation.committee = [{ index: 0, pubkey: toHex(fresh[0]!.pubkey), stake: 64 }];
    doc.batchAttestation.committee = [{ index: 0, pubkey: toHex(fresh[0]!.pubkey), stake: 64 }];
    refused(() => verifyTxOutcomeProof(doc, anchor, verifier), "MALFORMED_PROOF", /headerAttestation\.committee is not a field/);
  });

  it("an edited signer list: too few, a duplicate, a non-member, another committee's batch", () => {
    const few = clone(proof0);
    few.batchAttestation.signers = few.batchAttestation.signers.slice(0, 1);
    refused(() => verifyTxOutcomeProof(few, anchor, verifier), "BAD_SIGNATURE", /less than 2\/3/);
    const dup = clone(proof0);
    dup.headerAttestation.signers = [...dup.headerAttestation.signers, dup.headerAttestation.signers[0]!];
    refused(() => verifyTxOutcomeProof(dup, anchor, verifier), "BAD_SIGNATURE", /listed twice/);
    const swapped = clone(proof0);
    const members = new Set(computeContractCommittee(anchor, proof0.batch.committee).map((v) => v.index));
    swapped.batchAttestation.signers[0] = validators.find((v) => !members.has(v.index))!.index;
    refused(() => verifyTxOutcomeProof(swapped, anchor, verifier), "BAD_SIGNATURE", /not a member/);
    const other = clone(proof0);
    other.batch.committee = (proof0.batch.committee + 1) % 3;
    refused(() => verifyTxOutcomeProof(other, anchor, verifier), "BAD_PROOF");
    const none = clone(proof0);
    none.batch.committee = 3;
    refused(() => verifyTxOutcomeProof(none, anchor, verifier), "BAD_PROOF", /committee 3 does not exist/);
  });

  it("a changed return byte, outcome or root", () => {
    const byte = clone(proof0);
    const v = byte.values[2]!;
    byte.values[2] = v.slice(0, -1) + (v.endsWith("0") ? "1" : "0");
    refused(() => verifyTxOutcomeProof(byte, anchor, verifier), "BAD_PROOF", /result in the affirmation/);
    const outcome = clone(proof1);
    outcome.leaf.outcome = "committed";
    refused(() => verifyTxOutcomeProof(outcome, anchor, verifier), "BAD_PROOF");
    const root = clone(proof0);
    root.affirmation.postRoot = "00".repeat(32);
    refused(() => verifyTxOutcomeProof(root, anchor, verifier), "BAD_PROOF");
  });
});

describe("light client: a proof answers only its own question (relabelling)", () => {
  it("asked about another transaction id, sequence number or contract: PROOF_MISMATCH", () => {
    const v0 = verifyTxOutcomeProof(proof0, anchor, verifier, { txId: out.results.txs[0]!.id, seq: proof0.leaf.seq, contract: proof0.affirmation.contract });
    expect(v0.outcome).toBe("committed");
    refused(() => verifyTxOutcomeProof(proof0, anchor, verifier, { txId: out.results.txs[1]!.id }), "PROOF_MISMATCH", /not [0-9a-f]{64}/);
    refused(() => verifyTxOutcomeProof(proof0, anchor, verifier, { seq: proof1.leaf.seq }), "PROOF_MISMATCH", /sequence number/);
    const elsewhere = ["exchange", "tokenA", "tokenB"].find((c) => c !== proof0.affirmation.contract)!;
    refused(() => verifyTxOutcomeProof(proof0, anchor, verifier, { contract: elsewhere }), "PROOF_MISMATCH", /contract/);
  });

  it("relabelled inside the file — another tx id or sequence number in the leaf, another contract in the affirmation, an index field — refused", () => {
    const id = clone(proof0);
    id.leaf.txId = proof1.leaf.txId;
    refused(() => verifyTxOutcomeProof(id, anchor, verifier), "BAD_PROOF");
    const seq = clone(proof0);
    seq.leaf.seq = proof1.leaf.seq;
    refused(() => verifyTxOutcomeProof(seq, anchor, verifier), "BAD_PROOF");
    const contract = clone(proof0);
    contract.affirmation.contract = ["exchange", "tokenA", "tokenB"].find((c) => c !== proof0.affirmation.contract)!;
    refused(() => verifyTxOutcomeProof(contract, anchor, verifier), "BAD_PROOF", /affirmation in the batch/);
    for (const field of ["txIndex", "contract"]) {
      const labelled = { ...clone(proof0), [field]: field === "txIndex" ? 2 : "tokenB" };
      refused(() => verifyTxOutcomeProof(labelled, anchor, verifier), "MALFORMED_PROOF", new RegExp(`proof\\.${field} is not a field`));
    }
  });
});

describe("light client: another chain's genesis", () => {
  const otherSeed = anchorOf(w, CFG, "2");
  /** tokenB minted 1,000,001 to the exchange instead of 1,000,000. */
  const otherGenesis = anchorOf(
    scenario({ ...twoTxDoc, contracts: twoTxDoc.contracts.map((c: { id: string }) => (c.id === "tokenB" ? { ...c, init: [{ principal: "exchange" }, { u64: "1000001" }] } : c)) }),
  );

  it("a proof checked against another chain's anchor: WRONG_CHAIN", () => {
    expect(toHex(otherSeed.genesisRoot)).not.toBe(toHex(anchor.genesisRoot));
    refused(() => verifyTxOutcomeProof(proof0, otherSeed, verifier), "WRONG_CHAIN");
  });

  it("relabelled with the other chain's genesis root: its signatures are bound to this chain, refused", () => {
    for (const other of [otherSeed, otherGenesis]) {
      const p = clone(proof0);
      p.genesisRoot = toHex(other.genesisRoot);
      refused(() => verifyTxOutcomeProof(p, other, verifier), "BAD_SIGNATURE");
    }
  });

  it("genesis contracts differ (same seed and validators): WRONG_CHAIN", () => {
    expect(toHex(computeGenesisRoot(otherGenesis.genesis))).not.toBe(toHex(anchor.genesisRoot));
    refused(() => verifyTxOutcomeProof(proof0, otherGenesis, verifier), "WRONG_CHAIN");
  });
});

describe("light client: every field is type-checked", () => {
  const edit = (f: (p: Record<string, any>) => void): unknown => {
    const p = clone(proof0) as unknown as Record<string, any>;
    f(p);
    return p;
  };

  it("header numbers and slots: 1.5, true, '1', -1, 2^53 are refused", () => {
    for (const bad of [1.5, true, "1", -1, 2 ** 53, null]) {
      refused(() => verifyTxOutcomeProof(edit((p) => (p.header.number = bad)), anchor, verifier), "MALFORMED_PROOF", /proof\.header\.number must be an integer/);
      refused(() => verifyTxOutcomeProof(edit((p) => (p.header.slot = bad)), anchor, verifier), "MALFORMED_PROOF", /proof\.header\.slot/);
      refused(() => verifyTxOutcomeProof(edit((p) => (p.leaf.seq = bad)), anchor, verifier), "MALFORMED_PROOF", /proof\.leaf\.seq/);
    }
  });

  it("a 33-byte or 31-byte transaction id, a short signature, a long branch node, 0x prefixes", () => {
    refused(() => verifyTxOutcomeProof(edit((p) => (p.leaf.txId += "00")), anchor, verifier), "MALFORMED_PROOF", /proof\.leaf\.txId must be exactly 32 bytes, got 33/);
    refused(() => verifyTxOutcomeProof(edit((p) => (p.leaf.txId = p.leaf.txId.slice(2))), anchor, verifier), "MALFORMED_PROOF", /got 31/);
    refused(() => verifyTxOutcomeProof(edit((p) => (p.headerAttestation.signature = p.headerAttestation.signature.slice(2))), anchor, verifier), "MALFORMED_PROOF", /signature must be exactly 96 bytes/);
    refused(() => verifyTxOutcomeProof(edit((p) => p.leafProof.branch.push("00".repeat(33))), anchor, verifier), "MALFORMED_PROOF", /leafProof\.branch\[\d+\]/);
    refused(() => verifyTxOutcomeProof(edit((p) => (p.leaf.txId = "0x" + p.leaf.txId.slice(2))), anchor, verifier), "MALFORMED_PROOF", /hex string/);
  });

  it("missing fields, wrong containers, out-of-range indices, unknown outcomes, wrong schema", () => {
    refused(() => verifyTxOutcomeProof(edit((p) => delete p.values), anchor, verifier), "MALFORMED_PROOF", /proof\.values is missing/);
    refused(() => verifyTxOutcomeProof(edit((p) => (p.applied = "0")), anchor, verifier), "MALFORMED_PROOF", /proof\.applied must be a list/);
    refused(() => verifyTxOutcomeProof(edit((p) => (p.leafProof.index = p.leafProof.count)), anchor, verifier), "MALFORMED_PROOF", /leafProof\.index/);
    refused(() => verifyTxOutcomeProof(edit((p) => (p.leaf.outcome = "partial")), anchor, verifier), "MALFORMED_PROOF", /leaf\.outcome must be one of/);
    refused(() => verifyTxOutcomeProof(edit((p) => (p.schema = "xshard.txproof/2")), anchor, verifier), "MALFORMED_PROOF", /schema/);
    refused(() => verifyTxOutcomeProof(edit((p) => (p.values = [...p.values, 7])), anchor, verifier), "MALFORMED_PROOF", /values\[4\]/);
    for (const doc of [null, [], "proof", 3]) refused(() => verifyTxOutcomeProof(doc, anchor, verifier), "MALFORMED_PROOF", /must be an object/);
  });
});

describe("light client: many proofs that share headers", () => {
  const wt = workload("transfer", { slots: 2, rate: 12, accounts: 16, contracts: 4, cross: 0.3 });
  const o = run("delayed:conditional", wt, CFG);
  const a = anchorOf(wt);
  const proofs = o.results.txs.filter((t) => t.outcome === "committed" || t.outcome === "aborted").map((t) => o.proveTx!(t.index) as TxOutcomeProof);

  it("each header and each batch checked once; the outcomes equal those checked one by one", () => {
    expect(proofs.length).toBeGreaterThan(10);
    const checker = createTxProofChecker(a, verifier);
    const batch = proofs.map((p) => checker.verify(p));
    expect(batch).toEqual(proofs.map((p) => verifyTxOutcomeProof(p, a, verifier)));
    expect(verifyTxOutcomeProofs(proofs, a, verifier)).toEqual(batch);
    const headers = new Set(proofs.map((p) => JSON.stringify(p.header))).size;
    const batches = new Set(proofs.map((p) => p.batchAttestation.signature)).size;
    expect(checker.stats.proofs).toBe(proofs.length);
    expect(checker.stats.headers).toBe(headers);
    expect(checker.stats.signatures).toBe(headers + batches);
    expect(checker.stats.signatures).toBeLessThan(2 * proofs.length);
  });

  it("a cached header does not let an edited proof through: its own parts are checked, an edited shared part is checked again", () => {
    const checker = createTxProofChecker(a, verifier);
    checker.verify(proofs[0]!);
    const leaf = clone(proofs[0]!);
    leaf.leaf.outcome = leaf.leaf.outcome === "committed" ? "aborted" : "committed";
    refused(() => checker.verify(leaf), "BAD_PROOF");
    const sig = clone(proofs[0]!);
    sig.headerAttestation.signature = sig.batchAttestation.signature;
    refused(() => checker.verify(sig), "BAD_SIGNATURE");
    const num = clone(proofs[0]!) as unknown as { header: { number: unknown } };
    num.header.number = 1.5;
    refused(() => checker.verify(num), "MALFORMED_PROOF");
    expect(checker.verify(proofs[0]!).outcome).toBe(proofs[0]!.leaf.outcome);
    // The cache keeps its own copy: editing a proof object after it was verified does not carry the edit through.
    const same = clone(proofs[0]!);
    checker.verify(same);
    same.affirmation.postRoot = "00".repeat(32);
    refused(() => checker.verify(same), "BAD_PROOF");
    same.affirmation.postRoot = proofs[0]!.affirmation.postRoot;
    same.batchAttestation.signers.pop();
    refused(() => checker.verify(same), "BAD_SIGNATURE");
  });

  it("a forged part that reuses a cached part's key (header number, batch committee and round, affirmation's sequence range) with other contents is refused, before, after and among the genuine ones", () => {
    const forged: [string, (p: TxOutcomeProof) => void, string][] = [
      ["header parentRoot", (p) => (p.header.parentRoot = "11".repeat(32)), "BAD_SIGNATURE"],
      ["header slot", (p) => (p.header.slot += 1), "BAD_SIGNATURE"],
      ["header signer", (p) => p.headerAttestation.signers.pop(), "BAD_SIGNATURE"],
      ["header extra field", (p) => ((p.header as unknown as Record<string, unknown>).extra = 1), "MALFORMED_PROOF"],
      ["batch gasUsed", (p) => (p.batch.gasUsed += 1), "BAD_PROOF"],
      ["batch applied", (p) => p.applied.push(p.applied.length), "BAD_PROOF"],
      ["batch signature", (p) => (p.batchAttestation.signature = p.headerAttestation.signature), "BAD_SIGNATURE"],
      ["affirmation last", (p) => (p.affirmation.last += 1), "BAD_PROOF"],
      ["affirmation branch", (p) => (p.affirmationProof.branch[0] = "22".repeat(32)), "BAD_PROOF"],
      ["affirmation postRoot, same range", (p) => (p.affirmation.postRoot = "33".repeat(32)), "BAD_PROOF"],
      ["affirmation resultsRoot, same range", (p) => (p.affirmation.resultsRoot = "44".repeat(32)), "BAD_PROOF"],
      ["affirmation contract, same range", (p) => (p.affirmation.contract = `${p.affirmation.contract}x`), "BAD_PROOF"],
      ["affirmation extra field, same range", (p) => ((p.affirmation as unknown as Record<string, unknown>).extra = 1), "MALFORMED_PROOF"],
      ["affirmation index, same range", (p) => (p.affirmationProof.index = (p.affirmationProof.index + 1) % p.affirmationProof.count), "BAD_PROOF"],
    ];
    for (const [what, edit, code] of forged) {
      const bad = clone(proofs[1]!);
      edit(bad);
      const warm = createTxProofChecker(a, verifier);
      warm.verifyMany(proofs);
      refused(() => warm.verify(bad), code);
      refused(() => warm.verifyMany([...proofs, bad]), code);
      expect(warm.verifyMany(proofs), what).toEqual(proofs.map((p) => verifyTxOutcomeProof(p, a, verifier)));
      refused(() => createTxProofChecker(a, verifier).verifyMany([proofs[1], bad]), code);
      refused(() => createTxProofChecker(a, verifier).verifyMany([bad, proofs[1]]), code);
      const first = createTxProofChecker(a, verifier);
      refused(() => first.verify(bad), code);
      expect(first.verifyMany(proofs), what).toEqual(proofs.map((p) => verifyTxOutcomeProof(p, a, verifier)));
    }
  });

  it("verifyMany hashes leaves and branches together but answers as one by one: outcomes in order, and the first bad proof's error", () => {
    const many = createTxProofChecker(a, verifier).verifyMany(proofs);
    expect(many).toEqual(proofs.map((p) => verifyTxOutcomeProof(p, a, verifier)));
    // A bad branch early and a malformed proof later: the branch's error, as one by one would give.
    const branch = clone(proofs[3]!);
    branch.leafProof.branch[0] = "00".repeat(32);
    const malformed = clone(proofs[5]!) as unknown as { leaf: { seq: unknown } };
    malformed.leaf.seq = -1;
    const docs: unknown[] = [...proofs.slice(0, 3), branch, proofs[4], malformed, ...proofs.slice(6)];
    const checker = createTxProofChecker(a, verifier);
    refused(() => checker.verifyMany(docs), "BAD_PROOF", /result in the affirmation: Merkle branch/);
    expect(checker.stats.proofs).toBe(3);
    // Without the bad branch, the malformed proof is the first bad one; the proofs before it count.
    const second = createTxProofChecker(a, verifier);
    refused(() => second.verifyMany([...proofs.slice(0, 5), malformed]), "MALFORMED_PROOF", /proof\.leaf\.seq/);
    expect(second.stats.proofs).toBe(5);
    // A question is checked for every proof of the batch.
    refused(() => createTxProofChecker(a, verifier).verifyMany(proofs.slice(0, 2), { seq: proofs[0]!.leaf.seq }), "PROOF_MISMATCH");
  });
});
