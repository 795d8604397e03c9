/**
 * The simulator's side of genesis: contract code from the library or from files (the pure part —
 * specs, users, deployment — is `src/chain/genesis.ts`). Genesis: the contracts (library code or user WebAssembly, initial arguments, placement hint) and
 * the beacon accounts with their balances. Shared by every protocol: each one deploys the same
 * genesis the same way, so runs start from the same state.
 */
import { readFileSync } from "node:fs";
import type { ContractId } from "../types.js";
import { XshardError } from "../errors.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm, type Runtime } from "../runtime/index.js";
import { deployGenesis as deployChainGenesis, type DeployedContract, type Genesis } from "../chain/genesis.js";

export { createUser, ZERO_ADDRESS } from "../chain/genesis.js";
export type { AccountSpec, ContractSpec, DeployedContract, Genesis, User } from "../chain/genesis.js";

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

/** Registers every contract's code (library names or `file:` paths) and runs its `init`. */
export function deployGenesis(runtime: Runtime, genesis: Genesis): DeployedContract[] {
  return deployChainGenesis(runtime, genesis, loadContractCode);
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
