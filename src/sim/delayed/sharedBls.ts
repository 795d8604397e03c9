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
import { bytesEqual } from "../../crypto/hash.js";
import type { StartingVerifier } from "../../chain/attestation.js";
import { BLS_CLAIMED, BLS_INVALID, BLS_PENDING, BLS_SIGNED, BLS_TAKEN, BLS_VALID, createBlsSignJob, type BlsSignJob } from "../../crypto/ed25519Pool.js";
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
 * Hands sets whose signatures the pool has made to be checked there ahead of the proposer's check
 * (`SharedBatchVerifier.checkAhead`); false when it takes none now (then they are offered again).
 */
export type CheckAhead = (sets: readonly AggregateSet[]) => boolean;

/**
 * A deferred signer over `inner` (the real BLS verifier: its `signAggregate` signs under the
 * summed secret key, `computeSummedSecretKey`) whose signatures are made through `sign` (the
 * pool's `signAggregatedJob`) and on this thread. With `checkAhead`, each `post` first offers the
 * signatures the pool has already made in this round (whole jobs, in order) to be checked in the
 * pool while this thread goes on executing; the signatures are the same bytes either way.
 */
export function createDeferredSigner(inner: SignatureVerifier, sign: (job: BlsSignJob) => void, takenWaitMs = TAKEN_WAIT_MS, checkAhead?: CheckAhead): DeferredSigner {
  type Todo = { readonly sk: Uint8Array; readonly msg: Uint8Array; readonly into: Uint8Array; readonly pubkeys: readonly Uint8Array[] };
  let todo: Todo[] = [];
  let jobs: { readonly job: BlsSignJob; readonly todo: readonly Todo[] }[] = [];
  /** Jobs of `jobs` whose signatures were handed to `checkAhead`. */
  let aheadFrom = 0;
  const verifier: SignatureVerifier = {
    active: inner.active,
    sign: (key, msg) => inner.sign(key, msg),
    aggregate: (sigs) => inner.aggregate(sigs),
    verifyAggregate: (pubkeys, msg, sig) => inner.verifyAggregate(pubkeys, msg, sig),
    signAggregate(keys, msg) {
      const sk = inner.active && msg.length === 32 ? computeSummedSecretKey(keys) : null;
      if (sk === null) return inner.signAggregate(keys, msg);
      const into = new Uint8Array(SIGNATURE_BYTES);
      todo.push({ sk, msg: Uint8Array.from(msg), into, pubkeys: keys.map((k) => k.pubkey) });
      return into;
    },
  };
  /** Offers the signatures of the jobs the pool has wholly signed since the last offer taken (none after one not yet signed). */
  const offerAhead = (): void => {
    if (checkAhead === undefined) return;
    const sets: AggregateSet[] = [];
    let j = aheadFrom;
    for (; j < jobs.length; j++) {
      const { job, todo: list } = jobs[j] as (typeof jobs)[number];
      let signed = true;
      for (let i = 0; i < list.length && signed; i++) signed = Atomics.load(job.cells, i) === BLS_SIGNED;
      if (!signed) break;
      list.forEach((t, i) => sets.push({ pubkeys: t.pubkeys, msg: t.msg, signature: job.sigs.slice(i * SIGNATURE_BYTES, (i + 1) * SIGNATURE_BYTES) }));
    }
    if (sets.length > 0 && checkAhead(sets)) aheadFrom = j;
  };
  const post = (): void => {
    if (todo.length === 0) return;
    jobs.push({ job: startSharedJob(sign, todo), todo });
    todo = [];
    offerAhead(); // after the new job: the worker signs it first
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
      aheadFrom = 0;
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

/** `createSharedBatchVerifier`'s verifier, and its way to have sets checked in the pool ahead of time. */
export interface SharedBatchVerifier extends BatchSignatureVerifier, StartingVerifier {
  /**
   * Posts `sets` to the pool as one chunk to be checked there now, and files them by their bytes:
   * a later `verifyAggregateSets` given one of them (the same aggregate key, message and signature)
   * reads the chunk's verdict instead of checking it again. False (nothing posted) while the last
   * such chunk is still waiting for a worker: the pool is busy, this thread checks them later.
   */
  readonly checkAhead: CheckAhead;
  /**
   * With a pool that signs (`options.sign`): `inner`, except that `signAggregate` starts the
   * signature in the pool — one job that signs under the summed key and checks the signature there
   * — and returns a new 96-byte array, zeros until read: `startVerifyAggregate` given that array
   * with the signers' keys and the message reads the job's verdict and fills the array (with the
   * bytes `inner.signAggregate` returns) when its verdict is read; any other use of the verifier's
   * `startVerifyAggregate` or of this `signAggregate` fills it first. What the pool cannot take (no
   * key, a zero sum, keys that cancel, a message not 32 bytes) is signed at once by `inner`.
   */
  readonly attestationSigner?: SignatureVerifier;
}

/** The verifier to sign a block's attestation with: `verifier.attestationSigner` when it has one (see `SharedBatchVerifier`), else `verifier`. */
export function getAttestationSigner(verifier: SignatureVerifier): SignatureVerifier {
  return (verifier as Partial<SharedBatchVerifier>).attestationSigner ?? verifier;
}

/** Chunks checked ahead whose sets stay filed (older ones are dropped: their sets are checked as usual). */
export const AHEAD_CHUNKS_KEPT = 256;

/**
 * `inner` with `verifyAggregateSets` shared out: the sets (at least `MIN_SHARED_SETS`) go in chunks
 * (of ⌈n/4⌉, at least 2; `chunk` to override) to the pool through `post`, each with a verdict cell;
 * the workers take chunks from the first, this thread claims and checks them from the last, then
 * waits for the chunks a worker took. The answer is the AND of the chunks' verdicts, each chunk
 * checked as one batch (`verifyAggregatedKeySets` under the sets' aggregate keys): true iff every
 * set passes `verifyAggregate`, as `inner.verifyAggregateSets` answers (malformed or empty input
 * is false). After a false, the chunks not yet taken are withdrawn.
 *
 * Sets handed to `checkAhead` earlier are not checked again when their chunk was found valid; a
 * chunk a worker is checking is waited for (after this thread's own share); any other (not taken
 * yet — it is claimed here —, found invalid, or whose worker never answered) leaves its sets to be
 * checked here with the rest. Each set's verdict is a function of its bytes, so the answer is the
 * same whoever checks which set.
 */
export function createSharedBatchVerifier(inner: BatchSignatureVerifier, post: BatchOffload["post"], options: { readonly chunk?: number; readonly takenWaitMs?: number; readonly sign?: (job: BlsSignJob) => void } = {}): SharedBatchVerifier {
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

  /** The sets with their aggregate keys, or why not: "invalid" (no key, or one that is not a valid key), "infinity" (keys that cancel). */
  const keySets = (sets: readonly AggregateSet[]): (AggregatedKeySet & { pk: PublicKey })[] | "invalid" | "infinity" => {
    const keyed: (AggregatedKeySet & { pk: PublicKey })[] = [];
    for (const s of sets) {
      const e = s.pubkeys.length === 0 ? null : aggregateOf(s.pubkeys);
      if (e === null) return "invalid";
      e.bytes ??= e.pk.toBytes(true);
      if (((e.bytes[0] as number) & 0x40) !== 0) return "infinity";
      keyed.push({ pubkey: e.bytes, msg: s.msg, signature: s.signature, pk: e.pk });
    }
    return keyed;
  };

  const postChunk = (sets: readonly (AggregatedKeySet & { pk: PublicKey })[]): Chunk => {
    const c: Chunk = { sets, ...nextCell() };
    post(c.cells, c.cell, sets.map((s) => ({ pubkey: s.pubkey, msg: s.msg, signature: s.signature })));
    return c;
  };

  /** The check of `sets` shared out in chunks (none checked ahead). */
  const verifyShared = (sets: readonly AggregateSet[]): boolean => {
    if (sets.length < MIN_SHARED_SETS) return inner.verifyAggregateSets(sets);
    const keyed = keySets(sets);
    if (keyed === "invalid") return false; // as inner
    // An aggregate at infinity (keys that cancel) is no key to hand over: inner's own check.
    if (keyed === "infinity") return inner.verifyAggregateSets(sets);
    const size = options.chunk ?? Math.max(2, Math.ceil(keyed.length / 4));
    const chunks: Chunk[] = [];
    for (let i = 0; i < keyed.length; i += size) chunks.push(postChunk(keyed.slice(i, i + size)));
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

  /** Sets checked ahead, by their signature's bytes (hex); the chunks in the order posted, the last still to be taken maybe. */
  const ahead = new Map<string, { readonly pubkey: Uint8Array; readonly msg: Uint8Array; readonly chunk: Chunk }>();
  const aheadChunks: { readonly chunk: Chunk; readonly keys: readonly string[] }[] = [];
  const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

  const checkAhead: CheckAhead = (sets) => {
    const last = aheadChunks[aheadChunks.length - 1];
    if (last !== undefined && Atomics.load(last.chunk.cells, last.chunk.cell) === BLS_PENDING) return false;
    const keyed = keySets(sets);
    if (typeof keyed === "string") return true; // not for the pool: checked as usual when asked
    const chunk = postChunk(keyed);
    const keys = keyed.map((s) => hexOf(s.signature));
    keyed.forEach((s, i) => ahead.set(keys[i] as string, { pubkey: s.pubkey, msg: s.msg, chunk }));
    aheadChunks.push({ chunk, keys });
    if (aheadChunks.length > AHEAD_CHUNKS_KEPT) {
      const old = aheadChunks.shift() as (typeof aheadChunks)[number];
      for (const k of old.keys) if (ahead.get(k)?.chunk === old.chunk) ahead.delete(k);
    }
    return true;
  };

  const verifyAggregateSets = (sets: readonly AggregateSet[]): boolean => {
    if (ahead.size === 0) return verifyShared(sets);
    const rest: AggregateSet[] = [];
    const waiting = new Map<Chunk, AggregateSet[]>();
    for (const s of sets) {
      const e = ahead.get(hexOf(s.signature));
      const agg = e === undefined || s.pubkeys.length === 0 ? null : aggregateOf(s.pubkeys);
      if (agg !== null) agg.bytes ??= agg.pk.toBytes(true);
      if (e === undefined || agg?.bytes === undefined || !bytesEqual(agg.bytes, e.pubkey) || !bytesEqual(s.msg, e.msg)) {
        rest.push(s);
        continue;
      }
      const c = e.chunk;
      let state = Atomics.load(c.cells, c.cell);
      // Not taken yet: claimed here, its sets checked with the rest (one batch here is cheaper than waiting).
      if (state === BLS_PENDING && Atomics.compareExchange(c.cells, c.cell, BLS_PENDING, BLS_CLAIMED) !== BLS_PENDING) state = Atomics.load(c.cells, c.cell);
      if (state === BLS_VALID) continue;
      if (state === BLS_TAKEN) {
        const list = waiting.get(c);
        if (list === undefined) waiting.set(c, [s]);
        else list.push(s);
      } else rest.push(s);
    }
    let ok = rest.length === 0 || verifyShared(rest);
    for (const [c, list] of waiting) {
      if (!ok) break;
      while (Atomics.load(c.cells, c.cell) === BLS_TAKEN) {
        if (Atomics.wait(c.cells, c.cell, BLS_TAKEN, takenWaitMs) === "timed-out") break;
      }
      if (Atomics.load(c.cells, c.cell) !== BLS_VALID) ok = inner.verifyAggregateSets(list);
    }
    return ok;
  };

  /** Signatures started by `attestationSigner`, by the array returned (filled once read). */
  const presigned = new Map<Uint8Array, Presigned>();

  /**
   * Fills `p.into` with its signature: the worker's, with its check's verdict (the signature against
   * `p.pk`); or, when no worker took it or the one that did never answered, signed here (undefined:
   * no verdict).
   */
  const fillPresigned = (p: Presigned): boolean | undefined => {
    presigned.delete(p.into);
    const cells = p.job.cells;
    if (Atomics.compareExchange(cells, 0, BLS_PENDING, BLS_CLAIMED) !== BLS_PENDING) {
      while (Atomics.load(cells, 0) === BLS_TAKEN) {
        if (Atomics.wait(cells, 0, BLS_TAKEN, takenWaitMs) === "timed-out") break;
      }
      const state = Atomics.load(cells, 0);
      if (state === BLS_VALID || state === BLS_INVALID) {
        p.into.set(p.job.sigs.subarray(0, SIGNATURE_BYTES));
        return state === BLS_VALID;
      }
    }
    p.into.set(signWithSecretKey(p.sk, p.msg));
    return undefined;
  };
  const fillAllPresigned = (): void => {
    for (const p of [...presigned.values()]) fillPresigned(p);
  };

  /**
   * One aggregate check started in the pool (a chunk of one set) and read later: the worker's
   * verdict, or this thread's if no worker has taken it by then. Input the pool cannot take (no
   * key, an invalid one, keys that cancel) is `inner.verifyAggregate`'s, checked when read.
   */
  const startVerifyAggregate = (pubkeys: readonly Uint8Array[], msg: Uint8Array, aggSig: Uint8Array): (() => boolean) => {
    const p = presigned.get(aggSig);
    if (p !== undefined) {
      const e = pubkeys.length === 0 ? null : aggregateOf(pubkeys);
      if (e !== null) e.bytes ??= e.pk.toBytes(true);
      // The signers' keys and the message it was signed for: the job's check is this check.
      if (e?.bytes !== undefined && bytesEqual(e.bytes, p.pk) && bytesEqual(msg, p.msg)) {
        let read: boolean | undefined;
        return () => (read ??= fillPresigned(p) ?? inner.verifyAggregate(pubkeys, msg, aggSig));
      }
    }
    fillAllPresigned();
    const keyed = pubkeys.length === 0 ? "invalid" : keySets([{ pubkeys, msg, signature: aggSig }]);
    let verdict: boolean | undefined;
    if (typeof keyed === "string") return () => (verdict ??= inner.verifyAggregate(pubkeys, msg, aggSig));
    const c = postChunk(keyed);
    return () => (verdict ??= verdictOf(c));
  };

  const sign = options.sign;
  const attestationSigner: SignatureVerifier | undefined = sign && {
    ...inner,
    signAggregate(keys, msg) {
      fillAllPresigned();
      const sk = inner.active && msg.length === 32 ? computeSummedSecretKey(keys) : null;
      const keyed = sk === null ? "invalid" : keySets([{ pubkeys: keys.map((k) => k.pubkey), msg, signature: new Uint8Array(0) }]);
      if (typeof keyed === "string") return inner.signAggregate(keys, msg);
      const pk = (keyed[0] as AggregatedKeySet).pubkey;
      const job = createBlsSignJob(1, true);
      job.sks.set(sk as Uint8Array);
      job.msgs.set(msg);
      job.pks?.set(pk);
      const into = new Uint8Array(SIGNATURE_BYTES);
      presigned.set(into, { job, sk: sk as Uint8Array, msg: Uint8Array.from(msg), pk, into });
      sign(job);
      return into;
    },
  };

  return { ...inner, verifyAggregateSets, checkAhead, startVerifyAggregate, ...(attestationSigner && { attestationSigner }) };
}

/** An attestation's signature started in the pool (`SharedBatchVerifier.attestationSigner`), its array not filled yet. */
interface Presigned {
  readonly job: BlsSignJob;
  readonly sk: Uint8Array;
  readonly msg: Uint8Array;
  /** The signers' aggregate key (compressed), which the job checks the signature against. */
  readonly pk: Uint8Array;
  readonly into: Uint8Array;
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
  const sign = offload.sign;
  // With a pool that signs: the blocks' attestations are signed and checked there (attestationSigner).
  const verifier = createSharedBatchVerifier(bls, (cells, cell, sets) => offload.post(cells, cell, sets), sign ? { sign: (job) => sign(job) } : {});
  // The batches the pool has signed are checked there while the next committees execute (verifier.checkAhead).
  return sign ? { verifier, roundSigner: createDeferredSigner(bls, (job) => sign(job), TAKEN_WAIT_MS, verifier.checkAhead) } : { verifier };
}
