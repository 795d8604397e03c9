/**
 * SSZ containers of the lock-based atomic-commit baseline: one result leaf per (operation,
 * contract) in a shard block's results root, and the shard block header a crosslink carries.
 */
import "../../crypto/hash.js";
import { ByteListType, ByteVectorType, ContainerType, UintNumberType } from "@chainsafe/ssz";

const Bytes32 = new ByteVectorType(32);
const Uint64 = new UintNumberType(8);

/** What a shard block did to one contract for one transaction. */
export const RESULT_KINDS = { locked: 0, refused: 1, committed: 2, aborted: 3, released: 4 } as const;
export type ResultKind = keyof typeof RESULT_KINDS;

/**
 * `stateRoot`: for `locked`, the pinned state root (what the commit will execute against); for
 * `refused`, the contract's root at refusal; otherwise the contract's root after the operation.
 */
export const ResultLeaf = new ContainerType({ kind: new UintNumberType(1), txId: Bytes32, contract: new ByteListType(64), stateRoot: Bytes32 });
export type ResultLeafValue = { kind: number; txId: Uint8Array; contract: Uint8Array; stateRoot: Uint8Array };

export const ShardHeader = new ContainerType({
  shard: Uint64,
  slot: Uint64,
  proposer: Uint64,
  parentRoot: Bytes32,
  opsRoot: Bytes32,
  resultsRoot: Bytes32,
  stateRoot: Bytes32,
});
export type ShardHeaderValue = { shard: number; slot: number; proposer: number; parentRoot: Uint8Array; opsRoot: Uint8Array; resultsRoot: Uint8Array; stateRoot: Uint8Array };

export const DOMAIN_LOCK2PC_BLOCK = "xshard:lock2pc-block:";

/** One operation of a shard block, as its op list commits it: kind and transaction id. */
export const OP_KINDS = { execute: 0, lock: 1, commit: 2, abort: 3 } as const;
export type OpKind = keyof typeof OP_KINDS;
export const OpEntry = new ContainerType({ kind: new UintNumberType(1), txId: Bytes32 });
