import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { uint8ArrayToHashObject } from "@chainsafe/persistent-merkle-tree";
import { SHORT_HASH_MAX_BYTES, sha256Short, sha256ShortInto, sha256ShortTop } from "../../src/state/shortHash.js";

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

describe("sha256ShortInto (a range's digest as a node's hash words)", () => {
  it("sets the words uint8ArrayToHashObject sets from node:crypto's digest, for a range inside a larger array", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(), fc.nat(), (data, a, b) => {
        const start = a % (data.length + 1);
        const end = start + Math.min(b % (data.length - start + 1), SHORT_HASH_MAX_BYTES);
        const got = { h0: 0 as number | null, h1: 0, h2: 0, h3: 0, h4: 0, h5: 0, h6: 0, h7: 0 };
        sha256ShortInto(data, start, end, got);
        expect(got).toEqual({ ...uint8ArrayToHashObject(reference(data.subarray(start, end))) });
      }),
      { numRuns: 1000, seed: 12 },
    );
  });

  it("refuses a range longer than one block", () => {
    expect(() => sha256ShortInto(new Uint8Array(60), 2, 2 + SHORT_HASH_MAX_BYTES + 1, { h0: 0, h1: 0, h2: 0, h3: 0, h4: 0, h5: 0, h6: 0, h7: 0 })).toThrow(RangeError);
  });
});
