/** Helpers shared by protocol tests: small runs, value totals, scenarios built in code. */
import { decodeU64 } from "../../src/program/index.js";
import { resolveRunConfig, runProtocol } from "../../src/runner.js";
import { getWorkload } from "../../src/workloads/index.js";
import { parseScenario } from "../../src/scenario/load.js";
import { deployGenesis } from "../../src/sim/world.js";
import { Runtime } from "../../src/runtime/index.js";
import type { RunConfig, ProtocolRunOutput } from "../../src/sim/protocol.js";
import type { GeneratedWorkload } from "../../src/workloads/types.js";
import type { MerkleKV } from "../../src/state/index.js";

export const FAST: Partial<RunConfig> = { validators: 16, committeeSize: 4, signatures: false, drainSlots: 40 };

export function workload(name: string, params: Record<string, number | string>, seed = "1"): GeneratedWorkload {
  return getWorkload(name).generate(params, seed);
}

export function scenario(doc: unknown, seed = "1"): GeneratedWorkload {
  return parseScenario(doc, seed);
}

export function run(protocol: string, w: GeneratedWorkload, cfg: Partial<RunConfig> = {}): ProtocolRunOutput {
  return runProtocol(resolveRunConfig({ ...FAST, ...cfg, protocol }), w);
}

/** Sum of token balances (`b` ‖ principal → u64) and the recorded supply (`s`). */
export function tokenTotals(kv: MerkleKV): { balances: bigint; supply: bigint } {
  let balances = 0n;
  let supply = 0n;
  for (const [k, v] of kv.entries()) {
    if (k.length === 33 && k[0] === 0x62) balances += decodeU64(v);
    if (k.length === 1 && k[0] === 0x73) supply = decodeU64(v);
  }
  return { balances, supply };
}

/** Token supplies at genesis, by contract id. */
export function genesisSupplies(w: GeneratedWorkload): Map<string, bigint> {
  const deployed = deployGenesis(new Runtime(), w.genesis);
  return new Map(deployed.filter((d) => w.tokens.includes(d.id)).map((d) => [d.id, tokenTotals(d.state).balances]));
}
