/**
 * Building a shard block from a shard's local view (its mempool and, for queue modes, its forced
 * receipt queue): the consume rule says what comes first and in which order; each candidate is
 * tried against a working copy of the state and taken, left to wait, or dropped for good. The
 * block is then sealed (roots) and attested. Building is separate from verification: the driver
 * imports the built block through `processShardBlock` like any block it receives.
 */
import { XshardError } from "../../errors.js";
import { commitList } from "../../state/index.js";
import type { ReceiptsContext } from "./context.js";
import type { PoolEntry } from "./consume/rule.js";
import { isForcedSlotLeft } from "./consume/sequential.js";
import { openShardBlock, processBlockItem } from "./blockItems.js";
import type { ReceiptsState } from "./state.js";
import { checkBuiltShardBlock, computeShardHeader, signShardHeader, type ShardBlockResult, type SignedShardBlock } from "./shardBlock.js";
import type { ShardBlockWork } from "./blockItems.js";
import type { VerifyOptions } from "./observer.js";
import type { ShardHeaderValue } from "./containers.js";
import type { Validator } from "../../chain/index.js";

/** A shard's local view: what it has received and not yet included. Not agreed chain state. */
export interface ShardView<T> {
  readonly mempool: readonly PoolEntry<T>[];
  /** Queue modes: delivered receipts waiting for forced inclusion, in arrival order. */
  readonly queue: readonly PoolEntry<T>[];
}

/** What a proposer may do differently; the honest proposer (no hooks) is the protocol's default. */
export interface ProposerBehaviour {
  /** Changes the sealed header before the committee signs it (a faulty or malicious proposer). */
  alterHeader?(header: ShardHeaderValue): ShardHeaderValue;
  /** The committee members who sign the header (absent: every member; offline ones do not sign). */
  signers?(committee: readonly Validator[]): readonly Validator[];
}

export interface BuiltShardBlock<T> {
  readonly block: SignedShardBlock;
  /** The view after the block: what was neither taken nor dropped. */
  readonly view: ShardView<T>;
  /** Entries left to wait, with the reason (in the order they were tried). */
  readonly waiting: readonly { readonly entry: PoolEntry<T>; readonly reason: string }[];
  /** Entries dropped for good, with the rule they break (or recorded as rejected by congestion control). */
  readonly dropped: readonly { readonly entry: PoolEntry<T>; readonly code: string; readonly reason: string }[];
  /** Queue modes: receipts forced into this block. */
  readonly forced: number;
  /** The state the block was built on and the build's own execution of its items (see `processBuiltShardBlock`). */
  readonly pre: ReceiptsState;
  readonly work: ShardBlockWork;
  /** The header as the execution sealed it (before any `alterHeader`). */
  readonly sealed: ShardHeaderValue;
}

/** Builds shard `shard`'s block for `slot` from its view (see the file's comment). */
export function buildShardBlock<T>(state: ReceiptsState, shard: number, slot: number, view: ShardView<T>, ctx: ReceiptsContext, behaviour: ProposerBehaviour = {}): BuiltShardBlock<T> {
  if (!state.shards[shard]) throw new XshardError("UNKNOWN_SHARD", `no shard ${shard}`, { shard });
  const w = openShardBlock(state, shard, slot, ctx);
  const waiting: { entry: PoolEntry<T>; reason: string }[] = [];
  const dropped: { entry: PoolEntry<T>; code: string; reason: string }[] = [];
  const full = `block full on shard ${shard}`;

  // Forced receipts first (queue modes), in the order the rule picks them.
  const queue = [...view.queue];
  let forced = 0;
  const limit = ctx.rule.forcedLimit(ctx.params);
  while (queue.length > 0 && isForcedSlotLeft(forced, limit) && w.items.length < ctx.blockTxLimit) {
    const i = ctx.rule.pickForced?.(queue, w.shard);
    if (i === undefined) break;
    const entry = queue[i] as PoolEntry<T>;
    const v = processBlockItem(w, entry.item);
    if (v.ok === "wait") break;
    queue.splice(i, 1);
    if (v.ok === true) forced++;
    else dropped.push({ entry, code: v.code, reason: v.reason });
  }
  for (const entry of queue) waiting.push({ entry, reason: ctx.rule.getQueueWaitReason?.(entry, w.shard) ?? `receipt queued on shard ${shard}` });

  // Then the mempool, in the rule's order.
  const gone = new Set<PoolEntry<T>>();
  for (const entry of ctx.rule.orderMempool(view.mempool)) {
    if (w.items.length >= ctx.blockTxLimit) {
      waiting.push({ entry, reason: full });
      continue;
    }
    const v = processBlockItem(w, entry.item);
    if (v.ok === "wait") waiting.push({ entry, reason: v.reason });
    else {
      gone.add(entry);
      if (v.ok === false || v.ok === "rejected") dropped.push({ entry, code: v.code, reason: v.reason });
    }
  }

  const sealed = computeShardHeader(w, commitList(w.receiptRoots));
  const header = behaviour.alterHeader ? behaviour.alterHeader(sealed) : sealed;
  const block: SignedShardBlock = { header, items: w.items, attestation: signShardHeader(ctx, header, behaviour.signers?.(ctx.committees[shard] as readonly Validator[])) };
  return { block, view: { mempool: view.mempool.filter((e) => !gone.has(e)), queue }, waiting, dropped, forced, pre: state, work: w, sealed };
}

/**
 * Imports a block this node built, as a proposer does: the same checks as `processShardBlock` —
 * header rules (slot, parent, proposer, base fee, the committee's attestation with signatures where
 * enabled, item count and order), then gas used, receipts root and state root — but against the
 * build's own execution of the items instead of a second one. Only for a block built on this very
 * state; anything else (a block from another builder) is verified in full by `processShardBlock`.
 */
export function processBuiltShardBlock<T>(state: ReceiptsState, built: BuiltShardBlock<T>, ctx: ReceiptsContext, opts: VerifyOptions = {}): ShardBlockResult {
  if (built.pre !== state) throw new XshardError("NOT_BUILT_ON_STATE", "a built block is imported only on the state it was built on; verify it with processShardBlock", {});
  return checkBuiltShardBlock(state, built.block, built.work, built.sealed, ctx, opts);
}
