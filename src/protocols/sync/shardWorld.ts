/**
 * The sharded world shared by the two baselines of DESIGN §4 (`sync` and `lock2pc`): contracts
 * placed on shards, shard committees of validators that attest with BLS, the Stage-1-like fee
 * check when a transaction is first offered to shard blocks, program execution, Merkle witnesses
 * for contracts read from another shard, successor registration, metrics and the end state.
 *
 * It holds no protocol rule: each protocol's driver decides what goes into which block and when.
 */
import { bytesEqual, fromHex, toHex } from "../../crypto/hash.js";
import { createBlsVerifier, createNoopVerifier, type SignatureVerifier } from "../../crypto/bls.js";
import { computeFootprint, computeTxId, type SignedTx } from "../../program/index.js";
import { Runtime } from "../../runtime/index.js";
import { commitList, decodeWitness, encodeWitness, MerkleKV, verifyWitness, type ListCommitment } from "../../state/index.js";
import { describeAbort } from "../../exec/describe.js";
import { executeProgram, type ContractHandle, type CreatedSuccessor, type TxExecution } from "../../exec/executeTx.js";
import { MetricsRecorder, round } from "../../sim/metrics.js";
import { RngStreams } from "../../sim/rng.js";
import {
  collectAttestation,
  computeAssignment,
  computeCommittees,
  computeProposer,
  computeSuccessorGroup,
  createUser,
  createValidators,
  isAttestationFinal,
  type Attestation,
  type Validator,
} from "../../chain/index.js";
import { deployGenesis } from "../../sim/world.js";
import type { ContractId } from "../../types.js";
import { createBeaconState, getBeaconTotal, processStage1Block, type BeaconState } from "../../chain/beacon.js";
import { computeValuesRoot } from "../../chain/values.js";
import { computeConfigRecord } from "../../sim/config.js";
import type { ProtocolRunInput, ProtocolRunOutput, RunConfig } from "../../sim/protocol.js";
import { ContractLeaf } from "./containers.js";

/** One contract's state at some point. */
export interface Snap {
  readonly kv: MerkleKV;
  readonly ended: boolean;
}

export interface ContractInfo {
  readonly shard: number;
  readonly codeHash: string;
}

/** A transaction that passed the fee check (admission order = `seq`). */
export interface AdmittedTx {
  readonly seq: number;
  readonly index: number;
  readonly stx: SignedTx;
  readonly txId: Uint8Array;
  readonly txIdHex: string;
  readonly footprint: readonly ContractId[];
}

/** What every executor of a transaction must agree on. */
export interface ExecOutcome {
  readonly status: "committed" | "aborted";
  readonly at: number;
  /** Why it aborted (the failed call behind the `require`), null when committed. */
  readonly reason: string | null;
  readonly valuesRoot: Uint8Array;
  readonly created: readonly CreatedSuccessor[];
}

/** A shard's contracts committed as a list of `ContractLeaf`s (ids sorted). */
export interface ShardStateCommitment {
  readonly ids: readonly ContractId[];
  readonly leaves: readonly Uint8Array[];
  readonly commitment: ListCommitment;
}

/** Sizes of what a light client downloads besides the state witness: the leaf and its branch. */
const CONTRACT_LEAF_BYTES = 64 + 32 + 1;

export class ShardWorld {
  readonly cfg: RunConfig;
  readonly streams: RngStreams;
  readonly runtime = new Runtime();
  readonly verifier: SignatureVerifier;
  readonly validators: Validator[];
  readonly committees: Validator[][];
  readonly metrics: MetricsRecorder;
  readonly contracts = new Map<ContractId, ContractInfo>();
  /** The current state of every contract. */
  readonly states = new Map<ContractId, Snap>();
  readonly beaconGenesisTotal: bigint;
  readonly endSlot: number;
  readonly lastSubmission: number;
  beacon: BeaconState;
  signatures = 0;
  witnessBytes = 0;
  witnesses = 0;
  private readonly bySlot = new Map<number, SignedTx[]>();
  private readonly indexOf = new Map<SignedTx, number>();
  private mempool: SignedTx[] = [];
  private admitted = 0;

  constructor(private readonly input: ProtocolRunInput, readonly protocolName: string) {
    this.cfg = input.config;
    this.streams = new RngStreams(this.cfg.seed);
    this.verifier = this.cfg.signatures ? createBlsVerifier() : createNoopVerifier();
    this.metrics = new MetricsRecorder(this.cfg.slotSeconds, this.cfg.trace);

    const deployed = deployGenesis(this.runtime, input.workload.genesis);
    this.validators = createValidators(this.cfg.validators, this.cfg.seed);
    this.committees = computeCommittees(this.validators, this.cfg.seed, this.cfg.shards, this.cfg.committeeSize);
    const assignment = computeAssignment(deployed, this.cfg.shards, this.cfg.seed);
    for (const d of deployed) {
      this.contracts.set(d.id, { shard: assignment.get(d.id) as number, codeHash: d.codeHash });
      this.states.set(d.id, { kv: d.state, ended: false });
    }

    const accounts: [string, bigint][] = input.workload.genesis.accounts.map((a) => [toHex(createUser(a.name).address), a.balance]);
    for (const v of this.validators) accounts.push([v.account, 0n]);
    this.beacon = createBeaconState(accounts);
    this.beaconGenesisTotal = getBeaconTotal(this.beacon);

    let last = 0;
    for (const s of input.workload.submissions) {
      (this.bySlot.get(s.slot) ?? this.bySlot.set(s.slot, []).get(s.slot))?.push(s.tx);
      this.indexOf.set(s.tx, s.index);
      this.metrics.submit(s.index, toHex(computeTxId(s.tx)), computeFootprint(s.tx.tx.program), s.slot);
      last = Math.max(last, s.slot);
    }
    this.lastSubmission = last;
    this.endSlot = last + this.cfg.drainSlots;
  }

  /**
   * Drives the run: `step(slot)` for every slot until the end of the run, or earlier once every
   * submission is past and nothing is left in the mempool nor in the protocol (`isIdle`).
   * Returns the last slot simulated.
   */
  runSlots(step: (slot: number) => void, isIdle: () => boolean): number {
    let s = 0;
    for (; s <= this.endSlot; s++) {
      step(s);
      this.input.onSlot?.(s, this.endSlot);
      if (s >= this.lastSubmission && this.mempool.length === 0 && isIdle()) break;
    }
    return Math.min(s, this.endSlot);
  }

  /**
   * Stage-1-like validity when a transaction is first offered to shard blocks (slot `slot`):
   * signature, nonce and fee against the beacon state (`processStage1Block`). The fee is debited
   * here, once, and credited to the slot's stake-weighted beacon proposer. Invalid transactions are
   * `rejected`; future nonces stay in the mempool.
   */
  admit(slot: number): AdmittedTx[] {
    const candidates = this.mempool.concat(this.bySlot.get(slot) ?? []);
    const proposer = computeProposer(this.validators, this.cfg.seed, slot);
    const r = processStage1Block(this.beacon, candidates, proposer.account, Number.MAX_SAFE_INTEGER);
    for (const { tx, reason } of r.rejected) this.metrics.finish(this.indexOf.get(tx) as number, null, "rejected", reason);
    this.beacon = r.state;
    this.mempool = r.deferred;
    return r.included.map((stx) => {
      const txId = computeTxId(stx);
      return { seq: this.admitted++, index: this.indexOf.get(stx) as number, stx, txId, txIdHex: toHex(txId), footprint: computeFootprint(stx.tx.program) };
    });
  }

  /** The shard of an existing contract (undefined: it does not exist, calls to it fail). */
  getShard(id: ContractId): number | undefined {
    return this.contracts.get(id)?.shard;
  }

  /** The shards a footprint spans (existing contracts only), ascending. */
  getShards(footprint: readonly ContractId[]): number[] {
    const out = new Set<number>();
    for (const id of footprint) {
      const s = this.getShard(id);
      if (s !== undefined) out.add(s);
    }
    return [...out].sort((a, b) => a - b);
  }

  /** The contracts of a footprint that live on `shard`. */
  getContractsOn(shard: number, footprint: readonly ContractId[]): ContractId[] {
    return footprint.filter((id) => this.getShard(id) === shard);
  }

  /** Commits every contract of `shard` in `states` (id, state root, ended), ids sorted. */
  computeShardState(shard: number, states: ReadonlyMap<ContractId, Snap>): ShardStateCommitment {
    const ids = [...this.contracts.keys()].filter((id) => this.getShard(id) === shard && states.has(id)).sort();
    const leaves = ids.map((id) => computeContractLeaf(id, states.get(id) as Snap));
    return { ids, leaves, commitment: commitList(leaves) };
  }

  /** The committee of `shard` signs `message`; the aggregate must be final (≥ 2/3 of its stake). */
  attest(shard: number, message: Uint8Array): Attestation {
    const committee = this.committees[shard] as Validator[];
    const att = collectAttestation(this.verifier, committee, message);
    this.signatures += committee.length;
    if (!this.isAttested(shard, att)) throw new Error("internal: an honest shard-committee attestation is not final");
    return att;
  }

  /** A light client's check of a shard-committee attestation. */
  isAttested(shard: number, att: Attestation): boolean {
    return isAttestationFinal(this.verifier, this.committees[shard] as Validator[], att);
  }

  handle(id: ContractId, snap: Snap): ContractHandle {
    return { codeHash: (this.contracts.get(id) as ContractInfo).codeHash, state: snap.kv, ended: snap.ended };
  }

  /** Runs a whole program; contracts missing from `handles` do not exist here (calls fail). */
  execute(t: AdmittedTx, handles: ReadonlyMap<ContractId, ContractHandle>): TxExecution {
    const tx = t.stx.tx;
    return executeProgram(tx.program, { runtime: this.runtime, sender: tx.sender, txId: t.txId, gasLimit: tx.gasLimit, contract: (id) => handles.get(id) });
  }

  /**
   * Checks the Merkle witness of the keys an execution read from `snap` against `root` (real
   * prove → encode → decode → verify) and counts its bytes. A disagreement is a simulator bug.
   */
  checkWitness(id: ContractId, snap: Snap, root: Uint8Array, reads: ReadonlySet<string> | undefined): number {
    if (!reads || reads.size === 0) return 0;
    const keys = [...reads].sort().map(fromHex);
    const bytes = encodeWitness(snap.kv.prove(keys));
    const view = verifyWitness(root, decodeWitness(bytes));
    for (const key of keys) {
      const a = view.get(key);
      const b = snap.kv.get(key);
      if ((a === undefined) !== (b === undefined) || (a && b && !bytesEqual(a, b))) throw new Error(`internal: witness for ${id} disagrees`);
    }
    this.witnessBytes += bytes.length;
    this.witnesses++;
    return bytes.length;
  }

  /** Counts a contract-leaf branch downloaded with a witness (bytes of the leaf and its siblings). */
  countBranch(branch: readonly Uint8Array[]): void {
    this.witnessBytes += CONTRACT_LEAF_BYTES + 32 * branch.length;
  }

  /** Every executor of a transaction must reach the same outcome; the first one records it. */
  recordOutcome(holder: { outcome?: ExecOutcome; stx: SignedTx }, ex: TxExecution, label: string): ExecOutcome {
    const status = ex.run.status === "committed" ? "committed" : "aborted";
    const valuesRoot = computeValuesRoot(ex.run.values);
    const prior = holder.outcome;
    if (prior) {
      if (prior.status !== status || !bytesEqual(prior.valuesRoot, valuesRoot)) throw new Error(`internal: executors disagree on ${label}`);
      return prior;
    }
    const reason = status === "aborted" ? describeAbort(holder.stx.tx.program, ex.run.at, ex.run.values, ex.run.failures) : null;
    const outcome: ExecOutcome = { status, at: ex.run.at, reason, valuesRoot, created: status === "committed" ? ex.effects.created : [] };
    holder.outcome = outcome;
    return outcome;
  }

  /** `id`'s state after an execution: its writes (if the program committed) and whether it ended. */
  computePostState(id: ContractId, pre: Snap, ex: TxExecution): Snap {
    if (ex.run.status !== "committed") return pre;
    const writes = ex.effects.writes.get(id);
    return { kv: writes ? pre.kv.applyWrites(writes) : pre.kv, ended: pre.ended || ex.effects.ended.has(id) };
  }

  /** Contracts created by a committed transaction join a shard chosen by a seeded hash of their id. */
  registerSuccessors(created: readonly CreatedSuccessor[]): void {
    for (const c of created) {
      if (this.contracts.has(c.id)) continue;
      const shard = computeSuccessorGroup(this.cfg.seed, c.id, this.cfg.shards);
      this.contracts.set(c.id, { shard, codeHash: c.codeHash });
      this.states.set(c.id, { kv: MerkleKV.empty().applyWrites(c.writes), ended: false });
    }
  }

  /** Final outcome of a transaction that ran (with the reason when it aborted). */
  finishExecuted(index: number, slot: number, outcome: ExecOutcome): void {
    this.metrics.finish(index, slot, outcome.status, outcome.reason);
  }

  /** Builds the results file and the end state. */
  finish(lastSlot: number, summary: Record<string, number | number[] | null>, config: Record<string, unknown>): ProtocolRunOutput {
    const c = this.cfg;
    const results = this.metrics.build(
      this.protocolName,
      computeConfigRecord(this.protocolName, c, this.input.workload, config),
      {
        ...summary,
        signatures: this.signatures,
        witnessBytesMean: this.witnesses > 0 ? round(this.witnessBytes / this.witnesses) : 0,
        witnessBytesTotal: this.witnessBytes,
      },
      lastSlot,
    );
    const contracts = new Map<ContractId, MerkleKV>();
    for (const [id, s] of this.states) contracts.set(id, s.kv);
    return { results, end: { contracts, beacon: this.beacon.balances, beaconGenesisTotal: this.beaconGenesisTotal } };
  }
}

/** The leaf committing one contract in its shard's state: hash_tree_root(ContractLeaf). */
export function computeContractLeaf(id: ContractId, snap: Snap): Uint8Array {
  return ContractLeaf.hashTreeRoot({ contract: new TextEncoder().encode(id), stateRoot: snap.kv.root(), ended: snap.ended });
}
