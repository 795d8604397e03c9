/**
 * lock2pc transitions and block import with hand-built invalid input: every broken rule gets the
 * typed error naming it, and the input state is unchanged.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "../../src/runner.js";
import { ShardsDriver } from "../../src/sim/shards/driver.js";
import { buildShardAttestation } from "../../src/protocols/shards/attestation.js";
import { RESULT_KINDS } from "../../src/protocols/lock2pc/containers.js";
import { DOMAIN_LOCK2PC_BLOCK } from "../../src/protocols/lock2pc/containers.js";
import { buildLock2pcBlock, computeLock2pcBlockRoot, processCrosslink, processLock2pcBlock, type Lock2pcBlock } from "../../src/protocols/lock2pc/block.js";
import { createLock2pcState, processAbort, processCommit, type Lock2pcState } from "../../src/protocols/lock2pc/transitions.js";
import type { LockProof } from "../../src/protocols/lock2pc/rules.js";
import type { Snap } from "../../src/protocols/shards/world.js";
import { run, scenario } from "../helpers/run.js";

const swap = JSON.parse(readFileSync("scenarios/single-swap-direct.json", "utf8"));

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return "accepted";
}

/** One swap over three shards: lock blocks built and crosslinked at slot 0, proofs from their results. */
function setUp() {
  const config = resolveRunConfig({ protocol: "lock2pc", validators: 16, committeeSize: 4, shards: 3, signatures: true });
  const d = new ShardsDriver({ config, workload: scenario(swap) }, "lock2pc");
  const ctx = d.ctx;
  const { state: world, admitted } = d.admit(d.genesis, 0);
  const t = admitted[0]!;
  let state: Lock2pcState = createLock2pcState(world, 3);
  const pre = state;
  const blocks: Lock2pcBlock[] = [];
  const proofs: LockProof[] = [];
  const pinned = new Map<string, Snap>();
  for (let y = 0; y < 3; y++) {
    const { body, applied } = buildLock2pcBlock(state, y, 0, [{ kind: "lock", tx: t }], ctx);
    const block = { ...body, attestation: buildShardAttestation(ctx, y, DOMAIN_LOCK2PC_BLOCK, computeLock2pcBlockRoot(body.header)) };
    blocks.push(block);
    state = applied.state;
    applied.leaves.forEach((leaf, i) => {
      proofs.push({ shard: y, slot: 0, index: i, length: applied.leaves.length, leaf, branch: applied.results.prove(i) });
      const id = new TextDecoder().decode(leaf.contract);
      pinned.set(id, state.world.states.get(id)!);
    });
  }
  for (const b of blocks) state = processCrosslink(state, b.header, b.attestation, ctx);
  return { ctx, t, pre, state, blocks, proofs, pinned };
}

describe("lock2pc: import checks", () => {
  const { ctx, t, pre, state, blocks, proofs, pinned } = setUp();

  it("the built blocks import (re-applied, roots compared); wrong roots, proposer, parent, aggregate → the rule's code", () => {
    const b = blocks[1]!;
    const ok = processLock2pcBlock(pre, b, ctx);
    expect(ok.state.locks.get("tokenA")).toBe(t.seq);
    expect(pre.locks.size).toBe(0);
    const resign = (h: Lock2pcBlock["header"]): Lock2pcBlock => ({ ...b, header: h, attestation: buildShardAttestation(ctx, h.shard, DOMAIN_LOCK2PC_BLOCK, computeLock2pcBlockRoot(h)) });
    expect(code(() => processLock2pcBlock(pre, resign({ ...b.header, stateRoot: new Uint8Array(32) }), ctx))).toBe("WRONG_STATE_ROOT");
    expect(code(() => processLock2pcBlock(pre, resign({ ...b.header, resultsRoot: new Uint8Array(32) }), ctx))).toBe("WRONG_RESULTS_ROOT");
    expect(code(() => processLock2pcBlock(pre, resign({ ...b.header, opsRoot: new Uint8Array(32) }), ctx))).toBe("WRONG_OPS_ROOT");
    expect(code(() => processLock2pcBlock(pre, resign({ ...b.header, proposer: b.header.proposer + 1 }), ctx))).toBe("WRONG_PROPOSER");
    expect(code(() => processLock2pcBlock(pre, resign({ ...b.header, parentRoot: new Uint8Array(32).fill(3) }), ctx))).toBe("WRONG_PARENT");
    expect(code(() => processLock2pcBlock(pre, { ...b, attestation: blocks[2]!.attestation }, ctx))).toBe("UNKNOWN_SIGNER");
    const sig = b.attestation.signature.slice();
    sig[9] = (sig[9] as number) ^ 1;
    expect(code(() => processLock2pcBlock(pre, { ...b, attestation: { ...b.attestation, signature: sig } }, ctx))).toBe("BAD_SIGNATURE");
    expect(code(() => processCrosslink(state, b.header, b.attestation, ctx))).toBe("DUPLICATE_CROSSLINK");
  });

  it("commit with every lock proof executes and releases the shard's locks", () => {
    const own = new Map([...pinned].filter(([id]) => id !== "exchange"));
    const r = processCommit(state, 0, t, proofs, own, ctx);
    expect(r.outcome?.status).toBe("committed");
    expect(r.state.locks.has("exchange")).toBe(false);
    expect(r.state.locks.has("tokenA")).toBe(true);
    expect(state.locks.has("exchange")).toBe(true);
  });

  it("a block whose executions use more than the slot gas is refused at import (BLOCK_GAS_EXCEEDED)", () => {
    const own = new Map([...pinned].filter(([id]) => id !== "exchange"));
    const gas = processCommit(state, 0, t, proofs, own, ctx).gas;
    expect(gas).toBeGreaterThan(0n);
    const { body } = buildLock2pcBlock(state, 0, 1, [{ kind: "commit", tx: t, proofs, pinned: own }], ctx);
    const block: Lock2pcBlock = { ...body, attestation: buildShardAttestation(ctx, 0, DOMAIN_LOCK2PC_BLOCK, computeLock2pcBlockRoot(body.header)) };
    expect(processLock2pcBlock(state, block, ctx).gasUsed).toBe(gas);
    expect(code(() => processLock2pcBlock(state, block, { ...ctx, slotGas: gas }))).toBe("accepted");
    expect(code(() => processLock2pcBlock(state, block, { ...ctx, slotGas: gas - 1n }))).toBe("BLOCK_GAS_EXCEEDED");
    expect(code(() => buildLock2pcBlock(state, 0, 1, [{ kind: "commit", tx: t, proofs, pinned: own }], { ...ctx, slotGas: gas - 1n }))).toBe("BLOCK_GAS_EXCEEDED");
  });

  it("a forged lock proof, a missing one, an unknown block, an abort with every lock → the rule's code", () => {
    const forged = proofs.map((p, i) => (i === 1 ? { ...p, leaf: { ...p.leaf, kind: RESULT_KINDS.refused } } : p));
    expect(code(() => processCommit(state, 0, t, forged, pinned, ctx))).toBe("BAD_LOCK_PROOF");
    expect(code(() => processAbort(state, 0, t, forged, {}))).toBe("BAD_LOCK_PROOF");
    expect(code(() => processCommit(state, 0, t, proofs.slice(1), pinned, ctx))).toBe("MISSING_LOCK_PROOF");
    expect(code(() => processCommit(state, 0, t, proofs.map((p) => ({ ...p, slot: 7 })), pinned, ctx))).toBe("UNKNOWN_HEADER");
    expect(code(() => processAbort(state, 0, t, proofs))).toBe("ALL_LOCKED");
    const otherState = new Map(pinned);
    otherState.set("tokenB", { ...pinned.get("tokenB")!, kv: pinned.get("tokenB")!.kv.applyWrites(new Map([["00", new Uint8Array([1])]])) });
    expect(code(() => processCommit(state, 0, t, proofs, otherState, ctx))).toBe("WRONG_PINNED_STATE");
    expect(code(() => processCommit({ ...state, locks: new Map() }, 0, t, proofs, pinned, ctx))).toBe("LOCK_NOT_HELD");
  });
});

describe("lock2pc: messages through the network model", () => {
  it("lock results, proofs and headers that arrive late are used later; nothing is partial", () => {
    const fast = run("lock2pc", scenario(swap), { shards: 3 }).results;
    expect(fast.txs[0]).toMatchObject({ outcome: "committed", includedSlot: 0, finalSlot: 1 });
    expect(fast.summary.protocol.lateMessages).toBe(0);
    // 20 s per hop: the client has the lock results at 20 s, its proofs reach the shards at 40 s → slot 4.
    const slow = run("lock2pc", scenario(swap), { shards: 3, network: { kind: "fixed", ms: 20_000 } }).results;
    expect(slow.txs[0]).toMatchObject({ outcome: "committed", includedSlot: 0, finalSlot: 4 });
    expect(slow.summary.protocol.lateMessages).toBeGreaterThan(0);
    const varied = run("lock2pc", scenario(swap), { shards: 3, network: { kind: "uniform", min: 100, max: 30_000 } }).results;
    expect(varied.summary.outcomes.committed + varied.summary.outcomes.partial).toBe(1);
    expect(varied.summary.outcomes.partial).toBe(0);
  });
});
