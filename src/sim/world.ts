/**
 * The simulator's side of genesis: contract code from the library or from `file:` paths, and the
 * deployment every driver uses (the pure part — specs, users, deployment with an injected code
 * loader — is `src/chain/genesis.ts`).
 */
import { readFileSync } from "node:fs";
import { XshardError } from "../errors.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm, type Runtime } from "../runtime/index.js";
import { deployGenesis as deployChainGenesis, type DeployedContract, type Genesis } from "../chain/genesis.js";


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
