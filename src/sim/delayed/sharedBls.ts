/**
 * The two-stage chain's BLS work on both threads of a run (issue 12): with a run's worker pool
 * (`getBatchOffload`, attached by src/runnerThreads.ts), the committees' batch signatures of a
 * round are signed by this thread and the pool at once (`createDeferredSigner`), and a proposer's
 * check of the held batches' aggregates together (`verifyAggregateSets`) is shared out in chunks
 * between this thread and the pool (`createSharedBatchVerifier`). BLS signing is deterministic and a
 * verdict is a function of the bytes, so the results are the same bytes with or without the pool;
 * the rules still only see a `SignatureVerifier` (DESIGN §6).
 *
 * Work a worker took and never finished (it died) is done here after `TAKEN_WAIT_MS`; work no
 * worker took is claimed and done here, so a run never waits on a pool that does not answer.
 */
import { verifyMultipleAggregateSignatures, type PublicKey, type SignatureSet } from "@chainsafe/blst";
import {
  SIGNATURE_BYTES,
  computeSummedSecretKey,
  createBatchBlsVerifier,
  createNoopVerifier,
  parseSignature,
  signWithSecretKey,
  type AggregateSet,
  type AggregatedKeySet,
  type BatchSignatureVerifier,
  type SignatureVerifier,
} from "../../crypto/bls.js";
import { BLS_CLAIMED, BLS_INVALID, BLS_PENDING, BLS_TAKEN, BLS_VALID, type BlsSignJob } from "../../crypto/ed25519Pool.js";
import { TAKEN_WAIT_MS, createAggregateCache, createCellAllocator, finishSharedJob, getBatchOffload, startSharedJob, type BatchOffload } from "../shards/signatureBatch.js";

/** A verifier whose aggregate signatures are made later, together. */
export interface DeferredSigner {
  /**
   * `inner`, except `signAggregate`: it returns a new 96-byte array that `settle` fills with the
   * bytes `inner.signAggregate` would have returned (zeros until then; a list `inner` cannot sum —
   * none, a zero sum — or a message that is not 32 bytes is signed at once by `inner`, errors included).
   */
  readonly verifier: SignatureVerifier;
  /** Hands the signatures asked since the last `post` to the pool now, as one job; returns at once. */
  post(): void;
  /**
   * Makes every signature asked since the last settle and fills the arrays: this thread signs what
   * no worker has taken (latest jobs first, each from its last entry), then waits for the rest.
   * Returns how many.
   */
  settle(): number;
}

/**
 * A deferred signer over `inner` (the real BLS verifier: its `signAggregate` signs under the
 * summed secret key, `computeSummedSecretKey`) whose signatures are made through `sign` (the
 * pool's `signAggregatedJob`) and on this thread.
 */
export function createDeferredSigner(inner: SignatureVerifier, sign: (job: BlsSignJob) => void, takenWaitMs = TAKEN_WAIT_MS): DeferredSigner {
  type Todo = { readonly sk: Uint8Array; readonly msg: Uint8Array; readonly into: Uint8Array };
  let todo: Todo[] = [];
  let jobs: { readonly job: BlsSignJob; readonly todo: readonly Todo[] }[] = [];
  const verifier: SignatureVerifier = {
    active: inner.active,
    sign: (key, msg) => inner.sign(key, msg),
    aggregate: (sigs) => inner.aggregate(sigs),
    verifyAggregate: (pubkeys, msg, sig) => inner.verifyAggregate(pubkeys, msg, sig),
    signAggregate(keys, msg) {
      const sk = inner.active && msg.length === 32 ? computeSummedSecretKey(keys) : null;
      if (sk === null) return inner.signAggregate(keys, msg);
      const into = new Uint8Array(SIGNATURE_BYTES);
      todo.push({ sk, msg: Uint8Array.from(msg), into });
      return into;
    },
  };
  const post = (): void => {
    if (todo.length === 0) return;
    jobs.push({ job: startSharedJob(sign, todo), todo });
    todo = [];
  };
  return {
    verifier,
    post,
    settle(): number {
      let n = 0;
      // One signature asked and nothing handed over: signed here (a job would cost more than it saves).
      if (jobs.length === 0 && todo.length === 1) {
        const t = todo[0] as Todo;
        t.into.set(signWithSecretKey(t.sk, t.msg));
        n++;
      } else post();
      todo = [];
      const done = jobs;
      jobs = [];
      for (let j = done.length - 1; j >= 0; j--) {
        const { job, todo: list } = done[j] as (typeof done)[number];
        finishSharedJob(job, list, takenWaitMs).forEach((sig, i) => (list[i] as Todo).into.set(sig));
        n += list.length;
      }
      return n;
    },
  };
}

/** Fewest sets `createSharedBatchVerifier` shares out (fewer are checked here, as one batch). */
export const MIN_SHARED_SETS = 4;

/** A chunk of sets handed to the pool, and its verdict cell. */
interface Chunk {
  readonly sets: readonly (AggregatedKeySet & { readonly pk: PublicKey })[];
  readonly cells: Int32Array;
  readonly cell: number;
}

/**
 * `inner` with `verifyAggregateSets` shared out: the sets (at least `MIN_SHARED_SETS`) go in chunks
 * (of ⌈n/4⌉, at least 2; `chunk` to override) to the pool through `post`, each with a verdict cell;
 * the workers take chunks from the first, this thread claims and checks them from the last, then
 * waits for the chunks a worker took. The answer is the AND of the chunks' verdicts, each chunk
 * checked as one batch (`verifyAggregatedKeySets` under the sets' aggregate keys): true iff every
 * set passes `verifyAggregate`, as `inner.verifyAggregateSets` answers (malformed or empty input
 * is false). After a false, the chunks not yet taken are withdrawn.
 */
export function createSharedBatchVerifier(inner: BatchSignatureVerifier, post: BatchOffload["post"], options: { readonly chunk?: number; readonly takenWaitMs?: number } = {}): BatchSignatureVerifier {
  const aggregateOf = createAggregateCache();
  const nextCell = createCellAllocator();
  const takenWaitMs = options.takenWaitMs ?? TAKEN_WAIT_MS;

  const verifyHere = (c: Chunk): boolean => {
    const parsed: SignatureSet[] = [];
    for (const s of c.sets) {
      const sig = parseSignature(s.signature);
      if (sig === null) return false;
      parsed.push({ msg: s.msg, pk: s.pk, sig });
    }
    try {
      // Keys and signatures were validated (subgroup, infinity) when parsed.
      return verifyMultipleAggregateSignatures(parsed, false, false);
    } catch {
      return false;
    }
  };

  /** A chunk's verdict: the worker's, or this thread's when no worker took it or the one that did never answered. */
  const verdictOf = (c: Chunk): boolean => {
    for (;;) {
      const state = Atomics.load(c.cells, c.cell);
      if (state === BLS_VALID) return true;
      if (state === BLS_INVALID) return false;
      if (state === BLS_PENDING) {
        if (Atomics.compareExchange(c.cells, c.cell, BLS_PENDING, BLS_CLAIMED) === BLS_PENDING) return verifyHere(c);
      } else if (state === BLS_TAKEN) {
        if (Atomics.wait(c.cells, c.cell, BLS_TAKEN, takenWaitMs) === "timed-out" && Atomics.load(c.cells, c.cell) === BLS_TAKEN) return verifyHere(c);
      } else return verifyHere(c);
    }
  };

  const verifyAggregateSets = (sets: readonly AggregateSet[]): boolean => {
    if (sets.length < MIN_SHARED_SETS) return inner.verifyAggregateSets(sets);
    const keyed: (AggregatedKeySet & { pk: PublicKey })[] = [];
    for (const s of sets) {
      const e = s.pubkeys.length === 0 ? null : aggregateOf(s.pubkeys);
      if (e === null) return false; // no key, or one that is not a valid key: as inner
      e.bytes ??= e.pk.toBytes(true);
      // An aggregate at infinity (keys that cancel) is no key to hand over: inner's own check.
      if (((e.bytes[0] as number) & 0x40) !== 0) return inner.verifyAggregateSets(sets);
      keyed.push({ pubkey: e.bytes, msg: s.msg, signature: s.signature, pk: e.pk });
    }
    const size = options.chunk ?? Math.max(2, Math.ceil(keyed.length / 4));
    const chunks: Chunk[] = [];
    for (let i = 0; i < keyed.length; i += size) chunks.push({ sets: keyed.slice(i, i + size), ...nextCell() });
    for (const c of chunks) post(c.cells, c.cell, c.sets.map((s) => ({ pubkey: s.pubkey, msg: s.msg, signature: s.signature })));
    let ok = true;
    let mine = chunks.length;
    while (ok && mine > 0) {
      const c = chunks[mine - 1] as Chunk;
      if (Atomics.compareExchange(c.cells, c.cell, BLS_PENDING, BLS_CLAIMED) !== BLS_PENDING) break;
      ok = verifyHere(c);
      mine--;
    }
    for (let i = 0; i < mine && ok; i++) ok = verdictOf(chunks[i] as Chunk);
    if (!ok) for (const c of chunks) Atomics.compareExchange(c.cells, c.cell, BLS_PENDING, BLS_CLAIMED);
    return ok;
  };

  return { ...inner, verifyAggregateSets };
}

/**
 * The signature verifier of a run of the two-stage chain over `workload` and, with a pool that
 * signs, the round signer its committees sign their batches with: signatures off, the no-op
 * verifier; on one thread, `createBatchBlsVerifier()`; with the workload's pool (`getBatchOffload`),
 * that verifier shared out with the pool.
 */
export function createRunSignatures(signatures: boolean, workload: object): { readonly verifier: SignatureVerifier; readonly roundSigner?: DeferredSigner } {
  if (!signatures) return { verifier: createNoopVerifier() };
  const offload = getBatchOffload(workload);
  const bls = createBatchBlsVerifier();
  if (!offload) return { verifier: bls };
  const verifier = createSharedBatchVerifier(bls, (cells, cell, sets) => offload.post(cells, cell, sets));
  const sign = offload.sign;
  return sign ? { verifier, roundSigner: createDeferredSigner(bls, (job) => sign(job)) } : { verifier };
}
