/** `MerkleBatch` against the SSZ library's byte lists (a tree of chunks, padded, mixed in with its length), and a second mix-in (a union selector) against sha256 itself. */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { ByteListType } from "@chainsafe/ssz";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/crypto/hash.js";
import { MerkleBatch } from "../../src/crypto/merkle.js";

const lists = [0, 1, 2, 3, 5, 8].map((depth) => ({ depth, type: new ByteListType(32 * 2 ** depth) }));

describe("MerkleBatch", () => {
  it("many trees in one run (depths 0 to 8, empty to full, mixed in once or twice) = ByteListType roots", () => {
    const item = fc.nat({ max: lists.length - 1 }).chain((k) => fc.tuple(fc.constant(k), fc.oneof(fc.uint8Array({ maxLength: 32 * 2 ** (lists[k]?.depth ?? 0) }), fc.uint8Array({ minLength: 32 * 2 ** (lists[k]?.depth ?? 0), maxLength: 32 * 2 ** (lists[k]?.depth ?? 0) }))));
    const b = new MerkleBatch();
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), fc.nat({ max: 2 ** 40 }), (items, selector) => {
        b.clear();
        const roots = b.alloc(items.length * 2);
        items.forEach(([k, bytes], i) => {
          const depth = lists[k]?.depth as number;
          b.tree(b.allocBytes(bytes), (bytes.length + 31) >> 5, depth, roots + i, bytes.length);
          b.tree(b.allocBytes(bytes), (bytes.length + 31) >> 5, depth, roots + items.length + i, bytes.length, selector);
        });
        b.run();
        items.forEach(([k, bytes], i) => {
          const root = lists[k]?.type.hashTreeRoot(bytes) as Uint8Array;
          expect(toHex(b.getChunk(roots + i))).toBe(toHex(root));
          const sel = new Uint8Array(64);
          sel.set(root);
          new DataView(sel.buffer).setBigUint64(32, BigInt(selector), true);
          expect(toHex(b.getChunk(roots + items.length + i))).toBe(toHex(sha(sel)));
        });
      }),
      { numRuns: 150 },
    );
  });

  it("rejects more chunks than the depth holds", () => {
    const b = new MerkleBatch();
    expect(() => b.tree(b.alloc(3), 3, 1, b.alloc(1))).toThrow(RangeError);
  });
});

function sha(x: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(x).digest());
}
