/**
 * The receipts design's containers (DESIGN §3), as SSZ types so that every root is a standard
 * hash_tree_root. Reading order: receipt → shard header (receipts root) → beacon block
 * (crosslinks root: the shard headers of the previous slot, in shard order).
 */
import "../../crypto/hash.js";
import {
  BooleanType,
  ByteListType,
  ByteVectorType,
  ContainerType,
  ListCompositeType,
  UintBigintType,
  UintNumberType,
} from "@chainsafe/ssz";
import { MAX_ARG_BYTES, MAX_CONTRACT_ID_BYTES, MAX_METHOD_BYTES, MAX_PROGRAM_BYTES, MAX_STEPS } from "../../program/index.js";
import type { MaybeValue } from "../../types.js";
import type { CongestionInfo } from "./congestion.js";

const Bytes32 = new ByteVectorType(32);
const Uint64 = new UintNumberType(8);
const Gas = new UintBigintType(8);
/** Beacon amounts held by a receipt (prepaid fees): up to 2^128. */
const Amount = new UintBigintType(16);

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * One step's value as a receipt carries it: the bytes (Nothing is `present: false`) and the call
 * that produced them. The origin travels with the value because it is what lets a contract on the
 * next shard trust it (a token receipt is accepted only from the token's own `transfer`).
 */
export const ReceiptStepValue = new ContainerType({
  present: new BooleanType(),
  bytes: new ByteListType(MAX_ARG_BYTES),
  hasOrigin: new BooleanType(),
  originContract: new ByteListType(MAX_CONTRACT_ID_BYTES),
  originMethod: new ByteListType(MAX_METHOD_BYTES),
});
export type ReceiptStepValueValue = {
  present: boolean;
  bytes: Uint8Array;
  hasOrigin: boolean;
  originContract: Uint8Array;
  originMethod: Uint8Array;
};

/**
 * A receipt: the rest of a transaction, handed from one shard to another.
 * Id: (sourceShard, slot, index) — its position in the receipt list of a shard block.
 * `nonce` numbers the receipts from `sourceShard` to `destShard` (the sequential mode's order).
 * `program` is the canonical encoding of the whole program and `resumeAt` the step to resume at;
 * `values` are the values of steps `0..resumeAt-1`. `gasLeft` is the transaction's remaining gas
 * budget and `prepaid` the fee it still holds (bought at the first segment at `maxFeePerGas`).
 */
export const Receipt = new ContainerType({
  sourceShard: Uint64,
  slot: Uint64,
  index: Uint64,
  destShard: Uint64,
  nonce: Uint64,
  txId: Bytes32,
  sender: Bytes32,
  maxFeePerGas: Gas,
  gasLeft: Gas,
  prepaid: Amount,
  resumeAt: Uint64,
  program: new ByteListType(MAX_PROGRAM_BYTES),
  values: new ListCompositeType(ReceiptStepValue, MAX_STEPS),
});
export type ReceiptValue = {
  sourceShard: number;
  slot: number;
  index: number;
  destShard: number;
  nonce: number;
  txId: Uint8Array;
  sender: Uint8Array;
  maxFeePerGas: bigint;
  gasLeft: bigint;
  prepaid: bigint;
  resumeAt: number;
  program: Uint8Array;
  values: ReceiptStepValueValue[];
};

/** A shard block's header: what the beacon chain crosslinks. */
export const ShardHeader = new ContainerType({
  shard: Uint64,
  slot: Uint64,
  proposer: Uint64,
  parentRoot: Bytes32,
  /** Commitment to the shard's contracts (id, state root, ended) after the block. */
  stateRoot: Bytes32,
  receiptsRoot: Bytes32,
  receiptCount: Uint64,
  gasUsed: Gas,
  baseFee: Gas,
});
export type ShardHeaderValue = {
  shard: number;
  slot: number;
  proposer: number;
  parentRoot: Uint8Array;
  stateRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  receiptCount: number;
  gasUsed: bigint;
  baseFee: bigint;
  /** Congestion control on: the shard's congestion info after the block (NEP-539 carries it in the chunk header). */
  congestion?: CongestionInfo;
};

/** NEP-539's congestion info as a header carries it. */
export const CongestionInfoContainer = new ContainerType({ incomingGas: Gas, incomingReceipts: Uint64, bufferedGas: Gas, bufferedReceipts: Uint64 });

/** The shard header with congestion control on: the same fields and the shard's congestion info. */
export const CongestedShardHeader = new ContainerType({ ...ShardHeader.fields, congestion: CongestionInfoContainer });

/** A header's root: `ShardHeader`'s, or `CongestedShardHeader`'s when it carries congestion info. */
export function computeShardHeaderRoot(header: ShardHeaderValue): Uint8Array {
  return header.congestion ? CongestedShardHeader.hashTreeRoot(header as Required<ShardHeaderValue>) : ShardHeader.hashTreeRoot(header);
}

/** A header's bytes (what a claim carries). */
export function serializeShardHeader(header: ShardHeaderValue): Uint8Array {
  return header.congestion ? CongestedShardHeader.serialize(header as Required<ShardHeaderValue>) : ShardHeader.serialize(header);
}

/** A beacon block: crosslinks the shard headers of the previous slot (one per shard, in shard order). */
export const BeaconBlock = new ContainerType({
  slot: Uint64,
  parentRoot: Bytes32,
  crosslinksRoot: Bytes32,
  crosslinkCount: Uint64,
});
export type BeaconBlockValue = { slot: number; parentRoot: Uint8Array; crosslinksRoot: Uint8Array; crosslinkCount: number };

/** Program values → the receipt's form (origins kept). */
export function toReceiptValues(values: readonly MaybeValue[]): ReceiptStepValueValue[] {
  const none = new Uint8Array(0);
  return values.map((v) => ({
    present: v !== null,
    bytes: v?.bytes ?? none,
    hasOrigin: v?.origin !== undefined,
    originContract: v?.origin ? utf8Encoder.encode(v.origin.contract) : none,
    originMethod: v?.origin ? utf8Encoder.encode(v.origin.method) : none,
  }));
}

/** The receipt's form → program values. */
export function fromReceiptValues(values: readonly ReceiptStepValueValue[]): MaybeValue[] {
  return values.map((v) => {
    if (!v.present) return null;
    if (!v.hasOrigin) return { bytes: v.bytes };
    return { bytes: v.bytes, origin: { contract: utf8Decoder.decode(v.originContract), method: utf8Decoder.decode(v.originMethod) } };
  });
}

/** Domain-separated signing roots. */
export const DOMAIN_SHARD_BLOCK = "xshard:receipts:shard-block:";
export const DOMAIN_BEACON_BLOCK = "xshard:receipts:beacon-block:";
