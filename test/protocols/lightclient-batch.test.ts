/**
 * Light clients checking the aggregate signatures of many proofs together (issue 12 item 4):
 * `createBatchBlsVerifier().verifyAggregateSets` (one final exponentiation for all sets) and the
 * checker's deferred pairings give the same answers as checking proofs one by one — the same
 * outcomes, and for damaged batches the error of the first bad proof in order.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBatchBlsVerifier, createBlsVerifier, validatorKeyFromSeed } from "../../src/crypto/bls.js";
import { sha256 } from "../../src/crypto/hash.js";
import { Runtime } from "../../src/runtime/index.js";
import { deployGenesis } from "../../src/sim/world.js";
import { createGenesisAnchor } from "../../src/chain/anchorFile.js";
import { createGenesisTrust, createTxProofChecker, type TxOutcomeProof, type VerifiedOutcome } from "../../src/protocols/delayed/lightclient.js";
import type { RunConfig } from "../../src/sim/protocol.js";
import { run, workload } from "../helpers/run.js";

const plain = createBlsVerifier();
const batch = createBatchBlsVerifier();

describe("verifyAggregateSets: many aggregates, one final exponentiation", () => {
  const keys = Array.from({ length: 6 }, (_, i) => validatorKeyFromSeed(sha256(`k${i}`)));
  const sets = [0, 1, 2].map((j) => {
    const msg = sha256(`m${j}`);
    const signers = keys.slice(j, j + 3);
    return { pubkeys: signers.map((k) => k.pubkey), msg, signature: batch.signAggregate(signers, msg) };
  });

  it("true when every set verifies, false when any does not (or is malformed), as verifyAggregate one by one", () => {
    expect(sets.every((s) => plain.verifyAggregate(s.pubkeys, s.msg, s.signature))).toBe(true);
    expect(batch.verifyAggregateSets(sets)).toBe(true);
    expect(batch.verifyAggregateSets([])).toBe(true);
    expect(batch.verifyAggregateSets(sets.slice(0, 1))).toBe(true);
    const swapped = [sets[0]!, { ...sets[1]!, signature: sets[2]!.signature }, { ...sets[2]!, signature: sets[1]!.signature }];
    expect(batch.verifyAggregateSets(swapped)).toBe(false);
    expect(batch.verifyAggregateSets([sets[0]!, { ...sets[1]!, msg: sha256("other") }])).toBe(false);
    expect(batch.verifyAggregateSets([sets[0]!, { ...sets[1]!, pubkeys: sets[1]!.pubkeys.slice(1) }])).toBe(false);
    expect(batch.verifyAggregateSets([sets[0]!, { ...sets[1]!, pubkeys: [] }])).toBe(false);
    expect(batch.verifyAggregateSets([sets[0]!, { ...sets[1]!, signature: new Uint8Array(96) }])).toBe(false);
    expect(batch.verifyAggregateSets([sets[0]!, { ...sets[1]!, pubkeys: [new Uint8Array(48)] }])).toBe(false);
  });
});

describe("light client: pairings of a batch checked together", () => {
  const cfg: Partial<RunConfig> = { shards: 3, signatures: true, validators: 12, committeeSize: 4, slotGas: 64_000_000 };
  const wt = workload("transfer", { slots: 3, rate: 10, accounts: 16, contracts: 4, cross: 0.3 });
  const o = run("delayed:conditional", wt, cfg);
  const anchor = createGenesisTrust(createGenesisAnchor({ seed: "1", validators: 12, committeeSize: 4, committees: 3 }, deployGenesis(new Runtime(), wt.genesis)));
  const proofs = o.results.txs.filter((t) => t.outcome === "committed" || t.outcome === "aborted").map((t) => o.proveTx!(t.index) as TxOutcomeProof);
  const clone = (p: TxOutcomeProof): TxOutcomeProof => structuredClone(p);

  /** The answer of checking `docs` one by one through one plain checker: outcomes, or the first error's code and message, and how many proofs passed. */
  function oneByOne(docs: readonly unknown[]): { outcomes?: VerifiedOutcome[]; error?: string; proofs: number } {
    const checker = createTxProofChecker(anchor, plain);
    const outcomes: VerifiedOutcome[] = [];
    try {
      for (const d of docs) outcomes.push(checker.verify(d));
      return { outcomes, proofs: checker.stats.proofs };
    } catch (e) {
      return { error: `${(e as { code: string }).code}: ${(e as Error).message}`, proofs: checker.stats.proofs };
    }
  }

  function together(docs: readonly unknown[], checker = createTxProofChecker(anchor, batch)): { outcomes?: VerifiedOutcome[]; error?: string; proofs: number } {
    try {
      return { outcomes: checker.verifyMany(docs), proofs: checker.stats.proofs };
    } catch (e) {
      return { error: `${(e as { code: string }).code}: ${(e as Error).message}`, proofs: checker.stats.proofs };
    }
  }

  /** Damages that pass every cheap check but fail a pairing, and damages found without one. */
  const damages: Record<string, (p: TxOutcomeProof) => void> = {
    headerSig: (p) => (p.headerAttestation.signature = p.batchAttestation.signature),
    batchSig: (p) => (p.batchAttestation.signature = p.headerAttestation.signature),
    branch: (p) => (p.leafProof.branch[0] = "00".repeat(32)),
    inclusion: (p) => (p.inclusion.index = (p.inclusion.index + 1) % p.inclusion.count),
    signer: (p) => p.headerAttestation.signers.pop(),
    // Found when the affirmations' roots and branches are hashed together at the end of the batch.
    affirmation: (p) => (p.affirmation.preRoot = p.affirmation.postRoot),
    affirmationBranch: (p) => (p.affirmationProof.index = (p.affirmationProof.index + 1) % p.affirmationProof.count),
    malformed: (p) => ((p.leaf as { seq: unknown }).seq = -1),
  };

  it("the same outcomes and signature count as one by one, with fewer verifier calls", () => {
    expect(proofs.length).toBeGreaterThan(20);
    const calls = { one: 0, sets: 0 };
    const counting = {
      ...batch,
      verifyAggregate: (...a: Parameters<typeof batch.verifyAggregate>) => (calls.one++, batch.verifyAggregate(...a)),
      verifyAggregateSets: (sets: Parameters<typeof batch.verifyAggregateSets>[0]) => (calls.sets++, batch.verifyAggregateSets(sets)),
    };
    const checker = createTxProofChecker(anchor, counting);
    expect(together(proofs, checker)).toEqual(oneByOne(proofs));
    expect(calls).toEqual({ one: 0, sets: 1 });
    const reference = createTxProofChecker(anchor, plain);
    reference.verifyMany(proofs);
    expect(checker.stats).toEqual(reference.stats);
  });

  it("a bad aggregate is the first bad proof's error, the proofs before it count, and its cache entries are forgotten", () => {
    const bad = clone(proofs[4]!);
    damages.headerSig!(bad);
    const malformed = clone(proofs[6]!);
    damages.malformed!(malformed);
    const docs = [...proofs.slice(0, 4), bad, proofs[5], malformed, ...proofs.slice(7)];
    const checker = createTxProofChecker(anchor, batch);
    const r = together(docs, checker);
    expect(r.error).toMatch(/^BAD_SIGNATURE: proof: Stage-2 block \d+: the aggregate signature does not verify/);
    expect(r).toEqual(oneByOne(docs));
    // The bad header was not kept: the same checker refuses it again, and still accepts the good proofs.
    expect(together([bad], checker).error).toMatch(/^BAD_SIGNATURE/);
    expect(together(proofs, checker).outcomes).toEqual(oneByOne(proofs).outcomes);
  });

  it("property: any mix of damaged proofs gives the one-by-one answer (error of the first bad proof, proofs counted before it)", () => {
    const names = Object.keys(damages);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ at: fc.nat(proofs.length - 1), damage: fc.constantFrom(...names) }), { maxLength: 3, selector: (d) => d.at }),
        fc.nat(proofs.length - 1),
        (edits, cut) => {
          const docs: unknown[] = proofs.slice(0, Math.max(2, cut + 1)).map((p) => p);
          for (const e of edits) {
            if (e.at >= docs.length) continue;
            const p = clone(docs[e.at] as TxOutcomeProof);
            damages[e.damage]!(p);
            docs[e.at] = p;
          }
          const expected = oneByOne(docs);
          expect(together(docs)).toEqual(expected);
          // Leaves hashed 3 proofs at a time (affirmations settled per group, pairings once for the call): the same answer.
          expect(together(docs, createTxProofChecker(anchor, batch, { hashBatch: 3 }))).toEqual(expected);
        },
      ),
      { numRuns: 25, seed: 12 },
    );
  });

  it("an affirmation checked at the end of the batch: a tampered one that shares a cached one's key (results root) is refused before, after and among good ones, and never kept", () => {
    const i = proofs.findIndex((p, k) => k > 0 && proofs.some((q, j) => j !== k && q.affirmation.resultsRoot === p.affirmation.resultsRoot));
    expect(i).toBeGreaterThan(0);
    const tampered = clone(proofs[i]!);
    tampered.affirmation.preRoot = "22".repeat(32);
    const sameKey = proofs.filter((p) => p.affirmation.resultsRoot === tampered.affirmation.resultsRoot && p !== proofs[i]);
    const error = oneByOne([tampered]).error;
    expect(error).toMatch(/^BAD_PROOF: proof: affirmation in the batch: Merkle branch/);
    // Warm: the good affirmation is cached under the same key; the tampered one is still refused.
    const warm = createTxProofChecker(anchor, batch);
    expect(together(proofs, warm).error).toBeUndefined();
    expect(together([tampered], warm).error).toBe(error);
    expect(together([...sameKey, tampered], warm)).toEqual({ error, proofs: proofs.length + sameKey.length });
    // In one batch: after good ones sharing its key, and before them (its entry is forgotten, the good ones keep theirs).
    const docs = [...proofs.slice(0, i), tampered, ...proofs.slice(i + 1)];
    expect(together(docs)).toEqual(oneByOne(docs));
    expect(together(docs).proofs).toBe(i);
    const fresh = createTxProofChecker(anchor, batch);
    expect(together([tampered, ...sameKey], fresh)).toEqual({ error, proofs: 0 });
    expect(together([tampered], fresh).error).toBe(error);
    expect(together(sameKey, fresh).outcomes).toEqual(oneByOne(sameKey).outcomes);
    expect(together([tampered], fresh).error).toBe(error);
    // Two faults in one proof: the one met first in reading order is reported (a bad header aggregate before its affirmation, its affirmation before its malformed leaf).
    const both = clone(tampered);
    damages.headerSig!(both);
    expect(together([proofs[0], both])).toEqual(oneByOne([proofs[0], both]));
    expect(together([both]).error).toMatch(/^BAD_SIGNATURE/);
    const leafToo = clone(tampered);
    damages.malformed!(leafToo);
    expect(together([leafToo])).toEqual({ error, proofs: 0 });
  });
});
