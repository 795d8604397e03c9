/**
 * The epoch boundary of the adaptive assignment (DESIGN §2 "Committees and lifecycle"): live
 * contracts are re-assigned from the co-access graph recorded by Stage 1, and the graph's weights
 * halve. Pure; the committees hand the moved contracts' states over with proofs (`committee.ts`).
 */
import type { ContractId } from "../../types.js";
import { computeAdaptiveAssignment, computeLoadBound } from "./assignment.js";
import { getLiveAssignment, type ContractRecord, type DelayedState } from "./state.js";

export interface Move {
  readonly id: ContractId;
  readonly from: number;
  readonly to: number;
}

/** Re-assigns live contracts (adaptive only; the state unchanged otherwise). */
export function processEpochBoundary(s: DelayedState): { state: DelayedState; moves: Move[] } {
  if (s.params.assignment !== "adaptive" || !s.graph) return { state: s, moves: [] };
  const current = getLiveAssignment(s);
  const bound = computeLoadBound(s.params.loadBound, current.size, s.params.committees);
  const next = computeAdaptiveAssignment(current, s.graph, s.params.committees, bound);
  const contracts = new Map(s.contracts);
  const moves: Move[] = [];
  for (const [id, to] of next) {
    const from = current.get(id) as number;
    if (to === from) continue;
    moves.push({ id, from, to });
    contracts.set(id, { ...(contracts.get(id) as ContractRecord), committee: to });
  }
  const graph = s.graph.clone();
  graph.decay(0.5);
  return { state: { ...s, contracts, graph }, moves };
}
