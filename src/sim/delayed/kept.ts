/**
 * What a simulated run of the two-stage chain keeps for light-client proofs, in compact form
 * (issue 12: a million transactions in bounded memory). Proof material is built on demand
 * (`proofs.ts`) from:
 * - `TxRecords`: per sequence number, in typed arrays — the final block, the outcome, where each of
 *   its contract leaves was applied (block, inclusion, affirmation, leaf) and its step values
 *   (SSZ bytes in chunks of 1 MiB); no object per transaction. A creator's full result is kept
 *   (its successors' genesis writes) — creators are rare.
 * - `KeptBlocks`: each imported Stage-2 block with its batches' signed parts packed into a few
 *   owned byte arrays (affirmations as SSZ, affirmation roots and leaf roots flat), decoded when a
 *   proof asks for the block.
 * Every byte kept is copied into memory of its own: a hash from the hashing library is a view into
 * Node's shared 8 KiB buffer pool, and keeping the view would keep the whole pool slab alive.
 */
import { Affirmation, StepValues, type AffirmationValue } from "../../protocols/delayed/containers.js";
import type { TxResult } from "../../protocols/delayed/committee.js";
import type { Batch, SignedStage2Block } from "../../protocols/delayed/stage2.js";
import type { MaybeValue } from "../../types.js";
import { Column } from "../columns.js";

/** Where one transaction's leaf on one contract was applied. */
export interface Locator {
  readonly block: number;
  readonly inclusion: number;
  readonly affirmation: number;
  readonly leaf: number;
}

/** Byte strings appended into chunks of 1 MiB (one longer string gets a chunk of its own): no doubling copies. */
class ByteChunks {
  private static readonly CHUNK = 1 << 20;
  private readonly chunks: Uint8Array[] = [];
  private used = ByteChunks.CHUNK;

  /** Copies `bytes` in; returns [chunk, offset]. */
  append(bytes: Uint8Array): [number, number] {
    if (this.used + bytes.length > ByteChunks.CHUNK || this.chunks.length === 0) {
      this.chunks.push(new Uint8Array(Math.max(ByteChunks.CHUNK, bytes.length)));
      this.used = 0;
    }
    const at = this.used;
    (this.chunks[this.chunks.length - 1] as Uint8Array).set(bytes, at);
    this.used += bytes.length;
    return [this.chunks.length - 1, at];
  }

  get(chunk: number, at: number, length: number): Uint8Array {
    return (this.chunks[chunk] as Uint8Array).subarray(at, at + length);
  }
}

const NO_BLOCK = -1;

/** The per-transaction records the driver keeps (for results and proofs), by sequence number. */
export class TxRecords {
  /** Sequenced transactions so far. */
  length = 0;
  private readonly finalBlock = new Column((n) => new Int32Array(n), NO_BLOCK, 1024);
  /** 0 no result; 1 + outcome code of the result kept. */
  private readonly status = new Column((n) => new Uint8Array(n));
  /** First locator slot of each transaction (one slot per contract of its footprint, in `positions` order). */
  private readonly locStart = new Column((n) => new Int32Array(n));
  private readonly locCount = new Column((n) => new Int32Array(n));
  /** Slot (0-based within the transaction) of the contract affirmed first since the last rollback; −1 none. */
  private readonly first = new Column((n) => new Int32Array(n), -1, 1024);
  /** Four int32 per slot: block (−1 unset), inclusion, affirmation, leaf. */
  private readonly locs = new Column((n) => new Int32Array(n), NO_BLOCK, 4096);
  private locEnd = 0;
  /** Where each kept result's SSZ step values are: chunk, offset, length. */
  private readonly valChunk = new Column((n) => new Int32Array(n));
  private readonly valStart = new Column((n) => new Int32Array(n));
  private readonly valLen = new Column((n) => new Int32Array(n));
  private readonly values = new ByteChunks();
  /** Full results of transactions that created successors (read when the creation is applied). */
  private readonly creators = new Map<number, TxResult>();

  /** Sequence number `seq` (the next one) with `contracts` contracts in its footprint. */
  add(seq: number, contracts: number): void {
    if (seq !== this.length) throw new Error(`records: sequence ${seq} added after ${this.length}`);
    const n = seq + 1;
    this.finalBlock.ensure(n);
    this.status.ensure(n);
    this.first.ensure(n);
    this.valChunk.ensure(n);
    this.valStart.ensure(n);
    this.valLen.ensure(n);
    this.locStart.ensure(n)[seq] = this.locEnd;
    this.locCount.ensure(n)[seq] = contracts;
    this.locEnd += contracts;
    this.locs.ensure(this.locEnd * 4);
    this.length = n;
  }

  getFinalBlock(seq: number): number | undefined {
    const b = this.finalBlock.a[seq] as number;
    return b === NO_BLOCK ? undefined : b;
  }

  setFinalBlock(seq: number, block: number | undefined): void {
    this.finalBlock.a[seq] = block ?? NO_BLOCK;
  }

  /** The final block of every record (undefined: not final). */
  finalBlocks(): (number | undefined)[] {
    return Array.from({ length: this.length }, (_, q) => this.getFinalBlock(q));
  }

  /** Keeps what proofs and successor creation need of `seq`'s result. */
  setResult(seq: number, r: TxResult, outcome: number): void {
    this.status.a[seq] = 1 + outcome;
    const bytes = StepValues.serialize(r.values.map((v) => (v === null ? { present: false, bytes: new Uint8Array(0) } : { present: true, bytes: v.bytes })));
    const [chunk, at] = this.values.append(bytes);
    this.valChunk.a[seq] = chunk;
    this.valStart.a[seq] = at;
    this.valLen.a[seq] = bytes.length;
    if (r.created.length > 0) this.creators.set(seq, r);
    else this.creators.delete(seq);
  }

  clearResult(seq: number): void {
    this.status.a[seq] = 0;
    this.creators.delete(seq);
  }

  /** The outcome code of the kept result, undefined when none. */
  getOutcome(seq: number): number | undefined {
    const s = this.status.a[seq] as number;
    return s === 0 ? undefined : s - 1;
  }

  /** The kept result's step values (only `bytes` of each: what a proof shows). */
  getValues(seq: number): MaybeValue[] {
    const raw = StepValues.deserialize(this.values.get(this.valChunk.a[seq] as number, this.valStart.a[seq] as number, this.valLen.a[seq] as number));
    return raw.map((v) => (v.present ? { bytes: v.bytes.slice() } : null));
  }

  /** The full result of a transaction that created successors (kept while it is final). */
  getCreatorResult(seq: number): TxResult | undefined {
    return this.creators.get(seq);
  }

  /** Records where the leaf of `seq` on its `k`-th contract was applied. */
  setLocator(seq: number, k: number, loc: Locator): void {
    const i = ((this.locStart.a[seq] as number) + k) * 4;
    const a = this.locs.a;
    a[i] = loc.block;
    a[i + 1] = loc.inclusion;
    a[i + 2] = loc.affirmation;
    a[i + 3] = loc.leaf;
    if ((this.first.a[seq] as number) < 0) this.first.a[seq] = k;
  }

  getLocator(seq: number, k: number): Locator | undefined {
    if (k < 0 || k >= (this.locCount.a[seq] as number)) return undefined;
    const i = ((this.locStart.a[seq] as number) + k) * 4;
    const a = this.locs.a;
    if (a[i] === NO_BLOCK) return undefined;
    return { block: a[i] as number, inclusion: a[i + 1] as number, affirmation: a[i + 2] as number, leaf: a[i + 3] as number };
  }

  /** The contract slot affirmed first (since the last rollback), undefined when none. */
  getFirstAffirmed(seq: number): number | undefined {
    const k = this.first.a[seq] as number;
    return k < 0 ? undefined : k;
  }

  /** Forgets every locator of `seq` (a rollback). */
  clearLocators(seq: number): void {
    const from = (this.locStart.a[seq] as number) * 4;
    this.locs.a.fill(NO_BLOCK, from, from + (this.locCount.a[seq] as number) * 4);
    this.first.a[seq] = -1;
  }
}

/** A copy of `b` in memory of its own (not a view into a shared pool slab). */
function own(b: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(b);
}

/** Concatenates `parts` into one owned array. */
function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A batch's signed parts, packed. */
interface PackedBatch {
  readonly header: Batch["header"];
  readonly root: Uint8Array;
  readonly attestation: Batch["attestation"];
  readonly members: Batch["members"];
  /** SSZ affirmations back to back; `affEnds[i]` is the end of affirmation i. */
  readonly affs: Uint8Array;
  readonly affEnds: Uint32Array;
  /** 32 bytes per affirmation. */
  readonly affRoots: Uint8Array;
  /** Leaf roots, 32 bytes each, affirmation after affirmation; `leafEnds[i]` counts leaves up to affirmation i. */
  readonly leaves: Uint8Array;
  readonly leafEnds: Uint32Array;
}

interface PackedBlock {
  readonly header: SignedStage2Block["header"];
  readonly root: Uint8Array;
  readonly attestation: SignedStage2Block["attestation"];
  readonly attesters: SignedStage2Block["attesters"];
  readonly inclusions: readonly { readonly root: Uint8Array; readonly applied: readonly number[]; readonly batch: PackedBatch }[];
}

/** A Stage-2 block as proofs read it: its inclusions' roots and applied lists, no evidence; a batch is unpacked when asked for. */
export type KeptBlock = Pick<SignedStage2Block, "header" | "root" | "attestation" | "attesters"> & {
  readonly inclusions: readonly { readonly root: Uint8Array; readonly applied: readonly number[] }[];
  /** Inclusion `i`'s batch without its claims (`candidates` empty). */
  batch(i: number): Batch | undefined;
};

function ownAttestation<T extends { readonly message: Uint8Array; readonly signature: Uint8Array }>(a: T): T {
  return { ...a, message: own(a.message), signature: own(a.signature) };
}

function packBatch(b: Batch): PackedBatch {
  const affParts = b.affirmations.map((a) => Affirmation.serialize(a));
  const affEnds = new Uint32Array(affParts.length);
  let n = 0;
  affParts.forEach((p, i) => (affEnds[i] = n += p.length));
  const leafEnds = new Uint32Array(b.leaves.length);
  let l = 0;
  b.leaves.forEach((ls, i) => (leafEnds[i] = l += ls.length));
  return {
    header: { ...b.header, affirmationsRoot: own(b.header.affirmationsRoot) },
    root: own(b.root),
    attestation: ownAttestation(b.attestation),
    members: b.members,
    affs: concat(affParts, n),
    affEnds,
    affRoots: concat(b.affirmationRoots, 32 * b.affirmationRoots.length),
    leaves: concat(b.leaves.flat(), 32 * l),
    leafEnds,
  };
}

function unpackBatch(p: PackedBatch): Batch {
  const affirmations: AffirmationValue[] = [];
  const affirmationRoots: Uint8Array[] = [];
  const leaves: Uint8Array[][] = [];
  let from = 0;
  let leaf = 0;
  for (let i = 0; i < p.affEnds.length; i++) {
    const end = p.affEnds[i] as number;
    affirmations.push(Affirmation.deserialize(p.affs.subarray(from, end)));
    from = end;
    affirmationRoots.push(p.affRoots.slice(32 * i, 32 * i + 32));
    const to = p.leafEnds[i] as number;
    const ls: Uint8Array[] = [];
    for (; leaf < to; leaf++) ls.push(p.leaves.slice(32 * leaf, 32 * leaf + 32));
    leaves.push(ls);
  }
  return { header: p.header, root: p.root, affirmations, affirmationRoots, leaves, candidates: [], attestation: p.attestation, members: p.members };
}

/** Imported Stage-2 blocks, packed, by block number. */
export class KeptBlocks {
  private readonly byNumber = new Map<number, PackedBlock>();

  get size(): number {
    return this.byNumber.size;
  }

  add(b: SignedStage2Block): void {
    const h = b.header;
    this.byNumber.set(h.number, {
      header: { ...h, parentRoot: own(h.parentRoot), batchesRoot: own(h.batchesRoot), evidenceRoot: own(h.evidenceRoot) },
      root: own(b.root),
      attestation: ownAttestation(b.attestation),
      attesters: b.attesters,
      inclusions: b.inclusions.map((i) => ({ root: own(i.root), applied: [...i.applied], batch: packBatch(i.batch) })),
    });
  }

  /** Block `number` as proofs read it, or undefined when none was imported with that number. */
  get(number: number): KeptBlock | undefined {
    const p = this.byNumber.get(number);
    if (!p) return undefined;
    return {
      header: p.header,
      root: p.root,
      attestation: p.attestation,
      attesters: p.attesters,
      inclusions: p.inclusions.map((i) => ({ root: i.root, applied: i.applied })),
      batch: (i) => {
        const x = p.inclusions[i];
        return x && unpackBatch(x.batch);
      },
    };
  }
}
