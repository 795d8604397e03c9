import { XshardError } from "../errors.js";
import { contractPrincipal } from "../crypto/hash.js";
import { encodeU64, signTx, type Program, type SignedTx } from "../program/index.js";
import { createUser, type AccountSpec, type User } from "../sim/world.js";
import { RngStreams } from "../sim/rng.js";
import type { GeneratedWorkload, ParamSpec, Submission, WorkloadDef } from "./types.js";

export const DEFAULT_MAX_FEE_PER_GAS = 10n;
export const DEFAULT_GAS_LIMIT = 2_000_000n;
export const DEFAULT_BEACON_BALANCE = 1_000_000_000_000n;

/** Parameters shared by every generated workload. */
export const COMMON_PARAMS: readonly ParamSpec[] = [
  { name: "slots", kind: "int", default: 16, min: 1, max: 100_000, help: "slots in which transactions are submitted" },
  { name: "rate", kind: "int", default: 16, min: 0, max: 100_000, help: "transactions submitted per slot" },
  { name: "accounts", kind: "int", default: 64, min: 1, max: 1_000_000, help: "user accounts" },
];

/** Validates and completes workload parameters against their specs; unknown names are refused. */
export function resolveParams(specs: readonly ParamSpec[], given: Readonly<Record<string, number | string>>, workload: string): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) throw new XshardError("UNKNOWN_PARAM", `workload '${workload}' has no parameter '${name}' (it has: ${[...known].join(", ")})`, { workload, name });
  }
  for (const s of specs) {
    const v = given[s.name] ?? s.default;
    if (s.kind === "enum") {
      if (typeof v !== "string" || !s.values?.includes(v)) {
        throw new XshardError("BAD_PARAM", `--${s.name} must be one of ${s.values?.join("|")}, got '${v}'`, { name: s.name, value: v });
      }
      out[s.name] = v;
      continue;
    }
    const n = typeof v === "number" ? v : Number(v);
    if (!Number.isFinite(n) || (s.kind === "int" && !Number.isInteger(n)) || (s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
      throw new XshardError("BAD_PARAM", `--${s.name} must be ${s.kind === "int" ? "an integer" : "a number"} in [${s.min}, ${s.max}], got '${v}'`, {
        name: s.name,
        value: v,
      });
    }
    out[s.name] = n;
  }
  return out;
}

/** Users with consecutive nonces; signs transactions with default fee fields. */
export class TxFactory {
  readonly users: User[];
  private readonly nonces = new Map<string, number>();
  private readonly subs: Submission[] = [];

  constructor(accounts: number, prefix = "user") {
    this.users = Array.from({ length: accounts }, (_, i) => createUser(`${prefix}${i}`));
  }

  accountSpecs(balance = DEFAULT_BEACON_BALANCE): AccountSpec[] {
    return this.users.map((u) => ({ name: u.name, balance }));
  }

  submit(slot: number, user: User, program: Program, label: string, fee: { maxFeePerGas?: bigint; gasLimit?: bigint } = {}): SignedTx {
    const nonce = this.nonces.get(user.name) ?? 0;
    this.nonces.set(user.name, nonce + 1);
    const tx = signTx(
      {
        sender: user.address,
        nonce: BigInt(nonce),
        maxFeePerGas: fee.maxFeePerGas ?? DEFAULT_MAX_FEE_PER_GAS,
        gasLimit: fee.gasLimit ?? DEFAULT_GAS_LIMIT,
        program,
      },
      user.key,
    );
    this.subs.push({ index: this.subs.length, slot, tx, sender: user.name, label });
    return tx;
  }

  get submissions(): readonly Submission[] {
    return this.subs;
  }
}

/** `init` arguments for a token: every holder gets `amount`. */
export function tokenInit(holders: readonly Uint8Array[], amount: bigint): Uint8Array[] {
  return holders.flatMap((h) => [h, encodeU64(amount)]);
}

export { contractPrincipal };

/**
 * A workload from its full parameter list and a generator. Parameters are validated and completed
 * (`resolveParams`); the generator draws only from streams of `seed` named after the workload.
 */
export function defineWorkload(
  name: string,
  description: string,
  params: readonly ParamSpec[],
  gen: (p: Record<string, number | string>, rng: RngStreams) => Omit<GeneratedWorkload, "name" | "params">,
): WorkloadDef {
  return {
    name,
    description,
    params,
    generate(given, seed) {
      const p = resolveParams(params, given, name);
      return { name, params: p, ...gen(p, new RngStreams(`${seed}:workload:${name}`)) };
    },
  };
}
