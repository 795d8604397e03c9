/**
 * The library contracts (contracts/*.ts, AssemblyScript), compiled by `npm run build:contracts`
 * into build/contracts/<name>.wasm. See docs/contracts.md for their methods and storage.
 */
import { readFileSync } from "node:fs";
import { XshardError } from "../errors.js";

export const LIBRARY_CONTRACTS = ["token", "exchange", "train", "hotel", "counter"] as const;
export type LibraryContractName = (typeof LIBRARY_CONTRACTS)[number];

/** build/contracts/ of the package: this file sits two levels below the root in src/ and in dist/. */
const BUILD_DIR = new URL("../../build/contracts/", import.meta.url);

export function isLibraryContract(name: string): name is LibraryContractName {
  return (LIBRARY_CONTRACTS as readonly string[]).includes(name);
}

/**
 * The compiled bytes of a library contract. Throws XshardError UNKNOWN_LIBRARY_CONTRACT for a name
 * not in LIBRARY_CONTRACTS, LIBRARY_NOT_BUILT when the build output is missing.
 */
export function loadLibraryWasm(name: LibraryContractName): Uint8Array {
  if (!isLibraryContract(name)) {
    throw new XshardError("UNKNOWN_LIBRARY_CONTRACT", `no library contract '${name}' (known: ${LIBRARY_CONTRACTS.join(", ")})`, { name });
  }
  const url = new URL(`${name}.wasm`, BUILD_DIR);
  try {
    return new Uint8Array(readFileSync(url));
  } catch (e) {
    throw new XshardError("LIBRARY_NOT_BUILT", `${url.pathname} is missing: run npm run build:contracts`, { name }, { cause: e });
  }
}
