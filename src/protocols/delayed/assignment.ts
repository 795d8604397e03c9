/**
 * Adaptive committee assignment (DESIGN §2 "Committees and lifecycle": a pluggable rule beside the
 * seeded shuffle). From the observed co-access graph — how often two contracts appear in one
 * transaction — contracts used together are put on one committee at epoch boundaries, each
 * committee following at most `bound` live contracts. Pure: the driver records the graph and
 * hands state over.
 */
import type { ContractId } from "../../types.js";

/** Pair weights of contracts named together by transactions; older epochs count less (`decay`). */
export class CoAccessGraph {
  private readonly weights = new Map<ContractId, Map<ContractId, number>>();

  /** Adds 1 to every pair of distinct contracts of one transaction's footprint. */
  record(contracts: readonly ContractId[]): void {
    const ids = [...new Set(contracts)];
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = ids[i] as ContractId;
        const b = ids[j] as ContractId;
        this.add(a, b);
        this.add(b, a);
      }
    }
  }

  /** The graph of `edges` (each pair once, as `getEdges` lists them): how a state read from JSON gets its graph back. */
  static fromEdges(edges: readonly (readonly [ContractId, ContractId, number])[]): CoAccessGraph {
    const g = new CoAccessGraph();
    for (const [a, b, w] of edges) {
      (g.weights.get(a) ?? g.weights.set(a, new Map()).get(a))?.set(b, w);
      (g.weights.get(b) ?? g.weights.set(b, new Map()).get(b))?.set(a, w);
    }
    return g;
  }

  /** A copy that later records do not share (transitions never change a graph they were given). */
  clone(): CoAccessGraph {
    const g = new CoAccessGraph();
    for (const [a, m] of this.weights) g.weights.set(a, new Map(m));
    return g;
  }

  /** Multiplies every weight by `factor` (called at each epoch boundary). */
  decay(factor: number): void {
    for (const m of this.weights.values()) for (const [b, w] of m) m.set(b, w * factor);
  }

  /** Every pair once (a < b), heaviest first, ties by names: a deterministic order. */
  getEdges(): [ContractId, ContractId, number][] {
    const out: [ContractId, ContractId, number][] = [];
    for (const [a, m] of this.weights) for (const [b, w] of m) if (a < b && w > 0) out.push([a, b, w]);
    return out.sort((x, y) => y[2] - x[2] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  }

  private add(a: ContractId, b: ContractId): void {
    let m = this.weights.get(a);
    if (!m) this.weights.set(a, (m = new Map()));
    m.set(b, (m.get(b) ?? 0) + 1);
  }
}

/** Most live contracts one committee may follow: ceil(factor × contracts / committees), at least 1. */
export function computeLoadBound(factor: number, contracts: number, committees: number): number {
  return Math.max(1, Math.ceil((factor * contracts) / committees));
}

/** Live contracts per committee under an assignment. */
export function computeLoads(assignment: ReadonlyMap<ContractId, number>, committees: number): number[] {
  const loads = new Array<number>(committees).fill(0);
  for (const k of assignment.values()) loads[k] = (loads[k] as number) + 1;
  return loads;
}

/**
 * The adaptive rule. Clusters: heaviest co-access pairs first, two clusters merge while their
 * union has at most `bound` contracts (greedy agglomeration). Placement, largest cluster first:
 * the committee with room for the whole cluster that already follows most of its members (fewest
 * handovers), then the least loaded, then the lowest index; a cluster no committee has room for is
 * placed member by member (own committee if it has room, else the least loaded). `current` lists
 * the live contracts in a deterministic order; requires committees × bound ≥ contracts.
 */
export function computeAdaptiveAssignment(
  current: ReadonlyMap<ContractId, number>,
  graph: CoAccessGraph,
  committees: number,
  bound: number,
): Map<ContractId, number> {
  const ids = [...current.keys()];
  const order = new Map(ids.map((id, i) => [id, i]));
  const parent = new Map(ids.map((id) => [id, id]));
  const size = new Map(ids.map((id) => [id, 1]));
  const find = (x: ContractId): ContractId => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) as ContractId;
    parent.set(x, r);
    return r;
  };
  for (const [a, b] of graph.getEdges()) {
    if (!order.has(a) || !order.has(b)) continue;
    const ra = find(a);
    const rb = find(b);
    const n = (size.get(ra) as number) + (size.get(rb) as number);
    if (ra === rb || n > bound) continue;
    const [keep, drop] = (order.get(ra) as number) < (order.get(rb) as number) ? [ra, rb] : [rb, ra];
    parent.set(drop, keep);
    size.set(keep, n);
  }
  const clusters = new Map<ContractId, ContractId[]>();
  for (const id of ids) {
    const r = find(id);
    const c = clusters.get(r);
    if (c) c.push(id);
    else clusters.set(r, [id]);
  }
  const sorted = [...clusters.values()].sort((x, y) => y.length - x.length || (order.get(x[0] as ContractId) as number) - (order.get(y[0] as ContractId) as number));

  const loads = new Array<number>(committees).fill(0);
  const out = new Map<ContractId, number>();
  const place = (id: ContractId, k: number): void => {
    out.set(id, k);
    loads[k] = (loads[k] as number) + 1;
  };
  const leastLoaded = (room: number): number => {
    let best = -1;
    for (let k = 0; k < committees; k++) if ((loads[k] as number) + room <= bound && (best < 0 || (loads[k] as number) < (loads[best] as number))) best = k;
    return best;
  };
  for (const cluster of sorted) {
    let best = -1;
    let bestHere = -1;
    for (let k = 0; k < committees; k++) {
      if ((loads[k] as number) + cluster.length > bound) continue;
      const here = cluster.filter((id) => current.get(id) === k).length;
      if (best < 0 || here > bestHere || (here === bestHere && (loads[k] as number) < (loads[best] as number))) {
        best = k;
        bestHere = here;
      }
    }
    if (best >= 0) {
      for (const id of cluster) place(id, best);
      continue;
    }
    for (const id of cluster) {
      const own = current.get(id) as number;
      place(id, (loads[own] as number) < bound ? own : leastLoaded(1));
    }
  }
  return new Map(ids.map((id) => [id, out.get(id) as number]));
}
