/**
 * Light-client proofs from a simulated run: where a final transaction's outcome was affirmed
 * (block, inclusion, affirmation, leaf) and everything `lightclient.ts` needs to build its proof,
 * built on demand from what the run kept compactly (`kept.ts`).
 */
import { createTxOutcomeProof, type ProofMaterial } from "../../protocols/delayed/lightclient.js";
import { getContract, getLogItem, getTx } from "../../protocols/delayed/state.js";
import type { DelayedState } from "../../protocols/delayed/state.js";
import type { ContractId } from "../../types.js";
import type { KeptBlocks, TxRecords } from "./kept.js";

export type { Locator } from "./kept.js";

/** What a run kept that proofs are built from. */
export interface ProofSource {
  readonly chain: DelayedState;
  readonly records: TxRecords;
  readonly blocks: KeptBlocks;
  /** The sequence number of submission `index`, undefined when it was never sequenced. */
  getSeq(index: number): number | undefined;
}

/** Everything a light client needs to check transaction `index`'s outcome (see lightclient.ts). */
export function getProofMaterial(sim: ProofSource, index: number, contract?: ContractId): ProofMaterial | undefined {
  const seq = sim.getSeq(index);
  if (seq === undefined || seq >= sim.records.length) return undefined;
  const recs = sim.records;
  const outcome = recs.getOutcome(seq);
  if (recs.getFinalBlock(seq) === undefined || outcome === undefined) return undefined;
  const t = getTx(sim.chain, seq);
  const ids = [...t.positions.keys()];
  const k = contract === undefined ? recs.getFirstAffirmed(seq) : ids.indexOf(contract);
  if (k === undefined || k < 0) return undefined;
  const id = ids[k] as ContractId;
  const loc = recs.getLocator(seq, k);
  if (!loc) return undefined;
  const block = sim.blocks.get(loc.block);
  const inclusion = block?.inclusions[loc.inclusion];
  const batch = block?.batch(loc.inclusion);
  if (!block || !inclusion || !batch) return undefined;
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
    leaf: { seq, txId: t.txId, outcome, postRoot: getLogItem(getContract(sim.chain, id).chainRoots, pos + 1) },
    values: recs.getValues(seq),
    committee: batch.members,
  };
}

/** The JSON proof of transaction `index`'s outcome, or undefined when it is not final. */
export function createProofOfTx(sim: ProofSource, index: number): unknown {
  const m = getProofMaterial(sim, index);
  return m ? createTxOutcomeProof(m) : undefined;
}
