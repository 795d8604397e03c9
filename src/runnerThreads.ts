/**
 * The run's Ed25519 work on worker threads (issue 12, both cores): the workload's transactions are
 * signed in a pool while the generator goes on, and every submission's signature is verified in the
 * pool while the simulation runs, on a board of verdicts in shared memory that the beacon's check
 * reads (`attachSignatureVerdicts`); and the sharded drivers' end-of-slot batches of committee
 * signatures are verified there while the run goes on (`attachBatchOffload`, a check whose verdict
 * the run never reads unless it fails). All are pure functions of the bytes, so a run's results are
 * the same bytes with or without the pool (test/cli/run-threads.test.ts). The pool lives here, in
 * the runner's shell; protocol rules only call `getSignatureProblem`, as before.
 */
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { Ed25519Pool, canStartEd25519Pool, createVerdictBoard, type VerdictBoard } from "./crypto/ed25519Pool.js";
import { ED25519_PUBKEY_BYTES, ED25519_SIGNATURE_BYTES, addressOfPubkey, type UserKey } from "./crypto/ed25519.js";
import { bytesEqual } from "./crypto/hash.js";
import { attachSignatureVerdicts } from "./chain/beacon.js";
import { attachBatchOffload } from "./sim/shards/signatureBatch.js";
import { isXshardError } from "./errors.js";
import { computeTxSigningMessage, type SignedTx } from "./program/index.js";
import type { GeneratedWorkload, GenerationProgress, WorkloadPlan } from "./workloads/types.js";

/** Fewest transactions for which starting the pool pays (docs/benchmarks.md "Run on both cores"). */
export const MIN_POOL_TXS = 2000;
/** Transactions per batch posted to a worker. */
const BATCH = 1024;
/** Most threads `--threads` accepts. */
export const MAX_THREADS = 64;

/** Fewest transactions from which a run limits V8's heap growth (`limitHeapGrowth`). */
export const LARGE_RUN_TXS = 200_000;
/**
 * V8's old-generation growing factor for large runs, as a percentage over the live size (V8's
 * `--heap-growing-percent`; unset, V8 picks a factor of up to 4 from its collection speed, and a
 * 1M-transaction run peaked at 4.2 GB). 100 (the heap may double its live size before the next full
 * collection) is what 1M runs of both modes measured best under 4 GB (docs/benchmarks.md, "Heap
 * growth 100 %"): conditional 821 → 527 s of CPU at 3,450 MiB (20 %: 3,085), strict 3,819 MiB (20 %:
 * 3,848; its peak is live data, not headroom). Never an out-of-memory risk: it only makes V8 collect
 * sooner than it would by itself; the heap limit is unchanged.
 */
export const LARGE_RUN_HEAP_GROWING_PERCENT = 100;

/**
 * Limits V8's heap growth for this process (`--heap-growing-percent`): by `percent` if given (0:
 * not at all), else by `LARGE_RUN_HEAP_GROWING_PERCENT` if the run has at least `LARGE_RUN_TXS`
 * transactions — unless the process was started with its own setting, which stays. Returns the
 * percentage in force (undefined: V8's default). A process-wide setting of the shell's (results do
 * not depend on it), made before the workload is generated.
 */
export function limitHeapGrowth(txs: number, percent?: number): number | undefined {
  const given = process.execArgv.find((a) => /^--heap[-_]growing[-_]percent=/.test(a));
  if (given !== undefined) return Number(given.slice(given.indexOf("=") + 1));
  const p = Math.round(percent ?? (txs >= LARGE_RUN_TXS ? LARGE_RUN_HEAP_GROWING_PERCENT : 0));
  if (!(p > 0)) return undefined;
  setFlagsFromString(`--heap-growing-percent=${p}`);
  return p;
}

/** The default number of threads of a run: every core the process may use. */
export function getDefaultThreads(): number {
  return availableParallelism();
}

/**
 * The signature pool of a run on `threads` threads: `threads - 1` workers beside the thread that
 * generates and simulates (on two cores: one worker, so the simulation keeps a core of its own), or
 * none: one thread, fewer than `minTxs` transactions, or no compiled worker file.
 */
export function openSignaturePool(threads: number, txs: number, minTxs = MIN_POOL_TXS): Ed25519Pool | undefined {
  if (threads < 2 || txs < minTxs || !canStartEd25519Pool()) return undefined;
  return new Ed25519Pool(threads - 1);
}

/**
 * Signs in the pool: batches of (seed, message) go out as they fill; `finish` waits for every
 * signature. The messages stay, in signing order, in chunks of 32-byte slots (no object per
 * transaction) until `takeMessages` hands them to the verification pass; `release` drops them.
 */
export class PoolSigner {
  private readonly pending: Promise<void>[] = [];
  /** Signature arrays in signing order, and their messages in the same order (`BATCH` a chunk). */
  private signed: Uint8Array[] = [];
  private messages: Uint8Array[] = [];
  private batch = this.newBatch();

  constructor(private readonly pool: Ed25519Pool) {}

  readonly sign = (key: UserKey, message: Uint8Array, into: Uint8Array): void => {
    const b = this.batch;
    b.secretKeys.set(key.secretKey, b.n * 64);
    b.msgs.set(message, b.n * 32);
    b.into.push(into);
    b.n++;
    const at = this.signed.length;
    if (at % BATCH === 0) this.messages.push(new Uint8Array(BATCH * 32));
    (this.messages[this.messages.length - 1] as Uint8Array).set(message, (at % BATCH) * 32);
    this.signed.push(into);
    if (b.n === BATCH) this.flush();
  };

  /**
   * The messages signed, for transactions taken in signing order: the returned function gives the
   * message of `stx` if its signature is the next one this signer filled (then moves on), else
   * undefined (the caller computes it). Views into the signer's chunks: read them before `release`.
   */
  takeMessages(): (stx: SignedTx) => Uint8Array | undefined {
    let next = 0;
    return (stx) => {
      if (this.signed[next] !== stx.signature) return undefined;
      const at = next++;
      const chunk = this.messages[Math.floor(at / BATCH)] as Uint8Array;
      return chunk.subarray((at % BATCH) * 32, (at % BATCH) * 32 + 32);
    };
  }

  /** Drops the messages and the signature list (nothing per transaction is kept after this). */
  release(): void {
    this.signed = [];
    this.messages = [];
  }

  async finish(): Promise<void> {
    this.flush();
    await Promise.all(this.pending);
  }

  private newBatch(): { n: number; secretKeys: Uint8Array; msgs: Uint8Array; into: Uint8Array[] } {
    return { n: 0, secretKeys: new Uint8Array(BATCH * 64), msgs: new Uint8Array(BATCH * 32), into: [] };
  }

  private flush(): void {
    const b = this.batch;
    if (b.n === 0) return;
    this.batch = this.newBatch();
    this.pending.push(
      this.pool.sign(b.secretKeys.slice(0, b.n * 64), b.msgs.slice(0, b.n * 32)).then((sigs) => {
        b.into.forEach((into, i) => into.set(sigs.subarray(i * 64, i * 64 + 64)));
      }),
    );
  }
}

/** Signature verification going on in the pool while the run goes on. */
export interface PoolVerification {
  /** Transactions on the board (the others are checked by the simulation's own thread). */
  readonly entries: number;
  /** Resolves when the workers have gone through the whole board. */
  readonly done: Promise<void>;
  /** Detaches the board from the beacon (verdicts already read stay memoised). */
  detach(): void;
}

/**
 * Starts verifying the transactions' signatures in the pool on a board of shared memory attached to
 * the beacon (`attachSignatureVerdicts`), and returns at once: the simulation reads each verdict
 * when it needs it, and checks a transaction itself if the workers have not reached it yet. A
 * transaction whose check would not reach the signature (wrong sender, wrong lengths, a program
 * that does not encode) is not put on the board, so every reason stays the one the beacon's own
 * check finds. `messageOf`: messages already computed (the signer's). Each entry goes onto the
 * board as it is checked, so nothing per transaction is kept here: the board is sized for every
 * transaction, and the main thread keeps only its verdicts (the workers hold the rest until done) —
 * a run's promises settle only after the run, so whatever they closed over would live as long.
 */
export function startVerification(txs: readonly SignedTx[], pool: Ed25519Pool, messageOf: (stx: SignedTx) => Uint8Array | undefined = () => undefined): PoolVerification {
  const entries: SignedTx[] = [];
  const board = createVerdictBoard(txs.length);
  for (const stx of txs) {
    if (stx.pubkey.length !== ED25519_PUBKEY_BYTES || stx.signature.length !== ED25519_SIGNATURE_BYTES) continue;
    if (!bytesEqual(stx.tx.sender, addressOfPubkey(stx.pubkey))) continue;
    let msg = messageOf(stx);
    if (!msg) {
      try {
        msg = computeTxSigningMessage(stx.tx);
      } catch (e) {
        if (isXshardError(e)) continue;
        throw e;
      }
    }
    const i = entries.length;
    board.pubkeys.set(stx.pubkey, i * 32);
    board.msgs.set(msg, i * 32);
    board.sigs.set(stx.signature, i * 64);
    entries.push(stx);
  }
  const detach = attachSignatureVerdicts(entries, board.verdicts);
  return { entries: entries.length, done: verifyBoardInRanges(pool, board, entries.length), detach };
}

/** Posts the board's first `n` entries to the pool in ranges of `BATCH`; resolves when all are done. */
function verifyBoardInRanges(pool: Ed25519Pool, board: VerdictBoard, n: number): Promise<void> {
  const ranges: Promise<void>[] = [];
  for (let from = 0; from < n; from += BATCH) ranges.push(pool.verifyBoard(board, from, Math.min(n, from + BATCH)));
  return Promise.all(ranges).then(() => undefined);
}

/** A workload generated with the pool, its verification going on, and the pool to close after the run. */
export interface PoolRun {
  readonly workload: GeneratedWorkload;
  readonly threads: number;
  readonly verification: PoolVerification;
  /** Detaches the verdicts and stops the workers (verification left unfinished is not needed any more). */
  close(): Promise<void>;
}

/**
 * Generates the workload with its signatures made in the pool (the same bytes as `plan.generate`
 * alone makes), then starts verifying every submission in the pool and returns: run the
 * simulation, then `close()`. The pool is closed here if generation fails.
 */
export async function generateInPool(plan: WorkloadPlan, pool: Ed25519Pool, onProgress?: GenerationProgress): Promise<PoolRun> {
  try {
    const signer = new PoolSigner(pool);
    let workload: GeneratedWorkload;
    try {
      workload = plan.generate(onProgress, signer.sign);
    } finally {
      await signer.finish();
    }
    const verification = startVerification(
      workload.submissions.map((s) => s.tx),
      pool,
      signer.takeMessages(),
    );
    signer.release();
    // A failed range (a worker died) must not be an unhandled rejection: the simulation checks those transactions itself.
    verification.done.catch(() => {});
    // The committee signature batches of the sharded drivers (receipts, sync, lock2pc) are verified in the pool
    // too, and sync's committees sign a slot's attestations there beside the run's thread.
    const detachBatches = attachBatchOffload(workload, {
      post: (cells, cell, sets) => pool.verifyAggregatedSets(cells, cell, sets),
      sign: (job) => pool.signAggregatedJob(job),
    });
    return {
      workload,
      threads: pool.size,
      verification,
      close: async () => {
        verification.detach();
        detachBatches();
        await pool.close();
      },
    };
  } catch (e) {
    await pool.close();
    throw e;
  }
}

/** A run's workload and the threads that sign and verify its signatures (`threads` 0: none, all on this thread). */
export interface ThreadedWorkload {
  readonly workload: GeneratedWorkload;
  /** Worker threads doing the signature work (0: the workload was generated and is checked on this thread alone). */
  readonly threads: number;
  /** V8's heap growing percentage in force for the run (`limitHeapGrowth`; undefined: V8's default). */
  readonly heapGrowingPercent: number | undefined;
  /** Call after the run: detaches the verdicts and stops the workers (nothing to do without a pool). */
  close(): Promise<void>;
}

/**
 * The one way a run's workload is made on `threads` threads (`xshard run` and the simulation
 * benches): from `minTxs` transactions and 2 threads up, signed in a worker pool that then verifies
 * every signature while the run goes on (`generateInPool`); otherwise `plan.generate` on this
 * thread, as a one-thread run. Either way the same workload bytes and the same results. A large
 * run limits V8's heap growth first (`limitHeapGrowth`; `heapGrowingPercent` 0: not).
 */
export async function generateWorkloadThreaded(
  plan: WorkloadPlan,
  threads: number,
  options: { readonly minTxs?: number; readonly onProgress?: GenerationProgress; readonly heapGrowingPercent?: number } = {},
): Promise<ThreadedWorkload> {
  const heapGrowingPercent = limitHeapGrowth(plan.size.submissions, options.heapGrowingPercent);
  const pool = openSignaturePool(threads, plan.size.submissions, options.minTxs);
  if (!pool) return { workload: plan.generate(options.onProgress), threads: 0, heapGrowingPercent, close: async () => {} };
  return { ...(await generateInPool(plan, pool, options.onProgress)), heapGrowingPercent };
}
