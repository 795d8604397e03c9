/**
 * The node's answer to `GET /v1/state/:contract?keys=…` (`xshard.stateproof/1`, docs/node.md "HTTP
 * API"): the keys of the contract's latest affirmed state, proven by a Merkle witness (from this
 * node's views, or fetched from a peer and checked against this node's own root: `WitnessService.get`)
 * and, for a light client that trusts only its anchor, the outcome proof of the transaction that
 * made that state — the same `xshard.txproof` as `GET /v1/tx/:id/proof`, on this contract: its
 * signed result leaf carries the contract's post-state root, so the root comes from a Stage-2
 * header the client verifies, never from this answer. State 0 (no transaction yet) has no proof:
 * its root is in the genesis anchor.
 */
import { toHex } from "../crypto/hash.js";
import { XshardError, isXshardError } from "../errors.js";
import { OUTCOME_CODES } from "../protocols/delayed/containers.js";
import { createTxOutcomeProof } from "../protocols/delayed/lightclient.js";
import { getLogItem, RESULTS_CONTRACT } from "../protocols/delayed/state.js";
import { encodeWitness } from "../state/index.js";
import type { StateProofView } from "./api/backend.js";
import type { NodeChain, NodeTxRecord } from "./chain.js";
import type { VerifiedState } from "./witnesses.js";
import type { TxResult } from "../protocols/delayed/local.js";

export const STATE_PROOF_SCHEMA = "xshard.stateproof/1" as const;

const hex = (b: Uint8Array): string => `0x${toHex(b)}`;

/** The `xshard.txproof` of transaction `seq` on `contract`, from where its affirmation sits in a Stage-2 block (`GET /v1/tx/:id/proof` and the state route). */
export function createNodeOutcomeProof(chain: NodeChain, seq: number, txId: Uint8Array, contract: string, loc: NodeTxRecord["affirmedIn"] extends Map<string, infer L> ? L : never, result: TxResult, postRoot: Uint8Array): object | undefined {
  const inclusion = loc.block.inclusions[loc.inclusion];
  if (!inclusion) return undefined;
  return createTxOutcomeProof({
    txIndex: seq,
    contract,
    genesisRoot: chain.state.genesisRoot,
    block: { header: loc.block.header, inclusionRoots: loc.block.inclusions.map((i) => i.root), attestation: loc.block.attestation, attesters: loc.block.attesters },
    inclusionIndex: loc.inclusion,
    applied: inclusion.applied,
    batch: inclusion.batch,
    affirmationIndex: loc.affirmation,
    leafIndex: loc.leaf,
    leaf: { seq, txId, outcome: OUTCOME_CODES[result.status], postRoot },
    values: result.values,
    committee: inclusion.batch.members,
  });
}

/** The outcome proof, on `contract`, of the transaction at `position − 1` of its queue (its leaf's post-root is state `position`'s root). */
function proveStateRoot(chain: NodeChain, contract: string, position: number): { proof: object; seq: number; stage2: { number: number; slot: number } } {
  const rec = chain.state.contracts.get(contract);
  const seq = rec ? getLogItem(rec.queue, position - 1) : -1;
  const r = chain.records[seq];
  const loc = r?.affirmedIn.get(contract);
  const inclusion = loc?.block.inclusions[loc.inclusion];
  // Its result: the record's once final, else this node's own execution (the contract's committee's first).
  const local = chain.views.txs[seq]?.results;
  const result = r?.result ?? (rec ? local?.get(rec.committee) : undefined) ?? [...(local?.values() ?? [])][0];
  if (!rec || !r || !loc || !inclusion || !result) throw new XshardError("STATE_UNAVAILABLE", `this node cannot prove the root of state ${position} of ${contract}`, { contract, position });
  const proof = createNodeOutcomeProof(chain, seq, r.txId, contract, loc, result, getLogItem(rec.chainRoots, position)) as object; // its inclusion is checked above
  return { proof, seq, stage2: { number: loc.block.header.number, slot: loc.block.header.slot } };
}

/** The `xshard.stateproof/1` answer for `keys` of `contract`'s latest affirmed state (typed errors: `CONTRACT_NOT_FOUND`, `STATE_UNAVAILABLE`). */
export async function buildStateProof(chain: () => NodeChain, witnesses: { get(contract: string, keys: readonly Uint8Array[]): Promise<VerifiedState> }, contract: string, keys: readonly Uint8Array[]): Promise<StateProofView> {
  if (contract === RESULTS_CONTRACT || !chain().state.contracts.has(contract)) throw new XshardError("CONTRACT_NOT_FOUND", `no contract ${contract.slice(0, 64)} on this chain`, { contract: contract.slice(0, 64) });
  let v: VerifiedState;
  try {
    v = await witnesses.get(contract, keys);
  } catch (e) {
    if (isXshardError(e) && (e.code === "WITNESS_UNAVAILABLE" || e.code === "BAD_WITNESS")) throw new XshardError("STATE_UNAVAILABLE", e.message, { contract });
    if (isXshardError(e) && e.code === "WITNESS_UNKNOWN_CONTRACT") throw new XshardError("CONTRACT_NOT_FOUND", e.message, { contract });
    throw e;
  }
  const at = v.position === 0 ? { proof: null, seq: null, stage2: null } : proveStateRoot(chain(), contract, v.position);
  return {
    schema: STATE_PROOF_SCHEMA,
    contract,
    position: v.position,
    root: hex(v.root),
    stage2: at.stage2,
    seq: at.seq,
    keys: keys.map(hex),
    values: v.values.map((x) => (x === undefined ? null : hex(x))),
    witness: hex(encodeWitness(v.witness)),
    proof: at.proof,
  };
}
