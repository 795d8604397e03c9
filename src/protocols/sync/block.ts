/**
 * Sync shard blocks: the agreed header chains, block building (`buildSyncBlock`) and the one
 * verification every importer runs (`processSyncBlock`), whoever built the block.
 */
import { bytesEqual, toHex } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { commitList } from "../../state/index.js";
import type { Attestation } from "../../chain/index.js";
import type { ContractId } from "../../types.js";
import type { WorkObserver } from "../../chain/observer.js";
import { checkShardAttestation, checkShardProposer, computeShardProposer, getCommittee, type VerifyOptions } from "../shards/attestation.js";
import { getContractsOn, getListedShards, isGasLimitWithinSlot, type AdmittedTx, type ShardsContext, type ShardsState } from "../shards/world.js";
import { BlockEntry, DOMAIN_SYNC_BLOCK, SyncBlockHeader, type SyncBlockHeaderValue } from "./containers.js";
import { selectShardBlock } from "./rules.js";

/** The agreed state of the sync chain. */
export interface SyncState {
  readonly world: ShardsState;
  /** Per shard: root and height of its last block header (zero root and −1 at genesis). */
  readonly heads: readonly SyncHead[];
  /** Last executed height (−1 at genesis). */
  readonly executed: number;
}

export interface SyncHead {
  readonly root: Uint8Array;
  readonly height: number;
}

/** A block without its committee's signature (what the proposer builds). */
export interface SyncBlockBody {
  readonly header: SyncBlockHeaderValue;
  /** Included transactions, in block order. */
  readonly txs: readonly AdmittedTx[];
}

export interface SyncBlock extends SyncBlockBody {
  readonly attestation: Attestation;
}

export interface SyncParams {
  /** Most transactions in one shard block. */
  readonly blockTxLimit: number;
}

export function createSyncState(world: ShardsState, shards: number): SyncState {
  return { world, heads: Array.from({ length: shards }, () => ({ root: new Uint8Array(32), height: -1 })), executed: -1 };
}

/** The transaction's addresses (contracts) on `shard`, and whether it spans several shards. */
export function getSyncAddresses(world: ShardsState, shard: number, t: AdmittedTx): { contracts: ContractId[]; crossShard: boolean } {
  return { contracts: getContractsOn(world, shard, t.footprint), crossShard: getListedShards(world, t.footprint).length > 1 };
}

/** The entries root of a block: one `BlockEntry` per (address, transaction); "" for a transaction without one. */
export function computeEntriesRoot(world: ShardsState, shard: number, txs: readonly AdmittedTx[]): Uint8Array {
  const utf8 = new TextEncoder();
  const entries: Uint8Array[] = [];
  for (const t of txs) {
    const addresses = getContractsOn(world, shard, t.footprint);
    for (const id of addresses.length > 0 ? addresses : [""]) entries.push(BlockEntry.hashTreeRoot({ contract: utf8.encode(id), txId: t.txId }));
  }
  return commitList(entries).root;
}

export function computeSyncBlockRoot(header: SyncBlockHeaderValue): Uint8Array {
  return SyncBlockHeader.hashTreeRoot(header);
}

/**
 * The proposer of `shard` at `height` builds its block from the candidates (the pending
 * transactions that list this shard, in admission order); `drawn[i]` is the proposer's own choice
 * whether to offer candidate i (the inclusion model, drawn by the driver). Returns the unsigned
 * block, the positions included and how many drawn candidates an address conflict kept out.
 */
export function buildSyncBlock(
  state: SyncState,
  shard: number,
  height: number,
  candidates: readonly AdmittedTx[],
  drawn: readonly boolean[],
  params: SyncParams,
  ctx: ShardsContext,
): { body: SyncBlockBody; included: number[]; conflicts: number } {
  const { included, conflicts } = selectShardBlock(
    candidates.map((t) => getSyncAddresses(state.world, shard, t)),
    drawn,
    params.blockTxLimit,
  );
  const txs = included.map((i) => candidates[i] as AdmittedTx);
  const head = state.heads[shard] as SyncHead;
  const header: SyncBlockHeaderValue = {
    shard,
    height,
    proposer: computeShardProposer(ctx, shard, height).index,
    parentRoot: head.root,
    entriesRoot: computeEntriesRoot(state.world, shard, txs),
  };
  return { body: { header, txs }, included, conflicts };
}

function reject(code: string, message: string, data: Record<string, unknown>): never {
  throw new XshardError(code, message, data);
}

/**
 * Imports one shard block: it continues its shard's header chain (WRONG_HEIGHT, WRONG_PARENT), was
 * proposed by the slot's proposer (WRONG_PROPOSER), holds at most `blockTxLimit` transactions
 * (BLOCK_TOO_LARGE) that each fit one slot's gas (GAS_LIMIT_ABOVE_SLOT; how much of the slot gas
 * they use is metered when the height executes: `processSyncHeight`) and list this shard
 * (NOT_ON_SHARD), at most one cross-shard transaction
 * per address (ADDRESS_CONFLICT), commits exactly its entries (WRONG_ENTRIES_ROOT), and carries its
 * committee's final attestation (UNKNOWN_SIGNER, DUPLICATE_SIGNER, NO_SUPERMAJORITY, BAD_SIGNATURE).
 * Returns the state with the shard's head moved; the input state is unchanged.
 */
export function processSyncBlock(state: SyncState, block: SyncBlock, params: SyncParams, ctx: ShardsContext, opts: VerifyOptions = {}, observer: WorkObserver = {}): SyncState {
  const h = block.header;
  getCommittee(ctx, h.shard);
  const head = state.heads[h.shard] as SyncHead;
  const at = { shard: h.shard, height: h.height };
  if (h.height !== head.height + 1) reject("WRONG_HEIGHT", `block of shard ${h.shard} at height ${h.height}, expected ${head.height + 1}`, at);
  if (!bytesEqual(h.parentRoot, head.root)) reject("WRONG_PARENT", `block of shard ${h.shard} at ${h.height} does not continue its chain`, { ...at, parentRoot: toHex(h.parentRoot) });
  checkShardProposer(ctx, h.shard, h.height, h.proposer, opts);
  if (block.txs.length > params.blockTxLimit) reject("BLOCK_TOO_LARGE", `block of shard ${h.shard} holds ${block.txs.length} transactions, limit ${params.blockTxLimit}`, { ...at, txs: block.txs.length });
  const taken = new Set<ContractId>();
  for (const t of block.txs) {
    if (!isGasLimitWithinSlot(t.stx.tx.gasLimit, ctx.slotGas)) reject("GAS_LIMIT_ABOVE_SLOT", `transaction ${t.txIdHex} has gas limit ${t.stx.tx.gasLimit}, above the slot gas ${ctx.slotGas}`, { ...at, tx: t.txIdHex });
    if (!getListedShards(state.world, t.footprint).includes(h.shard)) reject("NOT_ON_SHARD", `transaction ${t.txIdHex} lists no contract of shard ${h.shard}`, { ...at, tx: t.txIdHex });
    const { contracts, crossShard } = getSyncAddresses(state.world, h.shard, t);
    if (!crossShard) continue;
    const clash = contracts.find((id) => taken.has(id));
    if (clash !== undefined) reject("ADDRESS_CONFLICT", `two cross-shard transactions at address ${clash} in one block`, { ...at, contract: clash });
    for (const id of contracts) taken.add(id);
  }
  if (opts.verifyStateRoot !== false && !bytesEqual(h.entriesRoot, computeEntriesRoot(state.world, h.shard, block.txs))) {
    reject("WRONG_ENTRIES_ROOT", `entries root of shard ${h.shard}'s block at ${h.height} does not commit its transactions`, at);
  }
  const root = computeSyncBlockRoot(h);
  checkShardAttestation(ctx, h.shard, DOMAIN_SYNC_BLOCK, root, block.attestation, opts);
  observer.onSignatures?.(h.height, 0, block.attestation.signers.length);
  const heads = state.heads.slice();
  heads[h.shard] = { root, height: h.height };
  return { ...state, heads };
}
