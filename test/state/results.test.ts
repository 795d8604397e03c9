import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ByteVectorType, ListCompositeType } from "@chainsafe/ssz";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { commitList, verifyListProof, verifyListProofs, type ListProofQuery } from "../../src/state/index.js";
import { computeListDepth } from "../../src/state/results.js";

const arbLeaves = fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 40 });

function flip(bytes: Uint8Array, at = 0): Uint8Array {
  return Uint8Array.from(bytes, (b, i) => (i === at ? b ^ 1 : b));
}

describe("list commitments (results and receipt roots)", () => {
  it("equal the SSZ List[Bytes32, N] root with N the next power of two", () => {
    fc.assert(
      fc.property(arbLeaves, (leaves) => {
        const ssz = new ListCompositeType(new ByteVectorType(32), 2 ** computeListDepth(leaves.length));
        expect(toHex(commitList(leaves).root)).toBe(toHex(ssz.hashTreeRoot(leaves)));
      }),
      { numRuns: 100 },
    );
  });

  it("prove every leaf, and nothing else", () => {
    fc.assert(
      fc.property(arbLeaves.filter((l) => l.length > 0), fc.nat(), (leaves, pick) => {
        const list = commitList(leaves);
        const n = leaves.length;
        const i = pick % n;
        const leaf = leaves[i] as Uint8Array;
        const proof = list.prove(i);
        expect(proof.length).toBe(computeListDepth(n));
        expect(verifyListProof(list.root, i, leaf, proof, n)).toBe(true);
        expect(verifyListProof(list.root, i, flip(leaf), proof, n)).toBe(false);
        expect(verifyListProof(flip(list.root), i, leaf, proof, n)).toBe(false);
        expect(verifyListProof(list.root, i, leaf, proof, n + 1)).toBe(false);
        expect(verifyListProof(list.root, n, leaf, proof, n)).toBe(false);
        if (n > 1) {
          const j = (i + 1) % n;
          if (toHex(leaves[j] as Uint8Array) !== toHex(leaf)) expect(verifyListProof(list.root, j, leaf, proof, n)).toBe(false);
          expect(verifyListProof(list.root, i, leaf, proof.map((p, j) => (j === 0 ? flip(p) : p)), n)).toBe(false);
          expect(verifyListProof(list.root, i, leaf, proof.slice(1), n)).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("verified many at once (hashed level by level together): the same answer as one by one, good and bad mixed", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbLeaves.filter((l) => l.length > 0), fc.nat(), fc.integer({ min: 0, max: 6 })), { maxLength: 12 }), (cases) => {
        const queries: ListProofQuery[] = cases.map(([leaves, pick, damage]) => {
          const list = commitList(leaves);
          const n = leaves.length;
          const i = pick % n;
          const q = { root: list.root, index: i, leaf: leaves[i] as Uint8Array, proof: list.prove(i), length: n };
          // 0–1: a good proof; else one kind of damage (a flipped leaf, root or sibling; a wrong length, index or branch length).
          if (damage === 2) return { ...q, leaf: flip(q.leaf) };
          if (damage === 3) return { ...q, root: flip(q.root, 31) };
          if (damage === 4) return { ...q, length: n + 1 };
          if (damage === 5) return { ...q, index: n };
          if (damage === 6) return q.proof.length > 0 ? { ...q, proof: q.proof.map((p, j) => (j === q.proof.length - 1 ? flip(p) : p)) } : { ...q, proof: [new Uint8Array(32)] };
          return q;
        });
        expect(verifyListProofs(queries)).toEqual(queries.map((q) => verifyListProof(q.root, q.index, q.leaf, q.proof, q.length)));
        expect(verifyListProofs(queries).filter(Boolean).length).toBe(cases.filter(([, , d]) => d <= 1).length);
      }),
      { numRuns: 100 },
    );
  });

  it("commit to the length: a list and its zero-padded extension differ", () => {
    const leaves = [sha256("a"), sha256("b"), sha256("c")];
    const padded = [...leaves, new Uint8Array(32)];
    expect(toHex(commitList(leaves).root)).not.toBe(toHex(commitList(padded).root));
    expect(toHex(commitList([]).root)).not.toBe(toHex(commitList([new Uint8Array(32)]).root));
  });

  it("reject leaves that are not 32 bytes and out-of-range indices", () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return isXshardError(e) ? e.code : "untyped";
      }
      return undefined;
    };
    expect(code(() => commitList([sha256("a"), new Uint8Array(31)]))).toBe("BAD_LEAF");
    const list = commitList([sha256("a"), sha256("b")]);
    expect(code(() => list.prove(2))).toBe("BAD_INDEX");
    expect(code(() => list.prove(-1))).toBe("BAD_INDEX");
    expect(code(() => commitList([]).prove(0))).toBe("BAD_INDEX");
    expect(verifyListProof(list.root, 0, sha256("a"), list.prove(0), 0)).toBe(false);
    expect(verifyListProof(list.root, 0, sha256("a").subarray(1), list.prove(0), 2)).toBe(false);
  });
});
