/**
 * The run's Ed25519 work on worker threads (issue 12, both cores): the workload's transactions are
 * signed in a pool while the generator goes on, and every submission's signature is verified in the
 * pool before the simulation starts, priming the beacon's memo (`recordSignatureVerdict`). Both are
 * pure functions of the bytes, so a run's results are the same bytes with or without the pool
 * (test/cli/run-threads.test.ts). The pool lives here, in the runner's shell; protocol rules only
 * read the memo through `getSignatureProblem`, as before.
 */
import { availableParallelism } from "node:os";
import { Ed25519Pool, canStartEd25519Pool } from "./crypto/ed25519Pool.js";
import { exportRawKey } from "./crypto/ed25519Raw.js";
import { ED25519_PUBKEY_BYTES, ED25519_SIGNATURE_BYTES, addressOfPubkey, type UserKey } from "./crypto/ed25519.js";
import { bytesEqual } from "./crypto/hash.js";
import { hasSignatureVerdict, recordSignatureVerdict } from "./chain/beacon.js";
import { isXshardError } from "./errors.js";
import { computeTxSigningMessage, type SignedTx } from "./program/index.js";
import type { GeneratedWorkload, GenerationProgress, WorkloadPlan } from "./workloads/types.js";

/** Fewest transactions for which starting the pool pays (docs/benchmarks.md "Run on both cores"). */
export const MIN_POOL_TXS = 2000;
/** Transactions per batch posted to a worker. */
const BATCH = 1024;
/** Most threads `--threads` accepts. */
export const MAX_THREADS = 64;

/** The default number of threads of a run: every core the process may use. */
export function getDefaultThreads(): number {
  return availableParallelism();
}

/** A pool of `threads` signature workers, or none: one thread, fewer than `MIN_POOL_TXS` transactions, or no compiled worker file. */
export function openSignaturePool(threads: number, txs: number, minTxs = MIN_POOL_TXS): Ed25519Pool | undefined {
  if (threads < 2 || txs < minTxs || !canStartEd25519Pool()) return undefined;
  return new Ed25519Pool(threads);
}

/** Signs in the pool: batches of (seed, message) go out as they fill; `finish` waits for every signature. */
class PoolSigner {
  private readonly seeds = new WeakMap<UserKey, Uint8Array>();
  private readonly pending: Promise<void>[] = [];
  /** Messages of signed transactions by their signature array (for the verification pass). */
  private readonly messages = new Map<Uint8Array, Uint8Array>();
  private batch = this.newBatch();

  constructor(private readonly pool: Ed25519Pool) {}

  readonly sign = (key: UserKey, message: Uint8Array, into: Uint8Array): void => {
    let seed = this.seeds.get(key);
    if (!seed) {
      seed = exportRawKey(key.privateKey).seed;
      this.seeds.set(key, seed);
    }
    const b = this.batch;
    b.seeds.set(seed, b.n * 32);
    b.msgs.set(message, b.n * 32);
    b.into.push(into);
    b.n++;
    this.messages.set(into, message);
    if (b.n === BATCH) this.flush();
  };

  messageOf(signature: Uint8Array): Uint8Array | undefined {
    return this.messages.get(signature);
  }

  async finish(): Promise<void> {
    this.flush();
    await Promise.all(this.pending);
  }

  private newBatch(): { n: number; seeds: Uint8Array; msgs: Uint8Array; into: Uint8Array[] } {
    return { n: 0, seeds: new Uint8Array(BATCH * 32), msgs: new Uint8Array(BATCH * 32), into: [] };
  }

  private flush(): void {
    const b = this.batch;
    if (b.n === 0) return;
    this.batch = this.newBatch();
    this.pending.push(
      this.pool.sign(b.seeds.slice(0, b.n * 32), b.msgs.slice(0, b.n * 32)).then((sigs) => {
        b.into.forEach((into, i) => into.set(sigs.subarray(i * 64, i * 64 + 64)));
      }),
    );
  }
}

/**
 * Verifies the transactions' signatures in the pool and records the verdicts in the beacon's memo.
 * A transaction whose check would not reach the signature (wrong sender, wrong lengths, a program
 * that does not encode) or whose check threw in the worker is left for `getSignatureProblem` to
 * check itself, so every reason stays the one it finds. `messageOf`: messages already computed
 * (the signer's). Returns how many verdicts were recorded.
 */
export async function verifyInPool(txs: readonly SignedTx[], pool: Ed25519Pool, messageOf: (stx: SignedTx) => Uint8Array | undefined = () => undefined): Promise<number> {
  const jobs: Promise<number>[] = [];
  let batch: SignedTx[] = [];
  let msgs: Uint8Array[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    const stxs = batch;
    const n = stxs.length;
    const pubkeys = new Uint8Array(n * 32);
    const m = new Uint8Array(n * 32);
    const sigs = new Uint8Array(n * 64);
    stxs.forEach((stx, i) => {
      pubkeys.set(stx.pubkey, i * 32);
      m.set(msgs[i] as Uint8Array, i * 32);
      sigs.set(stx.signature, i * 64);
    });
    batch = [];
    msgs = [];
    jobs.push(
      pool.verify(pubkeys, m, sigs).then((verdicts) => {
        let recorded = 0;
        stxs.forEach((stx, i) => {
          const v = verdicts[i];
          if (v === 0 || v === 1) {
            recordSignatureVerdict(stx, v === 1);
            recorded++;
          }
        });
        return recorded;
      }),
    );
  };
  for (const stx of txs) {
    if (hasSignatureVerdict(stx) || stx.pubkey.length !== ED25519_PUBKEY_BYTES || stx.signature.length !== ED25519_SIGNATURE_BYTES) continue;
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
    batch.push(stx);
    msgs.push(msg);
    if (batch.length === BATCH) flush();
  }
  flush();
  return (await Promise.all(jobs)).reduce((a, b) => a + b, 0);
}

/** What `generateInPool` did: transactions signed in the pool, verdicts recorded. */
export interface PoolWork {
  readonly threads: number;
  readonly verified: number;
}

/**
 * Generates the workload with its signatures made in the pool, then verifies every submission in
 * the pool. The workload is the same bytes as `plan.generate` alone makes.
 */
export async function generateInPool(plan: WorkloadPlan, pool: Ed25519Pool, onProgress?: GenerationProgress): Promise<{ workload: GeneratedWorkload; work: PoolWork }> {
  const signer = new PoolSigner(pool);
  let workload: GeneratedWorkload;
  try {
    workload = plan.generate(onProgress, signer.sign);
  } finally {
    await signer.finish();
  }
  const verified = await verifyInPool(
    workload.submissions.map((s) => s.tx),
    pool,
    (stx) => signer.messageOf(stx.signature),
  );
  return { workload, work: { threads: pool.size, verified } };
}
