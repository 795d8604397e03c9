/**
 * Workloads with structure an assignment rule can use (DESIGN §2 "Committees and lifecycle"):
 * `clustered` — contracts used together in fixed groups; `lifecycle` — counters that split into
 * successors and end, after which transactions move to the successors.
 */
import { computeTxId, type Program } from "../program/index.js";
import { ProgramBuilder } from "../program/index.js";
import { computeSuccessorId } from "../runtime/index.js";
import type { ContractSpec } from "../chain/genesis.js";
import { COMMON_PARAMS, TxFactory, computeCommonSize, defineWorkload } from "./common.js";
import { touchProgram } from "./programs.js";

export const clustered = defineWorkload(
  "clustered",
  "counters in clusters of `cluster`; each transaction touches two of one cluster (with probability `noise`, two of any): placed apart by the seeded shuffle, together by the adaptive rule",
  [
    ...COMMON_PARAMS,
    { name: "contracts", kind: "int", default: 16, min: 2, max: 4096, help: "counter contracts" },
    { name: "cluster", kind: "int", default: 4, min: 2, max: 4096, help: "contracts per cluster" },
    { name: "noise", kind: "float", default: 0.1, min: 0, max: 1, help: "share of transactions touching two contracts of any clusters" },
  ],
  (p, rng, ctx) => {
    const r = rng.get("clustered");
    const f = new TxFactory(p.accounts as number, "user", ctx);
    const n = p.contracts as number;
    const size = Math.min(p.cluster as number, n);
    const ids = Array.from({ length: n }, (_, i) => `c${i}`);
    const contracts: ContractSpec[] = ids.map((id) => ({ id, code: "counter", init: [] }));
    const clusters = Math.ceil(n / size);
    for (let s = 0; s < (p.slots as number); s++) {
      for (let i = 0; i < (p.rate as number); i++) {
        const c = r.int(clusters);
        const members = ids.slice(c * size, Math.min(n, (c + 1) * size));
        const pool = members.length >= 2 && !r.bool(p.noise as number) ? members : ids;
        const chosen = r.sample(pool.length, 2).map((j) => pool[j] as string);
        f.submit(s, r.pick(f.users), touchProgram(chosen), pool === ids ? "touch any 2" : `touch cluster ${c}`);
      }
    }
    return { genesis: { contracts, accounts: f.accountSpecs() }, submissions: f.submissions, tokens: [], bookings: [] };
  },
  (p) => computeCommonSize(p, p.contracts as number, p.contracts as number),
);

/** Split `counter` into two successors holding its value, then end it: all or nothing. */
export function splitProgram(counter: string): Program {
  const b = new ProgramBuilder();
  const first = b.call(counter, "spawn");
  const second = b.call(counter, "spawn");
  const end = b.call(counter, "end");
  for (const x of [first, second, end]) b.require(x);
  return b.build();
}

export const lifecycle = defineWorkload(
  "lifecycle",
  "counters incremented until slot `split`, when each splits into two successors and ends; later increments go to the successors (a share `stale` still to the ended counters, which fails)",
  [
    ...COMMON_PARAMS,
    { name: "contracts", kind: "int", default: 4, min: 1, max: 4096, help: "counter contracts at genesis" },
    { name: "split", kind: "int", default: 2, min: 0, max: 100_000, help: "slot in which every counter splits" },
    { name: "stale", kind: "float", default: 0.1, min: 0, max: 1, help: "share of later transactions still sent to an ended counter" },
  ],
  (p, rng, ctx) => {
    const r = rng.get("lifecycle");
    const f = new TxFactory(p.accounts as number, "user", ctx);
    const parents = Array.from({ length: p.contracts as number }, (_, i) => `c${i}`);
    const contracts: ContractSpec[] = parents.map((id) => ({ id, code: "counter", init: [] }));
    const successors: string[] = [];
    for (let s = 0; s < (p.slots as number); s++) {
      if (s === p.split) {
        for (const c of parents) {
          const tx = f.submit(s, r.pick(f.users), splitProgram(c), `split ${c}`, {}, true);
          const txId = computeTxId(tx);
          successors.push(computeSuccessorId(c, txId, 0), computeSuccessorId(c, txId, 1));
        }
        continue;
      }
      for (let i = 0; i < (p.rate as number); i++) {
        const live = s < (p.split as number) || r.bool(p.stale as number) ? parents : successors;
        const c = r.pick(live);
        f.submit(s, r.pick(f.users), touchProgram([c]), live === parents ? `inc ${c}` : `inc successor ${c}`);
      }
    }
    return { genesis: { contracts, accounts: f.accountSpecs() }, submissions: f.submissions, tokens: [], bookings: [] };
  },
  // The split slot sends one transaction per counter instead of `rate`; successors double the contracts.
  (p) => {
    const c = computeCommonSize(p, 3 * (p.contracts as number), 3 * (p.contracts as number));
    return { ...c, submissions: c.submissions + (p.contracts as number) };
  },
);
