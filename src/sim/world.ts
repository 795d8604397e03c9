/**
 * Genesis: the contracts (library code or user WebAssembly, initial arguments, placement hint) and
 * the beacon accounts with their balances. Shared by every protocol: each one deploys the same
 * genesis the same way, so runs start from the same state.
 */
import { readFileSync } from "node:fs";
import type { ContractId } from "../types.js";
import { XshardError } from "../errors.js";
import { sha256 } from "../crypto/hash.js";
import { addressOfPubkey, userKeyFromSeed, type UserKey } from "../crypto/ed25519.js";
import { MerkleKV } from "../state/index.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm, type Runtime } from "../runtime/index.js";

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

export const ZERO_ADDRESS = new Uint8Array(32);

export interface DeployedContract {
  readonly id: ContractId;
  readonly codeHash: string;
  readonly state: MerkleKV;
  readonly placement?: number;
}

/** Loads a contract's code bytes. */
export function loadContractCode(code: string): Uint8Array {
  if (code.startsWith("file:")) {
    try {
      return new Uint8Array(readFileSync(code.slice(5)));
    } catch (e) {
      throw new XshardError("UNREADABLE_CODE", `cannot read contract code ${code.slice(5)}`, { code }, { cause: e });
    }
  }
  if (!(LIBRARY_CONTRACTS as readonly string[]).includes(code)) {
    throw new XshardError("UNKNOWN_CONTRACT_CODE", `unknown library contract '${code}' (known: ${LIBRARY_CONTRACTS.join(", ")})`, { code });
  }
  return loadLibraryWasm(code as (typeof LIBRARY_CONTRACTS)[number]);
}

/** Registers every contract's code and runs its `init`; returns the genesis states in spec order. */
export function deployGenesis(runtime: Runtime, genesis: Genesis): DeployedContract[] {
  const seen = new Set<string>();
  return genesis.contracts.map((spec) => {
    if (seen.has(spec.id)) throw new XshardError("DUPLICATE_CONTRACT", `contract '${spec.id}' is defined twice`, { id: spec.id });
    seen.add(spec.id);
    const codeHash = runtime.registerCode(loadContractCode(spec.code));
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

/** Contract → committee/shard: the placement hint if given, else a seeded shuffle dealt round-robin. */
export function assignContracts(contracts: readonly { id: ContractId; placement?: number }[], groups: number, shuffle: <T>(xs: readonly T[]) => T[]): Map<ContractId, number> {
  const out = new Map<ContractId, number>();
  const free: ContractId[] = [];
  for (const c of contracts) {
    if (c.placement !== undefined) out.set(c.id, ((c.placement % groups) + groups) % groups);
    else free.push(c.id);
  }
  shuffle(free).forEach((id, i) => out.set(id, i % groups));
  return out;
}
