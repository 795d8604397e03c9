/**
 * Merkle branches of a batch of proofs read straight into flat buffers (`FlatBranches` of
 * merkle.ts) and checked together: slot i's expected root, list size, leaf index, length and nodes,
 * with no array per branch or node. Shared by `LeafBatch` (leaves.ts) and `AffirmationBatch`
 * (affirmations.ts); the checks, their order and their errors are `readBranch`'s in verify.ts.
 */
import { decodeHexInto, type ProofReader } from "./hex.js";
import { verifyBranchesFlat } from "./merkle.js";

export const BRANCH_FIELDS = ["count", "index", "branch"];
/** Deepest branch of a list of at most 2^32 − 1 leaves. */
export const MAX_BRANCH = 32;
export const MAX_LIST = 2 ** 32 - 1;

/** `b`, or a copy at least `bytes` long (doubling) holding its bytes. */
export function grow(b: Uint8Array, bytes: number): Uint8Array {
  if (bytes <= b.length) return b;
  const out = new Uint8Array(Math.max(bytes, b.length * 2));
  out.set(b);
  return out;
}

/** `b`, or a copy of twice its length (at least `n`) holding its values. */
function growNumbers<A extends Float64Array | Int32Array>(b: A, n: number): A {
  if (n <= b.length) return b;
  const out = new (b.constructor as new (n: number) => A)(Math.max(n, b.length * 2));
  out.set(b);
  return out;
}

/**
 * The branches at one field of a batch's proofs (`path`, e.g. "proof.leafProof"): `read` fills a
 * slot, `take` keeps its nodes (a slot read but not taken is overwritten by the next read),
 * `verify` checks the first n slots; `reset` empties it for the next batch, keeping its buffers.
 */
export class BranchSlots {
  private roots: Uint8Array = new Uint8Array(64 * 32);
  // Per slot, kept (and grown by doubling) from batch to batch: a plain list emptied by `length = 0`
  // would give its storage back and grow again, in steps, for every batch.
  private counts = new Float64Array(64);
  private indices = new Float64Array(64);
  private lengths = new Int32Array(64);
  private starts = new Int32Array(64);
  private nodes: Uint8Array = new Uint8Array(64 * 8 * 32);
  private nodeCount = 0;
  private readonly countPath: string;
  private readonly indexPath: string;
  private readonly branchPath: string;

  constructor(private readonly path: string) {
    this.countPath = `${path}.count`;
    this.indexPath = `${path}.index`;
    this.branchPath = `${path}.branch`;
  }

  reset(): void {
    this.nodeCount = 0;
  }

  /** Reads branch `x` into slot `i`, to lead to `root` (its 32 bytes at `rootAt`); returns its leaf index. Throws the reader's error. */
  read(r: ProofReader, x: unknown, i: number, root: Uint8Array, rootAt = 0): number {
    const b = r.object(x, this.path, BRANCH_FIELDS);
    const count = r.uint(b.count, this.countPath, MAX_LIST);
    if (count < 1) r.fail(this.countPath, "must be at least 1");
    const index = r.uint(b.index, this.indexPath, count - 1);
    const xs = b.branch;
    if (!Array.isArray(xs) || xs.length > MAX_BRANCH) r.hexList(xs, this.branchPath, MAX_BRANCH, 32);
    const branch = xs as unknown[];
    const start = this.nodeCount;
    this.nodes = grow(this.nodes, (start + branch.length) * 32);
    for (let k = 0; k < branch.length; k++) {
      const v = branch[k];
      if (typeof v === "string" && v.length === 64 && decodeHexInto(v, 32, this.nodes, (start + k) * 32)) continue;
      // Not a 32-byte hex string: the reader's error, under its path (the nodes before it passed).
      const read = r.hexList(branch, this.branchPath, MAX_BRANCH, 32);
      for (let j = k; j < branch.length; j++) this.nodes.set(read[j] as Uint8Array, (start + j) * 32);
      break;
    }
    this.roots = grow(this.roots, (i + 1) * 32);
    const roots = this.roots;
    for (let k = 0; k < 32; k++) roots[i * 32 + k] = root[rootAt + k] as number;
    if (i >= this.counts.length) {
      this.counts = growNumbers(this.counts, i + 1);
      this.indices = growNumbers(this.indices, i + 1);
      this.lengths = growNumbers(this.lengths, i + 1);
      this.starts = growNumbers(this.starts, i + 1);
    }
    this.counts[i] = count;
    this.indices[i] = index;
    this.lengths[i] = branch.length;
    this.starts[i] = start;
    return index;
  }

  /** Keeps slot `i`'s nodes (the slot `read` filled last). */
  take(i: number): void {
    this.nodeCount += this.lengths[i] as number;
  }

  /** Whether each of the first `n` slots' branches leads from its leaf in `leaves` (32 bytes each) to its root. */
  verify(n: number, leaves: Uint8Array): boolean[] {
    return verifyBranchesFlat({ n, roots: this.roots, counts: this.counts, indices: this.indices, lengths: this.lengths, starts: this.starts, nodes: this.nodes }, leaves);
  }
}
