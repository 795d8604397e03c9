/**
 * What the sync and lock2pc vector runners share: the `chain` section of a fixture (the genesis
 * every node derives the context from) and the strict fixture envelope. A fixture is
 * `{ transition, description, chain, pre, input, post, error }`: exactly one of `post` and `error`.
 */
import { resolveRunConfig } from "../../src/runner.js";
import { ShardsDriver } from "../../src/sim/shards/driver.js";
import { parseFields, parseInteger, parseString, type JsonObject } from "../../src/protocols/shards/json.js";
import type { ShardsContext } from "../../src/protocols/shards/world.js";
import { scenario } from "../helpers/run.js";

export interface ChainJson {
  readonly seed: string;
  readonly validators: number;
  readonly committeeSize: number;
  readonly shards: number;
  readonly blockTxLimit: number;
  /** The genesis scenario (accounts, contracts with placements, transactions). */
  readonly scenario: unknown;
}

export interface Vector {
  readonly transition: string;
  readonly description: string;
  readonly chain: ChainJson;
  readonly pre: unknown;
  readonly input: unknown;
  readonly post: unknown;
  readonly error: string | null;
}

/** The driver of the chain (genesis, admission, attestations), BLS signatures on. */
export function createChainDriver(protocol: "sync" | "lock2pc", chain: ChainJson): ShardsDriver {
  const config = resolveRunConfig({ protocol, seed: chain.seed, validators: chain.validators, committeeSize: chain.committeeSize, shards: chain.shards, signatures: true });
  return new ShardsDriver({ config, workload: scenario(chain.scenario, chain.seed) }, protocol);
}

const contexts = new Map<string, ShardsContext>();

/** The context a fixture's `chain` names (cached per chain: deploying the genesis runs contract code). */
export function getChainContext(protocol: "sync" | "lock2pc", x: unknown): { chain: ChainJson; ctx: ShardsContext } {
  const o = parseFields(x, ["seed", "validators", "committeeSize", "shards", "blockTxLimit", "scenario"], "chain");
  const chain: ChainJson = {
    seed: parseString(o["seed"], "chain.seed"),
    validators: parseInteger(o["validators"], "chain.validators"),
    committeeSize: parseInteger(o["committeeSize"], "chain.committeeSize"),
    shards: parseInteger(o["shards"], "chain.shards"),
    blockTxLimit: parseInteger(o["blockTxLimit"], "chain.blockTxLimit"),
    scenario: o["scenario"],
  };
  const key = `${protocol}:${JSON.stringify(x)}`;
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    ctx = createChainDriver(protocol, chain).ctx;
    contexts.set(key, ctx);
  }
  return { chain, ctx };
}

/** The fixture envelope, strictly: known transition, exactly one of post and error. */
export function parseVector(x: unknown, transitions: readonly string[], file: string): JsonObject & { transition: string; error: string | null } {
  const v = parseFields(x, ["transition", "description", "chain", "pre", "input", "post", "error"], file);
  const transition = parseString(v["transition"], `${file}.transition`);
  if (!transitions.includes(transition)) throw new Error(`${file}: unknown transition ${transition} (known: ${transitions.join(", ")})`);
  parseString(v["description"], `${file}.description`);
  const error = v["error"] === null ? null : parseString(v["error"], `${file}.error`);
  if ((v["post"] === null) === (error === null)) throw new Error(`${file}: exactly one of post and error must be given`);
  return { ...v, transition, error };
}

/** Runs `f`; its error code, or null when it returned. */
export function errorCodeOf(f: () => unknown): string | null {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? "THROWN";
  }
  return null;
}

/** One byte of `b` flipped: how the vectors forge roots and signatures. */
export const flip = (b: Uint8Array): Uint8Array => Uint8Array.from(b, (x, i) => (i === 0 ? x ^ 1 : x));

/** Counters a and c on shard 0, b on shard 1: two cross-shard {a,b} transactions and a local {c}. */
export const SYNC_SCENARIO = {
  accounts: [
    { name: "alice", balance: "1000000000000" },
    { name: "bob", balance: "1000000000000" },
  ],
  contracts: [
    { id: "a", code: "counter", placement: 0 },
    { id: "b", code: "counter", placement: 1 },
    { id: "c", code: "counter", placement: 0 },
  ],
  transactions: [
    { slot: 0, sender: "alice", program: { steps: [{ call: "a.inc" }, { call: "b.inc" }] } },
    { slot: 0, sender: "bob", program: { steps: [{ call: "a.inc" }, { call: "b.inc" }] } },
    { slot: 0, sender: "alice", program: { steps: [{ call: "c.inc" }] } },
  ],
};
