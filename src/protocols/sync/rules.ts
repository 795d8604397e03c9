/**
 * Pure rules of the synchronous baseline (DESIGN §4; ethresear.ch "Simple synchronous cross-shard
 * transaction protocol"), one function per rule. The driver (chain.ts) owns time and bookkeeping.
 */
import { XshardError } from "../../errors.js";
import type { ContractId } from "../../types.js";

/** A shard and a height, e.g. the confirmation of shard 2's root after its block at height 5. */
export interface ShardHeight {
  readonly shard: number;
  readonly height: number;
}

export interface SyncOptions {
  /** Probability that one shard's block includes a given transaction at a given height. */
  readonly q: number;
  /** The confirmation of this shard's state root after this height is wrong (fault injection). */
  readonly wrongConfirmation: ShardHeight | null;
  /** Slots from the wrong confirmation's slot until the slot whose blocks can use its fraud proof. */
  readonly fraudProofDelay: number;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = { q: 0.9, wrongConfirmation: null, fraudProofDelay: 2 };

function badOption(name: string, value: unknown, expected: string): never {
  throw new XshardError("BAD_PARAM", `sync option ${name} must be ${expected}, got '${String(value)}'`, { name, value });
}

/** Reads `q`, `wrongConfirmation` ("shard:height") and `fraudProofDelay`; other keys belong to other protocols. */
export function resolveSyncOptions(options: Readonly<Record<string, number | string>>, shards: number): SyncOptions {
  const q = options.q === undefined ? DEFAULT_SYNC_OPTIONS.q : Number(options.q);
  if (!(q > 0 && q <= 1)) badOption("q", options.q, "a number in (0, 1]");
  const delay = options.fraudProofDelay === undefined ? DEFAULT_SYNC_OPTIONS.fraudProofDelay : Number(options.fraudProofDelay);
  if (!Number.isInteger(delay) || delay < 1 || delay > 100_000) badOption("fraudProofDelay", options.fraudProofDelay, "an integer in [1, 100000]");
  return { q, wrongConfirmation: parseShardHeight(options.wrongConfirmation, shards), fraudProofDelay: delay };
}

function parseShardHeight(text: number | string | undefined, shards: number): ShardHeight | null {
  if (text === undefined) return null;
  const m = /^(\d+):(\d+)$/.exec(String(text));
  const shard = Number(m?.[1]);
  const height = Number(m?.[2]);
  if (!m || shard >= shards || !Number.isSafeInteger(height)) badOption("wrongConfirmation", text, `"shard:height" with shard < ${shards}`);
  return { shard, height };
}

/** A transaction as one shard's proposer sees it. */
export interface SyncCandidate {
  /** The transaction's contracts on this shard (its addresses in this block). */
  readonly contracts: readonly ContractId[];
  /** Whether its footprint spans several shards. */
  readonly crossShard: boolean;
}

/**
 * One shard's block at one height: candidates in order; candidate i is offered only if `drawn[i]`
 * (the inclusion model: probability q each), fits the block limit, and — for a cross-shard
 * transaction — none of its addresses already holds a cross-shard transaction in this block
 * (at most one per address per height). Returns the positions included and how many drawn
 * candidates an address conflict kept out.
 */
export function selectShardBlock(candidates: readonly SyncCandidate[], drawn: readonly boolean[], limit: number): { included: number[]; conflicts: number } {
  const taken = new Set<ContractId>();
  const included: number[] = [];
  let conflicts = 0;
  candidates.forEach((c, i) => {
    if (!drawn[i] || included.length >= limit) return;
    if (c.crossShard) {
      if (c.contracts.some((id) => taken.has(id))) {
        conflicts++;
        return;
      }
      for (const id of c.contracts) taken.add(id);
    }
    included.push(i);
  });
  return { included, conflicts };
}

/** A transaction runs at a height only if every shard it lists includes it at that height. */
export function isEffective(shards: readonly number[], includedBy: ReadonlySet<number>): boolean {
  return shards.every((s) => includedBy.has(s));
}

/** What one executed shard block rested on besides its own previous state. */
export interface BlockDependencies extends ShardHeight {
  /** Shards whose confirmed roots (of the previous height) its cross-shard transactions used. */
  readonly remoteShards: readonly number[];
}

const key = (shard: number, height: number): string => `${shard}:${height}`;

/**
 * The dependency cone of a wrong confirmation of `wrong.shard`'s root after `wrong.height`: the
 * shard blocks that must be executed again. A block at height h' is in the cone when its own shard's
 * state after h'−1 is wrong (the shard's previous block is in the cone) or it used a wrong
 * confirmation of h'−1 (the injected one, or one of a block in the cone). The wrong shard's own
 * state is right (only light clients were misled), so its own chain is not in the cone unless it
 * reads a wrong root later. `blocks` lists every executed block after `wrong.height`, any order.
 */
export function computeReexecutionCone(wrong: ShardHeight, blocks: readonly BlockDependencies[]): BlockDependencies[] {
  const wrongStates = new Set<string>();
  const wrongConfirmations = new Set([key(wrong.shard, wrong.height)]);
  const cone: BlockDependencies[] = [];
  const ordered = blocks.filter((b) => b.height > wrong.height).sort((a, b) => a.height - b.height || a.shard - b.shard);
  for (const b of ordered) {
    const before = b.height - 1;
    if (wrongStates.has(key(b.shard, before)) || b.remoteShards.some((z) => wrongConfirmations.has(key(z, before)))) {
      wrongStates.add(key(b.shard, b.height));
      wrongConfirmations.add(key(b.shard, b.height));
      cone.push(b);
    }
  }
  return cone;
}
