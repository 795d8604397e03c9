/**
 * A signature worker thread (`Ed25519Pool`): signs and verifies batches of Ed25519 messages given
 * as flat byte arrays, and checks batches of BLS aggregate signatures (`verifyAggregatedKeySets`)
 * onto shared cells. Pure functions of the bytes.
 */
import { parentPort } from "node:worker_threads";
import { signRaw, verifyRaw } from "./ed25519Raw.js";
import { BLS_INVALID, BLS_PENDING, BLS_SIGNED, BLS_TAKEN, BLS_VALID, type BlsSignJob, BOARD_INVALID, BOARD_PENDING, BOARD_THREW, BOARD_VALID, type PoolRequest, type PoolResponse, type VerdictBoard } from "./ed25519Pool.js";
import { signWithSecretKey, verifyAggregatedKeySets, type AggregatedKeySet } from "./bls.js";

/** Signatures (64 bytes each) of `msgs` (32 bytes each) under `secretKeys` (64 bytes each, `expandSeed`'s). */
export function signBatch(secretKeys: Uint8Array, msgs: Uint8Array): Uint8Array {
  const n = msgs.length / 32;
  const out = new Uint8Array(n * 64);
  for (let i = 0; i < n; i++) signRaw(secretKeys.subarray(i * 64, i * 64 + 64), msgs.subarray(i * 32, i * 32 + 32), out.subarray(i * 64, i * 64 + 64));
  return out;
}

/** Verdicts: 1 valid, 0 invalid, 2 the check threw (the caller decides as it would without the pool). */
export function verifyBatch(pubkeys: Uint8Array, msgs: Uint8Array, sigs: Uint8Array): Uint8Array {
  const n = msgs.length / 32;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    try {
      out[i] = verifyRaw(pubkeys.subarray(i * 32, i * 32 + 32), msgs.subarray(i * 32, i * 32 + 32), sigs.subarray(i * 64, i * 64 + 64)) ? 1 : 0;
    } catch {
      out[i] = 2;
    }
  }
  return out;
}

/** Verifies board entries `from`..`to` that no thread has decided yet; each verdict is stored atomically. */
export function verifyBoardRange(b: VerdictBoard, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    if (Atomics.load(b.verdicts, i) !== BOARD_PENDING) continue;
    let v: number;
    try {
      v = verifyRaw(b.pubkeys.subarray(i * 32, i * 32 + 32), b.msgs.subarray(i * 32, i * 32 + 32), b.sigs.subarray(i * 64, i * 64 + 64)) ? BOARD_VALID : BOARD_INVALID;
    } catch {
      v = BOARD_THREW;
    }
    Atomics.store(b.verdicts, i, v);
  }
}

/** Checks a BLS batch unless the poster has claimed it; stores the verdict in its cell and wakes a waiter. */
export function verifyBlsCell(cells: Int32Array, cell: number, sets: readonly AggregatedKeySet[]): void {
  if (Atomics.compareExchange(cells, cell, BLS_PENDING, BLS_TAKEN) !== BLS_PENDING) return;
  let ok = false;
  try {
    ok = verifyAggregatedKeySets(sets);
  } catch {
    ok = false;
  }
  Atomics.store(cells, cell, ok ? BLS_VALID : BLS_INVALID);
  Atomics.notify(cells, cell);
}

/**
 * Signs the job's entries still pending, from the first, each claimed before it is signed; with
 * public keys (`BlsSignJob.pks`), checks each signature against its key and stores the verdict.
 */
export function signBlsJob(job: BlsSignJob): void {
  const n = Math.floor(job.msgs.length / 32);
  for (let i = 0; i < n; i++) {
    if (Atomics.compareExchange(job.cells, i, BLS_PENDING, BLS_TAKEN) !== BLS_PENDING) continue;
    const msg = job.msgs.subarray(i * 32, i * 32 + 32);
    const sig = signWithSecretKey(job.sks.subarray(i * 32, i * 32 + 32), msg);
    job.sigs.set(sig, i * 96);
    let state = BLS_SIGNED;
    if (job.pks !== undefined) {
      let ok = false;
      try {
        ok = verifyAggregatedKeySets([{ pubkey: job.pks.slice(i * 48, i * 48 + 48), msg: msg.slice(), signature: sig }]);
      } catch {
        ok = false;
      }
      state = ok ? BLS_VALID : BLS_INVALID;
    }
    Atomics.store(job.cells, i, state);
    Atomics.notify(job.cells, i);
  }
}

function handle(m: PoolRequest): Uint8Array {
  if (m.op === "sign") return signBatch(m.secretKeys, m.msgs);
  if (m.op === "verify") return verifyBatch(m.pubkeys, m.msgs, m.sigs);
  if (m.op === "bls-sign") {
    signBlsJob(m.job);
    return new Uint8Array(0);
  }
  if (m.op === "bls") {
    verifyBlsCell(m.cells, m.cell, m.sets);
    return new Uint8Array(0);
  }
  verifyBoardRange(m.board, m.from, m.to);
  return new Uint8Array(0);
}

/**
 * Board ranges wait in a background queue and are verified `BOARD_SLICE` entries a turn of the event
 * loop, so that a message posted after them (a BLS batch to check or sign, which the simulation
 * waits on) is taken within one slice (≈ 2 ms) rather than behind the whole board (a run posts every
 * range when it starts: ≈ 1,000 of 1,024 entries at 1M) or behind a whole range (≈ 50 ms).
 */
const BOARD_SLICE = 32;
const background: { readonly m: PoolRequest & { readonly op: "board" }; at: number }[] = [];
let backgroundScheduled = false;

function runBackground(): void {
  backgroundScheduled = false;
  const head = background[0];
  if (head === undefined) return;
  const end = Math.min(head.m.to, head.at + BOARD_SLICE);
  verifyBoardRange(head.m.board, head.at, end);
  head.at = end;
  if (end >= head.m.to) {
    background.shift();
    reply(head.m.id, new Uint8Array(0));
  }
  if (background.length > 0) scheduleBackground();
}

function scheduleBackground(): void {
  if (backgroundScheduled) return;
  backgroundScheduled = true;
  setImmediate(runBackground);
}

function reply(id: number, out: Uint8Array): void {
  const r: PoolResponse = { id, out };
  parentPort?.postMessage(r, [out.buffer as ArrayBuffer]);
}

function respond(m: PoolRequest): void {
  reply(m.id, handle(m));
}

parentPort?.on("message", (m: PoolRequest) => {
  if (m.op !== "board") return respond(m);
  background.push({ m, at: m.from });
  scheduleBackground();
});
