/**
 * A node that follows only its validators' committees (docs/node.md "Following"): it holds the
 * states of those committees' contracts and executes for them only. Another committee's contract
 * `d` is read at an affirmed position `p` through Merkle witnesses fetched from peers and checked
 * against the node's own affirmed root of `d` at `p` (`WitnessService.fetch`).
 *
 * Reads are known only by executing, so the pure rule (`CommitteeViews`) reads what is present: a
 * key no witness covers is a miss, the execution counts for nothing and the transaction is not
 * ready (`WitnessCache` records the miss). The node's shell (`prefetchWitnesses`) then fetches, per
 * contract and position, one witness of every key wanted there, and executes again — reads are a
 * function of the program and the state, so this converges (each pass adds a key). The round
 * itself (`NodeChain.executeRound`) never waits on the network.
 *
 * A final transaction that touches no followed contract is executed once from witnesses as well
 * (`executeObserved`, `witnessCache.ts`), for its status, return values and outcome proof; its
 * outcome and values root must equal the leaf the chain affirmed.
 */
import { isXshardError } from "../errors.js";
import { verifyWitness } from "../state/index.js";
import type { NodeMetrics } from "./api/metrics.js";
import type { NodeChain } from "./chain.js";
import { MAX_WITNESS_KEYS, type WitnessService } from "./witnesses.js";

/** Witness fetches by result: verified, refused (the last peer asked lied), or served by no peer. */
export type WitnessFetchCounts = Record<"ok" | "bad" | "unavailable", number>;

/** What `prefetchWitnesses` needs of its node. */
export interface PrefetchHost {
  readonly chain: NodeChain;
  readonly witnesses: WitnessService;
  readonly witnessFetches: WitnessFetchCounts;
  readonly o: { readonly metrics?: NodeMetrics };
  log(line: string): void;
}

/** The validators whose committees a node follows (`NodeOptions.follow`, default `all`): undefined — every committee. */
export function getFollowKeys(o: { readonly follow?: "committees" | "all"; readonly keys: readonly { readonly index: number }[] }): number[] | undefined {
  return o.follow !== "committees" || o.keys.length === 0 ? undefined : o.keys.map((k) => k.index);
}

/** Most execute–fetch passes before a round (each adds at least one key per missing state). */
export const PREFETCH_PASSES = 4;

/**
 * Before a round: execute what is ready, fetch the witnesses of the keys that were missing, and
 * again, until nothing is missing (or `PREFETCH_PASSES`). What is still missing then waits for a
 * later round. Never throws for a peer's fault.
 */
export async function prefetchWitnesses(node: PrefetchHost, slot: number): Promise<void> {
  for (let pass = 0; pass < PREFETCH_PASSES; pass++) {
    const chain = node.chain;
    const cache = chain.witnessCache;
    if (!cache) return;
    chain.executeAll(slot);
    const wants = cache.getWants(MAX_WITNESS_KEYS);
    if (wants.length === 0) return;
    let got = 0;
    await Promise.all(
      wants.map(async (w) => {
        try {
          const v = await node.witnesses.fetch(w.contract, w.keys, { position: w.position });
          cache.supply(w.contract, w.position, v.root, verifyWitness(v.root, v.witness), w.keys);
          count(node, "ok");
          got++;
        } catch (e) {
          if (!isXshardError(e)) throw e;
          count(node, e.code === "BAD_WITNESS" ? "bad" : "unavailable");
          node.log(`slot ${slot}: witness of ${w.contract}@${w.position}: ${e.code} ${e.message}`);
        }
      }),
    );
    if (got === 0 || node.chain !== chain) return;
  }
}

function count(node: PrefetchHost, result: keyof WitnessFetchCounts): void {
  node.witnessFetches[result]++;
  node.o.metrics?.witnessFetches.inc({ result });
}
