/**
 * A fixed set of worker threads that sign and verify Ed25519 batches (`ed25519Worker.ts`), for the
 * run's shell: the verdicts and signatures are pure functions of the bytes, so the results of a run
 * do not depend on whether or how many threads computed them. Batches go round-robin as they are
 * posted (a worker queues them), so the posting thread may stay busy while the workers work.
 */
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AggregatedKeySet } from "./bls.js";

export type PoolRequest =
  | { readonly id: number; readonly op: "sign"; readonly secretKeys: Uint8Array; readonly msgs: Uint8Array }
  | { readonly id: number; readonly op: "verify"; readonly pubkeys: Uint8Array; readonly msgs: Uint8Array; readonly sigs: Uint8Array }
  | { readonly id: number; readonly op: "board"; readonly board: VerdictBoard; readonly from: number; readonly to: number }
  | { readonly id: number; readonly op: "bls"; readonly cells: Int32Array; readonly cell: number; readonly sets: readonly AggregatedKeySet[] }
  | { readonly id: number; readonly op: "bls-sign"; readonly job: BlsSignJob };

/**
 * BLS signatures to make in shared memory, shared out between threads: entry i is claimed by
 * moving `cells[i]` from `BLS_PENDING` (a worker: to `BLS_TAKEN`, then `BLS_SIGNED` once its 96
 * bytes are in `sigs`; the poster: to `BLS_CLAIMED`, and it signs entry i itself). Workers go up
 * from the first entry, the poster down from the last.
 */
export interface BlsSignJob {
  readonly cells: Int32Array;
  /** 32-byte secret keys (`computeSummedSecretKey`). */
  readonly sks: Uint8Array;
  /** 32-byte messages. */
  readonly msgs: Uint8Array;
  /** 96 bytes each, written by the worker that signs the entry. */
  readonly sigs: Uint8Array;
  /**
   * 48-byte compressed public keys, one per entry: a worker then also checks the signature it made
   * against its key (`verifyAggregatedKeySets`) and ends the entry at `BLS_VALID` or `BLS_INVALID`
   * (its 96 bytes are in `sigs` either way).
   */
  readonly pks?: Uint8Array;
}

/** An empty job of `n` signatures in shared memory (`checked`: with room for their public keys, `BlsSignJob.pks`). */
export function createBlsSignJob(n: number, checked = false): BlsSignJob {
  const shared = (bytes: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(Math.max(1, bytes)));
  const job = { cells: new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4)), sks: shared(n * 32), msgs: shared(n * 32), sigs: shared(n * 96) };
  return checked ? { ...job, pks: shared(n * 48) } : job;
}

/**
 * Cells of a BLS batch's verdict (an `Int32Array` over shared memory, one cell per batch): pending,
 * taken by a worker, valid, invalid, taken by the thread that posted it (it checks the batch itself).
 * A batch is checked by whichever thread moves its cell from pending first (`Atomics.compareExchange`).
 */
export const BLS_PENDING = 0;
export const BLS_TAKEN = 1;
export const BLS_VALID = 2;
export const BLS_INVALID = 3;
/** A signing job's entry is signed (the same value as `BLS_VALID`). */
export const BLS_SIGNED = 2;
export const BLS_CLAIMED = 4;

/** Board codes: not checked yet, valid, invalid, the check threw (left to the reader). */
export const BOARD_PENDING = 0;
export const BOARD_VALID = 1;
export const BOARD_INVALID = 2;
export const BOARD_THREW = 3;

/**
 * Signatures to verify in shared memory, and one verdict byte each (`BOARD_*`) that the workers
 * write with `Atomics.store` while another thread goes on and reads them with `Atomics.load`.
 */
export interface VerdictBoard {
  /** 32 bytes each. */
  readonly pubkeys: Uint8Array;
  /** 32 bytes each. */
  readonly msgs: Uint8Array;
  /** 64 bytes each. */
  readonly sigs: Uint8Array;
  readonly verdicts: Uint8Array;
}

/** An empty board of `n` entries in shared memory. */
export function createVerdictBoard(n: number): VerdictBoard {
  const shared = (bytes: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(Math.max(1, bytes)));
  return { pubkeys: shared(n * 32), msgs: shared(n * 32), sigs: shared(n * 64), verdicts: shared(n) };
}

export interface PoolResponse {
  readonly id: number;
  readonly out: Uint8Array;
}

/** The compiled worker file next to this module (present under dist/, not when running from sources). */
export const ED25519_WORKER_FILE = new URL("./ed25519Worker.js", import.meta.url);

/** Whether the worker file exists (the pool cannot start from TypeScript sources). */
export function canStartEd25519Pool(file: URL = ED25519_WORKER_FILE): boolean {
  return existsSync(fileURLToPath(file));
}

export class Ed25519Pool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (out: Uint8Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing = false;

  constructor(threads: number, file: URL = ED25519_WORKER_FILE) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be an integer ≥ 1, got ${threads}`);
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(file);
      w.on("message", (r: PoolResponse) => {
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        p?.resolve(r.out);
      });
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`signature worker exited with code ${code}`));
      });
      return w;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Signatures (64 bytes each, concatenated) of `msgs` (32 bytes each) under `secretKeys` (64 bytes each, `UserKey.secretKey`). */
  sign(secretKeys: Uint8Array, msgs: Uint8Array): Promise<Uint8Array> {
    return this.post((id) => ({ id, op: "sign", secretKeys, msgs }), [secretKeys, msgs]);
  }

  /** One byte per message: 1 valid, 0 invalid, 2 the check threw. Pubkeys 32, msgs 32, sigs 64 bytes each. */
  verify(pubkeys: Uint8Array, msgs: Uint8Array, sigs: Uint8Array): Promise<Uint8Array> {
    return this.post((id) => ({ id, op: "verify", pubkeys, msgs, sigs }), [pubkeys, msgs, sigs]);
  }

  /**
   * Verifies the board's entries `from`..`to` (exclusive) in a worker, skipping entries another
   * thread already decided; resolves when the range is done.
   */
  verifyBoard(board: VerdictBoard, from: number, to: number): Promise<void> {
    return this.post((id) => ({ id, op: "board", board, from, to }), []).then(() => undefined);
  }

  /**
   * Verifies one batch of BLS aggregate signatures (`verifyAggregatedKeySets`) in a worker, unless
   * the poster claims the cell first: the worker moves `cells[cell]` from `BLS_PENDING` to
   * `BLS_TAKEN`, then stores `BLS_VALID` or `BLS_INVALID` and notifies (`Atomics.wait` on it). A
   * worker that has died leaves the cell pending: the poster checks the batch itself.
   */
  verifyAggregatedSets(cells: Int32Array, cell: number, sets: readonly AggregatedKeySet[]): void {
    this.post((id) => ({ id, op: "bls", cells, cell, sets }), []).catch(() => {});
  }

  /** Hands a signing job to every worker (each takes the entries still pending, from the first); returns at once. */
  signAggregatedJob(job: BlsSignJob): void {
    for (let i = 0; i < this.workers.length; i++) this.post((id) => ({ id, op: "bls-sign", job }), []).catch(() => {});
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Arrays that own their whole buffer are moved to the worker (the caller must not use them after); others are copied. */
  private post(make: (id: number) => PoolRequest, arrays: Uint8Array[]): Promise<Uint8Array> {
    const transfer = arrays.filter((a) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength).map((a) => a.buffer as ArrayBuffer);
    const unique = [...new Set(transfer)];
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length] as Worker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(make(id), unique);
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
