/**
 * The TypeScript model of programs and transactions. Decoders produce it, encoders and the
 * interpreter consume it; the raw SSZ value objects stay inside `ssz.ts` and `codec.ts`.
 */
import type { Address, ContractId } from "../types.js";
import type { PureOpName } from "./constants.js";

/** A literal argument, or a reference to the value of an earlier step. */
export type Arg = LitArg | RefArg;
export interface LitArg {
  readonly kind: "lit";
  readonly bytes: Uint8Array;
}
export interface RefArg {
  readonly kind: "ref";
  readonly step: number;
}

export interface CallStep {
  readonly kind: "call";
  readonly contract: ContractId;
  readonly method: string;
  readonly args: readonly Arg[];
}
export interface PureStep {
  readonly kind: "pure";
  readonly op: PureOpName;
  readonly args: readonly Arg[];
}
export interface RequireStep {
  readonly kind: "require";
  readonly arg: Arg;
}
export type Step = CallStep | PureStep | RequireStep;

export interface Program {
  readonly steps: readonly Step[];
}

/** An unsigned transaction. Every integer is a u64, held as a bigint. */
export interface Tx {
  /** sha256 of the sender's Ed25519 public key. */
  readonly sender: Address;
  readonly nonce: bigint;
  readonly maxFeePerGas: bigint;
  readonly gasLimit: bigint;
  readonly program: Program;
}

export interface SignedTx {
  readonly tx: Tx;
  /** Raw 32-byte Ed25519 public key. */
  readonly pubkey: Uint8Array;
  /** 64-byte Ed25519 signature over `computeTxSigningMessage(tx)`. */
  readonly signature: Uint8Array;
}
