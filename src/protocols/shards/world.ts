/**
 * The sharded world both baselines of DESIGN §4 share (`sync` and `lock2pc`), as a spec: contracts
 * placed on shards, the agreed state of every contract, the beacon accounts that pay fees, and the
 * rules every shard applies the same way — the Stage-1-like fee check when a transaction is first
 * offered to shard blocks, program execution with Merkle witnesses for contracts of other shards,
 * post-states, outcomes and successor registration.
 *
 * It holds no protocol rule of its own (which block includes what, when a transaction runs), no
 * time, no randomness and no metrics: the protocols call it, the drivers own the rest.
 */
import { bytesEqual, fromHex, toHex } from "../../crypto/hash.js";
import type { SignatureVerifier } from "../../crypto/bls.js";
import { computeTxId, type SignedTx } from "../../program/index.js";
import type { Runtime } from "../../runtime/index.js";
import { commitList, decodeWitness, encodeWitness, MerkleKV, verifyWitness, type ListCommitment } from "../../state/index.js";
import { describeAbort } from "../../exec/describe.js";
import { executeProgram, type ContractHandle, type CreatedSuccessor, type TxExecution } from "../../exec/executeTx.js";
import { XshardError } from "../../errors.js";
import type { ContractId } from "../../types.js";
import {
  computeAssignment,
  computeCommittees,
  computeGenesisRoot,
  computeProposer,
  computeSuccessorGroup,
  createValidators,
  type DeployedContract,
  type Validator,
} from "../../chain/index.js";
import { createBeaconState, processStage1Block, type BeaconState, type RejectReason } from "../../chain/beacon.js";
import { computeValuesRoot } from "../../chain/values.js";
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

/**
 * What every node of a sharded chain derives from the genesis alone: the seed, the shard count,
 * validators and shard committees, the genesis root mixed into every signature, and the engines it
 * runs (contract runtime, signature verifier).
 */
export interface ShardsContext {
  readonly seed: string;
  readonly shards: number;
  readonly validators: readonly Validator[];
  /** The committee of each shard: it attests the shard's blocks (and sync's confirmations). */
  readonly committees: readonly (readonly Validator[])[];
  readonly genesisRoot: Uint8Array;
  readonly runtime: Runtime;
  readonly verifier: SignatureVerifier;
  /** Metered execution gas a shard may spend per slot (block or height): the run's `slotGas`. */
  readonly slotGas: bigint;
}

/** The state every shard agrees on: where each contract lives, every contract's state, beacon accounts. */
export interface ShardsState {
  readonly contracts: ReadonlyMap<ContractId, ContractInfo>;
  readonly states: ReadonlyMap<ContractId, Snap>;
  readonly beacon: BeaconState;
}

/** A transaction that passed the fee check; `seq` is its admission order (the same on every shard). */
export interface AdmittedTx {
  readonly seq: number;
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

export interface ShardsGenesisParams {
  readonly seed: string;
  readonly shards: number;
  readonly validators: number;
  readonly committeeSize: number;
  readonly runtime: Runtime;
  readonly verifier: SignatureVerifier;
  /** Genesis contracts as deployed (code registered in `runtime`, `init` run). */
  readonly deployed: readonly DeployedContract[];
  /** Metered execution gas per shard per slot. */
  readonly slotGas: bigint;
}

/** The context of a sharded chain: validators and committees from the seed, the genesis root. */
export function createShardsContext(p: ShardsGenesisParams): ShardsContext {
  const validators = createValidators(p.validators, p.seed);
  const committees = computeCommittees(validators, p.seed, p.shards, p.committeeSize);
  const genesisRoot = computeGenesisRoot({
    seed: p.seed,
    committeeSize: p.committeeSize,
    committees: p.shards,
    validators,
    contracts: p.deployed.map((d) => ({ id: d.id, codeHash: d.codeHash, root: d.state.root() })),
  });
  return { seed: p.seed, shards: p.shards, validators, committees, genesisRoot, runtime: p.runtime, verifier: p.verifier, slotGas: p.slotGas };
}

/**
 * The gas bound of a shard's slot (DESIGN §7, equal resources): an execution of `gas` metered gas
 * fits when the shard's executions so far (`used`) plus it stay within `slotGas`. What does not fit
 * waits for a later slot.
 */
export function isWithinSlotGas(used: bigint, gas: bigint, slotGas: bigint): boolean {
  return used + gas <= slotGas;
}

/** A transaction is offered to shard blocks only if its whole gas budget fits one slot's gas (else it could never run: refused at submission). */
export function isGasLimitWithinSlot(gasLimit: bigint, slotGas: bigint): boolean {
  return gasLimit <= slotGas;
}

/**
 * The genesis state: every deployed contract on its shard (placement hint, else the seeded
 * assignment), users' accounts with their balances and every validator's fee account at zero.
 */
export function createShardsState(ctx: ShardsContext, deployed: readonly DeployedContract[], accounts: readonly [string, bigint][]): ShardsState {
  const assignment = computeAssignment(deployed, ctx.shards, ctx.seed);
  const contracts = new Map<ContractId, ContractInfo>();
  const states = new Map<ContractId, Snap>();
  for (const d of deployed) {
    contracts.set(d.id, { shard: assignment.get(d.id) as number, codeHash: d.codeHash });
    states.set(d.id, { kv: d.state, ended: false });
  }
  const all: [string, bigint][] = [...accounts];
  for (const v of ctx.validators) all.push([v.account, 0n]);
  return { contracts, states, beacon: createBeaconState(all) };
}

// ---------------------------------------------------------------- fees (admission)

export interface AdmissionResult {
  readonly state: ShardsState;
  readonly included: readonly SignedTx[];
  readonly rejected: readonly { tx: SignedTx; reason: RejectReason }[];
  /** Future nonces: they stay in the mempool. */
  readonly deferred: readonly SignedTx[];
}

/**
 * Stage-1-like validity when transactions are first offered to shard blocks in `slot`: signature,
 * nonce and fee against the beacon state (`processStage1Block`). Fees are debited here, once, and
 * credited to the slot's stake-weighted beacon proposer.
 */
export function processAdmission(state: ShardsState, candidates: readonly SignedTx[], slot: number, ctx: ShardsContext): AdmissionResult {
  const proposer = computeProposer(ctx.validators, ctx.seed, slot);
  const r = processStage1Block(state.beacon, candidates, proposer.account, Number.MAX_SAFE_INTEGER);
  return { state: { ...state, beacon: r.state }, included: r.included, rejected: r.rejected, deferred: r.deferred };
}

/** The admitted form of an included transaction (`seq`: its admission order). */
export function computeAdmittedTx(stx: SignedTx, seq: number, footprint: readonly ContractId[]): AdmittedTx {
  const txId = computeTxId(stx);
  return { seq, stx, txId, txIdHex: toHex(txId), footprint };
}

// ---------------------------------------------------------------- placement

/** The shard of an existing contract (undefined: it does not exist, calls to it fail). */
export function getShard(state: ShardsState, id: ContractId): number | undefined {
  return state.contracts.get(id)?.shard;
}

/** The shards a footprint spans (existing contracts only), ascending. */
export function getShards(state: ShardsState, footprint: readonly ContractId[]): number[] {
  const out = new Set<number>();
  for (const id of footprint) {
    const s = getShard(state, id);
    if (s !== undefined) out.add(s);
  }
  return [...out].sort((a, b) => a - b);
}

const listedCache = new WeakMap<ReadonlyMap<ContractId, ContractInfo>, WeakMap<readonly ContractId[], readonly number[]>>();

/**
 * The shards a transaction lists: those of its footprint, or shard 0 when none of its contracts
 * exists. Memoised per placement map and footprint (a new contract gives a new placement map).
 */
export function getListedShards(state: ShardsState, footprint: readonly ContractId[]): readonly number[] {
  let byFootprint = listedCache.get(state.contracts);
  if (!byFootprint) {
    byFootprint = new WeakMap();
    listedCache.set(state.contracts, byFootprint);
  }
  let shards = byFootprint.get(footprint);
  if (!shards) {
    const found = getShards(state, footprint);
    shards = found.length > 0 ? found : [0];
    byFootprint.set(footprint, shards);
  }
  return shards;
}

/** The contracts of a footprint that live on `shard`. */
export function getContractsOn(state: ShardsState, shard: number, footprint: readonly ContractId[]): ContractId[] {
  return footprint.filter((id) => getShard(state, id) === shard);
}

/** The leaf committing one contract in its shard's state: hash_tree_root(ContractLeaf). */
export function computeContractLeaf(id: ContractId, snap: Snap): Uint8Array {
  return ContractLeaf.hashTreeRoot({ contract: new TextEncoder().encode(id), stateRoot: snap.kv.root(), ended: snap.ended });
}

/** Commits every contract of `shard` in `states` (id, state root, ended), ids sorted. */
export function computeShardState(state: ShardsState, shard: number, states: ReadonlyMap<ContractId, Snap> = state.states): ShardStateCommitment {
  const ids = [...state.contracts.keys()].filter((id) => getShard(state, id) === shard && states.has(id)).sort();
  const leaves = ids.map((id) => computeContractLeaf(id, states.get(id) as Snap));
  return { ids, leaves, commitment: commitList(leaves) };
}

// ---------------------------------------------------------------- execution

export function createContractHandle(state: ShardsState, id: ContractId, snap: Snap): ContractHandle {
  return { codeHash: (state.contracts.get(id) as ContractInfo).codeHash, state: snap.kv, ended: snap.ended };
}

/** Runs a whole program; contracts missing from `handles` do not exist here (calls fail). */
export function executeTx(ctx: ShardsContext, t: AdmittedTx, handles: ReadonlyMap<ContractId, ContractHandle>): TxExecution {
  const tx = t.stx.tx;
  return executeProgram(tx.program, { runtime: ctx.runtime, sender: tx.sender, txId: t.txId, gasLimit: tx.gasLimit, contract: (id) => handles.get(id) });
}

/** The outcome of one execution: status, step values root, abort reason, successors created. */
export function computeExecOutcome(stx: SignedTx, ex: TxExecution): ExecOutcome {
  const status = ex.run.status === "committed" ? "committed" : "aborted";
  const reason = status === "aborted" ? describeAbort(stx.tx.program, ex.run.at, ex.run.values, ex.run.failures) : null;
  return { status, at: ex.run.at, reason, valuesRoot: computeValuesRoot(ex.run.values), created: status === "committed" ? ex.effects.created : [] };
}

/** Two executors of one transaction agree: same status, same step values. */
export function isSameOutcome(a: ExecOutcome, b: ExecOutcome): boolean {
  return a.status === b.status && bytesEqual(a.valuesRoot, b.valuesRoot);
}

/** `id`'s state after an execution: its writes (if the program committed) and whether it ended. */
export function computePostState(id: ContractId, pre: Snap, ex: TxExecution): Snap {
  if (ex.run.status !== "committed") return pre;
  const writes = ex.effects.writes.get(id);
  return { kv: writes ? pre.kv.applyWrites(writes) : pre.kv, ended: pre.ended || ex.effects.ended.has(id) };
}

/**
 * The Merkle witness of the keys an execution read from `snap`, checked against `root` (real
 * prove → encode → decode → verify). Returns its size in bytes (0 when nothing was read).
 * BAD_WITNESS when the witness does not prove the values the execution read.
 */
export function checkWitness(id: ContractId, snap: Snap, root: Uint8Array, reads: ReadonlySet<string> | undefined): number {
  if (!reads || reads.size === 0) return 0;
  const keys = [...reads].sort().map(fromHex);
  const bytes = encodeWitness(snap.kv.prove(keys));
  let view;
  try {
    view = verifyWitness(root, decodeWitness(bytes));
  } catch (e) {
    throw new XshardError("BAD_WITNESS", `witness of ${id} does not lead to the trusted root`, { contract: id }, { cause: e });
  }
  for (const key of keys) {
    const a = view.get(key);
    const b = snap.kv.get(key);
    if ((a === undefined) !== (b === undefined) || (a && b && !bytesEqual(a, b))) throw new XshardError("BAD_WITNESS", `witness of ${id} disagrees with the read values`, { contract: id });
  }
  return bytes.length;
}

/**
 * Contracts created by a committed transaction join a shard chosen by a seeded hash of their id
 * (`computeSuccessorGroup`); returns the new state (the same object when nothing is new).
 */
export function processSuccessors(state: ShardsState, created: readonly CreatedSuccessor[], ctx: ShardsContext): ShardsState {
  const fresh = created.filter((c) => !state.contracts.has(c.id));
  if (fresh.length === 0) return state;
  const contracts = new Map(state.contracts);
  const states = new Map(state.states);
  for (const c of fresh) {
    if (contracts.has(c.id)) continue;
    contracts.set(c.id, { shard: computeSuccessorGroup(ctx.seed, c.id, ctx.shards), codeHash: c.codeHash });
    states.set(c.id, { kv: MerkleKV.empty().applyWrites(c.writes), ended: false });
  }
  return { ...state, contracts, states };
}

/** The state with some contracts' states replaced. */
export function withStates(state: ShardsState, updates: ReadonlyMap<ContractId, Snap>): ShardsState {
  if (updates.size === 0) return state;
  const states = new Map(state.states);
  for (const [id, snap] of updates) states.set(id, snap);
  return { ...state, states };
}
