/**
 * Prometheus metrics (`prom-client`) on a registry of the node's own (never the library's global
 * one, so several nodes run in one process). The API counts its requests; the node assembly
 * sets the chain and network gauges.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Network } from "../net/types.js";

export interface NodeMetrics {
  readonly registry: Registry;
  readonly apiRequests: Counter<"route" | "status">;
  readonly apiRequestSeconds: Histogram<"route">;
  readonly headSlot: Gauge<"chain">;
  readonly finalizedSlot: Gauge<"chain">;
  readonly peers: Gauge;
  readonly gossipRejects: Counter<"topic" | "rule">;
  readonly submittedTransactions: Counter<"result">;
  /** Final blocks a fork-choice rebuild dropped, per chain (docs/node.md "Finality under forks"; 0 on an honest network). */
  readonly finalReverted: Counter<"chain">;
  /** Signatures and proposals slashing protection refused (`attester.ts`, `store/protection.ts`), by duty and rule. */
  readonly slashingProtectionRefusals: Counter<"duty" | "rule">;
  /** Merkle witnesses fetched to execute contracts the node does not follow, by result (docs/node.md "Following"). */
  readonly witnessFetches: Counter<"result">;
}

export function createNodeMetrics(opts: { processMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry();
  if (opts.processMetrics === true) collectDefaultMetrics({ register: registry, prefix: "xshard_" });
  const m: NodeMetrics = {
    registry,
    apiRequests: new Counter({ name: "xshard_api_requests_total", help: "HTTP API requests by route and status", labelNames: ["route", "status"], registers: [registry] }),
    apiRequestSeconds: new Histogram({
      name: "xshard_api_request_seconds",
      help: "HTTP API request duration",
      labelNames: ["route"],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
      registers: [registry],
    }),
    headSlot: new Gauge({ name: "xshard_head_slot", help: "Slot of the head block per chain", labelNames: ["chain"], registers: [registry] }),
    finalizedSlot: new Gauge({ name: "xshard_finalized_slot", help: "Slot of the finalized head per chain", labelNames: ["chain"], registers: [registry] }),
    peers: new Gauge({ name: "xshard_peers", help: "Connected peers", registers: [registry] }),
    gossipRejects: new Counter({ name: "xshard_gossip_rejects_total", help: "Rejected gossip messages by topic and rule", labelNames: ["topic", "rule"], registers: [registry] }),
    submittedTransactions: new Counter({ name: "xshard_submitted_transactions_total", help: "Transactions submitted over the API by result", labelNames: ["result"], registers: [registry] }),
    finalReverted: new Counter({ name: "xshard_final_reverted_blocks_total", help: "Final blocks a fork-choice rebuild dropped, per chain", labelNames: ["chain"], registers: [registry] }),
    slashingProtectionRefusals: new Counter({ name: "xshard_slashing_protection_refusals_total", help: "Signatures and proposals refused by slashing protection (or not recorded), by duty and rule", labelNames: ["duty", "rule"], registers: [registry] }),
    witnessFetches: new Counter({ name: "xshard_witness_fetches_total", help: "Merkle witnesses fetched to execute contracts not followed, by result (ok, bad, unavailable)", labelNames: ["result"], registers: [registry] }),
  };
  return m;
}

/** Keeps the peer gauge and the gossip-reject counter in step with a network's events. */
export function bindNetworkMetrics(metrics: NodeMetrics, network: Network): () => void {
  metrics.peers.set(network.getPeers().length);
  return network.on((e) => {
    if (e.type === "peer:connect" || e.type === "peer:disconnect") metrics.peers.set(network.getPeers().length);
    else if (e.type === "gossip:reject") metrics.gossipRejects.inc({ topic: e.topic, rule: e.rule });
  });
}
