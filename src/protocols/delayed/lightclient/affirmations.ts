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
import { readHexInto, type ProofReader } from "./hex.js";
import { AFFIRMATION_FIELD_BYTES, ASSUMPTION_BYTES, computeAffirmationRootsOfFields } from "./leaf.js";
import { putUint64 } from "../../../crypto/merkle.js";
import { BranchSlots, grow } from "./branches.js";

const AFFIRMATION_FIELDS = ["contract", "first", "last", "preRoot", "postRoot", "resultsRoot", "assumptions"];
const ASSUMPTION_FIELDS = ["contract", "position", "root"];

/** What is known of an affirmation once read (its root and branch still to be hashed). */
export interface AffirmationRead {
  readonly contract: string;
  readonly first: number;
  readonly last: number;
  /** Its index in its batch (the branch's leaf index). */
  readonly index: number;
}

/** Affirmations read one by one (`read`), then hashed and checked together (`verify`); `reset` empties it for the next batch, keeping its buffers. */
export class AffirmationBatch {
  n = 0;
  private fields: Uint8Array = new Uint8Array(64 * AFFIRMATION_FIELD_BYTES);
  private readonly branches = new BranchSlots("proof.affirmationProof");
  private assumptions: Uint8Array = new Uint8Array(64 * ASSUMPTION_BYTES);
  /** Per slot (the first `n` are this batch's; overwritten, not emptied, from batch to batch). */
  private assumptionCounts: number[] = [];
  private assumptionCount = 0;

  reset(): void {
    this.n = 0;
    this.assumptionCount = 0;
    this.branches.reset();
  }

  /**
   * Reads proof `o`'s affirmation and its branch into the next slot, under its batch's
   * affirmations root (`batchRoot`); `resultsRoot` receives its results root at `resultsAt`. `contractRoot` gives
   * a contract id's root (memoised by the caller). Throws the reader's error; the slot is taken
   * only by `commit`, after the caller's own checks.
   */
  read(r: ProofReader, o: Record<string, unknown>, contractRoot: (id: string) => Uint8Array, batchRoot: Uint8Array, resultsRoot: Uint8Array, resultsAt = 0): AffirmationRead {
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
    readHexInto(r, a.preRoot, "proof.affirmation.preRoot", 32, f, at + 96);
    readHexInto(r, a.postRoot, "proof.affirmation.postRoot", 32, f, at + 128);
    readHexInto(r, a.resultsRoot, "proof.affirmation.resultsRoot", 32, f, at + 160);
    for (let k = 0; k < 32; k++) resultsRoot[resultsAt + k] = f[at + 160 + k] as number;

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
      readHexInto(r, s.root, `${p}.root`, 32, this.assumptions, to + 64);
    }

    const index = this.branches.read(r, o.affirmationProof, i, batchRoot);
    this.assumptionCounts[i] = list.length;
    return { contract, first, last, index };
  }

  /** Takes the slot `read` filled (its nodes and assumptions kept). */
  commit(): void {
    this.branches.take(this.n);
    this.assumptionCount += this.assumptionCounts[this.n] as number;
    this.n++;
  }

  /** Every slot's root hashed and its branch checked: whether each reaches its batch's affirmations root. */
  verify(): boolean[] {
    const n = this.n;
    if (n === 0) return [];
    return this.branches.verify(n, computeAffirmationRootsOfFields(this.fields, n, this.assumptions, this.assumptionCounts));
  }
}
