/**
 * Write-set keys are parsed once per hex string and cached (src/state/tree.ts, `parseWriteKey`):
 * the cache must never change a position, a root or a check.
 */
import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { MAX_VALUE_BYTES, MerkleKV } from "../../src/state/index.js";
import type { WriteSet } from "../../src/types.js";
import { refRoot } from "./reference.js";

function keyHex(i: number): string {
  return toHex(sha256("write key ", String(i)));
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isXshardError(e) ? e.code : "not an XshardError";
  }
  return undefined;
}

describe("write-set keys parsed once", () => {
  it("the same keys written at several depths land at each depth's positions", () => {
    const writes = new Map<string, Uint8Array>(Array.from({ length: 200 }, (_, i) => [keyHex(i), Uint8Array.of(i & 0xff, 1)]));
    for (const depth of [32, 8, 20, 1, 32]) {
      expect(toHex(MerkleKV.empty(depth).applyWrites(writes).root())).toBe(toHex(refRoot(writes, depth)));
    }
  });

  it("a cached key still has its value checked, and a non-canonical spelling of it is still refused", () => {
    const key = keyHex(1);
    const kv = MerkleKV.empty(16).applyWrites(new Map([[key, Uint8Array.of(1)]]));
    expect(codeOf(() => kv.applyWrites(new Map([[key, new Uint8Array(MAX_VALUE_BYTES + 1)]])))).toBe("BAD_VALUE");
    expect(codeOf(() => kv.applyWrites(new Map([[key.toUpperCase(), Uint8Array.of(2)]])))).toBe("BAD_KEY");
    expect(codeOf(() => kv.applyWrites(new Map([[`${key}0`, Uint8Array.of(2)]])))).toBe("BAD_KEY");
  });

  it("more distinct keys than the cache holds: every root still matches the reference", () => {
    const state = new Map<string, Uint8Array>();
    let kv = MerkleKV.empty(16);
    for (let batch = 0; batch < 3; batch++) {
      const writes: WriteSet = new Map();
      for (let i = 0; i < 7_000; i++) writes.set(keyHex(batch * 5_000 + i), Uint8Array.of(batch, i & 0xff));
      kv = kv.applyWrites(writes);
      for (const [k, v] of writes) state.set(k, v as Uint8Array);
      expect(toHex(kv.root())).toBe(toHex(refRoot(state, 16)));
    }
    expect(kv.size).toBe(state.size);
  });

  it("a write's value is copied: changing the caller's array afterwards changes nothing", () => {
    const value = Uint8Array.of(7, 7);
    const key = keyHex(3);
    const kv = MerkleKV.empty(12).applyWrites(new Map([[key, value]]));
    const root = toHex(kv.root());
    value[0] = 9;
    expect(toHex(kv.root())).toBe(root);
    expect([...(kv.get(Buffer.from(key, "hex")) ?? [])]).toEqual([7, 7]);
  });
});
