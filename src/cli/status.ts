/**
 * `xshard status --rpc URL [--json]`: a node's view of the chain — its configuration (when served),
 * heads and finalized heads of both chains, the lag per contract, its peers (when listed).
 */
import type { Command } from "commander";
import type { ChainHeadView, HeadsView, NodeConfigView, PeerView } from "../node/api/backend.js";
import { XshardError } from "../errors.js";
import { RpcClient, parseRpcUrl } from "./rpc.js";

/** Contracts listed one per line before the rest are summarised. */
const SHOWN_CONTRACTS = 12;

export interface NodeStatus {
  readonly rpc: string;
  readonly config: NodeConfigView | null;
  readonly heads: HeadsView;
  readonly peers: readonly PeerView[] | null;
}

export async function fetchNodeStatus(client: RpcClient): Promise<NodeStatus> {
  const [config, heads, peers] = await Promise.all([client.getConfig(), client.getHeads(), client.getPeers()]);
  return { rpc: client.base, config: config ?? null, heads, peers: peers ?? null };
}

function formatHead(h: ChainHeadView): string {
  return `#${h.number} slot ${h.slot} ${h.root.slice(0, 18)}…`;
}

/** The readable summary. */
export function formatNodeStatus(s: NodeStatus): string {
  const lines = [`node ${s.rpc}`];
  const c = s.config;
  if (c) {
    const sizes = [
      c.validators !== undefined ? `${c.validators} validators` : "",
      c.committees !== undefined ? `${c.committees} committees` : "",
      c.committeeSize !== undefined ? `committee size ${c.committeeSize}` : "",
    ].filter(Boolean);
    lines.push(`  chain      ${c.protocol}, genesis ${c.genesisRoot.slice(0, 18)}…, slot ${c.slotMs} ms${sizes.length ? `, ${sizes.join(", ")}` : ""}`);
  } else {
    lines.push("  chain      (the node does not serve /v1/config)");
  }
  const h = s.heads;
  lines.push(`  stage 1    head ${formatHead(h.stage1)}   finalized ${formatHead(h.stage1Finalized)}`);
  lines.push(`  stage 2    head ${formatHead(h.stage2)}   finalized ${formatHead(h.stage2Finalized)}`);
  const lags = Object.entries(h.lagByContract).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (lags.length === 0) {
    lines.push("  lag        no contracts");
  } else {
    const mean = lags.reduce((a, [, v]) => a + v, 0) / lags.length;
    lines.push(`  lag        ${lags.length} contracts, max ${lags[0]?.[1]} slots, mean ${mean.toFixed(2)} slots`);
    const width = Math.max(...lags.slice(0, SHOWN_CONTRACTS).map(([k]) => k.length));
    for (const [k, v] of lags.slice(0, SHOWN_CONTRACTS)) lines.push(`    ${k.padEnd(width)}  ${v}`);
    if (lags.length > SHOWN_CONTRACTS) lines.push(`    … ${lags.length - SHOWN_CONTRACTS} more`);
  }
  if (s.peers === null) lines.push("  peers      (the node does not list them)");
  else {
    lines.push(`  peers      ${s.peers.length}`);
    for (const p of s.peers) lines.push(`    ${p.id}${p.addrs && p.addrs.length > 0 ? `  ${p.addrs.join(" ")}` : ""}`);
  }
  return lines.join("\n");
}

export function addStatusCommand(program: Command): void {
  program
    .command("status")
    .description("a running node's heads, finalized heads, lag per contract and peers (over its HTTP API)")
    .option("--rpc <url>", "the node's HTTP API, e.g. http://127.0.0.1:8545")
    .option("--json", "print the answers as one JSON object")
    .action(async (o: { rpc?: string; json?: boolean }) => {
      if (o.rpc === undefined) throw new XshardError("BAD_PARAM", "status needs --rpc URL (the API of a node)");
      const base = parseRpcUrl(o.rpc);
      const status = await fetchNodeStatus(new RpcClient(base));
      console.log(o.json ? JSON.stringify(status, null, 2) : formatNodeStatus(status));
    });
}
