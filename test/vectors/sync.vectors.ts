/**
 * The sync transition vectors (test/vectors/sync/<transition>/<case>.json): the JSON forms of the
 * sync state, blocks and confirmations, and the generator of every case. Regenerate with
 * `UPDATE_VECTORS=1 npx vitest run test/vectors/sync.test.ts`; the files are committed and reviewed,
 * and the runner (sync.test.ts) checks them against the spec.
 */
import { buildShardAttestation } from "../../src/protocols/shards/attestation.js";
import {
  admittedTxFromJson,
  admittedTxToJson,
  attestationFromJson,
  attestationToJson,
  parseArray,
  parseBytes,
  parseFields,
  parseInteger,
  shardsStateFromJson,
  shardsStateToJson,
  snapsFromJson,
  snapsToJson,
  toHexJson,
  type JsonObject,
} from "../../src/protocols/shards/json.js";
import type { ShardsContext, ShardsState, Snap } from "../../src/protocols/shards/world.js";
import { buildSyncBlock, computeSyncBlockRoot, createSyncState, processSyncBlock, type SyncBlock, type SyncBlockBody, type SyncState } from "../../src/protocols/sync/block.js";
import { DOMAIN_CONFIRMATION, DOMAIN_SYNC_BLOCK } from "../../src/protocols/sync/containers.js";
import { buildConfirmation, computeConfirmationRoot, processSyncHeight, type HeightResult, type SyncConfirmation } from "../../src/protocols/sync/execution.js";
import { createChainDriver, errorCodeOf, flip, SYNC_SCENARIO, type ChainJson, type Vector } from "./baselines.js";

// ---------------------------------------------------------------- JSON forms

export function syncStateToJson(s: SyncState): JsonObject {
  return { world: shardsStateToJson(s.world), heads: s.heads.map((h) => [toHexJson(h.root), h.height]), executed: s.executed };
}

export function syncStateFromJson(x: unknown): SyncState {
  const o = parseFields(x, ["world", "heads", "executed"], "state");
  const heads = parseArray(o["heads"], "state.heads").map((h, i) => {
    const [root, height] = parseArray(h, `state.heads[${i}]`, 2);
    return { root: parseBytes(root, `state.heads[${i}].root`, 32), height: parseInteger(height, `state.heads[${i}].height`) };
  });
  return { world: shardsStateFromJson(o["world"], "state.world"), heads, executed: parseInteger(o["executed"], "state.executed") };
}

export function syncBlockToJson(b: SyncBlock): JsonObject {
  const h = b.header;
  return {
    header: { shard: h.shard, height: h.height, proposer: h.proposer, parentRoot: toHexJson(h.parentRoot), entriesRoot: toHexJson(h.entriesRoot) },
    txs: b.txs.map(admittedTxToJson),
    attestation: attestationToJson(b.attestation),
  };
}

export function syncBlockFromJson(x: unknown, what: string): SyncBlock {
  const o = parseFields(x, ["header", "txs", "attestation"], what);
  const h = parseFields(o["header"], ["shard", "height", "proposer", "parentRoot", "entriesRoot"], `${what}.header`);
  return {
    header: {
      shard: parseInteger(h["shard"], `${what}.header.shard`),
      height: parseInteger(h["height"], `${what}.header.height`),
      proposer: parseInteger(h["proposer"], `${what}.header.proposer`),
      parentRoot: parseBytes(h["parentRoot"], `${what}.header.parentRoot`, 32),
      entriesRoot: parseBytes(h["entriesRoot"], `${what}.header.entriesRoot`, 32),
    },
    txs: parseArray(o["txs"], `${what}.txs`).map((t, i) => admittedTxFromJson(t, `${what}.txs[${i}]`)),
    attestation: attestationFromJson(o["attestation"], `${what}.attestation`),
  };
}

/** A confirmation as written: its signed value, the shard's contract states it serves, the attestation. */
export function confirmationToJson(c: SyncConfirmation): JsonObject {
  const v = c.value;
  return {
    value: { shard: v.shard, height: v.height, blockRoot: toHexJson(v.blockRoot), stateRoot: toHexJson(v.stateRoot) },
    snaps: snapsToJson(c.snaps),
    attestation: attestationToJson(c.attestation),
  };
}

/** The state commitment is recomputed from the served states; the signed value is kept as written. */
export function confirmationFromJson(x: unknown, world: ShardsState, what: string): SyncConfirmation {
  const o = parseFields(x, ["value", "snaps", "attestation"], what);
  const v = parseFields(o["value"], ["shard", "height", "blockRoot", "stateRoot"], `${what}.value`);
  const value = {
    shard: parseInteger(v["shard"], `${what}.value.shard`),
    height: parseInteger(v["height"], `${what}.value.height`),
    blockRoot: parseBytes(v["blockRoot"], `${what}.value.blockRoot`, 32),
    stateRoot: parseBytes(v["stateRoot"], `${what}.value.stateRoot`, 32),
  };
  const served = snapsFromJson(o["snaps"], `${what}.snaps`);
  const c = buildConfirmation(world, value.shard, value.height, value.blockRoot, served);
  return { ...c, value, attestation: attestationFromJson(o["attestation"], `${what}.attestation`) };
}

/** The post of processSyncHeight: the state and what ran / was dropped at the height. */
export function heightResultToJson(r: HeightResult): JsonObject {
  return {
    state: syncStateToJson(r.state),
    ran: r.ran.map(({ tx, outcome }) => [tx.txIdHex, outcome.status, outcome.reason]),
    dropped: r.dropped.map((t) => t.txIdHex),
  };
}

export function heightInputFromJson(x: unknown, world: ShardsState): { blocks: SyncBlock[]; confirmations: SyncConfirmation[] } {
  const o = parseFields(x, ["blocks", "confirmations"], "input");
  return {
    blocks: parseArray(o["blocks"], "input.blocks").map((b, i) => syncBlockFromJson(b, `input.blocks[${i}]`)),
    confirmations: parseArray(o["confirmations"], "input.confirmations").map((c, i) => confirmationFromJson(c, world, `input.confirmations[${i}]`)),
  };
}

// ---------------------------------------------------------------- the cases


export const SYNC_CHAIN: ChainJson = { seed: "vectors", validators: 16, committeeSize: 4, shards: 2, blockTxLimit: 8, scenario: SYNC_SCENARIO };

export function generateSyncVectors(): Record<string, Vector> {
  const d = createChainDriver("sync", SYNC_CHAIN);
  const ctx: ShardsContext = d.ctx;
  const { state: world, admitted } = d.admit(d.genesis, 0);
  const pre = createSyncState(world, 2);
  const params = { blockTxLimit: SYNC_CHAIN.blockTxLimit };
  const sign = (body: SyncBlockBody): SyncBlock => ({ ...body, attestation: buildShardAttestation(ctx, body.header.shard, DOMAIN_SYNC_BLOCK, computeSyncBlockRoot(body.header)) });
  const out: Record<string, Vector> = {};

  const blockVector = (description: string, state: SyncState, block: SyncBlock, chain: ChainJson = SYNC_CHAIN): Vector => {
    let post: unknown = null;
    const error = errorCodeOf(() => {
      post = syncStateToJson(processSyncBlock(state, block, { blockTxLimit: chain.blockTxLimit }, ctx));
    });
    return { transition: "processSyncBlock", description, chain, pre: syncStateToJson(state), input: syncBlockToJson(block), post, error };
  };

  // processSyncBlock.
  const [ab1, ab2, c] = [admitted[0]!, admitted[1]!, admitted[2]!];
  const b0 = sign(buildSyncBlock(pre, 0, 0, admitted, admitted.map(() => true), params, ctx).body);
  const b1 = sign(buildSyncBlock(pre, 1, 0, [ab1], [true], params, ctx).body);
  out["processSyncBlock/shard0_height0"] = blockVector("shard 0's first block: one cross-shard {a,b} (the second is an address conflict the builder kept out) and the local {c}; shard 0's head moves", pre, b0);
  const afterB0 = processSyncBlock(pre, b0, params, ctx);
  out["processSyncBlock/shard1_after_shard0"] = blockVector("shard 1's first block, {a,b}, after shard 0's: each shard's chain moves on its own", afterB0, b1);
  const b0h1 = sign(buildSyncBlock(afterB0, 0, 1, [ab2], [true], params, ctx).body);
  out["processSyncBlock/shard0_height1"] = blockVector("shard 0's second block continues its chain (parent = the first block's root)", afterB0, b0h1);
  out["processSyncBlock/wrong_entries_root"] = blockVector("the entries root does not commit the block's transactions", pre, sign({ ...b0, header: { ...b0.header, entriesRoot: flip(b0.header.entriesRoot) } }));
  out["processSyncBlock/wrong_proposer"] = blockVector("signed as proposer by a validator who is not the slot's proposer", pre, sign({ ...b0, header: { ...b0.header, proposer: b0.header.proposer + 1 } }));
  out["processSyncBlock/wrong_parent"] = blockVector("the parent root is not shard 0's head", pre, sign({ ...b0, header: { ...b0.header, parentRoot: new Uint8Array(32).fill(1) } }));
  out["processSyncBlock/wrong_height"] = blockVector("height 1 before shard 0's block of height 0", pre, sign({ ...b0, header: { ...b0.header, height: 1 } }));
  out["processSyncBlock/repeated_height"] = blockVector("a second block of height 0 after shard 0 already has one", afterB0, b0);
  out["processSyncBlock/block_too_large"] = blockVector("two transactions with a block limit of one", pre, b0, { ...SYNC_CHAIN, blockTxLimit: 1 });
  out["processSyncBlock/address_conflict"] = blockVector("two cross-shard transactions at address a in one block", pre, sign({ header: { ...b0.header }, txs: [ab1, ab2] }));
  out["processSyncBlock/not_on_shard"] = blockVector("the local {c} of shard 0 in shard 1's block", pre, sign({ header: { ...sign(buildSyncBlock(pre, 1, 0, [c], [true], params, ctx).body).header }, txs: [c] }));
  const sig = b0.attestation.signature.slice();
  sig[5] = sig[5]! ^ 1;
  out["processSyncBlock/bad_signature"] = blockVector("one bit of the aggregate signature flipped", pre, { ...b0, attestation: { ...b0.attestation, signature: sig } });
  const committee = ctx.committees[0]!;
  out["processSyncBlock/no_supermajority"] = blockVector("one of four committee members signed", pre, {
    ...b0,
    attestation: buildShardAttestation(ctx, 0, DOMAIN_SYNC_BLOCK, computeSyncBlockRoot(b0.header), committee.slice(0, 1)),
  });
  const outsider = ctx.validators.find((v) => !committee.includes(v))!;
  out["processSyncBlock/unknown_signer"] = blockVector("a validator outside shard 0's committee among the signers", pre, {
    ...b0,
    attestation: { ...b0.attestation, signers: [...b0.attestation.signers.slice(1), outsider.index] },
  });

  // processSyncHeight: height 0 with both blocks imported and the genesis confirmations.
  const imported = processSyncBlock(afterB0, b1, params, ctx);
  const confirm = (y: number, states: ReadonlyMap<string, Snap> = world.states): SyncConfirmation => {
    const conf = buildConfirmation(world, y, -1, new Uint8Array(32), states);
    return { ...conf, attestation: buildShardAttestation(ctx, y, DOMAIN_CONFIRMATION, computeConfirmationRoot(conf.value)) };
  };
  const genesisConfs = [confirm(0), confirm(1)];
  const heightVector = (description: string, state: SyncState, blocks: SyncBlock[], confs: SyncConfirmation[]): Vector => {
    let post: unknown = null;
    const error = errorCodeOf(() => {
      post = heightResultToJson(processSyncHeight(state, blocks, confs, ctx, new Set()));
    });
    return { transition: "processSyncHeight", description, chain: SYNC_CHAIN, pre: syncStateToJson(state), input: { blocks: blocks.map(syncBlockToJson), confirmations: confs.map(confirmationToJson) }, post, error };
  };
  out["processSyncHeight/height0_runs_effective"] = heightVector("height 0: the {a,b} both shards included runs (a and b count 1), the local {c} runs, nothing dropped", imported, [b0, b1], genesisConfs);
  const b1other = sign(buildSyncBlock(afterB0, 1, 0, [ab2], [true], params, ctx).body);
  out["processSyncHeight/height0_drops_half_included"] = heightVector("shard 1 included the other {a,b}: neither cross-shard transaction is in both blocks, both are dropped; the local {c} runs", processSyncBlock(afterB0, b1other, params, ctx), [b0, b1other], genesisConfs);
  out["processSyncHeight/missing_block"] = heightVector("only shard 0's block of height 0", imported, [b0], genesisConfs);
  out["processSyncHeight/block_not_imported"] = heightVector("shard 1's block was never imported (its head is still at genesis)", afterB0, [b0, b1], genesisConfs);
  const forgedConf = { ...genesisConfs[1]!, value: { ...genesisConfs[1]!.value, stateRoot: flip(genesisConfs[1]!.value.stateRoot) } };
  out["processSyncHeight/confirmation_bad_signature"] = heightVector("shard 1's confirmation names another state root than its committee signed", imported, [b0, b1], [genesisConfs[0]!, forgedConf]);
  const otherB = new Map(world.states);
  otherB.set("b", { ...world.states.get("b")!, kv: world.states.get("b")!.kv.applyWrites(new Map([["00", new Uint8Array([1])]])) });
  const lying = { ...confirm(1), snaps: new Map([["b", otherB.get("b")!]]) };
  out["processSyncHeight/confirmation_bad_contract_leaf"] = heightVector("shard 1's confirmation is signed, but the state of b it serves is not the one under its root", imported, [b0, b1], [genesisConfs[0]!, lying]);
  return out;
}
