/**
 * The workload registry. Each generator is deterministic in (params, seed): it draws only from its
 * own seeded stream.
 */
import { XshardError } from "../errors.js";
import { contractPrincipal } from "../crypto/hash.js";
import { encodeU64 } from "../program/index.js";
import { RngStreams } from "../sim/rng.js";
import type { ContractSpec } from "../chain/genesis.js";
import { COMMON_PARAMS, TxFactory, computeCommonSize, defineWorkload, tokenInit } from "./common.js";
import { createCollisionWorkload, feeShock } from "./shocks.js";
import { clustered, lifecycle } from "./structure.js";
import { hotspotProgram, swapProgram, touchProgram, transferProgram, tripProgram, type Pool } from "./programs.js";
import type { GeneratedWorkload, GenerationContext, ParamSpec, WorkloadDef, WorkloadPlan, WorkloadSize } from "./types.js";

export type { GenerationContext, GenerationProgress, GeneratedWorkload, ParamSpec, Submission, WorkloadDef, WorkloadPlan, WorkloadSize } from "./types.js";

const USER_TOKENS = 1_000_000_000n;
const POOL_RESERVE = 1_000_000_000n;

/** A workload with the common parameters and its own. */
function defineWithCommon(
  name: string,
  description: string,
  own: readonly ParamSpec[],
  gen: (p: Record<string, number | string>, rng: RngStreams, ctx: GenerationContext) => Omit<GeneratedWorkload, "name" | "params">,
  size: (p: Readonly<Record<string, number | string>>) => WorkloadSize,
): WorkloadDef {
  return defineWorkload(name, description, [...COMMON_PARAMS, ...own], gen, size);
}

const num = (p: Record<string, number | string>, k: string): number => p[k] as number;

/** Runs `perTx(slot)` `rate` times in each of `slots` slots. */
function eachSubmission(p: Record<string, number | string>, perTx: (slot: number) => void): void {
  for (let s = 0; s < num(p, "slots"); s++) for (let i = 0; i < num(p, "rate"); i++) perTx(s);
}

export const transfer = defineWithCommon(
  "transfer",
  "token transfers; a share `cross` transfers on two token contracts at once (both or neither)",
  [
    { name: "contracts", kind: "int", default: 8, min: 1, max: 4096, help: "token contracts" },
    { name: "cross", kind: "float", default: 0.25, min: 0, max: 1, help: "share of transactions touching two token contracts" },
  ],
  (p, rng, ctx) => {
    const r = rng.get("transfer");
    const f = new TxFactory(num(p, "accounts"), "user", ctx);
    const tokens = Array.from({ length: num(p, "contracts") }, (_, i) => `token${i}`);
    const holders = f.users.map((u) => u.address);
    const contracts: ContractSpec[] = tokens.map((id) => ({ id, code: "token", init: tokenInit(holders, USER_TOKENS) }));
    eachSubmission(p, (slot) => {
      const from = r.pick(f.users);
      const to = r.pick(f.users);
      const t1 = r.pick(tokens);
      let t2: string | undefined;
      if (tokens.length > 1 && r.bool(num(p, "cross"))) {
        do t2 = r.pick(tokens);
        while (t2 === t1);
      }
      f.submit(slot, from, transferProgram(t1, to.address, BigInt(r.range(1, 100)), t2), t2 ? "transfer x2" : "transfer");
    });
    return { genesis: { contracts, accounts: f.accountSpecs() }, submissions: f.submissions, tokens, bookings: [] };
  },
  (p) => computeCommonSize(p, num(p, "contracts"), num(p, "contracts") * num(p, "accounts")),
);

/** Pool i: exchange `ex{i}`, tokens `tokA{i}` and `tokB{i}`, placed on three consecutive groups. */
export function poolContracts(i: number, holders: readonly Uint8Array[]): { pool: Pool; contracts: ContractSpec[] } {
  const pool: Pool = { exchange: `ex${i}`, tokenA: `tokA${i}`, tokenB: `tokB${i}` };
  const exP = contractPrincipal(pool.exchange);
  const mint = (extra: bigint): Uint8Array[] => [...tokenInit(holders, USER_TOKENS), exP, encodeU64(extra)];
  return {
    pool,
    contracts: [
      {
        id: pool.exchange,
        code: "exchange",
        init: [contractPrincipal(pool.tokenA), contractPrincipal(pool.tokenB), encodeU64(POOL_RESERVE), encodeU64(POOL_RESERVE)],
        placement: 3 * i,
      },
      { id: pool.tokenA, code: "token", init: mint(POOL_RESERVE), placement: 3 * i + 1 },
      { id: pool.tokenB, code: "token", init: mint(POOL_RESERVE), placement: 3 * i + 2 },
    ],
  };
}

export const exchange = defineWithCommon(
  "exchange",
  "the seed's swap of token A for token B through an exchange, over several pools; exchange and both tokens placed apart",
  [
    { name: "pools", kind: "int", default: 4, min: 1, max: 1024, help: "independent exchange pools (3 contracts each)" },
    { name: "form", kind: "enum", default: "direct", values: ["direct", "naive"], help: "program form: direct (A, exchange, B) or naive (exchange, A, exchange, B, exchange)" },
    { name: "amount", kind: "int", default: 100, min: 1, max: 1_000_000, help: "largest swap amount (each swap draws 1..amount)" },
  ],
  (p, rng, ctx) => {
    const r = rng.get("exchange");
    const f = new TxFactory(num(p, "accounts"), "user", ctx);
    const holders = f.users.map((u) => u.address);
    const pools = Array.from({ length: num(p, "pools") }, (_, i) => poolContracts(i, holders));
    const form = p.form as "direct" | "naive";
    eachSubmission(p, (slot) => {
      const i = r.int(pools.length);
      const pool = (pools[i] as { pool: Pool }).pool;
      f.submit(slot, r.pick(f.users), swapProgram(pool, BigInt(r.range(1, num(p, "amount"))), form), `swap pool ${i}`);
    });
    return {
      genesis: { contracts: pools.flatMap((x) => x.contracts), accounts: f.accountSpecs() },
      submissions: f.submissions,
      tokens: pools.flatMap((x) => [x.pool.tokenA, x.pool.tokenB]),
      bookings: [],
    };
  },
  (p) => computeCommonSize(p, 3 * num(p, "pools"), num(p, "pools") * (2 * (num(p, "accounts") + 1) + 4)),
);

export const trainHotel = defineWithCommon(
  "train-hotel",
  "book a seat and a room, both or neither, under contention for scarce seats and rooms",
  [
    { name: "pairs", kind: "int", default: 1, min: 1, max: 1024, help: "train/hotel pairs" },
    { name: "capacity", kind: "int", default: 20, min: 0, max: 1_000_000, help: "seats per train and rooms per hotel" },
    { name: "skew", kind: "float", default: 0.2, min: 0, max: 1, help: "share of bookings that try the hotel of another pair's city (so sell-outs differ)" },
  ],
  (p, rng, ctx) => {
    const r = rng.get("train-hotel");
    const f = new TxFactory(num(p, "accounts"), "user", ctx);
    const n = num(p, "pairs");
    const contracts: ContractSpec[] = [];
    const bookings: string[] = [];
    for (let i = 0; i < n; i++) {
      contracts.push({ id: `train${i}`, code: "train", init: [encodeU64(BigInt(num(p, "capacity")))], placement: 2 * i });
      contracts.push({ id: `hotel${i}`, code: "hotel", init: [encodeU64(BigInt(num(p, "capacity")))], placement: 2 * i + 1 });
      bookings.push(`train${i}`, `hotel${i}`);
    }
    eachSubmission(p, (slot) => {
      const i = r.int(n);
      const j = n > 1 && r.bool(num(p, "skew")) ? r.int(n) : i;
      f.submit(slot, r.pick(f.users), tripProgram(`train${i}`, `hotel${j}`), `trip ${i}/${j}`);
    });
    return { genesis: { contracts, accounts: f.accountSpecs() }, submissions: f.submissions, tokens: [], bookings };
  },
  (p) => computeCommonSize(p, 2 * num(p, "pairs"), 2 * num(p, "pairs")),
);

export const interconnect = defineWithCommon(
  "interconnect",
  "each transaction touches one contract with probability 1-p, else 2..k random contracts: p=0 is the seed's best case, p=1 its worst",
  [
    { name: "contracts", kind: "int", default: 16, min: 1, max: 4096, help: "counter contracts" },
    { name: "p", kind: "float", default: 0.3, min: 0, max: 1, help: "probability that a transaction touches several contracts" },
    { name: "k", kind: "int", default: 3, min: 2, max: 8, help: "most contracts one transaction touches" },
  ],
  (p, rng, ctx) => {
    const r = rng.get("interconnect");
    const f = new TxFactory(num(p, "accounts"), "user", ctx);
    const n = num(p, "contracts");
    const ids = Array.from({ length: n }, (_, i) => `c${i}`);
    const contracts: ContractSpec[] = ids.map((id) => ({ id, code: "counter", init: [] }));
    eachSubmission(p, (slot) => {
      const many = n > 1 && r.bool(num(p, "p"));
      const count = many ? r.range(2, Math.min(num(p, "k"), n)) : 1;
      const chosen = r.sample(n, count).map((i) => ids[i] as string);
      f.submit(slot, r.pick(f.users), touchProgram(chosen), `touch ${count}`);
    });
    return { genesis: { contracts, accounts: f.accountSpecs() }, submissions: f.submissions, tokens: [], bookings: [] };
  },
  (p) => computeCommonSize(p, num(p, "contracts"), num(p, "contracts")),
);

export const hotspot = defineWithCommon(
  "hotspot",
  "every transaction pays on one of several cold tokens and then touches one hot contract (placed alone)",
  [{ name: "contracts", kind: "int", default: 8, min: 1, max: 4096, help: "cold token contracts" }],
  (p, rng, ctx) => {
    const r = rng.get("hotspot");
    const f = new TxFactory(num(p, "accounts"), "user", ctx);
    const holders = f.users.map((u) => u.address);
    const tokens = Array.from({ length: num(p, "contracts") }, (_, i) => `token${i}`);
    const contracts: ContractSpec[] = [
      { id: "hot", code: "counter", init: [], placement: 0 },
      ...tokens.map((id, i) => ({ id, code: "token", init: tokenInit(holders, USER_TOKENS), placement: 1 + i })),
    ];
    eachSubmission(p, (slot) => {
      const t = r.pick(tokens);
      const prog = hotspotProgram(t, r.pick(f.users).address, BigInt(r.range(1, 100)), "hot");
      f.submit(slot, r.pick(f.users), prog, `hotspot via ${t}`);
    });
    return { genesis: { contracts, accounts: f.accountSpecs() }, submissions: f.submissions, tokens, bookings: [] };
  },
  (p) => computeCommonSize(p, num(p, "contracts") + 1, num(p, "contracts") * num(p, "accounts") + 1),
);

const REGISTRY = new Map<string, WorkloadDef>();
export function registerWorkload(def: WorkloadDef): void {
  REGISTRY.set(def.name, def);
}
for (const w of [transfer, exchange, trainHotel, interconnect, hotspot, feeShock, createCollisionWorkload(poolContracts)]) registerWorkload(w);
for (const w of [clustered, lifecycle]) registerWorkload(w);

export function getWorkload(name: string): WorkloadDef {
  const w = REGISTRY.get(name);
  if (!w) throw new XshardError("UNKNOWN_WORKLOAD", `unknown workload '${name}' (known: ${[...REGISTRY.keys()].join(", ")})`, { name });
  return w;
}

/** Checks `params` against the workload and sizes it; generates only when asked. */
export function planWorkload(def: WorkloadDef, params: Readonly<Record<string, unknown>>, seed: string): WorkloadPlan {
  const resolved = def.resolveParams(params);
  return { name: def.name, params: resolved, size: def.computeSize(resolved), generate: (onProgress, signer) => def.generate(resolved, seed, onProgress, signer) };
}

/**
 * `w` for a single run that may take its submissions over (the simulation bench at 1M): the run
 * empties `w.submissions` in place once it has taken them in, so the caller's workload has none
 * left afterwards (count them before). Never for a workload several runs share.
 */
export function handOverSubmissions(w: GeneratedWorkload): GeneratedWorkload {
  return { ...w, handOver: true };
}

export function listWorkloads(): WorkloadDef[] {
  return [...REGISTRY.values()];
}
