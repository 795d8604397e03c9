import { describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { KeyCache, getKeyHex } from "../../src/runtime/keys.js";

/** `bytes` placed at `offset` of a larger buffer, as the host reads keys out of linear memory. */
function placed(bytes: number[], offset: number): DataView {
  const memory = new Uint8Array(offset + bytes.length + 3).fill(0xee);
  memory.set(bytes, offset);
  return new DataView(memory.buffer);
}

describe("KeyCache", () => {
  it("returns one object per key, wherever the bytes lie, with their hex; another key gets another", () => {
    const cache = new KeyCache();
    const a = cache.intern(placed([0x62, 1, 2, 3, 4, 5], 0), 0, 6);
    const again = cache.intern(placed([0x62, 1, 2, 3, 4, 5], 13), 13, 6);
    expect(again).toBe(a);
    expect(a.hex).toBe("620102030405");
    expect(a.length).toBe(6);
    expect([...a.bytes]).toEqual([0x62, 1, 2, 3, 4, 5]);
    expect(cache.intern(placed([0x62, 1, 2, 3, 4, 6], 1), 1, 6)).not.toBe(a);
    expect(cache.intern(placed([0x62, 1, 2, 3, 4], 1), 1, 5)).not.toBe(a);
  });

  it("keeps apart keys whose hashes collide", () => {
    // These two 8-byte keys have the same 32-bit hash (found by search).
    const x = [0x2e, 0x90, 0x00, 0x00, 0xce, 0x6d, 0x6b, 0xa2];
    const y = [0x88, 0x6a, 0x00, 0x00, 0x08, 0xf0, 0xdb, 0x05];
    const cache = new KeyCache();
    const kx = cache.intern(placed(x, 2), 2, 8);
    const ky = cache.intern(placed(y, 5), 5, 8);
    expect(ky).not.toBe(kx);
    expect(ky.hex).toBe(toHex(new Uint8Array(y)));
    expect(cache.intern(placed(x, 0), 0, 8)).toBe(kx);
    expect(cache.intern(placed(y, 0), 0, 8)).toBe(ky);
  });

  it("trim forgets every key only once the table holds more than its capacity", () => {
    const cache = new KeyCache(2);
    const key = (b: number) => cache.intern(placed([b], 0), 0, 1);
    const first = key(1);
    key(2);
    cache.trim();
    expect(key(1)).toBe(first);
    key(3);
    cache.trim();
    expect(key(1)).not.toBe(first);
  });
});

describe("getKeyHex", () => {
  it("is the hex of any key: remembered for interned keys, computed for others", () => {
    const interned = new KeyCache().intern(placed([0xab, 0xcd], 4), 4, 2);
    expect(getKeyHex(interned.bytes)).toBe("abcd");
    expect(getKeyHex(new Uint8Array([0xab, 0xcd, 0x01]))).toBe("abcd01");
  });
});
