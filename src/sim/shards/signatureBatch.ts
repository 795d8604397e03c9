/**
 * Batched verification of committee signatures for the simulator's drivers (receipts, sync,
 * lock2pc): the drivers pass the specs a verifier whose `verifyAggregate` records the check and
 * answers true, and verify every recorded check at the end of the slot (`flush`) as one batch
 * (`verifyMultipleAggregateSignatures`: one random linear combination, one final exponentiation
 * for the whole batch instead of one pairing check per attestation — about 40 % less CPU per
 * attestation). Exactly the checks the specs ask for are made, with the messages and keys the
 * specs compute; only their time moves to the end of the slot.
 *
 * Why results cannot change: the drivers' committees sign honestly (`signAggregate` with the
 * members' own keys), so every recorded check holds; were one not to hold, the spec would have
 * thrown (a block with a bad attestation aborts the run, the drivers catch nothing), and `flush`
 * throws too — a typed `BAD_SIGNATURE` error naming the first bad check in the order they were
 * made — so a run either ends with the same results or fails as before. A batch that fails is
 * re-checked one by one with the inner verifier (a false batch never passes a bad signature).
 *
 * Not for code that expects `verifyAggregate` to answer false (fault injection, a node receiving
 * blocks from others): the specs' own verifier stays the default everywhere else.
 *
 * On several threads (a run's worker pool, `attachBatchOffload` on the workload by
 * src/runnerThreads.ts): `flush` hands the slot's batch to a worker and returns, the run goes on,
 * and `settle` (before the results are built) waits for every verdict — checking itself any batch
 * no worker has taken yet. A bad batch is found at a later flush or at `settle` instead of at its
 * own slot's end: the run fails with the same error, and a run that does not fail has the same
 * results, since no verdict is read by the run.
 */
import { aggregatePublicKeys, verifyMultipleAggregateSignatures, type PublicKey, type SignatureSet } from "@chainsafe/blst";
import { computeSummedSecretKey, parsePublicKey, parseSignature, signWithSecretKey, type AggregatedKeySet, type SignatureVerifier, type ValidatorKey } from "../../crypto/bls.js";
import { BLS_CLAIMED, BLS_INVALID, BLS_PENDING, BLS_SIGNED, BLS_TAKEN, BLS_VALID, createBlsSignJob, type BlsSignJob } from "../../crypto/ed25519Pool.js";
import { toHex } from "../../crypto/hash.js";
import { createKeyListMemo, isSameKeyList } from "../../crypto/keyListMemo.js";
import { XshardError } from "../../errors.js";

interface PendingCheck {
  readonly pubkeys: readonly Uint8Array[];
  readonly msg: Uint8Array;
  readonly sig: Uint8Array;
}

/** Cells per shared-memory page of verdicts. */
const CELLS_PER_PAGE = 256;
/** How long a thread waits for work a worker has taken before doing it itself (a worker that died). */
export const TAKEN_WAIT_MS = 60_000;

/** Hands out verdict cells (`BLS_*`, pending) in shared memory, a page at a time. */
export function createCellAllocator(): () => { readonly cells: Int32Array; readonly cell: number } {
  let page: Int32Array = new Int32Array(0);
  let next = 0;
  return () => {
    if (next >= page.length) {
      page = new Int32Array(new SharedArrayBuffer(CELLS_PER_PAGE * Int32Array.BYTES_PER_ELEMENT));
      next = 0;
    }
    return { cells: page, cell: next++ };
  };
}

/** The aggregate public key of a signer list (committees sign with the same members slot after slot). */
export interface AggregateEntry {
  readonly pk: PublicKey;
  /** Its compressed bytes, made when a batch first goes to a worker. */
  bytes?: Uint8Array;
}

/**
 * The aggregate of a non-empty key list, memoised by the key objects (`createKeyListMemo`: callers
 * pass the validators' own key arrays, which never change), or null when one is not a valid key.
 */
export function createAggregateCache(): (pubkeys: readonly Uint8Array[]) => AggregateEntry | null {
  return createKeyListMemo((pubkeys: readonly Uint8Array[]): AggregateEntry | null => {
    const pks: PublicKey[] = [];
    for (const bytes of pubkeys) {
      const pk = parsePublicKey(bytes);
      if (pk === null) return null;
      pks.push(pk);
    }
    return { pk: aggregatePublicKeys(pks) };
  });
}

/** Summed secret keys (32 bytes) and 32-byte messages to sign. */
export type SignTodo = readonly { readonly sk: Uint8Array; readonly msg: Uint8Array }[];

/** Hands `todo` to the workers through `sign` as one job and returns it at once (`finishSharedJob` collects the signatures). */
export function startSharedJob(sign: (job: BlsSignJob) => void, todo: SignTodo): BlsSignJob {
  const job = createBlsSignJob(todo.length);
  todo.forEach((t, i) => {
    job.sks.set(t.sk, i * 32);
    job.msgs.set(t.msg, i * 32);
  });
  sign(job);
  return job;
}

/**
 * The signatures of a started job, in order: this thread signs the entries no worker has taken,
 * from the last (the workers go up from the first), then waits for those a worker took; one a
 * worker took and never signed (it died) is signed here after `takenWaitMs`.
 */
export function finishSharedJob(job: BlsSignJob, todo: SignTodo, takenWaitMs = TAKEN_WAIT_MS): Uint8Array[] {
  const out = new Array<Uint8Array>(todo.length);
  for (let i = todo.length - 1; i >= 0; i--) {
    if (Atomics.compareExchange(job.cells, i, BLS_PENDING, BLS_CLAIMED) !== BLS_PENDING) continue;
    const t = todo[i] as { sk: Uint8Array; msg: Uint8Array };
    out[i] = signWithSecretKey(t.sk, t.msg);
  }
  todo.forEach((t, i) => {
    if (out[i] !== undefined) return;
    while (Atomics.load(job.cells, i) === BLS_TAKEN) {
      if (Atomics.wait(job.cells, i, BLS_TAKEN, takenWaitMs) === "timed-out" && Atomics.load(job.cells, i) === BLS_TAKEN) break;
    }
    out[i] = Atomics.load(job.cells, i) === BLS_SIGNED ? job.sigs.slice(i * 96, i * 96 + 96) : signWithSecretKey(t.sk, t.msg);
  });
  return out;
}

/** Signs `todo` on this thread and the workers at once (`startSharedJob`, then `finishSharedJob`); the signatures, in order. */
export function signSharedJob(sign: (job: BlsSignJob) => void, todo: SignTodo, takenWaitMs = TAKEN_WAIT_MS): Uint8Array[] {
  return finishSharedJob(startSharedJob(sign, todo), todo, takenWaitMs);
}

/**
 * Where a batch may be verified while the run goes on (a run's worker pool): `post` hands the sets
 * over and returns; the verdict lands in `cells[cell]` (`BLS_*` of src/crypto/ed25519Pool.ts).
 */
export interface BatchOffload {
  post(cells: Int32Array, cell: number, sets: readonly AggregatedKeySet[]): void;
  /** Hands a signing job to the workers (they take its entries from the first; see `BlsSignJob`). */
  sign?(job: BlsSignJob): void;
}

/** One aggregate signature a committee is about to make (`SignatureVerifier.signAggregate`'s arguments). */
export interface PresignRequest {
  readonly keys: readonly ValidatorKey[];
  readonly msg: Uint8Array;
}

const offloads = new WeakMap<object, BatchOffload>();

/** The workload's submissions list, which a copy of the workload object shares (`handOverSubmissions`). */
function submissionsOf(workload: object): object | undefined {
  const subs = (workload as { readonly submissions?: unknown }).submissions;
  return typeof subs === "object" && subs !== null ? subs : undefined;
}

/**
 * Lets the runs of `workload` verify their committee signature batches through `offload` (kept per
 * workload object and its submissions list — a run that takes the submissions over,
 * `handOverSubmissions`, runs a copy of the object that shares the list — as the beacon's signature
 * verdicts are per transaction object: no run-wide switch). Returns the detach function.
 */
export function attachBatchOffload(workload: object, offload: BatchOffload): () => void {
  const keys = [workload, submissionsOf(workload)].filter((k): k is object => k !== undefined);
  for (const k of keys) offloads.set(k, offload);
  return () => {
    for (const k of keys) if (offloads.get(k) === offload) offloads.delete(k);
  };
}

/** The offload attached to `workload` or to its submissions list, if any. */
export function getBatchOffload(workload: object): BatchOffload | undefined {
  const subs = submissionsOf(workload);
  return offloads.get(workload) ?? (subs === undefined ? undefined : offloads.get(subs));
}

/** A batch handed to a worker, kept until its verdict is known. */
interface PostedBatch {
  readonly checks: readonly PendingCheck[];
  readonly cells: Int32Array;
  readonly cell: number;
}


export interface SignatureBatch {
  /** The verifier to hand the specs (signing is the inner verifier's; checks are recorded). */
  readonly verifier: SignatureVerifier;
  /** Verifies every check recorded since the last flush; throws BAD_SIGNATURE if one fails. Returns how many were checked. */
  flush(): number;
  /**
   * Waits for every batch handed to a worker and checks those none has taken (with no offload:
   * nothing to do); throws BAD_SIGNATURE as `flush` does. Call after the last flush.
   */
  settle(): void;
  /**
   * Makes now, shared between this thread and the run's workers, the aggregate signatures the
   * verifier's `signAggregate` is about to be asked for (the same bytes: BLS signing is
   * deterministic); a later `signAggregate` with the same keys (the same objects) and message returns
   * one. Without an offload with `sign`, or for fewer than 2, nothing is done. Kept until the next flush.
   */
  presign(requests: readonly PresignRequest[]): void;
  /** Checks recorded and not yet verified. */
  readonly pending: number;
}

/**
 * A batch over `inner`. With an inactive inner verifier (signatures off) the checks are the inner
 * ones, made at once (nothing cryptographic to batch). With `offload`, each flushed batch is
 * verified there while the run goes on (see the module comment).
 */
export function createSignatureBatch(inner: SignatureVerifier, offload?: BatchOffload): SignatureBatch {
  if (!inner.active) return { verifier: inner, flush: () => 0, settle: () => {}, presign: () => {}, pending: 0 };
  let pending: PendingCheck[] = [];
  const aggregateOf = createAggregateCache();

  /** The whole batch holds (false when any check is malformed or fails). */
  const verifyBatch = (checks: readonly PendingCheck[]): boolean => {
    const sets: SignatureSet[] = [];
    for (const c of checks) {
      if (c.pubkeys.length === 0) return false;
      const pk = aggregateOf(c.pubkeys)?.pk;
      if (pk === undefined) return false;
      const sig = parseSignature(c.sig);
      if (sig === null) return false;
      sets.push({ msg: c.msg, pk, sig });
    }
    try {
      return verifyMultipleAggregateSignatures(sets);
    } catch {
      return false;
    }
  };

  // Signatures made ahead (`presign`), by message (hex), each with the keys it was made under.
  let presigned = new Map<string, { keys: readonly ValidatorKey[]; sig: Uint8Array }[]>();

  const takePresigned = (keys: readonly ValidatorKey[], msg: Uint8Array): Uint8Array | undefined => {
    const id = toHex(msg);
    const list = presigned.get(id);
    const i = list?.findIndex((e) => isSameKeyList(e.keys, keys)) ?? -1;
    if (!list || i < 0) return undefined;
    const [e] = list.splice(i, 1);
    if (list.length === 0) presigned.delete(id);
    return (e as { sig: Uint8Array }).sig;
  };

  const presign = (requests: readonly PresignRequest[]): void => {
    const sign = offload?.sign;
    if (!sign) return;
    const todo: { keys: readonly ValidatorKey[]; msg: Uint8Array; sk: Uint8Array }[] = [];
    for (const r of requests) {
      const sk = r.keys.length > 0 && r.msg.length === 32 ? computeSummedSecretKey(r.keys) : null;
      if (sk !== null) todo.push({ keys: [...r.keys], msg: r.msg, sk });
    }
    if (todo.length < 2) return;
    const sigs = signSharedJob(sign, todo);
    todo.forEach((t, i) => {
      const id = toHex(t.msg);
      (presigned.get(id) ?? presigned.set(id, []).get(id))?.push({ keys: t.keys, sig: sigs[i] as Uint8Array });
    });
  };

  const verifier: SignatureVerifier = {
    active: true,
    sign: (key, msg) => inner.sign(key, msg),
    aggregate: (sigs) => inner.aggregate(sigs),
    signAggregate: (keys, msg) => (presigned.size > 0 ? takePresigned(keys, msg) : undefined) ?? inner.signAggregate(keys, msg),
    verifyAggregate(pubkeys, msg, aggSig) {
      // Copies: a caller may reuse its buffers after the call (the keys are the validators' own objects).
      pending.push({ pubkeys: [...pubkeys], msg: Uint8Array.from(msg), sig: Uint8Array.from(aggSig) });
      return true;
    },
  };

  /** Throws BAD_SIGNATURE naming the first check of `checks` that does not hold (a failed batch's checks one by one); returns if none. */
  const failBatch = (checks: readonly PendingCheck[]): void => {
    const bad = checks.findIndex((c) => !inner.verifyAggregate(c.pubkeys, c.msg, c.sig));
    if (bad < 0) return; // the batch's failure was a malformed input the single checks accept: none
    throw new XshardError("BAD_SIGNATURE", `committee signature check ${bad + 1} of ${checks.length} in this slot's batch does not hold`, { index: bad, checks: checks.length });
  };

  const verifyHere = (checks: readonly PendingCheck[]): void => {
    if (!verifyBatch(checks)) failBatch(checks);
  };

  // Batches handed to workers, oldest first, and the shared cells their verdicts land in.
  const posted: PostedBatch[] = [];
  const nextCell = createCellAllocator();

  /** The sets of a batch for a worker, or undefined when one is malformed here (then it is checked here). */
  const toSets = (checks: readonly PendingCheck[]): AggregatedKeySet[] | undefined => {
    const sets: AggregatedKeySet[] = [];
    for (const c of checks) {
      if (c.pubkeys.length === 0) return undefined;
      const e = aggregateOf(c.pubkeys);
      if (e === null) return undefined;
      e.bytes ??= e.pk.toBytes(true);
      sets.push({ pubkey: e.bytes, msg: c.msg, signature: c.sig });
    }
    return sets;
  };

  /** The verdict of a posted batch, once known: waits for a worker that has taken it, checks it here if none has. */
  const settleOne = (b: PostedBatch, wait: boolean): boolean => {
    for (;;) {
      const state = Atomics.load(b.cells, b.cell);
      if (state === BLS_VALID) return true;
      if (state === BLS_INVALID) {
        failBatch(b.checks);
        return true;
      }
      if (!wait) return false;
      if (state === BLS_PENDING) {
        if (Atomics.compareExchange(b.cells, b.cell, BLS_PENDING, BLS_CLAIMED) === BLS_PENDING) {
          verifyHere(b.checks);
          return true;
        }
      } else if (state === BLS_TAKEN) {
        if (Atomics.wait(b.cells, b.cell, BLS_TAKEN, TAKEN_WAIT_MS) === "timed-out" && Atomics.load(b.cells, b.cell) === BLS_TAKEN) {
          verifyHere(b.checks); // the worker that took it did not answer: it died
          return true;
        }
      } else return true; // claimed here already
    }
  };

  /** Drops the posted batches at the front whose verdicts are in (throwing on a bad one). */
  const reap = (): void => {
    while (posted.length > 0 && settleOne(posted[0] as PostedBatch, false)) posted.shift();
  };

  return {
    verifier,
    get pending() {
      return pending.length;
    },
    presign,
    flush(): number {
      const checks = pending;
      pending = [];
      if (presigned.size > 0) presigned = new Map();
      if (offload) reap();
      if (checks.length === 0) return 0;
      const sets = offload ? toSets(checks) : undefined;
      if (offload && sets) {
        const b: PostedBatch = { checks, ...nextCell() };
        posted.push(b);
        offload.post(b.cells, b.cell, sets);
        return checks.length;
      }
      verifyHere(checks);
      return checks.length;
    },
    settle(): void {
      while (posted.length > 0) {
        settleOne(posted[0] as PostedBatch, true);
        posted.shift();
      }
    },
  };
}
