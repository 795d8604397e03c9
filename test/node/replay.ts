/**
 * Replays a devnet's finalized Stage-1 blocks through the simulator's transitions: the spec's
 * `processStage1Block` and the committees' execution (`CommitteeViews`, as `src/sim/delayed`
 * drives it), from genesis and with no Stage-2 block — Stage 1 decides every outcome and root
 * (DESIGN §7), so the roots it computes must be those the devnet's committees affirmed.
 */
import { computeGenesisAccounts, createValidators, deployGenesis } from "../../src/chain/index.js";
import { createBlsVerifier, createNoopVerifier } from "../../src/crypto/bls.js";
import { Runtime } from "../../src/runtime/index.js";
import { MerkleKV } from "../../src/state/index.js";
import { CommitteeViews, type TxResult } from "../../src/protocols/delayed/committee.js";
import { createGenesisState } from "../../src/protocols/delayed/genesis.js";
import { processStage1Block } from "../../src/protocols/delayed/stage1.js";
import { getContract } from "../../src/protocols/delayed/state.js";
import { computeDevnetParams, loadNodeContractCode, type DevnetGenesis } from "../../src/node/genesis.js";
import { decodeStage1Block } from "../../src/node/wire.js";

export function replayStage1(g: DevnetGenesis, blocks: readonly Uint8Array[]): { rootAt(id: string, pos: number): Uint8Array; resultOf(seq: number): TxResult | undefined } {
  const runtime = new Runtime();
  const verifier = createBlsVerifier();
  const deployed = deployGenesis(runtime, g.genesis, loadNodeContractCode);
  let state = createGenesisState(
    computeDevnetParams(g, "conditional"),
    createValidators(g.validators, g.seed),
    deployed.map((d) => ({ id: d.id, codeHash: d.codeHash, root: d.state.root(), ...(d.placement === undefined ? {} : { placement: d.placement }) })),
    computeGenesisAccounts(g.genesis),
  );
  const views = new CommitteeViews(state, new Map(deployed.map((d) => [d.id, d.state])), { runtime, verifier: createNoopVerifier(), keepHistory: true });
  for (const bytes of blocks) {
    const r = processStage1Block(state, decodeStage1Block(bytes), verifier);
    state = r.state;
    views.chain = state;
    for (const id of r.registered) views.addFrontier(id, getContract(state, id).committee, MerkleKV.empty());
    views.addTxs(r.seqs);
    if (r.seqs.length > 0) for (let k = 0; k < g.committees; k++) views.deliverStage1(k, r.seqs[0] as number, (r.seqs[r.seqs.length - 1] as number) + 1);
  }
  for (let moved = true; moved; ) {
    const before = [...views.frontiers.values()].reduce((a, f) => a + f.localIdx, 0);
    for (let k = 0; k < g.committees; k++) views.executeReady(k, 0);
    moved = [...views.frontiers.values()].reduce((a, f) => a + f.localIdx, 0) !== before;
  }
  return {
    rootAt: (id, pos) => {
      const r = views.frontier(id).roots[pos];
      if (!r) throw new Error(`replay did not reach state ${pos} of ${id}`);
      return r;
    },
    resultOf: (seq) => [...(views.txs[seq]?.results.values() ?? [])][0],
  };
}
