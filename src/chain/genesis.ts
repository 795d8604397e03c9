/**
 * Genesis: the contracts (code, initial arguments, placement hint) and the beacon accounts with
 * their balances, shared by every protocol so that runs start from the same state. Pure: contract
 * code comes in through a loader the caller supplies (the simulator reads files; a node reads its
 * genesis directory), so this module does no I/O.
 */
import type { ContractId } from "../types.js";
import { XshardError } from "../errors.js";
import { sha256, toHex } from "../crypto/hash.js";
import { addressOfPubkey, userKeyFromSeed, type UserKey } from "../crypto/ed25519.js";
import { MerkleKV } from "../state/index.js";
import type { Runtime } from "../runtime/index.js";

export interface ContractSpec {
  readonly id: ContractId;
  /** A library contract name (token, exchange, train, hotel, counter) or `file:PATH.wasm`. */
  readonly code: string;
  /** Arguments of the `init` call made at deployment (caller: the zero address). */
  readonly init: readonly Uint8Array[];
  /** Placement hint: the contract goes to committee/shard `placement mod K`; absent → the protocol's assignment rule. */
  readonly placement?: number;
}

export interface AccountSpec {
  readonly name: string;
  readonly balance: bigint;
}

export interface Genesis {
  readonly contracts: readonly ContractSpec[];
  readonly accounts: readonly AccountSpec[];
}

export interface User {
  readonly name: string;
  readonly key: UserKey;
  readonly address: Uint8Array;
}

const users = new Map<string, User>();

/**
 * A user's key is derived from its name alone, so names resolve to the same address in every run.
 * Memoised: a pure function of the name, and key derivation is the costly part of a large genesis.
 */
export function createUser(name: string): User {
  let u = users.get(name);
  if (!u) {
    const key = userKeyFromSeed(sha256("xshard:user:", name));
    u = { name, key, address: addressOfPubkey(key.pubkey) };
    users.set(name, u);
  }
  return u;
}

/** The genesis beacon balances: hex address → balance. */
export function computeGenesisAccounts(genesis: Genesis): [string, bigint][] {
  return genesis.accounts.map((a) => [toHex(createUser(a.name).address), a.balance]);
}

export const ZERO_ADDRESS = new Uint8Array(32);

export interface DeployedContract {
  readonly id: ContractId;
  readonly codeHash: string;
  readonly state: MerkleKV;
  readonly placement?: number;
}

/** Turns a contract spec's `code` into WebAssembly bytes; throws a typed error for unknown code. */
export type CodeLoader = (code: string) => Uint8Array;

/** Registers every contract's code and runs its `init`; returns the genesis states in spec order. */
export function deployGenesis(runtime: Runtime, genesis: Genesis, loadCode: CodeLoader): DeployedContract[] {
  const seen = new Set<string>();
  return genesis.contracts.map((spec) => {
    if (seen.has(spec.id)) throw new XshardError("DUPLICATE_CONTRACT", `contract '${spec.id}' is defined twice`, { id: spec.id });
    seen.add(spec.id);
    const codeHash = runtime.registerCode(loadCode(spec.code));
    const empty = MerkleKV.empty();
    const r = runtime.call({
      contract: spec.id,
      codeHash,
      state: empty,
      caller: ZERO_ADDRESS,
      method: "init",
      args: spec.init.map((bytes) => ({ bytes })),
      txId: sha256("xshard:genesis:", spec.id),
    });
    if (!r.ok) {
      throw new XshardError("GENESIS_FAILED", `init of contract '${spec.id}' failed: ${r.failure.kind}: ${r.failure.message}`, {
        id: spec.id,
        failure: r.failure,
      });
    }
    const d: DeployedContract = { id: spec.id, codeHash, state: empty.applyWrites(r.writes) };
    return spec.placement === undefined ? d : { ...d, placement: spec.placement };
  });
}
