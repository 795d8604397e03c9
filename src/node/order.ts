/**
 * The canonical import order of the two chains (issue 13, "same-slot import order"). A Stage-2
 * block carries the Stage-1 height and root its proposer built on; its canonical place is right
 * after that Stage-1 block and before the next one. Every node applies blocks in that order:
 * - replay from the store and catch-up merge the two chains with `mergeChains`;
 * - a Stage-2 block built on a Stage-1 height the node has not reached is not imported (the
 *   node catches up: both chains come back merged);
 * - a Stage-2 block built on a Stage-1 height the node has already passed (it imported the next
 *   Stage-1 block first) is put in its place over the recent Stage-1 blocks
 *   (`NodeChain.reorderStage2`) or, where that does not apply, by `rebuildWithStage2`: the chain
 *   is replayed from the store in the canonical order with the new block in its place, into a
 *   fresh `NodeChain` that replaces the node's only if every block imports (the store is not
 *   trusted: the same verifying transitions run again).
 * No clock, no network: pure functions of the genesis and the blocks.
 */
import { bytesEqual } from "../crypto/hash.js";
import { XshardError } from "../errors.js";
import type { SignedStage1Block } from "../protocols/delayed/stage1.js";
import { NodeChain, type NodeTxRecord } from "./chain.js";
import type { DevnetGenesis } from "./genesis.js";
import type { NodeStore } from "./store/store.js";
import { decodeStage1Block, decodeStage2Block, materializeStage2Block, type Stage2BlockValue } from "./wire.js";

export type OrderItem =
  | { readonly chain: "stage1"; readonly slot: number; readonly height: number; readonly block: SignedStage1Block; readonly bytes: Uint8Array }
  | { readonly chain: "stage2"; readonly slot: number; readonly height: number; readonly block: Stage2BlockValue; readonly bytes: Uint8Array };

/**
 * Both chains' blocks (each in height order; `s1[0]` is Stage-1 height `s1From`) merged into the
 * canonical import order: a Stage-2 block right after the Stage-1 block its proposer built on
 * (`stage1Height`), before the next one. `s2From` is the Stage-2 height of `s2[0]`.
 */
export function mergeChains(s1: readonly Uint8Array[], s2: readonly Uint8Array[], s1From = 1, s2From = 1): OrderItem[] {
  const a = s1.map((bytes, i): OrderItem => {
    const block = decodeStage1Block(bytes);
    return { chain: "stage1", slot: block.header.slot, height: s1From + i, block, bytes };
  });
  const b = s2.map((bytes, i): OrderItem => {
    const block = decodeStage2Block(bytes);
    return { chain: "stage2", slot: block.header.slot, height: s2From + i, block, bytes };
  });
  const out: OrderItem[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const base = y && y.chain === "stage2" ? y.block.stage1Height : Number.MAX_SAFE_INTEGER;
    if (x && x.height <= base) (out.push(x), i++);
    else if (y) (out.push(y), j++);
  }
  return out;
}

/** Checks that a Stage-2 block's Stage-1 base is on `chain` (else `STAGE1_BEHIND` / `STAGE1_FORK`). */
export function checkStage1Base(chain: NodeChain, value: Stage2BlockValue): void {
  const height = value.stage1Height;
  if (height > chain.stage1.height) throw new XshardError("STAGE1_BEHIND", `Stage-2 block of slot ${value.header.slot} built on Stage-1 height ${height}, ours is ${chain.stage1.height}`, { height, ours: chain.stage1.height });
  const ours = height === 0 ? new Uint8Array(32) : chain.stage1Roots[height - 1];
  if (!ours || !bytesEqual(ours, value.stage1Root)) throw new XshardError("STAGE1_FORK", `Stage-2 block of slot ${value.header.slot} built on another Stage-1 chain`, { height });
}

/** Imports one item into `chain` through the verifying transitions (throws the rule's error); a Stage-2 block must be built on `chain`'s Stage-1 head. */
export function importItem(chain: NodeChain, it: OrderItem): NodeTxRecord[] {
  if (it.chain === "stage1") return chain.importStage1(it.block);
  checkStage1Base(chain, it.block);
  if (it.block.stage1Height !== chain.stage1.height) throw new XshardError("STAGE1_ORDER", `Stage-2 block of slot ${it.slot} is built on Stage-1 height ${it.block.stage1Height}, not on the head ${chain.stage1.height}`, { height: it.block.stage1Height });
  return chain.importStage2(materializeStage2Block(chain.state, it.block));
}

/**
 * The node's chain replayed from `store` in the canonical order with one more Stage-2 block (the
 * next Stage-2 height) in its place: a fresh `NodeChain` and the transactions the new block made
 * final. Throws the first rule a block breaks (nothing of the node's changes).
 */
export function rebuildWithStage2(genesis: DevnetGenesis, store: NodeStore, bytes: Uint8Array, reorderWindow?: number, followKeys?: readonly number[]): { chain: NodeChain; finals: NodeTxRecord[] } {
  const heads = store.getHeads();
  const s1 = store.getBlockRange("stage1", 1, (heads.stage1?.number ?? 0) + 1).map((b) => b.bytes);
  const s2 = store.getBlockRange("stage2", 1, (heads.stage2?.number ?? 0) + 1).map((b) => b.bytes);
  const newHeight = s2.length + 1;
  const chain = new NodeChain(genesis, reorderWindow, followKeys);
  let finals: NodeTxRecord[] = [];
  for (const it of mergeChains(s1, [...s2, bytes])) {
    const done = importItem(chain, it);
    if (it.chain === "stage2" && it.height === newHeight) finals = done;
  }
  return { chain, finals };
}
