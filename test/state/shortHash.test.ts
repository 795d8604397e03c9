import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SHORT_HASH_MAX_BYTES, sha256Short, sha256ShortTop } from "../../src/state/shortHash.js";

const reference = (data: Uint8Array): Buffer => createHash("sha256").update(data).digest();

describe("sha256Short (one-block SHA-256 in JS)", () => {
  it("equals node:crypto's SHA-256 for every length from 0 to 55 bytes", () => {
    for (let n = 0; n <= SHORT_HASH_MAX_BYTES; n++) {
      for (const fill of [0x00, 0xff, 0x80, n]) {
        const data = new Uint8Array(n).fill(fill);
        expect(Buffer.from(sha256Short(data)).toString("hex")).toBe(reference(data).toString("hex"));
        expect(sha256ShortTop(data)).toBe(reference(data).readUInt32BE(0));
      }
    }
  });

  it("equals node:crypto's SHA-256 on random short messages", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: SHORT_HASH_MAX_BYTES }), (data) => {
        expect(Buffer.from(sha256Short(data)).equals(reference(data))).toBe(true);
        expect(sha256ShortTop(data)).toBe(reference(data).readUInt32BE(0));
      }),
      { numRuns: 2000, seed: 5 },
    );
  });

  it("knows the published digest of 'abc' and of the empty message", () => {
    expect(Buffer.from(sha256Short(new TextEncoder().encode("abc"))).toString("hex")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(Buffer.from(sha256Short(new Uint8Array(0))).toString("hex")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("refuses a message longer than one block holds", () => {
    expect(() => sha256Short(new Uint8Array(56))).toThrow(RangeError);
    expect(() => sha256ShortTop(new Uint8Array(56))).toThrow(RangeError);
  });
});
