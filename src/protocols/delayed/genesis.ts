/**
 * The two-stage chain's genesis state: validators and their stake accounts, the treasury slashed
 * stake goes to, the genesis contracts on their committees. Pure: contract code is deployed by the
 * caller (`src/chain/genesis.ts` with a code loader) and comes in as roots.
 */
import { sha256, toHex } from "../../crypto/hash.js";
import { createBeaconState } from "../../chain/beacon.js";
import { computeAssignment, computeCommittees, computeGenesisRoot, type Validator } from "../../chain/index.js";
import type { ContractId } from "../../types.js";
import { CoAccessGraph } from "./assignment.js";
import { INITIAL_STAGE1_BASE_FEE } from "./budget.js";
import { ZERO_ROOT, createFlagLog, createLog, createRootLog, type ContractRecord, type DelayedParams, type DelayedState } from "./state.js";

/** Stake is counted in whole units; its beacon balance is stake × STAKE_UNIT (gwei per ether). */
export const STAKE_UNIT = 1_000_000_000n;
/** The beacon account slashed stake goes to (value is moved, never destroyed). */
export const TREASURY_ACCOUNT = toHex(sha256("xshard:treasury"));

/** The beacon account holding a validator's stake. */
export function getStakeAccount(v: Validator): string {
  return toHex(sha256("xshard:stake:", v.key.pubkey));
}

/** A genesis contract as the chain records it. */
export interface GenesisContract {
  readonly id: ContractId;
  readonly codeHash: string;
  readonly root: Uint8Array;
  readonly placement?: number;
}

/** A contract record at its state 0 (genesis contracts and successors alike). */
export function createContractRecord(id: ContractId, committee: number, codeHash: string, root: Uint8Array, creator?: number): ContractRecord {
  const r: ContractRecord = {
    id,
    committee,
    codeHash,
    queue: createLog<number>(),
    chainRoots: createRootLog([root]),
    endedAt: createFlagLog([false]),
    dropped: false,
    awaitingCreator: false,
  };
  return creator === undefined ? r : { ...r, creator };
}

/**
 * The chain at genesis: `accounts` (hex address → balance) of the users, plus every validator's
 * fee account (0) and stake account (stake × STAKE_UNIT), plus the treasury; contracts on the
 * committees of `computeAssignment`.
 */
export function createGenesisState(params: DelayedParams, validators: readonly Validator[], contracts: readonly GenesisContract[], accounts: readonly [string, bigint][]): DelayedState {
  const genesisRoot = computeGenesisRoot({
    seed: params.seed,
    committeeSize: params.committeeSize,
    committees: params.committees,
    validators,
    contracts: contracts.map((c) => ({ id: c.id, codeHash: c.codeHash, root: c.root })),
  });
  const committees = computeCommittees(validators, params.seed, params.committees, params.committeeSize);
  const assignment = computeAssignment(contracts, params.committees, params.seed);
  const records = new Map<ContractId, ContractRecord>();
  for (const c of contracts) records.set(c.id, createContractRecord(c.id, assignment.get(c.id) as number, c.codeHash, c.root));
  const all: [string, bigint][] = [...accounts];
  for (const v of validators) all.push([v.account, 0n], [getStakeAccount(v), BigInt(v.stake) * STAKE_UNIT]);
  all.push([TREASURY_ACCOUNT, 0n]);
  return {
    params,
    genesisRoot,
    validators,
    committees,
    slashed: new Set(),
    beacon: createBeaconState(all),
    stage1BaseFee: INITIAL_STAGE1_BASE_FEE,
    stage1Root: ZERO_ROOT,
    stage2Root: ZERO_ROOT,
    stage1Slot: -1,
    stage2Number: -1,
    stage2Slot: -1,
    contracts: records,
    txs: createLog(),
    graph: params.assignment === "adaptive" ? new CoAccessGraph() : null,
  };
}
