/**
 * SSZ containers of the sharded world both baselines share (`sync`, `lock2pc`): the leaf that
 * commits one contract in its shard's state list, so that every shard state root is a standard
 * hash_tree_root.
 */
import "../../crypto/hash.js";
import { BooleanType, ByteListType, ByteVectorType, ContainerType } from "@chainsafe/ssz";

/** One contract in its shard's state list: id, state root, ended. */
export const ContractLeaf = new ContainerType({ contract: new ByteListType(64), stateRoot: new ByteVectorType(32), ended: new BooleanType() });

/** Bytes a light client downloads for one contract leaf besides its branch (id, root, ended flag). */
export const CONTRACT_LEAF_BYTES = 64 + 32 + 1;
