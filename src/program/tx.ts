/**
 * Signing and identifying transactions. The signed message is
 * `sha256("xshard:tx:", hashTreeRoot(Tx))`; the transaction id is `hashTreeRoot(SignedTx)`.
 */
import { addressOfPubkey, ED25519_SIGNATURE_BYTES, ed25519Sign, ed25519Verify, type UserKey } from "../crypto/ed25519.js";
import { bytesEqual, digest64Many, sha256 } from "../crypto/hash.js";
import { assertSignatureFields, toValidatedSszTx } from "./codec.js";
import { txError } from "./errors.js";
import { computeTxRoot, computeTxRoots } from "./ssz.js";
import type { SszTx } from "./ssz.js";
import type { SignedTx, Tx } from "./types.js";

/** The 32-byte message a sender signs. */
export function computeTxSigningMessage(tx: Tx): Uint8Array {
  return sha256("xshard:tx:", getTxRoot(tx));
}

/**
 * 64-byte signatures cut from shared chunks: a view into one ArrayBuffer per 1,024 of them instead
 * of each owning one (an array with its own buffer takes ≈ 400 bytes of memory, a view ≈ 160;
 * docs/benchmarks.md, helper compact). A chunk is freed once no view into it is left. Views never
 * overlap: each is as private as a fresh array, only `.buffer` shows the others.
 */
const SIGNATURES_PER_CHUNK = 1024;
let signatureChunk = new Uint8Array(0);
let signatureAt = 0;

function newSignature(): Uint8Array {
  if (signatureAt === signatureChunk.length) {
    signatureChunk = new Uint8Array(ED25519_SIGNATURE_BYTES * SIGNATURES_PER_CHUNK);
    signatureAt = 0;
  }
  const view = signatureChunk.subarray(signatureAt, signatureAt + ED25519_SIGNATURE_BYTES);
  signatureAt += ED25519_SIGNATURE_BYTES;
  return view;
}

/**
 * Memo of a 32-byte value per (immutable) object, kept as a 32-character one-byte string (≈ 48
 * bytes on the heap, against ≈ 130 for an array and its bytes). `get` writes the value into this
 * memo's scratch array, which the next `get` overwrites: read it at once (`getTxRoot`'s callers hash
 * it straight away; `computeTxId` copies it).
 */
class Memo32<K extends object> {
  private readonly values = new WeakMap<K, string>();
  private readonly scratch = new Uint8Array(32);

  get(key: K): Uint8Array | undefined {
    const s = this.values.get(key);
    if (s === undefined) return undefined;
    const out = this.scratch;
    for (let i = 0; i < 32; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  set(key: K, value: Uint8Array): void {
    this.values.set(key, String.fromCharCode.apply(null, value as unknown as number[]));
  }
}

const txRoots = new Memo32<Tx>();

/**
 * hashTreeRoot(Tx) of a validated transaction (throws as `toValidatedSszTx`). Memoised per
 * (immutable) object, like `computeTxId`: a transaction is hashed when it is signed, verified and
 * identified. Never handed out (callers hash it further).
 */
function getTxRoot(tx: Tx): Uint8Array {
  let root = txRoots.get(tx);
  if (!root) {
    root = computeTxRoot(toValidatedSszTx(tx));
    txRoots.set(tx, root);
  }
  return root;
}

/** Signs `tx` with `key`; throws `SENDER_MISMATCH` unless `tx.sender` is the key's address. */
export function signTx(tx: Tx, key: UserKey): SignedTx {
  assertSenderMatches(tx.sender, key.pubkey);
  const signature = newSignature();
  signature.set(ed25519Sign(key, computeTxSigningMessage(tx)));
  return { tx, pubkey: key.pubkey, signature };
}

/**
 * Signs later: `signer` receives the key, the message and the signature's 64 bytes, zero until it
 * fills them (a worker pool). The transaction must not be used (id, encoding, verification) before
 * then. Throws `SENDER_MISMATCH` like `signTx`.
 */
export function signTxLater(tx: Tx, key: UserKey, signer: LaterSigner): SignedTx {
  assertSenderMatches(tx.sender, key.pubkey);
  const signature = newSignature();
  signer(key, computeTxSigningMessage(tx), signature);
  return { tx, pubkey: key.pubkey, signature };
}

/**
 * `signTxLater` for many transactions, their roots hashed together (`computeTxRoots`: one hashtree
 * call per level for all of them): `add` checks the sender and returns the signed transaction at
 * once (its signature zero until the signer fills it); `flush` computes the signing messages of
 * everything added since the last flush and hands them to `signer` in the order added. The caller
 * flushes before it uses any of them (and before the signer's work is awaited).
 */
export class LaterSigning {
  private pending: { readonly stx: SignedTx; readonly key: UserKey }[] = [];

  constructor(private readonly signer: LaterSigner) {}

  get size(): number {
    return this.pending.length;
  }

  add(tx: Tx, key: UserKey): SignedTx {
    assertSenderMatches(tx.sender, key.pubkey);
    const stx = { tx, pubkey: key.pubkey, signature: newSignature() };
    this.pending.push({ stx, key });
    return stx;
  }

  flush(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    precomputeTxRoots(pending.map((p) => p.stx.tx));
    for (const { stx, key } of pending) this.signer(key, computeTxSigningMessage(stx.tx), stx.signature);
  }
}

/**
 * Fills the root memo of `txs` not yet in it, their roots hashed together (`computeTxRoots`). A
 * transaction that does not validate is left out: `getTxRoot` throws for it as before, when asked.
 */
function precomputeTxRoots(txs: readonly Tx[]): void {
  const todo: Tx[] = [];
  const ssz: SszTx[] = [];
  for (const tx of txs) {
    if (txRoots.get(tx) !== undefined) continue;
    let v: SszTx;
    try {
      v = toValidatedSszTx(tx);
    } catch {
      continue;
    }
    todo.push(tx);
    ssz.push(v);
  }
  const roots = computeTxRoots(ssz);
  for (let i = 0; i < todo.length; i++) txRoots.set(todo[i] as Tx, roots[i] as Uint8Array);
}

/** See `signTxLater`. */
export type LaterSigner = (key: UserKey, message: Uint8Array, into: Uint8Array) => void;

/** Throws `SENDER_MISMATCH` (sender ≠ sha256(pubkey)) or `BAD_SIGNATURE`; returns if valid. */
export function verifySignedTx(stx: SignedTx): void {
  assertSenderMatches(stx.tx.sender, stx.pubkey);
  if (!ed25519Verify(stx.pubkey, computeTxSigningMessage(stx.tx), stx.signature)) {
    throw txError("BAD_SIGNATURE", "signature does not verify");
  }
}

const txIds = new Memo32<SignedTx>();

/**
 * The transaction id: hashTreeRoot of the signed transaction. Memoised per (immutable) object:
 * every protocol of a comparison asks for the ids of the same transactions, some more than once.
 */
export function computeTxId(stx: SignedTx): Uint8Array {
  let id = txIds.get(stx);
  if (!id) {
    id = computeSignedTxRoot(stx);
    txIds.set(stx, id);
  }
  return id.slice();
}

/**
 * `SignedTxType.hashTreeRoot(toValidatedSszSignedTx(stx))` (the same checks, in the same order —
 * test/program/tx.test.ts compares them),
 * from the transaction's memoised root: the container's four chunks are the transaction root, the
 * pubkey, the signature's root (the hash of its two chunks) and zero.
 */
function computeSignedTxRoot(stx: SignedTx): Uint8Array {
  assertSignatureFields(stx);
  const root = getTxRoot(stx.tx);
  // (signature) and (tx root, pubkey) in one batched call, then (signature root, zero), then the pair.
  const w = idScratch;
  w.set(stx.signature);
  w.set(root, 64);
  w.set(stx.pubkey, 96);
  digest64Many(w, idLevel); // signature root, left
  idPair.set(idLevel.subarray(32));
  w.fill(0, 32, 64);
  w.set(idLevel.subarray(0, 32));
  digest64Many(w.subarray(0, 64), idPair.subarray(32)); // right
  digest64Many(idPair, idOut);
  return idOut;
}

/** Scratch of `computeSignedTxRoot`: two 64-byte blocks in, their two hashes, the top pair, the root (copied by its callers). */
const idScratch = new Uint8Array(128);
const idLevel = new Uint8Array(64);
const idPair = new Uint8Array(64);
const idOut = new Uint8Array(32);

function assertSenderMatches(sender: Uint8Array, pubkey: Uint8Array): void {
  if (!bytesEqual(sender, getAddress(pubkey))) throw txError("SENDER_MISMATCH", "sender is not sha256(pubkey)");
}

/** Addresses computed, per public key array, with a copy of the key's bytes they were computed from. */
const addresses = new WeakMap<Uint8Array, { readonly key: Uint8Array; readonly address: Uint8Array }>();

/**
 * `addressOfPubkey(pubkey)`, memoised per array (a user signs many transactions with one key): a
 * memo is used only while the array still holds the bytes it was computed from (compared each time).
 */
function getAddress(pubkey: Uint8Array): Uint8Array {
  const m = addresses.get(pubkey);
  if (m !== undefined && bytesEqual(m.key, pubkey)) return m.address;
  const address = addressOfPubkey(pubkey);
  addresses.set(pubkey, { key: pubkey.slice(), address });
  return address;
}
