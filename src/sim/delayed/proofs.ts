/**
 * Light-client proofs from a simulated run: where a final transaction's outcome was affirmed
 * (block, inclusion, affirmation, leaf) and everything `lightclient.ts` needs to build its proof.
 */
import { createTxOutcomeProof, type ProofMaterial } from "../../protocols/delayed/lightclient.js";
import { OUTCOME_CODES } from "../../protocols/delayed/containers.js";
import { getContract, getLogItem, getTx } from "../../protocols/delayed/state.js";
import type { TxResult } from "../../protocols/delayed/committee.js";
import type { SignedStage2Block } from "../../protocols/delayed/stage2.js";
import type { DelayedState } from "../../protocols/delayed/state.js";
import type { ContractId } from "../../types.js";

/** Where one transaction's leaf on one contract was applied. */
export interface Locator {
  readonly block: number;
  readonly inclusion: number;
  readonly affirmation: number;
  readonly leaf: number;
}

/** What the driver records of a sequenced transaction (for results and proofs). */
export interface TxRecord {
  result?: TxResult;
  finalBlock?: number;
  readonly affirmedIn: Map<ContractId, Locator>;
}

/** What a run kept that proofs are built from. */
export interface ProofSource {
  readonly chain: DelayedState;
  readonly records: readonly TxRecord[];
  readonly blocks: readonly SignedStage2Block[];
  getIndex(seq: number): number;
}

/** Everything a light client needs to check transaction `index`'s outcome (see lightclient.ts). */
export function getProofMaterial(sim: ProofSource, index: number, contract?: ContractId): ProofMaterial | undefined {
  const seq = sim.records.findIndex((_, q) => sim.getIndex(q) === index);
  const rec = sim.records[seq];
  if (!rec || rec.finalBlock === undefined || !rec.result) return undefined;
  const id = contract ?? [...rec.affirmedIn.keys()][0];
  if (id === undefined) return undefined;
  const loc = rec.affirmedIn.get(id);
  if (!loc) return undefined;
  const block = sim.blocks.find((b) => b.header.number === loc.block);
  const inclusion = block?.inclusions[loc.inclusion];
  if (!block || !inclusion) return undefined;
  const batch = inclusion.batch;
  const t = getTx(sim.chain, seq);
  const pos = t.positions.get(id) as number;
  return {
    txIndex: index,
    contract: id,
    genesisRoot: sim.chain.genesisRoot,
    block: { header: block.header, inclusionRoots: block.inclusions.map((i) => i.root), attestation: block.attestation, attesters: block.attesters },
    inclusionIndex: loc.inclusion,
    applied: inclusion.applied,
    batch,
    affirmationIndex: loc.affirmation,
    leafIndex: loc.leaf,
    leaf: { seq, txId: t.txId, outcome: OUTCOME_CODES[rec.result.status], postRoot: getLogItem(getContract(sim.chain, id).chainRoots, pos + 1) },
    values: rec.result.values,
    committee: batch.members,
  };
}

/** The JSON proof of transaction `index`'s outcome, or undefined when it is not final. */
export function createProofOfTx(sim: ProofSource, index: number): unknown {
  const m = getProofMaterial(sim, index);
  return m ? createTxOutcomeProof(m) : undefined;
}
