import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LIBRARY_CONTRACTS, Runtime, loadLibraryWasm, type LibraryContractName } from "../../src/runtime/index.js";

describe("library contracts", () => {
  it("the build holds exactly the listed contracts, and each registers", () => {
    const built = readdirSync(new URL("../../build/contracts/", import.meta.url)).filter((f) => f.endsWith(".wasm"));
    expect(built.sort()).toEqual(LIBRARY_CONTRACTS.map((n) => `${n}.wasm`).sort());
    const rt = new Runtime();
    const hashes = LIBRARY_CONTRACTS.map((n) => rt.registerCode(loadLibraryWasm(n)));
    expect(hashes.every((h) => rt.hasCode(h))).toBe(true);
  });

  it("an unknown name is a typed error", () => {
    expect(() => loadLibraryWasm("bank" as LibraryContractName)).toThrow(expect.objectContaining({ code: "UNKNOWN_LIBRARY_CONTRACT" }));
  });
});
