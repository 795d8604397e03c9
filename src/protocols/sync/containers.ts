/**
 * SSZ containers of the synchronous baseline, so that every root is a standard hash_tree_root.
 * (The contract leaf that commits a shard's state is shared: `../shards/containers.ts`.)
 */
import "../../crypto/hash.js";
import { ByteListType, ByteVectorType, ContainerType, UintNumberType } from "@chainsafe/ssz";

const Bytes32 = new ByteVectorType(32);
const Uint64 = new UintNumberType(8);

/** One entry of a sync shard block: the address (contract) mapped to a transaction. */
export const BlockEntry = new ContainerType({ contract: new ByteListType(64), txId: Bytes32 });

/** A sync shard block: which transactions it maps to which addresses (no execution result). */
export const SyncBlockHeader = new ContainerType({ shard: Uint64, height: Uint64, proposer: Uint64, parentRoot: Bytes32, entriesRoot: Bytes32 });
export type SyncBlockHeaderValue = { shard: number; height: number; proposer: number; parentRoot: Uint8Array; entriesRoot: Uint8Array };

/** A shard committee's light-client confirmation of its state root after executing block `height`. */
export const Confirmation = new ContainerType({ shard: Uint64, height: Uint64, blockRoot: Bytes32, stateRoot: Bytes32 });
export type ConfirmationValue = { shard: number; height: number; blockRoot: Uint8Array; stateRoot: Uint8Array };

export const DOMAIN_SYNC_BLOCK = "xshard:sync-block:";
export const DOMAIN_CONFIRMATION = "xshard:sync-confirmation:";
