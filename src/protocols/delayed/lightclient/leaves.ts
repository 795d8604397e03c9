/**
 * The per-proof part of batch verification: each proof's leaf, step values and leaf branch read
 * straight into flat hashing buffers (`LeafBatch`), then hashed and checked for many proofs at
 * once. A proof's txId and postRoot are decoded into its leaf's field chunks and its branch nodes
 * into one node buffer: no array per root or node, so nothing per proof but its values outlives
 * the reading (the young generation copies what survives a scavenge). The checks, their order and
 * their errors are the field reader's (`readBranch` in verify.ts, `createProofReader`).
 */
import { MAX_ARG_BYTES, MAX_STEPS } from "../../../program/index.js";
import { OUTCOME_CODES, type Stage2Outcome } from "../containers.js";
import { decodeHexInto, type ProofReader } from "./hex.js";
import { LEAF_FIELD_BYTES, computeLeafRootsOfFields, putUint64 } from "./leaf.js";
import { verifyBranchesFlat } from "./merkle.js";

const LEAF_FIELDS = ["seq", "txId", "outcome", "postRoot"];
const BRANCH_FIELDS = ["count", "index", "branch"];
const OUTCOMES = ["committed", "aborted"] as const;
/** Deepest branch of a list of at most 2^32 − 1 leaves. */
export const MAX_BRANCH = 32;
export const MAX_LIST = 2 ** 32 - 1;

/** What a proof's leaf says, besides what is hashed. */
export interface LeafFacts {
  readonly seq: number;
  readonly outcome: Stage2Outcome;
  readonly txIdText: string;
  readonly values: (Uint8Array | null)[];
  /** The leaf branch's index (for its error). */
  readonly index: number;
}

/** `r.hex(x, path, bytes)` decoded into `out` at `at`: the fast case here, anything else (an error) by the reader. */
function hexInto(r: ProofReader, x: unknown, path: string, bytes: number, out: Uint8Array, at: number): void {
  if (typeof x === "string" && x.length === bytes * 2 && decodeHexInto(x, bytes, out, at)) return;
  out.set(r.hex(x, path, bytes), at);
}

/**
 * The leaves and leaf branches of up to `capacity` proofs, read one by one (`read`), then hashed
 * and checked together (`verify`); `reset` empties it for the next proofs, keeping its buffers
 * (a slot's zero padding stays zero: every write fills a whole chunk or the bytes it owns).
 */
export class LeafBatch {
  n = 0;
  readonly facts: LeafFacts[] = [];
  readonly capacity: number;
  private readonly fields: Uint8Array;
  private readonly roots: Uint8Array;
  private readonly counts: Float64Array;
  private readonly indices: Float64Array;
  private readonly lengths: Int32Array;
  private readonly starts: Int32Array;
  private readonly values: (Uint8Array | null)[][] = [];
  private nodes: Uint8Array;
  private nodeCount = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.fields = new Uint8Array(capacity * LEAF_FIELD_BYTES);
    this.roots = new Uint8Array(capacity * 32);
    this.counts = new Float64Array(capacity);
    this.indices = new Float64Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.nodes = new Uint8Array(capacity * 4 * 32);
  }

  /**
   * Reads proof `o`'s leaf, values and leaf branch into the next slot, under its affirmation's
   * results root; throws the reader's error (the slot then stays free).
   */
  reset(): void {
    this.n = 0;
    this.nodeCount = 0;
    this.facts.length = 0;
    this.values.length = 0;
  }

  read(r: ProofReader, o: Record<string, unknown>, resultsRoot: Uint8Array): LeafFacts {
    const i = this.n;
    if (i >= this.capacity) throw new RangeError(`LeafBatch: more than ${this.capacity} proofs`);
    const l = r.object(o.leaf, "proof.leaf", LEAF_FIELDS);
    const outcome = r.oneOf(l.outcome, "proof.leaf.outcome", OUTCOMES);
    const values = r.hexList(o.values, "proof.values", MAX_STEPS, undefined, MAX_ARG_BYTES, true);
    const seq = r.uint(l.seq, "proof.leaf.seq");
    const f = this.fields;
    const at = i * LEAF_FIELD_BYTES;
    // A slot is written once (a failed read stops the batch), so its zero padding is still zero.
    hexInto(r, l.txId, "proof.leaf.txId", 32, f, at + 32);
    hexInto(r, l.postRoot, "proof.leaf.postRoot", 32, f, at + 128);
    putUint64(f, at, seq);
    f[at + 64] = OUTCOME_CODES[outcome];

    const b = r.object(o.leafProof, "proof.leafProof", BRANCH_FIELDS);
    const count = r.uint(b.count, "proof.leafProof.count", MAX_LIST);
    if (count < 1) r.fail("proof.leafProof.count", "must be at least 1");
    const index = r.uint(b.index, "proof.leafProof.index", count - 1);
    const xs = b.branch;
    if (!Array.isArray(xs) || xs.length > MAX_BRANCH) r.hexList(xs, "proof.leafProof.branch", MAX_BRANCH, 32);
    const branch = xs as unknown[];
    if ((this.nodeCount + branch.length) * 32 > this.nodes.length) {
      const grown = new Uint8Array(Math.max(this.nodes.length * 2, (this.nodeCount + branch.length) * 32));
      grown.set(this.nodes.subarray(0, this.nodeCount * 32));
      this.nodes = grown;
    }
    const start = this.nodeCount;
    for (let k = 0; k < branch.length; k++) {
      const v = branch[k];
      if (typeof v === "string" && v.length === 64 && decodeHexInto(v, 32, this.nodes, (start + k) * 32)) continue;
      // Not a 32-byte hex string: the reader's error, under its path (the nodes before it passed).
      const read = r.hexList(branch, "proof.leafProof.branch", MAX_BRANCH, 32);
      for (let j = k; j < branch.length; j++) this.nodes.set(read[j] as Uint8Array, (start + j) * 32);
      break;
    }
    this.roots.set(resultsRoot, i * 32);
    this.counts[i] = count;
    this.indices[i] = index;
    this.lengths[i] = branch.length;
    this.starts[i] = start;
    this.nodeCount += branch.length;
    this.values.push(values);
    const facts: LeafFacts = { seq, outcome, txIdText: l.txId as string, values, index };
    this.facts.push(facts);
    this.n++;
    return facts;
  }

  /** The first `m` slots' leaves hashed and their branches checked: whether each reaches its results root. */
  verify(m: number = this.n): boolean[] {
    if (m === 0) return [];
    const leaves = computeLeafRootsOfFields(this.fields, this.values, m);
    return verifyBranchesFlat({ n: m, roots: this.roots, counts: this.counts, indices: this.indices, lengths: this.lengths, starts: this.starts, nodes: this.nodes }, leaves);
  }
}
