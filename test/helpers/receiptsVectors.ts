/**
 * The receipts transition vectors (test/vectors/receipts/<transition>/<case>.json), consensus-specs
 * style: pre-state, input block, and post-state or the expected error code. Regenerate with
 * `UPDATE_VECTORS=1 npx vitest run test/protocols/receipts-vectors.test.ts`; the files are committed
 * and reviewed, and the runner checks them against the spec.
 */
import { createClaim } from "../../src/protocols/receipts/claims.js";
import { buildBeaconBlock } from "../../src/protocols/receipts/beaconBlock.js";
import type { SignedShardBlock } from "../../src/protocols/receipts/shardBlock.js";
import type { ReceiptsState } from "../../src/protocols/receipts/state.js";
import { signTx } from "../../src/program/index.js";
import { transferProgram } from "../../src/workloads/programs.js";
import { alice, beacon, bob, build, createChain, importBlock, resign, SEED, transferTx, type Chain } from "./receipts.js";
import { beaconBlockToJson, shardBlockToJson, stateToJson } from "./receiptsJson.js";
import { processShardBlock } from "../../src/protocols/receipts/shardBlock.js";
import { processBeaconBlock } from "../../src/protocols/receipts/beaconBlock.js";

export interface Vector {
  readonly transition: "processShardBlock" | "processBeaconBlock";
  readonly description: string;
  readonly chain: { mode: string; seed: string; validators: number; committeeSize: number; shards: number; blockTxLimit: number; options: Record<string, number> };
  readonly pre: unknown;
  readonly input: unknown;
  readonly post: unknown;
  readonly error: string | null;
}

const chainOf = (mode: string, options: Record<string, number> = {}): Vector["chain"] => ({ mode, seed: SEED, validators: 8, committeeSize: 4, shards: 2, blockTxLimit: 8, options });

function shardVector(chain: Chain, description: string, pre: ReceiptsState, block: SignedShardBlock, options: Record<string, number> = {}): Vector {
  let post: unknown = null;
  let error: string | null = null;
  try {
    post = stateToJson(processShardBlock(pre, block, chain.ctx).state);
  } catch (e) {
    error = (e as { code?: string }).code ?? "THROWN";
  }
  return { transition: "processShardBlock", description, chain: chainOf(chain.ctx.rule.mode, options), pre: stateToJson(pre), input: shardBlockToJson(block), post, error };
}

/** Two-hop transfer: shard 0's block of slot 0, shard 1's empty block, the beacon block of slot 1. */
function afterFirstHop(mode: string, options: Record<string, number> = {}, txs = 1) {
  const chain = createChain(mode, { options });
  const block0 = build(chain, 0, 0, Array.from({ length: txs }, (_, i) => ({ kind: "tx" as const, tx: transferTx(BigInt(i)) })));
  const r0 = importBlock(chain, block0);
  importBlock(chain, build(chain, 1, 0, []));
  const b1 = beacon(chain, 1);
  return { chain, block0, receipts: r0.receipts, claims: r0.receipts.map((r, i) => createClaim(r, r0.receiptList, block0.header, b1.crosslinks, 1, 0 * i)) };
}

export function generateReceiptsVectors(): Record<string, Vector> {
  const out: Record<string, Vector> = {};
  const flip = (b: Uint8Array) => Uint8Array.from(b, (x, i) => (i === 0 ? x ^ 1 : x));

  // processShardBlock: a first segment that emits a receipt, and what a wrong header gets.
  {
    const chain = createChain("nonsequential");
    const pre = chain.state;
    const block = build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }]);
    out["processShardBlock/first_segment_emits_receipt"] = shardVector(chain, "alice's two-token transfer starts on shard 0: tokenA moves, a receipt for shard 1 is committed in the header", pre, block);
    out["processShardBlock/wrong_receipts_root"] = shardVector(chain, "the header's receipts root commits no receipt", pre, resign(chain, block, { ...block.header, receiptsRoot: flip(block.header.receiptsRoot) }));
    out["processShardBlock/wrong_state_root"] = shardVector(chain, "the header's state root is not the shard's state after the block", pre, resign(chain, block, { ...block.header, stateRoot: flip(block.header.stateRoot) }));
    const other = chain.ctx.committees[0]!.find((v) => v.index !== block.header.proposer)!;
    out["processShardBlock/wrong_proposer"] = shardVector(chain, "a committee member who is not the slot's proposer signs as proposer", pre, resign(chain, block, { ...block.header, proposer: other.index }));
    out["processShardBlock/attestation_below_two_thirds"] = shardVector(chain, "only half the committee's signers", pre, { ...block, attestation: { ...block.attestation, signers: block.attestation.signers.slice(0, 2) } });
    out["processShardBlock/wrong_base_fee"] = shardVector(chain, "the header claims another base fee than the shard's", pre, resign(chain, block, { ...block.header, baseFee: 2n }));
    const huge = transferTx(0n, 5n, false, 3_000_000n);
    out["processShardBlock/gas_limit_above_block"] = shardVector(chain, "a transaction whose gas limit exceeds the block gas limit", pre, { ...build(chain, 0, 0, []), items: [{ kind: "tx", tx: huge }] });
    const poor = signTx({ sender: bob.address, nonce: 0n, maxFeePerGas: 10n, gasLimit: 1_000_000n, program: transferProgram("tokenA", alice.address, 1n) }, bob.key);
    out["processShardBlock/insufficient_balance"] = shardVector(chain, "bob's budget at his cap exceeds his beacon balance", pre, { ...build(chain, 0, 0, []), items: [{ kind: "tx", tx: poor }] });
  }
  // nonsequential claims.
  {
    const { chain, claims } = afterFirstHop("nonsequential");
    const pre = chain.state;
    const item = { kind: "claim" as const, claim: claims[0]! };
    out["processShardBlock/claim_accepted"] = shardVector(chain, "the claim proves the receipt to beacon block 1's crosslinks; tokenB moves and the bit is set", pre, build(chain, 1, 1, [item]));
    out["processShardBlock/double_claim_in_block"] = shardVector(chain, "the same claim twice in one block", pre, { ...build(chain, 1, 1, [item]), items: [item, item] });
    out["processShardBlock/claim_wrong_shard"] = shardVector(chain, "a claim for shard 1 in shard 0's block", pre, { ...build(chain, 0, 1, []), items: [item] });
    const forged = { kind: "claim" as const, claim: { ...claims[0]!, receipt: { ...claims[0]!.receipt, prepaid: claims[0]!.receipt.prepaid + 1n } } };
    out["processShardBlock/claim_forged_receipt"] = shardVector(chain, "the receipt's prepaid fee was raised after it was committed", pre, { ...build(chain, 1, 1, []), items: [forged] });
  }
  {
    const { chain, claims } = afterFirstHop("nonsequential", { window: 1 });
    for (const slot of [1, 2]) {
      importBlock(chain, build(chain, 0, slot, []));
      importBlock(chain, build(chain, 1, slot, []));
      beacon(chain, slot + 1);
    }
    out["processShardBlock/claim_stale"] = shardVector(chain, "with a window of 1 slot, a claim proving to beacon block 1 in slot 3", chain.state, { ...build(chain, 1, 3, []), items: [{ kind: "claim", claim: claims[0]! }] }, { window: 1 });
  }
  // sequential delivered receipts.
  {
    const { chain, receipts } = afterFirstHop("sequential", {}, 2);
    const pre = chain.state;
    const [r0, r1] = [receipts[0]!, receipts[1]!];
    out["processShardBlock/sequential_in_order"] = shardVector(chain, "two receipts from shard 0, forced in nonce order", pre, build(chain, 1, 1, [], [{ kind: "receipt", receipt: r0 }, { kind: "receipt", receipt: r1 }]));
    out["processShardBlock/sequential_out_of_order"] = shardVector(chain, "nonce 1 before nonce 0", pre, { ...build(chain, 1, 1, []), items: [{ kind: "receipt", receipt: r1 }, { kind: "receipt", receipt: r0 }] });
    out["processShardBlock/sequential_unknown_receipt"] = shardVector(chain, "a receipt never committed by any crosslinked header", pre, { ...build(chain, 1, 1, []), items: [{ kind: "receipt", receipt: { ...r0, gasLeft: r0.gasLeft + 1n } }] });
  }
  // passive order.
  {
    const chain = createChain("passive");
    const low = signTx({ sender: alice.address, nonce: 0n, maxFeePerGas: 10n, gasLimit: 1_000_000n, program: transferProgram("tokenA", bob.address, 1n) }, alice.key);
    const high = signTx({ sender: alice.address, nonce: 1n, maxFeePerGas: 20n, gasLimit: 1_000_000n, program: transferProgram("tokenA", bob.address, 1n) }, alice.key);
    out["processShardBlock/passive_fee_order"] = shardVector(chain, "a lower fee cap before a higher one", chain.state, { ...build(chain, 0, 0, []), items: [{ kind: "tx", tx: low }, { kind: "tx", tx: high }] });
  }
  // processBeaconBlock.
  {
    const chain = createChain("sequential");
    importBlock(chain, build(chain, 0, 0, [{ kind: "tx", tx: transferTx(0n) }]));
    importBlock(chain, build(chain, 1, 0, []));
    const pre = chain.state;
    const roots = pre.pendingHeaders.map((h) => h.root);
    const beaconVector = (description: string, signed: ReturnType<typeof buildBeaconBlock>["signed"]): Vector => {
      let post: unknown = null;
      let error: string | null = null;
      try {
        post = stateToJson(processBeaconBlock(pre, signed, chain.ctx));
      } catch (e) {
        error = (e as { code?: string }).code ?? "THROWN";
      }
      return { transition: "processBeaconBlock", description, chain: chainOf("sequential"), pre: stateToJson(pre), input: beaconBlockToJson(signed), post, error };
    };
    const ok = buildBeaconBlock(pre, 1, roots, chain.ctx).signed;
    out["processBeaconBlock/crosslinks_slot_0"] = beaconVector("beacon block 1 crosslinks both headers of slot 0; shard 0's receipt becomes readable on shard 1", ok);
    out["processBeaconBlock/unknown_header"] = beaconVector("a crosslink to a header no shard produced", buildBeaconBlock(pre, 1, [new Uint8Array(32).fill(7)], chain.ctx).signed);
    out["processBeaconBlock/wrong_crosslinks_root"] = beaconVector("the crosslinks root does not commit the listed headers", { ...ok, crosslinks: roots.slice(0, 1) });
    out["processBeaconBlock/attestation_below_two_thirds"] = beaconVector("one signer of the slot committee", { ...ok, attestation: { ...ok.attestation, signers: ok.attestation.signers.slice(0, 1) } });
  }
  return out;
}
