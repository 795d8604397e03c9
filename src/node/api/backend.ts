/**
 * What the HTTP API needs from a node, as one interface: the node implements it on top of its
 * chain, mempool and store; tests use a fake. Bytes cross it as 0x-hex strings in views and as
 * `Uint8Array` in arguments. Bad input is an `XshardError` (the API turns it into a 4xx); a
 * missing transaction is `undefined`.
 */
import type { Outcome } from "../../types.js";

/** A submitted transaction: its JSON form as parsed from the body, or its SSZ bytes. */
export type SubmitInput = { readonly kind: "json"; readonly value: unknown } | { readonly kind: "ssz"; readonly bytes: Uint8Array };

export interface SubmitResult {
  /** 0x-hex transaction id. */
  readonly id: string;
}

export type TxStatusKind = "pending" | "included" | "final";

export interface TxStatusView {
  readonly id: string;
  readonly status: TxStatusKind;
  /** Stage-1 slot that included it (once included). */
  readonly includedSlot?: number;
  /** Slot at which it became final (once final). */
  readonly finalSlot?: number;
  readonly outcome?: Outcome;
  /** Return values of its steps (0x-hex, `null` for Nothing), once final. */
  readonly returnValues?: readonly (string | null)[];
  readonly reason?: string;
}

export interface ChainHeadView {
  readonly number: number;
  readonly slot: number;
  /** 0x-hex block root. */
  readonly root: string;
}

export interface HeadsView {
  readonly stage1: ChainHeadView;
  readonly stage2: ChainHeadView;
  readonly stage1Finalized: ChainHeadView;
  readonly stage2Finalized: ChainHeadView;
  /** Contract (0x-hex address) → how many Stage-1 slots its affirmed state lags the Stage-1 head. */
  readonly lagByContract: Readonly<Record<string, number>>;
}

/** The chain's configuration as `GET /v1/config` serves it. */
export interface NodeConfigView {
  /** 0x-hex genesis root. */
  readonly genesisRoot: string;
  /** Wall time of slot 0's start, ms since the Unix epoch. */
  readonly genesisTimeMs: number;
  readonly slotMs: number;
  readonly protocol: "delayed:conditional" | "delayed:strict";
  readonly validators?: number;
  readonly committees?: number;
  readonly committeeSize?: number;
  readonly stage2PerSlot?: number;
  readonly blockTxLimit?: number;
  /** The seed the genesis and keys were derived from (devnets). */
  readonly seed?: string;
}

/** One validator slashed by a Stage-2 block's evidence. */
export interface SlashingEntryView {
  readonly validator: number;
  /** The Stage-2 block (number, slot) whose evidence slashed it. */
  readonly block: number;
  readonly slot: number;
  readonly kind: "signed" | "fraud";
  /** The contract and queue position of the disproved leaf. */
  readonly contract: string;
  readonly position: number;
  /** 0x-hex root of the disputed affirmation batch. */
  readonly batchRoot: string;
}

export interface PeerView {
  readonly id: string;
  readonly addrs?: readonly string[];
}

/**
 * `GET /v1/state/:contract?keys=…` (`xshard.stateproof/1`): keys of a contract's latest affirmed
 * state with their Merkle witness, and what a light client checks the root against — the outcome
 * proof (`xshard.txproof`) of the transaction that made that state, whose signed result leaf
 * commits to the state's root (`proof: null` at state 0: the genesis anchor holds its root).
 */
export interface StateProofView {
  readonly schema: "xshard.stateproof/1";
  readonly contract: string;
  /** The state after the contract's first `position` transactions. */
  readonly position: number;
  /** 0x-hex state root (what the node says; a client takes the root from `proof` or its anchor). */
  readonly root: string;
  /** The Stage-2 block whose affirmation made the root final (null at state 0). */
  readonly stage2: { readonly number: number; readonly slot: number } | null;
  /** Sequence number of the transaction that made the state (null at state 0). */
  readonly seq: number | null;
  readonly keys: readonly string[];
  /** Each key's value (0x-hex), null if absent. */
  readonly values: readonly (string | null)[];
  /** 0x-hex `encodeWitness` bytes: each key's bucket and one multiproof. */
  readonly witness: string;
  readonly proof: object | null;
}

export interface NodeBackend {
  /** Checks and queues a signed transaction. Throws `XshardError` for malformed or forged input. */
  submitTransaction(input: SubmitInput): Promise<SubmitResult>;
  getTransactionStatus(id: Uint8Array): TxStatusView | undefined | Promise<TxStatusView | undefined>;
  /** The transaction's light-client proof (an `xshard.txproof` document), once final. */
  getTransactionProof(id: Uint8Array): object | undefined | Promise<object | undefined>;
  getHeads(): HeadsView;
  /** Calls `listener` with the heads whenever they change; returns the unsubscribe function. */
  onHeads(listener: (heads: HeadsView) => void): () => void;
  /** The chain's configuration (`GET /v1/config`; 503 `CONFIG_UNAVAILABLE` without it): clients pace by it. */
  getConfig?(): NodeConfigView;
  /** Validators slashed by evidence in imported blocks (`GET /v1/slashings`; 503 `SLASHINGS_UNAVAILABLE` without it). */
  getSlashings?(): { readonly slashings: readonly SlashingEntryView[] };
  /** Keys of a contract's latest affirmed state with their witness (`GET /v1/state/:contract`; 503 `STATE_UNAVAILABLE` without it; unknown contract: `CONTRACT_NOT_FOUND`). */
  getState?(contract: string, keys: readonly Uint8Array[]): StateProofView | Promise<StateProofView>;
  /** Connected peers (`GET /v1/peers`; 503 `PEERS_UNAVAILABLE` without it). */
  getPeers?(): readonly PeerView[];
}
