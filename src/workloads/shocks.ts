/**
 * Workloads that stress what asynchronous designs get wrong (DESIGN §5; seed: "Appraisal of
 * Non-sequential Receipt Cross-shard Transactions"): gas-price variance across shards
 * (`fee-shock`) and execution collisions between the hops of a transaction (`collision`).
 * Like every workload they are plain programs and run unchanged under every protocol.
 */
import { RngStreams } from "../sim/rng.js";
import type { ContractSpec } from "../chain/genesis.js";
import { COMMON_PARAMS, DEFAULT_MAX_FEE_PER_GAS, TxFactory, tokenInit, defineWorkload } from "./common.js";
import { swapProgram, transferProgram, type Pool } from "./programs.js";
import type { GeneratedWorkload, GenerationContext, ParamSpec, WorkloadDef, WorkloadSize } from "./types.js";

const USER_TOKENS = 1_000_000_000n;
/** Accounts that send the shock's transactions. */
const SHOCK_USERS = 16;

/** The common parameters with workload-specific defaults. */
function commonParams(defaults: Readonly<Record<string, number>>): ParamSpec[] {
  return COMMON_PARAMS.map((p) => (defaults[p.name] === undefined ? p : { ...p, default: defaults[p.name] as number }));
}

function defineShockWorkload(
  name: string,
  description: string,
  params: readonly ParamSpec[],
  gen: (num: (name: string) => number, rng: RngStreams, ctx: GenerationContext) => Omit<GeneratedWorkload, "name" | "params">,
  size: (num: (name: string) => number) => WorkloadSize,
): WorkloadDef {
  return defineWorkload(
    name,
    description,
    params,
    (p, rng, ctx) => gen((k) => p[k] as number, rng, ctx),
    (p) => size((k) => p[k] as number),
  );
}

/**
 * Token `token{i}` placed on group i; `token0`'s shard is the shocked one. Ordinary users send
 * `rate` transfers per slot from another token into `token0` (both or neither, so each hops into
 * the shocked shard) at fee cap `cap`. In slots `shockStart..shockEnd-1`, `shockRate` more
 * transfers per slot on `token0` alone, at cap `shockCap`, fill its blocks and push its base fee up.
 */
export const feeShock = defineShockWorkload(
  "fee-shock",
  "a burst of high-fee load on one shard while ordinary transfers hop into it (the seed's gas-price variance)",
  [
    ...commonParams({ rate: 2 }),
    { name: "contracts", kind: "int", default: 4, min: 2, max: 4096, help: "token contracts (token0 is on the shocked shard)" },
    { name: "cap", kind: "int", default: Number(DEFAULT_MAX_FEE_PER_GAS), min: 1, max: 1_000_000_000, help: "ordinary users' fee cap per gas" },
    { name: "shockStart", kind: "int", default: 1, min: 0, max: 100_000, help: "first slot of the shock" },
    { name: "shockEnd", kind: "int", default: 13, min: 0, max: 100_000, help: "slot after the last slot of the shock" },
    { name: "shockRate", kind: "int", default: 100, min: 0, max: 100_000, help: "extra transactions per slot on the shocked shard" },
    { name: "shockCap", kind: "int", default: 1000, min: 1, max: 1_000_000_000, help: "the shock's fee cap per gas" },
  ],
  (num, rng, ctx) => {
    const r = rng.get("fee-shock");
    const f = new TxFactory(num("accounts"), "user", ctx);
    const shockers = new TxFactory(SHOCK_USERS, "shock", ctx);
    const holders = [...f.users, ...shockers.users].map((u) => u.address);
    const tokens = Array.from({ length: num("contracts") }, (_, i) => `token${i}`);
    const contracts: ContractSpec[] = tokens.map((id, i) => ({ id, code: "token", init: tokenInit(holders, USER_TOKENS), placement: i }));
    const last = Math.max(num("slots"), num("shockEnd"));
    for (let slot = 0; slot < last; slot++) {
      if (slot < num("slots")) {
        for (let i = 0; i < num("rate"); i++) {
          const from = tokens[r.range(1, tokens.length - 1)] as string;
          const prog = transferProgram(from, r.pick(f.users).address, BigInt(r.range(1, 100)), "token0");
          f.submit(slot, r.pick(f.users), prog, `transfer ${from} → token0`, { maxFeePerGas: BigInt(num("cap")) });
        }
      }
      if (slot >= num("shockStart") && slot < num("shockEnd")) {
        for (let i = 0; i < num("shockRate"); i++) {
          const prog = transferProgram("token0", r.pick(f.users).address, BigInt(r.range(1, 100)));
          shockers.submit(slot, r.pick(shockers.users), prog, "shock", { maxFeePerGas: BigInt(num("shockCap")) });
        }
      }
    }
    return {
      genesis: { contracts, accounts: [...f.accountSpecs(), ...shockers.accountSpecs()] },
      submissions: mergeSubmissions(f, shockers),
      tokens,
      bookings: [],
    };
  },
  (num) => ({
    submissions: num("slots") * num("rate") + Math.max(0, num("shockEnd") - num("shockStart")) * num("shockRate"),
    accounts: num("accounts") + SHOCK_USERS,
    contracts: num("contracts"),
    stateEntries: num("contracts") * (num("accounts") + SHOCK_USERS),
  }),
);

/** Two factories' submissions in slot order (stable: the first factory first within a slot), reindexed. */
function mergeSubmissions(a: TxFactory, b: TxFactory): GeneratedWorkload["submissions"] {
  return [...a.submissions, ...b.submissions]
    .map((s, order) => ({ s, order }))
    .sort((x, y) => x.s.slot - y.s.slot || x.order - y.order)
    .map(({ s }, index) => ({ ...s, index }));
}

/** Builds pool i (exchange, token A, token B on three consecutive groups): the `exchange` workload's pools. */
export type PoolFactory = (i: number, holders: readonly Uint8Array[]) => { pool: Pool; contracts: ContractSpec[] };

/**
 * Naive-form swaps (exchange → A → exchange → B → exchange). A share `collide` of them is followed,
 * in the same slot, by the same user's transfer of their whole genesis token-A balance to another
 * user: asynchronously it lands between the swap's `quote` and its `A.transfer`, so `paid` gets
 * Nothing and the swap fails after its first segment is final (partial); the two-stage chain runs
 * the swap whole, before or after the transfer (committed or aborted). The pools are the `exchange`
 * workload's (passed in by the registry, which owns them, so that this module does not import it).
 */
export function createCollisionWorkload(poolContracts: PoolFactory): WorkloadDef {
  return defineShockWorkload(
    "collision",
    "naive swaps in flight while the same user's competing transfer drains their token A between hops",
    [
      ...commonParams({ slots: 8, rate: 2 }),
      { name: "pools", kind: "int", default: 2, min: 1, max: 1024, help: "independent exchange pools (3 contracts each)" },
      { name: "collide", kind: "float", default: 0.5, min: 0, max: 1, help: "share of swaps followed by a draining transfer" },
      { name: "amount", kind: "int", default: 100, min: 1, max: 1_000_000, help: "largest swap amount (each swap draws 1..amount)" },
    ],
    (num, rng, ctx) => {
      const r = rng.get("collision");
      const f = new TxFactory(num("accounts"), "user", ctx);
      const holders = f.users.map((u) => u.address);
      const pools = Array.from({ length: num("pools") }, (_, i) => poolContracts(i, holders));
      let next = 0;
      for (let slot = 0; slot < num("slots"); slot++) {
        for (let i = 0; i < num("rate"); i++) {
          const pool = (pools[r.int(pools.length)] as { pool: Pool }).pool;
          const user = f.users[next++ % f.users.length] as (typeof f.users)[number];
          f.submit(slot, user, swapProgram(pool, BigInt(r.range(1, num("amount"))), "naive"), "swap (naive)");
          if (r.bool(num("collide"))) {
            const to = f.users[(next + f.users.length - 2) % f.users.length] as (typeof f.users)[number];
            f.submit(slot, user, transferProgram(pool.tokenA, to.address, USER_TOKENS), `drain ${pool.tokenA}`);
          }
        }
      }
      return {
        genesis: { contracts: pools.flatMap((x) => x.contracts), accounts: f.accountSpecs() },
        submissions: f.submissions,
        tokens: pools.flatMap((x) => [x.pool.tokenA, x.pool.tokenB]),
        bookings: [],
      };
    },
    // At most two transactions (the swap and its draining transfer) per drawn swap.
    (num) => ({ submissions: 2 * num("slots") * num("rate"), accounts: num("accounts"), contracts: 3 * num("pools"), stateEntries: num("pools") * (2 * (num("accounts") + 1) + 4) }),
  );
}
