/**
 * A small receipts chain driven by hand, without the simulator: two shards (tokenA on shard 0,
 * tokenB on shard 1), alice and bob, and helpers to build, import and tamper with blocks. Used by
 * the block-verification tests and by the vector generator (scripts/receipts-vectors.ts).
 */
import { createBlsVerifier, createNoopVerifier } from "../../src/crypto/bls.js";
import { toHex } from "../../src/crypto/hash.js";
import { computeAssignment, computeCommittees, createUser, createValidators } from "../../src/chain/index.js";
import { signTx, type SignedTx } from "../../src/program/index.js";
import { Runtime } from "../../src/runtime/index.js";
import { deployGenesis } from "../../src/sim/world.js";
import { tokenInit } from "../../src/workloads/common.js";
import { transferProgram } from "../../src/workloads/programs.js";
import { getConsumeRule } from "../../src/protocols/receipts/consume/index.js";
import type { ReceiptsContext } from "../../src/protocols/receipts/context.js";
import { resolveReceiptsParams } from "../../src/protocols/receipts/params.js";
import { createReceiptsState, type ReceiptsState } from "../../src/protocols/receipts/state.js";
import { buildShardBlock, type ShardView } from "../../src/protocols/receipts/build.js";
import { buildBeaconBlock, processBeaconBlock } from "../../src/protocols/receipts/beaconBlock.js";
import { processShardBlock, type ShardBlockResult, type SignedShardBlock } from "../../src/protocols/receipts/shardBlock.js";
import type { BlockItem } from "../../src/protocols/receipts/items.js";
import { ShardHeader } from "../../src/protocols/receipts/containers.js";
import type { PoolEntry } from "../../src/protocols/receipts/consume/rule.js";

export const SEED = "vectors";
export const alice = createUser("alice");
export const bob = createUser("bob");

export interface Chain {
  readonly ctx: ReceiptsContext;
  state: ReceiptsState;
}

/** Genesis: tokenA on shard 0, tokenB on shard 1, alice holds 1000 of each. */
export function createChain(mode: string, opts: { signatures?: boolean; options?: Record<string, number> } = {}): Chain {
  const runtime = new Runtime();
  const deployed = deployGenesis(runtime, {
    contracts: [
      { id: "tokenA", code: "token", init: tokenInit([alice.address], 1000n), placement: 0 },
      { id: "tokenB", code: "token", init: tokenInit([alice.address], 1000n), placement: 1 },
    ],
    accounts: [
      { name: "alice", balance: 1_000_000_000_000n },
      { name: "bob", balance: 5n },
    ],
  });
  const validators = createValidators(8, SEED);
  const params = resolveReceiptsParams(mode, opts.options ?? {});
  const ctx: ReceiptsContext = {
    params,
    rule: getConsumeRule(mode),
    seed: SEED,
    committeeSize: 4,
    blockTxLimit: 8,
    validators,
    committees: computeCommittees(validators, SEED, 2, 4),
    verifier: opts.signatures ? createBlsVerifier() : createNoopVerifier(),
    runtime,
  };
  const accounts: [string, bigint][] = [
    [toHex(alice.address), 1_000_000_000_000n],
    [toHex(bob.address), 5n],
    ...validators.map((v): [string, bigint] => [v.account, 0n]),
  ];
  return { ctx, state: createReceiptsState(deployed, computeAssignment(deployed, 2, SEED), accounts, 2, params.initialBaseFee) };
}

/** alice sends `amount` of tokenA (and, with `both`, of tokenB: a second hop to shard 1) to bob. */
export function transferTx(nonce: bigint, amount = 5n, both = true, gasLimit = 1_000_000n): SignedTx {
  return signTx({ sender: alice.address, nonce, maxFeePerGas: 10n, gasLimit, program: transferProgram("tokenA", bob.address, amount, both ? "tokenB" : undefined) }, alice.key);
}

export function view(items: readonly BlockItem[], queue: readonly BlockItem[] = []): ShardView<null> {
  const entry = (item: BlockItem, arrival: number): PoolEntry<null> => ({ item, arrival, maxFeePerGas: 10n, ref: null });
  return { mempool: items.map(entry), queue: queue.map((q, i) => entry(q, 1000 + i)) };
}

/** Builds shard `shard`'s block of `slot` from `items` (honest proposer). */
export function build(chain: Chain, shard: number, slot: number, items: readonly BlockItem[], queue: readonly BlockItem[] = []): SignedShardBlock {
  return buildShardBlock(chain.state, shard, slot, view(items, queue), chain.ctx).block;
}

/** Imports a block (full verification) and advances the chain. */
export function importBlock(chain: Chain, block: SignedShardBlock): ShardBlockResult {
  const r = processShardBlock(chain.state, block, chain.ctx);
  chain.state = r.state;
  return r;
}

/** The beacon block of `slot` crosslinking every pending header, imported. */
export function beacon(chain: Chain, slot: number): ReturnType<typeof buildBeaconBlock> {
  const built = buildBeaconBlock(chain.state, slot, chain.state.pendingHeaders.map((h) => h.root), chain.ctx);
  chain.state = processBeaconBlock(chain.state, built.signed, chain.ctx);
  return built;
}

/** Re-signs a changed header with the honest committee (a tampered block that still carries a valid attestation). */
export function resign(chain: Chain, block: SignedShardBlock, header: SignedShardBlock["header"]): SignedShardBlock {
  return { ...block, header, attestation: buildShardBlock(chain.state, header.shard, header.slot, view([]), chain.ctx, { alterHeader: () => header }).block.attestation };
}

export const headerRoot = (b: SignedShardBlock): Uint8Array => ShardHeader.hashTreeRoot(b.header);
