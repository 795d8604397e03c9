/**
 * Affirmations met for the first time in a batch of proofs (`AffirmationBatch`): each one read
 * straight into flat hashing buffers — its roots into its field chunks, its assumptions' into
 * theirs, its branch nodes into one node buffer — and, at the end of the batch, all of them hashed
 * and their branches checked together. No array per root or node: a fresh batch meets about one
 * new affirmation per two proofs, and each used to leave some thirty objects for the young
 * generation to sweep. The checks, their order and their errors are the field reader's
 * (`checkAffirmation` in verify.ts before it).
 */
import { MAX_CONTRACT_ID_BYTES } from "../../../program/index.js";
import { MAX_ASSUMPTIONS } from "../containers.js";
import { decodeHexInto, type ProofReader } from "./hex.js";
import { AFFIRMATION_FIELD_BYTES, ASSUMPTION_BYTES, computeAffirmationRootsOfFields, putUint64 } from "./leaf.js";
import { MAX_BRANCH, MAX_LIST } from "./leaves.js";
import { verifyBranchesFlat } from "./merkle.js";

const AFFIRMATION_FIELDS = ["contract", "first", "last", "preRoot", "postRoot", "resultsRoot", "assumptions"];
const ASSUMPTION_FIELDS = ["contract", "position", "root"];
const BRANCH_FIELDS = ["count", "index", "branch"];

/** What is known of an affirmation once read (its root and branch still to be hashed). */
export interface AffirmationRead {
  readonly contract: string;
  readonly first: number;
  readonly last: number;
  /** Its index in its batch (the branch's leaf index). */
  readonly index: number;
}

/** `r.hex(x, path, 32)` decoded into `out` at `at`. */
function rootInto(r: ProofReader, x: unknown, path: string, out: Uint8Array, at: number): void {
  if (typeof x === "string" && x.length === 64 && decodeHexInto(x, 32, out, at)) return;
  out.set(r.hex(x, path, 32), at);
}

function grow(b: Uint8Array, bytes: number): Uint8Array {
  if (bytes <= b.length) return b;
  const out = new Uint8Array(Math.max(bytes, b.length * 2));
  out.set(b);
  return out;
}

/** Affirmations read one by one (`read`), then hashed and checked together (`verify`); `reset` empties it for the next batch, keeping its buffers. */
export class AffirmationBatch {
  n = 0;
  private fields: Uint8Array = new Uint8Array(64 * AFFIRMATION_FIELD_BYTES);
  private roots: Uint8Array = new Uint8Array(64 * 32);
  private counts: number[] = [];
  private indices: number[] = [];
  private lengths: number[] = [];
  private starts: number[] = [];
  private nodes: Uint8Array = new Uint8Array(64 * 8 * 32);
  private nodeCount = 0;
  private assumptions: Uint8Array = new Uint8Array(64 * ASSUMPTION_BYTES);
  private assumptionCounts: number[] = [];
  private assumptionCount = 0;

  reset(): void {
    this.n = 0;
    this.nodeCount = 0;
    this.assumptionCount = 0;
    this.counts.length = this.indices.length = this.lengths.length = this.starts.length = this.assumptionCounts.length = 0;
  }

  /**
   * Reads proof `o`'s affirmation and its branch into the next slot, under its batch's
   * affirmations root (`batchRoot`); `resultsRoot` receives its results root. `contractRoot` gives
   * a contract id's root (memoised by the caller). Throws the reader's error; the slot is taken
   * only by `commit`, after the caller's own checks.
   */
  read(r: ProofReader, o: Record<string, unknown>, contractRoot: (id: string) => Uint8Array, batchRoot: Uint8Array, resultsRoot: Uint8Array): AffirmationRead {
    const i = this.n;
    const a = r.object(o.affirmation, "proof.affirmation", AFFIRMATION_FIELDS);
    const contract = r.string(a.contract, "proof.affirmation.contract", MAX_CONTRACT_ID_BYTES);
    this.fields = grow(this.fields, (i + 1) * AFFIRMATION_FIELD_BYTES);
    const f = this.fields;
    const at = i * AFFIRMATION_FIELD_BYTES;
    f.set(contractRoot(contract), at);
    const first = r.uint(a.first, "proof.affirmation.first");
    const last = r.uint(a.last, "proof.affirmation.last");
    putUint64(f, at + 32, first);
    putUint64(f, at + 64, last);
    rootInto(r, a.preRoot, "proof.affirmation.preRoot", f, at + 96);
    rootInto(r, a.postRoot, "proof.affirmation.postRoot", f, at + 128);
    rootInto(r, a.resultsRoot, "proof.affirmation.resultsRoot", f, at + 160);
    for (let k = 0; k < 32; k++) resultsRoot[k] = f[at + 160 + k] as number;

    const xs = a.assumptions;
    const path = "proof.affirmation.assumptions";
    if (!Array.isArray(xs)) r.fail(path, "must be a list");
    const list = xs as unknown[];
    if (list.length > MAX_ASSUMPTIONS) r.fail(path, `must hold at most ${MAX_ASSUMPTIONS} items, got ${list.length}`);
    this.assumptions = grow(this.assumptions, (this.assumptionCount + list.length) * ASSUMPTION_BYTES);
    for (let k = 0; k < list.length; k++) {
      const p = `${path}[${k}]`;
      const s = r.object(list[k], p, ASSUMPTION_FIELDS);
      const c = r.string(s.contract, `${p}.contract`, MAX_CONTRACT_ID_BYTES);
      const position = r.uint(s.position, `${p}.position`);
      const to = (this.assumptionCount + k) * ASSUMPTION_BYTES;
      this.assumptions.set(contractRoot(c), to);
      this.assumptions.fill(0, to + 32, to + 64);
      putUint64(this.assumptions, to + 32, position);
      rootInto(r, s.root, `${p}.root`, this.assumptions, to + 64);
    }

    // The branch (`readBranch` in verify.ts), its nodes decoded into the node buffer.
    const bp = "proof.affirmationProof";
    const b = r.object(o.affirmationProof, bp, BRANCH_FIELDS);
    const count = r.uint(b.count, `${bp}.count`, MAX_LIST);
    if (count < 1) r.fail(`${bp}.count`, "must be at least 1");
    const index = r.uint(b.index, `${bp}.index`, count - 1);
    const nodes = b.branch;
    if (!Array.isArray(nodes) || nodes.length > MAX_BRANCH) r.hexList(nodes, `${bp}.branch`, MAX_BRANCH, 32);
    const branch = nodes as unknown[];
    this.nodes = grow(this.nodes, (this.nodeCount + branch.length) * 32);
    for (let k = 0; k < branch.length; k++) {
      const v = branch[k];
      if (typeof v === "string" && v.length === 64 && decodeHexInto(v, 32, this.nodes, (this.nodeCount + k) * 32)) continue;
      const read = r.hexList(branch, `${bp}.branch`, MAX_BRANCH, 32);
      for (let j = k; j < branch.length; j++) this.nodes.set(read[j] as Uint8Array, (this.nodeCount + j) * 32);
      break;
    }
    this.roots = grow(this.roots, (i + 1) * 32);
    this.roots.set(batchRoot, i * 32);
    this.counts[i] = count;
    this.indices[i] = index;
    this.lengths[i] = branch.length;
    this.starts[i] = this.nodeCount;
    this.assumptionCounts[i] = list.length;
    return { contract, first, last, index };
  }

  /** Takes the slot `read` filled (its nodes and assumptions kept). */
  commit(): void {
    this.nodeCount += this.lengths[this.n] as number;
    this.assumptionCount += this.assumptionCounts[this.n] as number;
    this.n++;
  }

  /** Every slot's root hashed and its branch checked: whether each reaches its batch's affirmations root. */
  verify(): boolean[] {
    const n = this.n;
    if (n === 0) return [];
    const roots = computeAffirmationRootsOfFields(this.fields, n, this.assumptions, this.assumptionCounts);
    return verifyBranchesFlat({ n, roots: this.roots, counts: this.counts, indices: this.indices, lengths: this.lengths, starts: this.starts, nodes: this.nodes }, roots);
  }
}
