/**
 * Scenario files (JSON): contracts with their code, initial arguments and placement, accounts,
 * and either a workload generator with parameters or an explicit list of transactions (programs in
 * the JSON form of docs/programs.md) with the slot each is submitted in. See docs/scenarios.md.
 */
import { readFileSync } from "node:fs";
import { contractPrincipal } from "../crypto/hash.js";
import { isXshardError, XshardError } from "../errors.js";
import { literalFromJson, programFromJson, signTx, type NameResolver } from "../program/index.js";
import { createUser, type ContractSpec, type User } from "../chain/genesis.js";
import { getWorkload, planWorkload } from "../workloads/index.js";
import type { GeneratedWorkload, Submission, WorkloadDef, WorkloadPlan } from "../workloads/types.js";
import { computeDeclaredGas, DEFAULT_MAX_FEE_PER_GAS, describeValue, toFlagName } from "../workloads/common.js";

export const SCENARIO_SCHEMA = "xshard.scenario/1";

function bad(path: string, message: string): never {
  throw new XshardError("BAD_SCENARIO", `scenario ${path}: ${message}`, { path });
}

function obj(x: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) bad(path, "must be an object");
  for (const k of Object.keys(x)) if (!allowed.includes(k)) bad(`${path}.${k}`, `unknown field (allowed: ${allowed.join(", ")})`);
  return x as Record<string, unknown>;
}

function str(x: unknown, path: string): string {
  if (typeof x !== "string" || x === "") bad(path, "must be a non-empty string");
  return x;
}

function nat(x: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x > max) bad(path, `must be an integer in [0, ${max}]`);
  return x;
}

/** A non-negative integer: a JSON number up to 2^53 − 1, or a decimal string of any size (no sign, no hex). */
function big(x: unknown, path: string): bigint {
  const ok = typeof x === "number" ? Number.isSafeInteger(x) && x >= 0 : typeof x === "string" && /^(0|[1-9][0-9]*)$/.test(x);
  if (!ok) bad(path, `must be a non-negative integer (a number up to 2^53 - 1 or a decimal string), got ${describeValue(x)}`);
  return BigInt(x as number | string);
}

function optionalStr(x: unknown, path: string): string | undefined {
  return x === undefined ? undefined : str(x, path);
}

/** Re-throws a program error with the scenario path in front. */
function at<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isXshardError(e) && e.code !== "BAD_SCENARIO") throw new XshardError("BAD_SCENARIO", `scenario ${path}: ${e.message}`, { path, cause: e.code }, { cause: e });
    throw e;
  }
}

/**
 * A generator scenario's parameters, checked against the workload with the file's JSON paths
 * (`$.workload.params.slots`); the command line's overrides are checked when they are merged.
 */
function parseWorkloadParams(w: Record<string, unknown>, def: WorkloadDef): Record<string, number | string> {
  if (w.params === undefined) return {};
  const params = obj(w.params, "$.workload.params", def.params.map((p) => p.name));
  for (const [k, v] of Object.entries(params)) if (typeof v !== "number" && typeof v !== "string") bad(`$.workload.params.${k}`, `must be a number or a string, got ${describeValue(v)}`);
  try {
    def.resolveParams(params);
  } catch (e) {
    const name = isXshardError(e) ? (e.data as { name?: unknown }).name : undefined;
    if (typeof name === "string") throw new XshardError("BAD_SCENARIO", `scenario $.workload.params.${name}: ${e instanceof Error ? e.message : String(e)}`, { path: `$.workload.params.${name}` }, { cause: e });
    throw e;
  }
  return params as Record<string, number | string>;
}

/** Parses a scenario document (already JSON-parsed). */
export function parseScenario(doc: unknown, seed: string, overrides: Record<string, number | string> = {}): GeneratedWorkload {
  return planScenario(doc, seed, overrides).generate();
}

/**
 * Checks a scenario document and says how big it is, without generating a generator's
 * transactions (explicit transactions are parsed and signed here: they are written by hand).
 */
export function planScenario(doc: unknown, seed: string, overrides: Record<string, number | string> = {}): WorkloadPlan {
  const d = obj(doc, "$", ["schema", "name", "description", "contracts", "accounts", "workload", "transactions", "tokens"]);
  if (d.schema !== undefined && d.schema !== SCENARIO_SCHEMA) bad("$.schema", `must be "${SCENARIO_SCHEMA}"`);
  const name = optionalStr(d.name, "$.name");
  optionalStr(d.description, "$.description");
  if (d.workload !== undefined) {
    if (d.transactions !== undefined) bad("$", "give either workload or transactions, not both");
    for (const k of ["accounts", "contracts", "tokens"]) if (d[k] !== undefined) bad(`$.${k}`, "does not apply to a scenario with a workload generator");
    const w = obj(d.workload, "$.workload", ["name", "params"]);
    const def = at("$.workload.name", () => getWorkload(str(w.name, "$.workload.name")));
    return planWorkload(def, { ...parseWorkloadParams(w, def), ...overrides }, seed);
  }
  if (Object.keys(overrides).length > 0) {
    throw new XshardError("BAD_PARAM", `workload flags (${Object.keys(overrides).map(toFlagName).join(", ")}) do not apply to a scenario with explicit transactions`);
  }
  const workload = parseExplicitScenario(d, name);
  const size = {
    submissions: workload.submissions.length,
    accounts: workload.genesis.accounts.length,
    contracts: workload.genesis.contracts.length,
    stateEntries: workload.genesis.contracts.reduce((n, c) => n + c.init.length, 0),
  };
  return { name: workload.name, params: {}, size, generate: () => workload };
}

function parseExplicitScenario(d: Record<string, unknown>, name: string | undefined): GeneratedWorkload {
  if (!Array.isArray(d.accounts)) bad("$.accounts", "must be an array");
  if (!Array.isArray(d.contracts)) bad("$.contracts", "must be an array");
  if (!Array.isArray(d.transactions)) bad("$.transactions", "must be an array (or give a workload)");

  const users = new Map<string, User>();
  const accounts = d.accounts.map((a: unknown, i) => {
    const p = `$.accounts[${i}]`;
    const o = obj(a, p, ["name", "balance"]);
    const name = str(o.name, `${p}.name`);
    if (users.has(name)) bad(`${p}.name`, `account '${name}' is defined twice`);
    users.set(name, createUser(name));
    return { name, balance: big(o.balance, `${p}.balance`) };
  });
  const resolve: NameResolver = (kind, name) => {
    if (kind === "principal") return contractPrincipal(name);
    const u = users.get(name);
    if (!u) throw new XshardError("UNKNOWN_NAME", `unknown account '${name}'`, { name });
    return u.address;
  };
  const ids = new Set<string>();
  const contracts: ContractSpec[] = d.contracts.map((c: unknown, i) => {
    const p = `$.contracts[${i}]`;
    const o = obj(c, p, ["id", "code", "init", "placement"]);
    const id = str(o.id, `${p}.id`);
    if (ids.has(id)) bad(`${p}.id`, `contract '${id}' is defined twice`);
    ids.add(id);
    const init = o.init === undefined ? [] : Array.isArray(o.init) ? o.init : bad(`${p}.init`, "must be an array");
    const spec: ContractSpec = {
      id,
      code: str(o.code, `${p}.code`),
      init: init.map((x: unknown, j) => at(`${p}.init[${j}]`, () => literalFromJson(x, `${p}.init[${j}]`, resolve))),
    };
    return o.placement === undefined ? spec : { ...spec, placement: nat(o.placement, `${p}.placement`, 1_000_000) };
  });

  const nonces = new Map<string, bigint>();
  const submissions: Submission[] = d.transactions.map((t: unknown, i) => {
    const p = `$.transactions[${i}]`;
    const o = obj(t, p, ["slot", "sender", "program", "maxFeePerGas", "gasLimit", "nonce", "label"]);
    const sender = str(o.sender, `${p}.sender`);
    const user = users.get(sender) ?? bad(`${p}.sender`, `unknown account '${sender}'`);
    const program = at(`${p}.program`, () => programFromJson(o.program, resolve));
    const nonce = o.nonce === undefined ? (nonces.get(sender) ?? 0n) : big(o.nonce, `${p}.nonce`);
    nonces.set(sender, nonce + 1n);
    const tx = signTx(
      {
        sender: user.address,
        nonce,
        maxFeePerGas: o.maxFeePerGas === undefined ? DEFAULT_MAX_FEE_PER_GAS : big(o.maxFeePerGas, `${p}.maxFeePerGas`),
        gasLimit: o.gasLimit === undefined ? computeDeclaredGas(program) : big(o.gasLimit, `${p}.gasLimit`),
        program,
      },
      user.key,
    );
    return { index: i, slot: nat(o.slot, `${p}.slot`, 1_000_000), tx, sender, label: o.label === undefined ? `tx ${i}` : str(o.label, `${p}.label`) };
  });
  const tokens = d.tokens === undefined ? contracts.filter((c) => c.code === "token").map((c) => c.id) : parseTokens(d.tokens, ids);
  const bookings = contracts.filter((c) => c.code === "train" || c.code === "hotel").map((c) => c.id);
  return {
    name: name ?? "scenario",
    params: {},
    genesis: { contracts, accounts },
    submissions,
    tokens,
    bookings,
  };
}

/** `tokens`: ids of contracts the scenario defines. */
function parseTokens(x: unknown, ids: ReadonlySet<string>): string[] {
  if (!Array.isArray(x)) bad("$.tokens", `must be an array of contract ids, got ${describeValue(x)}`);
  return x.map((t: unknown, i) => {
    const id = str(t, `$.tokens[${i}]`);
    if (!ids.has(id)) bad(`$.tokens[${i}]`, `no contract '${id}' in $.contracts`);
    return id;
  });
}

/** Reads and parses a scenario file. */
export function loadScenario(file: string, seed: string, overrides: Record<string, number | string> = {}): GeneratedWorkload {
  return loadScenarioPlan(file, seed, overrides).generate();
}

/** Reads and checks a scenario file (`planScenario`). */
export function loadScenarioPlan(file: string, seed: string, overrides: Record<string, number | string> = {}): WorkloadPlan {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new XshardError("UNREADABLE_SCENARIO", `cannot read scenario ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new XshardError("BAD_SCENARIO", `scenario ${file} is not valid JSON: ${(e as Error).message}`, { file });
  }
  return planScenario(doc, seed, overrides);
}
