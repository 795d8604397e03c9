/**
 * Light clients after slashing: the Stage-2 attesters are drawn from the active set (genesis minus
 * the slashed), so a proof of a block after a slashing verifies from a checkpoint that names the
 * slashed validators, and not from genesis alone (issue 14 §1, DESIGN §7).
 */
import { describe, expect, it } from "vitest";
import { createBlsVerifier } from "../../src/crypto/bls.js";
import { toHex } from "../../src/crypto/hash.js";
import { Runtime } from "../../src/runtime/index.js";
import { deployGenesis } from "../../src/sim/world.js";
import { computeCommittees, createValidators, type Validator } from "../../src/chain/index.js";
import { createGenesisAnchor } from "../../src/chain/anchorFile.js";
import { selectWrongSigners } from "../../src/sim/delayed/behaviour.js";
import { Stage2Header } from "../../src/protocols/delayed/containers.js";
import {
  createCheckpointTrust,
  createGenesisTrust,
  encodeCheckpointFile,
  parseTrustAnchorFile,
  verifyTxOutcomeProof,
  type TxOutcomeProof,
} from "../../src/protocols/delayed/lightclient.js";
import type { RunConfig } from "../../src/sim/protocol.js";
import { run, workload } from "../helpers/run.js";

const verifier = createBlsVerifier();

function refused(f: () => unknown, code: string): void {
  expect(f).toThrowError(expect.objectContaining({ name: "XshardError", code }));
}

function headerRoot(p: TxOutcomeProof): Uint8Array {
  const h = p.header;
  const b = (x: string): Uint8Array => Buffer.from(x, "hex");
  return Stage2Header.hashTreeRoot({ number: h.number, slot: h.slot, parentRoot: b(h.parentRoot), batchesRoot: b(h.batchesRoot), evidenceRoot: b(h.evidenceRoot) });
}

describe("light client: checkpoints after slashing", () => {
  // 8 tokens, 4 committees of 12 (48 validators); a quarter of committee 1's stake signs wrong roots and is slashed.
  const w = workload("transfer", { slots: 4, rate: 12, accounts: 16, contracts: 8, cross: 0 });
  const cfg: Partial<RunConfig> = { shards: 4, validators: 48, committeeSize: 12, drainSlots: 12, signatures: true };
  const o = run("delayed:conditional", w, { ...cfg, options: { wrongSigners: "1:0.25" } });
  const genesis = createGenesisAnchor({ seed: "1", validators: 48, committeeSize: 12, committees: 4 }, deployGenesis(new Runtime(), w.genesis));
  const fromGenesis = createGenesisTrust(genesis);
  const faulty = selectWrongSigners(computeCommittees(createValidators(48, "1"), "1", 4, 12)[1] as Validator[], 0.25).map((v) => v.index);
  const proofs = o.results.txs.filter((t) => t.outcome === "committed").map((t) => o.proveTx!(t.index) as TxOutcomeProof);
  const verdicts = proofs.map((p) => {
    try {
      verifyTxOutcomeProof(p, fromGenesis, verifier);
      return "valid";
    } catch (e) {
      return (e as { code: string }).code;
    }
  });
  const before = proofs.filter((_, i) => verdicts[i] === "valid");
  const after = proofs.filter((_, i) => verdicts[i] !== "valid");
  const first = after.reduce((m, p) => (p.header.number < m.header.number ? p : m), after[0]!);
  const checkpoint = createCheckpointTrust(genesis, { number: first.header.number, headerRoot: headerRoot(first), slashed: faulty });

  it("the faulty minority was slashed; proofs of blocks before it verify from genesis, proofs after it do not (the attesters changed)", () => {
    expect(o.results.summary.protocol.slashed).toBe(faulty.length);
    expect(faulty.length).toBeGreaterThan(0);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(verdicts.filter((v) => v !== "valid"))).toEqual(new Set(["BAD_SIGNATURE"]));
    expect(Math.max(...before.map((p) => p.header.number))).toBeLessThan(Math.min(...after.map((p) => p.header.number)));
  });

  it("from a checkpoint naming the slashed validators, every later proof verifies, with the outcome the results file records", () => {
    for (const p of after) {
      const v = verifyTxOutcomeProof(p, checkpoint, verifier);
      expect(v.outcome).toBe(o.results.txs.find((t) => t.id === v.txId)!.outcome);
    }
  });

  it("a checkpoint file round-trips; a block before the checkpoint, a conflicting header root, a stale slashed set are refused", () => {
    const parsed = parseTrustAnchorFile(JSON.parse(JSON.stringify(encodeCheckpointFile(genesis, checkpoint.checkpoint!))));
    expect(verifyTxOutcomeProof(first, parsed, verifier).txId).toBe(first.leaf.txId);
    refused(() => verifyTxOutcomeProof(before[0]!, checkpoint, verifier), "BEFORE_CHECKPOINT");
    const conflicting = createCheckpointTrust(genesis, { number: first.header.number, headerRoot: new Uint8Array(32), slashed: faulty });
    refused(() => verifyTxOutcomeProof(first, conflicting, verifier), "CHECKPOINT_CONFLICT");
    const stale = createCheckpointTrust(genesis, { number: first.header.number, headerRoot: headerRoot(first), slashed: [] });
    refused(() => verifyTxOutcomeProof(first, stale, verifier), "BAD_SIGNATURE");
  });

  it("bad checkpoint files: slashed index outside the validator set, wrong types, another chain's genesis inside", () => {
    const file = encodeCheckpointFile(genesis, checkpoint.checkpoint!);
    refused(() => parseTrustAnchorFile({ ...file, slashed: [48] }), "BAD_ANCHOR");
    refused(() => parseTrustAnchorFile({ ...file, number: 1.5 }), "BAD_ANCHOR");
    refused(() => parseTrustAnchorFile({ ...file, headerRoot: toHex(new Uint8Array(33)) }), "BAD_ANCHOR");
    const other = { ...file, genesis: { ...file.genesis, seed: "2" } };
    refused(() => parseTrustAnchorFile(other), "BAD_ANCHOR"); // the stated genesisRoot no longer matches
    const { genesisRoot: _, ...unstated } = other.genesis;
    refused(() => verifyTxOutcomeProof(first, parseTrustAnchorFile({ ...other, genesis: unstated }), verifier), "WRONG_CHAIN");
  });
});
