/**
 * Beacon accounts and the Stage-1 validity rule shared by every protocol: a transaction is valid if
 * its signature and nonce are right and its fee fits the sender's balance as it stands before the
 * block, less the fees of earlier transactions in the same block (DESIGN §2, Stage 1). No contract
 * code runs here.
 */
import { toHex } from "../crypto/hash.js";
import { isXshardError } from "../errors.js";
import { verifySignedTx, type SignedTx } from "../program/index.js";

export interface BeaconState {
  /** hex address → balance. Users and validators alike. */
  readonly balances: Map<string, bigint>;
  /** hex address → next nonce. */
  readonly nonces: Map<string, bigint>;
}

export type RejectReason = "bad signature" | "sender mismatch" | "nonce too low" | "insufficient balance for fee" | "unknown sender";

export type Stage1Check = { readonly ok: true; readonly fee: bigint } | { readonly ok: false; readonly reason: RejectReason } | { readonly ok: "later" };

export function createBeaconState(accounts: Iterable<[string, bigint]>): BeaconState {
  return { balances: new Map(accounts), nonces: new Map() };
}

export function cloneBeaconState(s: BeaconState): BeaconState {
  return { balances: new Map(s.balances), nonces: new Map(s.nonces) };
}

export function getBeaconTotal(s: BeaconState): bigint {
  let t = 0n;
  for (const v of s.balances.values()) t += v;
  return t;
}

/** The fee offered at Stage 1: the whole budget at the sender's price cap (no refunds: nothing runs at Stage 1). */
export function computeStage1Fee(stx: SignedTx): bigint {
  return stx.tx.gasLimit * stx.tx.maxFeePerGas;
}

const signatureChecks = new WeakMap<SignedTx, RejectReason | null>();

/** Signature check, memoised per transaction object (a deferred transaction is not verified twice). */
export function getSignatureProblem(stx: SignedTx): RejectReason | null {
  let r = signatureChecks.get(stx);
  if (r === undefined) {
    try {
      verifySignedTx(stx);
      r = null;
    } catch (e) {
      if (!isXshardError(e)) throw e;
      r = e.code === "SENDER_MISMATCH" ? "sender mismatch" : "bad signature";
    }
    signatureChecks.set(stx, r);
  }
  return r;
}

/**
 * Checks one transaction against the state before the block, given the fees already taken from
 * the sender by earlier transactions of the same block. `later`: nonce in the future, keep it.
 */
export function checkStage1Tx(s: BeaconState, stx: SignedTx, spentInBlock: bigint, fee = computeStage1Fee(stx)): Stage1Check {
  const sig = getSignatureProblem(stx);
  if (sig) return { ok: false, reason: sig };
  const sender = toHex(stx.tx.sender);
  const balance = s.balances.get(sender);
  if (balance === undefined) return { ok: false, reason: "unknown sender" };
  const nonce = s.nonces.get(sender) ?? 0n;
  if (stx.tx.nonce < nonce) return { ok: false, reason: "nonce too low" };
  if (stx.tx.nonce > nonce) return { ok: "later" };
  if (fee > balance - spentInBlock) return { ok: false, reason: "insufficient balance for fee" };
  return { ok: true, fee };
}

export interface Stage1BlockResult {
  readonly state: BeaconState;
  readonly included: SignedTx[];
  readonly rejected: { tx: SignedTx; reason: RejectReason }[];
  /** Candidates left in the mempool (future nonces, or over the block limit). */
  readonly deferred: SignedTx[];
  readonly fees: bigint;
}

/**
 * Builds and applies a Stage-1 block: takes candidates in order up to `limit`, debits fees from the
 * pre-block balances (less the block's earlier fees), credits them to the proposer, bumps nonces.
 * Returns a new state; the input state is not changed.
 */
export function processStage1Block(pre: BeaconState, candidates: readonly SignedTx[], proposer: string, limit: number): Stage1BlockResult {
  const spent = new Map<string, bigint>();
  const nextNonce = new Map<string, bigint>();
  const included: SignedTx[] = [];
  const rejected: { tx: SignedTx; reason: RejectReason }[] = [];
  const deferred: SignedTx[] = [];
  let fees = 0n;
  for (const stx of candidates) {
    if (included.length >= limit) {
      deferred.push(stx);
      continue;
    }
    const sender = toHex(stx.tx.sender);
    // Within a block, a sender's nonce advances with each included transaction.
    const view: BeaconState = nextNonce.has(sender) ? { balances: pre.balances, nonces: new Map([[sender, nextNonce.get(sender) as bigint]]) } : pre;
    const c = checkStage1Tx(view, stx, spent.get(sender) ?? 0n);
    if (c.ok === true) {
      included.push(stx);
      spent.set(sender, (spent.get(sender) ?? 0n) + c.fee);
      nextNonce.set(sender, stx.tx.nonce + 1n);
      fees += c.fee;
    } else if (c.ok === "later") deferred.push(stx);
    else rejected.push({ tx: stx, reason: c.reason });
  }
  const state = cloneBeaconState(pre);
  for (const [a, f] of spent) state.balances.set(a, (state.balances.get(a) as bigint) - f);
  for (const [a, n] of nextNonce) state.nonces.set(a, n);
  state.balances.set(proposer, (state.balances.get(proposer) ?? 0n) + fees);
  return { state, included, rejected, deferred, fees };
}
