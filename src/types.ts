/**
 * Types shared by every module. Kept deliberately small: each module owns its own richer types.
 * See docs/ARCHITECTURE.md for who owns what.
 */

export type Bytes = Uint8Array;

/** A contract id: a printable name such as "tokenA", or a derived id for a successor contract. */
export type ContractId = string;

/** A 32-byte principal (user address or contract principal), as raw bytes. */
export type Address = Uint8Array;

/** Where a value came from: the call step that returned it. Literals and pure results have none. */
export interface Origin {
  readonly contract: ContractId;
  readonly method: string;
}

/** A program value: bytes, optionally tagged with the call that produced them. Nothing is `null`. */
export interface Value {
  readonly bytes: Bytes;
  readonly origin?: Origin;
}
export type MaybeValue = Value | null;

/** key (hex, no 0x) -> new value, or null for a delete. */
export type WriteSet = Map<string, Bytes | null>;

/** Read access to one contract's key→value state. */
export interface StateView {
  get(key: Bytes): Bytes | undefined;
}

/** The outcome classification shared by every protocol (DESIGN §1). */
export const OUTCOMES = ["committed", "aborted", "partial", "hung", "rejected"] as const;
export type Outcome = (typeof OUTCOMES)[number];
