import { XshardError } from "../errors.js";
import { contractPrincipal } from "../crypto/hash.js";
import { encodeU64, LaterSigning, signTx, type LaterSigner, type Program, type SignedTx } from "../program/index.js";
import { createUser, type AccountSpec, type User } from "../chain/genesis.js";
import { RngStreams } from "../sim/rng.js";
import { parseDecimalInteger, toFiniteNumber } from "../numbers.js";
import type { GeneratedWorkload, GenerationContext, GenerationProgress, ParamSpec, Submission, WorkloadDef, WorkloadSize } from "./types.js";

export const DEFAULT_MAX_FEE_PER_GAS = 10n;
export const DEFAULT_GAS_LIMIT = 2_000_000n;
/**
 * What a generated transaction declares per call step when its workload sets no gas limit: about
 * four times the metered cost of the library's dearest call (an exchange swap, ≈ 15,000) plus a
 * receipts segment's fixed and proof charges — what a wallet's estimate with a margin would
 * declare. Stage 1 of the two-stage chain is bounded by the sum of declared gas, so a declaration
 * far above use (the flat 2,000,000 of before) would leave its execution capacity idle.
 */
export const GAS_PER_CALL_STEP = 100_000n;

/** The gas a generated transaction declares: `GAS_PER_CALL_STEP` per call step (at least one). */
export function computeDeclaredGas(program: Program): bigint {
  let calls = 0;
  for (const s of program.steps) if (s.kind === "call") calls++;
  return (DECLARED_GAS[calls] ??= GAS_PER_CALL_STEP * BigInt(Math.max(1, calls)));
}
/** Declared gas by number of call steps, made once (one bigint shared by every transaction that declares it). */
const DECLARED_GAS: bigint[] = [];
export const DEFAULT_BEACON_BALANCE = 1_000_000_000_000n;

/** Parameters shared by every generated workload. */
export const COMMON_PARAMS: readonly ParamSpec[] = [
  { name: "slots", kind: "int", default: 16, min: 1, max: 100_000, help: "slots in which transactions are submitted" },
  { name: "rate", kind: "int", default: 16, min: 0, max: 100_000, help: "transactions submitted per slot" },
  { name: "accounts", kind: "int", default: 64, min: 1, max: 1_000_000, help: "user accounts" },
];

/** The flag that sets a workload parameter: `shockStart` → `--shock-start`. */
export function toFlagName(param: string): string {
  return "--" + param.replace(/[A-Z]/g, (m) => "-" + m.toLowerCase());
}

/**
 * Validates and completes workload parameters against their specs; unknown names are refused.
 * A value is a JSON number or decimal text (flags, swept values); `""`, `true`, `null`, hex or
 * `Infinity` are refused, never read as 0 or 1. Errors name the parameter by its flag.
 */
export function resolveParams(specs: readonly ParamSpec[], given: Readonly<Record<string, unknown>>, workload: string): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      throw new XshardError("UNKNOWN_PARAM", `workload '${workload}' has no parameter '${name}' (it has: ${[...known].map(toFlagName).join(", ")})`, { workload, name });
    }
  }
  for (const s of specs) {
    const v = given[s.name] ?? s.default;
    const flag = toFlagName(s.name);
    if (s.kind === "enum") {
      if (typeof v !== "string" || !s.values?.includes(v)) {
        throw new XshardError("BAD_PARAM", `${flag} must be one of ${s.values?.join("|")}, got ${describeValue(v)}`, { name: s.name, value: v });
      }
      out[s.name] = v;
      continue;
    }
    const n = s.kind === "int" && typeof v === "string" ? parseDecimalInteger(v) : toFiniteNumber(v);
    if (n === undefined || (s.kind === "int" && !Number.isInteger(n)) || (s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
      throw new XshardError("BAD_PARAM", `${flag} must be ${s.kind === "int" ? "an integer" : "a number"} in [${s.min}, ${s.max}], got ${describeValue(v)}`, {
        name: s.name,
        value: v,
      });
    }
    out[s.name] = n;
  }
  return out;
}

/** A given value as an error message shows it: text in quotes, anything else as JSON (`true`, `null`). */
export function describeValue(v: unknown): string {
  return typeof v === "string" ? `'${v}'` : (JSON.stringify(v) ?? String(v));
}

/** Nonces below this are made once and shared (a bigint each, not one a transaction). */
const SMALL_NONCES = 1 << 16;
const NONCES: bigint[] = [];

/** Transactions signed later are handed to the signer in groups of this many (their roots hashed together). */
const LATER_GROUP = 256;

/** One `LaterSigning` per signer: factories sharing a signer (a generator's two) hand it their transactions in the order they made them. */
const laterSignings = new WeakMap<LaterSigner, LaterSigning>();

function getLaterSigning(signer: LaterSigner): LaterSigning {
  let l = laterSignings.get(signer);
  if (!l) laterSignings.set(signer, (l = new LaterSigning(signer)));
  return l;
}

/** Users with consecutive nonces; signs transactions with default fee fields. */
export class TxFactory {
  readonly users: User[];
  private readonly nonces = new Map<string, number>();
  private readonly subs: Submission[] = [];
  private readonly tick: () => void;
  /** With a later signer: transactions whose signing waits for the next flush (roots hashed together). */
  private readonly later: LaterSigning | undefined;

  /** `ctx.tick` is called once per account created and per transaction signed (generation progress); `ctx.signer` signs later. */
  constructor(accounts: number, prefix = "user", ctx: GenerationContext = { tick: () => {} }) {
    this.tick = ctx.tick;
    this.later = ctx.signer && getLaterSigning(ctx.signer);
    this.users = Array.from({ length: accounts }, (_, i) => {
      ctx.tick();
      return createUser(`${prefix}${i}`);
    });
  }

  accountSpecs(balance = DEFAULT_BEACON_BALANCE): AccountSpec[] {
    return this.users.map((u) => ({ name: u.name, balance }));
  }

  /**
   * Signs and records a transaction. With a later signer (`GenerationContext.signer`) its signature
   * is filled later, unless `signNow` (a generator that needs the transaction's id at once).
   */
  submit(slot: number, user: User, program: Program, label: string, fee: { maxFeePerGas?: bigint; gasLimit?: bigint } = {}, signNow = false): SignedTx {
    const nonce = this.nonces.get(user.name) ?? 0;
    this.nonces.set(user.name, nonce + 1);
    const unsigned = {
      sender: user.address,
      nonce: nonce < SMALL_NONCES ? (NONCES[nonce] ??= BigInt(nonce)) : BigInt(nonce),
      maxFeePerGas: fee.maxFeePerGas ?? DEFAULT_MAX_FEE_PER_GAS,
      gasLimit: fee.gasLimit ?? computeDeclaredGas(program),
      program,
    };
    let tx: SignedTx;
    if (this.later && !signNow) {
      tx = this.later.add(unsigned, user.key);
      if (this.later.size >= LATER_GROUP) this.later.flush();
    } else {
      this.later?.flush();
      tx = signTx(unsigned, user.key);
    }
    this.subs.push({ index: this.subs.length, slot, tx, sender: user.name, label });
    this.tick();
    return tx;
  }

  /** Every submission, each handed to the later signer (if any) by now. */
  get submissions(): readonly Submission[] {
    this.later?.flush();
    return this.subs;
  }
}

/** `init` arguments for a token: every holder gets `amount`. */
export function tokenInit(holders: readonly Uint8Array[], amount: bigint): Uint8Array[] {
  // One array for every holder's balance: init arguments are only read (copied into the contract's memory).
  const balance = encodeU64(amount);
  return holders.flatMap((h) => [h, balance]);
}

export { contractPrincipal };

/** Size of the common parameters alone: `slots × rate` transactions, `accounts` users. */
export function computeCommonSize(p: Readonly<Record<string, number | string>>, contracts: number, stateEntries: number): WorkloadSize {
  return { submissions: (p.slots as number) * (p.rate as number), accounts: p.accounts as number, contracts, stateEntries };
}

/**
 * A workload from its full parameter list, a generator and a size rule. Parameters are validated
 * and completed (`resolveParams`); the generator draws only from streams of `seed` named after the
 * workload and calls `ctx.tick` once per account created and transaction signed (pass `ctx` to `TxFactory`).
 */
export function defineWorkload(
  name: string,
  description: string,
  params: readonly ParamSpec[],
  gen: (p: Record<string, number | string>, rng: RngStreams, ctx: GenerationContext) => Omit<GeneratedWorkload, "name" | "params">,
  size: (p: Readonly<Record<string, number | string>>) => WorkloadSize,
): WorkloadDef {
  return {
    name,
    description,
    params,
    resolveParams: (given) => resolveParams(params, given, name),
    computeSize: size,
    generate(given, seed, onProgress?: GenerationProgress, signer?: LaterSigner) {
      const p = resolveParams(params, given, name);
      let tick = (): void => {};
      if (onProgress) {
        const s = size(p);
        const total = s.accounts + s.submissions;
        let done = 0;
        tick = () => onProgress(Math.min(++done, total), total);
      }
      return { name, params: p, ...gen(p, new RngStreams(`${seed}:workload:${name}`), signer ? { tick, signer } : { tick }) };
    },
  };
}
