/**
 * The heads' slots in the agreed state (docs/node.md "A restart within a slot"): a Stage-1 block's
 * slot must be after its parent's (`BAD_SLOT`), a Stage-2 block's number after its parent's
 * (`BAD_NUMBER`) and its slot not before it (`BAD_SLOT`; several Stage-2 blocks may share a slot);
 * the state keeps them through its JSON form, and a document written before them still reads.
 */
import { describe, expect, it } from "vitest";
import { collectAttestation, computeGenesisAccounts, createValidators, deployGenesis } from "../../src/chain/index.js";
import { createBlsVerifier } from "../../src/crypto/bls.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm, Runtime } from "../../src/runtime/index.js";
import { Stage2Header } from "../../src/protocols/delayed/containers.js";
import { createGenesisState } from "../../src/protocols/delayed/genesis.js";
import { delayedStateFromJson, delayedStateToJson } from "../../src/protocols/delayed/json.js";
import { buildStage1Block, getStage1Committee, processStage1Block, type SignedStage1Block } from "../../src/protocols/delayed/stage1.js";
import { buildStage2Block, computeStage2SigningRoot, getStage2Committee, processStage2Block, type SignedStage2Block } from "../../src/protocols/delayed/stage2.js";
import type { DelayedState } from "../../src/protocols/delayed/state.js";
import { TxFactory } from "../../src/workloads/common.js";
import { touchProgram } from "../../src/workloads/programs.js";
import { errorCodeOf } from "../helpers/errors.js";

const verifier = createBlsVerifier();
const runtime = new Runtime();
const code = (c: string): Uint8Array => loadLibraryWasm(c as (typeof LIBRARY_CONTRACTS)[number]);

function setup() {
  const f = new TxFactory(2);
  const txs = [f.submit(0, f.users[0]!, touchProgram(["a"]), "a"), f.submit(0, f.users[1]!, touchProgram(["a"]), "a")];
  const genesis = { contracts: [{ id: "a", code: "counter", init: [], placement: 0 }], accounts: f.accountSpecs() };
  const deployed = deployGenesis(runtime, genesis, code);
  const state = createGenesisState(
    { seed: "slots", committees: 2, committeeSize: 4, blockTxLimit: 16, slotGas: 64_000_000, stage2PerSlot: 1, stage1Bytes: 1 << 20, stage2Mode: "strict", assignment: "shuffle", loadBound: 1.25 },
    createValidators(8, "slots"),
    deployed.map((d) => ({ id: d.id, codeHash: d.codeHash, root: d.state.root(), placement: d.placement as number })),
    computeGenesisAccounts(genesis),
  );
  return { state, txs };
}

function stage1(s: DelayedState, txs: Parameters<typeof buildStage1Block>[1], slot: number): SignedStage1Block {
  const built = buildStage1Block(s, txs, slot)!;
  return { ...built.block, attestation: collectAttestation(verifier, getStage1Committee(s, slot), built.signingRoot) };
}

function stage2(s: DelayedState, slot: number, number: number): SignedStage2Block {
  const block = buildStage2Block(s, [], new Map(), slot, number, { verifier });
  const attesters = getStage2Committee(s, number);
  return { ...block, root: Stage2Header.hashTreeRoot(block.header), attestation: collectAttestation(verifier, attesters, computeStage2SigningRoot(s, block.header)), attesters };
}

const codeOf = errorCodeOf;

describe("delayed: heads' slots", () => {
  const { state, txs } = setup();

  it("a Stage-1 block of its parent's slot or an earlier one is refused (BAD_SLOT); a later one is applied", () => {
    expect(state.stage1Slot).toBe(-1);
    const s5 = processStage1Block(state, stage1(state, txs.slice(0, 1), 5), verifier).state;
    expect(s5.stage1Slot).toBe(5);
    // The restart case: the proposer of slot 5 builds a second block of slot 5 on its first.
    expect(codeOf(() => processStage1Block(s5, stage1(s5, txs.slice(1), 5), verifier))).toBe("BAD_SLOT");
    expect(codeOf(() => processStage1Block(s5, stage1(s5, txs.slice(1), 3), verifier))).toBe("BAD_SLOT");
    expect(s5.stage1Slot).toBe(5);
    const s6 = processStage1Block(s5, stage1(s5, txs.slice(1), 6), verifier).state;
    expect([s6.stage1Slot, s6.txs.length]).toEqual([6, 2]);
  });

  it("a Stage-2 block must have a number after its parent's (BAD_NUMBER) and a slot not before it (BAD_SLOT)", () => {
    expect([state.stage2Number, state.stage2Slot]).toEqual([-1, -1]);
    const s = processStage2Block(state, stage2(state, 3, 3), { verifier }).state;
    expect([s.stage2Number, s.stage2Slot]).toEqual([3, 3]);
    expect(codeOf(() => processStage2Block(s, stage2(s, 4, 3), { verifier }))).toBe("BAD_NUMBER");
    expect(codeOf(() => processStage2Block(s, stage2(s, 2, 4), { verifier }))).toBe("BAD_SLOT");
    // Two Stage-2 blocks of one slot (stage2PerSlot > 1 in the simulator): numbers rise, the slot stays.
    const t = processStage2Block(s, stage2(s, 3, 4), { verifier }).state;
    expect([t.stage2Number, t.stage2Slot]).toEqual([4, 3]);
  });

  it("the JSON form keeps them; a state written before them reads with −1 or the slots given", () => {
    const s = processStage2Block(processStage1Block(state, stage1(state, txs, 7), verifier).state, stage2(state, 7, 7), { verifier }).state;
    const json = delayedStateToJson(s);
    expect([json["stage1Slot"], json["stage2Number"], json["stage2Slot"]]).toEqual([7, 7, 7]);
    const back = delayedStateFromJson(JSON.parse(JSON.stringify(json)), s.params, s.validators);
    expect([back.stage1Slot, back.stage2Number, back.stage2Slot]).toEqual([7, 7, 7]);
    expect(JSON.stringify(delayedStateToJson(back))).toBe(JSON.stringify(json));
    const { stage1Slot: _a, stage2Number: _b, stage2Slot: _c, ...legacy } = json;
    const old = delayedStateFromJson(legacy, s.params, s.validators);
    expect([old.stage1Slot, old.stage2Number, old.stage2Slot]).toEqual([-1, -1, -1]);
    const given = delayedStateFromJson(legacy, s.params, s.validators, "state", { stage1Slot: 7, stage2Number: 7, stage2Slot: 7 });
    expect([given.stage1Slot, given.stage2Number, given.stage2Slot]).toEqual([7, 7, 7]);
    // Only some of the fields, or a slot below −1: malformed.
    expect(codeOf(() => delayedStateFromJson({ ...legacy, stage1Slot: 7 }, s.params, s.validators))).toBe("MALFORMED_JSON");
    expect(codeOf(() => delayedStateFromJson({ ...json, stage2Slot: -2 }, s.params, s.validators))).toBe("MALFORMED_JSON");
  });
});
