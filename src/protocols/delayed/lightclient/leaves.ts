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
import { readHexInto, type ProofReader } from "./hex.js";
import { LEAF_FIELD_BYTES, computeLeafRootsOfFields } from "./leaf.js";
import { putUint64 } from "../../../crypto/merkle.js";
import { BranchSlots } from "./branches.js";

const LEAF_FIELDS = ["seq", "txId", "outcome", "postRoot"];
const OUTCOMES = ["committed", "aborted"] as const;

/** What a proof's leaf says, besides what is hashed. */
export interface LeafFacts {
  readonly seq: number;
  readonly outcome: Stage2Outcome;
  readonly txIdText: string;
  readonly values: (Uint8Array | null)[];
  /** The leaf branch's index (for its error). */
  readonly index: number;
}

/**
 * The leaves and leaf branches of up to `capacity` proofs, read one by one (`read`), then hashed
 * and checked together (`verify`); `reset` empties it for the next proofs, keeping its buffers
 * (a slot's zero padding stays zero: every write fills a whole chunk or the bytes it owns).
 */
export class LeafBatch {
  n = 0;
  /** What each slot's leaf says (the first `n` items are this batch's). */
  readonly facts: LeafFacts[] = [];
  readonly capacity: number;
  private readonly fields: Uint8Array;
  private readonly values: (Uint8Array | null)[][] = [];
  private readonly branches = new BranchSlots("proof.leafProof");

  constructor(capacity: number) {
    this.capacity = capacity;
    this.fields = new Uint8Array(capacity * LEAF_FIELD_BYTES);
  }

  reset(): void {
    this.n = 0;
    // `facts` and `values` are overwritten slot by slot (emptying them would give their storage back).
    this.branches.reset();
  }

  /**
   * Reads proof `o`'s leaf, values and leaf branch into the next slot, under its affirmation's
   * results root (32 bytes of `roots` at `rootAt`); throws the reader's error (the slot then stays free).
   */
  read(r: ProofReader, o: Record<string, unknown>, roots: Uint8Array, rootAt = 0): LeafFacts {
    const i = this.n;
    if (i >= this.capacity) throw new RangeError(`LeafBatch: more than ${this.capacity} proofs`);
    const l = r.object(o.leaf, "proof.leaf", LEAF_FIELDS);
    const outcome = r.oneOf(l.outcome, "proof.leaf.outcome", OUTCOMES);
    const values = r.hexList(o.values, "proof.values", MAX_STEPS, undefined, MAX_ARG_BYTES, true);
    const seq = r.uint(l.seq, "proof.leaf.seq");
    const f = this.fields;
    const at = i * LEAF_FIELD_BYTES;
    // A slot is written once (a failed read stops the batch), so its zero padding is still zero.
    readHexInto(r, l.txId, "proof.leaf.txId", 32, f, at + 32);
    readHexInto(r, l.postRoot, "proof.leaf.postRoot", 32, f, at + 128);
    putUint64(f, at, seq);
    f[at + 64] = OUTCOME_CODES[outcome];
    const index = this.branches.read(r, o.leafProof, i, roots, rootAt);
    this.branches.take(i);
    this.values[i] = values;
    const facts: LeafFacts = { seq, outcome, txIdText: l.txId as string, values, index };
    this.facts[i] = facts;
    this.n++;
    return facts;
  }

  /** The first `m` slots' leaves hashed and their branches checked: whether each reaches its results root. */
  verify(m: number = this.n): boolean[] {
    if (m === 0) return [];
    return this.branches.verify(m, computeLeafRootsOfFields(this.fields, this.values, m));
  }
}
