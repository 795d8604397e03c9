/**
 * Issue 14 §3: a protocol's results do not depend on what ran before it in the same process.
 * Each protocol runs alone (in a fresh module graph: no cache, pool or registry state left by
 * anything else) and inside a `compare`-style sequence (one generated workload shared by every
 * protocol, run one after another) in several orders; the results files must be byte-identical.
 */
import { describe, expect, it, vi } from "vitest";
import { listProtocols } from "../../src/registry.js";
import type { RunConfig } from "../../src/sim/protocol.js";

const PROTOCOLS = listProtocols()
  .filter((p) => p.inCompare !== false)
  .map((p) => p.name);

interface Case {
  readonly name: string;
  readonly workload: string;
  readonly params: Record<string, number | string>;
  readonly config: Partial<RunConfig>;
}

const CASES: Case[] = [
  // Real BLS signatures, naive swaps across three groups: hashing, signing and proofs on every path.
  { name: "exchange (naive, signatures)", workload: "exchange", params: { slots: 2, rate: 3, accounts: 6, pools: 2, form: "naive" }, config: { validators: 12, committeeSize: 4, drainSlots: 12, shards: 3 } },
  // Successor contracts created and ended while the run goes on.
  { name: "lifecycle", workload: "lifecycle", params: { slots: 4, rate: 3, accounts: 6, contracts: 2, split: 1, stale: 0.3 }, config: { validators: 12, committeeSize: 4, drainSlots: 12, signatures: false } },
];

/** Imports the library afresh: module-level state (caches, registries) starts empty. */
async function freshLibrary() {
  vi.resetModules();
  const runner = await import("../../src/runner.js");
  const workloads = await import("../../src/workloads/index.js");
  return { ...runner, ...workloads };
}

/** Results bytes of `protocols`, run one after another on one generated workload (as `compare` does). */
async function runSequence(c: Case, protocols: readonly string[]): Promise<Map<string, string>> {
  const lib = await freshLibrary();
  const workload = lib.getWorkload(c.workload).generate(c.params, "11");
  const out = new Map<string, string>();
  for (const protocol of protocols) {
    const config = lib.resolveRunConfig({ ...c.config, seed: "11", protocol });
    out.set(protocol, lib.stringifyResults(lib.runProtocol(config, workload).results));
  }
  return out;
}

const rotate = <T,>(xs: readonly T[], k: number): T[] => [...xs.slice(k), ...xs.slice(0, k)];
/** Even positions first, then odd ones: every protocol gets different neighbours than in order. */
const interleave = <T,>(xs: readonly T[]): T[] => [...xs.filter((_, i) => i % 2 === 0), ...xs.filter((_, i) => i % 2 === 1)];

describe("determinism: alone and inside compare, in any order, the same bytes", () => {
  it("runs every protocol of compare", () => {
    expect(PROTOCOLS.length).toBeGreaterThanOrEqual(7);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const alone = new Map<string, string>();
      for (const p of PROTOCOLS) alone.set(p, (await runSequence(c, [p])).get(p) as string);
      const orders = [PROTOCOLS, [...PROTOCOLS].reverse(), interleave(rotate(PROTOCOLS, 3))];
      for (const order of orders) {
        const seq = await runSequence(c, order);
        for (const p of PROTOCOLS) expect(seq.get(p), `${p} after ${order.slice(0, order.indexOf(p)).join(", ") || "nothing"}`).toBe(alone.get(p));
      }
      // The same protocol twice in one sequence: nothing of the first run leaks into the second.
      const twice = await runSequence(c, [PROTOCOLS[0] as string, ...PROTOCOLS.slice(1), PROTOCOLS[0] as string]);
      expect(twice.get(PROTOCOLS[0] as string)).toBe(alone.get(PROTOCOLS[0] as string));
      // The runs did something: not every transaction rejected or hung.
      for (const [p, bytes] of alone) expect(JSON.parse(bytes).summary.outcomes.committed, p).toBeGreaterThan(0);
    });
  }
});
