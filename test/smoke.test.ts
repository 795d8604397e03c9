import { describe, expect, it } from "vitest";
import { contractPrincipal, sha256, toHex } from "../src/crypto/hash.js";

describe("hash", () => {
  it("sha256 matches the known vector for 'abc'", () => {
    expect(toHex(sha256("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("contract principals differ by id", () => {
    expect(toHex(contractPrincipal("a"))).not.toBe(toHex(contractPrincipal("b")));
  });
});
