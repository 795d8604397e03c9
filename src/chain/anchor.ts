/**
 * The genesis anchor: what a chain starts from and what a light client trusts — the seed, the
 * validator set (keys and stakes), committee parameters and the genesis contracts' roots. Its root
 * (`computeGenesisRoot`) is mixed into every signed message (`computeSigningRoot`), as Ethereum
 * mixes `genesis_validators_root` into its signing domains, so a signature made for one chain never
 * verifies for another.
 */
import "../crypto/hash.js";
import { ByteListType, ByteVectorType, ContainerType, ListCompositeType, UintNumberType } from "@chainsafe/ssz";
import { fromHex, sha256 } from "../crypto/hash.js";

const MAX_VALIDATORS = 1 << 20;
const MAX_CONTRACTS = 1 << 20;
const Uint64 = new UintNumberType(8);

export const AnchorValidator = new ContainerType({ pubkey: new ByteVectorType(48), stake: Uint64 });
export const AnchorContract = new ContainerType({ id: new ByteListType(64), codeHash: new ByteVectorType(32), root: new ByteVectorType(32) });
export const GenesisAnchorType = new ContainerType({
  seed: new ByteListType(256),
  committeeSize: Uint64,
  committees: Uint64,
  validators: new ListCompositeType(AnchorValidator, MAX_VALIDATORS),
  contracts: new ListCompositeType(AnchorContract, MAX_CONTRACTS),
});

/** What an anchor knows of a validator: its position, stake and public key (never a secret key). */
export interface PublicValidator {
  readonly index: number;
  readonly stake: number;
  readonly key: { readonly pubkey: Uint8Array };
}

export interface GenesisAnchor {
  readonly seed: string;
  readonly committeeSize: number;
  /** Standing committees (Stage-2 contract committees) or shards. */
  readonly committees: number;
  readonly validators: readonly PublicValidator[];
  /** Genesis contracts: id, code hash (hex) and state root. */
  readonly contracts: readonly { id: string; codeHash: string; root: Uint8Array }[];
}

const utf8 = new TextEncoder();

/** hash_tree_root of the genesis anchor. */
export function computeGenesisRoot(a: GenesisAnchor): Uint8Array {
  return GenesisAnchorType.hashTreeRoot({
    seed: utf8.encode(a.seed),
    committeeSize: a.committeeSize,
    committees: a.committees,
    validators: a.validators.map((v) => ({ pubkey: v.key.pubkey, stake: v.stake })),
    contracts: a.contracts.map((c) => ({ id: utf8.encode(c.id), codeHash: fromHex(c.codeHash), root: c.root })),
  });
}

/** What a committee signs: the object's root under a domain and the chain's genesis root. */
export function computeSigningRoot(domain: string, genesisRoot: Uint8Array, objectRoot: Uint8Array): Uint8Array {
  return sha256(domain, genesisRoot, objectRoot);
}
