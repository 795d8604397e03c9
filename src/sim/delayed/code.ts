/**
 * Contract code for the simulator: a library contract's name or `file:PATH.wasm` (the simulator may
 * read files; `src/chain/genesis.ts` takes this loader as an argument and does no I/O itself).
 */
import { readFileSync } from "node:fs";
import { XshardError } from "../../errors.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm } from "../../runtime/index.js";

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
