/**
 * Beacon accounts and the Stage-1 validity rule shared by every protocol: a transaction is valid if
 * its signature and nonce are right and its fee fits the sender's balance as it stands before the
 * block, less the fees of earlier transactions in the same block (DESIGN §2, Stage 1). No contract
 * code runs here.
 */
import { addressOfPubkey } from "../crypto/ed25519.js";
import { bytesEqual, toHex } from "../crypto/hash.js";
import { isXshardError } from "../errors.js";
import { encodeSignedTx, verifySignedTx, type SignedTx } from "../program/index.js";
import { isFeeCapSufficient } from "./fees.js";

export interface BeaconState {
  /** hex address → balance. Users and validators alike. */
  readonly balances: Map<string, bigint>;
  /** hex address → next nonce. */
  readonly nonces: Map<string, bigint>;
}

export type RejectReason = "bad signature" | "sender mismatch" | "nonce too low" | "insufficient balance for fee" | "unknown sender";

/** Why a block rule refuses a transaction for good: a Stage-1 reason, or it can never fit a block. */
export type BlockRejectReason = RejectReason | "gas limit above the block gas limit" | "larger than a block";

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

/**
 * Signature verdicts other threads are computing while the run goes on (a run's worker pool,
 * src/runnerThreads.ts): an attached transaction's entry `i` of a shared `verdicts` board, read
 * with `Atomics.load` — 1 valid, 2 invalid, anything else not known (then checked here, as without
 * a board). Kept per transaction object, like the memo above, so that there is no run-wide switch:
 * what one run attaches cannot reach another run's transactions. Each attached board has its own
 * index (transaction → entry, a small integer: no object per transaction); detaching drops the
 * board and its index. Boards are few (one a run), so a lookup tries each.
 */
interface AttachedBoard {
  readonly verdicts: Uint8Array;
  readonly index: WeakMap<SignedTx, number>;
}
let attachedBoards: readonly AttachedBoard[] = [];

/**
 * Attaches a board of verdicts being computed elsewhere for `txs` (entry i for `txs[i]`). Only
 * transactions whose sender is `sha256(pubkey)` and whose lengths are right may be attached: the
 * verdict of entry i is the Ed25519 check of its signature over `computeTxSigningMessage(tx)`, a
 * pure function of the bytes, so whichever thread decides, the reason is the one found here.
 * Returns the detach function (verdicts already read stay memoised).
 */
export function attachSignatureVerdicts(txs: readonly SignedTx[], verdicts: Uint8Array): () => void {
  const board: AttachedBoard = { verdicts, index: new WeakMap() };
  txs.forEach((stx, i) => board.index.set(stx, i));
  attachedBoards = [...attachedBoards, board];
  // Detaching forgets the board (holding the list would keep every transaction alive for the run).
  return () => void (attachedBoards = attachedBoards.filter((b) => b !== board));
}

function readAttachedVerdict(stx: SignedTx): RejectReason | null | undefined {
  for (const board of attachedBoards) {
    const i = board.index.get(stx);
    if (i === undefined) continue;
    const v = Atomics.load(board.verdicts, i);
    if (v !== 1 && v !== 2) return undefined;
    // The verdict is memoised by the caller: the entry is not read again.
    board.index.delete(stx);
    // The sender rule comes first in `verifySignedTx`: a board never overrides it.
    if (!bytesEqual(stx.tx.sender, addressOfPubkey(stx.pubkey))) return undefined;
    return v === 1 ? null : "bad signature";
  }
  return undefined;
}

/** Signature check, memoised per transaction object (a deferred transaction is not verified twice). */
export function getSignatureProblem(stx: SignedTx): RejectReason | null {
  let r = signatureChecks.get(stx);
  if (r === undefined) {
    r = readAttachedVerdict(stx);
    if (r !== undefined) signatureChecks.set(stx, r);
  }
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
  const sender = toHex(stx.tx.sender);
  return checkStage1TxOf(s.balances, s.nonces.get(sender), stx, spentInBlock, fee, sender);
}

/** `checkStage1Tx` with the sender's hex address and its next nonce (undefined: 0) already looked up. */
function checkStage1TxOf(balances: ReadonlyMap<string, bigint>, senderNonce: bigint | undefined, stx: SignedTx, spentInBlock: bigint, fee: bigint, sender: string): Stage1Check {
  const sig = getSignatureProblem(stx);
  if (sig) return { ok: false, reason: sig };
  const balance = balances.get(sender);
  if (balance === undefined) return { ok: false, reason: "unknown sender" };
  const nonce = senderNonce ?? 0n;
  if (stx.tx.nonce < nonce) return { ok: false, reason: "nonce too low" };
  if (stx.tx.nonce > nonce) return { ok: "later" };
  if (fee > balance - spentInBlock) return { ok: false, reason: "insufficient balance for fee" };
  return { ok: true, fee };
}

/**
 * What one block may hold (the two-stage chain's Stage 1): at most `txs` transactions, `bytes`
 * bytes of encoded signed transactions and `gas` of declared gas (the sum of their gas limits —
 * nothing runs at Stage 1, so declared gas is what a block commits the chain to execute); a
 * transaction enters only if its fee cap covers the block's `baseFee` (EIP-1559, `fees.ts`).
 */
export interface Stage1Limits {
  readonly txs: number;
  readonly bytes: number;
  readonly gas: bigint;
  readonly baseFee: bigint;
}

/** Count-only limits (no byte or gas bound, base fee 1): what a block without a fee market allows. */
export function createCountLimits(txs: number): Stage1Limits {
  return { txs, bytes: Number.MAX_SAFE_INTEGER, gas: 1n << 255n, baseFee: 1n };
}

const encodedSizes = new WeakMap<SignedTx, number>();
/** Encodings made for a size and not yet taken for a log (`takeSignedTxEncoding`). */
const pendingEncodings = new WeakMap<SignedTx, Uint8Array>();

/**
 * Bytes a transaction takes in a block: the length of its canonical encoding (memoised per
 * transaction object). The encoding is kept until `takeSignedTxEncoding` takes it: a sequenced
 * transaction's log stores that encoding, so it is validated and encoded once.
 */
export function getEncodedSize(stx: SignedTx): number {
  let n = encodedSizes.get(stx);
  if (n === undefined) {
    const bytes = encodeSignedTx(stx);
    n = bytes.length;
    encodedSizes.set(stx, n);
    pendingEncodings.set(stx, bytes);
  }
  return n;
}

/**
 * `encodeSignedTx(stx)` (canonical, so the same bytes whenever made), taken from what
 * `getEncodedSize` made if it is still there — then forgotten, the caller owns the array.
 */
export function takeSignedTxEncoding(stx: SignedTx): Uint8Array {
  const bytes = pendingEncodings.get(stx);
  if (bytes === undefined) return encodeSignedTx(stx);
  pendingEncodings.delete(stx);
  return bytes;
}

/**
 * Whether a transaction can ever enter a block: its gas limit within the block's gas limit and its
 * encoding within the block's bytes (otherwise it would wait forever and hold back its sender's
 * later nonces — the rule `tx.gasLimit <= block.gasLimit` of Ethereum).
 */
export function checkStage1Size(stx: SignedTx, limits: Stage1Limits): BlockRejectReason | undefined {
  if (stx.tx.gasLimit > limits.gas) return "gas limit above the block gas limit";
  if (limits.bytes < Number.MAX_SAFE_INTEGER && getEncodedSize(stx) > limits.bytes) return "larger than a block";
  return undefined;
}

export interface Stage1BlockResult<R extends string = BlockRejectReason> {
  readonly state: BeaconState;
  readonly included: SignedTx[];
  readonly rejected: { tx: SignedTx; reason: R }[];
  /** Candidates left in the mempool (future nonces, no room left in the block, fee cap below the base fee). */
  readonly deferred: SignedTx[];
  /** Of `deferred`, those whose fee cap is below the block's base fee (they wait for it to fall). */
  readonly belowBaseFee: SignedTx[];
  readonly fees: bigint;
  /** Declared gas (sum of gas limits) and encoded bytes of the included transactions. */
  readonly gas: bigint;
  readonly bytes: number;
}

/** A Stage-1 block's choice of transactions without its new state, and what applying it takes. */
export type Stage1Selection = Omit<Stage1BlockResult, "state">;
interface Stage1Scan extends Stage1Selection {
  /** Fees debited and next nonce, by sender (hex), for the included transactions. */
  readonly spent: ReadonlyMap<string, bigint>;
  readonly nextNonce: ReadonlyMap<string, bigint>;
}

/**
 * Builds and applies a Stage-1 block: takes candidates in arrival order, skipping those that do not
 * fit the room left (`limits`: count, bytes, declared gas) or whose fee cap is below the base fee
 * (they stay in the mempool), debits fees from the pre-block balances (less the block's earlier
 * fees), credits them to the proposer, bumps nonces. A transaction that can never fit a block is
 * rejected. `blockLimits` as a number: a count limit only (no fee market). Returns a new state; the
 * input state is not changed.
 */
export function processStage1Block(pre: BeaconState, candidates: readonly SignedTx[], proposer: string, limit: number): Stage1BlockResult<RejectReason>;
export function processStage1Block(pre: BeaconState, candidates: readonly SignedTx[], proposer: string, limits: Stage1Limits): Stage1BlockResult;
export function processStage1Block(pre: BeaconState, candidates: readonly SignedTx[], proposer: string, blockLimits: Stage1Limits | number): Stage1BlockResult {
  const r = scanStage1Block(pre, candidates, blockLimits);
  const state = cloneBeaconState(pre);
  for (const [a, f] of r.spent) state.balances.set(a, (state.balances.get(a) as bigint) - f);
  for (const [a, n] of r.nextNonce) state.nonces.set(a, n);
  state.balances.set(proposer, (state.balances.get(proposer) ?? 0n) + r.fees);
  return { state, included: r.included, rejected: r.rejected, deferred: r.deferred, belowBaseFee: r.belowBaseFee, fees: r.fees, gas: r.gas, bytes: r.bytes };
}

/**
 * What `processStage1Block` includes, rejects and defers, without the new state (a proposer
 * choosing its block's transactions needs no copy of every balance): the same choice.
 */
export function selectStage1Block(pre: BeaconState, candidates: readonly SignedTx[], limits: Stage1Limits): Stage1Selection {
  const r = scanStage1Block(pre, candidates, limits);
  return { included: r.included, rejected: r.rejected, deferred: r.deferred, belowBaseFee: r.belowBaseFee, fees: r.fees, gas: r.gas, bytes: r.bytes };
}

function scanStage1Block(pre: BeaconState, candidates: readonly SignedTx[], blockLimits: Stage1Limits | number): Stage1Scan {
  const limits = typeof blockLimits === "number" ? createCountLimits(blockLimits) : blockLimits;
  const spent = new Map<string, bigint>();
  const nextNonce = new Map<string, bigint>();
  const included: SignedTx[] = [];
  const rejected: { tx: SignedTx; reason: BlockRejectReason }[] = [];
  const deferred: SignedTx[] = [];
  const belowBaseFee: SignedTx[] = [];
  let fees = 0n;
  let gas = 0n;
  let bytes = 0;
  for (const stx of candidates) {
    if (included.length >= limits.txs) {
      deferred.push(stx);
      continue;
    }
    const tooLarge = checkStage1Size(stx, limits);
    if (tooLarge) {
      rejected.push({ tx: stx, reason: tooLarge });
      continue;
    }
    const size = limits.bytes < Number.MAX_SAFE_INTEGER ? getEncodedSize(stx) : 0;
    if (gas + stx.tx.gasLimit > limits.gas || bytes + size > limits.bytes) {
      deferred.push(stx);
      continue;
    }
    const sender = toHex(stx.tx.sender);
    // Within a block, a sender's nonce advances with each included transaction.
    const c = checkStage1TxOf(pre.balances, nextNonce.get(sender) ?? pre.nonces.get(sender), stx, spent.get(sender) ?? 0n, computeStage1Fee(stx), sender);
    if (c.ok === true && !isFeeCapSufficient(stx.tx.maxFeePerGas, limits.baseFee)) {
      deferred.push(stx);
      belowBaseFee.push(stx);
    } else if (c.ok === true) {
      included.push(stx);
      spent.set(sender, (spent.get(sender) ?? 0n) + c.fee);
      nextNonce.set(sender, stx.tx.nonce + 1n);
      fees += c.fee;
      gas += stx.tx.gasLimit;
      bytes += size;
    } else if (c.ok === "later") deferred.push(stx);
    else rejected.push({ tx: stx, reason: c.reason });
  }
  return { included, rejected, deferred, belowBaseFee, fees, gas, bytes, spent, nextNonce };
}
