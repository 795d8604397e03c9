/**
 * The intents of the workloads as transaction programs over the library contracts
 * (docs/contracts.md). Every protocol runs exactly these programs.
 */
import { contractPrincipal } from "../crypto/hash.js";
import { ProgramBuilder, lit, u64, type Arg, type LitArg, type Program } from "../program/index.js";

/**
 * Literal arguments shared by the transactions that pass the same bytes (a recipient, a small
 * amount): a generated workload of a million transfers holds each once, not once a transaction.
 * Literals are never changed after they are made, so sharing them changes no byte.
 */
const recipientArgs = new WeakMap<Uint8Array, LitArg>();
const amountArgs = new Map<bigint, LitArg>();

function recipientArg(to: Uint8Array): LitArg {
  let a = recipientArgs.get(to);
  if (!a) recipientArgs.set(to, (a = lit(to)));
  return a;
}

function amountArg(amount: bigint): LitArg {
  if (amount < 0n || amount > 1024n) return u64(amount);
  let a = amountArgs.get(amount);
  if (!a) amountArgs.set(amount, (a = u64(amount)));
  return a;
}

/** A transfer's argument list (recipient, amount), shared like its literals for small amounts; never changed. */
const transferArgLists = new WeakMap<LitArg, (readonly Arg[])[]>();

function transferArgs(to: Uint8Array, amount: bigint): readonly Arg[] {
  const recipient = recipientArg(to);
  if (amount < 0n || amount > 1024n) return [recipient, u64(amount)];
  let lists = transferArgLists.get(recipient);
  if (!lists) transferArgLists.set(recipient, (lists = []));
  return (lists[Number(amount)] ??= [recipient, amountArg(amount)]);
}

/** Argument list of the calls that take none. */
const NO_ARGS: readonly Arg[] = [];

/** A token transfer; with `second`, also a transfer on a second token, both or neither. */
export function transferProgram(token: string, to: Uint8Array, amount: bigint, second?: string): Program {
  const b = new ProgramBuilder();
  const args = transferArgs(to, amount);
  const r1 = b.callShared(token, "transfer", args);
  b.require(r1);
  if (second !== undefined) b.require(b.callShared(second, "transfer", args));
  return b.build();
}

/** The literal of an exchange's principal, made once per exchange. */
const exchangeArgs = new Map<string, LitArg>();

function exchangeArg(exchange: string): LitArg {
  let a = exchangeArgs.get(exchange);
  if (!a) exchangeArgs.set(exchange, (a = lit(contractPrincipal(exchange))));
  return a;
}

export interface Pool {
  readonly exchange: string;
  readonly tokenA: string;
  readonly tokenB: string;
}

/**
 * The seed's swap of token A for token B.
 * - `direct`: A.transfer → exchange.swap → B.transferAuthorized (two hops with three shards).
 * - `naive`: exchange.quote → A.transfer → exchange.paid → B.transferAuthorized → exchange.complete
 *   (four cross-shard calls with three shards: the seed's 48-second example).
 */
export function swapProgram(pool: Pool, amountIn: bigint, form: "direct" | "naive"): Program {
  const b = new ProgramBuilder();
  const ex = exchangeArg(pool.exchange);
  if (form === "direct") {
    const receipt = b.call(pool.tokenA, "transfer", [ex, amountArg(amountIn)]);
    const order = b.call(pool.exchange, "swap", [receipt]);
    b.require(b.call(pool.tokenB, "transferAuthorized", [order]));
  } else {
    const q = b.call(pool.exchange, "quote", [amountArg(amountIn)]);
    const receipt = b.call(pool.tokenA, "transfer", [ex, amountArg(amountIn)]);
    const order = b.call(pool.exchange, "paid", [q, receipt]);
    const payout = b.call(pool.tokenB, "transferAuthorized", [order]);
    b.require(b.call(pool.exchange, "complete", [q, payout]));
  }
  return b.build();
}

/** Book a seat and a room: both or neither. */
export function tripProgram(train: string, hotel: string): Program {
  const b = new ProgramBuilder();
  const seat = b.callShared(train, "reserve", NO_ARGS);
  const room = b.callShared(hotel, "reserve", NO_ARGS);
  b.require(seat);
  b.require(room);
  return b.build();
}

/** Increment each counter; all or none. */
export function touchProgram(counters: readonly string[]): Program {
  const b = new ProgramBuilder();
  const rs = counters.map((c) => b.callShared(c, "inc", NO_ARGS));
  for (const r of rs) b.require(r);
  return b.build();
}

/** Pay on a cold token, then touch the hot contract; both or neither. */
export function hotspotProgram(token: string, to: Uint8Array, amount: bigint, hot: string): Program {
  const b = new ProgramBuilder();
  b.require(b.callShared(token, "transfer", transferArgs(to, amount)));
  b.require(b.callShared(hot, "inc", NO_ARGS));
  return b.build();
}
