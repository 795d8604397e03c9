/**
 * Import-time verification of sync blocks and confirmations: hand-built invalid blocks get the
 * typed error naming the broken rule, and the input state is left as it was.
 */
import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "../../src/runner.js";
import { ShardsDriver } from "../../src/sim/shards/driver.js";
import { buildShardAttestation } from "../../src/protocols/shards/attestation.js";
import { buildSyncBlock, computeSyncBlockRoot, createSyncState, processSyncBlock, type SyncBlock, type SyncBlockBody } from "../../src/protocols/sync/block.js";
import { DOMAIN_CONFIRMATION, DOMAIN_SYNC_BLOCK } from "../../src/protocols/sync/containers.js";
import { buildConfirmation, checkRemoteRead, computeConfirmationRoot, processSyncHeight, selectCrossShardWithinGas, type SyncConfirmation } from "../../src/protocols/sync/execution.js";
import { getListedShards, type AdmittedTx } from "../../src/protocols/shards/world.js";
import { run, scenario } from "../helpers/run.js";
import { SYNC_SCENARIO as doc } from "../vectors/baselines.js";


function setUp() {
  const config = resolveRunConfig({ protocol: "sync", validators: 16, committeeSize: 4, shards: 2, signatures: true });
  const d = new ShardsDriver({ config, workload: scenario(doc) }, "sync");
  const { state: world, admitted } = d.admit(d.genesis, 0);
  const state = createSyncState(world, 2);
  const sign = (body: SyncBlockBody): SyncBlock => ({ ...body, attestation: buildShardAttestation(d.ctx, body.header.shard, DOMAIN_SYNC_BLOCK, computeSyncBlockRoot(body.header)) });
  return { d, ctx: d.ctx, state, admitted, sign, params: { blockTxLimit: 16 } };
}

describe("sync: importing a shard block", () => {
  const { ctx, state, admitted, sign, params } = setUp();
  const built = buildSyncBlock(state, 0, 0, admitted, admitted.map(() => true), params, ctx);
  const good = sign(built.body);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return "accepted";
  };

  it("the built block imports and moves the shard's head; the builder kept one cross-shard transaction per address", () => {
    expect(built.conflicts).toBe(1);
    expect(good.txs).toHaveLength(2);
    const next = processSyncBlock(state, good, params, ctx);
    expect(next.heads[0]!.height).toBe(0);
    expect(next.heads[0]!.root).toEqual(computeSyncBlockRoot(good.header));
    expect(state.heads[0]!.height).toBe(-1);
  });

  it("wrong entries root, proposer, parent, height, size → the rule's code", () => {
    expect(code(() => processSyncBlock(state, sign({ ...good, header: { ...good.header, entriesRoot: new Uint8Array(32) } }), params, ctx))).toBe("WRONG_ENTRIES_ROOT");
    expect(code(() => processSyncBlock(state, sign({ ...good, header: { ...good.header, proposer: good.header.proposer + 1 } }), params, ctx))).toBe("WRONG_PROPOSER");
    expect(code(() => processSyncBlock(state, sign({ ...good, header: { ...good.header, parentRoot: new Uint8Array(32).fill(1) } }), params, ctx))).toBe("WRONG_PARENT");
    expect(code(() => processSyncBlock(state, sign({ ...good, header: { ...good.header, height: 1 } }), params, ctx))).toBe("WRONG_HEIGHT");
    expect(code(() => processSyncBlock(state, good, { blockTxLimit: 1 }, ctx))).toBe("BLOCK_TOO_LARGE");
  });

  it("a transaction whose gas limit is above the slot gas → GAS_LIMIT_ABOVE_SLOT", () => {
    expect(code(() => processSyncBlock(state, good, params, { ...ctx, slotGas: good.txs[0]!.stx.tx.gasLimit - 1n }))).toBe("GAS_LIMIT_ABOVE_SLOT");
    expect(code(() => processSyncBlock(state, good, params, { ...ctx, slotGas: good.txs[0]!.stx.tx.gasLimit }))).toBe("accepted");
  });

  it("a height runs within the slot gas of every shard: what does not fit is deferred to a later height", () => {
    const [t0, t2] = [admitted[0]!, admitted[2]!];
    expect(getListedShards(state.world, t0.footprint)).toEqual([0, 1]);
    expect(getListedShards(state.world, t2.footprint)).toEqual([0]);
    const gasOf = (t: AdmittedTx) => selectCrossShardWithinGas(ctx, state.world, [t]).used[0]!;
    const [g0, g2] = [gasOf(t0), gasOf(t2)];
    const b0 = sign(buildSyncBlock(state, 0, 0, [t0, t2], [true, true], params, ctx).body);
    const b1 = sign(buildSyncBlock(state, 1, 0, [t0], [true], params, ctx).body);
    const imported = processSyncBlock(processSyncBlock(state, b0, params, ctx), b1, params, ctx);
    const confs = [0, 1].map((y) => {
      const c = buildConfirmation(state.world, y, -1, new Uint8Array(32), state.world.states);
      return { ...c, attestation: buildShardAttestation(ctx, y, DOMAIN_CONFIRMATION, computeConfirmationRoot(c.value)) };
    });
    const full = processSyncHeight(imported, [b0, b1], confs, ctx, new Set());
    expect(full.ran.map((r) => r.tx.txIdHex).sort()).toEqual([t0.txIdHex, t2.txIdHex].sort());
    expect(full.deferred).toEqual([]);
    expect(full.executed[0]!.gasUsed).toBe(g0 + g2);
    expect(full.executed[1]!.gasUsed).toBe(g0);
    // Shard 0's slot gas holds the larger of the two only: the cross-shard transaction runs first, the other waits.
    const tight = processSyncHeight(imported, [b0, b1], confs, { ...ctx, slotGas: g0 > g2 ? g0 : g2 }, new Set());
    expect(tight.ran.map((r) => r.tx.txIdHex)).toEqual([t0.txIdHex]);
    expect(tight.deferred).toEqual([t2]);
    // Too little for the cross-shard one on a shard it lists: it is deferred on every shard.
    const none = processSyncHeight(imported, [b0, b1], confs, { ...ctx, slotGas: g0 - 1n }, new Set());
    expect(none.ran.map((r) => r.tx.txIdHex)).toEqual(g2 <= g0 - 1n ? [t2.txIdHex] : []);
    expect(none.deferred.map((t) => t.txIdHex)).toContain(t0.txIdHex);
    expect(none.executed[1]!.gasUsed).toBe(0n);
  });

  it("two cross-shard transactions at one address, or a transaction of another shard → the rule's code", () => {
    const both = sign({ header: { ...good.header }, txs: [admitted[0]!, admitted[1]!] });
    expect(code(() => processSyncBlock(state, both, params, ctx))).toBe("ADDRESS_CONFLICT");
    const other = buildSyncBlock(state, 1, 0, [admitted[2]!], [true], params, ctx);
    const forged = sign({ header: { ...other.body.header }, txs: [admitted[2]!] });
    expect(code(() => processSyncBlock(state, forged, params, ctx))).toBe("NOT_ON_SHARD");
  });

  it("bad aggregate, too few signers, an outsider → the attestation rule's code", () => {
    const sig = good.attestation.signature.slice();
    sig[5] = (sig[5] as number) ^ 1;
    expect(code(() => processSyncBlock(state, { ...good, attestation: { ...good.attestation, signature: sig } }, params, ctx))).toBe("BAD_SIGNATURE");
    const otherRoot = sign({ ...good, header: { ...good.header, entriesRoot: new Uint8Array(32) } });
    expect(code(() => processSyncBlock(state, { ...good, attestation: otherRoot.attestation }, params, ctx))).toBe("BAD_SIGNATURE");
    const committee = ctx.committees[0]!;
    const few = buildShardAttestation(ctx, 0, DOMAIN_SYNC_BLOCK, computeSyncBlockRoot(good.header), committee.slice(0, 1));
    expect(code(() => processSyncBlock(state, { ...good, attestation: few }, params, ctx))).toBe("NO_SUPERMAJORITY");
    const outsider = ctx.validators.find((v) => !committee.includes(v))!;
    expect(code(() => processSyncBlock(state, { ...good, attestation: { ...good.attestation, signers: [...good.attestation.signers.slice(1), outsider.index] } }, params, ctx))).toBe(
      "UNKNOWN_SIGNER",
    );
  });

  it("a confirmation signed by another committee, or naming a contract not in its root, is refused by the reader", () => {
    const conf = buildConfirmation(state.world, 1, 0, new Uint8Array(32), state.world.states);
    const signed: SyncConfirmation = { ...conf, attestation: buildShardAttestation(ctx, 1, DOMAIN_CONFIRMATION, computeConfirmationRoot(conf.value)) };
    checkRemoteRead(ctx, 0, signed, "b", new Set(), new Set());
    const wrongCommittee = { ...conf, attestation: buildShardAttestation(ctx, 0, DOMAIN_CONFIRMATION, computeConfirmationRoot(conf.value), ctx.committees[0]!.filter((v) => !ctx.committees[1]!.includes(v))) };
    expect(code(() => checkRemoteRead(ctx, 0, wrongCommittee, "b", new Set(), new Set()))).toBe("UNKNOWN_SIGNER");
    expect(code(() => checkRemoteRead(ctx, 0, { ...signed, value: { ...signed.value, stateRoot: new Uint8Array(32) } }, "b", new Set(), new Set()))).toBe("BAD_SIGNATURE");
    expect(code(() => checkRemoteRead(ctx, 0, signed, "a", new Set(), new Set()))).toBe("BAD_CONTRACT_LEAF");
  });
});

describe("sync: messages through the network model", () => {
  const w = scenario({ ...doc, transactions: [doc.transactions[0]!, doc.transactions[2]!] });

  it("delays inside a slot change nothing; blocks and confirmations that arrive late are used later", () => {
    const fast = run("sync", w, { shards: 2, options: { q: 1 } }).results;
    expect(fast.txs.map((t) => t.finalSlot)).toEqual([1, 1]);
    expect(fast.summary.protocol.lateMessages).toBe(0);
    expect(fast.config.network).toBe("fixed(500)");
    // 20 s > one 12 s slot: height 0's blocks reach the other shard during slot 1, so height 0 runs in slot 2.
    const slow = run("sync", w, { shards: 2, options: { q: 1 }, network: { kind: "fixed", ms: 20_000 } }).results;
    expect(slow.txs.map((t) => [t.outcome, t.includedSlot, t.finalSlot])).toEqual([
      ["committed", 0, 2],
      ["committed", 0, 2],
    ]);
    expect(slow.summary.protocol.lateMessages).toBeGreaterThan(0);
  });

  it("a later height waits for the confirmations of the one before it", () => {
    const later = scenario({ ...doc, transactions: [doc.transactions[0]!, { ...doc.transactions[1]!, slot: 1 }] });
    const slow = run("sync", later, { shards: 2, options: { q: 1 }, network: { kind: "fixed", ms: 20_000 } }).results;
    // Height 0 runs in slot 2; its confirmations (sent then) arrive in slot 3, so height 1 runs in slot 4.
    expect(slow.txs.map((t) => t.finalSlot)).toEqual([2, 4]);
  });
});
